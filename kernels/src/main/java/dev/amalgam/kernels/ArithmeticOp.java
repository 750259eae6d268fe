package dev.amalgam.kernels;

/**
 * A binary arithmetic operator of {@link ArithmeticKernels}.
 *
 * <p>Integers: {@link #DIVIDE} truncates toward zero and {@link #MODULO} takes the sign of the
 * dividend (as Java, SQL and PostgreSQL do); overflow and a zero divisor are errors. float64: IEEE
 * 754 ({@code x / 0} is an infinity or NaN, {@link #MODULO} is Java's {@code %}, i.e. C's {@code
 * fmod}). Decimals: see {@link DecimalType}.
 */
public enum ArithmeticOp {
  /** {@code a + b}. */
  ADD("+", "add"),
  /** {@code a - b}. */
  SUBTRACT("-", "subtract"),
  /** {@code a * b}. */
  MULTIPLY("*", "multiply"),
  /** {@code a / b}. */
  DIVIDE("/", "divide"),
  /** {@code a % b}. */
  MODULO("%", "modulo");

  private final String symbol;
  private final String verb;

  ArithmeticOp(String symbol, String verb) {
    this.symbol = symbol;
    this.verb = verb;
  }

  /** The operator as written in SQL, e.g. {@code "+"}. */
  public String symbol() {
    return symbol;
  }

  /** The operator's name in error messages, e.g. {@code "add"}. */
  public String verb() {
    return verb;
  }
}
