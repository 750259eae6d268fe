package dev.amalgam.cli;

import dev.amalgam.bench.MemoryBench;
import dev.amalgam.memory.Sizes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amalgam bench memory}: benchmarks of the unified memory layer. */
@Command(
    name = "memory",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark the unified memory layer against this machine's memcpy in one run:",
      "migration between members, staged migration, pin, fault and eviction costs."
    })
public final class BenchMemoryCommand implements Callable<Integer> {

  @Option(names = "--json", description = "Print the results as one JSON object.")
  boolean json;

  @Mixin MemoryOptions memory = new MemoryOptions();

  @Option(
      names = "--working-set",
      defaultValue = "256MiB",
      paramLabel = "SIZE",
      description = "Bytes moved per repetition (default: ${DEFAULT-VALUE}).")
  String workingSet = "256MiB";

  @Option(
      names = "--repetitions",
      defaultValue = "5",
      paramLabel = "N",
      description = "Timed repetitions; the best is reported (default: ${DEFAULT-VALUE}).")
  int repetitions = 5;

  @Override
  public Integer call() {
    MemoryBench.Config config =
        new MemoryBench.Config(
            memory.topology, memory.pageSizeBytes(), Sizes.parseBytes(workingSet), repetitions);
    MemoryBench.Result result = MemoryBench.run(config, memory.spillDir);
    System.out.print(json ? result.toJson() + System.lineSeparator() : result.toTable());
    return 0;
  }
}
