package dev.amalgam.jupyter;

/**
 * A cell failed: it did not compile, its code threw, a magic was misused, a query failed or the
 * cell was interrupted. The message says what, and where (the cell's line and column, or the SQL's
 * line and column as the engine reports them); the kernel goes on.
 */
final class CellException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String kind;

  CellException(String kind, String message) {
    super(message);
    this.kind = kind;
  }

  CellException(String kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** A short name of the kind of error: compile error, the exception's class, interrupted. */
  String kind() {
    return kind;
  }
}
