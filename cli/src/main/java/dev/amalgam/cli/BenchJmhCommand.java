package dev.amalgam.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code amalgam bench jmh}: runs the JMH micro-benchmarks of the bench module. */
@Command(
    name = "jmh",
    mixinStandardHelpOptions = true,
    description = "Run JMH micro-benchmarks (memory operations; kernels as they arrive).")
public final class BenchJmhCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..*",
      paramLabel = "REGEX",
      description = "Benchmarks to run (default: all), e.g. MemoryOps.pinResident.")
  List<String> include = new ArrayList<>();

  @Option(names = "--forks", defaultValue = "1", description = "Forks (default: ${DEFAULT-VALUE}).")
  int forks = 1;

  @Option(
      names = "--iterations",
      defaultValue = "5",
      description = "Measurement iterations of 1 s (default: ${DEFAULT-VALUE}).")
  int iterations = 5;

  @Option(
      names = {"-p", "--param"},
      paramLabel = "NAME=V1,V2",
      description = "Override a @Param, e.g. -p pageSize=65536.")
  List<String> params = new ArrayList<>();

  @Override
  public Integer call() throws RunnerException {
    ChainedOptionsBuilder o =
        new OptionsBuilder()
            .forks(forks)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(1))
            .jvmArgsAppend(
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector");
    if (include.isEmpty()) {
      o.include("dev\\.amalgam\\.bench\\..*");
    }
    for (String i : include) {
      o.include(i);
    }
    for (String p : params) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--param must look like name=v1,v2; was '" + p + "'");
      }
      o.param(p.substring(0, eq), p.substring(eq + 1).split(","));
    }
    new Runner(o.build()).run();
    return 0;
  }
}
