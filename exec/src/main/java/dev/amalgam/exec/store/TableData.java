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
