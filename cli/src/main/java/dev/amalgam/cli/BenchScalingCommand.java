package dev.amalgam.cli;

import dev.amalgam.bench.ScalingBench;
import dev.amalgam.memory.Sizes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code amalgam bench scaling}: one query on one cpu worker vs the fused pair, fit vs 2x
 * oversubscribed.
 */
@Command(
    name = "scaling",
    mixinStandardHelpOptions = true,
    description = {
      "Time one analytic query on cpu with 1 worker, on fused-pair with 1 worker per member",
      "(table fitting, and 2x oversubscribed), and on cpu with all cores, in one run."
    })
public final class BenchScalingCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print the results as one JSON object.")
  boolean json;

  @Option(
      names = "--rows",
      defaultValue = "4000000",
      paramLabel = "N",
      description = "Rows of the table (default: ${DEFAULT-VALUE}).")
  long rows = 4_000_000;

  @Option(
      names = "--repetitions",
      defaultValue = "7",
      paramLabel = "N",
      description =
          "Timed repetitions per engine; the median is reported (default: ${DEFAULT-VALUE}).")
  int repetitions = 7;

  @Option(
      names = "--page-size",
      defaultValue = "2MiB",
      paramLabel = "SIZE",
      description = "Page size of unified memory (default: ${DEFAULT-VALUE}).")
  String pageSize = "2MiB";

  @Override
  public Integer call() {
    ScalingBench.Result r =
        ScalingBench.run(new ScalingBench.Config(rows, repetitions, Sizes.parseBytes(pageSize)));
    System.out.print(json ? r.toJson() + System.lineSeparator() : r.toTable());
    return 0;
  }
}
