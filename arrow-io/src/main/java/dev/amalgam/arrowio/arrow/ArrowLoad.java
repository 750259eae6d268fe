package dev.amalgam.arrowio.arrow;

import dev.amalgam.exec.Table;
import java.util.List;

/**
 * What loading Arrow data into the engine did: the table registered, how many bytes of its buffers
 * are used in place (mapped from the file or wrapped from foreign memory) and how many were copied,
 * and why any were copied.
 *
 * @param table the table registered in the engine's catalog
 * @param batches record batches read
 * @param mappedBytes bytes of buffers used in place, without copying
 * @param copiedBytes bytes written into engine memory (decompressed, converted, or coalesced)
 * @param notes why bytes were copied, one line per reason (empty when nothing was)
 */
public record ArrowLoad(
    Table table, int batches, long mappedBytes, long copiedBytes, List<String> notes) {
  /** Copies the list. */
  public ArrowLoad {
    notes = List.copyOf(notes);
  }

  /** A one-line summary, e.g. for a shell. */
  public String summary() {
    return table.name()
        + ": "
        + table.rowCount()
        + " rows, "
        + batches
        + " batches, "
        + mappedBytes
        + " bytes mapped, "
        + copiedBytes
        + " bytes copied"
        + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")");
  }
}
