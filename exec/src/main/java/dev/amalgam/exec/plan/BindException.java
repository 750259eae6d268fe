package dev.amalgam.exec.plan;

/**
 * An expression that does not fit its input: an unknown column, operand types that do not go
 * together, a bad literal or pattern. The message names the offending types or values and the
 * expression text.
 */
public final class BindException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String expression;

  private BindException(String message, String expression) {
    super(message);
    this.expression = expression;
  }

  /** The text of the expression the error is in. */
  public String expression() {
    return expression;
  }

  /** A column name that is not in the input. */
  public static BindException unknownColumn(String column, String expression, String columns) {
    return new BindException(
        "column '"
            + column
            + "' not found in "
            + expression
            + "; columns are: "
            + (columns.isEmpty() ? "(none)" : columns),
        expression);
  }

  /** Operand types that do not go together, e.g. {@code cannot compare utf8 with int64 in (..)}. */
  public static BindException typeMismatch(String what, String expression) {
    return new BindException(what + " in " + expression, expression);
  }

  /** Any other invalid expression: a bad literal, pattern or argument. */
  public static BindException invalid(String what, String expression) {
    return new BindException(what + " in " + expression, expression);
  }
}
