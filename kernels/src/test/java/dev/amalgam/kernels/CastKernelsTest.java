package dev.amalgam.kernels;

import static dev.amalgam.kernels.ArithmeticTestData.CPU;
import static dev.amalgam.kernels.ArithmeticTestData.SIZES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.kernels.ArithmeticTestData.Profile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Integer and float64 casts: differential, edges and errors. */
final class CastKernelsTest {

  @Test
  void casts_randomInputs_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      ArithmeticTestData d = new ArithmeticTestData(arena, "casts");
      for (int n : SIZES) {
        for (Profile p : Profile.values()) {
          for (boolean selected : new boolean[] {false, true}) {
            int rows = selected ? 2 * n + 5 : n;
            MemorySegment sel = selected ? d.selection(rows, n) : null;
            MemorySegment i32 = d.int32s(rows, p);
            MemorySegment i64 = d.int64s(rows, p);
            MemorySegment f64 = d.float64s(rows, p);
            MemorySegment v = d.maybeValidity(rows);
            boolean nl = v != null;
            String what = p + (selected ? " selected" : "");
            d.differential(
                "int32->int64 " + what,
                n,
                8,
                nl,
                (x, out, ov) -> x.int32ToInt64(i32, v, sel, n, out, ov));
            d.differential(
                "int64->int32 " + what,
                n,
                4,
                nl,
                (x, out, ov) -> x.int64ToInt32(i64, v, sel, n, out, ov));
            d.differential(
                "int32->float64 " + what,
                n,
                8,
                nl,
                (x, out, ov) -> x.int32ToFloat64(i32, v, sel, n, out, ov));
            d.differential(
                "int64->float64 " + what,
                n,
                8,
                nl,
                (x, out, ov) -> x.int64ToFloat64(i64, v, sel, n, out, ov));
            d.differential(
                "float64->int32 " + what,
                n,
                4,
                nl,
                (x, out, ov) -> x.float64ToInt32(f64, v, sel, n, out, ov));
            d.differential(
                "float64->int64 " + what,
                n,
                8,
                nl,
                (x, out, ov) -> x.float64ToInt64(f64, v, sel, n, out, ov));
          }
        }
      }
    }
  }

  private static MemorySegment doubles(Arena arena, double... v) {
    MemorySegment s = arena.allocate(8L * v.length, 8);
    for (int i = 0; i < v.length; i++) {
      s.setAtIndex(ArrowLayout.FLOAT64, i, v[i]);
    }
    return s;
  }

  @Test
  void float64ToInt64_truncatesTowardZeroUpToTheLimits() {
    try (Arena arena = Arena.ofConfined()) {
      double[] in = {2.9, -2.9, -0.0, 0x1p62, -0x1p63, 9.223372036854774E18, 0.5, -0.5, 1e15 + 0.5};
      MemorySegment out = arena.allocate(8L * in.length);
      CPU.float64ToInt64(doubles(arena, in), null, null, in.length, out, null);
      for (int i = 0; i < in.length; i++) {
        assertThat(out.getAtIndex(ArrowLayout.INT64, i)).as("%s", in[i]).isEqualTo((long) in[i]);
      }
    }
  }

  @Test
  void float64ToInt64_nanInfinityAndOutOfRange_areErrorsNamingTheRow() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(8 * 9);
      double[] in = new double[9];
      in[8] = Double.NaN;
      assertThatThrownBy(() -> CPU.float64ToInt64(doubles(arena, in), null, null, 9, out, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(8))
          .hasMessageContaining("cast float64 to int64")
          .hasMessageContaining("NaN has no integer value");
      in[8] = Double.NEGATIVE_INFINITY;
      assertThatThrownBy(() -> CPU.float64ToInt64(doubles(arena, in), null, null, 9, out, null))
          .hasMessageContaining("-Infinity has no integer value");
      in[8] = 0x1p63;
      assertThatThrownBy(() -> CPU.float64ToInt64(doubles(arena, in), null, null, 9, out, null))
          .isInstanceOf(KernelException.class)
          .hasMessageContaining("out of range");
    }
  }

  @Test
  void float64ToInt32_acceptsValuesThatTruncateIntoRange() {
    try (Arena arena = Arena.ofConfined()) {
      double[] in = {-2147483648.9, 2147483647.9, -1.5, 1.5, 0, 0, 0, 0, 0};
      MemorySegment out = arena.allocate(4L * in.length);
      CPU.float64ToInt32(doubles(arena, in), null, null, in.length, out, null);
      assertThat(out.getAtIndex(ArrowLayout.INT32, 0)).isEqualTo(Integer.MIN_VALUE);
      assertThat(out.getAtIndex(ArrowLayout.INT32, 1)).isEqualTo(Integer.MAX_VALUE);
      assertThat(out.getAtIndex(ArrowLayout.INT32, 2)).isEqualTo(-1);
      in[5] = 2147483648.0;
      assertThatThrownBy(
              () -> CPU.float64ToInt32(doubles(arena, in), null, null, in.length, out, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(5));
    }
  }

  @Test
  void int64ToInt32_outOfRange_isOverflowButNullRowsAreNot() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(8 * 12);
      a.setAtIndex(ArrowLayout.INT64, 10, 1L << 40);
      MemorySegment v = arena.allocate(2);
      Validity.setAllValid(v, 12);
      Validity.set(v, 10, false);
      MemorySegment out = arena.allocate(4 * 12);
      MemorySegment ov = arena.allocate(2);
      CPU.int64ToInt32(a, v, null, 12, out, ov);
      assertThat(Validity.isValid(ov, 10)).isFalse();
      Validity.set(v, 10, true);
      assertThatThrownBy(() -> CPU.int64ToInt32(a, v, null, 12, out, ov))
          .isInstanceOf(KernelException.class)
          .hasMessageContaining("cast int64 to int32 overflows at row 10: 1099511627776");
    }
  }
}
