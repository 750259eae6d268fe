package dev.amalgam.exec.testing;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Placement;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.TableBuilder;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Random;

/** The random fact and dimension tables the differential tests query in both engines. */
public final class FactAndDim {
  private static final String[] GROUPS = {"alpha", "beta", "gamma", "delta", "eps", "zeta"};

  private FactAndDim() {}

  /**
   * Loads the same random tables into the engine and DuckDB: {@code f} (id, k int32 skewed with
   * nulls, g dictionary text, v int64, x float64, p decimal(12,2), d date; {@code rows} rows, row
   * groups of {@code rowGroupRows}) and {@code dim} (dk 0..39, name, w).
   */
  public static void load(Engine engine, Connection duck, Random rnd, int rows, int rowGroupRows)
      throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute(
          "create table f (id bigint, k integer, g varchar, v bigint, x double, p decimal(12,2), d date)");
      s.execute("create table dim (dk integer, name varchar, w bigint)");
    }
    TableBuilder fb =
        engine
            .createTable(
                "f",
                Schema.of(
                    Field.notNull("id", DataType.INT64),
                    Field.of("k", DataType.INT32),
                    Field.of("g", DataType.DICTIONARY_UTF8),
                    Field.of("v", DataType.INT64),
                    Field.of("x", DataType.FLOAT64),
                    Field.of("p", DataType.decimal(12, 2)),
                    Field.of("d", DataType.DATE32)))
            .placement(Placement.roundRobin())
            .rowGroupRows(rowGroupRows);
    StringBuilder csv = new StringBuilder();
    for (long id = 0; id < rows; id++) {
      Integer k =
          rnd.nextInt(20) == 0 ? null : (int) Math.min(49, Math.abs(rnd.nextGaussian() * 15));
      String g = rnd.nextInt(30) == 0 ? null : GROUPS[rnd.nextInt(GROUPS.length)];
      Long v = rnd.nextInt(10) == 0 ? null : (long) rnd.nextInt(2001) - 1000;
      Double x = rnd.nextInt(10) == 0 ? null : Math.round(rnd.nextDouble() * 1e6) / 1e3;
      BigDecimal p = BigDecimal.valueOf(rnd.nextInt(100_000), 2);
      LocalDate d = LocalDate.of(1992, 1, 1).plusDays(rnd.nextInt(2500));
      fb.addRow(id, k, g, v, x, p, d);
      csv.append(id).append(',').append(k == null ? "" : k).append(',').append(g == null ? "" : g);
      csv.append(',').append(v == null ? "" : v).append(',').append(x == null ? "" : x);
      csv.append(',').append(p.toPlainString()).append(',').append(d).append('\n');
    }
    DuckDbOracle.copyInto(duck, "f", csv);
    fb.build();
    TableBuilder db =
        engine.createTable(
            "dim",
            Schema.of(
                Field.notNull("dk", DataType.INT32),
                Field.of("name", DataType.UTF8),
                Field.of("w", DataType.INT64)));
    try (PreparedStatement ps = duck.prepareStatement("insert into dim values (?, ?, ?)")) {
      for (int k = 0; k < 40; k++) {
        String name = "n" + (k % 13) + (k % 3 == 0 ? "x" : "");
        long w = rnd.nextInt(100);
        db.addRow(k, name, w);
        ps.setInt(1, k);
        ps.setString(2, name);
        ps.setLong(3, w);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    db.build();
  }
}
