package dev.amalgam.exec;

import org.jspecify.annotations.Nullable;

/**
 * A query failed: bad input to the API, a type error, a memory limit, cancellation or a timeout.
 * The engine stays usable; the query's memory has been released when this is thrown.
 */
public class QueryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, broadly. */
  public enum Code {
    /** The query text or plan is invalid (unknown column, type error). */
    INVALID,
    /** A memory limit was reached and nothing could be spilled. */
    MEMORY_LIMIT,
    /** The query was cancelled. */
    CANCELLED,
    /** The query ran past its timeout. */
    TIMEOUT,
    /** A value could not be computed (overflow, division by zero, bad cast). */
    ARITHMETIC,
    /** An internal error. */
    INTERNAL
  }

  private final Code code;
  private final int line;
  private final int column;

  /** An exception with a code and message. */
  public QueryException(Code code, String message) {
    super(message);
    this.code = code;
    this.line = 0;
    this.column = 0;
  }

  /** An exception with a code, message and cause. */
  public QueryException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.line = 0;
    this.column = 0;
  }

  /**
   * An exception about the SQL text at {@code line} and {@code column} (1-based; the message says
   * them too).
   */
  public QueryException(
      Code code, String message, int line, int column, @Nullable Throwable cause) {
    super(message, cause);
    this.code = code;
    this.line = line;
    this.column = column;
  }

  /** The code. */
  public Code code() {
    return code;
  }

  /** The line (1-based) of the SQL text the error points at, or 0 when it points nowhere. */
  public int line() {
    return line;
  }

  /** The column (1-based) of the SQL text the error points at, or 0 when it points nowhere. */
  public int column() {
    return column;
  }

  /** The query was cancelled. */
  public static QueryException cancelled(String query) {
    return new QueryException(Code.CANCELLED, "query " + query + " was cancelled");
  }

  /** The query ran past its timeout. */
  public static QueryException timeout(String query, java.time.Duration limit) {
    return new QueryException(
        Code.TIMEOUT, "query " + query + " exceeded its timeout of " + limit.toMillis() + " ms");
  }
}
