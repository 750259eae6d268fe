package dev.amalgam.bench;

import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.countStar;
import static dev.amalgam.exec.expr.Exprs.sum;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Placement;
import dev.amalgam.exec.Query;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.TableBuilder;
import dev.amalgam.memory.MemoryStats;
import dev.amalgam.memory.Sizes;
import dev.amalgam.memory.Topology;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * {@code amalgam bench scaling}: one analytic query ({@code SELECT k, SUM(v), COUNT(*) FROM t WHERE
 * x < 0.5 GROUP BY k}) on four engines in one run:
 *
 * <ol>
 *   <li>{@code cpu}, one worker: the single-threaded baseline;
 *   <li>{@code fused-pair}, one worker per member, the table fitting in the members' memory;
 *   <li>{@code fused-pair}, one worker per member, each member holding half of what the table needs
 *       (2x oversubscription: every query brings evicted pages back from the host);
 *   <li>{@code cpu} with one worker per core, the machine's own parallel limit.
 * </ol>
 *
 * Prints the median of the timed repetitions, the speedup of the fused pair over one cpu worker
 * (how well two simulated members use two cores) and the slowdown of oversubscription. The members
 * are simulated: their compute is CPU threads and their memory host memory.
 */
public final class ScalingBench {
  /** What to run. */
  public record Config(long rows, int repetitions, long pageSize) {
    /** Checks the sizes. */
    public Config {
      if (rows < 1000) {
        throw new IllegalArgumentException("rows must be at least 1000; was " + rows);
      }
      if (repetitions < 1) {
        throw new IllegalArgumentException("repetitions must be at least 1; was " + repetitions);
      }
    }
  }

  /** The measurements. */
  public record Result(Config config, Map<String, Double> values, String notes) {
    /** One JSON object. */
    public String toJson() {
      StringBuilder sb = new StringBuilder("{\"benchmark\":\"scaling\",\"simulated\":true,");
      sb.append("\"rows\":").append(config.rows());
      for (Map.Entry<String, Double> e : values.entrySet()) {
        sb.append(",\"").append(e.getKey()).append("\":");
        sb.append(String.format(Locale.ROOT, "%.4f", e.getValue()));
      }
      return sb.append('}').toString();
    }

    /** A readable table. */
    public String toTable() {
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              Locale.ROOT,
              "amalgam bench scaling: %d rows, SELECT k, SUM(v), COUNT(*) WHERE x < 0.5 GROUP BY k,"
                  + " median of %d%n",
              config.rows(),
              config.repetitions()));
      row(sb, "cpu1_ms", "ms", "cpu, 1 worker");
      row(sb, "fused_ms", "ms", "fused-pair (simulated), 1 worker per member, table fits");
      row(sb, "oversub_ms", "ms", "fused-pair (simulated), 1 worker per member, 2x oversubscribed");
      row(sb, "cpu_all_ms", "ms", "cpu, 1 worker per core (the machine's parallel limit)");
      row(sb, "speedup_fused_vs_cpu1", "x", "cpu1 / fused; target >= 1.8");
      row(sb, "speedup_cpu_all_vs_cpu1", "x", "cpu1 / cpu_all: what the cores allow");
      row(sb, "oversub_slowdown", "x", "oversub / fused; target <= 1.3");
      row(sb, "oversub_moved_mib", "MiB", "bytes moved over links per oversubscribed query");
      row(sb, "rows_per_s_fused", "M/s", "rows per second on the fused pair");
      sb.append(notes);
      return sb.toString();
    }

    private void row(StringBuilder sb, String key, String unit, String what) {
      Double v = values.get(key);
      if (v != null) {
        sb.append(String.format(Locale.ROOT, "  %-24s %10.3f %-4s %s%n", key, v, unit, what));
      }
    }
  }

  private ScalingBench() {}

  private static final Schema SCHEMA =
      Schema.of(
          Field.notNull("k", DataType.INT64),
          Field.notNull("v", DataType.INT64),
          Field.notNull("x", DataType.FLOAT64));

  /** Bytes the table's buffers take. */
  static long tableBytes(long rows) {
    return rows * 24;
  }

  /** Runs the four engines; takes tens of seconds at the defaults. */
  public static Result run(Config config) {
    long bytes = tableBytes(config.rows());
    long roomy = Math.max(64 * Sizes.MiB, 2 * bytes);
    long host = Math.max(256 * Sizes.MiB, 4 * bytes);
    Map<String, Double> v = new LinkedHashMap<>();
    double cpu1 = time(Topology.preset("cpu", roomy, host), 1, config, null);
    double fused = time(Topology.preset("fused-pair", roomy, host), 1, config, null);
    long[] moved = new long[1];
    // each member gets a quarter of the table: both together hold half of it
    long tight = Math.max(16 * config.pageSize(), bytes / 4);
    double oversub = time(Topology.preset("fused-pair", tight, host), 1, config, moved);
    int cores = Runtime.getRuntime().availableProcessors();
    double cpuAll = time(Topology.preset("cpu", roomy, host), cores, config, null);
    v.put("cpu1_ms", cpu1 * 1e3);
    v.put("fused_ms", fused * 1e3);
    v.put("oversub_ms", oversub * 1e3);
    v.put("cpu_all_ms", cpuAll * 1e3);
    v.put("speedup_fused_vs_cpu1", cpu1 / fused);
    v.put("speedup_cpu_all_vs_cpu1", cpu1 / cpuAll);
    v.put("oversub_slowdown", oversub / fused);
    v.put("oversub_moved_mib", moved[0] / (double) Sizes.MiB);
    v.put("rows_per_s_fused", config.rows() / fused / 1e6);
    String notes =
        String.format(
            Locale.ROOT,
            "  (table %s; oversubscribed members hold %s each; %d cores; simulated members run on"
                + " CPU threads and hold host memory, so the fused pair can at best match cpu_all)%n",
            Sizes.bytes(bytes),
            Sizes.bytes(tight),
            cores);
    return new Result(config, v, notes);
  }

  private static double time(
      Topology topology, int workers, Config config, long @Nullable [] moved) {
    try (Engine engine =
        Engine.builder()
            .topology(topology)
            .workersPerMember(workers)
            .pageSize(config.pageSize())
            .build()) {
      load(engine, config.rows());
      Query q =
          engine
              .table("t")
              .filter(col("x").lt(0.5))
              .groupBy("k")
              .agg(sum(col("v")).as("s"), countStar().as("n"));
      for (int i = 0; i < 3; i++) {
        check(q.execute());
      }
      double[] t = new double[config.repetitions()];
      long before = engine.memory().stats().linkBytes();
      for (int i = 0; i < t.length; i++) {
        long t0 = System.nanoTime();
        dev.amalgam.exec.Result r = q.execute();
        t[i] = (System.nanoTime() - t0) / 1e9;
        check(r);
      }
      if (moved != null) {
        MemoryStats after = engine.memory().stats();
        moved[0] = (after.linkBytes() - before) / t.length;
      }
      Arrays.sort(t);
      return t[t.length / 2];
    }
  }

  private static void check(dev.amalgam.exec.Result r) {
    if (r.rowCount() != 1000) {
      throw new IllegalStateException("expected 1000 groups, got " + r.rowCount());
    }
  }

  private static void load(Engine engine, long rows) {
    SplittableRandom rnd = new SplittableRandom(42);
    TableBuilder b = engine.createTable("t", SCHEMA).placement(Placement.roundRobin());
    for (long i = 0; i < rows; i++) {
      b.addRow(rnd.nextLong(1000), rnd.nextLong(1_000_000), rnd.nextDouble());
    }
    b.build();
  }
}
