package dev.amalgam.risk;

import java.util.Arrays;

/**
 * Quantiles, expected shortfall and Euler contributions over exact P&amp;L units (see {@link
 * Revaluation#UNITS_PER_CURRENCY}). Losses are {@code -P&L}; with the scenarios sorted by P&amp;L
 * ascending (ties by scenario number) and {@code k = ceil(K (1 - alpha))}:
 *
 * <pre>
 *  VaR_alpha = -P_(k)                            the k-th worst P&amp;L (an empirical lower quantile)
 *  ES_alpha  = -(P_(1) + ... + P_(k)) / k        the mean of the k worst, so ES >= VaR
 *  Euler VaR of group g = VaR * S_g / S           S_g = sum of g's P&amp;L over the ranks k-m .. k+m,
 *                                                 S the same sum of the total, m = max(1, round(sqrt(K) / 4))
 *  ES contribution of g = -(g's P&amp;L summed over the k worst scenarios) / k
 * </pre>
 *
 * Because P&amp;L are integers and the total is the sum of the groups, S is exactly the sum of the
 * S_g and the ES contributions add up to ES exactly; the Euler VaR contributions add up to VaR up
 * to the rounding of one division each.
 */
final class RiskMath {
  private RiskMath() {}

  /** Scenario numbers sorted by P&amp;L ascending, ties by scenario number. */
  static int[] order(long[] pnl) {
    Integer[] idx = new Integer[pnl.length];
    for (int i = 0; i < pnl.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(
        idx,
        (a, b) -> {
          int c = Long.compare(pnl[a], pnl[b]);
          return c != 0 ? c : Integer.compare(a, b);
        });
    int[] out = new int[pnl.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  /** k = ceil(K (1 - alpha)), at least 1 (a tiny epsilon absorbs 0.99's binary rounding). */
  static int tailCount(int scenarios, double confidence) {
    double x = scenarios * (1.0 - confidence);
    int k = (int) Math.ceil(x - 1e-9 * Math.max(1.0, x));
    return Math.max(1, Math.min(scenarios, k));
  }

  /** Half-width m of the Euler window in ranks. */
  static int eulerHalfWidth(int scenarios) {
    return Math.max(1, (int) Math.round(Math.sqrt(scenarios) / 4.0));
  }

  static double var(long[] pnl, int[] order, int k) {
    return -pnl[order[k - 1]] / Revaluation.UNITS_PER_CURRENCY;
  }

  static double es(long[] pnl, int[] order, int k) {
    return -tailSum(pnl, order, k) / (double) k / Revaluation.UNITS_PER_CURRENCY;
  }

  /** Sum of {@code values} over the {@code k} worst scenarios of {@code order}. */
  static long tailSum(long[] values, int[] order, int k) {
    long s = 0;
    for (int j = 0; j < k; j++) {
      s = Math.addExact(s, values[order[j]]);
    }
    return s;
  }

  /** Sum of {@code values} over the ranks {@code [k - m, k + m]} (1-based, clipped). */
  static long windowSum(long[] values, int[] order, int k, int m) {
    int lo = Math.max(1, k - m);
    int hi = Math.min(order.length, k + m);
    long s = 0;
    for (int r = lo; r <= hi; r++) {
      s = Math.addExact(s, values[order[r - 1]]);
    }
    return s;
  }

  /** Euler contribution of a group with window sum {@code groupWindow} of a total {@code total}. */
  static double euler(double var, long groupWindow, long totalWindow) {
    if (totalWindow == 0) {
      return 0.0;
    }
    return var * ((double) groupWindow / (double) totalWindow);
  }
}
