package dev.amalgam.arrowio.csv;

import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a CSV load did: the table, the rejects table (with {@link CsvOptions.OnError#REJECT}), how
 * many rows went where, the schema and whether it was inferred, notes (renamed header names, how
 * types were chosen), and bytes and time for rates.
 *
 * @param table the loaded table
 * @param rejects the {@code <name>_rejects} table (line, column, text, reason), or null when the
 *     load failed on errors instead
 * @param rowsLoaded rows in the table
 * @param rowsRejected rows left out because they did not parse
 * @param schema the table's schema
 * @param schemaInferred whether the types were inferred from a sample
 * @param notes things the user should know, e.g. a duplicate header name that was renamed
 * @param bytesRead bytes read from the file (compressed bytes for gzip input)
 * @param nanos wall time of the load
 */
public record CsvLoad(
    Table table,
    @Nullable Table rejects,
    long rowsLoaded,
    long rowsRejected,
    Schema schema,
    boolean schemaInferred,
    List<String> notes,
    long bytesRead,
    long nanos) {
  /** Copies the notes. */
  public CsvLoad {
    Objects.requireNonNull(table, "table is null");
    notes = List.copyOf(notes);
  }

  /** One line: rows, rejects, bytes, rate. */
  public String summary() {
    double s = nanos / 1e9;
    return String.format(
        java.util.Locale.ROOT,
        "%s: %d rows loaded, %d rejected%s, %.1f MB in %.3f s (%.1f MB/s)%s",
        table.name(),
        rowsLoaded,
        rowsRejected,
        rejects == null ? "" : " (see " + rejects.name() + ")",
        bytesRead / 1e6,
        s,
        s > 0 ? bytesRead / 1e6 / s : 0.0,
        notes.isEmpty() ? "" : "; " + String.join("; ", notes));
  }
}
