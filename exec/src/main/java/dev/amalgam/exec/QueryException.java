package dev.amalgam.exec;

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

  /** An exception with a code and message. */
  public QueryException(Code code, String message) {
    super(message);
    this.code = code;
  }

  /** An exception with a code, message and cause. */
  public QueryException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The code. */
  public Code code() {
    return code;
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
