package dev.amalgam.kernels;

/**
 * A binary comparison {@code left op right}, as used by the compare kernels of {@link
 * FilterKernels}.
 */
public enum CompareOp {
  /** {@code left = right}. */
  EQ("="),
  /** {@code left <> right}. */
  NE("<>"),
  /** {@code left < right}. */
  LT("<"),
  /** {@code left <= right}. */
  LE("<="),
  /** {@code left > right}. */
  GT(">"),
  /** {@code left >= right}. */
  GE(">=");

  private final String symbol;

  CompareOp(String symbol) {
    this.symbol = symbol;
  }

  /** The SQL symbol, e.g. {@code <=}. */
  public String symbol() {
    return symbol;
  }

  /**
   * The operator that is true exactly when this one is false: {@code NOT (a < b)} is {@code a >=
   * b}.
   */
  public CompareOp negate() {
    return switch (this) {
      case EQ -> NE;
      case NE -> EQ;
      case LT -> GE;
      case LE -> GT;
      case GT -> LE;
      case GE -> LT;
    };
  }

  /** The operator with its operands swapped: {@code a < b} is {@code b > a}. */
  public CompareOp flip() {
    return switch (this) {
      case EQ, NE -> this;
      case LT -> GT;
      case LE -> GE;
      case GT -> LT;
      case GE -> LE;
    };
  }

  /** Whether the operator holds given {@code cmp}, the sign of {@code compare(left, right)}. */
  public boolean holds(int cmp) {
    return switch (this) {
      case EQ -> cmp == 0;
      case NE -> cmp != 0;
      case LT -> cmp < 0;
      case LE -> cmp <= 0;
      case GT -> cmp > 0;
      case GE -> cmp >= 0;
    };
  }

  /**
   * SQL order of two doubles, the one every float64 kernel uses: IEEE order, except that {@code
   * -0.0} equals {@code 0.0}, NaN equals NaN, and NaN is greater than every other value (including
   * +infinity), as in PostgreSQL and DuckDB. Returns -1, 0 or 1.
   */
  public static int compareSql(double left, double right) {
    if (left < right) {
      return -1;
    }
    if (left > right) {
      return 1;
    }
    if (left == right) {
      return 0; // also -0.0 == 0.0
    }
    boolean leftNaN = Double.isNaN(left);
    boolean rightNaN = Double.isNaN(right);
    return leftNaN == rightNaN ? 0 : leftNaN ? 1 : -1;
  }
}
