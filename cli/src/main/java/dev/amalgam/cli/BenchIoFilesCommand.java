package dev.amalgam.cli;

import dev.amalgam.bench.io.FileLoadBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code amalgam bench io-files}: CSV and Parquet load rates next to DuckDB. */
@Command(
    name = "io-files",
    mixinStandardHelpOptions = true,
    description = {
      "Load the same CSV (plain, gzip) and Parquet (snappy, zstd) files into Amalgam and into",
      "DuckDB in the same process; file GB/s, their ratio, and a plain sequential read."
    })
public final class BenchIoFilesCommand implements Callable<Integer> {
  @Option(names = "--json", description = "One JSON object per measurement.")
  boolean json;

  @Option(
      names = "--rows",
      defaultValue = "2000000",
      paramLabel = "N",
      description = "Rows of the generated table (default: ${DEFAULT-VALUE}).")
  long rows = 2_000_000;

  @Option(
      names = "--repetitions",
      defaultValue = "3",
      paramLabel = "N",
      description = "Timed loads per file and engine; the median is reported (default: 3).")
  int repetitions = 3;

  @Option(
      names = "--topology",
      defaultValue = "fused-pair",
      description = "Preset topology of the Amalgam engine (default: ${DEFAULT-VALUE}).")
  String topology = "fused-pair";

  @Override
  public Integer call() {
    FileLoadBench.run(new FileLoadBench.Config(rows, repetitions, topology), json, System.out);
    return 0;
  }
}
