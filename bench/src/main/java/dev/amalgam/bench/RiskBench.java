package dev.amalgam.bench;

import com.opengamma.strata.pricer.impl.option.BlackScholesFormulaRepository;
import dev.amalgam.kernels.FinanceKernels;
import dev.amalgam.kernels.Philox4x32;
import dev.amalgam.risk.Book;
import dev.amalgam.risk.Instrument;
import dev.amalgam.risk.InstrumentType;
import dev.amalgam.risk.RiskJob;
import dev.amalgam.risk.RiskReport;
import dev.amalgam.risk.SyntheticBook;
import dev.amalgam.risk.UnderlyingQuote;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code bench risk}: full revaluation of a book of options in Monte Carlo scenarios through a
 * {@link RiskJob} on a topology, next to the same valuations through OpenGamma Strata's {@code
 * BlackScholesFormulaRepository} in a plain single-threaded loop (the library a Java risk team
 * would otherwise call), and next to the Black-Scholes kernel alone on one thread (what one core
 * can do; times the workers, the ceiling of the revaluation phase).
 *
 * <p>Strata prices the same options with the same horizon inputs (time to expiry, rate, vol) at
 * spots moved by Philox normals, for as many scenarios as give about {@code strataEvaluations}
 * valuations (a full 10^9 would take minutes); its rate is valuations per second of that loop,
 * measured after a warm-up pass.
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
      row(sb, "Amalgam revaluation phase (all workers)", num("reval_per_s"), num("ratio"));
      row(sb, "Amalgam end to end (whole job)", num("job_reval_per_s"), num("job_ratio"));
      row(
          sb,
          "Strata BlackScholesFormulaRepository, plain loop, 1 thread",
          num("strata_reval_per_s"),
          1.0);
      row(
          sb,
          "Black-Scholes kernel alone, 1 thread (per core)",
          num("kernel_per_thread_per_s"),
          num("kernel_per_thread_per_s") / num("strata_reval_per_s"));
      sb.append(
          String.format(
              Locale.ROOT,
              "%nrevaluation reached %.2f of the kernel's one-thread rate x %d cores%n",
              num("reval_vs_kernel_cores"),
              (int) num("cores")));
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
    double kernelRate = kernelRate(book, c);
    StrataRun strata = strata(book, c);
    RiskReport r =
        RiskJob.builder()
            .book(book)
            .method(RiskJob.Method.MONTE_CARLO)
            .scenarios(c.scenarios())
            .horizonDays(c.horizonDays())
            .confidence(0.99, 0.975)
            .seed(c.seed())
            .topology(c.topology())
            .progress(progress)
            .build()
            .run();
    RiskReport.Timings t = r.timings();
    double evals = (double) c.options() * c.scenarios();
    double reval = evals / RiskReport.Timings.seconds(t.revaluation());
    double job = evals / RiskReport.Timings.seconds(t.total());
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
    v.put("kernel_per_thread_per_s", kernelRate);
    v.put("cores", cores);
    v.put("reval_vs_kernel_cores", reval / (kernelRate * cores));
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

  /** Black-Scholes kernel prices per second on one thread over the book's options. */
  private static double kernelRate(Book book, Config c) {
    Inputs in = inputs(book, c);
    int n = in.strike.length;
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      s[i] = in.spot0[in.und[i]];
    }
    long[] bits = new long[(n + 63) >>> 6];
    for (int i = 0; i < n; i++) {
      if (in.call[i]) {
        bits[i >>> 6] |= 1L << i;
      }
    }
    FinanceKernels.OptionColumns cols =
        FinanceKernels.OptionColumns.of(
            MemorySegment.ofArray(s),
            MemorySegment.ofArray(in.strike),
            MemorySegment.ofArray(in.t1),
            MemorySegment.ofArray(in.vol),
            MemorySegment.ofArray(in.r1),
            MemorySegment.ofArray(bits));
    double[] out = new double[n];
    FinanceKernels.GreekColumns price =
        FinanceKernels.GreekColumns.priceOnly(MemorySegment.ofArray(out));
    FinanceKernels k = FinanceKernels.cpu();
    // Warm-up on blocks of the size revaluation uses, until two 0.5 s windows agree within 10%
    // (vector code runs interpreted for seconds before C2 compiles it), at most 20 s.
    int block = Math.min(n, 4096);
    FinanceKernels.OptionColumns head =
        FinanceKernels.OptionColumns.of(
            MemorySegment.ofArray(s).asSlice(0, 8L * block),
            MemorySegment.ofArray(in.strike).asSlice(0, 8L * block),
            MemorySegment.ofArray(in.t1).asSlice(0, 8L * block),
            MemorySegment.ofArray(in.vol).asSlice(0, 8L * block),
            MemorySegment.ofArray(in.r1).asSlice(0, 8L * block),
            MemorySegment.ofArray(bits));
    long giveUp = System.nanoTime() + 20_000_000_000L;
    double last = 0;
    while (System.nanoTime() < giveUp) {
      long w0 = System.nanoTime();
      long done = 0;
      while (System.nanoTime() - w0 < 500_000_000L) {
        k.blackScholes(head, null, block, null, price);
        done += block;
      }
      double rate = done / ((System.nanoTime() - w0) / 1e9);
      if (last > 0 && Math.abs(rate - last) < 0.1 * last) {
        break;
      }
      last = rate;
    }
    int reps = 0;
    long t0 = System.nanoTime();
    long end = t0 + 2_000_000_000L;
    while (System.nanoTime() < end || reps < 3) {
      k.blackScholes(cols, null, n, null, price);
      reps++;
    }
    return (double) reps * n / ((System.nanoTime() - t0) / 1e9);
  }
}
