package dev.amalgam.cli;

import dev.amalgam.samples.tpch.TpchBench;
import dev.amalgam.samples.tpch.TpchQueries;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code amalgam bench tpch}: TPC-H on Amalgam and DuckDB side by side. */
@Command(
    name = "tpch",
    mixinStandardHelpOptions = true,
    description = {
      "TPC-H queries on Amalgam (through SQL) and DuckDB in the same process over the same data:",
      "medians, their ratio and the geometric mean of the ratios."
    })
public final class BenchTpchCommand implements Callable<Integer> {
  @Option(
      names = "--sf",
      defaultValue = "1",
      description = "Scale factor (default: ${DEFAULT-VALUE}).")
  double sf = 1;

  @Option(
      names = "--vs",
      defaultValue = "duckdb",
      description = "The peer to compare with (only duckdb).")
  String vs = "duckdb";

  @Option(
      names = "--queries",
      split = ",",
      paramLabel = "N",
      description = "Query numbers (default: all 22).")
  List<Integer> queries = new ArrayList<>();

  @Option(
      names = "--repetitions",
      defaultValue = "5",
      description = "Timed runs per query and engine (default: ${DEFAULT-VALUE}).")
  int repetitions = 5;

  @Option(
      names = "--topology",
      defaultValue = "fused-pair",
      description = "Preset topology (default: ${DEFAULT-VALUE}).")
  String topology = "fused-pair";

  @Option(
      names = "--warmup-passes",
      defaultValue = "" + TpchBench.DEFAULT_WARMUP_PASSES,
      description =
          "Passes over all selected queries on both engines before timing; the first one is"
              + " reported as the cold ratio (default: ${DEFAULT-VALUE}).")
  int warmupPasses = TpchBench.DEFAULT_WARMUP_PASSES;

  @Option(
      names = "--no-jit-warm-up",
      description =
          "Skip the JIT warm-up (by default the 22 queries run over a private SF 0.01 engine"
              + " while the data loads, and the timings start after it); the cold ratio then"
              + " shows the first runs compiling as they go.")
  boolean noJitWarmUp;

  @Option(names = "--json", description = "One JSON object per query.")
  boolean json;

  @Override
  public Integer call() {
    if (!vs.equals("duckdb")) {
      throw new IllegalArgumentException("--vs: only duckdb is supported; was " + vs);
    }
    List<TpchQueries.TpchQuery> qs = new ArrayList<>();
    if (queries.isEmpty()) {
      qs.addAll(TpchQueries.all());
    } else {
      for (int n : queries) {
        qs.add(TpchQueries.get(n));
      }
    }
    if (warmupPasses < 0) {
      throw new IllegalArgumentException("--warmup-passes must be >= 0; was " + warmupPasses);
    }
    TpchBench.run(sf, topology, qs, repetitions, warmupPasses, !noJitWarmUp, json, System.out);
    return 0;
  }
}
