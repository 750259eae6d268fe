package dev.amalgam.kernels;

import static dev.amalgam.kernels.ArithmeticTestData.CPU;
import static dev.amalgam.kernels.ArithmeticTestData.SIZES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.kernels.ArithmeticTestData.Profile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** int32, int64 and float64 arithmetic: differential against the reference, edges and errors. */
final class ArithmeticKernelsTest {

  /** Inputs of one differential case: rows, columns, bitmaps and an optional selection. */
  private record Case(
      int n,
      @Nullable MemorySegment sel,
      MemorySegment a,
      @Nullable MemorySegment av,
      MemorySegment b,
      @Nullable MemorySegment bv) {
    boolean nullable() {
      return av != null || bv != null;
    }
  }

  private static Case newCase(
      ArithmeticTestData d, int n, boolean selected, int width, Profile p, ArithmeticOp op) {
    int rows = selected ? 2 * n + 5 : n;
    MemorySegment sel = selected ? d.selection(rows, n) : null;
    MemorySegment a = width == 8 ? d.int64s(rows, p) : d.int32s(rows, p);
    MemorySegment b = width == 8 ? d.int64s(rows, p) : d.int32s(rows, p);
    MemorySegment av = d.maybeValidity(rows);
    MemorySegment bv = d.maybeValidity(rows);
    if (p == Profile.SMALL && (op == ArithmeticOp.DIVIDE || op == ArithmeticOp.MODULO)) {
      for (int i = 0; i < rows; i++) { // no zero divisors in valid rows
        if (width == 8 && b.getAtIndex(ArrowLayout.INT64, i) == 0) {
          b.setAtIndex(ArrowLayout.INT64, i, 7);
        } else if (width == 4 && b.getAtIndex(ArrowLayout.INT32, i) == 0) {
          b.setAtIndex(ArrowLayout.INT32, i, 7);
        }
      }
    }
    if (p == Profile.SMALL) { // null rows hold values that would fail: they must not
      if (width == 8) {
        ArithmeticTestData.poisonNullsInt64(a, av, rows, Long.MIN_VALUE);
        ArithmeticTestData.poisonNullsInt64(b, bv, rows, 0);
      } else {
        ArithmeticTestData.poisonNullsInt32(a, av, rows, Integer.MIN_VALUE);
        ArithmeticTestData.poisonNullsInt32(b, bv, rows, 0);
      }
    }
    return new Case(n, sel, a, av, b, bv);
  }

  @Test
  void int64_randomInputs_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      ArithmeticTestData d = new ArithmeticTestData(arena, "int64");
      for (ArithmeticOp op : ArithmeticOp.values()) {
        for (int n : SIZES) {
          for (Profile p : Profile.values()) {
            for (boolean selected : new boolean[] {false, true}) {
              Case c = newCase(d, n, selected, 8, p, op);
              long k = d.nextLong(p);
              String what = "int64 " + op + " " + p + (selected ? " selected" : "");
              d.differential(
                  what + " col-col",
                  n,
                  8,
                  c.nullable(),
                  (x, out, ov) -> x.int64(op, c.a, c.av, c.b, c.bv, c.sel, n, out, ov));
              d.differential(
                  what + " col-const " + k,
                  n,
                  8,
                  c.av != null,
                  (x, out, ov) -> x.int64(op, c.a, c.av, k, c.sel, n, out, ov));
              d.differential(
                  what + " const-col " + k,
                  n,
                  8,
                  c.bv != null,
                  (x, out, ov) -> x.int64(op, k, c.b, c.bv, c.sel, n, out, ov));
            }
          }
        }
      }
    }
  }

  @Test
  void int32_randomInputs_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      ArithmeticTestData d = new ArithmeticTestData(arena, "int32");
      for (ArithmeticOp op : ArithmeticOp.values()) {
        for (int n : SIZES) {
          for (Profile p : Profile.values()) {
            for (boolean selected : new boolean[] {false, true}) {
              Case c = newCase(d, n, selected, 4, p, op);
              int k = d.nextInt(p);
              String what = "int32 " + op + " " + p + (selected ? " selected" : "");
              d.differential(
                  what + " col-col",
                  n,
                  4,
                  c.nullable(),
                  (x, out, ov) -> x.int32(op, c.a, c.av, c.b, c.bv, c.sel, n, out, ov));
              d.differential(
                  what + " col-const " + k,
                  n,
                  4,
                  c.av != null,
                  (x, out, ov) -> x.int32(op, c.a, c.av, k, c.sel, n, out, ov));
              d.differential(
                  what + " const-col " + k,
                  n,
                  4,
                  c.bv != null,
                  (x, out, ov) -> x.int32(op, k, c.b, c.bv, c.sel, n, out, ov));
            }
          }
        }
      }
    }
  }

  @Test
  void float64_randomInputs_matchReferenceBitForBitUpToNaNPayload() {
    try (Arena arena = Arena.ofConfined()) {
      ArithmeticTestData d = new ArithmeticTestData(arena, "float64");
      for (ArithmeticOp op : ArithmeticOp.values()) {
        for (int n : SIZES) {
          for (Profile p : Profile.values()) {
            for (boolean selected : new boolean[] {false, true}) {
              int rows = selected ? 2 * n + 5 : n;
              MemorySegment sel = selected ? d.selection(rows, n) : null;
              MemorySegment a = d.float64s(rows, p);
              MemorySegment b = d.float64s(rows, p);
              MemorySegment av = d.maybeValidity(rows);
              MemorySegment bv = d.maybeValidity(rows);
              double k = d.nextDouble(p);
              String what = "float64 " + op + " " + p + (selected ? " selected" : "");
              d.differentialFloat64(
                  what + " col-col",
                  n,
                  av != null || bv != null,
                  (x, out, ov) -> x.float64(op, a, av, b, bv, sel, n, out, ov));
              d.differentialFloat64(
                  what + " col-const " + k,
                  n,
                  av != null,
                  (x, out, ov) -> x.float64(op, a, av, k, sel, n, out, ov));
              d.differentialFloat64(
                  what + " const-col " + k,
                  n,
                  bv != null,
                  (x, out, ov) -> x.float64(op, k, b, bv, sel, n, out, ov));
            }
          }
        }
      }
    }
  }

  // ---- edges and errors -----------------------------------------------------------------------

  private static MemorySegment longs(Arena arena, long... v) {
    MemorySegment s = arena.allocate(8L * v.length, 8);
    for (int i = 0; i < v.length; i++) {
      s.setAtIndex(ArrowLayout.INT64, i, v[i]);
    }
    return s;
  }

  private static MemorySegment ints(Arena arena, int... v) {
    MemorySegment s = arena.allocate(4L * v.length, 4);
    for (int i = 0; i < v.length; i++) {
      s.setAtIndex(ArrowLayout.INT32, i, v[i]);
    }
    return s;
  }

  private static MemorySegment doubles(Arena arena, double... v) {
    MemorySegment s = arena.allocate(8L * v.length, 8);
    for (int i = 0; i < v.length; i++) {
      s.setAtIndex(ArrowLayout.FLOAT64, i, v[i]);
    }
    return s;
  }

  @Test
  void int64Add_overflowInVectorBody_throwsNamingRowAndOperands() {
    try (Arena arena = Arena.ofConfined()) {
      long[] a = new long[20];
      a[11] = Long.MAX_VALUE;
      MemorySegment out = arena.allocate(8 * 20);
      assertThatThrownBy(
              () -> CPU.int64(ArithmeticOp.ADD, longs(arena, a), null, 1, null, 20, out, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(11))
          .hasMessageContaining("int64 add")
          .hasMessageContaining("row 11")
          .hasMessageContaining("9223372036854775807 + 1");
    }
  }

  @Test
  void int64Multiply_largeButExactProducts_computedWithoutError() {
    try (Arena arena = Arena.ofConfined()) {
      long[] a = {3037000499L, -3037000499L, 1L << 62, Long.MIN_VALUE, -1, 1L << 31, 5, 6, 7};
      long[] b = {3037000499L, 3037000499L, 1, 1, Long.MAX_VALUE, -(1L << 31), 5, 6, 7};
      MemorySegment out = arena.allocate(8 * 9);
      CPU.int64(
          ArithmeticOp.MULTIPLY, longs(arena, a), null, longs(arena, b), null, null, 9, out, null);
      for (int i = 0; i < 9; i++) {
        assertThat(out.getAtIndex(ArrowLayout.INT64, i)).isEqualTo(a[i] * b[i]);
      }
      MemorySegment big = longs(arena, 0, 0, 0, 0, 0, 0, 0, 0, 3037000500L);
      assertThatThrownBy(
              () -> CPU.int64(ArithmeticOp.MULTIPLY, big, null, big, null, null, 9, out, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(8));
    }
  }

  @Test
  void int64Divide_minByMinusOne_isOverflowAndModuloIsZero() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = longs(arena, Long.MIN_VALUE);
      MemorySegment out = arena.allocate(8);
      assertThatThrownBy(() -> CPU.int64(ArithmeticOp.DIVIDE, a, null, -1L, null, 1, out, null))
          .isInstanceOf(KernelException.class)
          .hasMessageContaining("overflows");
      CPU.int64(ArithmeticOp.MODULO, a, null, -1L, null, 1, out, null);
      assertThat(out.getAtIndex(ArrowLayout.INT64, 0)).isZero();
    }
  }

  @Test
  void int32Divide_byZero_throwsDivisionByZero() {
    try (Arena arena = Arena.ofConfined()) {
      int[] b = new int[40];
      java.util.Arrays.fill(b, 3);
      b[33] = 0;
      MemorySegment out = arena.allocate(4 * 40);
      assertThatThrownBy(
              () -> CPU.int32(ArithmeticOp.DIVIDE, 7, ints(arena, b), null, null, 40, out, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(33))
          .hasMessageContaining("division by zero")
          .hasMessageContaining("7 / 0");
    }
  }

  @Test
  void int32Divide_truncatesTowardZeroWithDividendSignForModulo() {
    try (Arena arena = Arena.ofConfined()) {
      int[] a = {7, -7, 7, -7, Integer.MIN_VALUE, Integer.MAX_VALUE, 1, -1, 0};
      int[] b = {2, 2, -2, -2, 1, -1, Integer.MIN_VALUE, 3, -5};
      MemorySegment out = arena.allocate(4 * 9);
      CPU.int32(
          ArithmeticOp.DIVIDE, ints(arena, a), null, ints(arena, b), null, null, 9, out, null);
      MemorySegment mod = arena.allocate(4 * 9);
      CPU.int32(
          ArithmeticOp.MODULO, ints(arena, a), null, ints(arena, b), null, null, 9, mod, null);
      for (int i = 0; i < 9; i++) {
        assertThat(out.getAtIndex(ArrowLayout.INT32, i))
            .as("%d / %d", a[i], b[i])
            .isEqualTo(a[i] / b[i]);
        assertThat(mod.getAtIndex(ArrowLayout.INT32, i))
            .as("%d %% %d", a[i], b[i])
            .isEqualTo(a[i] % b[i]);
      }
    }
  }

  @Test
  void int64_nullRowWithZeroDivisor_isNullNotError() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment b = longs(arena, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0);
      MemorySegment bv = arena.allocate(8);
      Validity.setAllValid(bv, 10);
      Validity.set(bv, 1, false);
      Validity.set(bv, 9, false);
      MemorySegment out = arena.allocate(80);
      MemorySegment ov = arena.allocate(8);
      CPU.int64(ArithmeticOp.DIVIDE, 10L, b, bv, null, 10, out, ov);
      assertThat(Validity.isValid(ov, 1)).isFalse();
      assertThat(Validity.isValid(ov, 9)).isFalse();
      assertThat(out.getAtIndex(ArrowLayout.INT64, 0)).isEqualTo(10);
    }
  }

  @Test
  void int64_selection_outputIsDenseAndErrorNamesInputRow() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = longs(arena, 1, 2, 3, 4, Long.MAX_VALUE, 6);
      MemorySegment sel = ints(arena, 1, 3, 5);
      MemorySegment out = arena.allocate(24);
      CPU.int64(ArithmeticOp.MULTIPLY, a, null, 10L, sel, 3, out, null);
      assertThat(
              new long[] {
                out.getAtIndex(ArrowLayout.INT64, 0),
                out.getAtIndex(ArrowLayout.INT64, 1),
                out.getAtIndex(ArrowLayout.INT64, 2)
              })
          .containsExactly(20, 40, 60);
      MemorySegment sel2 = ints(arena, 0, 4);
      assertThatThrownBy(() -> CPU.int64(ArithmeticOp.ADD, a, null, 1L, sel2, 2, out, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(4));
    }
  }

  @Test
  void float64_ieeeSpecials_followIeee() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a =
          doubles(arena, 1, -1, 0, -0.0, 5, Double.NaN, Double.POSITIVE_INFINITY, 1, 1);
      MemorySegment b = doubles(arena, 0, 0, 0, 0.0, 0, 1, Double.POSITIVE_INFINITY, -0.0, 3);
      MemorySegment div = arena.allocate(72);
      MemorySegment mod = arena.allocate(72);
      MemorySegment add = arena.allocate(72);
      CPU.float64(ArithmeticOp.DIVIDE, a, null, b, null, null, 9, div, null);
      CPU.float64(ArithmeticOp.MODULO, a, null, b, null, null, 9, mod, null);
      CPU.float64(ArithmeticOp.ADD, a, null, b, null, null, 9, add, null);
      assertThat(div.getAtIndex(ArrowLayout.FLOAT64, 0)).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(div.getAtIndex(ArrowLayout.FLOAT64, 1)).isEqualTo(Double.NEGATIVE_INFINITY);
      assertThat(div.getAtIndex(ArrowLayout.FLOAT64, 2)).isNaN();
      assertThat(div.getAtIndex(ArrowLayout.FLOAT64, 7)).isEqualTo(Double.NEGATIVE_INFINITY);
      assertThat(mod.getAtIndex(ArrowLayout.FLOAT64, 4)).isNaN();
      assertThat(add.getAtIndex(ArrowLayout.FLOAT64, 3))
          .isEqualTo(0.0)
          .matches(x -> Double.doubleToRawLongBits(x) == 0);
      assertThat(add.getAtIndex(ArrowLayout.FLOAT64, 6)).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(div.getAtIndex(ArrowLayout.FLOAT64, 8)).isEqualTo(1.0 / 3);
    }
  }

  @Test
  void kernels_badArguments_throwIllegalArgument() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(80);
      MemorySegment v = arena.allocate(8);
      MemorySegment out = arena.allocate(80);
      assertThatThrownBy(() -> CPU.int64(ArithmeticOp.ADD, a, null, a, null, null, -1, out, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("n must be >= 0");
      assertThatThrownBy(() -> CPU.int64(ArithmeticOp.ADD, a, v, a, null, null, 10, out, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("outValidity is null");
      assertThatThrownBy(() -> CPU.int64(ArithmeticOp.ADD, a, null, a, null, null, 11, out, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("out holds 80 bytes; needs at least 88");
      assertThatThrownBy(() -> CPU.int32(ArithmeticOp.ADD, a, null, a, null, null, 30, out, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("out holds 80 bytes; needs at least 120");
    }
  }

  @Test
  void addDaysAndDaysBetween_areInt32AddAndSubtract() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment d = ints(arena, 0, 10_000, Integer.MAX_VALUE);
      MemorySegment out = arena.allocate(12);
      CPU.addDays(d, null, 30, null, 2, out, null);
      assertThat(out.getAtIndex(ArrowLayout.INT32, 1)).isEqualTo(10_030);
      assertThatThrownBy(() -> CPU.addDays(d, null, 1, null, 3, out, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(2));
      CPU.daysBetween(d, null, ints(arena, 5, 5, 5), null, null, 2, out, null);
      assertThat(out.getAtIndex(ArrowLayout.INT32, 1)).isEqualTo(9_995);
    }
  }
}
