package dev.amalgam.exec.files;

import java.util.Objects;

/**
 * {@code column op value}: a filter of a statement a format may push down. The value is a {@link
 * Long}, {@link java.math.BigDecimal}, {@link Double}, {@link String}, {@link Boolean}, {@link
 * java.time.LocalDate} or {@link java.time.Instant}, of the column's type family.
 */
public record FileFilter(String column, Op op, Object value) {
  /** Comparisons. */
  public enum Op {
    EQ("="),
    NE("<>"),
    LT("<"),
    LE("<="),
    GT(">"),
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

  /** Checks for nulls. */
  public FileFilter {
    Objects.requireNonNull(column, "column is null");
    Objects.requireNonNull(op, "op is null");
    Objects.requireNonNull(value, "value is null");
  }

  @Override
  public String toString() {
    return column + " " + op.symbol() + " " + value;
  }
}
