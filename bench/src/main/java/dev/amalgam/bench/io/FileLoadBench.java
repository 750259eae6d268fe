package dev.amalgam.bench.io;

import dev.amalgam.arrowio.csv.Csv;
import dev.amalgam.arrowio.csv.CsvOptions;
import dev.amalgam.arrowio.parquet.Parquet;
import dev.amalgam.exec.Engine;
import dev.amalgam.memory.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * CSV and Parquet load rates: the same files (written by DuckDB from a generated lineitem-like
 * table) loaded into an Amalgam table ({@link Csv#read}, {@link Parquet#read}) and into a DuckDB
 * table ({@code CREATE TABLE AS SELECT * FROM read_csv / read_parquet}) in the same process, next
 * to a plain sequential read of the file (the page-cache limit); and one SQL query over the Parquet
 * file in both ({@code FROM 'file.parquet'} / {@code read_parquet}). Rates are file bytes per
 * second; each figure is the median of the repetitions.
 */
public final class FileLoadBench {
  private FileLoadBench() {}

  /** What to run. */
  public record Config(long rows, int repetitions, String topology) {}

  /** One measurement. */
  public record Measurement(
      String name,
      long bytes,
      double seconds,
      double duckSeconds,
      double readSeconds,
      String detail) {
    /** File bytes per second through Amalgam, in GB/s. */
    public double gbps() {
      return bytes / seconds / 1e9;
    }

    /** Amalgam's rate over DuckDB's. */
    public double vsDuckdb() {
      return duckSeconds / seconds;
    }

    /** JSON with {@code name}, {@code gbps}, {@code vs_duckdb} and the raw figures. */
    public String toJson() {
      return String.format(
          Locale.ROOT,
          "{\"name\":\"%s\",\"gbps\":%.4f,\"vs_duckdb\":%.3f,\"bytes\":%d,\"amalgam_s\":%.4f,"
              + "\"duckdb_s\":%.4f,\"duckdb_gbps\":%.4f,\"sequential_read_gbps\":%.3f}",
          name,
          gbps(),
          vsDuckdb(),
          bytes,
          seconds,
          duckSeconds,
          bytes / duckSeconds / 1e9,
          bytes / readSeconds / 1e9);
    }
  }

  private record Source(String name, Path file, String duckReader, boolean csv) {}

  /** The query of the SQL measurement, over {@code %s} (a file reference). */
  public static final String SQL_QUERY =
      "SELECT l_returnflag, count(*) AS n, sum(l_quantity) AS qty, sum(l_extendedprice) AS price"
          + " FROM %s WHERE l_shipdate >= DATE '1995-01-01' GROUP BY l_returnflag ORDER BY 1";

  /**
   * Generates the files and runs every measurement: each file loaded by both engines, then {@link
   * #SQL_QUERY} over the zstd Parquet file ({@code FROM 'file.parquet'} in Amalgam, {@code
   * read_parquet} in DuckDB: the time includes reading the file).
   */
  public static List<Measurement> measure(Config c) {
    Path dir;
    try {
      dir = Files.createTempDirectory("amalgam-io-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      List<Source> sources = write(duck, dir, c.rows());
      List<Measurement> results = new ArrayList<>();
      try (Engine engine = Engine.open(Topology.preset(c.topology()))) {
        for (Source s : sources) {
          results.add(measure(engine, duck, s, c.repetitions()));
        }
        Source zstd = sources.get(sources.size() - 1);
        results.add(sql(engine, duck, zstd, c.repetitions()));
      }
      return results;
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB failed: " + e.getMessage(), e);
    } finally {
      deleteAll(dir);
    }
  }

  /** {@link #SQL_QUERY} over a Parquet file in both engines (after one untimed run each). */
  private static Measurement sql(Engine engine, Connection duck, Source s, int reps)
      throws SQLException {
    long bytes;
    try {
      bytes = Files.size(s.file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String ours = SQL_QUERY.formatted("'" + s.file() + "'");
    String theirs = SQL_QUERY.formatted("read_parquet('" + s.file() + "')");
    double[] a = new double[reps];
    double[] b = new double[reps];
    double[] reads = new double[reps];
    long expected = 0;
    for (int r = -1; r < reps; r++) {
      long t0 = System.nanoTime();
      dev.amalgam.exec.Result res = engine.execute(ours);
      double t = (System.nanoTime() - t0) / 1e9;
      long n = 0;
      for (int i = 0; i < res.rowCount(); i++) {
        n += ((Number) java.util.Objects.requireNonNull(res.get(i, 1))).longValue();
      }
      long t1 = System.nanoTime();
      long m = 0;
      try (Statement st = duck.createStatement();
          java.sql.ResultSet rs = st.executeQuery(theirs)) {
        while (rs.next()) {
          m += rs.getLong(2);
        }
      }
      double d = (System.nanoTime() - t1) / 1e9;
      if (n != m) {
        throw new IllegalStateException("row counts differ: Amalgam " + n + ", DuckDB " + m);
      }
      expected = n;
      if (r >= 0) {
        a[r] = t;
        b[r] = d;
        reads[r] = sequentialRead(s.file());
      }
    }
    if (expected == 0) {
      throw new IllegalStateException("the SQL measurement selected no rows");
    }
    // where the time goes: the file's load (EXPLAIN ANALYZE's line for it) vs the whole statement
    String detail = "";
    for (List<@Nullable Object> row : engine.execute("EXPLAIN ANALYZE " + ours).toList()) {
      String line = String.valueOf(row.get(0));
      if (line.startsWith("file ")) {
        detail = line.substring(line.indexOf(": ", line.indexOf(')')) + 2);
      }
    }
    return new Measurement("sql " + s.name(), bytes, median(a), median(b), median(reads), detail);
  }

  private static List<Source> write(Connection duck, Path dir, long rows) throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute(
          "CREATE TABLE li AS SELECT i AS l_orderkey, (i * 7919 % 200000)::INT AS l_partkey,"
              + " (1 + i % 50)::DECIMAL(15,2) AS l_quantity,"
              + " (900 + (i * 31 % 100000) / 100.0)::DECIMAL(15,2) AS l_extendedprice,"
              + " ((i % 11) / 100.0)::DECIMAL(15,2) AS l_discount,"
              + " DATE '1992-01-01' + (i % 2500)::INT AS l_shipdate,"
              + " ['A','N','R'][1 + i % 3] AS l_returnflag,"
              + " ['AIR','MAIL','RAIL','SHIP','TRUCK','FOB','REG AIR'][1 + i % 7] AS l_shipmode,"
              + " substr(md5(i::VARCHAR), 1, 10 + (i % 20)::INT) AS l_comment"
              + " FROM range("
              + rows
              + ") r(i)");
      List<Source> out = new ArrayList<>();
      Path csv = dir.resolve("lineitem.csv");
      s.execute("COPY li TO '" + csv + "' (HEADER, DELIMITER ',')");
      out.add(new Source("csv", csv, "read_csv('" + csv + "')", true));
      Path gz = dir.resolve("lineitem.csv.gz");
      s.execute("COPY li TO '" + gz + "' (HEADER, DELIMITER ',', COMPRESSION gzip)");
      out.add(new Source("csv.gz", gz, "read_csv('" + gz + "')", true));
      for (String codec : List.of("snappy", "zstd")) {
        Path p = dir.resolve("lineitem-" + codec + ".parquet");
        s.execute("COPY li TO '" + p + "' (FORMAT parquet, COMPRESSION " + codec + ")");
        out.add(new Source("parquet-" + codec, p, "read_parquet('" + p + "')", false));
      }
      s.execute("DROP TABLE li");
      return out;
    }
  }

  private static Measurement measure(Engine engine, Connection duck, Source s, int reps)
      throws SQLException {
    long bytes;
    try {
      bytes = Files.size(s.file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    double[] ours = new double[reps];
    double[] theirs = new double[reps];
    double[] reads = new double[reps];
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      if (s.csv()) {
        Csv.read(engine, s.file(), "bench", CsvOptions.builder().emptyStringIsNull(true).build());
      } else {
        Parquet.read(engine, s.file(), "bench");
      }
      ours[r] = (System.nanoTime() - t0) / 1e9;
      engine.dropTable("bench");
      try (Statement st = duck.createStatement()) {
        long t1 = System.nanoTime();
        st.execute("CREATE TABLE bench AS SELECT * FROM " + s.duckReader());
        theirs[r] = (System.nanoTime() - t1) / 1e9;
        st.execute("DROP TABLE bench");
      }
      reads[r] = sequentialRead(s.file());
    }
    return new Measurement(s.name(), bytes, median(ours), median(theirs), median(reads), "");
  }

  private static double sequentialRead(Path f) {
    byte[] buf = new byte[4 << 20];
    long t0 = System.nanoTime();
    long sum = 0;
    try (InputStream in = Files.newInputStream(f)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        sum += buf[n - 1];
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    return sum == Long.MIN_VALUE ? s + 1 : s; // keeps the reads from being optimized away
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }

  private static void deleteAll(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary directory left behind is not worth failing the benchmark for
    }
  }
}
