package dev.amalgam.exec.store;

import dev.amalgam.memory.Device;
import java.util.List;

/**
 * A horizontal slice of a table, placed on one member (or replicated to several). Owns its column
 * chunks.
 *
 * @param index position in the table
 * @param rows rows
 * @param chunks one chunk per column
 * @param homes the devices the row group was placed on (one, or every member when replicated)
 */
public record RowGroup(int index, int rows, List<ColumnChunk> chunks, List<Device> homes)
    implements AutoCloseable {
  /** Copies the lists. */
  public RowGroup {
    chunks = List.copyOf(chunks);
    homes = List.copyOf(homes);
  }

  /** Bytes of all chunks. */
  public long bytes() {
    long b = 0;
    for (ColumnChunk c : chunks) {
      b += c.bytes();
    }
    return b;
  }

  @Override
  public void close() {
    for (ColumnChunk c : chunks) {
      c.close();
    }
  }
}
