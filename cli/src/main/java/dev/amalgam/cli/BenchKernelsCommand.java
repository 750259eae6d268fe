package dev.amalgam.cli;

import dev.amalgam.bench.KernelBench;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.RunnerException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code amalgam bench kernels}: kernel throughput next to copy bandwidth and scalar references.
 */
@Command(
    name = "kernels",
    mixinStandardHelpOptions = true,
    description = {
      "Run the kernel benchmarks (JMH) and print rows/s, GB/s, the ratio to this machine's",
      "plain-copy bandwidth and the ratio to each kernel's scalar reference, in one run."
    })
public final class BenchKernelsCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..*",
      paramLabel = "FILTER",
      description = "Benchmarks whose name contains one of these (default: all), e.g. Filter.")
  List<String> include = new ArrayList<>();

  @Option(names = "--json", description = "Print one JSON object per kernel.")
  boolean json;

  @Option(
      names = "--iterations",
      defaultValue = "5",
      description = "Measurement iterations (default: ${DEFAULT-VALUE}).")
  int iterations = 5;

  @Option(
      names = "--warmups",
      defaultValue = "3",
      description = "Warm-up iterations (default: ${DEFAULT-VALUE}).")
  int warmups = 3;

  @Option(
      names = "--seconds",
      defaultValue = "1",
      description = "Seconds per iteration (default: ${DEFAULT-VALUE}).")
  double seconds = 1;

  @Option(
      names = "--forks",
      defaultValue = "1",
      description = "JVM forks per benchmark (default: ${DEFAULT-VALUE}).")
  int forks = 1;

  @Option(names = "--jmh-output", description = "Show JMH's own progress output.")
  boolean jmhOutput;

  @Override
  public Integer call() throws RunnerException {
    System.err.println("running kernel benchmarks (JMH, one fork per benchmark)...");
    KernelBench.Result r =
        KernelBench.run(
            new KernelBench.Config(include, forks, warmups, iterations, seconds, jmhOutput));
    System.out.print(json ? r.toJson() : r.toTable());
    return 0;
  }
}
