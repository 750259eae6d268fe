package dev.amalgam.kernels;

import static dev.amalgam.kernels.ArithmeticSupport.andValidity;
import static dev.amalgam.kernels.ArithmeticSupport.checkRowwise;
import static dev.amalgam.kernels.ArithmeticSupport.gatherValidity;
import static dev.amalgam.kernels.ArithmeticSupport.valid;

import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteOrder;
import java.util.Objects;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.jspecify.annotations.Nullable;

/** The CPU {@link ArithmeticKernels}: Vector API main loops with scalar tails. */
final class CpuArithmeticKernels implements ArithmeticKernels {
  /*
   * Implementation notes.
   *
   * Shape of every kernel. Without a selection: (1) the output validity is the AND of the input
   * bitmaps, computed 64 rows at a time, in a pass of its own (bitmaps are 1/64 of the values);
   * (2) a Vector API loop over whole vectors computes the values and, for checked operations, a
   * "bad lanes" mask; (3) the rows after the last whole vector go through the scalar row routine.
   * Values are computed for null rows too (their bytes are unspecified, so the result is), and the
   * bad mask ignores validity: only when some lane is bad does the chunk of L rows go through the
   * scalar routine, which checks validity and raises the error of the first valid bad row (or
   * writes 0 for null rows). Errors are rare, so the hot loop never reads a bitmap. With a
   * selection, rows are gathered one at a time (the Vector API has no gather from a
   * MemorySegment) by the same scalar routine, and the output validity is gathered 64 bits at a
   * time.
   *
   * Keeping vectors in registers. C2 removes the objects behind Vector API values only when it
   * sees every use, so the loops follow three rules (each broken once here, each measured at one
   * allocation per vector and 10 to 100 times slower, once several kernels had run in the JVM):
   * no vector-valued ?: or if/else merge (a phi of two vectors is boxed: pick between vectors
   * with blend and a mask, between scalars before broadcasting); no own helper methods taking or
   * returning vectors inside a loop (the Vector API's methods are force-inlined, ours are not
   * once a large caller hits C2's inlining budget: loop bodies call the Vector API only); loops
   * are flat (no inner loop over the vectors of a 64-row word).
   *
   * Constants. The (column, constant) forms run the same loop as (column, column): the constant
   * side "loads" from the output segment (the same offset, soon overwritten, so the line is
   * fetched anyway) and blends in the broadcast constant under an all-true mask. No phi, no
   * second loop.
   *
   * Overflow checks. add/sub: sign tricks ((x ^ r) & (y ^ r)) < 0 and ((x ^ y) & (x ^ r)) < 0.
   * int64 multiply: there is no vector multiply-high, so the product is estimated in float64: if
   * |fl(x) * fl(y)| < 2^62 the exact product is below 2^63 (three roundings of at most 2^-53
   * each), and the low 64 bits are the product; otherwise the chunk goes scalar
   * (Math.multiplyHigh). int32 multiply widens 8 lanes to int64 and checks the int32 range.
   *
   * Division. x86 has no vector integer division. For |x| < 2^53 and 0 < |y| < 2^53,
   * trunc(fl(x / y)) == x / y exactly: if x / y is an integer it is representable; otherwise it
   * is at least 1/|y| away from an integer while the rounding error is at most |x / y| * 2^-53 <
   * 1/|y|. So int32 division always, and int64 division for such operands, run as float64
   * division plus truncation; modulo is x - y * q. Other chunks (zero divisor, MIN / -1, huge
   * operands) go scalar. float64 modulo (fmod) is scalar.
   *
   * Decimals. add/sub rescale an operand by 10^k, accepted when |x| < 10^(18 - k) so that both
   * rescaled operands are below 10^18 and their sum cannot wrap; the result must be below
   * 10^precision. multiply uses the float64 estimate against 10^precision (with a margin).
   * Rescaling down (divide by 10^k, HALF_UP) uses the exact float64 division above for |x| <
   * 2^53. Anything outside these bounds goes to the scalar routine, which computes exactly with
   * Math.*Exact and falls back to BigDecimal when an intermediate leaves int64, so that a bad
   * lane is an error only when the exact result does not fit. Decimal divide scales the dividend
   * and divides exactly in float64 when both sides stay below 2^53, then rounds HALF_UP from the
   * remainder; decimal modulo is scalar.
   *
   * Dates. Neri and Schneider's calendar algorithms ("Euclidean affine functions and their
   * application to calendar algorithms", 2023): multiplications, shifts and three divisions per
   * date instead of Hinnant's eight, on int64 lanes (8 int32 dates widened). Days are first
   * shifted by ERA_OFF eras of 146097 days so that every int32 day is non-negative; the large
   * divisions run as exact float64 divisions (numerators below 2^53, see Division), small ones as
   * multiply-and-shift by ceil(2^40 / d), exact for numerators below 2^29 because x * (M * d -
   * 2^40) < 2^40. The int64 <-> float64 conversions are single instructions with AVX-512DQ;
   * elsewhere the Vector API falls back to slower code.
   */

  static final CpuArithmeticKernels INSTANCE = new CpuArithmeticKernels();

  private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;

  /** int32 lanes as many as LS's (half its bits), to widen int32 to int64 or float64. */
  private static final VectorSpecies<Integer> IH =
      VectorSpecies.of(int.class, VectorShape.forBitSize(LS.vectorBitSize() / 2));

  private static final int LL = LS.length();
  private static final int IL = IS.length();
  private static final int DL = DS.length();
  private static final ByteOrder ORDER = ArrowLayout.ORDER;

  private static final double TWO_53 = 0x1p53;
  private static final long[] POW10 = new long[DecimalType.MAX_PRECISION + 1];

  static {
    for (int i = 0; i <= DecimalType.MAX_PRECISION; i++) {
      POW10[i] = DecimalType.powerOfTen(i);
    }
  }

  private CpuArithmeticKernels() {}

  // ---- scalar helpers -------------------------------------------------------------------------

  private static long i64(@Nullable MemorySegment s, long c, int row) {
    return s == null ? c : s.getAtIndex(ArrowLayout.INT64, row);
  }

  private static int i32(@Nullable MemorySegment s, int c, int row) {
    return s == null ? c : s.getAtIndex(ArrowLayout.INT32, row);
  }

  private static double f64(@Nullable MemorySegment s, double c, int row) {
    return s == null ? c : s.getAtIndex(ArrowLayout.FLOAT64, row);
  }

  private static int rowOf(@Nullable MemorySegment sel, int k) {
    return sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
  }

  /** The mask that makes a blend take the constant: all lanes when the operand is a constant. */
  private static long constantLanes(@Nullable MemorySegment operand) {
    return operand == null ? -1L : 0L;
  }

  /** Writes the output validity: AND of the inputs, or gathered through sel. */
  private static void validity(
      @Nullable MemorySegment av,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int n,
      @Nullable MemorySegment outValidity) {
    if (outValidity == null) {
      return;
    }
    if (sel == null) {
      andValidity(av, bv, n, outValidity);
    } else {
      gatherValidity(av, bv, sel, n, outValidity);
    }
  }

  // ---- int64 ----------------------------------------------------------------------------------

  private static long int64Op(ArithmeticOp op, long x, long y, int row) {
    switch (op) {
      case ADD -> {
        long r = x + y;
        if (((x ^ r) & (y ^ r)) < 0) {
          throw KernelException.overflow("int64 add", row, x + " + " + y);
        }
        return r;
      }
      case SUBTRACT -> {
        long r = x - y;
        if (((x ^ y) & (x ^ r)) < 0) {
          throw KernelException.overflow("int64 subtract", row, x + " - " + y);
        }
        return r;
      }
      case MULTIPLY -> {
        long r = x * y;
        if (Math.multiplyHigh(x, y) != (r >> 63)) {
          throw KernelException.overflow("int64 multiply", row, x + " * " + y);
        }
        return r;
      }
      case DIVIDE -> {
        if (y == 0) {
          throw KernelException.divisionByZero("int64 divide", row, x + " / " + y);
        }
        if (x == Long.MIN_VALUE && y == -1) {
          throw KernelException.overflow("int64 divide", row, x + " / " + y);
        }
        return x / y;
      }
      case MODULO -> {
        if (y == 0) {
          throw KernelException.divisionByZero("int64 modulo", row, x + " % " + y);
        }
        return x % y;
      }
    }
    throw new AssertionError(op);
  }

  /** Output positions [from, to) one row at a time (sel == null: position = row). */
  private static void int64Rows(
      ArithmeticOp op,
      @Nullable MemorySegment a,
      long ac,
      @Nullable MemorySegment av,
      @Nullable MemorySegment b,
      long bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int from,
      int to,
      MemorySegment out) {
    for (int k = from; k < to; k++) {
      int row = rowOf(sel, k);
      long r = valid(av, bv, row) ? int64Op(op, i64(a, ac, row), i64(b, bc, row), row) : 0;
      out.setAtIndex(ArrowLayout.INT64, k, r);
    }
  }

  private static void int64Any(
      ArithmeticOp op,
      @Nullable MemorySegment a,
      long ac,
      @Nullable MemorySegment av,
      @Nullable MemorySegment b,
      long bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    Objects.requireNonNull(op, "op is null");
    checkRowwise(n, sel, out, 8, outValidity, a, 8, av, b, 8, bv);
    validity(av, bv, sel, n, outValidity);
    if (sel != null) {
      int64Rows(op, a, ac, av, b, bc, bv, sel, 0, n, out);
      return;
    }
    MemorySegment as = a != null ? a : out;
    MemorySegment bs = b != null ? b : out;
    LongVector ca = LongVector.broadcast(LS, ac);
    LongVector cb = LongVector.broadcast(LS, bc);
    VectorMask<Long> ka = VectorMask.fromLong(LS, constantLanes(a));
    VectorMask<Long> kb = VectorMask.fromLong(LS, constantLanes(b));
    int bound = LS.loopBound(n);
    int i = 0;
    switch (op) {
      case ADD -> {
        for (; i < bound; i += LL) {
          long off = (long) i << 3;
          LongVector x = LongVector.fromMemorySegment(LS, as, off, ORDER).blend(ca, ka);
          LongVector y = LongVector.fromMemorySegment(LS, bs, off, ORDER).blend(cb, kb);
          LongVector r = x.add(y);
          if (r.lanewise(VectorOperators.XOR, x)
              .and(r.lanewise(VectorOperators.XOR, y))
              .compare(VectorOperators.LT, 0)
              .anyTrue()) {
            int64Rows(op, a, ac, av, b, bc, bv, null, i, i + LL, out);
          } else {
            r.intoMemorySegment(out, off, ORDER);
          }
        }
      }
      case SUBTRACT -> {
        for (; i < bound; i += LL) {
          long off = (long) i << 3;
          LongVector x = LongVector.fromMemorySegment(LS, as, off, ORDER).blend(ca, ka);
          LongVector y = LongVector.fromMemorySegment(LS, bs, off, ORDER).blend(cb, kb);
          LongVector r = x.sub(y);
          if (x.lanewise(VectorOperators.XOR, y)
              .and(x.lanewise(VectorOperators.XOR, r))
              .compare(VectorOperators.LT, 0)
              .anyTrue()) {
            int64Rows(op, a, ac, av, b, bc, bv, null, i, i + LL, out);
          } else {
            r.intoMemorySegment(out, off, ORDER);
          }
        }
      }
      case MULTIPLY -> {
        for (; i < bound; i += LL) {
          long off = (long) i << 3;
          LongVector x = LongVector.fromMemorySegment(LS, as, off, ORDER).blend(ca, ka);
          LongVector y = LongVector.fromMemorySegment(LS, bs, off, ORDER).blend(cb, kb);
          DoubleVector p =
              ((DoubleVector) x.convert(VectorOperators.L2D, 0))
                  .mul((DoubleVector) y.convert(VectorOperators.L2D, 0));
          if (p.abs().compare(VectorOperators.GE, 0x1p62).anyTrue()) {
            int64Rows(op, a, ac, av, b, bc, bv, null, i, i + LL, out);
          } else {
            x.mul(y).intoMemorySegment(out, off, ORDER);
          }
        }
      }
      case DIVIDE -> {
        for (; i < bound; i += LL) {
          long off = (long) i << 3;
          LongVector x = LongVector.fromMemorySegment(LS, as, off, ORDER).blend(ca, ka);
          LongVector y = LongVector.fromMemorySegment(LS, bs, off, ORDER).blend(cb, kb);
          DoubleVector dx = (DoubleVector) x.convert(VectorOperators.L2D, 0);
          DoubleVector dy = (DoubleVector) y.convert(VectorOperators.L2D, 0);
          DoubleVector ady = dy.abs();
          if (dx.abs()
              .compare(VectorOperators.GE, TWO_53)
              .or(ady.compare(VectorOperators.GE, TWO_53))
              .or(ady.compare(VectorOperators.EQ, 0))
              .anyTrue()) {
            int64Rows(op, a, ac, av, b, bc, bv, null, i, i + LL, out);
          } else {
            dx.div(dy).convert(VectorOperators.D2L, 0).intoMemorySegment(out, off, ORDER);
          }
        }
      }
      case MODULO -> {
        for (; i < bound; i += LL) {
          long off = (long) i << 3;
          LongVector x = LongVector.fromMemorySegment(LS, as, off, ORDER).blend(ca, ka);
          LongVector y = LongVector.fromMemorySegment(LS, bs, off, ORDER).blend(cb, kb);
          DoubleVector dx = (DoubleVector) x.convert(VectorOperators.L2D, 0);
          DoubleVector dy = (DoubleVector) y.convert(VectorOperators.L2D, 0);
          DoubleVector ady = dy.abs();
          if (dx.abs()
              .compare(VectorOperators.GE, TWO_53)
              .or(ady.compare(VectorOperators.GE, TWO_53))
              .or(ady.compare(VectorOperators.EQ, 0))
              .anyTrue()) {
            int64Rows(op, a, ac, av, b, bc, bv, null, i, i + LL, out);
          } else {
            LongVector q = (LongVector) dx.div(dy).convert(VectorOperators.D2L, 0);
            x.sub(q.mul(y)).intoMemorySegment(out, off, ORDER);
          }
        }
      }
    }
    int64Rows(op, a, ac, av, b, bc, bv, null, i, n, out);
  }

  @Override
  public void int64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int64Any(
        op,
        Objects.requireNonNull(a, "a is null"),
        0,
        aValidity,
        Objects.requireNonNull(b, "b is null"),
        0,
        bValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void int64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      long c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int64Any(
        op,
        Objects.requireNonNull(a, "a is null"),
        0,
        aValidity,
        null,
        c,
        null,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void int64(
      ArithmeticOp op,
      long c,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int64Any(
        op,
        null,
        c,
        null,
        Objects.requireNonNull(b, "b is null"),
        0,
        bValidity,
        sel,
        n,
        out,
        outValidity);
  }

  // ---- int32 ----------------------------------------------------------------------------------

  private static int int32Op(ArithmeticOp op, int x, int y, int row) {
    switch (op) {
      case ADD -> {
        int r = x + y;
        if (((x ^ r) & (y ^ r)) < 0) {
          throw KernelException.overflow("int32 add", row, x + " + " + y);
        }
        return r;
      }
      case SUBTRACT -> {
        int r = x - y;
        if (((x ^ y) & (x ^ r)) < 0) {
          throw KernelException.overflow("int32 subtract", row, x + " - " + y);
        }
        return r;
      }
      case MULTIPLY -> {
        long r = (long) x * y;
        if (r != (int) r) {
          throw KernelException.overflow("int32 multiply", row, x + " * " + y);
        }
        return (int) r;
      }
      case DIVIDE -> {
        if (y == 0) {
          throw KernelException.divisionByZero("int32 divide", row, x + " / " + y);
        }
        if (x == Integer.MIN_VALUE && y == -1) {
          throw KernelException.overflow("int32 divide", row, x + " / " + y);
        }
        return x / y;
      }
      case MODULO -> {
        if (y == 0) {
          throw KernelException.divisionByZero("int32 modulo", row, x + " % " + y);
        }
        return x % y;
      }
    }
    throw new AssertionError(op);
  }

  private static void int32Rows(
      ArithmeticOp op,
      @Nullable MemorySegment a,
      int ac,
      @Nullable MemorySegment av,
      @Nullable MemorySegment b,
      int bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int from,
      int to,
      MemorySegment out) {
    for (int k = from; k < to; k++) {
      int row = rowOf(sel, k);
      int r = valid(av, bv, row) ? int32Op(op, i32(a, ac, row), i32(b, bc, row), row) : 0;
      out.setAtIndex(ArrowLayout.INT32, k, r);
    }
  }

  private static void int32Any(
      ArithmeticOp op,
      @Nullable MemorySegment a,
      int ac,
      @Nullable MemorySegment av,
      @Nullable MemorySegment b,
      int bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    Objects.requireNonNull(op, "op is null");
    checkRowwise(n, sel, out, 4, outValidity, a, 4, av, b, 4, bv);
    validity(av, bv, sel, n, outValidity);
    if (sel != null) {
      int32Rows(op, a, ac, av, b, bc, bv, sel, 0, n, out);
      return;
    }
    MemorySegment as = a != null ? a : out;
    MemorySegment bs = b != null ? b : out;
    int i = 0;
    switch (op) {
      case ADD, SUBTRACT -> {
        IntVector ca = IntVector.broadcast(IS, ac);
        IntVector cb = IntVector.broadcast(IS, bc);
        VectorMask<Integer> ka = VectorMask.fromLong(IS, constantLanes(a));
        VectorMask<Integer> kb = VectorMask.fromLong(IS, constantLanes(b));
        int bound = IS.loopBound(n);
        if (op == ArithmeticOp.ADD) {
          for (; i < bound; i += IL) {
            long off = (long) i << 2;
            IntVector x = IntVector.fromMemorySegment(IS, as, off, ORDER).blend(ca, ka);
            IntVector y = IntVector.fromMemorySegment(IS, bs, off, ORDER).blend(cb, kb);
            IntVector r = x.add(y);
            if (r.lanewise(VectorOperators.XOR, x)
                .and(r.lanewise(VectorOperators.XOR, y))
                .compare(VectorOperators.LT, 0)
                .anyTrue()) {
              int32Rows(op, a, ac, av, b, bc, bv, null, i, i + IL, out);
            } else {
              r.intoMemorySegment(out, off, ORDER);
            }
          }
        } else {
          for (; i < bound; i += IL) {
            long off = (long) i << 2;
            IntVector x = IntVector.fromMemorySegment(IS, as, off, ORDER).blend(ca, ka);
            IntVector y = IntVector.fromMemorySegment(IS, bs, off, ORDER).blend(cb, kb);
            IntVector r = x.sub(y);
            if (x.lanewise(VectorOperators.XOR, y)
                .and(x.lanewise(VectorOperators.XOR, r))
                .compare(VectorOperators.LT, 0)
                .anyTrue()) {
              int32Rows(op, a, ac, av, b, bc, bv, null, i, i + IL, out);
            } else {
              r.intoMemorySegment(out, off, ORDER);
            }
          }
        }
      }
      case MULTIPLY -> {
        LongVector ca = LongVector.broadcast(LS, ac);
        LongVector cb = LongVector.broadcast(LS, bc);
        VectorMask<Long> ka = VectorMask.fromLong(LS, constantLanes(a));
        VectorMask<Long> kb = VectorMask.fromLong(LS, constantLanes(b));
        int bound = LS.loopBound(n);
        for (; i < bound; i += LL) {
          long off = (long) i << 2;
          LongVector x =
              ((LongVector)
                      IntVector.fromMemorySegment(IH, as, off, ORDER)
                          .convertShape(VectorOperators.I2L, LS, 0))
                  .blend(ca, ka);
          LongVector y =
              ((LongVector)
                      IntVector.fromMemorySegment(IH, bs, off, ORDER)
                          .convertShape(VectorOperators.I2L, LS, 0))
                  .blend(cb, kb);
          LongVector r = x.mul(y);
          if (r.compare(VectorOperators.LT, Integer.MIN_VALUE)
              .or(r.compare(VectorOperators.GT, Integer.MAX_VALUE))
              .anyTrue()) {
            int32Rows(op, a, ac, av, b, bc, bv, null, i, i + LL, out);
          } else {
            r.convertShape(VectorOperators.L2I, IH, 0).intoMemorySegment(out, off, ORDER);
          }
        }
      }
      case DIVIDE, MODULO -> {
        // modulo = x - y * q, blended in under an all-true mask (no phi of two vectors)
        VectorMask<Integer> mod = VectorMask.fromLong(IH, op == ArithmeticOp.MODULO ? -1L : 0L);
        IntVector ca = IntVector.broadcast(IH, ac);
        IntVector cb = IntVector.broadcast(IH, bc);
        VectorMask<Integer> ka = VectorMask.fromLong(IH, constantLanes(a));
        VectorMask<Integer> kb = VectorMask.fromLong(IH, constantLanes(b));
        int bound = IH.loopBound(n);
        for (; i < bound; i += LL) {
          long off = (long) i << 2;
          IntVector x = IntVector.fromMemorySegment(IH, as, off, ORDER).blend(ca, ka);
          IntVector y = IntVector.fromMemorySegment(IH, bs, off, ORDER).blend(cb, kb);
          if (y.compare(VectorOperators.EQ, 0)
              .or(
                  x.compare(VectorOperators.EQ, Integer.MIN_VALUE)
                      .and(y.compare(VectorOperators.EQ, -1)))
              .anyTrue()) {
            int32Rows(op, a, ac, av, b, bc, bv, null, i, i + LL, out);
          } else {
            IntVector q =
                (IntVector)
                    ((DoubleVector) x.convertShape(VectorOperators.I2D, DS, 0))
                        .div((DoubleVector) y.convertShape(VectorOperators.I2D, DS, 0))
                        .convertShape(VectorOperators.D2I, IH, 0);
            q.blend(x.sub(q.mul(y)), mod).intoMemorySegment(out, off, ORDER);
          }
        }
      }
    }
    int32Rows(op, a, ac, av, b, bc, bv, null, i, n, out);
  }

  @Override
  public void int32(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int32Any(
        op,
        Objects.requireNonNull(a, "a is null"),
        0,
        aValidity,
        Objects.requireNonNull(b, "b is null"),
        0,
        bValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void int32(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      int c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int32Any(
        op,
        Objects.requireNonNull(a, "a is null"),
        0,
        aValidity,
        null,
        c,
        null,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void int32(
      ArithmeticOp op,
      int c,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int32Any(
        op,
        null,
        c,
        null,
        Objects.requireNonNull(b, "b is null"),
        0,
        bValidity,
        sel,
        n,
        out,
        outValidity);
  }

  // ---- float64 --------------------------------------------------------------------------------

  private static double float64Op(ArithmeticOp op, double x, double y) {
    return switch (op) {
      case ADD -> x + y;
      case SUBTRACT -> x - y;
      case MULTIPLY -> x * y;
      case DIVIDE -> x / y;
      case MODULO -> x % y;
    };
  }

  /**
   * float64 never fails, so null rows are computed like the others (their value is unspecified).
   */
  private static void float64Rows(
      ArithmeticOp op,
      @Nullable MemorySegment a,
      double ac,
      @Nullable MemorySegment b,
      double bc,
      @Nullable MemorySegment sel,
      int from,
      int to,
      MemorySegment out) {
    for (int k = from; k < to; k++) {
      int row = rowOf(sel, k);
      out.setAtIndex(ArrowLayout.FLOAT64, k, float64Op(op, f64(a, ac, row), f64(b, bc, row)));
    }
  }

  private static void float64Any(
      ArithmeticOp op,
      @Nullable MemorySegment a,
      double ac,
      @Nullable MemorySegment av,
      @Nullable MemorySegment b,
      double bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    Objects.requireNonNull(op, "op is null");
    checkRowwise(n, sel, out, 8, outValidity, a, 8, av, b, 8, bv);
    validity(av, bv, sel, n, outValidity);
    if (sel != null) {
      float64Rows(op, a, ac, b, bc, sel, 0, n, out);
      return;
    }
    MemorySegment as = a != null ? a : out;
    MemorySegment bs = b != null ? b : out;
    DoubleVector ca = DoubleVector.broadcast(DS, ac);
    DoubleVector cb = DoubleVector.broadcast(DS, bc);
    VectorMask<Double> ka = VectorMask.fromLong(DS, constantLanes(a));
    VectorMask<Double> kb = VectorMask.fromLong(DS, constantLanes(b));
    int bound = DS.loopBound(n);
    int i = 0;
    switch (op) {
      case ADD -> {
        for (; i < bound; i += DL) {
          long off = (long) i << 3;
          DoubleVector.fromMemorySegment(DS, as, off, ORDER)
              .blend(ca, ka)
              .add(DoubleVector.fromMemorySegment(DS, bs, off, ORDER).blend(cb, kb))
              .intoMemorySegment(out, off, ORDER);
        }
      }
      case SUBTRACT -> {
        for (; i < bound; i += DL) {
          long off = (long) i << 3;
          DoubleVector.fromMemorySegment(DS, as, off, ORDER)
              .blend(ca, ka)
              .sub(DoubleVector.fromMemorySegment(DS, bs, off, ORDER).blend(cb, kb))
              .intoMemorySegment(out, off, ORDER);
        }
      }
      case MULTIPLY -> {
        for (; i < bound; i += DL) {
          long off = (long) i << 3;
          DoubleVector.fromMemorySegment(DS, as, off, ORDER)
              .blend(ca, ka)
              .mul(DoubleVector.fromMemorySegment(DS, bs, off, ORDER).blend(cb, kb))
              .intoMemorySegment(out, off, ORDER);
        }
      }
      case DIVIDE -> {
        for (; i < bound; i += DL) {
          long off = (long) i << 3;
          DoubleVector.fromMemorySegment(DS, as, off, ORDER)
              .blend(ca, ka)
              .div(DoubleVector.fromMemorySegment(DS, bs, off, ORDER).blend(cb, kb))
              .intoMemorySegment(out, off, ORDER);
        }
      }
      case MODULO -> {
        // fmod has no vector form: all rows go through the scalar loop below
      }
    }
    float64Rows(op, a, ac, b, bc, null, i, n, out);
  }

  @Override
  public void float64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    float64Any(
        op,
        Objects.requireNonNull(a, "a is null"),
        0,
        aValidity,
        Objects.requireNonNull(b, "b is null"),
        0,
        bValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void float64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      double c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    float64Any(
        op,
        Objects.requireNonNull(a, "a is null"),
        0,
        aValidity,
        null,
        c,
        null,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void float64(
      ArithmeticOp op,
      double c,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    float64Any(
        op,
        null,
        c,
        null,
        Objects.requireNonNull(b, "b is null"),
        0,
        bValidity,
        sel,
        n,
        out,
        outValidity);
  }

  // ---- decimal --------------------------------------------------------------------------------

  /**
   * One decimal operation: operand types, result type, and the powers of ten that bring the
   * operands to a common scale (add, subtract, modulo) or scale the dividend (divide: {@code ka}).
   */
  private record DecimalPlan(
      ArithmeticOp op, DecimalType ta, DecimalType tb, DecimalType tr, int ka, int kb) {
    static DecimalPlan of(ArithmeticOp op, DecimalType ta, DecimalType tb) {
      DecimalType tr = ta.resultOf(op, tb);
      return switch (op) {
        case ADD, SUBTRACT, MODULO ->
            new DecimalPlan(op, ta, tb, tr, tr.scale() - ta.scale(), tr.scale() - tb.scale());
        case MULTIPLY -> new DecimalPlan(op, ta, tb, tr, 0, 0);
        case DIVIDE -> new DecimalPlan(op, ta, tb, tr, tb.scale() + tr.scale() - ta.scale(), 0);
      };
    }

    String kernel() {
      return "decimal " + op.verb();
    }

    /** Add / subtract: the factor that brings a to the result's scale. */
    long termScaleA() {
      return POW10[ka];
    }

    /** Add / subtract: the factor that brings b to the result's scale, negative to subtract. */
    long termScaleB() {
      return op == ArithmeticOp.SUBTRACT ? -POW10[kb] : POW10[kb];
    }

    /** Add / subtract: below this magnitude a's scaled term (and the sum) stays in int64. */
    long cheapLimitA() {
      return POW10[DecimalType.MAX_PRECISION - ka];
    }

    /** Add / subtract: below this magnitude b's scaled term stays in int64. */
    long cheapLimitB() {
      return POW10[DecimalType.MAX_PRECISION - kb];
    }

    String operands(long x, long y) {
      return ta.toBigDecimal(x).toPlainString()
          + " "
          + op.symbol()
          + " "
          + tb.toBigDecimal(y).toPlainString();
    }

    long fit(long r, long x, long y, int row) {
      if (!tr.fits(r)) {
        throw KernelException.overflow(kernel(), row, operands(x, y) + " exceeds " + tr);
      }
      return r;
    }
  }

  /** The exact result with BigDecimal, for rows whose intermediates leave int64. */
  private static long decimalExact(DecimalPlan pl, long x, long y, int row) {
    BigDecimal bx = pl.ta.toBigDecimal(x);
    BigDecimal by = pl.tb.toBigDecimal(y);
    BigDecimal exact =
        switch (pl.op) {
          case ADD -> bx.add(by);
          case SUBTRACT -> bx.subtract(by);
          case MULTIPLY -> bx.multiply(by);
          case DIVIDE -> bx.divide(by, pl.tr.scale(), RoundingMode.HALF_UP);
          case MODULO -> bx.remainder(by);
        };
    BigInteger unscaled = exact.setScale(pl.tr.scale(), RoundingMode.HALF_UP).unscaledValue();
    if (unscaled.abs().compareTo(BigInteger.valueOf(pl.tr.maxUnscaled())) > 0) {
      throw KernelException.overflow(pl.kernel(), row, pl.operands(x, y) + " exceeds " + pl.tr);
    }
    return unscaled.longValueExact();
  }

  private static long decimalOp(DecimalPlan pl, long x, long y, int row) {
    try {
      switch (pl.op) {
        case ADD -> {
          return pl.fit(
              Math.addExact(
                  Math.multiplyExact(x, POW10[pl.ka]), Math.multiplyExact(y, POW10[pl.kb])),
              x,
              y,
              row);
        }
        case SUBTRACT -> {
          return pl.fit(
              Math.subtractExact(
                  Math.multiplyExact(x, POW10[pl.ka]), Math.multiplyExact(y, POW10[pl.kb])),
              x,
              y,
              row);
        }
        case MULTIPLY -> {
          return pl.fit(Math.multiplyExact(x, y), x, y, row);
        }
        case DIVIDE -> {
          if (y == 0) {
            throw KernelException.divisionByZero(pl.kernel(), row, pl.operands(x, y));
          }
          if (pl.ka > DecimalType.MAX_PRECISION || y == Long.MIN_VALUE) {
            return decimalExact(pl, x, y, row);
          }
          long num = Math.multiplyExact(x, POW10[pl.ka]);
          if (num == Long.MIN_VALUE) {
            return decimalExact(pl, x, y, row);
          }
          long q = num / y;
          long rem = Math.abs(num % y);
          if (rem >= Math.abs(y) - rem) {
            q += (num ^ y) < 0 ? -1 : 1; // HALF_UP: away from zero
          }
          return pl.fit(q, x, y, row);
        }
        case MODULO -> {
          if (y == 0) {
            throw KernelException.divisionByZero(pl.kernel(), row, pl.operands(x, y));
          }
          return pl.fit(
              Math.multiplyExact(x, POW10[pl.ka]) % Math.multiplyExact(y, POW10[pl.kb]), x, y, row);
        }
      }
      throw new AssertionError(pl.op);
    } catch (KernelException e) {
      throw e;
    } catch (ArithmeticException e) {
      return decimalExact(pl, x, y, row); // an intermediate left int64: decide exactly
    }
  }

  private static void decimalRows(
      DecimalPlan pl,
      @Nullable MemorySegment a,
      long ac,
      @Nullable MemorySegment av,
      @Nullable MemorySegment b,
      long bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int from,
      int to,
      MemorySegment out) {
    long lim = POW10[pl.tr.precision()];
    boolean add = pl.op == ArithmeticOp.ADD || pl.op == ArithmeticOp.SUBTRACT;
    if (!add && pl.op != ArithmeticOp.MULTIPLY) {
      for (int k = from; k < to; k++) {
        int row = rowOf(sel, k);
        long r = valid(av, bv, row) ? decimalOp(pl, i64(a, ac, row), i64(b, bc, row), row) : 0;
        out.setAtIndex(ArrowLayout.INT64, k, r);
      }
      return;
    }
    if (a != null
        && b != null
        && av == null
        && bv == null
        && denseRows(pl, lim, a, b, sel, from, to, out)) {
      return; // two columns without nulls, every row decided in one single-exit loop
    }
    // runs of rows without calls in the loop (so the segments' checks are hoisted); a row the
    // run cannot decide cheaply ends it and goes through decimalOp, which decides or refuses it
    int k = from;
    while (k < to) {
      k =
          add
              ? addRun(pl, lim, a, ac, av, b, bc, bv, sel, k, to, out)
              : multiplyRun(lim, a, ac, av, b, bc, bv, sel, k, to, out);
      if (k < to) {
        int row = rowOf(sel, k);
        out.setAtIndex(ArrowLayout.INT64, k, decimalOp(pl, i64(a, ac, row), i64(b, bc, row), row));
        k++;
      }
    }
  }

  /**
   * Decimal add, subtract or multiply of two columns without nulls at positions {@code [from, to)}:
   * a loop with one exit that computes every row and only notes whether some row left the cheap
   * range (then false: the caller decides the positions again, row by row).
   */
  private static boolean denseRows(
      DecimalPlan pl,
      long lim,
      MemorySegment a,
      MemorySegment b,
      @Nullable MemorySegment sel,
      int from,
      int to,
      MemorySegment out) {
    boolean bad = false;
    if (pl.op == ArithmeticOp.MULTIPLY) {
      for (int k = from; k < to; k++) {
        int row = rowOf(sel, k);
        long x = a.getAtIndex(ArrowLayout.INT64, row);
        long y = b.getAtIndex(ArrowLayout.INT64, row);
        long r = x * y;
        bad |= (Math.multiplyHigh(x, y) != (r >> 63)) | (r >= lim) | (r <= -lim);
        out.setAtIndex(ArrowLayout.INT64, k, r);
      }
      return !bad;
    }
    long pa = pl.termScaleA();
    long pb = pl.termScaleB();
    long limA = pl.cheapLimitA();
    long limB = pl.cheapLimitB();
    for (int k = from; k < to; k++) {
      int row = rowOf(sel, k);
      long x = a.getAtIndex(ArrowLayout.INT64, row);
      long y = b.getAtIndex(ArrowLayout.INT64, row);
      long r = x * pa + y * pb;
      bad |= (x >= limA) | (x <= -limA) | (y >= limB) | (y <= -limB) | (r >= lim) | (r <= -lim);
      out.setAtIndex(ArrowLayout.INT64, k, r);
    }
    return !bad;
  }

  /**
   * Decimal add / subtract of positions {@code [from, to)} while |x| < 10^(18 - ka), |y| < 10^(18 -
   * kb) (both scaled terms and their sum stay in int64) and the result fits; returns the first
   * position that does not qualify, or {@code to}.
   */
  private static int addRun(
      DecimalPlan pl,
      long lim,
      @Nullable MemorySegment a,
      long ac,
      @Nullable MemorySegment av,
      @Nullable MemorySegment b,
      long bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int from,
      int to,
      MemorySegment out) {
    long pa = pl.termScaleA();
    long pb = pl.termScaleB();
    long limA = pl.cheapLimitA();
    long limB = pl.cheapLimitB();
    for (int k = from; k < to; k++) {
      int row = rowOf(sel, k);
      long r = 0;
      if (valid(av, bv, row)) {
        long x = i64(a, ac, row);
        long y = i64(b, bc, row);
        r = x * pa + y * pb;
        if (x >= limA || x <= -limA || y >= limB || y <= -limB || r >= lim || r <= -lim) {
          return k;
        }
      }
      out.setAtIndex(ArrowLayout.INT64, k, r);
    }
    return to;
  }

  /** Decimal multiply like {@link #addRun}: while the product is exact in int64 and fits. */
  private static int multiplyRun(
      long lim,
      @Nullable MemorySegment a,
      long ac,
      @Nullable MemorySegment av,
      @Nullable MemorySegment b,
      long bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int from,
      int to,
      MemorySegment out) {
    for (int k = from; k < to; k++) {
      int row = rowOf(sel, k);
      long r = 0;
      if (valid(av, bv, row)) {
        long x = i64(a, ac, row);
        long y = i64(b, bc, row);
        r = x * y;
        if (Math.multiplyHigh(x, y) != (r >> 63) || r >= lim || r <= -lim) {
          return k;
        }
      }
      out.setAtIndex(ArrowLayout.INT64, k, r);
    }
    return to;
  }

  private static DecimalType decimalAny(
      ArithmeticOp op,
      DecimalType ta,
      @Nullable MemorySegment a,
      long ac,
      @Nullable MemorySegment av,
      DecimalType tb,
      @Nullable MemorySegment b,
      long bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    Objects.requireNonNull(op, "op is null");
    DecimalPlan pl = DecimalPlan.of(op, ta, tb);
    checkRowwise(n, sel, out, 8, outValidity, a, 8, av, b, 8, bv);
    validity(av, bv, sel, n, outValidity);
    if (sel != null) {
      decimalRows(pl, a, ac, av, b, bc, bv, sel, 0, n, out);
      return pl.tr;
    }
    MemorySegment as = a != null ? a : out;
    MemorySegment bs = b != null ? b : out;
    LongVector ca = LongVector.broadcast(LS, ac);
    LongVector cb = LongVector.broadcast(LS, bc);
    VectorMask<Long> constA = VectorMask.fromLong(LS, constantLanes(a));
    VectorMask<Long> constB = VectorMask.fromLong(LS, constantLanes(b));
    int bound = LS.loopBound(n);
    int i = 0;
    long lim = POW10[pl.tr.precision()];
    switch (op) {
      case ADD, SUBTRACT -> {
        long pa = POW10[pl.ka];
        long pb = POW10[pl.kb];
        long limA = POW10[DecimalType.MAX_PRECISION - pl.ka];
        long limB = POW10[DecimalType.MAX_PRECISION - pl.kb];
        // subtract = add (y ^ -1) + 1, i.e. -y: the sign is a scalar, not a second loop
        LongVector neg = LongVector.broadcast(LS, op == ArithmeticOp.SUBTRACT ? -1L : 0L);
        for (; i < bound; i += LL) {
          long off = (long) i << 3;
          LongVector x = LongVector.fromMemorySegment(LS, as, off, ORDER).blend(ca, constA);
          LongVector y = LongVector.fromMemorySegment(LS, bs, off, ORDER).blend(cb, constB);
          LongVector r = x.mul(pa).add(y.mul(pb).lanewise(VectorOperators.XOR, neg).sub(neg));
          if (x.compare(VectorOperators.GE, limA)
              .or(x.compare(VectorOperators.LE, -limA))
              .or(y.compare(VectorOperators.GE, limB))
              .or(y.compare(VectorOperators.LE, -limB))
              .or(r.compare(VectorOperators.GE, lim))
              .or(r.compare(VectorOperators.LE, -lim))
              .anyTrue()) {
            decimalRows(pl, a, ac, av, b, bc, bv, null, i, i + LL, out);
          } else {
            r.intoMemorySegment(out, off, ORDER);
          }
        }
      }
      case MULTIPLY -> {
        double safe = lim * 0.999999; // |fl(x) * fl(y)| below it: |x * y| < 10^precision
        for (; i < bound; i += LL) {
          long off = (long) i << 3;
          LongVector x = LongVector.fromMemorySegment(LS, as, off, ORDER).blend(ca, constA);
          LongVector y = LongVector.fromMemorySegment(LS, bs, off, ORDER).blend(cb, constB);
          if (((DoubleVector) x.convert(VectorOperators.L2D, 0))
              .mul((DoubleVector) y.convert(VectorOperators.L2D, 0))
              .abs()
              .compare(VectorOperators.GE, safe)
              .anyTrue()) {
            decimalRows(pl, a, ac, av, b, bc, bv, null, i, i + LL, out);
          } else {
            x.mul(y).intoMemorySegment(out, off, ORDER);
          }
        }
      }
      case DIVIDE -> {
        if (pl.ka > DecimalType.MAX_PRECISION) {
          break; // the dividend's scale factor alone leaves int64: scalar below
        }
        // num = x * 10^ka and y below 2^53 in magnitude: q = trunc(num / y) is exact (see
        // Division), then HALF_UP from the remainder; anything else goes scalar
        long pe = POW10[pl.ka];
        long limX = ((1L << 53) - 1) / pe;
        for (; i < bound; i += LL) {
          long off = (long) i << 3;
          LongVector x = LongVector.fromMemorySegment(LS, as, off, ORDER).blend(ca, constA);
          LongVector y = LongVector.fromMemorySegment(LS, bs, off, ORDER).blend(cb, constB);
          LongVector num = x.mul(pe);
          DoubleVector dy = (DoubleVector) y.convert(VectorOperators.L2D, 0);
          LongVector q =
              (LongVector)
                  ((DoubleVector) num.convert(VectorOperators.L2D, 0))
                      .div(dy)
                      .convert(VectorOperators.D2L, 0);
          LongVector rem = num.sub(q.mul(y));
          q =
              q.add(
                  num.lanewise(VectorOperators.XOR, y).lanewise(VectorOperators.ASHR, 63).or(1L),
                  rem.abs().mul(2).compare(VectorOperators.GE, y.abs()));
          if (x.compare(VectorOperators.GT, limX)
              .or(x.compare(VectorOperators.LT, -limX))
              .or(dy.abs().compare(VectorOperators.GE, TWO_53).cast(LS))
              .or(y.compare(VectorOperators.EQ, 0))
              .or(q.compare(VectorOperators.GE, lim))
              .or(q.compare(VectorOperators.LE, -lim))
              .anyTrue()) {
            decimalRows(pl, a, ac, av, b, bc, bv, null, i, i + LL, out);
          } else {
            q.intoMemorySegment(out, off, ORDER);
          }
        }
      }
      case MODULO -> {
        // scalar: below
      }
    }
    decimalRows(pl, a, ac, av, b, bc, bv, null, i, n, out);
    return pl.tr;
  }

  @Override
  public DecimalType decimal(
      ArithmeticOp op,
      DecimalType aType,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType bType,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    return decimalAny(
        op,
        aType,
        Objects.requireNonNull(a, "a is null"),
        0,
        aValidity,
        bType,
        Objects.requireNonNull(b, "b is null"),
        0,
        bValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public DecimalType decimal(
      ArithmeticOp op,
      DecimalType aType,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType cType,
      long c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    return decimalAny(
        op,
        aType,
        Objects.requireNonNull(a, "a is null"),
        0,
        aValidity,
        cType,
        null,
        c,
        null,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public DecimalType decimal(
      ArithmeticOp op,
      DecimalType cType,
      long c,
      DecimalType bType,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    return decimalAny(
        op,
        cType,
        null,
        c,
        null,
        bType,
        Objects.requireNonNull(b, "b is null"),
        0,
        bValidity,
        sel,
        n,
        out,
        outValidity);
  }

  // ---- casts ----------------------------------------------------------------------------------

  /** The casts, with their input and output widths in bytes. */
  private enum Cast {
    I32_TO_I64(4, 8),
    I64_TO_I32(8, 4),
    I32_TO_F64(4, 8),
    I64_TO_F64(8, 8),
    F64_TO_I32(8, 4),
    F64_TO_I64(8, 8),
    I32_TO_DEC(4, 8),
    I64_TO_DEC(8, 8),
    DEC_TO_F64(8, 8),
    F64_TO_DEC(8, 8),
    DEC_TO_DEC(8, 8);

    final int inWidth;
    final int outWidth;

    Cast(int inWidth, int outWidth) {
      this.inWidth = inWidth;
      this.outWidth = outWidth;
    }
  }

  /** A cast and its decimal types ({@code decimal(18,0)} where a side is not decimal). */
  private record CastSpec(Cast cast, DecimalType from, DecimalType to) {
    String kernel() {
      String f =
          switch (cast) {
            case I32_TO_I64, I32_TO_F64, I32_TO_DEC -> "int32";
            case I64_TO_I32, I64_TO_F64, I64_TO_DEC -> "int64";
            case F64_TO_I32, F64_TO_I64, F64_TO_DEC -> "float64";
            case DEC_TO_F64, DEC_TO_DEC -> from.toString();
          };
      String t =
          switch (cast) {
            case I64_TO_I32, F64_TO_I32 -> "int32";
            case I32_TO_I64, F64_TO_I64 -> "int64";
            case I32_TO_F64, I64_TO_F64, DEC_TO_F64 -> "float64";
            case I32_TO_DEC, I64_TO_DEC, F64_TO_DEC, DEC_TO_DEC -> to.toString();
          };
      return "cast " + f + " to " + t;
    }
  }

  private static final DecimalType NO_DECIMAL = DecimalType.of(DecimalType.MAX_PRECISION, 0);

  /** HALF_UP rounding of a finite float64 {@code |t| < 2^62} to an integer. */
  private static long roundHalfUp(double t) {
    double at = Math.abs(t);
    long f = (long) at;
    if (at - f >= 0.5) {
      f++;
    }
    return t < 0 ? -f : f;
  }

  /** Casts one valid row {@code row} into output position {@code k}. */
  private static void castRow(CastSpec s, MemorySegment a, int row, MemorySegment out, int k) {
    switch (s.cast) {
      case I32_TO_I64 -> out.setAtIndex(ArrowLayout.INT64, k, (long) ArrowLayout.int32(a, row));
      case I64_TO_I32 -> {
        long x = ArrowLayout.int64(a, row);
        if (x != (int) x) {
          throw KernelException.overflow(s.kernel(), row, Long.toString(x));
        }
        out.setAtIndex(ArrowLayout.INT32, k, (int) x);
      }
      case I32_TO_F64 -> out.setAtIndex(ArrowLayout.FLOAT64, k, (double) ArrowLayout.int32(a, row));
      case I64_TO_F64 -> out.setAtIndex(ArrowLayout.FLOAT64, k, (double) ArrowLayout.int64(a, row));
      case F64_TO_I32 -> {
        double x = ArrowLayout.float64(a, row);
        if (!(x > -2147483649.0 && x < 2147483648.0)) {
          throw badDouble(s, row, x);
        }
        out.setAtIndex(ArrowLayout.INT32, k, (int) x);
      }
      case F64_TO_I64 -> {
        double x = ArrowLayout.float64(a, row);
        if (!(x >= -0x1p63 && x < 0x1p63)) {
          throw badDouble(s, row, x);
        }
        out.setAtIndex(ArrowLayout.INT64, k, (long) x);
      }
      case I32_TO_DEC, I64_TO_DEC -> {
        long x = s.cast == Cast.I32_TO_DEC ? ArrowLayout.int32(a, row) : ArrowLayout.int64(a, row);
        long lim = POW10[s.to.precision() - s.to.scale()];
        if (x >= lim || x <= -lim) {
          throw KernelException.overflow(s.kernel(), row, x + " exceeds " + s.to);
        }
        out.setAtIndex(ArrowLayout.INT64, k, x * POW10[s.to.scale()]);
      }
      case DEC_TO_F64 ->
          out.setAtIndex(
              ArrowLayout.FLOAT64, k, (double) ArrowLayout.int64(a, row) / POW10[s.from.scale()]);
      case F64_TO_DEC -> {
        double x = ArrowLayout.float64(a, row);
        double t = x * POW10[s.to.scale()];
        if (!(Math.abs(t) < 0x1p62)) {
          throw badDouble(s, row, x);
        }
        long r = roundHalfUp(t);
        if (!s.to.fits(r)) {
          throw KernelException.overflow(s.kernel(), row, x + " exceeds " + s.to);
        }
        out.setAtIndex(ArrowLayout.INT64, k, r);
      }
      case DEC_TO_DEC -> {
        long x = ArrowLayout.int64(a, row);
        int shift = s.to.scale() - s.from.scale();
        long r;
        if (shift >= 0) {
          long lim = POW10[s.to.precision() - shift];
          r = x < lim && x > -lim ? x * POW10[shift] : Long.MAX_VALUE; // MAX: does not fit
        } else {
          long d = POW10[-shift];
          r = x / d;
          long rem = Math.abs(x % d);
          if (rem >= d - rem) {
            r += x < 0 ? -1 : 1; // HALF_UP: away from zero
          }
        }
        if (!s.to.fits(r)) {
          throw KernelException.overflow(
              s.kernel(), row, s.from.toBigDecimal(x).toPlainString() + " exceeds " + s.to);
        }
        out.setAtIndex(ArrowLayout.INT64, k, r);
      }
    }
  }

  private static KernelException badDouble(CastSpec s, int row, double x) {
    return Double.isNaN(x) || Double.isInfinite(x)
        ? KernelException.invalid(
            s.kernel(),
            row,
            x + " has no " + (s.cast == Cast.F64_TO_DEC ? "decimal" : "integer") + " value")
        : KernelException.overflow(s.kernel(), row, x + " is out of range");
  }

  private static void castRows(
      CastSpec s,
      MemorySegment a,
      @Nullable MemorySegment av,
      @Nullable MemorySegment sel,
      int from,
      int to,
      MemorySegment out) {
    for (int k = from; k < to; k++) {
      int row = rowOf(sel, k);
      if (Validity.isValid(av, row)) {
        castRow(s, a, row, out, k);
      } else if (s.cast.outWidth == 8) {
        out.setAtIndex(ArrowLayout.INT64, k, 0);
      } else {
        out.setAtIndex(ArrowLayout.INT32, k, 0);
      }
    }
  }

  private static void cast(
      CastSpec s,
      MemorySegment a,
      @Nullable MemorySegment av,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    Objects.requireNonNull(a, "a is null");
    checkRowwise(n, sel, out, s.cast.outWidth, outValidity, a, s.cast.inWidth, av, null, 0, null);
    validity(av, null, sel, n, outValidity);
    if (sel != null) {
      castRows(s, a, av, sel, 0, n, out);
      return;
    }
    int end = LS.loopBound(n);
    int i =
        switch (s.cast) {
          case I32_TO_I64 -> int32ToInt64Loop(a, end, out);
          case I64_TO_I32 -> int64ToInt32Loop(s, a, av, end, out);
          case I32_TO_F64 -> int32ToFloat64Loop(a, end, out);
          case I64_TO_F64 -> int64ToFloat64Loop(a, end, out);
          case F64_TO_I32 -> float64ToInt32Loop(s, a, av, end, out);
          case F64_TO_I64 -> float64ToInt64Loop(s, a, av, end, out);
          case I32_TO_DEC -> int32ToDecimalLoop(s, a, av, end, out);
          case I64_TO_DEC -> int64ToDecimalLoop(s, a, av, end, out);
          case DEC_TO_F64 -> decimalToFloat64Loop(s, a, end, out);
          case F64_TO_DEC -> float64ToDecimalLoop(s, a, av, end, out);
          case DEC_TO_DEC ->
              s.to.scale() >= s.from.scale()
                  ? rescaleUpLoop(s, a, av, end, out)
                  : rescaleDownLoop(s, a, av, end, out);
        };
    castRows(s, a, av, null, i, n, out);
  }

  // Each loop covers rows [0, end), end a multiple of LL, and returns end.

  private static int int32ToInt64Loop(MemorySegment a, int end, MemorySegment out) {
    for (int i = 0; i < end; i += LL) {
      IntVector.fromMemorySegment(IH, a, (long) i << 2, ORDER)
          .convertShape(VectorOperators.I2L, LS, 0)
          .intoMemorySegment(out, (long) i << 3, ORDER);
    }
    return end;
  }

  private static int int64ToInt32Loop(
      CastSpec s, MemorySegment a, @Nullable MemorySegment av, int end, MemorySegment out) {
    for (int i = 0; i < end; i += LL) {
      LongVector x = LongVector.fromMemorySegment(LS, a, (long) i << 3, ORDER);
      if (x.compare(VectorOperators.LT, Integer.MIN_VALUE)
          .or(x.compare(VectorOperators.GT, Integer.MAX_VALUE))
          .anyTrue()) {
        castRows(s, a, av, null, i, i + LL, out);
      } else {
        x.convertShape(VectorOperators.L2I, IH, 0).intoMemorySegment(out, (long) i << 2, ORDER);
      }
    }
    return end;
  }

  private static int int32ToFloat64Loop(MemorySegment a, int end, MemorySegment out) {
    for (int i = 0; i < end; i += LL) {
      IntVector.fromMemorySegment(IH, a, (long) i << 2, ORDER)
          .convertShape(VectorOperators.I2D, DS, 0)
          .intoMemorySegment(out, (long) i << 3, ORDER);
    }
    return end;
  }

  private static int int64ToFloat64Loop(MemorySegment a, int end, MemorySegment out) {
    for (int i = 0; i < end; i += LL) {
      LongVector.fromMemorySegment(LS, a, (long) i << 3, ORDER)
          .convert(VectorOperators.L2D, 0)
          .intoMemorySegment(out, (long) i << 3, ORDER);
    }
    return end;
  }

  private static int float64ToInt32Loop(
      CastSpec s, MemorySegment a, @Nullable MemorySegment av, int end, MemorySegment out) {
    for (int i = 0; i < end; i += LL) {
      DoubleVector x = DoubleVector.fromMemorySegment(DS, a, (long) i << 3, ORDER);
      if (x.compare(VectorOperators.GT, -2147483649.0)
          .and(x.compare(VectorOperators.LT, 2147483648.0))
          .not()
          .anyTrue()) {
        castRows(s, a, av, null, i, i + LL, out);
      } else {
        x.convertShape(VectorOperators.D2I, IH, 0).intoMemorySegment(out, (long) i << 2, ORDER);
      }
    }
    return end;
  }

  private static int float64ToInt64Loop(
      CastSpec s, MemorySegment a, @Nullable MemorySegment av, int end, MemorySegment out) {
    for (int i = 0; i < end; i += LL) {
      DoubleVector x = DoubleVector.fromMemorySegment(DS, a, (long) i << 3, ORDER);
      if (x.compare(VectorOperators.GE, -0x1p63)
          .and(x.compare(VectorOperators.LT, 0x1p63))
          .not()
          .anyTrue()) {
        castRows(s, a, av, null, i, i + LL, out);
      } else {
        x.convert(VectorOperators.D2L, 0).intoMemorySegment(out, (long) i << 3, ORDER);
      }
    }
    return end;
  }

  private static int int32ToDecimalLoop(
      CastSpec s, MemorySegment a, @Nullable MemorySegment av, int end, MemorySegment out) {
    long lim = POW10[s.to.precision() - s.to.scale()];
    long pow = POW10[s.to.scale()];
    for (int i = 0; i < end; i += LL) {
      LongVector x =
          (LongVector)
              IntVector.fromMemorySegment(IH, a, (long) i << 2, ORDER)
                  .convertShape(VectorOperators.I2L, LS, 0);
      if (x.compare(VectorOperators.GE, lim).or(x.compare(VectorOperators.LE, -lim)).anyTrue()) {
        castRows(s, a, av, null, i, i + LL, out);
      } else {
        x.mul(pow).intoMemorySegment(out, (long) i << 3, ORDER);
      }
    }
    return end;
  }

  private static int int64ToDecimalLoop(
      CastSpec s, MemorySegment a, @Nullable MemorySegment av, int end, MemorySegment out) {
    long lim = POW10[s.to.precision() - s.to.scale()];
    long pow = POW10[s.to.scale()];
    for (int i = 0; i < end; i += LL) {
      LongVector x = LongVector.fromMemorySegment(LS, a, (long) i << 3, ORDER);
      if (x.compare(VectorOperators.GE, lim).or(x.compare(VectorOperators.LE, -lim)).anyTrue()) {
        castRows(s, a, av, null, i, i + LL, out);
      } else {
        x.mul(pow).intoMemorySegment(out, (long) i << 3, ORDER);
      }
    }
    return end;
  }

  private static int decimalToFloat64Loop(CastSpec s, MemorySegment a, int end, MemorySegment out) {
    double pow = POW10[s.from.scale()];
    for (int i = 0; i < end; i += LL) {
      ((DoubleVector)
              LongVector.fromMemorySegment(LS, a, (long) i << 3, ORDER)
                  .convert(VectorOperators.L2D, 0))
          .div(pow)
          .intoMemorySegment(out, (long) i << 3, ORDER);
    }
    return end;
  }

  private static int float64ToDecimalLoop(
      CastSpec s, MemorySegment a, @Nullable MemorySegment av, int end, MemorySegment out) {
    double pow = POW10[s.to.scale()];
    long lim = POW10[s.to.precision()];
    for (int i = 0; i < end; i += LL) {
      // HALF_UP of t = x * 10^scale: f = trunc(|t|), + 1 when |t| - f >= 0.5 (exact), sign back
      DoubleVector t = DoubleVector.fromMemorySegment(DS, a, (long) i << 3, ORDER).mul(pow);
      DoubleVector at = t.abs();
      LongVector f = (LongVector) at.convert(VectorOperators.D2L, 0);
      f =
          f.add(
              1,
              at.sub((DoubleVector) f.convert(VectorOperators.L2D, 0))
                  .compare(VectorOperators.GE, 0.5)
                  .cast(LS));
      if (at.compare(VectorOperators.LT, 0x1p62)
          .not()
          .cast(LS)
          .or(f.compare(VectorOperators.GE, lim))
          .anyTrue()) {
        castRows(s, a, av, null, i, i + LL, out);
      } else {
        f.blend(f.neg(), t.compare(VectorOperators.LT, 0).cast(LS))
            .intoMemorySegment(out, (long) i << 3, ORDER);
      }
    }
    return end;
  }

  private static int rescaleUpLoop(
      CastSpec s, MemorySegment a, @Nullable MemorySegment av, int end, MemorySegment out) {
    int shift = s.to.scale() - s.from.scale();
    long limIn = POW10[s.to.precision() - shift];
    long pow = POW10[shift];
    for (int i = 0; i < end; i += LL) {
      LongVector x = LongVector.fromMemorySegment(LS, a, (long) i << 3, ORDER);
      if (x.compare(VectorOperators.GE, limIn)
          .or(x.compare(VectorOperators.LE, -limIn))
          .anyTrue()) {
        castRows(s, a, av, null, i, i + LL, out);
      } else {
        x.mul(pow).intoMemorySegment(out, (long) i << 3, ORDER);
      }
    }
    return end;
  }

  private static int rescaleDownLoop(
      CastSpec s, MemorySegment a, @Nullable MemorySegment av, int end, MemorySegment out) {
    long d = POW10[s.from.scale() - s.to.scale()];
    long lim = POW10[s.to.precision()];
    for (int i = 0; i < end; i += LL) {
      LongVector x = LongVector.fromMemorySegment(LS, a, (long) i << 3, ORDER);
      DoubleVector dx = (DoubleVector) x.convert(VectorOperators.L2D, 0);
      LongVector q = (LongVector) dx.div((double) d).convert(VectorOperators.D2L, 0); // exact
      LongVector rem = x.sub(q.mul(d));
      // HALF_UP: away from zero when 2 |rem| >= d; the sign of x is -1 | 1
      q =
          q.add(
              ((LongVector) x.compare(VectorOperators.LT, 0).toVector()).or(1L),
              rem.abs().mul(2).compare(VectorOperators.GE, d));
      if (dx.abs()
          .compare(VectorOperators.GE, TWO_53)
          .cast(LS)
          .or(q.compare(VectorOperators.GE, lim))
          .or(q.compare(VectorOperators.LE, -lim))
          .anyTrue()) {
        castRows(s, a, av, null, i, i + LL, out);
      } else {
        q.intoMemorySegment(out, (long) i << 3, ORDER);
      }
    }
    return end;
  }

  @Override
  public void int32ToInt64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    cast(
        new CastSpec(Cast.I32_TO_I64, NO_DECIMAL, NO_DECIMAL),
        a,
        aValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void int64ToInt32(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    cast(
        new CastSpec(Cast.I64_TO_I32, NO_DECIMAL, NO_DECIMAL),
        a,
        aValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void int32ToFloat64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    cast(
        new CastSpec(Cast.I32_TO_F64, NO_DECIMAL, NO_DECIMAL),
        a,
        aValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void int64ToFloat64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    cast(
        new CastSpec(Cast.I64_TO_F64, NO_DECIMAL, NO_DECIMAL),
        a,
        aValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void float64ToInt32(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    cast(
        new CastSpec(Cast.F64_TO_I32, NO_DECIMAL, NO_DECIMAL),
        a,
        aValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void float64ToInt64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    cast(
        new CastSpec(Cast.F64_TO_I64, NO_DECIMAL, NO_DECIMAL),
        a,
        aValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void int32ToDecimal(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    cast(
        new CastSpec(Cast.I32_TO_DEC, NO_DECIMAL, Objects.requireNonNull(to, "to is null")),
        a,
        aValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void int64ToDecimal(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    cast(
        new CastSpec(Cast.I64_TO_DEC, NO_DECIMAL, Objects.requireNonNull(to, "to is null")),
        a,
        aValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void decimalToFloat64(
      DecimalType from,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    cast(
        new CastSpec(Cast.DEC_TO_F64, Objects.requireNonNull(from, "from is null"), NO_DECIMAL),
        a,
        aValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void float64ToDecimal(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    cast(
        new CastSpec(Cast.F64_TO_DEC, NO_DECIMAL, Objects.requireNonNull(to, "to is null")),
        a,
        aValidity,
        sel,
        n,
        out,
        outValidity);
  }

  @Override
  public void rescaleDecimal(
      DecimalType from,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    cast(
        new CastSpec(
            Cast.DEC_TO_DEC,
            Objects.requireNonNull(from, "from is null"),
            Objects.requireNonNull(to, "to is null")),
        a,
        aValidity,
        sel,
        n,
        out,
        outValidity);
  }

  // ---- date32 ---------------------------------------------------------------------------------

  /*
   * Neri-Schneider, from a day number N (days since 1970-01-01) to the civil date:
   *   N_U = N + K (K = 719468 + 146097 ERA_OFF: non-negative for every int32 N)
   *   N_1 = 4 N_U + 3, C = N_1 / 146097 (centuries), N_C = (N_1 mod 146097) / 4 (day of century)
   *   P_2 = 2939745 (4 N_C + 3), Z = P_2 >> 32 (year of century),
   *   N_Y = (P_2 mod 2^32) / 11758980 (day of the March-based year, 0..365)
   *   N_3 = 2141 N_Y + 197913, M = N_3 >> 16 (3..14, March = 3), D = (N_3 mod 2^16) / 2141
   *   J = N_Y >= 306 (January or February): year = 100 C + Z - 400 ERA_OFF + J, month = M - 12 J,
   *   day = D + 1. Leap years of the March year: Z % 4 == 0 and (Z != 0 or C % 4 == 0).
   * and back (for a year Y >= 0 that includes a multiple of 400 years, month M, day D):
   *   J = M <= 2, Y' = Y - J, M' = M + 12 J, C = Y' / 100,
   *   N = 1461 Y' / 4 - C + C / 4 + (979 M' - 2919) / 32 + D - 1 - (719468 + 146097 (offset/400)).
   */

  /** Eras (400 years, 146097 days) added so that every int32 day is non-negative. */
  private static final long ERA_OFF = 14_700;

  private static final long DAY_SHIFT = 719_468 + 146_097 * ERA_OFF;
  private static final long YEAR_SHIFT = 400 * ERA_OFF;

  /** Years (a multiple of 400) added to keep the month arithmetic of addMonths non-negative. */
  private static final long YEAR_OFF = 200_000_000;

  private static final long RATA_SHIFT = 719_468 + 146_097 * (YEAR_OFF / 400);

  /** {@code ceil(2^40 / d)}: {@code (x * magic(d)) >>> 40 == x / d} for 0 <= x < 2^29. */
  private static long magic(long d) {
    return ((1L << 40) + d - 1) / d;
  }

  private static final long M2141 = magic(2141);
  private static final long M100 = magic(100);
  private static final long M400 = magic(400);
  private static final long M3 = magic(3);

  private static boolean isLeap(long year) {
    return Math.floorMod(year, 4) == 0
        && (Math.floorMod(year, 100) != 0 || Math.floorMod(year, 400) == 0);
  }

  /** One civil field of a day number, in scalar code (the same algorithm as the vectors). */
  private static int extractScalar(DatePart part, int days) {
    long nu = days + DAY_SHIFT;
    if (part == DatePart.DAY_OF_WEEK) {
      return (int) ((nu + 2) % 7 + 1); // nu = days + 1 (mod 7); 1970-01-01 was a Thursday (4)
    }
    long n1 = 4 * nu + 3;
    long c = n1 / 146_097;
    long nc = n1 % 146_097 / 4;
    long p2 = 2_939_745L * (4 * nc + 3);
    long z = p2 >>> 32;
    long ny = (p2 & 0xFFFF_FFFFL) / 11_758_980;
    long n3 = 2141 * ny + 197_913;
    boolean j = ny >= 306;
    long month = j ? (n3 >>> 16) - 12 : n3 >>> 16;
    long r =
        switch (part) {
          case YEAR -> 100 * c + z - YEAR_SHIFT + (j ? 1 : 0);
          case QUARTER -> (month + 2) / 3;
          case MONTH -> month;
          case DAY -> (n3 & 0xFFFF) / 2141 + 1;
          case DAY_OF_YEAR ->
              j ? ny - 305 : ny + 60 + ((z & 3) == 0 && (z != 0 || (c & 3) == 0) ? 1 : 0);
          case DAY_OF_WEEK -> throw new AssertionError(part);
        };
    return (int) r;
  }

  private static int addMonthsScalar(int days, int months, int row) {
    long y = extractScalar(DatePart.YEAR, days);
    long m = extractScalar(DatePart.MONTH, days);
    long d = extractScalar(DatePart.DAY, days);
    long mm = (y + YEAR_OFF) * 12 + m - 1 + months; // >= 0
    long y2 = mm / 12; // + YEAR_OFF
    long m2 = mm % 12 + 1;
    long dim = m2 == 2 ? (isLeap(y2) ? 29 : 28) : 30 + ((m2 ^ (m2 >> 3)) & 1);
    long jj = m2 <= 2 ? 1 : 0;
    long yy = y2 - jj;
    long mp = m2 + 12 * jj;
    long c = yy / 100;
    long r = 1461 * yy / 4 - c + c / 4 + (979 * mp - 2919) / 32 + Math.min(d, dim) - 1 - RATA_SHIFT;
    if (r != (int) r) {
      throw KernelException.overflow(
          "date32 add months", row, y + "-" + m + "-" + d + " + " + months + " months");
    }
    return (int) r;
  }

  private static void dateRows(
      @Nullable DatePart part,
      int months,
      MemorySegment dates,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int from,
      int to,
      MemorySegment out) {
    for (int k = from; k < to; k++) {
      int row = rowOf(sel, k);
      int r = 0;
      if (Validity.isValid(validity, row)) {
        int day = ArrowLayout.int32(dates, row);
        r = part == null ? addMonthsScalar(day, months, row) : extractScalar(part, day);
      }
      out.setAtIndex(ArrowLayout.INT32, k, r);
    }
  }

  // Vector loops over rows [0, end), end a multiple of LL; each writes the bodies out in full.

  private static void yearLoop(MemorySegment dates, int end, MemorySegment out) {
    for (int i = 0; i < end; i += LL) {
      LongVector n1 =
          ((LongVector)
                  IntVector.fromMemorySegment(IH, dates, (long) i << 2, ORDER)
                      .convertShape(VectorOperators.I2L, LS, 0))
              .add(DAY_SHIFT)
              .lanewise(VectorOperators.LSHL, 2)
              .add(3);
      LongVector c =
          (LongVector)
              ((DoubleVector) n1.convert(VectorOperators.L2D, 0))
                  .div(146_097.0)
                  .convert(VectorOperators.D2L, 0);
      LongVector p2 =
          n1.sub(c.mul(146_097))
              .or(3) // 4 * (rem / 4) + 3
              .mul(2_939_745L);
      LongVector ny =
          (LongVector)
              ((DoubleVector) p2.and(0xFFFF_FFFFL).convert(VectorOperators.L2D, 0))
                  .div(11_758_980.0)
                  .convert(VectorOperators.D2L, 0);
      c.mul(100)
          .add(p2.lanewise(VectorOperators.LSHR, 32))
          .sub(YEAR_SHIFT)
          .add(1, ny.compare(VectorOperators.GE, 306))
          .convertShape(VectorOperators.L2I, IH, 0)
          .intoMemorySegment(out, (long) i << 2, ORDER);
    }
  }

  private static void monthLoop(MemorySegment dates, int end, MemorySegment out) {
    for (int i = 0; i < end; i += LL) {
      LongVector n1 =
          ((LongVector)
                  IntVector.fromMemorySegment(IH, dates, (long) i << 2, ORDER)
                      .convertShape(VectorOperators.I2L, LS, 0))
              .add(DAY_SHIFT)
              .lanewise(VectorOperators.LSHL, 2)
              .add(3);
      LongVector c =
          (LongVector)
              ((DoubleVector) n1.convert(VectorOperators.L2D, 0))
                  .div(146_097.0)
                  .convert(VectorOperators.D2L, 0);
      LongVector p2 =
          n1.sub(c.mul(146_097))
              .or(3) // 4 * (rem / 4) + 3
              .mul(2_939_745L);
      LongVector ny =
          (LongVector)
              ((DoubleVector) p2.and(0xFFFF_FFFFL).convert(VectorOperators.L2D, 0))
                  .div(11_758_980.0)
                  .convert(VectorOperators.D2L, 0);
      ny.mul(2141)
          .add(197_913)
          .lanewise(VectorOperators.LSHR, 16)
          .sub(12, ny.compare(VectorOperators.GE, 306))
          .convertShape(VectorOperators.L2I, IH, 0)
          .intoMemorySegment(out, (long) i << 2, ORDER);
    }
  }

  private static void quarterLoop(MemorySegment dates, int end, MemorySegment out) {
    for (int i = 0; i < end; i += LL) {
      LongVector n1 =
          ((LongVector)
                  IntVector.fromMemorySegment(IH, dates, (long) i << 2, ORDER)
                      .convertShape(VectorOperators.I2L, LS, 0))
              .add(DAY_SHIFT)
              .lanewise(VectorOperators.LSHL, 2)
              .add(3);
      LongVector c =
          (LongVector)
              ((DoubleVector) n1.convert(VectorOperators.L2D, 0))
                  .div(146_097.0)
                  .convert(VectorOperators.D2L, 0);
      LongVector p2 =
          n1.sub(c.mul(146_097))
              .or(3) // 4 * (rem / 4) + 3
              .mul(2_939_745L);
      LongVector ny =
          (LongVector)
              ((DoubleVector) p2.and(0xFFFF_FFFFL).convert(VectorOperators.L2D, 0))
                  .div(11_758_980.0)
                  .convert(VectorOperators.D2L, 0);
      ny.mul(2141)
          .add(197_913)
          .lanewise(VectorOperators.LSHR, 16)
          .sub(12, ny.compare(VectorOperators.GE, 306))
          .add(2)
          .mul(M3)
          .lanewise(VectorOperators.LSHR, 40)
          .convertShape(VectorOperators.L2I, IH, 0)
          .intoMemorySegment(out, (long) i << 2, ORDER);
    }
  }

  private static void dayLoop(MemorySegment dates, int end, MemorySegment out) {
    for (int i = 0; i < end; i += LL) {
      LongVector n1 =
          ((LongVector)
                  IntVector.fromMemorySegment(IH, dates, (long) i << 2, ORDER)
                      .convertShape(VectorOperators.I2L, LS, 0))
              .add(DAY_SHIFT)
              .lanewise(VectorOperators.LSHL, 2)
              .add(3);
      LongVector c =
          (LongVector)
              ((DoubleVector) n1.convert(VectorOperators.L2D, 0))
                  .div(146_097.0)
                  .convert(VectorOperators.D2L, 0);
      LongVector p2 =
          n1.sub(c.mul(146_097))
              .or(3) // 4 * (rem / 4) + 3
              .mul(2_939_745L);
      ((LongVector)
              ((DoubleVector) p2.and(0xFFFF_FFFFL).convert(VectorOperators.L2D, 0))
                  .div(11_758_980.0)
                  .convert(VectorOperators.D2L, 0))
          .mul(2141)
          .add(197_913)
          .and(0xFFFF)
          .mul(M2141)
          .lanewise(VectorOperators.LSHR, 40)
          .add(1)
          .convertShape(VectorOperators.L2I, IH, 0)
          .intoMemorySegment(out, (long) i << 2, ORDER);
    }
  }

  private static void dayOfWeekLoop(MemorySegment dates, int end, MemorySegment out) {
    for (int i = 0; i < end; i += LL) {
      // N_U = days + 1 (mod 7) and 1970-01-01 was a Thursday (4): (N_U + 2) mod 7 + 1
      LongVector t =
          ((LongVector)
                  IntVector.fromMemorySegment(IH, dates, (long) i << 2, ORDER)
                      .convertShape(VectorOperators.I2L, LS, 0))
              .add(DAY_SHIFT + 2);
      LongVector q =
          (LongVector)
              ((DoubleVector) t.convert(VectorOperators.L2D, 0))
                  .div(7.0)
                  .convert(VectorOperators.D2L, 0);
      t.sub(q.mul(7))
          .add(1)
          .convertShape(VectorOperators.L2I, IH, 0)
          .intoMemorySegment(out, (long) i << 2, ORDER);
    }
  }

  private static void dayOfYearLoop(MemorySegment dates, int end, MemorySegment out) {
    LongVector zero = LongVector.zero(LS);
    for (int i = 0; i < end; i += LL) {
      LongVector n1 =
          ((LongVector)
                  IntVector.fromMemorySegment(IH, dates, (long) i << 2, ORDER)
                      .convertShape(VectorOperators.I2L, LS, 0))
              .add(DAY_SHIFT)
              .lanewise(VectorOperators.LSHL, 2)
              .add(3);
      LongVector c =
          (LongVector)
              ((DoubleVector) n1.convert(VectorOperators.L2D, 0))
                  .div(146_097.0)
                  .convert(VectorOperators.D2L, 0);
      LongVector p2 =
          n1.sub(c.mul(146_097))
              .or(3) // 4 * (rem / 4) + 3
              .mul(2_939_745L);
      LongVector z = p2.lanewise(VectorOperators.LSHR, 32);
      LongVector ny =
          (LongVector)
              ((DoubleVector) p2.and(0xFFFF_FFFFL).convert(VectorOperators.L2D, 0))
                  .div(11_758_980.0)
                  .convert(VectorOperators.D2L, 0);
      // Jan, Feb: day of the March year - 305; else + 60 (Jan + Feb) + 1 in leap years
      VectorMask<Long> leap =
          z.and(3)
              .compare(VectorOperators.EQ, 0)
              .and(z.compare(VectorOperators.NE, 0).or(c.and(3).compare(VectorOperators.EQ, 0)));
      ny.add(60)
          .add(zero.add(1, leap))
          .blend(ny.sub(305), ny.compare(VectorOperators.GE, 306))
          .convertShape(VectorOperators.L2I, IH, 0)
          .intoMemorySegment(out, (long) i << 2, ORDER);
    }
  }

  /** addMonths over rows [0, end); returns end (chunks with a result outside int32 go scalar). */
  private static int addMonthsLoop(
      MemorySegment dates,
      @Nullable MemorySegment validity,
      int months,
      int end,
      MemorySegment out) {
    LongVector feb = LongVector.broadcast(LS, 28);
    for (int i = 0; i < end; i += LL) {
      LongVector n1 =
          ((LongVector)
                  IntVector.fromMemorySegment(IH, dates, (long) i << 2, ORDER)
                      .convertShape(VectorOperators.I2L, LS, 0))
              .add(DAY_SHIFT)
              .lanewise(VectorOperators.LSHL, 2)
              .add(3);
      LongVector c =
          (LongVector)
              ((DoubleVector) n1.convert(VectorOperators.L2D, 0))
                  .div(146_097.0)
                  .convert(VectorOperators.D2L, 0);
      LongVector p2 =
          n1.sub(c.mul(146_097))
              .or(3) // 4 * (rem / 4) + 3
              .mul(2_939_745L);
      LongVector ny =
          (LongVector)
              ((DoubleVector) p2.and(0xFFFF_FFFFL).convert(VectorOperators.L2D, 0))
                  .div(11_758_980.0)
                  .convert(VectorOperators.D2L, 0);
      LongVector n3 = ny.mul(2141).add(197_913);
      VectorMask<Long> j = ny.compare(VectorOperators.GE, 306);
      LongVector day = n3.and(0xFFFF).mul(M2141).lanewise(VectorOperators.LSHR, 40).add(1);
      // months since year -YEAR_OFF: (year + YEAR_OFF) * 12 + month - 1 + months, >= 0
      LongVector mm =
          c.mul(100)
              .add(p2.lanewise(VectorOperators.LSHR, 32))
              .add(YEAR_OFF - YEAR_SHIFT)
              .add(1, j)
              .mul(12)
              .add(n3.lanewise(VectorOperators.LSHR, 16).sub(12, j))
              .add(months - 1L);
      LongVector y2 =
          (LongVector)
              ((DoubleVector) mm.convert(VectorOperators.L2D, 0))
                  .div(12.0)
                  .convert(VectorOperators.D2L, 0);
      LongVector m2 = mm.sub(y2.mul(12)).add(1);
      VectorMask<Long> leap =
          y2.and(3)
              .compare(VectorOperators.EQ, 0)
              .and(
                  y2.sub(y2.mul(M100).lanewise(VectorOperators.LSHR, 40).mul(100))
                      .compare(VectorOperators.NE, 0)
                      .or(
                          y2.sub(y2.mul(M400).lanewise(VectorOperators.LSHR, 40).mul(400))
                              .compare(VectorOperators.EQ, 0)));
      LongVector dim =
          m2.lanewise(VectorOperators.XOR, m2.lanewise(VectorOperators.ASHR, 3))
              .and(1)
              .add(30)
              .blend(feb.add(1, leap), m2.compare(VectorOperators.EQ, 2));
      VectorMask<Long> j2 = m2.compare(VectorOperators.LE, 2);
      LongVector yy = y2.sub(1, j2);
      LongVector cc = yy.mul(M100).lanewise(VectorOperators.LSHR, 40);
      LongVector r =
          yy.mul(1461)
              .lanewise(VectorOperators.LSHR, 2)
              .sub(cc)
              .add(cc.lanewise(VectorOperators.LSHR, 2))
              .add(m2.add(12, j2).mul(979).sub(2919).lanewise(VectorOperators.LSHR, 5))
              .add(day.min(dim))
              .sub(RATA_SHIFT + 1);
      if (r.compare(VectorOperators.LT, Integer.MIN_VALUE)
          .or(r.compare(VectorOperators.GT, Integer.MAX_VALUE))
          .anyTrue()) {
        dateRows(null, months, dates, validity, null, i, i + LL, out);
      } else {
        r.convertShape(VectorOperators.L2I, IH, 0).intoMemorySegment(out, (long) i << 2, ORDER);
      }
    }
    return end;
  }

  @Override
  public void addMonths(
      MemorySegment dates,
      @Nullable MemorySegment validity,
      int months,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    Objects.requireNonNull(dates, "dates is null");
    checkRowwise(n, sel, out, 4, outValidity, dates, 4, validity, null, 0, null);
    validity(validity, null, sel, n, outValidity);
    if (sel != null) {
      dateRows(null, months, dates, validity, sel, 0, n, out);
      return;
    }
    int end = addMonthsLoop(dates, validity, months, LS.loopBound(n), out);
    dateRows(null, months, dates, validity, null, end, n, out);
  }

  @Override
  public void extract(
      DatePart part,
      MemorySegment dates,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    Objects.requireNonNull(part, "part is null");
    Objects.requireNonNull(dates, "dates is null");
    checkRowwise(n, sel, out, 4, outValidity, dates, 4, validity, null, 0, null);
    validity(validity, null, sel, n, outValidity);
    if (sel != null) {
      dateRows(part, 0, dates, validity, sel, 0, n, out);
      return;
    }
    int end = LS.loopBound(n);
    switch (part) {
      case YEAR -> yearLoop(dates, end, out);
      case QUARTER -> quarterLoop(dates, end, out);
      case MONTH -> monthLoop(dates, end, out);
      case DAY -> dayLoop(dates, end, out);
      case DAY_OF_WEEK -> dayOfWeekLoop(dates, end, out);
      case DAY_OF_YEAR -> dayOfYearLoop(dates, end, out);
    }
    dateRows(part, 0, dates, validity, null, end, n, out);
  }

  // ---- select ---------------------------------------------------------------------------------

  private static void select(
      MemorySegment cond,
      @Nullable MemorySegment cv,
      MemorySegment a,
      @Nullable MemorySegment av,
      MemorySegment b,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    Objects.requireNonNull(cond, "cond is null");
    Objects.requireNonNull(a, "a is null");
    Objects.requireNonNull(b, "b is null");
    checkRowwise(n, sel, out, 8, outValidity, a, 8, av, b, 8, bv);
    if (sel != null) {
      for (int k = 0; k < n; k++) {
        int row = sel.getAtIndex(ArrowLayout.INT32, k);
        boolean takeA = Validity.isValid(cv, row) && Validity.isValid(cond, row);
        out.setAtIndex(ArrowLayout.INT64, k, ArrowLayout.int64(takeA ? a : b, row));
        if (outValidity != null) {
          Validity.set(outValidity, k, Validity.isValid(takeA ? av : bv, row));
        }
      }
      return;
    }
    ArithmeticSupport.checkBytes("cond", cond, ArrowLayout.bitmapBytes(n));
    if (cv != null) {
      ArithmeticSupport.checkBytes("condValidity", cv, ArrowLayout.bitmapBytes(n));
    }
    int words = ArithmeticSupport.words(n);
    if (outValidity != null) {
      for (int w = 0; w < words; w++) {
        long c = ArithmeticSupport.word(cond, w, n) & ArithmeticSupport.word(cv, w, n);
        long va = ArithmeticSupport.word(av, w, n);
        long vb = ArithmeticSupport.word(bv, w, n);
        ArithmeticSupport.putWord(outValidity, w, n, (c & va) | (~c & vb));
      }
    }
    int end = n & ~63; // vectors over the whole 64-row words (flat loop: see the notes)
    for (int i = 0; i < end; i += LL) {
      long word = (long) (i >>> 6) << 3;
      long c = cond.get(ArrowLayout.INT64, word);
      if (cv != null) {
        c &= cv.get(ArrowLayout.INT64, word);
      }
      long off = (long) i << 3;
      LongVector.fromMemorySegment(LS, b, off, ORDER)
          .blend(
              LongVector.fromMemorySegment(LS, a, off, ORDER),
              VectorMask.fromLong(LS, c >>> (i & 63)))
          .intoMemorySegment(out, off, ORDER);
    }
    if (end < n) {
      long c =
          ArithmeticSupport.word(cond, end >>> 6, n) & ArithmeticSupport.word(cv, end >>> 6, n);
      for (int i = end; i < n; i++) {
        boolean takeA = (c >>> (i - end) & 1) != 0;
        out.setAtIndex(ArrowLayout.INT64, i, ArrowLayout.int64(takeA ? a : b, i));
      }
    }
  }

  @Override
  public void selectInt64(
      MemorySegment cond,
      @Nullable MemorySegment condValidity,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    select(cond, condValidity, a, aValidity, b, bValidity, sel, n, out, outValidity);
  }

  /** A float64 select moves the same 64-bit patterns as an int64 one. */
  @Override
  public void selectFloat64(
      MemorySegment cond,
      @Nullable MemorySegment condValidity,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    select(cond, condValidity, a, aValidity, b, bValidity, sel, n, out, outValidity);
  }
}
