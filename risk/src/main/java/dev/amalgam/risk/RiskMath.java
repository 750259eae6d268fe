package dev.amalgam.risk;

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
    return smallest(pnl, pnl.length);
  }

  /**
   * The {@code count} scenarios with the lowest P&amp;L, sorted ascending (ties by scenario
   * number): the ranks 1 .. count of {@link #order}, found with a bounded heap in {@code O(K log
   * count)} instead of a sort of all K.
   */
  static int[] smallest(long[] pnl, int count) {
    int n = Math.min(count, pnl.length);
    int[] heap = new int[n];
    if (n == 0) {
      return heap;
    }
    // a max-heap (by pnl, then scenario) of the n smallest seen so far
    int size = 0;
    for (int s = 0; s < pnl.length; s++) {
      if (size < n) {
        heap[size] = s;
        siftUp(pnl, heap, size++);
      } else if (before(pnl, s, heap[0])) {
        heap[0] = s;
        siftDown(pnl, heap, 0, n);
      }
    }
    for (int end = n - 1; end > 0; end--) {
      int top = heap[0];
      heap[0] = heap[end];
      heap[end] = top;
      siftDown(pnl, heap, 0, end);
    }
    return heap;
  }

  /** Scenario a ranks before b: lower P&amp;L, or equal P&amp;L and a lower number. */
  private static boolean before(long[] pnl, int a, int b) {
    return pnl[a] < pnl[b] || (pnl[a] == pnl[b] && a < b);
  }

  private static void siftUp(long[] pnl, int[] heap, int i) {
    int x = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!before(pnl, heap[parent], x)) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = x;
  }

  private static void siftDown(long[] pnl, int[] heap, int i, int size) {
    int x = heap[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && before(pnl, heap[child], heap[child + 1])) {
        child++;
      }
      if (!before(pnl, x, heap[child])) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = x;
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

  /**
   * Sum of {@code values} over the ranks {@code [k - m, k + m]} (1-based, clipped to the ranks in
   * {@code order}, which holds at least the first {@code min(K, k + m)}).
   */
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
