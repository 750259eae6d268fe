package dev.amalgam.arrowio.filetesting;

import dev.amalgam.exec.Engine;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * DuckDB in the same process as the oracle for file loads: runs SQL in both engines and normalizes
 * values (numbers as doubles rounded to 9 significant digits, dates and timestamps as ISO text in
 * UTC, null as a marker) so that results compare with equals.
 */
public final class DuckCompare implements AutoCloseable {
  private final Connection duck;

  /** An in-memory DuckDB. */
  public DuckCompare() throws SQLException {
    this.duck = DriverManager.getConnection("jdbc:duckdb:");
    exec("SET TimeZone = 'UTC'");
  }

  /** Runs a statement in DuckDB. */
  public void exec(String sql) throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute(sql);
    }
  }

  /** Normalized rows of {@code sql} in DuckDB. */
  public List<List<Object>> duck(String sql) throws SQLException {
    List<List<Object>> out = new ArrayList<>();
    try (Statement s = duck.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(norm(rs.getObject(i)));
        }
        out.add(row);
      }
    }
    return out;
  }

  /** Normalized rows of {@code sql} in the engine. */
  public static List<List<Object>> amalgam(Engine e, String sql) {
    List<List<Object>> out = new ArrayList<>();
    for (List<@Nullable Object> r : e.sql(sql).execute().toList()) {
      List<Object> row = new ArrayList<>();
      for (Object v : r) {
        row.add(norm(v));
      }
      out.add(row);
    }
    return out;
  }

  /** A value in comparable form. */
  public static Object norm(@Nullable Object v) {
    return switch (v) {
      case null -> "NULL";
      case BigDecimal d -> round(d.doubleValue());
      case Number x -> round(x.doubleValue());
      case java.sql.Date d -> d.toLocalDate().toString();
      case LocalDate d -> d.toString();
      case java.sql.Timestamp t -> t.toLocalDateTime().toString();
      case LocalDateTime t -> t.toString();
      case OffsetDateTime t -> t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime().toString();
      case Instant i -> LocalDateTime.ofInstant(i, ZoneOffset.UTC).toString();
      default -> v.toString();
    };
  }

  private static Object round(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d) || d == 0) {
      return d == 0 ? 0.0 : d;
    }
    return new BigDecimal(d).round(new java.math.MathContext(9)).doubleValue();
  }

  @Override
  public void close() throws SQLException {
    duck.close();
  }
}
