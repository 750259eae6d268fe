package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * Ungrouped aggregates over one column: SUM, COUNT, COUNT(*), MIN, MAX, and AVG as its (sum, count)
 * pair. Null rows are skipped; with {@code sel} only the {@code n} selected rows count (with {@code
 * sel == null}, rows {@code 0..n-1}). A result over no valid rows has {@code count == 0} and value
 * 0: SQL's NULL, which the caller produces. Partial results of several calls (morsels, devices)
 * merge by adding sums and counts and taking the min of mins and the max of maxes.
 *
 * <p>SUM(int64) is exact: it fails only when the true total of the rows does not fit int64 (a
 * running partial sum may leave int64 on the way), so its result does not depend on the order of
 * summation. SUM(float64) is not associative; each implementation documents its order. MIN and MAX
 * of float64 order values as {@link Double#compare} does: {@code -0.0 < 0.0} and NaN above every
 * number (as PostgreSQL and DuckDB).
 *
 * <p>Implementations are stateless and may be called from many threads at once.
 */
public interface AggregateKernels {
  /** The CPU implementation (Vector API with a scalar tail). */
  static AggregateKernels cpu() {
    return CpuAggregateKernels.INSTANCE;
  }

  /** An int64 aggregate over {@code count} valid rows; {@code value} is 0 when count is 0. */
  record LongResult(long value, long count) {
    /** True when no valid row was seen (the SQL result is NULL). */
    public boolean isNull() {
      return count == 0;
    }

    /** AVG from a SUM: {@code value / count} as float64; NaN when count is 0. */
    public double average() {
      return count == 0 ? Double.NaN : (double) value / count;
    }
  }

  /** A float64 aggregate over {@code count} valid rows; {@code value} is 0 when count is 0. */
  record DoubleResult(double value, long count) {
    /** True when no valid row was seen (the SQL result is NULL). */
    public boolean isNull() {
      return count == 0;
    }

    /** AVG from a SUM: {@code value / count}; NaN when count is 0. */
    public double average() {
      return count == 0 ? Double.NaN : value / count;
    }
  }

  /** SUM and count of the valid int32 rows, as int64 (cannot overflow). */
  LongResult sumInt32(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n);

  /** SUM and count of the valid int64 rows; a total outside int64 is an overflow error. */
  LongResult sumInt64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n);

  /** SUM and count of the valid float64 rows (IEEE: NaN and infinities propagate). */
  DoubleResult sumFloat64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n);

  /**
   * SUM and count of the valid rows of a decimal column of type {@code type} (unscaled int64); the
   * sum has type {@code decimal(18, type.scale())} and more than 18 digits is an overflow error.
   */
  default LongResult sumDecimal(
      DecimalType type,
      MemorySegment values,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n) {
    LongResult r = sumInt64(values, validity, sel, n);
    DecimalType sumType = DecimalType.of(DecimalType.MAX_PRECISION, type.scale());
    if (!sumType.fits(r.value())) {
      throw KernelException.overflow(
          "sum(" + type + ")",
          n == 0 ? 0 : Selection.row(sel, n - 1),
          "total " + type.toBigDecimal(r.value()) + " exceeds " + sumType);
    }
    return r;
  }

  /** COUNT(column): the number of valid rows. */
  long count(@Nullable MemorySegment validity, @Nullable MemorySegment sel, int n);

  /** COUNT(*): the number of rows, null or not ({@code n}). */
  default long countStar(@Nullable MemorySegment sel, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0; was " + n);
    }
    return n;
  }

  /** MIN and count of the valid int32 rows. */
  LongResult minInt32(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n);

  /** MAX and count of the valid int32 rows. */
  LongResult maxInt32(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n);

  /** MIN and count of the valid int64 rows. */
  LongResult minInt64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n);

  /** MAX and count of the valid int64 rows. */
  LongResult maxInt64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n);

  /** MIN and count of the valid float64 rows ({@link Double#compare} order: NaN is largest). */
  DoubleResult minFloat64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n);

  /** MAX and count of the valid float64 rows ({@link Double#compare} order: NaN is largest). */
  DoubleResult maxFloat64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n);
}
