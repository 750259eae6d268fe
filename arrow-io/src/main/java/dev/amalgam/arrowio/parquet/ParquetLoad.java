package dev.amalgam.arrowio.parquet;

import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import java.util.List;
import java.util.Objects;

/**
 * What a Parquet read did.
 *
 * @param table the loaded table (one engine row group per Parquet row group read)
 * @param rowsLoaded rows in the table
 * @param rowGroupsInFile row groups in the file
 * @param rowGroupsRead row groups read
 * @param rowGroupsSkipped row groups skipped because their statistics ruled out every row
 * @param schema the table's schema
 * @param notes things the user should know (e.g. a wide decimal read as float64)
 * @param bytes the file's size
 * @param nanos wall time of the read
 */
public record ParquetLoad(
    Table table,
    long rowsLoaded,
    int rowGroupsInFile,
    int rowGroupsRead,
    int rowGroupsSkipped,
    Schema schema,
    List<String> notes,
    long bytes,
    long nanos) {
  /** Copies the notes. */
  public ParquetLoad {
    Objects.requireNonNull(table, "table is null");
    notes = List.copyOf(notes);
  }

  /** One line: rows, row groups, bytes, rate. */
  public String summary() {
    double s = nanos / 1e9;
    return String.format(
        java.util.Locale.ROOT,
        "%s: %d rows from %d of %d row groups (%d skipped by statistics), %.1f MB in %.3f s"
            + " (%.1f MB/s)%s",
        table.name(),
        rowsLoaded,
        rowGroupsRead,
        rowGroupsInFile,
        rowGroupsSkipped,
        bytes / 1e6,
        s,
        s > 0 ? bytes / 1e6 / s : 0.0,
        notes.isEmpty() ? "" : "; " + String.join("; ", notes));
  }
}
