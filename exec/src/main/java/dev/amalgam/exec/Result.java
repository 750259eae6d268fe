package dev.amalgam.exec;

import dev.amalgam.exec.run.Chunk;
import dev.amalgam.exec.run.Vec;
import java.math.BigDecimal;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * The rows of a query, on the Java heap: iterate row by row, read a column, convert to lists, or
 * print as an aligned table. Values are Java objects: Boolean, Integer (int8..int32), Long, Double,
 * BigDecimal, LocalDate, Instant, String, or null.
 */
public final class Result implements Iterable<Result.Row> {
  private final Schema schema;
  private final @Nullable Object[][] columns;
  private final int rows;
  private final @Nullable String analysis;

  private Result(Schema schema, @Nullable Object[][] columns, int rows, @Nullable String analysis) {
    this.schema = schema;
    this.columns = columns;
    this.rows = rows;
    this.analysis = analysis;
  }

  static Result of(Schema schema, List<Chunk> chunks) {
    long total = 0;
    for (Chunk c : chunks) {
      total += c.rows();
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new QueryException(
          QueryException.Code.MEMORY_LIMIT,
          "a result of " + total + " rows is too large for the heap; aggregate or limit it");
    }
    int n = (int) total;
    Object[][] cols = new Object[schema.size()][n];
    int at = 0;
    for (Chunk c : chunks) {
      for (int col = 0; col < schema.size(); col++) {
        Vec v = c.column(col);
        Object[] out = cols[col];
        for (int r = 0; r < c.rows(); r++) {
          out[at + r] = v.getObject(r);
        }
      }
      at += c.rows();
    }
    return new Result(schema, cols, n, null);
  }

  /**
   * A result holding {@code rows} (Java values of the kinds listed above, one list per row), such
   * as the status of a statement or the lines of a plan.
   */
  public static Result ofRows(Schema schema, List<? extends List<?>> rows) {
    int n = rows.size();
    Object[][] cols = new Object[schema.size()][n];
    for (int r = 0; r < n; r++) {
      List<?> row = rows.get(r);
      if (row.size() != schema.size()) {
        throw new IllegalArgumentException(
            "row " + r + " has " + row.size() + " values for " + schema.size() + " columns");
      }
      for (int c = 0; c < schema.size(); c++) {
        cols[c][r] = row.get(c);
      }
    }
    return new Result(schema, cols, n, null);
  }

  Result withAnalysis(String text) {
    return new Result(schema, columns, rows, text);
  }

  /** The columns. */
  public Schema schema() {
    return schema;
  }

  /** Number of rows. */
  public int rowCount() {
    return rows;
  }

  /** Column names. */
  public List<String> columnNames() {
    return schema.names();
  }

  /** The value at {@code row} of column {@code column}. */
  public @Nullable Object get(int row, int column) {
    java.util.Objects.checkIndex(row, rows);
    return columns[column][row];
  }

  /** The value at {@code row} of the column named {@code column}. */
  public @Nullable Object get(int row, String column) {
    return get(row, schema.indexOf(column));
  }

  /** A column's values, in row order. */
  public List<@Nullable Object> column(String name) {
    return column(schema.indexOf(name));
  }

  /** Column {@code i}'s values, in row order. */
  public List<@Nullable Object> column(int i) {
    return java.util.Collections.unmodifiableList(Arrays.asList(columns[i]));
  }

  /** Row {@code i}. */
  public Row row(int i) {
    java.util.Objects.checkIndex(i, rows);
    return new Row(i);
  }

  /** All rows as lists of values. */
  public List<List<@Nullable Object>> toList() {
    List<List<@Nullable Object>> out = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      out.add(row(i).values());
    }
    return out;
  }

  /** The EXPLAIN ANALYZE text, when the query ran with {@link Query#explainAnalyze()}. */
  public @Nullable String analysis() {
    return analysis;
  }

  @Override
  public Iterator<Row> iterator() {
    return new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        return next < rows;
      }

      @Override
      public Row next() {
        if (next >= rows) {
          throw new NoSuchElementException();
        }
        return new Row(next++);
      }
    };
  }

  /** One row of a result. */
  public final class Row {
    private final int index;

    private Row(int index) {
      this.index = index;
    }

    /** Column {@code i}. */
    public @Nullable Object get(int i) {
      return columns[i][index];
    }

    /** The column named {@code name}. */
    public @Nullable Object get(String name) {
      return get(schema.indexOf(name));
    }

    /** Whether column {@code name} is null. */
    public boolean isNull(String name) {
      return get(name) == null;
    }

    /** An integer column as long. */
    public long getLong(String name) {
      return ((Number) nonNull(name)).longValue();
    }

    /** A numeric column as double. */
    public double getDouble(String name) {
      return ((Number) nonNull(name)).doubleValue();
    }

    /** A text column. */
    public String getString(String name) {
      return nonNull(name).toString();
    }

    /** A decimal column. */
    public BigDecimal getDecimal(String name) {
      Object v = nonNull(name);
      return v instanceof BigDecimal d ? d : new BigDecimal(v.toString());
    }

    private Object nonNull(String name) {
      Object v = get(name);
      if (v == null) {
        throw new NullPointerException("column '" + name + "' of row " + index + " is null");
      }
      return v;
    }

    /** The values in column order. */
    public List<@Nullable Object> values() {
      return new AbstractList<>() {
        @Override
        public @Nullable Object get(int i) {
          return columns[i][index];
        }

        @Override
        public int size() {
          return columns.length;
        }
      };
    }

    @Override
    public String toString() {
      return values().toString();
    }
  }

  /** The rows as an aligned text table (all rows). */
  public String format() {
    return format(Integer.MAX_VALUE);
  }

  /** The first {@code maxRows} rows as an aligned text table, with a note of what was left out. */
  public String format(int maxRows) {
    int shown = Math.min(rows, maxRows);
    int n = schema.size();
    String[][] cells = new String[shown][n];
    int[] width = new int[n];
    boolean[] right = new boolean[n];
    for (int c = 0; c < n; c++) {
      width[c] = schema.field(c).name().length();
      right[c] = schema.field(c).type().isNumeric();
    }
    for (int r = 0; r < shown; r++) {
      for (int c = 0; c < n; c++) {
        String s = text(columns[c][r]);
        cells[r][c] = s;
        width[c] = Math.max(width[c], s.length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < n; c++) {
      sb.append(c == 0 ? "" : " | ").append(pad(schema.field(c).name(), width[c], right[c]));
    }
    sb.append('\n');
    for (int c = 0; c < n; c++) {
      sb.append(c == 0 ? "" : "-+-").append("-".repeat(width[c]));
    }
    sb.append('\n');
    for (int r = 0; r < shown; r++) {
      for (int c = 0; c < n; c++) {
        sb.append(c == 0 ? "" : " | ").append(pad(cells[r][c], width[c], right[c]));
      }
      sb.append('\n');
    }
    sb.append('(')
        .append(rows)
        .append(rows == 1 ? " row" : " rows")
        .append(shown < rows ? ", " + shown + " shown" : "")
        .append(")\n");
    return sb.toString();
  }

  private static String text(@Nullable Object v) {
    if (v == null) {
      return "NULL";
    }
    if (v instanceof Double d) {
      return Double.isFinite(d) && Math.abs(d) < 1e15 && Math.abs(d) >= 1e-4 || d == 0
          ? String.format(Locale.ROOT, "%.6f", d).replaceAll("0+$", "").replaceAll("\\.$", ".0")
          : d.toString();
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return v.toString();
  }

  private static String pad(String s, int w, boolean right) {
    String fill = " ".repeat(Math.max(0, w - s.length()));
    return right ? fill + s : s + fill;
  }

  @Override
  public String toString() {
    return format(20);
  }
}
