package dev.amalgam.samples.tpch;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Placement;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.TableBuilder;
import io.trino.tpch.TpchColumn;
import io.trino.tpch.TpchEntity;
import io.trino.tpch.TpchTable;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * TPC-H data generated in Java with {@code io.trino.tpch} at a scale factor, loaded straight into
 * engine tables and, optionally, the same rows into a DuckDB connection (through a temporary {@code
 * |}-separated file).
 *
 * <p>Identifiers are INT64, integers INT32, money and quantities {@code decimal(15,2)} (the
 * generator produces doubles; they are rounded half-up to two places), dates DATE32, and text UTF8
 * or, for the low-cardinality columns, DICTIONARY_UTF8. Column names are the standard lower-case
 * TPC-H names ({@code l_orderkey}, ...).
 */
public final class TpchData {
  /** Text columns with few distinct values, stored dictionary-encoded. */
  static final Set<String> DICTIONARY_COLUMNS =
      Set.of(
          "l_returnflag",
          "l_linestatus",
          "l_shipmode",
          "l_shipinstruct",
          "o_orderstatus",
          "o_orderpriority",
          "c_mktsegment",
          "p_brand",
          "p_type",
          "p_container",
          "p_mfgr",
          "n_name",
          "r_name");

  private static final DataType MONEY = DataType.decimal(15, 2);
  private static final long PROGRESS_EVERY = 500_000;

  private TpchData() {}

  /** The names of the 8 TPC-H tables, in generation order. */
  public static List<String> tableNames() {
    List<String> names = new ArrayList<>();
    for (TpchTable<?> t : TpchTable.getTables()) {
      names.add(t.getTableName());
    }
    return names;
  }

  /**
   * Generates all 8 tables at {@code scaleFactor} into {@code engine} (round-robin placement) and,
   * when {@code duck} is not null, into DuckDB too. A progress line goes to {@code progress} (may
   * be null).
   *
   * @return the total number of rows generated
   */
  public static long load(
      Engine engine,
      @Nullable Connection duck,
      double scaleFactor,
      @Nullable PrintStream progress) {
    long total = 0;
    for (TpchTable<?> table : TpchTable.getTables()) {
      total += loadTable(engine, duck, table, scaleFactor, progress);
    }
    if (progress != null) {
      progress.printf(Locale.ROOT, "tpch sf %s: %,d rows generated%n", fmt(scaleFactor), total);
      progress.flush();
    }
    return total;
  }

  private static <E extends TpchEntity> long loadTable(
      Engine engine,
      @Nullable Connection duck,
      TpchTable<E> table,
      double scaleFactor,
      @Nullable PrintStream progress) {
    String name = table.getTableName();
    List<TpchColumn<E>> columns = table.getColumns();
    List<Field> fields = new ArrayList<>();
    for (TpchColumn<E> c : columns) {
      fields.add(Field.notNull(c.getColumnName(), engineType(c)));
    }
    Path csv = null;
    BufferedWriter writer = null;
    long rows = 0;
    long start = System.nanoTime();
    try {
      if (duck != null) {
        createDuckTable(duck, name, columns);
        csv = Files.createTempFile("amalgam-tpch-" + name, ".tbl");
        writer = Files.newBufferedWriter(csv);
      }
      TableBuilder builder =
          engine
              .createTable(name, Schema.of(fields.toArray(new Field[0])))
              .placement(Placement.roundRobin());
      Object[] row = new Object[columns.size()];
      StringBuilder line = new StringBuilder(256);
      for (E entity : table.createGenerator(scaleFactor, 1, 1)) {
        line.setLength(0);
        for (int i = 0; i < row.length; i++) {
          TpchColumn<E> c = columns.get(i);
          Object v = value(c, entity);
          row[i] = v;
          if (writer != null) {
            if (i > 0) {
              line.append('|');
            }
            line.append(v instanceof BigDecimal d ? d.toPlainString() : v.toString());
          }
        }
        builder.addRow(row);
        if (writer != null) {
          line.append('\n');
          writer.append(line);
        }
        rows++;
        if (progress != null && rows % PROGRESS_EVERY == 0) {
          progress.printf(Locale.ROOT, "\rgenerating %s: %,d rows", name, rows);
          progress.flush();
        }
      }
      builder.build();
      if (writer != null && duck != null) {
        writer.close();
        writer = null;
        try (Statement s = duck.createStatement()) {
          s.execute(
              "copy "
                  + name
                  + " from '"
                  + csv
                  + "' (delim '|', header false, quote '', escape '', auto_detect false)");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("loading " + name + " into DuckDB: " + e.getMessage(), e);
    } finally {
      try {
        if (writer != null) {
          writer.close();
        }
        if (csv != null) {
          Files.deleteIfExists(csv);
        }
      } catch (IOException e) {
        // best effort clean-up of a temporary file
      }
    }
    if (progress != null && rows >= PROGRESS_EVERY) {
      progress.printf(
          Locale.ROOT,
          "\rgenerated %s: %,d rows in %.1f s%n",
          name,
          rows,
          (System.nanoTime() - start) / 1e9);
      progress.flush();
    }
    return rows;
  }

  private static <E extends TpchEntity> Object value(TpchColumn<E> c, E entity) {
    return switch (c.getType().getBase()) {
      case IDENTIFIER -> c.getIdentifier(entity);
      case INTEGER -> c.getInteger(entity);
      case DOUBLE -> BigDecimal.valueOf(c.getDouble(entity)).setScale(2, RoundingMode.HALF_UP);
      case DATE -> LocalDate.ofEpochDay(c.getDate(entity));
      case VARCHAR -> c.getString(entity);
    };
  }

  private static DataType engineType(TpchColumn<?> c) {
    return switch (c.getType().getBase()) {
      case IDENTIFIER -> DataType.INT64;
      case INTEGER -> DataType.INT32;
      case DOUBLE -> MONEY;
      case DATE -> DataType.DATE32;
      case VARCHAR ->
          DICTIONARY_COLUMNS.contains(c.getColumnName()) ? DataType.DICTIONARY_UTF8 : DataType.UTF8;
    };
  }

  private static String duckType(TpchColumn<?> c) {
    return switch (c.getType().getBase()) {
      case IDENTIFIER -> "bigint";
      case INTEGER -> "integer";
      case DOUBLE -> "decimal(15,2)";
      case DATE -> "date";
      case VARCHAR -> "varchar";
    };
  }

  private static <E extends TpchEntity> void createDuckTable(
      Connection duck, String name, List<TpchColumn<E>> columns) throws SQLException {
    StringBuilder ddl = new StringBuilder("create table ").append(name).append(" (");
    for (int i = 0; i < columns.size(); i++) {
      if (i > 0) {
        ddl.append(", ");
      }
      ddl.append(columns.get(i).getColumnName()).append(' ').append(duckType(columns.get(i)));
      ddl.append(" not null");
    }
    ddl.append(')');
    try (Statement s = duck.createStatement()) {
      s.execute(ddl.toString());
    }
  }

  static String fmt(double sf) {
    return sf == Math.rint(sf) ? Long.toString((long) sf) : Double.toString(sf);
  }
}
