package dev.amalgam.cli;

import dev.amalgam.samples.tpch.TpchQueries;
import dev.amalgam.samples.tpch.TpchVerify;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code amalgam tpch verify}: the 22 TPC-H queries on Amalgam and DuckDB, compared. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Generate TPC-H at a scale factor into Amalgam and DuckDB (in-process), run the 22 queries",
      "on both and compare the answers. Exits with 0 only when every query passes."
    })
public final class TpchVerifyCommand implements Callable<Integer> {
  @Option(
      names = "--sf",
      defaultValue = "0.01",
      paramLabel = "SF",
      description = "Scale factor (default: ${DEFAULT-VALUE}).")
  double sf = 0.01;

  @Option(
      names = "--topology",
      defaultValue = "fused-pair",
      paramLabel = "NAME",
      description = "Topology preset (default: ${DEFAULT-VALUE}).")
  String topology = "fused-pair";

  @Option(
      names = "--queries",
      split = ",",
      paramLabel = "N",
      description = "Only these queries (1..22), comma-separated.")
  List<Integer> queries = new ArrayList<>();

  @Override
  public Integer call() {
    if (!(sf > 0)) {
      throw new IllegalArgumentException("--sf must be positive, got " + sf);
    }
    List<TpchQueries.TpchQuery> qs =
        queries.isEmpty() ? TpchQueries.all() : queries.stream().map(TpchQueries::get).toList();
    TpchVerify.Report r = TpchVerify.run(sf, topology, qs, System.out);
    return r.failed() == 0 ? 0 : 1;
  }
}
