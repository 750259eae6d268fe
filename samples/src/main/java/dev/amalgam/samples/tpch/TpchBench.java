package dev.amalgam.samples.tpch;

import dev.amalgam.exec.Engine;
import dev.amalgam.memory.Topology;
import dev.amalgam.samples.tpch.TpchQueries.TpchQuery;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * {@code amalgam bench tpch}: the TPC-H queries on Amalgam and on DuckDB in the same process, over
 * the same generated data, DuckDB given as many threads as the engine has workers. Each query is
 * warmed up on each engine until its time stops improving (at least twice, at most 12 runs or 10
 * s), then runs alternately {@code repetitions} times; the medians and their ratio (Amalgam /
 * DuckDB: below 1 means Amalgam is faster) are reported, and the geometric mean of the ratios. On a
 * machine without GPUs Amalgam's members are simulated (CPU threads).
 *
 * <p>Before that, {@code warmupPasses} passes run every selected query once on each engine: the
 * queries share the engine's kernels, and the JIT compiles them (with the Vector API, only C2 code
 * is fast) over many runs of all queries, not a few of one. The first pass's times are reported as
 * the cold ratio.
 */
public final class TpchBench {
  private static final int MIN_WARMUP = 2;
  private static final int MAX_WARMUP = 12;
  private static final double WARMUP_BUDGET_MS = 10_000;

  private TpchBench() {}

  /** Warm-up passes over all selected queries by default. */
  public static final int DEFAULT_WARMUP_PASSES = 3;

  /** One query's medians, and its times in the first (cold) warm-up pass (NaN without one). */
  public record Timing(
      TpchQuery query,
      double amalgamMs,
      double duckdbMs,
      double coldAmalgamMs,
      double coldDuckdbMs) {
    /** Amalgam's median over DuckDB's. */
    public double ratio() {
      return amalgamMs / duckdbMs;
    }

    /** One JSON object. */
    public String toJson() {
      return String.format(
          Locale.ROOT,
          "{\"query\":\"%s\",\"amalgam_ms\":%.3f,\"duckdb_ms\":%.3f,\"ratio\":%.4f,"
              + "\"cold_amalgam_ms\":%s,\"cold_duckdb_ms\":%s,\"simulated\":true}",
          query.name(),
          amalgamMs,
          duckdbMs,
          ratio(),
          jsonNumber(coldAmalgamMs),
          jsonNumber(coldDuckdbMs));
    }

    private static String jsonNumber(double v) {
      return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.3f", v);
    }
  }

  /** Runs the benchmark; prints the table (or JSON lines) to {@code out}. */
  public static List<Timing> run(
      double sf,
      String topology,
      List<TpchQuery> queries,
      int repetitions,
      int warmupPasses,
      boolean jitWarmUp,
      boolean json,
      PrintStream out) {
    @Nullable CompletableFuture<String> warm =
        jitWarmUp ? JitWarmUp.start(Topology.preset(topology)) : null;
    try (Engine engine = Engine.builder().topology(Topology.preset(topology)).build();
        Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      int threads = engine.workers().values().stream().mapToInt(Integer::intValue).sum();
      try (Statement s = duck.createStatement()) {
        s.execute("SET threads TO " + threads);
      }
      long t0 = System.nanoTime();
      long rows = TpchData.load(engine, duck, sf, System.err);
      String warmed = "no JIT warm-up";
      if (warm != null) {
        // ran while the data loaded; the timings start once it is over, so it does not compete
        warmed = warm.exceptionally(e -> "JIT warm-up failed: " + e).join();
      }
      if (!json) {
        out.printf(
            Locale.ROOT,
            "amalgam bench tpch: sf %s, %,d rows loaded into both engines in %.1f s (%s); %s (simulated"
                + " members) with %d workers vs DuckDB with %d threads; %d warm-up passes over the"
                + " queries, then per query a warm-up until stable and the median of %d%n",
            TpchData.fmt(sf),
            rows,
            (System.nanoTime() - t0) / 1e9,
            warmed,
            topology,
            threads,
            threads,
            warmupPasses,
            repetitions);
        out.printf(
            Locale.ROOT, "  %-5s %12s %12s %8s%n", "query", "amalgam ms", "duckdb ms", "ratio");
      }
      double[] coldA = new double[queries.size()];
      double[] coldD = new double[queries.size()];
      Arrays.fill(coldA, Double.NaN);
      Arrays.fill(coldD, Double.NaN);
      for (int p = 0; p < warmupPasses; p++) {
        for (int i = 0; i < queries.size(); i++) {
          double a = amalgam(engine, queries.get(i));
          double d = duckdb(duck, queries.get(i));
          if (p == 0) {
            coldA[i] = a;
            coldD[i] = d;
          }
        }
      }
      List<Timing> timings = new ArrayList<>();
      for (int qi = 0; qi < queries.size(); qi++) {
        TpchQuery q = queries.get(qi);
        warmUp(() -> amalgam(engine, q));
        warmUp(() -> duckdb(duck, q));
        double[] a = new double[repetitions];
        double[] d = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
          a[r] = amalgam(engine, q);
          d[r] = duckdb(duck, q);
        }
        Timing t = new Timing(q, median(a), median(d), coldA[qi], coldD[qi]);
        timings.add(t);
        out.println(
            json
                ? t.toJson()
                : String.format(
                    Locale.ROOT,
                    "  %-5s %12.2f %12.2f %8.2f",
                    q.name(),
                    t.amalgamMs(),
                    t.duckdbMs(),
                    t.ratio()));
      }
      double logSum = 0;
      double coldLog = 0;
      for (Timing t : timings) {
        logSum += Math.log(t.ratio());
        coldLog += Math.log(t.coldAmalgamMs() / t.coldDuckdbMs());
      }
      int count = Math.max(1, timings.size());
      double geomean = Math.exp(logSum / count);
      double cold = warmupPasses > 0 ? Math.exp(coldLog / count) : Double.NaN;
      if (json) {
        out.printf(
            Locale.ROOT,
            "{\"geomean_ratio\":%.4f,\"cold_geomean_ratio\":%s,\"queries\":%d,\"simulated\":true}%n",
            geomean,
            Double.isNaN(cold) ? "null" : String.format(Locale.ROOT, "%.4f", cold),
            timings.size());
      } else {
        out.printf(
            Locale.ROOT,
            "  geometric mean of the ratios: %.2f (below 1: Amalgam faster)%n",
            geomean);
        if (warmupPasses > 0) {
          out.printf(
              Locale.ROOT,
              "  cold (first warm-up pass, each query once): geometric mean %.2f%n",
              cold);
        }
      }
      return timings;
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB failed: " + e.getMessage(), e);
    }
  }

  /** A timed run of one query on one engine, in milliseconds. */
  @FunctionalInterface
  private interface TimedRun {
    double run() throws SQLException;
  }

  /**
   * Runs a query until its time stops improving: at least {@link #MIN_WARMUP} runs, then more while
   * a run is over 10% faster than the best before it, up to {@link #MAX_WARMUP} runs or {@link
   * #WARMUP_BUDGET_MS} in all. Amalgam's kernels run in the JIT's first tiers until the JIT has
   * compiled them, which takes more than one run of a short query; DuckDB gets the same policy.
   */
  private static void warmUp(TimedRun run) throws SQLException {
    double best = Double.MAX_VALUE;
    double spent = 0;
    for (int i = 0; i < MAX_WARMUP && spent < WARMUP_BUDGET_MS; i++) {
      double ms = run.run();
      spent += ms;
      boolean improving = ms < 0.9 * best;
      best = Math.min(best, ms);
      if (i + 1 >= MIN_WARMUP && !improving) {
        return;
      }
    }
  }

  private static double amalgam(Engine engine, TpchQuery q) {
    long t0 = System.nanoTime();
    engine.sql(q.sql()).execute();
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double duckdb(Connection duck, TpchQuery q) throws SQLException {
    long t0 = System.nanoTime();
    try (Statement s = duck.createStatement();
        ResultSet rs = s.executeQuery(q.sql())) {
      while (rs.next()) {
        rs.getObject(1);
      }
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }
}
