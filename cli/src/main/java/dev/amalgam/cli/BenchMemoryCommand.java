package dev.amalgam.cli;

import dev.amalgam.bench.MemoryBench;
import dev.amalgam.memory.Sizes;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

  @Option(
      names = "--page-size",
      defaultValue = "2MiB",
      paramLabel = "SIZE",
      description = "Page size, e.g. 64KiB, 2MiB (default: ${DEFAULT-VALUE}).")
  String pageSize = "2MiB";

  @Option(
      names = "--topology",
      defaultValue = "fused-pair",
      paramLabel = "NAME",
      description =
          "Preset or topology file with members gpu0 and gpu1 (default: ${DEFAULT-VALUE}).")
  String topology = "fused-pair";

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

  @Option(
      names = "--spill-dir",
      paramLabel = "DIR",
      description = "Spill directory (default: the system temporary directory).")
  Path spillDir = Path.of(System.getProperty("java.io.tmpdir"), "amalgam-spill");

  @Override
  public Integer call() {
    MemoryBench.Config config =
        new MemoryBench.Config(
            topology, Sizes.parseBytes(pageSize), Sizes.parseBytes(workingSet), repetitions);
    MemoryBench.Result result = MemoryBench.run(config, spillDir);
    System.out.print(json ? result.toJson() + System.lineSeparator() : result.toTable());
    return 0;
  }
}
