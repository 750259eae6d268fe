package dev.amalgam.exec.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class DistinctSketchTest {

  @Test
  void estimatesWithinAFewPercentFromTenToAMillion() {
    long seed = System.nanoTime();
    System.out.println("DistinctSketchTest seed " + seed);
    Random rnd = new Random(seed);
    for (int distinct : new int[] {1, 10, 1_000, 50_000, 1_000_000}) {
      DistinctSketch s = new DistinctSketch();
      Set<Long> exact = new HashSet<>();
      long base = rnd.nextLong();
      for (int i = 0; i < 2 * distinct; i++) {
        long v = base + rnd.nextInt(distinct); // each value about twice, some missing
        s.add(v);
        exact.add(v);
      }
      double expected = exact.size();
      assertThat(s.estimate())
          .as("distinct %d", distinct)
          .isCloseTo(expected, within(0.06 * expected + 1));
    }
  }

  @Test
  void mergedSketchesCountTheUnion() {
    DistinctSketch a = new DistinctSketch();
    DistinctSketch b = new DistinctSketch();
    for (long v = 0; v < 60_000; v++) {
      a.add(v);
      b.add(v + 30_000);
    }
    a.addAll(b);
    assertThat(a.estimate()).isCloseTo(90_000, within(5_000.0));
  }

  @Test
  void emptySketchEstimatesZero() {
    assertThat(new DistinctSketch().estimate()).isZero();
  }
}
