package dev.amalgam.kernels.reference;

import dev.amalgam.kernels.AggregateKernels;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.KernelException;
import dev.amalgam.kernels.Selection;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import org.jspecify.annotations.Nullable;

/**
 * Plain scalar reference of {@link AggregateKernels}: one pass in row order (float64 sums add the
 * rows left to right; int64 sums carry a 128-bit total); used only by differential tests and
 * benchmarks.
 */
public final class ScalarAggregateKernels implements AggregateKernels {

  /** Creates the reference (stateless). */
  public ScalarAggregateKernels() {}

  private static void checkN(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0; was " + n);
    }
  }

  @Override
  public LongResult sumInt32(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    checkN(n);
    long sum = 0;
    long count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(validity, row)) {
        sum += ArrowLayout.int32(values, row);
        count++;
      }
    }
    return new LongResult(sum, count);
  }

  @Override
  public LongResult sumInt64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    checkN(n);
    long lo = 0; // the 128-bit total is hi * 2^64 + (unsigned) lo
    long hi = 0;
    long count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(validity, row)) {
        long v = ArrowLayout.int64(values, row);
        long s = lo + v;
        long carry = Long.compareUnsigned(s, lo) < 0 ? 1 : 0;
        hi += (v >> 63) + carry;
        lo = s;
        count++;
      }
    }
    if (hi != (lo >> 63)) {
      BigInteger total =
          BigInteger.valueOf(hi).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo)));
      throw KernelException.overflow(
          "sum(int64)",
          Selection.row(sel, n - 1),
          "total of " + count + " rows " + total + " exceeds int64");
    }
    return new LongResult(lo, count);
  }

  @Override
  public DoubleResult sumFloat64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    checkN(n);
    double sum = 0;
    long count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(validity, row)) {
        sum += ArrowLayout.float64(values, row);
        count++;
      }
    }
    return new DoubleResult(sum, count);
  }

  @Override
  public long count(@Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    checkN(n);
    long count = 0;
    for (int k = 0; k < n; k++) {
      if (Validity.isValid(validity, Selection.row(sel, k))) {
        count++;
      }
    }
    return count;
  }

  private static LongResult minMaxInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      boolean max) {
    checkN(n);
    long best = 0;
    long count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(validity, row)) {
        int v = ArrowLayout.int32(values, row);
        if (count == 0 || (max ? v > best : v < best)) {
          best = v;
        }
        count++;
      }
    }
    return new LongResult(best, count);
  }

  private static LongResult minMaxInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      boolean max) {
    checkN(n);
    long best = 0;
    long count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(validity, row)) {
        long v = ArrowLayout.int64(values, row);
        if (count == 0 || (max ? v > best : v < best)) {
          best = v;
        }
        count++;
      }
    }
    return new LongResult(best, count);
  }

  private static DoubleResult minMaxFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      boolean max) {
    checkN(n);
    double best = 0;
    long count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(validity, row)) {
        double v = ArrowLayout.float64(values, row);
        int c = Double.compare(v, best);
        if (count == 0 || (max ? c > 0 : c < 0)) {
          best = v;
        }
        count++;
      }
    }
    return new DoubleResult(best, count);
  }

  @Override
  public LongResult minInt32(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxInt32(values, validity, sel, n, false);
  }

  @Override
  public LongResult maxInt32(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxInt32(values, validity, sel, n, true);
  }

  @Override
  public LongResult minInt64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxInt64(values, validity, sel, n, false);
  }

  @Override
  public LongResult maxInt64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxInt64(values, validity, sel, n, true);
  }

  @Override
  public DoubleResult minFloat64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxFloat64(values, validity, sel, n, false);
  }

  @Override
  public DoubleResult maxFloat64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxFloat64(values, validity, sel, n, true);
  }
}
