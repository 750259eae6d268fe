package dev.amalgam.kernels;

import static dev.amalgam.kernels.ArithmeticTestData.CPU;
import static dev.amalgam.kernels.ArithmeticTestData.SIZES;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.kernels.ArithmeticTestData.Profile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** CASE-style select. */
final class SelectKernelsTest {

  @Test
  void select_randomInputs_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      ArithmeticTestData d = new ArithmeticTestData(arena, "select");
      for (int n : SIZES) {
        for (boolean selected : new boolean[] {false, true}) {
          for (int round = 0; round < 3; round++) {
            int rows = selected ? 2 * n + 5 : n;
            MemorySegment sel = selected ? d.selection(rows, n) : null;
            MemorySegment cond = d.validity(rows);
            MemorySegment cv = d.maybeValidity(rows);
            MemorySegment a = d.int64s(rows, Profile.MIXED);
            MemorySegment b = d.int64s(rows, Profile.MIXED);
            MemorySegment fa = d.float64s(rows, Profile.MIXED);
            MemorySegment fb = d.float64s(rows, Profile.MIXED);
            MemorySegment av = d.maybeValidity(rows);
            MemorySegment bv = d.maybeValidity(rows);
            boolean nl = av != null || bv != null;
            String what = "select" + (selected ? " selected" : "");
            d.differential(
                what + " int64",
                n,
                8,
                nl,
                (x, out, ov) -> x.selectInt64(cond, cv, a, av, b, bv, sel, n, out, ov));
            d.differential(
                what + " float64",
                n,
                8,
                nl,
                (x, out, ov) -> x.selectFloat64(cond, cv, fa, av, fb, bv, sel, n, out, ov));
          }
        }
      }
    }
  }

  @Test
  void select_nullCondition_takesElseBranch() {
    try (Arena arena = Arena.ofConfined()) {
      int n = 70;
      MemorySegment cond = arena.allocate(16);
      Validity.setAllValid(cond, n);
      MemorySegment cv = arena.allocate(16);
      Validity.setAllValid(cv, n);
      Validity.set(cv, 3, false);
      Validity.set(cv, 69, false);
      MemorySegment a = arena.allocate(8L * n);
      MemorySegment b = arena.allocate(8L * n);
      for (int i = 0; i < n; i++) {
        a.setAtIndex(ArrowLayout.INT64, i, 1);
        b.setAtIndex(ArrowLayout.INT64, i, 2);
      }
      MemorySegment out = arena.allocate(8L * n);
      CPU.selectInt64(cond, cv, a, null, b, null, null, n, out, null);
      assertThat(out.getAtIndex(ArrowLayout.INT64, 0)).isEqualTo(1);
      assertThat(out.getAtIndex(ArrowLayout.INT64, 3)).isEqualTo(2);
      assertThat(out.getAtIndex(ArrowLayout.INT64, 69)).isEqualTo(2);
    }
  }
}
