package dev.amalgam.exec.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * DuckDB as a test oracle: loads CSV text into a DuckDB table, runs SQL, and normalizes results of
 * both engines (numbers as double, dates as ISO text, NULL as a marker) so that they can be
 * compared with a relative tolerance.
 */
public final class DuckDbOracle {
  private DuckDbOracle() {}

  /** Loads CSV text (no header, empty = NULL) into an existing DuckDB table. */
  public static void copyInto(Connection duck, String table, CharSequence csv) throws SQLException {
    try {
      Path file = Files.createTempFile("amalgam-" + table, ".csv");
      try {
        Files.writeString(file, csv);
        try (Statement s = duck.createStatement()) {
          s.execute("copy " + table + " from '" + file + "' (header false, nullstr '')");
        }
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The normalized rows of {@code sql} run in DuckDB. */
  public static List<List<Object>> duck(Connection c, String sql) throws SQLException {
    List<List<Object>> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getObject(i));
        }
        out.add(row);
      }
    }
    return normalize(out);
  }

  /** Numbers as double, dates as ISO text, null as a marker. */
  public static List<List<Object>> normalize(List<? extends List<?>> rows) {
    List<List<Object>> out = new ArrayList<>();
    for (List<?> r : rows) {
      List<Object> row = new ArrayList<>();
      for (Object v : r) {
        row.add(
            switch (v) {
              case null -> "NULL";
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

  /** An order of normalized rows for order-insensitive comparison. */
  public static final Comparator<List<Object>> ROWS =
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

  /** Equal row by row, doubles within 1e-9 relative. */
  public static boolean same(List<List<Object>> a, List<List<Object>> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      List<Object> x = a.get(i);
      List<Object> y = b.get(i);
      if (x.size() != y.size()) {
        return false;
      }
      for (int j = 0; j < x.size(); j++) {
        Object p = x.get(j);
        Object q = y.get(j);
        if (p instanceof Double d && q instanceof Double e) {
          if (Math.abs(d - e) > 1e-9 * Math.max(1, Math.max(Math.abs(d), Math.abs(e)))) {
            return false;
          }
        } else if (!p.equals(q)) {
          return false;
        }
      }
    }
    return true;
  }

  /** The first rows, for failure messages. */
  public static String head(List<List<Object>> rows) {
    return rows.subList(0, Math.min(5, rows.size())).toString();
  }
}
