package dev.amalgam.arrowio.parquet;

import org.jspecify.annotations.Nullable;

/**
 * A Parquet file that cannot be read: wrong magic bytes, a truncated file, a corrupted footer,
 * metadata pointing outside the file, a page that does not decode, a type the engine cannot hold,
 * or a column or predicate that does not match the file. The message names the file and, where
 * known, the byte offset or range, the row group and the column. A read that throws it leaves no
 * table behind.
 */
public final class ParquetFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long offset;
  private final @Nullable String column;

  ParquetFormatException(
      String file,
      long offset,
      @Nullable String column,
      String message,
      @Nullable Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
    this.offset = offset;
    this.column = column;
  }

  /** The file. */
  public String file() {
    return file;
  }

  /** The byte offset the problem is at (the start of the range named), or -1 when not known. */
  public long offset() {
    return offset;
  }

  /** The column, or null. */
  public @Nullable String column() {
    return column;
  }
}
