package dev.amalgam.arrowio.parquet;

import java.util.Objects;

/**
 * A comparison of a column with a constant, for {@link ParquetOptions.Builder#filter}: row groups
 * whose statistics show that no row can match are not read, and the rows read are those that match.
 * The constant is a {@link Number} (integers, decimals, floats), a {@link String}, a {@link
 * Boolean}, a {@link java.time.LocalDate} (dates) or a {@link java.time.Instant} (timestamps). A
 * null never matches.
 *
 * @param column the column name
 * @param op the comparison
 * @param value the constant
 */
public record ParquetPredicate(String column, Op op, Object value) {
  /** A comparison. */
  public enum Op {
    /** {@code =}. */
    EQ("="),
    /** {@code <>}. */
    NE("<>"),
    /** {@code <}. */
    LT("<"),
    /** {@code <=}. */
    LE("<="),
    /** {@code >}. */
    GT(">"),
    /** {@code >=}. */
    GE(">=");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    /** The SQL symbol. */
    public String symbol() {
      return symbol;
    }
  }

  /** Checks the arguments. */
  public ParquetPredicate {
    Objects.requireNonNull(column, "column is null");
    Objects.requireNonNull(op, "op is null");
    Objects.requireNonNull(value, "value is null");
  }

  /** {@code column = value}. */
  public static ParquetPredicate eq(String column, Object value) {
    return new ParquetPredicate(column, Op.EQ, value);
  }

  /** {@code column <> value}. */
  public static ParquetPredicate ne(String column, Object value) {
    return new ParquetPredicate(column, Op.NE, value);
  }

  /** {@code column < value}. */
  public static ParquetPredicate lt(String column, Object value) {
    return new ParquetPredicate(column, Op.LT, value);
  }

  /** {@code column <= value}. */
  public static ParquetPredicate le(String column, Object value) {
    return new ParquetPredicate(column, Op.LE, value);
  }

  /** {@code column > value}. */
  public static ParquetPredicate gt(String column, Object value) {
    return new ParquetPredicate(column, Op.GT, value);
  }

  /** {@code column >= value}. */
  public static ParquetPredicate ge(String column, Object value) {
    return new ParquetPredicate(column, Op.GE, value);
  }

  @Override
  public String toString() {
    return column + " " + op.symbol() + " " + (value instanceof String ? "'" + value + "'" : value);
  }
}
