package dev.amalgam.arrowio.csv;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A CSV file that cannot be loaded: a value that does not parse, a row with the wrong number of
 * fields, a header that does not match the schema, an unterminated quote, unreadable input. The
 * message names the file, the line (1-based, physical lines), the column and the offending text
 * where they are known. A load that throws it leaves no table behind.
 */
public final class CsvFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long line;
  private final @Nullable String column;
  private final @Nullable String text;

  private CsvFormatException(
      String message,
      String file,
      long line,
      @Nullable String column,
      @Nullable String text,
      @Nullable Throwable cause) {
    super(message, cause);
    this.file = file;
    this.line = line;
    this.column = column;
    this.text = text;
  }

  /** A value or row at {@code line} that does not parse. */
  static CsvFormatException badValue(
      Path file, long line, @Nullable String column, String text, String reason, String hint) {
    String where = file + ":" + line + ": ";
    String msg =
        column == null
            ? where + reason + ": '" + text + "'"
            : where + "column '" + column + "': '" + text + "': " + reason;
    return new CsvFormatException(msg + hint, file.toString(), line, column, text, null);
  }

  /** Something wrong with the file as a whole, or at a line with no column. */
  static CsvFormatException at(Path file, long line, String message, @Nullable Throwable cause) {
    String where = line > 0 ? file + ":" + line + ": " : file + ": ";
    return new CsvFormatException(where + message, file.toString(), line, null, null, cause);
  }

  /** The file. */
  public String file() {
    return file;
  }

  /** The 1-based line, or 0 when the problem is not at a line. */
  public long line() {
    return line;
  }

  /** The column, or null. */
  public @Nullable String column() {
    return column;
  }

  /** The offending text, or null. */
  public @Nullable String text() {
    return text;
  }
}
