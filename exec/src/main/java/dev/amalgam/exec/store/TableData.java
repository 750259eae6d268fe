package dev.amalgam.exec.store;

import dev.amalgam.exec.Schema;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The stored form of a table: schema, row groups in unified memory, dictionaries, and the morsel
 * size its buffers are aligned to. Immutable once built; owns every region it refers to.
 */
public final class TableData implements AutoCloseable {
  private final String name;
  private final Schema schema;
  private final List<RowGroup> rowGroups;
  private final List<@Nullable Dictionary> dictionaries;
  private final int morselRows;
  private final String placement;
  private final long rows;
  private boolean closed;
  private double @Nullable [] distinct; // guarded by this

  TableData(
      String name,
      Schema schema,
      List<RowGroup> rowGroups,
      List<@Nullable Dictionary> dictionaries,
      int morselRows,
      String placement) {
    this.name = name;
    this.schema = schema;
    this.rowGroups = List.copyOf(rowGroups);
    this.dictionaries = new ArrayList<>(dictionaries);
    this.morselRows = morselRows;
    this.placement = placement;
    long r = 0;
    for (RowGroup g : rowGroups) {
      r += g.rows();
    }
    this.rows = r;
  }

  /**
   * A table over given row groups and dictionaries, which it then owns (for readers that build
   * tables from buffers of their own). Checks that every row group has one chunk per column of the
   * column's type, and that dictionary columns, and only they, have a dictionary.
   *
   * @param morselRows {@link TableWriter#morselRows(long)} of the memory's page size
   * @param placement how the row groups were placed, for EXPLAIN (e.g. {@code mapped, host})
   * @throws IllegalArgumentException naming the row group and column that does not fit
   */
  public static TableData of(
      String name,
      Schema schema,
      List<RowGroup> rowGroups,
      List<@Nullable Dictionary> dictionaries,
      int morselRows,
      String placement) {
    java.util.Objects.requireNonNull(name, "name is null");
    java.util.Objects.requireNonNull(schema, "schema is null");
    java.util.Objects.requireNonNull(placement, "placement is null");
    if (schema.size() == 0) {
      throw new IllegalArgumentException("table '" + name + "' has no columns");
    }
    if (dictionaries.size() != schema.size()) {
      throw new IllegalArgumentException(
          "table '" + name + "': " + dictionaries.size() + " dictionaries for " + schema.size());
    }
    if (morselRows < 64 || Integer.bitCount(morselRows) != 1) {
      throw new IllegalArgumentException("morselRows must be a power of two >= 64: " + morselRows);
    }
    for (int c = 0; c < schema.size(); c++) {
      boolean dict =
          schema.field(c).type().kind() == dev.amalgam.exec.DataType.Kind.DICTIONARY_UTF8;
      if (dict != (dictionaries.get(c) != null)) {
        throw new IllegalArgumentException(
            "table '"
                + name
                + "' column '"
                + schema.field(c).name()
                + "': "
                + (dict ? "dictionary missing" : "a dictionary is only for dictionary<utf8>"));
      }
    }
    for (int g = 0; g < rowGroups.size(); g++) {
      RowGroup rg = rowGroups.get(g);
      if (rg.index() != g || rg.chunks().size() != schema.size() || rg.homes().isEmpty()) {
        throw new IllegalArgumentException(
            "table '"
                + name
                + "' row group "
                + g
                + ": index "
                + rg.index()
                + ", "
                + rg.chunks().size()
                + " chunks for "
                + schema.size()
                + " columns, homes "
                + rg.homes());
      }
      for (int c = 0; c < schema.size(); c++) {
        ColumnChunk ch = rg.chunks().get(c);
        if (!ch.type().equals(schema.field(c).type()) || ch.stats().rows() != rg.rows()) {
          throw new IllegalArgumentException(
              "table '"
                  + name
                  + "' row group "
                  + g
                  + " column '"
                  + schema.field(c).name()
                  + "': chunk is "
                  + ch.type()
                  + " with "
                  + ch.stats().rows()
                  + " rows; expected "
                  + schema.field(c).type()
                  + " with "
                  + rg.rows());
        }
      }
    }
    return new TableData(name, schema, rowGroups, dictionaries, morselRows, placement);
  }

  /** The table's name. */
  public String name() {
    return name;
  }

  /** The schema (storage types). */
  public Schema schema() {
    return schema;
  }

  /** Row groups in order. */
  public List<RowGroup> rowGroups() {
    return rowGroups;
  }

  /** The dictionary of column {@code column}, or null when it is not dictionary-encoded. */
  public @Nullable Dictionary dictionary(int column) {
    return dictionaries.get(column);
  }

  /** Rows per morsel; a power of two whose 8-byte buffers fit a page. */
  public int morselRows() {
    return morselRows;
  }

  /** How the row groups were placed, e.g. {@code round-robin}. */
  public String placement() {
    return placement;
  }

  /** Total rows. */
  public long rowCount() {
    return rows;
  }

  /**
   * The estimated number of distinct non-null values of {@code column} (a HyperLogLog sketch merged
   * over the row groups, about 1.6% standard error), or -1 when a chunk has no sketch (columns that
   * are not integer-like, tables assembled by readers).
   */
  public synchronized double distinctCount(int column) {
    double[] cache = distinct;
    if (cache == null) {
      cache = new double[schema.size()];
      java.util.Arrays.fill(cache, Double.NaN);
      distinct = cache;
    }
    double d = cache[column];
    if (Double.isNaN(d)) {
      DistinctSketch merged = new DistinctSketch();
      d = 0;
      for (RowGroup g : rowGroups) {
        DistinctSketch s = g.chunks().get(column).stats().distinct();
        if (s == null) {
          d = -1;
          break;
        }
        merged.addAll(s);
      }
      if (d == 0) {
        d = Math.min(merged.estimate(), rows);
      }
      cache[column] = d;
    }
    return d;
  }

  /** Bytes of all buffers. */
  public long bytes() {
    long b = 0;
    for (RowGroup g : rowGroups) {
      b += g.bytes();
    }
    for (Dictionary d : dictionaries) {
      if (d != null) {
        b += d.offsets().size() + d.data().size();
      }
    }
    return b;
  }

  /** Whether closed. */
  public boolean isClosed() {
    return closed;
  }

  /** Frees every region. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (RowGroup g : rowGroups) {
      g.close();
    }
    for (Dictionary d : dictionaries) {
      if (d != null) {
        d.close();
      }
    }
  }
}
