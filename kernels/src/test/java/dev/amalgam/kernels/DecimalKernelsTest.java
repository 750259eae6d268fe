package dev.amalgam.kernels;

import static dev.amalgam.kernels.ArithmeticTestData.CPU;
import static dev.amalgam.kernels.ArithmeticTestData.SIZES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Decimal arithmetic, result types and decimal casts. */
final class DecimalKernelsTest {

  private static DecimalType randomType(Random rnd) {
    int p = 1 + rnd.nextInt(DecimalType.MAX_PRECISION);
    return DecimalType.of(p, rnd.nextInt(p + 1));
  }

  /** Mostly in-precision values of any digit count; sometimes the extremes or out-of-range. */
  private static long value(Random rnd, DecimalType t, boolean mixed) {
    long max = t.maxUnscaled();
    if (mixed && rnd.nextInt(10) == 0) {
      return switch (rnd.nextInt(4)) {
        case 0 -> max;
        case 1 -> -max;
        case 2 -> rnd.nextLong();
        default -> 0;
      };
    }
    int digits = rnd.nextInt(t.precision() + 1);
    long bound = DecimalType.powerOfTen(digits);
    return (rnd.nextLong() % bound);
  }

  private static MemorySegment column(
      ArithmeticTestData d, int rows, DecimalType t, boolean mixed) {
    MemorySegment s = d.arena.allocate(8L * rows, 8);
    for (int i = 0; i < rows; i++) {
      s.setAtIndex(ArrowLayout.INT64, i, value(d.rnd, t, mixed));
    }
    return s;
  }

  @Test
  void decimal_randomTypesAndInputs_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      ArithmeticTestData d = new ArithmeticTestData(arena, "decimal");
      for (ArithmeticOp op : ArithmeticOp.values()) {
        for (int n : SIZES) {
          for (int round = 0; round < 4; round++) {
            DecimalType ta = randomType(d.rnd);
            DecimalType tb = randomType(d.rnd);
            while (op == ArithmeticOp.MULTIPLY
                && ta.scale() + tb.scale() > DecimalType.MAX_PRECISION) {
              tb = randomType(d.rnd);
            }
            DecimalType fa = ta;
            DecimalType fb = tb;
            boolean mixed = round >= 2;
            boolean selected = (round & 1) == 1;
            int rows = selected ? 2 * n + 5 : n;
            MemorySegment sel = selected ? d.selection(rows, n) : null;
            MemorySegment a = column(d, rows, ta, mixed);
            MemorySegment b = column(d, rows, tb, mixed);
            MemorySegment av = d.maybeValidity(rows);
            MemorySegment bv = d.maybeValidity(rows);
            if (!mixed && (op == ArithmeticOp.DIVIDE || op == ArithmeticOp.MODULO)) {
              for (int i = 0; i < rows; i++) {
                if (b.getAtIndex(ArrowLayout.INT64, i) == 0) {
                  b.setAtIndex(ArrowLayout.INT64, i, 3);
                }
              }
            }
            long c = value(d.rnd, tb, mixed);
            long ca = value(d.rnd, ta, mixed);
            String what =
                ta + " " + op + " " + tb + (mixed ? " mixed" : "") + (selected ? " selected" : "");
            d.differential(
                what + " col-col",
                n,
                8,
                av != null || bv != null,
                (x, out, ov) ->
                    assertThat(x.decimal(op, fa, a, av, fb, b, bv, sel, n, out, ov))
                        .isEqualTo(fa.resultOf(op, fb)));
            d.differential(
                what + " col-const " + c,
                n,
                8,
                av != null,
                (x, out, ov) -> x.decimal(op, fa, a, av, fb, c, sel, n, out, ov));
            d.differential(
                what + " const-col " + ca,
                n,
                8,
                bv != null,
                (x, out, ov) -> x.decimal(op, fa, ca, fb, b, bv, sel, n, out, ov));
          }
        }
      }
    }
  }

  @Test
  void decimalCasts_randomTypesAndInputs_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      ArithmeticTestData d = new ArithmeticTestData(arena, "decimal casts");
      for (int n : SIZES) {
        for (int round = 0; round < 6; round++) {
          DecimalType from = randomType(d.rnd);
          DecimalType to = randomType(d.rnd);
          boolean mixed = round >= 3;
          ArithmeticTestData.Profile p =
              mixed ? ArithmeticTestData.Profile.MIXED : ArithmeticTestData.Profile.SMALL;
          boolean selected = (round & 1) == 1;
          int rows = selected ? 2 * n + 5 : n;
          MemorySegment sel = selected ? d.selection(rows, n) : null;
          MemorySegment dec = column(d, rows, from, mixed);
          MemorySegment i64 = d.int64s(rows, p);
          MemorySegment i32 = d.int32s(rows, p);
          MemorySegment f64 = d.arena.allocate(8L * rows, 8);
          for (int i = 0; i < rows; i++) { // values around the target's range, some specials
            double v =
                mixed
                    ? d.nextDouble(p)
                    : (d.rnd.nextDouble() - 0.5) * 2 * Math.pow(10, to.precision() - to.scale());
            f64.setAtIndex(ArrowLayout.FLOAT64, i, v);
          }
          MemorySegment v = d.maybeValidity(rows);
          boolean nl = v != null;
          String what =
              from + " -> " + to + (mixed ? " mixed" : "") + (selected ? " selected" : "");
          d.differential(
              "rescale " + what,
              n,
              8,
              nl,
              (x, out, ov) -> x.rescaleDecimal(from, dec, v, to, sel, n, out, ov));
          d.differential(
              "int64 -> " + what,
              n,
              8,
              nl,
              (x, out, ov) -> x.int64ToDecimal(i64, v, to, sel, n, out, ov));
          d.differential(
              "int32 -> " + what,
              n,
              8,
              nl,
              (x, out, ov) -> x.int32ToDecimal(i32, v, to, sel, n, out, ov));
          d.differential(
              "float64 -> " + what,
              n,
              8,
              nl,
              (x, out, ov) -> x.float64ToDecimal(f64, v, to, sel, n, out, ov));
          d.differential(
              "decimal -> float64 " + what,
              n,
              8,
              nl,
              (x, out, ov) -> x.decimalToFloat64(from, dec, v, sel, n, out, ov));
        }
      }
    }
  }

  // ---- result types ---------------------------------------------------------------------------

  @Test
  void resultOf_sqlRules_giveDocumentedTypes() {
    DecimalType a = DecimalType.of(10, 2);
    DecimalType b = DecimalType.of(5, 3);
    assertThat(a.resultOf(ArithmeticOp.ADD, b)).isEqualTo(DecimalType.of(12, 3));
    assertThat(a.resultOf(ArithmeticOp.SUBTRACT, b)).isEqualTo(DecimalType.of(12, 3));
    assertThat(a.resultOf(ArithmeticOp.MULTIPLY, b)).isEqualTo(DecimalType.of(15, 5));
    assertThat(a.resultOf(ArithmeticOp.DIVIDE, b)).isEqualTo(DecimalType.of(18, 7));
    assertThat(a.resultOf(ArithmeticOp.MODULO, b)).isEqualTo(DecimalType.of(5, 3));
    assertThat(DecimalType.of(1, 0).resultOf(ArithmeticOp.DIVIDE, DecimalType.of(1, 0)))
        .isEqualTo(DecimalType.of(7, 6));
    assertThat(DecimalType.of(18, 0).resultOf(ArithmeticOp.ADD, DecimalType.of(18, 0)))
        .isEqualTo(DecimalType.of(18, 0));
    assertThat(DecimalType.of(12, 2).resultOf(ArithmeticOp.MULTIPLY, DecimalType.of(12, 2)))
        .isEqualTo(DecimalType.of(18, 4));
  }

  @Test
  void decimalType_invalidArguments_throwWithTheLimit() {
    assertThatThrownBy(() -> DecimalType.of(19, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[1, 18]; was 19");
    assertThatThrownBy(() -> DecimalType.of(5, 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("precision 5]; was 6");
    assertThatThrownBy(
            () -> DecimalType.of(18, 10).resultOf(ArithmeticOp.MULTIPLY, DecimalType.of(18, 9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scale 19");
  }

  // ---- known answers --------------------------------------------------------------------------

  private static long one(
      Arena arena, DecimalType ta, long x, ArithmeticOp op, DecimalType tb, long y) {
    MemorySegment a = arena.allocate(8);
    a.set(ArrowLayout.INT64, 0, x);
    MemorySegment out = arena.allocate(8);
    CPU.decimal(op, ta, a, null, tb, y, null, 1, out, null);
    return out.get(ArrowLayout.INT64, 0);
  }

  @Test
  void divide_roundsHalfUpAwayFromZero() {
    try (Arena arena = Arena.ofConfined()) {
      DecimalType d = DecimalType.of(1, 0);
      assertThat(one(arena, d, 1, ArithmeticOp.DIVIDE, d, 3)).isEqualTo(333_333); // 0.333333
      assertThat(one(arena, d, 2, ArithmeticOp.DIVIDE, d, 3)).isEqualTo(666_667);
      assertThat(one(arena, d, -2, ArithmeticOp.DIVIDE, d, 3)).isEqualTo(-666_667);
      assertThat(one(arena, d, 1, ArithmeticOp.DIVIDE, d, -8)).isEqualTo(-125_000);
      DecimalType money = DecimalType.of(15, 2);
      // 10.00 / 3 -> decimal(18,6): 3.333333
      assertThat(one(arena, money, 1000, ArithmeticOp.DIVIDE, DecimalType.of(1, 0), 3))
          .isEqualTo(3_333_333);
    }
  }

  @Test
  void rescale_toSmallerScale_roundsHalfUp() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(32);
      long[] in = {1005, -1005, 1004, -1};
      for (int i = 0; i < 4; i++) {
        a.setAtIndex(ArrowLayout.INT64, i, in[i]);
      }
      MemorySegment out = arena.allocate(32);
      CPU.rescaleDecimal(DecimalType.of(4, 3), a, null, DecimalType.of(3, 2), null, 4, out, null);
      assertThat(
              new long[] {
                out.getAtIndex(ArrowLayout.INT64, 0),
                out.getAtIndex(ArrowLayout.INT64, 1),
                out.getAtIndex(ArrowLayout.INT64, 2),
                out.getAtIndex(ArrowLayout.INT64, 3)
              })
          .containsExactly(101, -101, 100, 0);
    }
  }

  @Test
  void add_operandRescaleBeyond18DigitsButResultFits_isNotAnError() {
    try (Arena arena = Arena.ofConfined()) {
      // 10^17 + (-0.5) = 99999999999999999.5 in decimal(18,1): 10^17 * 10 alone has 19 digits
      long r =
          one(
              arena,
              DecimalType.of(18, 0),
              100_000_000_000_000_000L,
              ArithmeticOp.ADD,
              DecimalType.of(18, 1),
              -5);
      assertThat(r).isEqualTo(999_999_999_999_999_995L);
    }
  }

  @Test
  void multiply_beyondResultPrecision_throwsOverflowNamingOperands() {
    try (Arena arena = Arena.ofConfined()) {
      DecimalType t = DecimalType.of(10, 2);
      MemorySegment a = arena.allocate(8 * 10);
      for (int i = 0; i < 10; i++) {
        a.setAtIndex(ArrowLayout.INT64, i, 100);
      }
      a.setAtIndex(ArrowLayout.INT64, 9, 9_999_999_999L);
      MemorySegment out = arena.allocate(80);
      assertThatThrownBy(
              () -> CPU.decimal(ArithmeticOp.MULTIPLY, t, a, null, t, a, null, null, 10, out, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(9))
          .hasMessageContaining("decimal multiply")
          .hasMessageContaining("99999999.99 * 99999999.99")
          .hasMessageContaining("exceeds decimal(18,4)");
    }
  }

  @Test
  void divide_byZero_throwsDivisionByZero() {
    try (Arena arena = Arena.ofConfined()) {
      assertThatThrownBy(
              () ->
                  one(
                      arena,
                      DecimalType.of(5, 2),
                      100,
                      ArithmeticOp.DIVIDE,
                      DecimalType.of(5, 2),
                      0))
          .isInstanceOf(KernelException.class)
          .hasMessageContaining("division by zero");
    }
  }

  @Test
  void float64ToDecimal_nanAndOverflow_areErrors() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(16);
      MemorySegment out = arena.allocate(16);
      a.setAtIndex(ArrowLayout.FLOAT64, 0, 2.5);
      a.setAtIndex(ArrowLayout.FLOAT64, 1, Double.NaN);
      assertThatThrownBy(
              () -> CPU.float64ToDecimal(a, null, DecimalType.of(5, 2), null, 2, out, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(1))
          .hasMessageContaining("NaN has no decimal value");
      a.setAtIndex(ArrowLayout.FLOAT64, 1, 999.995);
      assertThatThrownBy(
              () -> CPU.float64ToDecimal(a, null, DecimalType.of(5, 2), null, 2, out, null))
          .isInstanceOf(KernelException.class)
          .hasMessageContaining("exceeds decimal(5,2)");
      a.setAtIndex(ArrowLayout.FLOAT64, 1, -2.5);
      CPU.float64ToDecimal(a, null, DecimalType.of(5, 0), null, 2, out, null);
      assertThat(out.getAtIndex(ArrowLayout.INT64, 0)).isEqualTo(3); // HALF_UP, away from zero
      assertThat(out.getAtIndex(ArrowLayout.INT64, 1)).isEqualTo(-3);
    }
  }

  @Test
  void reference_decimalDivide_agreesWithBigDecimal() {
    Random rnd = new Random(ArithmeticTestData.SEED);
    try (Arena arena = Arena.ofConfined()) {
      for (int i = 0; i < 2000; i++) {
        DecimalType ta = randomType(rnd);
        DecimalType tb = randomType(rnd);
        long x = value(rnd, ta, false);
        long y = value(rnd, tb, false);
        if (y == 0) {
          continue;
        }
        DecimalType tr = ta.resultOf(ArithmeticOp.DIVIDE, tb);
        BigDecimal expected =
            ta.toBigDecimal(x).divide(tb.toBigDecimal(y), tr.scale(), RoundingMode.HALF_UP);
        boolean fits =
            expected
                    .unscaledValue()
                    .abs()
                    .compareTo(BigDecimal.valueOf(tr.maxUnscaled()).toBigInteger())
                <= 0;
        if (fits) {
          assertThat(one(arena, ta, x, ArithmeticOp.DIVIDE, tb, y))
              .as(
                  "%s / %s, %s",
                  ta.toBigDecimal(x), tb.toBigDecimal(y), ArithmeticTestData.seedHint())
              .isEqualTo(expected.unscaledValue().longValueExact());
        } else {
          assertThatThrownBy(() -> one(arena, ta, x, ArithmeticOp.DIVIDE, tb, y))
              .isInstanceOf(KernelException.class);
        }
      }
    }
  }
}
