package dev.amalgam.exec.files;

import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;

/**
 * A file opened by a statement: its schema (for planning), then one {@link #load} with what the
 * plan needs of it. Used by one statement on one thread.
 */
public interface FileSource extends AutoCloseable {
  /** The columns of the file, in file order, with the engine types they load as. */
  Schema schema();

  /**
   * The file as a registered engine table of the name given to {@link TableFileFormat#open}. A
   * format may read only {@link FileScan#columns()} (the others may be absent from the table) and
   * may leave out rows that fail {@link FileScan#filters()}; the statement still applies its
   * filters, so a format may also ignore both.
   */
  Table load(FileScan scan);

  /** One line about what was read (rows, row groups skipped, bytes mapped or copied), or "". */
  default String summary() {
    return "";
  }

  /** Frees what the source holds other than the loaded table (which the statement drops). */
  @Override
  default void close() {}
}
