package dev.amalgam.exec;

import dev.amalgam.exec.store.TableData;
import dev.amalgam.exec.store.TableWriter;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Builds a table row by row (or from an iterator of rows); {@link #build()} registers it in the
 * engine's catalog. Full row groups go to unified memory as they fill, so the heap holds one row
 * group at a time. Closing an unbuilt builder frees what was written. Not thread-safe.
 *
 * <pre>{@code
 * Table t = engine.createTable("trades", Schema.of(Field.of("id", DataType.INT64), ...))
 *     .placement(Placement.hash("id"))
 *     .addRow(1L, ...)
 *     .build();
 * }</pre>
 */
public final class TableBuilder implements AutoCloseable {
  /** Default rows per row group: 16 morsels (1 Mi rows with 2 MiB pages). */
  public static final int DEFAULT_MORSELS_PER_ROW_GROUP = 16;

  private final Engine engine;
  private final String name;
  private final Schema schema;
  private Placement placement = Placement.auto();
  private int rowGroupRows;
  private @Nullable TableWriter writer;
  private boolean built;
  private final @Nullable Table replacing;

  TableBuilder(Engine engine, String name, Schema schema) {
    this.engine = engine;
    this.name = Objects.requireNonNull(name, "name is null");
    this.schema = Objects.requireNonNull(schema, "schema is null");
    this.rowGroupRows =
        TableWriter.morselRows(engine.memory().pageSize()) * DEFAULT_MORSELS_PER_ROW_GROUP;
    this.replacing = null;
  }

  /** A builder of a new version of {@code replacing}. */
  TableBuilder(Engine engine, Table replacing, Schema schema) {
    this.engine = engine;
    this.name = replacing.name();
    this.schema = Objects.requireNonNull(schema, "schema is null");
    this.rowGroupRows =
        TableWriter.morselRows(engine.memory().pageSize()) * DEFAULT_MORSELS_PER_ROW_GROUP;
    this.replacing = replacing;
  }

  /** The placement policy (default {@link Placement#auto()}); set before the first row. */
  public TableBuilder placement(Placement p) {
    checkNotStarted("placement");
    this.placement = Objects.requireNonNull(p, "placement is null");
    return this;
  }

  /** Rows per row group, rounded up to a whole number of morsels; set before the first row. */
  public TableBuilder rowGroupRows(int rows) {
    checkNotStarted("rowGroupRows");
    if (rows <= 0) {
      throw new IllegalArgumentException("rowGroupRows must be positive; was " + rows);
    }
    this.rowGroupRows = rows;
    return this;
  }

  private void checkNotStarted(String what) {
    if (writer != null || built) {
      throw new IllegalStateException(what + " must be set before rows are added");
    }
  }

  private TableWriter writer() {
    if (built) {
      throw new IllegalStateException("table '" + name + "' is already built");
    }
    TableWriter w = writer;
    if (w == null) {
      w = engine.newWriter(name, schema, placement, rowGroupRows);
      writer = w;
    }
    return w;
  }

  /**
   * Adds one row: a Java value per column (Integer/Long/Double/BigDecimal/LocalDate/Instant/
   * String/Boolean, or null).
   *
   * @throws IllegalArgumentException naming the row, column and value that does not fit; the row is
   *     not added and the builder stays usable
   */
  public TableBuilder addRow(@Nullable Object... values) {
    writer().appendRow(values);
    return this;
  }

  /** Adds every row of {@code rows}. */
  public TableBuilder addRows(Iterator<? extends @Nullable Object[]> rows) {
    TableWriter w = writer();
    while (rows.hasNext()) {
      w.appendRow(rows.next());
    }
    return this;
  }

  /** Adds every row of {@code rows}. */
  public TableBuilder addRows(List<? extends @Nullable Object[]> rows) {
    return addRows(rows.iterator());
  }

  /**
   * Adds rows column by column: one array per column, all of the same length — {@code long[]},
   * {@code int[]}, {@code double[]}, {@code boolean[]}, or an {@code Object[]} of the values {@link
   * #addRow} takes (null for SQL NULL).
   *
   * @throws IllegalArgumentException when the count or lengths do not match, naming them
   */
  public TableBuilder addColumns(Object... columns) {
    if (columns.length != schema.size()) {
      throw new IllegalArgumentException(
          "table '"
              + name
              + "': "
              + columns.length
              + " columns given for "
              + schema.size()
              + " "
              + schema.names());
    }
    int rows = -1;
    for (int c = 0; c < columns.length; c++) {
      int n = length(columns[c], c);
      if (rows >= 0 && n != rows) {
        throw new IllegalArgumentException(
            "table '"
                + name
                + "': column '"
                + schema.field(c).name()
                + "' has "
                + n
                + " values, column '"
                + schema.field(0).name()
                + "' has "
                + rows);
      }
      rows = n;
    }
    TableWriter w = writer();
    @Nullable Object[] row = new Object[columns.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns.length; c++) {
        row[c] =
            switch (columns[c]) {
              case long[] a -> a[r];
              case int[] a -> a[r];
              case double[] a -> a[r];
              case boolean[] a -> a[r];
              case Object[] a -> a[r];
              default -> throw new AssertionError();
            };
      }
      w.appendRow(row);
    }
    return this;
  }

  /**
   * Adds rows column by column from primitive arrays, without boxing: one {@link ColumnValues} per
   * column, all of the same size, in the shape of the column's type ({@link ColumnValues#shapeOf}).
   * The fastest way to load a table.
   *
   * @throws IllegalArgumentException naming the column and row when a shape, size or value does not
   *     fit; nothing of the batch is then added and the builder stays usable
   */
  public TableBuilder addBatch(ColumnValues... columns) {
    writer().appendColumns(columns);
    return this;
  }

  /**
   * Ends the current row group here (the next rows start a new one), e.g. to keep a source's row
   * groups; a row group still ends by itself when it reaches {@link #rowGroupRows}.
   */
  public TableBuilder endRowGroup() {
    writer().flushRowGroup();
    return this;
  }

  private int length(Object column, int c) {
    return switch (column) {
      case long[] a -> a.length;
      case int[] a -> a.length;
      case double[] a -> a.length;
      case boolean[] a -> a.length;
      case Object[] a -> a.length;
      default ->
          throw new IllegalArgumentException(
              "column '"
                  + schema.field(c).name()
                  + "': expected long[], int[], double[], boolean[] or Object[]; got "
                  + column.getClass().getSimpleName());
    };
  }

  /** Rows added so far. */
  public long rowCount() {
    TableWriter w = writer;
    return w == null ? 0 : w.rowCount();
  }

  /**
   * Writes the last row groups, applies the placement and registers the table (for {@link
   * Engine#replaceTable}: swaps it in place of the old version).
   *
   * @throws IllegalArgumentException when a table of that name exists (the rows are freed)
   */
  public Table build() {
    TableWriter w = writer();
    TableData data = w.finish();
    built = true;
    writer = null;
    Table old = replacing;
    return old != null ? engine.swap(old, data) : engine.register(data);
  }

  /** Frees the rows written when the table was not built. Idempotent. */
  @Override
  public void close() {
    TableWriter w = writer;
    writer = null;
    if (w != null) {
      w.close();
    }
  }
}
