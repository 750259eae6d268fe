package dev.amalgam.bench;

import com.opengamma.strata.pricer.impl.option.BlackScholesFormulaRepository;
import dev.amalgam.exec.Engine;
import dev.amalgam.kernels.Philox4x32;
import dev.amalgam.memory.Topology;
import dev.amalgam.risk.Book;
import dev.amalgam.risk.Instrument;
import dev.amalgam.risk.InstrumentType;
import dev.amalgam.risk.RiskJob;
import dev.amalgam.risk.RiskReport;
import dev.amalgam.risk.SyntheticBook;
import dev.amalgam.risk.UnderlyingQuote;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code bench risk}: full revaluation of a book of options in Monte Carlo scenarios through a
 * {@link RiskJob} on a topology, next to the same valuations through OpenGamma Strata's {@code
 * BlackScholesFormulaRepository} in a plain single-threaded loop (the library a Java risk team
 * would otherwise call), and next to the same job's revaluation on one worker thread (the same
 * code, {@code BlackScholesScenarios} over blocks of scenarios, on the same book and scenarios),
 * which says how the revaluation phase scales with the workers.
 *
 * <p>Order: a warm-up job (the same book and topology on fewer scenarios, so that the JIT has
 * compiled the job's code), the one-thread job, Strata's loop, then the timed job. Strata prices
 * the same options with the same horizon inputs (time to expiry, rate, vol) at spots moved by
 * Philox normals, for as many scenarios as give about {@code strataEvaluations} valuations (a full
 * 10^9 would take minutes); its rate is valuations per second of that loop, measured after a
 * warm-up pass. The one-thread job revalues a tenth of the scenarios (whole blocks of {@link
 * RiskJob#REVALUATION_BLOCK}).
 */
public final class RiskBench {
  /** What to run. */
  public record Config(
      int options,
      int scenarios,
      int underlyings,
      int horizonDays,
      String topology,
      long strataEvaluations,
      int warmupScenarios,
      long seed) {
    /** Checks the values. */
    public Config {
      Objects.requireNonNull(topology, "topology is null");
      if (options < 1 || scenarios < 1 || underlyings < 1 || horizonDays < 1) {
        throw new IllegalArgumentException(
            "options, scenarios, underlyings and horizon must be >= 1");
      }
      if (strataEvaluations < 1) {
        throw new IllegalArgumentException("strata evaluations must be >= 1");
      }
      if (warmupScenarios < 1) {
        throw new IllegalArgumentException(
            "warm-up scenarios must be >= 1, got " + warmupScenarios);
      }
    }
  }

  /** Measured numbers (keys as in the JSON) and the report of the job. */
  public record Result(Config config, Map<String, Object> values, RiskReport report) {
    /** One JSON object. */
    public String toJson() {
      StringBuilder sb = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<String, Object> e : values.entrySet()) {
        sb.append(first ? "" : ", ").append('"').append(e.getKey()).append("\": ");
        Object v = e.getValue();
        if (v instanceof String s) {
          sb.append('"').append(s.replace("\"", "\\\"")).append('"');
        } else if (v instanceof Double d) {
          sb.append(String.format(Locale.ROOT, "%.6g", d));
        } else {
          sb.append(v);
        }
        first = false;
      }
      return sb.append('}').toString();
    }

    /** A readable table. */
    public String toTable() {
      RiskReport.Timings t = report.timings();
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              Locale.ROOT,
              "bench risk: %,d options x %,d scenarios (%d underlyings, %d-day horizon) on %s%n"
                  + "engine: %s%n%n",
              config.options(),
              config.scenarios(),
              config.underlyings(),
              config.horizonDays(),
              config.topology(),
              values.get("engine")));
      sb.append(String.format(Locale.ROOT, "%-52s %16s %10s%n", "", "revaluations/s", "vs Strata"));
      row(
          sb,
          "Amalgam revaluation phase (" + (int) num("workers") + " workers)",
          num("reval_per_s"),
          num("ratio"));
      row(sb, "Amalgam end to end (whole job)", num("job_reval_per_s"), num("job_ratio"));
      row(
          sb,
          "Strata BlackScholesFormulaRepository, plain loop, 1 thread",
          num("strata_reval_per_s"),
          1.0);
      row(
          sb,
          "Amalgam revaluation phase, same job on 1 worker thread",
          num("reval_one_thread_per_s"),
          num("reval_one_thread_per_s") / num("strata_reval_per_s"));
      sb.append(
          String.format(
              Locale.ROOT,
              "%nrevaluation on %d workers ran %.2fx as fast as on one worker thread"
                  + " (%d cores here: at most %dx)%n",
              (int) num("workers"),
              num("reval_vs_one_thread"),
              (int) num("cores"),
              (int) Math.min(num("workers"), num("cores"))));
      sb.append(
          String.format(
              Locale.ROOT,
              "job time: scenario generation %.3f s, revaluation %.3f s, P&L into engine tables"
                  + " %.3f s, aggregation %.3f s (Greeks %.3f s, load %.3f s); total %.3f s%n",
              RiskReport.Timings.seconds(t.scenarios()),
              RiskReport.Timings.seconds(t.revaluation()),
              RiskReport.Timings.seconds(t.store()),
              RiskReport.Timings.seconds(t.aggregation()),
              RiskReport.Timings.seconds(t.greeks()),
              RiskReport.Timings.seconds(t.load()),
              RiskReport.Timings.seconds(t.total())));
      sb.append(
          String.format(
              Locale.ROOT,
              "timed job ran after a warm-up job (%,d scenarios, same book and topology) in the"
                  + " same JVM; the one-thread job revalued %,d scenarios%n",
              (int) num("warmup_scenarios"),
              (int) num("one_thread_scenarios")));
      sb.append(
          String.format(
              Locale.ROOT,
              "Strata: %,d valuations timed (%d scenarios of the book) after a warm-up pass%n",
              (long) num("strata_evaluations"),
              (int) num("strata_scenarios")));
      sb.append(
          String.format(
              Locale.ROOT,
              "VaR 99%%: %,.2f, ES 99%%: %,.2f (book value %,.2f)%n",
              report.total(0.99).var(),
              report.total(0.99).es(),
              report.greeks().value()));
      sb.append(
          "Simulated GPU members are worker threads on this machine's CPU; the numbers above are"
              + " measured on the CPU, not on GPUs.\n");
      return sb.toString();
    }

    private double num(String key) {
      return ((Number) Objects.requireNonNull(values.get(key), key)).doubleValue();
    }

    private static void row(StringBuilder sb, String name, double rate, double ratio) {
      sb.append(String.format(Locale.ROOT, "%-52s %,16.0f %9.1fx%n", name, rate, ratio));
    }
  }

  private RiskBench() {}

  /** Runs the benchmark. */
  public static Result run(Config c, RiskJob.Progress progress) {
    Book book = SyntheticBook.options(c.options(), c.underlyings(), c.seed());
    int warmup = Math.min(c.warmupScenarios(), c.scenarios());
    try (Engine e = Engine.open(c.topology())) {
      job(book, c, warmup, e, prefixed(progress, "warm-up "));
    }
    int oneScenarios = oneThreadScenarios(c);
    RiskReport one;
    try (Engine e = Engine.builder().topology(Topology.preset("cpu")).workersPerMember(1).build()) {
      one = job(book, c, oneScenarios, e, prefixed(progress, "1 thread "));
    }
    StrataRun strata = strata(book, c);
    RiskReport r;
    int workers;
    try (Engine e = Engine.open(c.topology())) {
      workers = e.workers().values().stream().mapToInt(Integer::intValue).sum();
      r = job(book, c, c.scenarios(), e, progress);
    }
    RiskReport.Timings t = r.timings();
    double evals = (double) c.options() * c.scenarios();
    double reval = evals / RiskReport.Timings.seconds(t.revaluation());
    double job = evals / RiskReport.Timings.seconds(t.total());
    double oneRate =
        (double) c.options()
            * oneScenarios
            / RiskReport.Timings.seconds(one.timings().revaluation());
    int cores = Runtime.getRuntime().availableProcessors();
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("options", c.options());
    v.put("scenarios", c.scenarios());
    v.put("underlyings", c.underlyings());
    v.put("horizon_days", c.horizonDays());
    v.put("topology", c.topology());
    v.put("engine", r.setup().engine());
    v.put("reval_per_s", reval);
    v.put("strata_reval_per_s", strata.rate);
    v.put("ratio", reval / strata.rate);
    v.put("job_reval_per_s", job);
    v.put("job_ratio", job / strata.rate);
    v.put("reval_one_thread_per_s", oneRate);
    v.put("one_thread_ratio", oneRate / strata.rate);
    v.put("workers", workers);
    v.put("cores", cores);
    v.put("reval_vs_one_thread", reval / oneRate);
    v.put("warmup_scenarios", warmup);
    v.put("one_thread_scenarios", oneScenarios);
    v.put("scenario_s", RiskReport.Timings.seconds(t.scenarios()));
    v.put("revaluation_s", RiskReport.Timings.seconds(t.revaluation()));
    v.put("store_s", RiskReport.Timings.seconds(t.store()));
    v.put("aggregation_s", RiskReport.Timings.seconds(t.aggregation()));
    v.put("greeks_s", RiskReport.Timings.seconds(t.greeks()));
    v.put("total_s", RiskReport.Timings.seconds(t.total()));
    v.put("strata_evaluations", strata.evaluations);
    v.put("strata_scenarios", strata.scenarios);
    v.put("var_99", r.total(0.99).var());
    v.put("es_99", r.total(0.99).es());
    v.put("simulated", true);
    return new Result(c, v, r);
  }

  private static RiskReport job(
      Book book, Config c, int scenarios, Engine engine, RiskJob.Progress progress) {
    return RiskJob.builder()
        .book(book)
        .method(RiskJob.Method.MONTE_CARLO)
        .scenarios(scenarios)
        .horizonDays(c.horizonDays())
        .confidence(0.99, 0.975)
        .seed(c.seed())
        .engine(engine)
        .progress(progress)
        .build()
        .run();
  }

  /**
   * Scenarios of the one-thread job: a tenth of the timed job's, rounded up to whole blocks of
   * {@link RiskJob#REVALUATION_BLOCK} (so that its revaluation runs long enough to time, about a
   * fifth of the timed phase's wall time on two cores), at most all of them.
   */
  static int oneThreadScenarios(Config c) {
    int block = RiskJob.REVALUATION_BLOCK;
    long blocks = Math.max(1, (c.scenarios() / 10 + block - 1) / block);
    return (int) Math.min(c.scenarios(), blocks * block);
  }

  private static RiskJob.Progress prefixed(RiskJob.Progress p, String prefix) {
    return (phase, done, total) -> p.update(prefix + phase, done, total);
  }

  /** The horizon inputs of each option, as the job computes them (ACT/365F, H/252). */
  private record Inputs(
      double[] strike,
      double[] t1,
      double[] vol,
      double[] r1,
      boolean[] call,
      int[] und,
      double[] spot0) {}

  private static Inputs inputs(Book book, Config c) {
    List<Instrument> ins = book.instruments();
    int n = ins.size();
    List<String> names = book.correlation().names();
    double[] spot0 = new double[names.size()];
    double[] vols = new double[names.size()];
    for (int u = 0; u < names.size(); u++) {
      UnderlyingQuote q = Objects.requireNonNull(book.market().quote(names.get(u)));
      spot0[u] = q.spot();
      vols[u] = q.vol();
    }
    double h = c.horizonDays() / 252.0;
    long today = book.market().valuationDate().toEpochDay();
    Inputs in =
        new Inputs(
            new double[n],
            new double[n],
            new double[n],
            new double[n],
            new boolean[n],
            new int[n],
            spot0);
    for (int i = 0; i < n; i++) {
      Instrument x = ins.get(i);
      int u = book.correlation().indexOf(x.underlying());
      double t0 = (Objects.requireNonNull(x.expiry()).toEpochDay() - today) / 365.0;
      in.strike[i] = x.strikeOrZero();
      in.t1[i] = Math.max(t0 - h, 0.0);
      in.vol[i] = vols[u];
      in.r1[i] = book.market().curve().rate(in.t1[i]);
      in.call[i] = x.type() == InstrumentType.CALL;
      in.und[i] = u;
    }
    return in;
  }

  private record StrataRun(double rate, long evaluations, int scenarios, double checksum) {}

  private static StrataRun strata(Book book, Config c) {
    Inputs in = inputs(book, c);
    int n = in.strike.length;
    int u = in.spot0.length;
    double sd = Math.sqrt(c.horizonDays() / 252.0);
    int scenarios = (int) Math.max(1, Math.min(c.scenarios(), c.strataEvaluations() / n));
    int warm = (int) Math.max(1, Math.min(scenarios, 2_000_000L / n));
    double[] spots = new double[u];
    double check = 0;
    // warm-up pass, then the timed loop
    for (int pass = 0; pass < 2; pass++) {
      int count = pass == 0 ? warm : scenarios;
      long t0 = System.nanoTime();
      double sum = 0;
      for (int s = 0; s < count; s++) {
        for (int j = 0; j < u; j++) {
          double z = Philox4x32.normal(c.seed(), 1_000_000L + pass, (long) s * u + j);
          spots[j] = in.spot0[j] * Math.exp(0.25 * sd * z);
        }
        for (int i = 0; i < n; i++) {
          sum +=
              BlackScholesFormulaRepository.price(
                  spots[in.und[i]],
                  in.strike[i],
                  in.t1[i],
                  in.vol[i],
                  in.r1[i],
                  in.r1[i],
                  in.call[i]);
        }
      }
      long dt = System.nanoTime() - t0;
      if (pass == 1) {
        long evals = (long) count * n;
        return new StrataRun(evals / (dt / 1e9), evals, count, sum + check);
      }
      check = sum;
    }
    throw new AssertionError();
  }
}
