package dev.amalgam.kernels;

import static dev.amalgam.kernels.FilterTestData.entries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.kernels.reference.ScalarFilterKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Known answers (SQL float order, extremes, nulls), aliasing rules and errors. */
final class FilterKernelsTest {
  private static final List<FilterKernels> IMPLS =
      List.of(FilterKernels.cpu(), new ScalarFilterKernels());
  private static final double OTHER_NAN = Double.longBitsToDouble(0xfff0_0000_0000_0123L);

  private static MemorySegment doubles(Arena arena, double... values) {
    MemorySegment s = arena.allocate(8L * values.length, 8);
    for (int i = 0; i < values.length; i++) {
      s.setAtIndex(ArrowLayout.FLOAT64, i, values[i]);
    }
    return s;
  }

  private static MemorySegment longs(Arena arena, long... values) {
    MemorySegment s = arena.allocate(8L * values.length, 8);
    for (int i = 0; i < values.length; i++) {
      s.setAtIndex(ArrowLayout.INT64, i, values[i]);
    }
    return s;
  }

  private static MemorySegment ints(Arena arena, int... values) {
    MemorySegment s = arena.allocate(4L * values.length + 1, 4);
    for (int i = 0; i < values.length; i++) {
      s.setAtIndex(ArrowLayout.INT32, i, values[i]);
    }
    return s;
  }

  private static int[] compareF64(
      FilterKernels k, Arena arena, CompareOp op, MemorySegment v, int n, double c) {
    MemorySegment out = arena.allocate(4L * n + 4);
    return entries(out, k.compareFloat64(op, v, null, c, n, null, 0, out));
  }

  @Test
  void compareFloat64_nanAndSignedZero_followSqlOrder() {
    try (Arena arena = Arena.ofConfined()) {
      //                            0      1     2    3                         4    5    6
      MemorySegment v =
          doubles(arena, Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, -1, 1, OTHER_NAN);
      for (FilterKernels k : IMPLS) {
        assertThat(compareF64(k, arena, CompareOp.EQ, v, 7, Double.NaN)).containsExactly(0, 6);
        assertThat(compareF64(k, arena, CompareOp.NE, v, 7, Double.NaN))
            .containsExactly(1, 2, 3, 4, 5);
        assertThat(compareF64(k, arena, CompareOp.LT, v, 7, Double.NaN))
            .containsExactly(1, 2, 3, 4, 5);
        assertThat(compareF64(k, arena, CompareOp.GT, v, 7, Double.NaN)).isEmpty();
        assertThat(compareF64(k, arena, CompareOp.LE, v, 7, Double.NaN))
            .containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(compareF64(k, arena, CompareOp.GE, v, 7, Double.NaN)).containsExactly(0, 6);
        assertThat(compareF64(k, arena, CompareOp.EQ, v, 7, 0.0)).containsExactly(1, 2);
        assertThat(compareF64(k, arena, CompareOp.EQ, v, 7, -0.0)).containsExactly(1, 2);
        assertThat(compareF64(k, arena, CompareOp.GT, v, 7, 0.0)).containsExactly(0, 3, 5, 6);
        assertThat(compareF64(k, arena, CompareOp.GT, v, 7, Double.POSITIVE_INFINITY))
            .containsExactly(0, 6);
        assertThat(compareF64(k, arena, CompareOp.LT, v, 7, 0.0)).containsExactly(4);
        assertThat(compareF64(k, arena, CompareOp.NE, v, 7, 1.0)).containsExactly(0, 1, 2, 3, 4, 6);
      }
    }
  }

  @Test
  void compareFloat64Columns_nanOnEitherSide_followSqlOrder() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment l = doubles(arena, Double.NaN, Double.NaN, 1, -0.0, 2);
      MemorySegment r = doubles(arena, OTHER_NAN, 1, Double.NaN, 0.0, 1);
      MemorySegment out = arena.allocate(4 * 5);
      for (FilterKernels k : IMPLS) {
        assertThat(
                entries(
                    out, k.compareFloat64Columns(CompareOp.EQ, l, null, r, null, 5, null, 0, out)))
            .containsExactly(0, 3);
        assertThat(
                entries(
                    out, k.compareFloat64Columns(CompareOp.GT, l, null, r, null, 5, null, 0, out)))
            .containsExactly(1, 4);
        assertThat(
                entries(
                    out, k.compareFloat64Columns(CompareOp.LT, l, null, r, null, 5, null, 0, out)))
            .containsExactly(2);
      }
    }
  }

  @Test
  void betweenAndIn_float64NanAndZeroBounds_followSqlOrder() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment v = doubles(arena, Double.NaN, -0.0, 3, Double.POSITIVE_INFINITY);
      MemorySegment out = arena.allocate(4 * 4);
      for (FilterKernels k : IMPLS) {
        assertThat(entries(out, k.betweenFloat64(v, null, 0.0, Double.NaN, 4, null, 0, out)))
            .containsExactly(0, 1, 2, 3);
        assertThat(entries(out, k.betweenFloat64(v, null, Double.NaN, Double.NaN, 4, null, 0, out)))
            .containsExactly(0);
        assertThat(entries(out, k.betweenFloat64(v, null, Double.NaN, 5, 4, null, 0, out)))
            .isEmpty();
        assertThat(entries(out, k.betweenFloat64(v, null, 0.0, 3, 4, null, 0, out)))
            .containsExactly(1, 2);
        assertThat(
                entries(out, k.inFloat64(v, null, new double[] {OTHER_NAN, 0.0}, 4, null, 0, out)))
            .containsExactly(0, 1);
      }
    }
  }

  @Test
  void compareInt64_extremeConstants_selectAllOrNone() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment v = longs(arena, Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1L << 40);
      MemorySegment out = arena.allocate(4 * 5);
      for (FilterKernels k : IMPLS) {
        assertThat(k.compareInt64(CompareOp.LT, v, null, Long.MIN_VALUE, 5, null, 0, out)).isZero();
        assertThat(k.compareInt64(CompareOp.GE, v, null, Long.MIN_VALUE, 5, null, 0, out))
            .isEqualTo(5);
        assertThat(k.compareInt64(CompareOp.GT, v, null, Long.MAX_VALUE, 5, null, 0, out)).isZero();
        assertThat(entries(out, k.compareInt64(CompareOp.EQ, v, null, 1L << 40, 5, null, 0, out)))
            .containsExactly(4);
        assertThat(entries(out, k.betweenInt64(v, null, -1, Long.MAX_VALUE, 5, null, 0, out)))
            .containsExactly(1, 2, 3, 4);
        assertThat(k.betweenInt64(v, null, 1, 0, 5, null, 0, out)).as("low > high").isZero();
      }
    }
  }

  @Test
  void compareInt32_nullRows_neverSelectedButIsNullSeesThem() {
    try (Arena arena = Arena.ofConfined()) {
      int n = 70; // a full word and a tail
      MemorySegment v = arena.allocate(4L * n);
      MemorySegment valid = arena.allocate(ArrowLayout.bitmapBytes(n));
      Validity.setAllValid(valid, n);
      Validity.set(valid, 3, false);
      Validity.set(valid, 66, false);
      MemorySegment out = arena.allocate(4L * n);
      MemorySegment bitmap = arena.allocate(ArrowLayout.bitmapBytes(n));
      for (FilterKernels k : IMPLS) {
        assertThat(k.compareInt32(CompareOp.EQ, v, valid, 0, n, null, 0, out)).isEqualTo(n - 2);
        assertThat(k.compareInt32(CompareOp.NE, v, valid, 0, n, null, 0, out)).isZero();
        assertThat(k.compareInt32Bitmap(CompareOp.NE, v, valid, 0, n, bitmap)).isZero();
        assertThat(entries(out, k.isNull(valid, n, null, 0, out))).containsExactly(3, 66);
        assertThat(k.isNull(null, n, null, 0, out)).isZero();
        assertThat(k.isNotNull(null, n, null, 0, out)).isEqualTo(n);
        assertThat(k.inInt32(v, valid, new int[] {5, 0}, n, null, 0, out)).isEqualTo(n - 2);
      }
    }
  }

  @Test
  void compareInt64_outIsTheInputSelection_refinesInPlace() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED));
      int n = 4099;
      MemorySegment v = d.int64s(n);
      for (double density : new double[] {0.05, 0.7}) { // sparse (gather) and dense paths
        int[] rows = d.subset(n, density);
        MemorySegment expected = arena.allocate(4L * n);
        MemorySegment sel = d.ints(rows);
        int want =
            IMPLS.get(1).compareInt64(CompareOp.GE, v, null, 0, n, sel, rows.length, expected);
        int got =
            FilterKernels.cpu().compareInt64(CompareOp.GE, v, null, 0, n, sel, rows.length, sel);
        assertThat(entries(sel, got))
            .as(FilterTestData.context("in place, density " + density))
            .containsExactly(entries(expected, want));
      }
    }
  }

  @Test
  void compareInt64_selectionRowOutsideN_throwsInsteadOfLooping() {
    try (Arena arena = Arena.ofConfined()) {
      int n = 100;
      MemorySegment v = arena.allocate(8L * 200);
      int[] rows = new int[64];
      for (int i = 0; i < 64; i++) {
        rows[i] = i < 63 ? i : 150;
      }
      MemorySegment out = arena.allocate(4L * n);
      assertThatThrownBy(
              () ->
                  FilterKernels.cpu()
                      .compareInt64(CompareOp.EQ, v, null, 0, n, ints(arena, rows), 64, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("sel entry 63 is row 150, outside [0, n=100)");
    }
  }

  @Test
  void andBitmaps_outAliasesInput_isWordWise() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED));
      int n = 1000;
      MemorySegment a = d.bitmap(n, 0.5);
      MemorySegment b = d.bitmap(n, 0.5);
      MemorySegment expected = d.bitmapOut(n);
      int want = IMPLS.get(1).andBitmaps(a, b, n, expected);
      int got = FilterKernels.cpu().andBitmaps(a, b, n, a);
      assertThat(got).isEqualTo(want);
      assertThat(FilterTestData.bytes(a, n)).isEqualTo(FilterTestData.bytes(expected, n));
    }
  }

  @Test
  void compaction_roundTrip_isIdentity() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED));
      int n = 4099;
      int[] rows = d.subset(n, 0.3);
      MemorySegment bitmap = d.bitmapOut(n);
      MemorySegment out = d.selectionOut(n);
      FilterKernels k = FilterKernels.cpu();
      assertThat(k.selectionToBitmap(d.ints(rows), rows.length, n, bitmap)).isEqualTo(rows.length);
      assertThat(k.countBits(bitmap, n)).isEqualTo(rows.length);
      assertThat(entries(out, k.bitmapToSelection(bitmap, n, out))).containsExactly(rows);
    }
  }

  @Test
  void compareOp_negateAndFlip_agreeWithHolds() {
    for (CompareOp op : CompareOp.values()) {
      for (int cmp = -1; cmp <= 1; cmp++) {
        assertThat(op.negate().holds(cmp)).isEqualTo(!op.holds(cmp));
        assertThat(op.flip().holds(-cmp)).isEqualTo(op.holds(cmp));
      }
    }
    assertThat(CompareOp.compareSql(Double.NaN, OTHER_NAN)).isZero();
    assertThat(CompareOp.compareSql(Double.NaN, Double.POSITIVE_INFINITY)).isEqualTo(1);
    assertThat(CompareOp.compareSql(-0.0, 0.0)).isZero();
    assertThat(CompareOp.LE.symbol()).isEqualTo("<=");
  }

  @Test
  void compare_badArguments_throwNamingTheArgument() {
    try (Arena arena = Arena.ofConfined()) {
      FilterKernels k = FilterKernels.cpu();
      MemorySegment v = arena.allocate(8 * 10);
      MemorySegment out = arena.allocate(4 * 10);
      MemorySegment sel = ints(arena, 1, 2, 3);
      assertThatThrownBy(() -> k.compareInt64(CompareOp.EQ, v, null, 0, -1, null, 0, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("n must be >= 0, got -1");
      assertThatThrownBy(() -> k.compareInt64(CompareOp.EQ, v, null, 0, 11, null, 0, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("values holds 80 bytes, needs 88");
      assertThatThrownBy(() -> k.compareInt64(CompareOp.EQ, v, null, 0, 10, sel, 11, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("sel count must be in [0, n=10], got 11");
      assertThatThrownBy(() -> k.compareInt32(CompareOp.EQ, v, null, 0, 20, null, 0, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("out holds 40 bytes, needs 80");
      assertThatThrownBy(
              () -> k.compareInt64(CompareOp.EQ, v, arena.allocate(1), 0, 10, null, 0, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("validity holds 1 bytes, needs 2");
      assertThatThrownBy(
              () -> k.compareInt64Columns(CompareOp.EQ, v, null, out, null, 10, null, 0, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("right holds 40 bytes");
      assertThatThrownBy(
              () -> k.compareInt64Bitmap(CompareOp.EQ, v, null, 0, 10, arena.allocate(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("outBitmap holds 1 bytes, needs 2");
    }
  }

  @Test
  void gatherScatterCompaction_badIndices_throwNamingTheEntry() {
    try (Arena arena = Arena.ofConfined()) {
      FilterKernels k = FilterKernels.cpu();
      MemorySegment v = arena.allocate(8 * 10);
      MemorySegment out = arena.allocate(8 * 10);
      assertThatThrownBy(() -> k.gatherInt64(v, null, 10, ints(arena, 0, 10), 2, out, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("indices[1] = 10 is outside [0, 10)");
      assertThatThrownBy(() -> k.gatherInt32(v, null, 10, ints(arena, -1), 1, out, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("indices[0] = -1 is outside [0, 10)");
      assertThatThrownBy(() -> k.scatterFloat64(v, null, 1, ints(arena, 5), 5, out, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("indices[0] = 5 is outside [0, 5)");
      MemorySegment bitmap = arena.allocate(13);
      assertThatThrownBy(() -> k.selectionToBitmap(ints(arena, 70, 3), 2, 100, bitmap))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sel entry 1 is row 3: not ascending");
      assertThatThrownBy(() -> k.selectionToBitmap(ints(arena, 3, 12), 2, 10, bitmap))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sel entry 1 is row 12: not ascending or outside [0, n=10)");
      assertThatThrownBy(
              () -> k.orSelections(ints(arena, 1), 1, ints(arena, 2), 1, 5, arena.allocate(4)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("out holds 4 bytes, needs 8");
    }
  }
}
