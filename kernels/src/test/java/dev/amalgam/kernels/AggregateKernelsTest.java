package dev.amalgam.kernels;

import static dev.amalgam.kernels.ArithmeticTestData.SIZES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.amalgam.kernels.AggregateKernels.DoubleResult;
import dev.amalgam.kernels.AggregateKernels.LongResult;
import dev.amalgam.kernels.ArithmeticTestData.Profile;
import dev.amalgam.kernels.reference.ScalarAggregateKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Ungrouped aggregates: differential against the reference, edges and errors. */
final class AggregateKernelsTest {
  private static final AggregateKernels CPU = AggregateKernels.cpu();
  private static final AggregateKernels REF = new ScalarAggregateKernels();

  /** Both throw a KernelException at the same row, or both return equal results. */
  private static <T> void same(String desc, Supplier<T> ref, Supplier<T> cpu) {
    T r;
    try {
      r = ref.get();
    } catch (KernelException e) {
      assertThatThrownBy(cpu::get)
          .as(desc)
          .isInstanceOfSatisfying(
              KernelException.class, c -> assertThat(c.row()).as(desc).isEqualTo(e.row()));
      return;
    }
    assertThat(cpu.get()).as(desc).isEqualTo(r);
  }

  @Test
  void aggregates_randomInputs_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      ArithmeticTestData d = new ArithmeticTestData(arena, "aggregates");
      for (int n : SIZES) {
        for (Profile p : Profile.values()) {
          for (boolean selected : new boolean[] {false, true}) {
            for (int round = 0; round < 2; round++) {
              int rows = selected ? 2 * n + 5 : n;
              MemorySegment sel = selected ? d.selection(rows, n) : null;
              MemorySegment i32 = d.int32s(rows, p);
              MemorySegment i64 = d.int64s(rows, p);
              MemorySegment f64 = d.float64s(rows, p);
              MemorySegment v = round == 0 ? null : d.validity(rows);
              if (round == 1 && rows > 200) { // whole null and whole valid 64-row blocks
                v.asSlice(8, 8).fill((byte) 0);
                v.asSlice(16, 8).fill((byte) -1);
              }
              String desc =
                  p
                      + " n="
                      + n
                      + (selected ? " selected" : "")
                      + (v == null ? "" : " nulls")
                      + ", "
                      + ArithmeticTestData.seedHint();
              same(
                  "sum int32 " + desc,
                  () -> REF.sumInt32(i32, v, sel, n),
                  () -> CPU.sumInt32(i32, v, sel, n));
              same(
                  "sum int64 " + desc,
                  () -> REF.sumInt64(i64, v, sel, n),
                  () -> CPU.sumInt64(i64, v, sel, n));
              same(
                  "min int32 " + desc,
                  () -> REF.minInt32(i32, v, sel, n),
                  () -> CPU.minInt32(i32, v, sel, n));
              same(
                  "max int32 " + desc,
                  () -> REF.maxInt32(i32, v, sel, n),
                  () -> CPU.maxInt32(i32, v, sel, n));
              same(
                  "min int64 " + desc,
                  () -> REF.minInt64(i64, v, sel, n),
                  () -> CPU.minInt64(i64, v, sel, n));
              same(
                  "max int64 " + desc,
                  () -> REF.maxInt64(i64, v, sel, n),
                  () -> CPU.maxInt64(i64, v, sel, n));
              same(
                  "min float64 " + desc,
                  () -> REF.minFloat64(f64, v, sel, n),
                  () -> CPU.minFloat64(f64, v, sel, n));
              same(
                  "max float64 " + desc,
                  () -> REF.maxFloat64(f64, v, sel, n),
                  () -> CPU.maxFloat64(f64, v, sel, n));
              same("count " + desc, () -> REF.count(v, sel, n), () -> CPU.count(v, sel, n));
              same("count(*) " + desc, () -> REF.countStar(sel, n), () -> CPU.countStar(sel, n));
              checkFloatSum(desc, f64, v, sel, n);
            }
          }
        }
      }
    }
  }

  /** SUM(float64) orders differ: equal counts, and sums within n * 2^-52 of the sum of |v|. */
  private static void checkFloatSum(
      String desc,
      MemorySegment f64,
      @Nullable MemorySegment v,
      @Nullable MemorySegment sel,
      int n) {
    DoubleResult r = REF.sumFloat64(f64, v, sel, n);
    DoubleResult c = CPU.sumFloat64(f64, v, sel, n);
    assertThat(c.count()).as("sum float64 count " + desc).isEqualTo(r.count());
    double abs = 0;
    boolean special = false;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(v, row)) {
        double x = ArrowLayout.float64(f64, row);
        abs += Math.abs(x);
        special |= !Double.isFinite(x);
      }
    }
    if (special || !Double.isFinite(abs)) {
      // NaN/infinity propagate: the same class of result (overflow of partial sums may differ)
      assertThat(Double.isNaN(c.value()) || Double.isInfinite(c.value()))
          .as("sum float64 " + desc + ": " + c.value() + " vs " + r.value())
          .isEqualTo(Double.isNaN(r.value()) || Double.isInfinite(r.value()));
      return;
    }
    assertThat(c.value())
        .as("sum float64 " + desc)
        .isCloseTo(r.value(), within(abs * n * 0x1p-52 + Double.MIN_VALUE));
  }

  private static MemorySegment longs(Arena arena, long... v) {
    MemorySegment s = arena.allocate(8L * v.length, 8);
    for (int i = 0; i < v.length; i++) {
      s.setAtIndex(ArrowLayout.INT64, i, v[i]);
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
  void sumInt64_partialSumsLeaveInt64ButTotalFits_isExact() {
    try (Arena arena = Arena.ofConfined()) {
      long[] v = new long[130];
      v[0] = Long.MAX_VALUE;
      v[1] = Long.MAX_VALUE;
      v[129] = Long.MIN_VALUE;
      v[128] = Long.MIN_VALUE;
      v[64] = 5;
      assertThat(CPU.sumInt64(longs(arena, v), null, null, 130)).isEqualTo(new LongResult(3, 130));
      assertThat(REF.sumInt64(longs(arena, v), null, null, 130)).isEqualTo(new LongResult(3, 130));
    }
  }

  @Test
  void sumInt64_totalOutsideInt64_throwsOverflowWithTheTotal() {
    try (Arena arena = Arena.ofConfined()) {
      long[] v = new long[70];
      v[3] = Long.MAX_VALUE;
      v[66] = 1;
      assertThatThrownBy(() -> CPU.sumInt64(longs(arena, v), null, null, 70))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(69))
          .hasMessageContaining("sum(int64) overflows")
          .hasMessageContaining("9223372036854775808 exceeds int64");
    }
  }

  @Test
  void sumDecimal_beyond18Digits_throwsOverflow() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment v = longs(arena, 999_999_999_999_999_999L, 1);
      DecimalType t = DecimalType.of(18, 2);
      assertThat(CPU.sumDecimal(t, v, null, null, 1).value()).isEqualTo(999_999_999_999_999_999L);
      assertThatThrownBy(() -> CPU.sumDecimal(t, v, null, null, 2))
          .isInstanceOf(KernelException.class)
          .hasMessageContaining("exceeds decimal(18,2)");
    }
  }

  @Test
  void minMaxFloat64_nanIsLargestAndNegativeZeroIsBelowZero() {
    try (Arena arena = Arena.ofConfined()) {
      double[] zeros = new double[70];
      zeros[67] = -0.0;
      MemorySegment z = doubles(arena, zeros);
      assertThat(Double.doubleToRawLongBits(CPU.minFloat64(z, null, null, 70).value()))
          .isEqualTo(Double.doubleToRawLongBits(-0.0));
      assertThat(Double.doubleToRawLongBits(CPU.maxFloat64(z, null, null, 70).value())).isZero();
      double[] withNan = new double[70];
      withNan[5] = Double.NaN;
      withNan[6] = -3;
      MemorySegment n = doubles(arena, withNan);
      assertThat(CPU.maxFloat64(n, null, null, 70).value()).isNaN();
      assertThat(CPU.minFloat64(n, null, null, 70).value()).isEqualTo(-3);
      double[] nanInf = new double[70];
      java.util.Arrays.fill(nanInf, Double.NaN);
      MemorySegment allNan = doubles(arena, nanInf);
      assertThat(CPU.minFloat64(allNan, null, null, 70).value()).isNaN();
      nanInf[69] = Double.POSITIVE_INFINITY;
      assertThat(CPU.minFloat64(doubles(arena, nanInf), null, null, 70).value())
          .isEqualTo(Double.POSITIVE_INFINITY);
    }
  }

  @Test
  void aggregates_allNull_giveCountZeroAndValueZero() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment v = longs(arena, new long[100]);
      MemorySegment validity = arena.allocate(16);
      assertThat(CPU.sumInt64(v, validity, null, 100)).isEqualTo(new LongResult(0, 0));
      assertThat(CPU.minInt64(v, validity, null, 100).isNull()).isTrue();
      assertThat(CPU.maxFloat64(v, validity, null, 100)).isEqualTo(new DoubleResult(0, 0));
      assertThat(CPU.sumFloat64(v, validity, null, 100).average()).isNaN();
      assertThat(CPU.count(validity, null, 100)).isZero();
      assertThat(CPU.countStar(null, 100)).isEqualTo(100);
    }
  }

  @Test
  void sumFloat64_documentedOrder_lanesThenTail() {
    try (Arena arena = Arena.ofConfined()) {
      int n = 64 + 3;
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = 1.0 / (i + 1);
      }
      int lanes = jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.length();
      double[][] acc = new double[2][lanes];
      for (int i = 0; i < 64; i++) {
        acc[(i / lanes) % 2][i % lanes] += v[i];
      }
      double expected = 0;
      for (int j = 0; j < lanes; j++) {
        expected += acc[0][j] + acc[1][j];
      }
      for (int i = 64; i < n; i++) {
        expected += v[i];
      }
      assertThat(CPU.sumFloat64(doubles(arena, v), null, null, n).value()).isEqualTo(expected);
    }
  }
}
