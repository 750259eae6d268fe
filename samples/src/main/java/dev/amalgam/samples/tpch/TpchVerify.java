package dev.amalgam.samples.tpch;

import dev.amalgam.exec.Engine;
import dev.amalgam.memory.Topology;
import dev.amalgam.samples.tpch.TpchQueries.TpchQuery;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Runs the 22 TPC-H queries through Amalgam's SQL front end and through DuckDB over the same
 * generated data and compares the answers: numbers (decimals included) as doubles with a relative
 * tolerance of 1e-6 or an absolute one of half a unit in the sixth decimal (a quotient of decimals
 * is a decimal of scale 6 in Amalgam and a double in DuckDB: Q8's share of 0.0286487 is 0.028649
 * here), dates as ISO text, rows in order for queries that order and as sorted multisets otherwise.
 */
public final class TpchVerify {
  /** Relative tolerance for numbers. */
  public static final double TOLERANCE = 1e-6;

  /** Absolute tolerance: half a unit in the sixth decimal, the scale of decimal quotients. */
  public static final double ABSOLUTE_TOLERANCE = 5e-7;

  private TpchVerify() {}

  /** The outcome of one query. */
  public record Outcome(TpchQuery query, boolean passed, int rows, double millis, String detail) {
    /** The line {@link #run} prints for it. */
    public String line() {
      return passed
          ? String.format(Locale.ROOT, "%s pass %d rows %.1f ms", query.name(), rows, millis)
          : query.name() + " FAIL " + detail;
    }
  }

  /** The outcomes of a run. */
  public record Report(List<Outcome> outcomes) {
    public int passed() {
      return (int) outcomes.stream().filter(Outcome::passed).count();
    }

    public int failed() {
      return outcomes.size() - passed();
    }

    /** The outcome of query {@code n}. */
    public Outcome outcome(int n) {
      return outcomes.stream().filter(o -> o.query().number() == n).findFirst().orElseThrow();
    }
  }

  /**
   * Generates TPC-H at {@code sf}, loads it into an engine on {@code topology} and into DuckDB,
   * runs all 22 queries on both, and prints one line per query and a final {@code N passed, M
   * failed} line to {@code out}. Progress of the generation goes to standard error.
   */
  public static Report run(double sf, String topology, PrintStream out) {
    return run(sf, topology, TpchQueries.all(), out);
  }

  /** As {@link #run(double, String, PrintStream)}, for the given queries only. */
  public static Report run(double sf, String topology, List<TpchQuery> queries, PrintStream out) {
    return run(sf, Engine.builder().topology(Topology.preset(topology)), topology, queries, out);
  }

  /**
   * As {@link #run(double, String, PrintStream)} on an engine from {@code engine} (any topology,
   * page size or memory limits), described as {@code label}.
   */
  public static Report run(
      double sf, Engine.Builder builder, String label, List<TpchQuery> queries, PrintStream out) {
    String topology = label;
    try (Engine engine = builder.build();
        Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      long t0 = System.nanoTime();
      long rows = TpchData.load(engine, duck, sf, System.err);
      out.printf(
          Locale.ROOT,
          "TPC-H sf %s on %s: %,d rows loaded into both engines in %.1f s%n",
          TpchData.fmt(sf),
          topology,
          rows,
          (System.nanoTime() - t0) / 1e9);
      List<Outcome> outcomes = new ArrayList<>();
      for (TpchQuery q : queries) {
        Outcome o = verify(engine, duck, q);
        outcomes.add(o);
        out.println(o.line());
        out.flush();
      }
      Report report = new Report(List.copyOf(outcomes));
      out.println(report.passed() + " passed, " + report.failed() + " failed");
      out.flush();
      return report;
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB: " + e.getMessage(), e);
    }
  }

  /** Runs one query on both engines and compares; never throws for a failing query. */
  static Outcome verify(Engine engine, Connection duck, TpchQuery q) {
    List<List<Object>> ours;
    double millis;
    try {
      long start = System.nanoTime();
      List<List<@Nullable Object>> raw = engine.sql(q.sql()).execute().toList();
      millis = (System.nanoTime() - start) / 1e6;
      ours = normalize(raw);
    } catch (RuntimeException | StackOverflowError e) {
      return new Outcome(q, false, 0, 0, "amalgam: " + oneLine(e));
    }
    List<List<Object>> theirs;
    try {
      theirs = duck(duck, q.sql());
    } catch (SQLException | RuntimeException e) {
      return new Outcome(q, false, ours.size(), millis, "duckdb: " + oneLine(e));
    }
    String diff = compare(ours, theirs, q.ordered());
    return diff == null
        ? new Outcome(q, true, ours.size(), millis, "")
        : new Outcome(q, false, ours.size(), millis, diff);
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage();
    String s = e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    s = s.replace('\n', ' ').replaceAll("\\s+", " ");
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  /** Null when equal, otherwise a description of the first difference. */
  static @Nullable String compare(
      List<List<Object>> ours, List<List<Object>> theirs, boolean ordered) {
    List<List<Object>> a = new ArrayList<>(ours);
    List<List<Object>> b = new ArrayList<>(theirs);
    if (!ordered) {
      a.sort(ROWS);
      b.sort(ROWS);
    }
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (!sameRow(a.get(i), b.get(i))) {
        return "row " + i + ": amalgam " + a.get(i) + " duckdb " + b.get(i);
      }
    }
    if (a.size() != b.size()) {
      int i = Math.min(a.size(), b.size());
      return a.size()
          + " rows, duckdb "
          + b.size()
          + "; first extra row "
          + (a.size() > b.size() ? "amalgam " + a.get(i) : "duckdb " + b.get(i));
    }
    return null;
  }

  private static boolean sameRow(List<Object> x, List<Object> y) {
    if (x.size() != y.size()) {
      return false;
    }
    for (int j = 0; j < x.size(); j++) {
      Object p = x.get(j);
      Object q = y.get(j);
      if (p instanceof Double d && q instanceof Double e) {
        if (!close(d, e)) {
          return false;
        }
      } else if (!Objects.equals(p, q)) {
        return false;
      }
    }
    return true;
  }

  static boolean close(double a, double b) {
    if (a == b) {
      return true;
    }
    double scale = Math.max(Math.abs(a), Math.abs(b));
    double diff = Math.abs(a - b);
    return diff <= TOLERANCE * Math.max(scale, 1e-9) || diff <= ABSOLUTE_TOLERANCE * (1 + 1e-9);
  }

  private static List<List<Object>> duck(Connection c, String sql) throws SQLException {
    List<List<@Nullable Object>> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<@Nullable Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getObject(i));
        }
        out.add(row);
      }
    }
    return normalize(out);
  }

  /** Numbers as double, dates as ISO text, null as a marker, everything else as text. */
  static List<List<Object>> normalize(List<? extends List<?>> rows) {
    List<List<Object>> out = new ArrayList<>();
    for (List<?> r : rows) {
      List<Object> row = new ArrayList<>();
      for (Object v : r) {
        row.add(
            switch (v) {
              case null -> "NULL";
              case BigDecimal x -> x.doubleValue();
              case Number x -> x.doubleValue();
              case java.sql.Date d -> d.toLocalDate().toString();
              case LocalDate d -> d.toString();
              default -> v.toString();
            });
      }
      out.add(row);
    }
    return out;
  }

  private static final Comparator<List<Object>> ROWS =
      Comparator.comparing(
          r ->
              r.stream()
                  .map(
                      v ->
                          v instanceof Double d
                              ? String.format(Locale.ROOT, "%.6e", d)
                              : v.toString())
                  .toList()
                  .toString());
}
