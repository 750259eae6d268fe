package dev.amalgam.arrowio.arrow;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A batch of columns in host memory in the engine's layout, ready to be written or exported, and
 * what keeps its segments valid (pins of the table's regions, an arena of copies). Closing it
 * releases them; it may be closed from any thread when its pins are shared.
 */
final class HostBatch implements AutoCloseable {
  /**
   * One column.
   *
   * @param rows rows
   * @param nullCount null rows
   * @param validity bitmap, or null when there are no nulls
   * @param values values, utf8 offsets (rows + 1, possibly not from 0) or int32 dictionary indices
   * @param data utf8 bytes, or null
   */
  record Column(
      int rows,
      long nullCount,
      @Nullable MemorySegment validity,
      MemorySegment values,
      @Nullable MemorySegment data) {}

  final int rows;
  final Column[] columns;
  private final List<AutoCloseable> keep;

  /** Bytes that had to be copied to make the segments contiguous host memory. */
  final long copiedBytes;

  private boolean closed;

  HostBatch(int rows, Column[] columns, List<AutoCloseable> keep, long copiedBytes) {
    this.rows = rows;
    this.columns = columns;
    this.keep = new ArrayList<>(keep);
    this.copiedBytes = copiedBytes;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException first = null;
    for (int i = keep.size() - 1; i >= 0; i--) {
      try {
        keep.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
