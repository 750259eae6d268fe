package dev.amalgam.kernels;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A SQL {@code DECIMAL(precision, scale)} stored as an int64 scaled by {@code 10^scale} (see {@link
 * ArrowLayout}), with the result-type rules of {@link ArithmeticKernels}' decimal kernels.
 *
 * <p>Result types, for {@code a: decimal(p1, s1)} and {@code b: decimal(p2, s2)}, every precision
 * capped at {@link #MAX_PRECISION} (18):
 *
 * <ul>
 *   <li>add, subtract: {@code s = max(s1, s2)}, {@code p = max(p1 - s1, p2 - s2) + s + 1};
 *   <li>multiply: {@code s = s1 + s2} (it must not exceed 18), {@code p = p1 + p2};
 *   <li>divide: with {@code d = p1 - s1 + s2} integer digits, {@code s = max(6, s1 + p2 + 1)} and
 *       {@code p = d + s}; when {@code p > 18}, {@code p = 18} and {@code s = max(6, 18 - d)} (the
 *       fraction keeps at least 6 digits, as in SQL Server and Spark); the quotient is rounded
 *       HALF_UP to {@code s};
 *   <li>modulo: {@code s = max(s1, s2)}, {@code p = min(p1 - s1, p2 - s2) + s}; the sign of the
 *       dividend.
 * </ul>
 *
 * A value whose magnitude reaches {@code 10^p} (more than p digits) is an overflow error, never a
 * wrap. Rescaling to a smaller scale rounds HALF_UP (half away from zero).
 */
public record DecimalType(int precision, int scale) {
  /** The largest precision an int64 holds for every value: 18 digits. */
  public static final int MAX_PRECISION = 18;

  private static final long[] POW10 = new long[MAX_PRECISION + 1];

  static {
    POW10[0] = 1;
    for (int i = 1; i <= MAX_PRECISION; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  /** Checks {@code 1 <= precision <= 18} and {@code 0 <= scale <= precision}. */
  public DecimalType {
    if (precision < 1 || precision > MAX_PRECISION) {
      throw new IllegalArgumentException(
          "decimal precision must be in [1, " + MAX_PRECISION + "]; was " + precision);
    }
    if (scale < 0 || scale > precision) {
      throw new IllegalArgumentException(
          "decimal scale must be in [0, precision " + precision + "]; was " + scale);
    }
  }

  /** {@code decimal(precision, scale)}. */
  public static DecimalType of(int precision, int scale) {
    return new DecimalType(precision, scale);
  }

  /** {@code 10^k} for {@code 0 <= k <= 18}. */
  public static long powerOfTen(int k) {
    if (k < 0 || k > MAX_PRECISION) {
      throw new IllegalArgumentException("power of ten must be in [0, 18]; was " + k);
    }
    return POW10[k];
  }

  /** The largest unscaled magnitude of this type: {@code 10^precision - 1}. */
  public long maxUnscaled() {
    return POW10[precision] - 1;
  }

  /** True when {@code unscaled} has at most {@code precision} digits. */
  public boolean fits(long unscaled) {
    return unscaled > -POW10[precision] && unscaled < POW10[precision];
  }

  /** The value of an unscaled int64 of this type, e.g. {@code 12345 -> 123.45} for scale 2. */
  public BigDecimal toBigDecimal(long unscaled) {
    return BigDecimal.valueOf(unscaled, scale);
  }

  /** The result type of {@code this op other} (see the class comment). */
  public DecimalType resultOf(ArithmeticOp op, DecimalType other) {
    Objects.requireNonNull(op, "op is null");
    Objects.requireNonNull(other, "other is null");
    int p1 = precision;
    int s1 = scale;
    int p2 = other.precision;
    int s2 = other.scale;
    return switch (op) {
      case ADD, SUBTRACT -> {
        int s = Math.max(s1, s2);
        yield new DecimalType(Math.min(MAX_PRECISION, Math.max(p1 - s1, p2 - s2) + s + 1), s);
      }
      case MULTIPLY -> {
        int s = s1 + s2;
        if (s > MAX_PRECISION) {
          throw new IllegalArgumentException(
              "decimal multiply result scale "
                  + s
                  + " (= "
                  + s1
                  + " + "
                  + s2
                  + ") exceeds "
                  + MAX_PRECISION
                  + " for "
                  + this
                  + " * "
                  + other
                  + "; rescale an operand first");
        }
        yield new DecimalType(Math.min(MAX_PRECISION, p1 + p2), s);
      }
      case DIVIDE -> {
        int d = p1 - s1 + s2;
        int s = Math.max(6, s1 + p2 + 1);
        if (d + s > MAX_PRECISION) {
          yield new DecimalType(MAX_PRECISION, Math.max(6, MAX_PRECISION - d));
        }
        yield new DecimalType(d + s, s);
      }
      case MODULO -> {
        int s = Math.max(s1, s2);
        yield new DecimalType(Math.min(MAX_PRECISION, Math.min(p1 - s1, p2 - s2) + s), s);
      }
    };
  }

  /** {@code decimal(p,s)}. */
  @Override
  public String toString() {
    return "decimal(" + precision + "," + scale + ")";
  }
}
