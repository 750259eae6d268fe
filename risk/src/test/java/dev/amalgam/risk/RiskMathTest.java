package dev.amalgam.risk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class RiskMathTest {
  private static final long SEED = Long.getLong("amalgam.test.seed", System.nanoTime());

  @Test
  void smallest_randomPnlWithTies_isThePrefixOfTheFullSortedOrder() {
    System.out.println("RiskMathTest seed " + SEED);
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int round = 0; round < 300; round++) {
      int k = rnd.nextInt(1, 3000);
      long[] pnl = new long[k];
      int spread = rnd.nextBoolean() ? 5 : 1_000_000;
      for (int s = 0; s < k; s++) {
        pnl[s] = rnd.nextLong(-spread, spread + 1);
      }
      Integer[] idx = new Integer[k];
      for (int s = 0; s < k; s++) {
        idx[s] = s;
      }
      Arrays.sort(idx, Comparator.<Integer>comparingLong(s -> pnl[s]).thenComparing(s -> s));
      int count = rnd.nextInt(0, k + 5);
      int[] got = RiskMath.smallest(pnl, count);
      assertThat(got).as("K=%d count=%d (seed %d)", k, count, SEED).hasSize(Math.min(k, count));
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i]).as("rank %d of K=%d (seed %d)", i + 1, k, SEED).isEqualTo(idx[i]);
      }
    }
  }

  @Test
  void windowSum_partialOrder_equalsWindowOverFullOrder() {
    SplittableRandom rnd = new SplittableRandom(SEED ^ 7);
    long[] pnl = new long[10_000];
    for (int s = 0; s < pnl.length; s++) {
      pnl[s] = rnd.nextLong(-1_000, 1_000);
    }
    int[] full = RiskMath.order(pnl);
    for (int k : new int[] {1, 2, 100, 250, 9_990, 10_000}) {
      int m = RiskMath.eulerHalfWidth(pnl.length);
      int[] part = RiskMath.smallest(pnl, k + m);
      assertThat(RiskMath.windowSum(pnl, part, k, m))
          .isEqualTo(RiskMath.windowSum(pnl, full, k, m));
      assertThat(RiskMath.tailSum(pnl, part, k)).isEqualTo(RiskMath.tailSum(pnl, full, k));
    }
  }
}
