package dev.amalgam.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code amalgam bench kernels}: runs the kernel JMH benchmarks ({@code
 * dev.amalgam.bench.kernels.*Benchmark}, each with {@code impl = vector | scalar} and {@code rows}
 * parameters) and prints, in one run, this machine's plain-copy bandwidth and for each kernel its
 * rows/s, bytes/s, and the ratios to that bandwidth and to its scalar reference.
 *
 * <p>Bytes per row come from each benchmark class's {@code BYTES_PER_ROW} map (bytes read plus
 * bytes written per row); the copy bandwidth counts the same way (a copy of N bytes moves 2N).
 */
public final class KernelBench {
  /** What to run. */
  public record Config(
      List<String> include,
      int forks,
      int warmups,
      int iterations,
      double seconds,
      boolean verbose) {
    /** Validates the fields. */
    public Config {
      include = List.copyOf(include);
      if (forks < 0 || warmups < 0 || iterations < 1 || !(seconds > 0)) {
        throw new IllegalArgumentException(
            "forks and warmups must be >= 0, iterations >= 1 and seconds > 0");
      }
    }
  }

  /**
   * One kernel's result.
   *
   * @param kernel {@code Family.method} plus non-default parameters
   * @param rowsPerSecond rows per second of the vector implementation
   * @param gbps bytes (read + written) per second, in GB/s
   * @param vsCopy gbps divided by the plain-copy bandwidth
   * @param scalarRowsPerSecond rows per second of the scalar reference, NaN if not run
   * @param vsScalar rowsPerSecond / scalarRowsPerSecond, NaN if not run
   * @param minRowsPerSecond the slowest measured iteration of the vector implementation, NaN if
   *     unknown
   * @param maxRowsPerSecond the fastest measured iteration of the vector implementation, NaN if
   *     unknown
   */
  public record Row(
      String kernel,
      double rowsPerSecond,
      double gbps,
      double vsCopy,
      double scalarRowsPerSecond,
      double vsScalar,
      double minRowsPerSecond,
      double maxRowsPerSecond) {
    /** A row without the iteration range. */
    public Row(
        String kernel,
        double rowsPerSecond,
        double gbps,
        double vsCopy,
        double scalarRowsPerSecond,
        double vsScalar) {
      this(
          kernel,
          rowsPerSecond,
          gbps,
          vsCopy,
          scalarRowsPerSecond,
          vsScalar,
          Double.NaN,
          Double.NaN);
    }

    /**
     * One JSON object with the keys kernel, rows_per_s, gbps, vs_copy, vs_scalar,
     * scalar_rows_per_s, min_rows_per_s, max_rows_per_s.
     */
    public String toJson() {
      return String.format(
          Locale.ROOT,
          "{\"kernel\":\"%s\",\"rows_per_s\":%.1f,\"gbps\":%.3f,\"vs_copy\":%.3f,"
              + "\"vs_scalar\":%s,\"scalar_rows_per_s\":%s,\"min_rows_per_s\":%s,"
              + "\"max_rows_per_s\":%s}",
          kernel,
          rowsPerSecond,
          gbps,
          vsCopy,
          json(vsScalar),
          json(scalarRowsPerSecond),
          json(minRowsPerSecond),
          json(maxRowsPerSecond));
    }

    /** The measured iterations' range, e.g. {@code 1.90-2.31 G}, or {@code -}. */
    String range() {
      if (Double.isNaN(minRowsPerSecond) || Double.isNaN(maxRowsPerSecond)) {
        return "-";
      }
      String lo = human(minRowsPerSecond);
      String hi = human(maxRowsPerSecond);
      int space = lo.indexOf(' ');
      if (space > 0 && hi.endsWith(lo.substring(space))) {
        lo = lo.substring(0, space); // same unit: 1.90-2.31 G
      }
      return lo + "-" + hi;
    }

    private static String json(double v) {
      return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.3f", v);
    }
  }

  /** All results and the copy bandwidth they are compared with. */
  public record Result(double copyGbps, List<Row> rows) {
    /** A readable table. */
    public String toTable() {
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              Locale.ROOT,
              "amalgam bench kernels: plain copy moves %.2f GB/s (read + write, 512 MiB,"
                  + " single thread) on this machine%n",
              copyGbps));
      sb.append(
          String.format(
              Locale.ROOT,
              "%-48s %14s %20s %9s %8s %14s %9s%n",
              "kernel",
              "rows/s",
              "iterations",
              "GB/s",
              "vs copy",
              "scalar rows/s",
              "vs scalar"));
      for (Row r : rows) {
        sb.append(
            String.format(
                Locale.ROOT,
                "%-48s %14s %20s %9.2f %8.2f %14s %9s%n",
                r.kernel(),
                human(r.rowsPerSecond()),
                r.range(),
                r.gbps(),
                r.vsCopy(),
                Double.isNaN(r.scalarRowsPerSecond()) ? "-" : human(r.scalarRowsPerSecond()),
                Double.isNaN(r.vsScalar())
                    ? "-"
                    : String.format(Locale.ROOT, "%.1fx", r.vsScalar())));
      }
      sb.append(
          "single-threaded; vector = Vector API implementation, scalar = plain reference;"
              + " iterations = slowest-fastest measured iteration of the vector implementation\n");
      return sb.toString();
    }

    /** One JSON object per kernel, one per line. */
    public String toJson() {
      StringBuilder sb = new StringBuilder();
      for (Row r : rows) {
        sb.append(r.toJson()).append(System.lineSeparator());
      }
      return sb.toString();
    }
  }

  private KernelBench() {}

  /** A count per second with an SI suffix, e.g. {@code 1.23 G}. */
  static String human(double perSecond) {
    String[] units = {"", " K", " M", " G", " T"};
    double v = perSecond;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(Locale.ROOT, "%.2f%s", v, units[u]);
  }

  /** Measures the copy bandwidth, then runs the benchmarks. */
  public static Result run(Config config) throws RunnerException {
    double copy = copyGbps();
    ChainedOptionsBuilder o =
        new OptionsBuilder()
            .forks(config.forks())
            .warmupIterations(config.warmups())
            .warmupTime(TimeValue.milliseconds((long) (config.seconds() * 1000)))
            .measurementIterations(config.iterations())
            .measurementTime(TimeValue.milliseconds((long) (config.seconds() * 1000)))
            .shouldFailOnError(true)
            .verbosity(config.verbose() ? VerboseMode.NORMAL : VerboseMode.SILENT)
            .jvmArgsAppend(
                "--enable-native-access=ALL-UNNAMED",
                "--add-modules",
                "jdk.incubator.vector",
                "-XX:+UseParallelGC",
                "-XX:-UseProfiledLoopPredicate");
    if (config.include().isEmpty()) {
      o.include("dev\\.amalgam\\.bench\\.kernels\\..*");
    } else {
      for (String i : config.include()) {
        o.include("dev\\.amalgam\\.bench\\.kernels\\..*" + i + ".*");
      }
    }
    Collection<RunResult> results = new Runner(o.build()).run();
    return new Result(copy, rows(results, copy));
  }

  static List<Row> rows(Collection<RunResult> results, double copyGbps) {
    // {vector rows/s, scalar rows/s, B/row, vector min rows/s, vector max rows/s}
    Map<String, double[]> byKernel = new LinkedHashMap<>();
    for (RunResult r : results) {
      BenchmarkParams p = r.getParams();
      String full = p.getBenchmark();
      int dot = full.lastIndexOf('.');
      String className = full.substring(0, dot);
      String method = full.substring(dot + 1);
      String impl = Objects.requireNonNullElse(p.getParam("impl"), "vector");
      String rowsParam = p.getParam("rows");
      double rowsPerOp = rowsParam == null ? 1 : Double.parseDouble(rowsParam);
      StringBuilder key = new StringBuilder(simpleName(className)).append('.').append(method);
      for (String k : p.getParamsKeys()) {
        if (!k.equals("impl") && !k.equals("rows")) {
          key.append(' ').append(k).append('=').append(p.getParam(k));
        }
      }
      double[] v =
          byKernel.computeIfAbsent(
              key.toString(),
              x ->
                  new double[] {
                    Double.NaN, Double.NaN, bytesPerRow(className, method), Double.NaN, Double.NaN
                  });
      double rowsPerSecond = r.getPrimaryResult().getScore() * rowsPerOp;
      if (impl.equals("scalar")) {
        v[1] = rowsPerSecond;
      } else {
        v[0] = rowsPerSecond;
        v[3] = r.getPrimaryResult().getStatistics().getMin() * rowsPerOp;
        v[4] = r.getPrimaryResult().getStatistics().getMax() * rowsPerOp;
      }
    }
    List<Row> out = new ArrayList<>();
    for (Map.Entry<String, double[]> e : byKernel.entrySet()) {
      double[] v = e.getValue();
      double gbps = v[0] * v[2] / 1e9;
      out.add(new Row(e.getKey(), v[0], gbps, gbps / copyGbps, v[1], v[0] / v[1], v[3], v[4]));
    }
    return out;
  }

  private static String simpleName(String className) {
    String s = className.substring(className.lastIndexOf('.') + 1);
    return s.endsWith("Benchmark") ? s.substring(0, s.length() - "Benchmark".length()) : s;
  }

  private static double bytesPerRow(String className, String method) {
    try {
      Object m = Class.forName(className).getField("BYTES_PER_ROW").get(null);
      if (m instanceof Map<?, ?> map && map.get(method) instanceof Integer b) {
        return b;
      }
    } catch (ReflectiveOperationException e) {
      // no figure: reported as NaN
    }
    return Double.NaN;
  }

  /** Best bytes moved per second (read + write) copying 256 MiB between two buffers. */
  static double copyGbps() {
    long size = 256L << 20;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(size, 64);
      MemorySegment b = arena.allocate(size, 64);
      a.fill((byte) 1);
      b.fill((byte) 2);
      double best = 0;
      for (int rep = 0; rep < 6; rep++) {
        long start = System.nanoTime();
        MemorySegment.copy(a, 0, b, 0, size);
        MemorySegment.copy(b, 0, a, 0, size);
        long took = System.nanoTime() - start;
        if (rep > 0) {
          best = Math.max(best, 4.0 * size / took);
        }
      }
      return best;
    }
  }
}
