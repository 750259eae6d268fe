package dev.amalgam.kernels;

import static dev.amalgam.kernels.ArithmeticSupport.checkBytes;
import static dev.amalgam.kernels.ArithmeticSupport.checkN;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.jspecify.annotations.Nullable;

/** The CPU {@link AggregateKernels}: Vector API accumulators with a scalar tail. */
final class CpuAggregateKernels implements AggregateKernels {
  /*
   * Implementation notes.
   *
   * Loops. Without a selection the vector part covers the rows of the whole 64-row validity words,
   * [0, 64 * floor(n / 64)), two vectors (2L rows) per iteration into two accumulators, so that
   * the adds of one do not wait for the other and two loads are in flight. Every lane operation is
   * masked: each iteration takes its 2L bits from the validity word that holds them (all ones
   * without a bitmap) and makes two lane masks (VectorMask.fromLong, one instruction on AVX-512);
   * a masked add costs what an unmasked one does, and one loop serves both cases. The rows after
   * the last whole word (n % 64) are added by a scalar tail. With a selection, rows are gathered
   * one at a time (no gather from a MemorySegment), in selection order.
   *
   * Keeping vectors in registers (see CpuArithmeticKernels): no vector-valued ?: or if/else merge,
   * no own helper methods taking vectors, flat loops. MAX therefore runs as MIN of the values
   * XORed with all ones (x -> ~x reverses the order of two's complement integers and never
   * overflows) or with zero for MIN: a scalar picked before the loop, one extra XOR per vector.
   *
   * SUM(int64) is exact and order-free: each value is split into its low 32 bits (unsigned) and
   * its high 32 bits (signed), summed in separate int64 accumulators. With n < 2^31 rows neither
   * sum can wrap (< 2^31 * 2^32 and <= 2^31 * 2^31), and the total hi * 2^32 + lo is exact; it is
   * an error only when that total leaves int64. The split costs two vector ops per load, well
   * under the memory time.
   *
   * SUM(float64) order: accumulator a (0 or 1), lane j sums the rows 2Lk + aL + j of the vector
   * part in row order (a null row adds +0.0); the two accumulators are added lane by lane, their
   * lanes are added in lane order 0..L-1 to 0.0, and the tail rows follow in row order. With a
   * selection the rows are added in selection order. Null lanes are zeroed by ANDing the value
   * bits with the mask as a vector: a masked float64 add (add plus blend) measured half as fast.
   *
   * MIN/MAX(float64) follow Double.compare (-0.0 < 0.0, NaN above +infinity). The loop works on
   * the bits as int64: NaNs become the canonical positive NaN, then b ^ ((b >> 63) >>> 1) maps
   * the doubles to int64s in Double.compare order (negative doubles have their magnitude bits
   * flipped), and the integer MIN/MAX above applies. The map is its own inverse.
   */

  static final CpuAggregateKernels INSTANCE = new CpuAggregateKernels();

  private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> IH =
      VectorSpecies.of(int.class, VectorShape.forBitSize(LS.vectorBitSize() / 2));
  private static final int LL = LS.length();
  private static final int DL = DS.length();
  private static final int IL = IS.length();
  private static final ByteOrder ORDER = ArrowLayout.ORDER;
  private static final long LOW32 = 0xFFFF_FFFFL;
  private static final long CANONICAL_NAN = Double.doubleToLongBits(Double.NaN);

  private CpuAggregateKernels() {}

  private static void checkDense(
      MemorySegment values, int width, @Nullable MemorySegment validity, int n) {
    checkBytes("values", values, (long) n * width);
    if (validity != null) {
      checkBytes("validity", validity, ArrowLayout.bitmapBytes(n));
    }
  }

  /** The validity bits of rows i, i + 1, ... to the end of i's 64-row word; ones for null. */
  private static long bitsFrom(@Nullable MemorySegment validity, int i) {
    return validity == null
        ? -1L
        : validity.get(ArrowLayout.INT64, (long) (i >>> 6) << 3) >>> (i & 63);
  }

  /** End of the vector part: the rows of the whole 64-row words. */
  private static int wholeWords(int n) {
    return n & ~63;
  }

  private static int rowOf(@Nullable MemorySegment sel, int k) {
    return sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
  }

  /** Valid rows: all of {@code n} without a selection, else counted through it. */
  private static long validCount(
      @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    if (sel == null) {
      return n - Validity.nullCount(validity, n);
    }
    if (validity == null) {
      return n;
    }
    long count = 0;
    for (int k = 0; k < n; k++) {
      if (Validity.isValid(validity, sel.getAtIndex(ArrowLayout.INT32, k))) {
        count++;
      }
    }
    return count;
  }

  private static void checkArgs(
      MemorySegment values,
      int width,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n) {
    checkN(n);
    if (sel == null) {
      checkDense(values, width, validity, n);
    } else {
      checkBytes("sel", sel, Selection.bytes(n));
    }
  }

  @Override
  public long count(@Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    checkN(n);
    if (sel != null) {
      checkBytes("sel", sel, Selection.bytes(n));
    } else if (validity != null) {
      checkBytes("validity", validity, ArrowLayout.bitmapBytes(n));
    }
    return validCount(validity, sel, n);
  }

  // ---- SUM ------------------------------------------------------------------------------------

  @Override
  public LongResult sumInt64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    checkArgs(values, 8, validity, sel, n);
    int end = sel == null ? wholeWords(n) : 0;
    LongVector lo = LongVector.zero(LS);
    LongVector hi = LongVector.zero(LS);
    LongVector lo2 = LongVector.zero(LS);
    LongVector hi2 = LongVector.zero(LS);
    for (int i = 0; i < end; i += 2 * LL) {
      long bits = bitsFrom(validity, i);
      VectorMask<Long> m = VectorMask.fromLong(LS, bits);
      VectorMask<Long> m2 = VectorMask.fromLong(LS, bits >>> LL);
      LongVector v = LongVector.fromMemorySegment(LS, values, (long) i << 3, ORDER);
      LongVector v2 = LongVector.fromMemorySegment(LS, values, (long) (i + LL) << 3, ORDER);
      lo = lo.add(v.and(LOW32), m);
      hi = hi.add(v.lanewise(VectorOperators.ASHR, 32), m);
      lo2 = lo2.add(v2.and(LOW32), m2);
      hi2 = hi2.add(v2.lanewise(VectorOperators.ASHR, 32), m2);
    }
    long l = lo.add(lo2).reduceLanes(VectorOperators.ADD);
    long h = hi.add(hi2).reduceLanes(VectorOperators.ADD);
    for (int k = end; k < n; k++) {
      int row = rowOf(sel, k);
      if (Validity.isValid(validity, row)) {
        long v = values.getAtIndex(ArrowLayout.INT64, row);
        l += v & LOW32;
        h += v >> 32;
      }
    }
    long count = validCount(validity, sel, n);
    h += l >>> 32; // the total is h * 2^32 + l, 0 <= l < 2^32
    l &= LOW32;
    if (h < Integer.MIN_VALUE || h > Integer.MAX_VALUE) {
      BigInteger total = BigInteger.valueOf(h).shiftLeft(32).add(BigInteger.valueOf(l));
      throw KernelException.overflow(
          "sum(int64)",
          rowOf(sel, n - 1),
          "total of " + count + " rows " + total + " exceeds int64");
    }
    return new LongResult((h << 32) | l, count);
  }

  @Override
  public LongResult sumInt32(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    checkArgs(values, 4, validity, sel, n);
    int end = sel == null ? wholeWords(n) : 0;
    LongVector acc = LongVector.zero(LS);
    LongVector acc2 = LongVector.zero(LS);
    for (int i = 0; i < end; i += 2 * LL) {
      long bits = bitsFrom(validity, i);
      acc =
          acc.add(
              (LongVector)
                  IntVector.fromMemorySegment(IH, values, (long) i << 2, ORDER)
                      .convertShape(VectorOperators.I2L, LS, 0),
              VectorMask.fromLong(LS, bits));
      acc2 =
          acc2.add(
              (LongVector)
                  IntVector.fromMemorySegment(IH, values, (long) (i + LL) << 2, ORDER)
                      .convertShape(VectorOperators.I2L, LS, 0),
              VectorMask.fromLong(LS, bits >>> LL));
    }
    long sum = acc.add(acc2).reduceLanes(VectorOperators.ADD);
    for (int k = end; k < n; k++) {
      int row = rowOf(sel, k);
      if (Validity.isValid(validity, row)) {
        sum += values.getAtIndex(ArrowLayout.INT32, row);
      }
    }
    return new LongResult(sum, validCount(validity, sel, n));
  }

  @Override
  public DoubleResult sumFloat64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    checkArgs(values, 8, validity, sel, n);
    int end = sel == null ? wholeWords(n) : 0;
    DoubleVector acc = DoubleVector.zero(DS);
    DoubleVector acc2 = DoubleVector.zero(DS);
    for (int i = 0; i < end; i += 2 * DL) {
      // null lanes become +0.0 by ANDing the bits with the lane mask as a vector: a masked
      // float64 add is an add plus a blend on the accumulator's chain, twice as slow
      long bits = bitsFrom(validity, i);
      LongVector v = LongVector.fromMemorySegment(LS, values, (long) i << 3, ORDER);
      LongVector v2 = LongVector.fromMemorySegment(LS, values, (long) (i + DL) << 3, ORDER);
      acc =
          acc.add(
              v.and((LongVector) VectorMask.fromLong(LS, bits).toVector()).viewAsFloatingLanes());
      acc2 =
          acc2.add(
              v2.and((LongVector) VectorMask.fromLong(LS, bits >>> DL).toVector())
                  .viewAsFloatingLanes());
    }
    double[] lanes = acc.add(acc2).toArray();
    double sum = 0;
    for (double lane : lanes) {
      sum += lane;
    }
    for (int k = end; k < n; k++) {
      int row = rowOf(sel, k);
      if (Validity.isValid(validity, row)) {
        sum += values.getAtIndex(ArrowLayout.FLOAT64, row);
      }
    }
    return new DoubleResult(sum, validCount(validity, sel, n));
  }

  // ---- MIN / MAX ------------------------------------------------------------------------------

  /**
   * MIN of {@code v ^ flip} over the valid rows of the vector part, int64 values or, with {@code
   * doubles}, float64 bits in Double.compare order; Long.MAX_VALUE when none.
   */
  private static long minFlipped64(
      MemorySegment values, @Nullable MemorySegment validity, int end, long flip, boolean doubles) {
    LongVector f = LongVector.broadcast(LS, flip);
    // for doubles: canonical NaN and (b >> 63) >>> 1 to flip negative magnitudes; else no-ops
    long nanBound = doubles ? 0x7FF0_0000_0000_0000L : Long.MAX_VALUE;
    long magnitude = doubles ? Long.MAX_VALUE : 0;
    LongVector acc = LongVector.broadcast(LS, Long.MAX_VALUE);
    LongVector acc2 = acc;
    for (int i = 0; i < end; i += 2 * LL) {
      long bits = bitsFrom(validity, i);
      LongVector v = LongVector.fromMemorySegment(LS, values, (long) i << 3, ORDER);
      LongVector v2 = LongVector.fromMemorySegment(LS, values, (long) (i + LL) << 3, ORDER);
      v = v.blend(CANONICAL_NAN, v.and(magnitude).compare(VectorOperators.GT, nanBound));
      v2 = v2.blend(CANONICAL_NAN, v2.and(magnitude).compare(VectorOperators.GT, nanBound));
      v = v.lanewise(VectorOperators.XOR, v.lanewise(VectorOperators.ASHR, 63).and(magnitude));
      v2 = v2.lanewise(VectorOperators.XOR, v2.lanewise(VectorOperators.ASHR, 63).and(magnitude));
      acc =
          acc.lanewise(
              VectorOperators.MIN,
              v.lanewise(VectorOperators.XOR, f),
              VectorMask.fromLong(LS, bits));
      acc2 =
          acc2.lanewise(
              VectorOperators.MIN,
              v2.lanewise(VectorOperators.XOR, f),
              VectorMask.fromLong(LS, bits >>> LL));
    }
    return acc.min(acc2).reduceLanes(VectorOperators.MIN);
  }

  private static LongResult minMaxInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      boolean max) {
    checkArgs(values, 8, validity, sel, n);
    int end = sel == null ? wholeWords(n) : 0;
    long flip = max ? -1L : 0L;
    long best = minFlipped64(values, validity, end, flip, false) ^ flip;
    for (int k = end; k < n; k++) {
      int row = rowOf(sel, k);
      if (Validity.isValid(validity, row)) {
        long v = values.getAtIndex(ArrowLayout.INT64, row);
        best = max ? Math.max(best, v) : Math.min(best, v);
      }
    }
    long count = validCount(validity, sel, n);
    return new LongResult(count == 0 ? 0 : best, count);
  }

  private static LongResult minMaxInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      boolean max) {
    checkArgs(values, 4, validity, sel, n);
    int end = sel == null ? wholeWords(n) : 0;
    int flip = max ? -1 : 0;
    IntVector f = IntVector.broadcast(IS, flip);
    IntVector acc = IntVector.broadcast(IS, Integer.MAX_VALUE);
    IntVector acc2 = acc;
    for (int i = 0; i < end; i += 2 * IL) {
      long bits = bitsFrom(validity, i);
      acc =
          acc.lanewise(
              VectorOperators.MIN,
              IntVector.fromMemorySegment(IS, values, (long) i << 2, ORDER)
                  .lanewise(VectorOperators.XOR, f),
              VectorMask.fromLong(IS, bits));
      acc2 =
          acc2.lanewise(
              VectorOperators.MIN,
              IntVector.fromMemorySegment(IS, values, (long) (i + IL) << 2, ORDER)
                  .lanewise(VectorOperators.XOR, f),
              VectorMask.fromLong(IS, bits >>> IL));
    }
    int best = acc.min(acc2).reduceLanes(VectorOperators.MIN) ^ flip;
    for (int k = end; k < n; k++) {
      int row = rowOf(sel, k);
      if (Validity.isValid(validity, row)) {
        int v = values.getAtIndex(ArrowLayout.INT32, row);
        best = max ? Math.max(best, v) : Math.min(best, v);
      }
    }
    long count = validCount(validity, sel, n);
    return new LongResult(count == 0 ? 0 : best, count);
  }

  /** The int64 in Double.compare order of a double (the map of the notes; its own inverse). */
  private static long ordered(long bits) {
    return bits ^ ((bits >> 63) >>> 1);
  }

  private static DoubleResult minMaxFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      boolean max) {
    checkArgs(values, 8, validity, sel, n);
    int end = sel == null ? wholeWords(n) : 0;
    long flip = max ? -1L : 0L;
    long best = minFlipped64(values, validity, end, flip, true) ^ flip; // ordered bits
    for (int k = end; k < n; k++) {
      int row = rowOf(sel, k);
      if (Validity.isValid(validity, row)) {
        long v = ordered(Double.doubleToLongBits(values.getAtIndex(ArrowLayout.FLOAT64, row)));
        best = max ? Math.max(best, v) : Math.min(best, v);
      }
    }
    long count = validCount(validity, sel, n);
    return new DoubleResult(count == 0 ? 0 : Double.longBitsToDouble(ordered(best)), count);
  }

  @Override
  public LongResult minInt32(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxInt32(values, validity, sel, n, false);
  }

  @Override
  public LongResult maxInt32(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxInt32(values, validity, sel, n, true);
  }

  @Override
  public LongResult minInt64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxInt64(values, validity, sel, n, false);
  }

  @Override
  public LongResult maxInt64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxInt64(values, validity, sel, n, true);
  }

  @Override
  public DoubleResult minFloat64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxFloat64(values, validity, sel, n, false);
  }

  @Override
  public DoubleResult maxFloat64(
      MemorySegment values, @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n) {
    return minMaxFloat64(values, validity, sel, n, true);
  }
}
