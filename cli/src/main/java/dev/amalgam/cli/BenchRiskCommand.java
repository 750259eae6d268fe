package dev.amalgam.cli;

import dev.amalgam.bench.RiskBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code amalgam bench risk}: option revaluations per second next to Strata in the same run. */
@Command(
    name = "risk",
    mixinStandardHelpOptions = true,
    description = {
      "Full revaluation of a book of options in Monte Carlo scenarios (a RiskJob on a topology,",
      "timed after a warm-up job), next to OpenGamma Strata's Black-Scholes formulas in a plain",
      "loop and the same job's revaluation on one worker thread, with the ratios and the job's",
      "time split."
    })
public final class BenchRiskCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print the results as one JSON object.")
  boolean json;

  @Option(
      names = "--options",
      defaultValue = "100000",
      paramLabel = "N",
      description = "Options in the book (default: ${DEFAULT-VALUE}).")
  int options = 100_000;

  @Option(
      names = "--scenarios",
      defaultValue = "10000",
      paramLabel = "K",
      description = "Monte Carlo scenarios (default: ${DEFAULT-VALUE}).")
  int scenarios = 10_000;

  @Option(
      names = "--underlyings",
      defaultValue = "50",
      paramLabel = "M",
      description = "Underlyings (default: ${DEFAULT-VALUE}).")
  int underlyings = 50;

  @Option(
      names = "--horizon-days",
      defaultValue = "10",
      paramLabel = "H",
      description = "Horizon in trading days (default: ${DEFAULT-VALUE}).")
  int horizonDays = 10;

  @Option(
      names = "--topology",
      defaultValue = "fused-pair",
      paramLabel = "NAME",
      description = "Topology preset (default: ${DEFAULT-VALUE}).")
  String topology = "fused-pair";

  @Option(
      names = "--strata-evaluations",
      defaultValue = "20000000",
      paramLabel = "N",
      description = "Valuations Strata's loop is timed on (default: ${DEFAULT-VALUE}).")
  long strataEvaluations = 20_000_000;

  @Option(
      names = "--warmup-scenarios",
      defaultValue = "1000",
      paramLabel = "K",
      description =
          "Scenarios of the warm-up job run before the timed one (default: ${DEFAULT-VALUE}).")
  int warmupScenarios = 1000;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "S",
      description = "Seed of the book and the scenarios (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Override
  public Integer call() {
    RiskBench.Result r =
        RiskBench.run(
            new RiskBench.Config(
                options,
                scenarios,
                underlyings,
                horizonDays,
                topology,
                strataEvaluations,
                warmupScenarios,
                seed),
            json ? (p, d, t) -> {} : new RiskCommand.ProgressBar(System.err, true));
    if (!json) {
      System.err.println();
    }
    System.out.print(json ? r.toJson() + System.lineSeparator() : r.toTable());
    return 0;
  }
}
