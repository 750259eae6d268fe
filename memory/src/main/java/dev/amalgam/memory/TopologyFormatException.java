package dev.amalgam.memory;

import org.jspecify.annotations.Nullable;

/**
 * A topology file that cannot be read or does not describe a valid topology; the message names the
 * source, the line, the field and the offending text.
 */
public final class TopologyFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String sourceName;
  private final int line;
  private final String field;
  private final String detail;

  /**
   * Creates an error at {@code line} (1-based; 0 when it concerns the whole source) of {@code
   * sourceName}, in {@code field} (a key such as {@code capacity}, or {@code directive}, {@code
   * name}, {@code device}, {@code link}, {@code file}), described by {@code detail}.
   */
  public TopologyFormatException(String sourceName, int line, String field, String detail) {
    this(sourceName, line, field, detail, null);
  }

  /**
   * Creates an error as {@link #TopologyFormatException(String, int, String, String)}, with a
   * cause.
   */
  public TopologyFormatException(
      String sourceName, int line, String field, String detail, @Nullable Throwable cause) {
    super(message(sourceName, line, field, detail), cause);
    if (line < 0) {
      throw new IllegalArgumentException("line must not be negative, was " + line);
    }
    this.sourceName = sourceName;
    this.line = line;
    this.field = field;
    this.detail = detail;
  }

  /** The file name (or other source name) the topology text came from. */
  public String sourceName() {
    return sourceName;
  }

  /** The 1-based line of the error, or 0 when it concerns the whole source. */
  public int line() {
    return line;
  }

  /** The field in error: a key such as {@code capacity}, or {@code directive}, {@code name}, … */
  public String field() {
    return field;
  }

  /** What is wrong, without the source, line and field prefix. */
  public String detail() {
    return detail;
  }

  private static String message(String sourceName, int line, String field, String detail) {
    String where = line > 0 ? sourceName + ":" + line : sourceName;
    return where + ": field '" + field + "': " + detail;
  }
}
