package dev.amalgam.risk;

import dev.amalgam.kernels.FinanceKernels;
import dev.amalgam.kernels.FinanceKernels.GreekColumns;
import dev.amalgam.kernels.FinanceKernels.OptionColumns;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * Black-Scholes through the vectorized finance kernels over heap arrays: the one place where the
 * risk module prices options. Results are defined bit for bit by {@code FinanceMath} (see {@link
 * FinanceKernels}), so they do not depend on the machine or on how rows are split.
 */
final class OptionPricer {
  private static final FinanceKernels KERNELS = FinanceKernels.cpu();

  private OptionPricer() {}

  /** Bit i set: row i is a call. */
  static long[] callBits(boolean[] calls) {
    long[] bits = new long[Math.max(1, (calls.length + 63) >>> 6)];
    for (int i = 0; i < calls.length; i++) {
      if (calls[i]) {
        bits[i >>> 6] |= 1L << i;
      }
    }
    return bits;
  }

  /**
   * Prices rows {@code [from, from + n)} of the option columns, with spots {@code spot[spotFrom,
   * spotFrom + n)}, into {@code price[0, n)} (and the Greeks into the other outputs that are not
   * null, same indexing); {@code from} is a multiple of 64.
   */
  static void price(
      double[] spot,
      int spotFrom,
      double[] strike,
      double[] expiry,
      double[] vol,
      double[] rate,
      long[] calls,
      int from,
      int n,
      double[] price,
      double @Nullable [] delta,
      double @Nullable [] gamma,
      double @Nullable [] vega,
      double @Nullable [] theta,
      double @Nullable [] rho) {
    if (n == 0) {
      return;
    }
    OptionColumns in =
        OptionColumns.of(
            slice(spot, spotFrom, n),
            slice(strike, from, n),
            slice(expiry, from, n),
            slice(vol, from, n),
            slice(rate, from, n),
            bitSlice(calls, from, n));
    GreekColumns out =
        new GreekColumns(
            MemorySegment.ofArray(price), out(delta), out(gamma), out(vega), out(theta), out(rho));
    KERNELS.blackScholes(in, null, n, null, out);
  }

  private static @Nullable MemorySegment out(double @Nullable [] a) {
    return a == null ? null : MemorySegment.ofArray(a);
  }

  private static MemorySegment slice(double[] a, int from, int n) {
    return MemorySegment.ofArray(a).asSlice((long) from << 3, (long) n << 3);
  }

  /** The bitmap from bit {@code from} on: {@code from} must be a multiple of 64 or 0. */
  private static MemorySegment bitSlice(long[] bits, int from, int n) {
    if ((from & 63) != 0) {
      throw new IllegalArgumentException("bit slices start at a multiple of 64, got " + from);
    }
    int words = (n + 63) >>> 6;
    return MemorySegment.ofArray(bits).asSlice((long) (from >>> 6) << 3, (long) words << 3);
  }
}
