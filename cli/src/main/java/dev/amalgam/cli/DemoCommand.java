package dev.amalgam.cli;

import dev.amalgam.memory.Sizes;
import dev.amalgam.memory.Topology;
import dev.amalgam.risk.RiskJob;
import dev.amalgam.risk.RiskLevel;
import dev.amalgam.risk.RiskReport;
import dev.amalgam.risk.SyntheticBook;
import dev.amalgam.samples.QueryDemo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amalgam demo}: analytic queries on a fused device, with EXPLAIN ANALYZE. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Analytic queries on a fused device (simulated members), with EXPLAIN ANALYZE.",
      "Generates a trading book, runs queries with the fluent API and shows where morsels",
      "ran and what moved over which link, then ends with a small Monte Carlo risk run (VaR",
      "and ES by desk). 'demo memory' shows the memory layer on its own."
    },
    subcommands = {DemoMemoryCommand.class})
public final class DemoCommand implements Callable<Integer> {

  @Mixin MemoryOptions memory = new MemoryOptions();

  @Option(
      names = "--trades",
      defaultValue = "2000000",
      paramLabel = "N",
      description = "Rows of the trades table (default: ${DEFAULT-VALUE}).")
  long trades = 2_000_000;

  @Option(
      names = "--gpu-capacity",
      defaultValue = "2GiB",
      paramLabel = "SIZE",
      description = "Capacity of each GPU member (default: ${DEFAULT-VALUE}).")
  String gpuCapacity = "2GiB";

  @Option(
      names = "--workers",
      defaultValue = "0",
      paramLabel = "N",
      description = "Workers per member (default: the device's own count).")
  int workers;

  @Override
  public Integer call() {
    long gpu = Sizes.parseBytes(gpuCapacity);
    QueryDemo.run(
        new QueryDemo.Options(
            memory.topology(gpu, Math.max(8 * Sizes.GiB, 2 * gpu)),
            memory.pageSizeBytes(),
            trades,
            workers),
        System.out);
    riskRun();
    return 0;
  }

  /** The demo's last step: a small Monte Carlo risk run, VaR and ES by desk. */
  private void riskRun() {
    System.out.println();
    System.out.println(
        "== Risk: Monte Carlo VaR of a generated book (500 instruments on 8 underlyings,"
            + " 1,000 scenarios, 10-day horizon, seed 42) ==");
    RiskReport r =
        RiskJob.builder()
            .book(SyntheticBook.generate(500, 8, 7))
            .method(RiskJob.Method.MONTE_CARLO)
            .scenarios(1_000)
            .horizonDays(10)
            .confidence(0.99, 0.975)
            .seed(42)
            .groupBy(RiskLevel.DESK)
            .topology(
                Topology.presetNames().contains(memory.topology)
                    ? memory.topology
                    : Topology.DEFAULT_PRESET)
            .build()
            .run();
    System.out.print(r.format());
  }
}
