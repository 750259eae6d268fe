package dev.amalgam.kernels;

import static dev.amalgam.kernels.ArrowLayout.ORDER;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.jspecify.annotations.Nullable;

/** CPU implementation of {@link FilterKernels}: Vector API main loops with scalar tails. */
final class CpuFilterKernels implements FilterKernels {
  /*
   * Implementation notes.
   *
   * Word predicates. Every predicate kernel (compare, BETWEEN, IN) is one WordPredicate: a lambda
   * that evaluates the predicate for 64 consecutive values and returns the 64 result bits (bit j =
   * row index + j), ignoring nulls. It loads 64 / lanes vectors, compares them against broadcast
   * constants (or the other column's vectors), turns each mask into bits with VectorMask.toLong()
   * and ORs them into one long. The comparison operator is chosen by a switch on a small int kind
   * inside the loop, each case naming a constant VectorOperators.Comparison, so that C2 always
   * sees a constant operator (a non-constant one defeats the intrinsic); each kind gets its own
   * lambda passing the kind as a literal, so where the helper is inlined the switch folds away. NE, GE and LE are the
   * negation (XOR with -1) of EQ, LT and GT, so three comparisons serve six operators.
   *
   * Drivers. select() and bitmap() run a WordPredicate over a column in 64-row blocks and AND its
   * bits with the 64-bit validity word(s) of the block (one unaligned long load per bitmap; a
   * null bitmap is the constant -1, which is the no-null fast path). bitmap() stores the word.
   * select() turns the word into row indices with a vector compress: for each lanes-wide piece of
   * the word, IOTA + row compressed by the piece's mask is stored at the output cursor, which then
   * advances by the piece's popcount. The store always writes a full vector, so it may scribble
   * up to lanes - 1 entries past the count; that is safe because the cursor never passes the rows
   * already consumed, so the store stays within the n entries the output must hold (and behind
   * the reads, which is why out may be the input selection itself). An all-zero word is skipped.
   *
   * Tails and sparse selections. The last n % 64 rows, and rows named by a sparse input
   * selection, are first copied (gathered, scalar) into a 64-value on-heap scratch segment (byte[]
   * backed, as the Vector API requires of heap segments) together with their validity bits; the
   * same WordPredicate then runs on the scratch at index 0. So each predicate is written once, and
   * the input-selection path still compares with vectors. Full 64-entry chunks of a selection are
   * emitted by compressing the selection's own int32 vectors; partial chunks with a scalar bit
   * loop.
   *
   * Dense selections. When a selection holds at least 1/DENSE_SELECTION of the rows it spans,
   * gathering costs more than evaluating every row: selectDense() runs the contiguous path over
   * blocks of DENSE_BLOCK_WORDS words that hold selected rows, then keeps each selected row whose
   * bit is set (out[m] = row; m += bit), branch-free. The choice depends only on the selection's
   * count and span, never on the data, so results are identical either way.
   *
   * float64 follows SQL order (CompareOp.compareSql): with a non-NaN constant, x = c, x < c and x
   * <= c are the IEEE comparisons (false for NaN, which is greater than everything) and their
   * negations give <>, >= and > (true for NaN); a NaN constant reduces to IS_NAN tests or a
   * constant. Column vs column adds the NaN terms explicitly. -0.0 = 0.0 as in IEEE.
   *
   * IN lists of up to SMALL_IN distinct values are an OR of vector equalities; longer lists probe
   * a sorted array with a branch-free binary search, one value at a time (floats as canonical bit
   * patterns: one NaN, -0.0 folded into 0.0).
   *
   * Boolean logic over selections is a scalar branch-free sorted merge (intersection, union,
   * difference); NOT over [0, n) rebuilds 64-row words from the selection, inverts and compresses.
   * Bitmap logic runs word-wise on LongVectors with a vector popcount. Gather and scatter are
   * scalar (the Vector API has no gather from a MemorySegment); validity bits are assembled 64 at
   * a time into longs.
   */

  static final CpuFilterKernels INSTANCE = new CpuFilterKernels();

  private static final VectorSpecies<Integer> IS = intSpecies();
  private static final VectorSpecies<Long> LS =
      VectorSpecies.of(long.class, VectorShape.forBitSize(IS.vectorBitSize()));
  private static final VectorSpecies<Double> DS =
      VectorSpecies.of(double.class, VectorShape.forBitSize(IS.vectorBitSize()));
  private static final int IL = IS.length();
  private static final int LL = LS.length();
  private static final long IL_MASK = IL == 64 ? -1L : (1L << IL) - 1;
  private static final IntVector IOTA = IntVector.zero(IS).addIndex(1);

  /** IN lists with at most this many distinct values use vector equalities. */
  static final int SMALL_IN = 16;

  /**
   * An input selection with at least 1/DENSE_SELECTION of the rows in its span is evaluated densely
   * (every row of its span, then filtered by the selection).
   */
  private static final int DENSE_SELECTION = 8;

  /** Words (of 64 rows) per block of dense selection evaluation. */
  private static final int DENSE_BLOCK_WORDS = 64;

  private static final int K_EQ = 0;
  private static final int K_LT = 1;
  private static final int K_GT = 2;
  private static final int K_LE = 3;
  private static final int K_NAN = 4;
  private static final int K_FALSE = 5;

  private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

  private CpuFilterKernels() {}

  /** The preferred int species when 64 is a multiple of its lanes, else 128 bits. */
  private static VectorSpecies<Integer> intSpecies() {
    VectorSpecies<Integer> s = IntVector.SPECIES_PREFERRED;
    return 64 % s.length() == 0 ? s : IntVector.SPECIES_128;
  }

  // ================================================================ word predicates

  /** The predicate bits of 64 values at element {@code index} of {@code a} (and {@code b}). */
  @FunctionalInterface
  private interface WordPredicate {
    long word(MemorySegment a, MemorySegment b, long index);
  }

  private static long cmpI32(MemorySegment s, long index, int c, int kind) {
    IntVector cv = IntVector.broadcast(IS, c);
    long bits = 0;
    for (int j = 0; j < 64; j += IL) {
      IntVector v = IntVector.fromMemorySegment(IS, s, (index + j) << 2, ORDER);
      long m =
          switch (kind) {
            case K_EQ -> v.compare(VectorOperators.EQ, cv).toLong();
            case K_LT -> v.compare(VectorOperators.LT, cv).toLong();
            default -> v.compare(VectorOperators.GT, cv).toLong();
          };
      bits |= m << j;
    }
    return bits;
  }

  private static long cmpI64(MemorySegment s, long index, long c, int kind) {
    LongVector cv = LongVector.broadcast(LS, c);
    long bits = 0;
    for (int j = 0; j < 64; j += LL) {
      LongVector v = LongVector.fromMemorySegment(LS, s, (index + j) << 3, ORDER);
      long m =
          switch (kind) {
            case K_EQ -> v.compare(VectorOperators.EQ, cv).toLong();
            case K_LT -> v.compare(VectorOperators.LT, cv).toLong();
            default -> v.compare(VectorOperators.GT, cv).toLong();
          };
      bits |= m << j;
    }
    return bits;
  }

  private static long cmpF64(MemorySegment s, long index, double c, int kind) {
    DoubleVector cv = DoubleVector.broadcast(DS, c);
    long bits = 0;
    for (int j = 0; j < 64; j += LL) {
      DoubleVector v = DoubleVector.fromMemorySegment(DS, s, (index + j) << 3, ORDER);
      long m =
          switch (kind) {
            case K_EQ -> v.compare(VectorOperators.EQ, cv).toLong();
            case K_LT -> v.compare(VectorOperators.LT, cv).toLong();
            case K_LE -> v.compare(VectorOperators.LE, cv).toLong();
            default -> v.test(VectorOperators.IS_NAN).toLong();
          };
      bits |= m << j;
    }
    return bits;
  }

  private static long colsI32(MemorySegment a, MemorySegment b, long index, int kind) {
    long bits = 0;
    for (int j = 0; j < 64; j += IL) {
      IntVector x = IntVector.fromMemorySegment(IS, a, (index + j) << 2, ORDER);
      IntVector y = IntVector.fromMemorySegment(IS, b, (index + j) << 2, ORDER);
      long m =
          switch (kind) {
            case K_EQ -> x.compare(VectorOperators.EQ, y).toLong();
            case K_LT -> x.compare(VectorOperators.LT, y).toLong();
            default -> x.compare(VectorOperators.GT, y).toLong();
          };
      bits |= m << j;
    }
    return bits;
  }

  private static long colsI64(MemorySegment a, MemorySegment b, long index, int kind) {
    long bits = 0;
    for (int j = 0; j < 64; j += LL) {
      LongVector x = LongVector.fromMemorySegment(LS, a, (index + j) << 3, ORDER);
      LongVector y = LongVector.fromMemorySegment(LS, b, (index + j) << 3, ORDER);
      long m =
          switch (kind) {
            case K_EQ -> x.compare(VectorOperators.EQ, y).toLong();
            case K_LT -> x.compare(VectorOperators.LT, y).toLong();
            default -> x.compare(VectorOperators.GT, y).toLong();
          };
      bits |= m << j;
    }
    return bits;
  }

  /** SQL order: EQ = IEEE eq or both NaN; LT = IEEE lt or (y NaN, x not); GT symmetric. */
  private static long colsF64(MemorySegment a, MemorySegment b, long index, int kind) {
    long bits = 0;
    for (int j = 0; j < 64; j += LL) {
      DoubleVector x = DoubleVector.fromMemorySegment(DS, a, (index + j) << 3, ORDER);
      DoubleVector y = DoubleVector.fromMemorySegment(DS, b, (index + j) << 3, ORDER);
      VectorMask<Double> xn = x.test(VectorOperators.IS_NAN);
      VectorMask<Double> yn = y.test(VectorOperators.IS_NAN);
      long m =
          switch (kind) {
            case K_EQ -> x.compare(VectorOperators.EQ, y).or(xn.and(yn)).toLong();
            case K_LT -> x.compare(VectorOperators.LT, y).or(yn.andNot(xn)).toLong();
            default -> x.compare(VectorOperators.GT, y).or(xn.andNot(yn)).toLong();
          };
      bits |= m << j;
    }
    return bits;
  }

  private static long betweenI32(MemorySegment s, long index, int lo, int hi) {
    IntVector lv = IntVector.broadcast(IS, lo);
    IntVector hv = IntVector.broadcast(IS, hi);
    long bits = 0;
    for (int j = 0; j < 64; j += IL) {
      IntVector v = IntVector.fromMemorySegment(IS, s, (index + j) << 2, ORDER);
      long m = v.compare(VectorOperators.GE, lv).and(v.compare(VectorOperators.LE, hv)).toLong();
      bits |= m << j;
    }
    return bits;
  }

  private static long betweenI64(MemorySegment s, long index, long lo, long hi) {
    LongVector lv = LongVector.broadcast(LS, lo);
    LongVector hv = LongVector.broadcast(LS, hi);
    long bits = 0;
    for (int j = 0; j < 64; j += LL) {
      LongVector v = LongVector.fromMemorySegment(LS, s, (index + j) << 3, ORDER);
      long m = v.compare(VectorOperators.GE, lv).and(v.compare(VectorOperators.LE, hv)).toLong();
      bits |= m << j;
    }
    return bits;
  }

  /** Both bounds non-NaN: IEEE {@code lo <= x <= hi} (false for NaN x). */
  private static long betweenF64(MemorySegment s, long index, double lo, double hi) {
    DoubleVector lv = DoubleVector.broadcast(DS, lo);
    DoubleVector hv = DoubleVector.broadcast(DS, hi);
    long bits = 0;
    for (int j = 0; j < 64; j += LL) {
      DoubleVector v = DoubleVector.fromMemorySegment(DS, s, (index + j) << 3, ORDER);
      long m = v.compare(VectorOperators.GE, lv).and(v.compare(VectorOperators.LE, hv)).toLong();
      bits |= m << j;
    }
    return bits;
  }

  private static long inSmallI32(MemorySegment s, long index, int[] list) {
    long bits = 0;
    for (int j = 0; j < 64; j += IL) {
      IntVector v = IntVector.fromMemorySegment(IS, s, (index + j) << 2, ORDER);
      long m = 0;
      for (int c : list) {
        m |= v.compare(VectorOperators.EQ, c).toLong();
      }
      bits |= m << j;
    }
    return bits;
  }

  private static long inSmallI64(MemorySegment s, long index, long[] list) {
    long bits = 0;
    for (int j = 0; j < 64; j += LL) {
      LongVector v = LongVector.fromMemorySegment(LS, s, (index + j) << 3, ORDER);
      long m = 0;
      for (long c : list) {
        m |= v.compare(VectorOperators.EQ, c).toLong();
      }
      bits |= m << j;
    }
    return bits;
  }

  /** {@code list} holds no NaN; {@code nan}: whether NaN values match. */
  private static long inSmallF64(MemorySegment s, long index, double[] list, boolean nan) {
    long bits = 0;
    for (int j = 0; j < 64; j += LL) {
      DoubleVector v = DoubleVector.fromMemorySegment(DS, s, (index + j) << 3, ORDER);
      long m = nan ? v.test(VectorOperators.IS_NAN).toLong() : 0;
      for (double c : list) {
        m |= v.compare(VectorOperators.EQ, c).toLong();
      }
      bits |= m << j;
    }
    return bits;
  }

  private static long inProbeI32(MemorySegment s, long index, long[] keys) {
    long bits = 0;
    for (int j = 0; j < 64; j++) {
      bits |= contains(keys, s.getAtIndex(ArrowLayout.INT32, index + j)) << j;
    }
    return bits;
  }

  private static long inProbeI64(MemorySegment s, long index, long[] keys) {
    long bits = 0;
    for (int j = 0; j < 64; j++) {
      bits |= contains(keys, s.getAtIndex(ArrowLayout.INT64, index + j)) << j;
    }
    return bits;
  }

  private static long inProbeF64(MemorySegment s, long index, long[] keys) {
    long bits = 0;
    for (int j = 0; j < 64; j++) {
      bits |= contains(keys, floatKey(s.getAtIndex(ArrowLayout.FLOAT64, index + j))) << j;
    }
    return bits;
  }

  /** 1 when sorted {@code keys} holds {@code x}, else 0 (branch-free binary search). */
  private static long contains(long[] keys, long x) {
    int base = 0;
    int len = keys.length;
    while (len > 1) {
      int half = len >>> 1;
      base = keys[base + half] <= x ? base + half : base;
      len -= half;
    }
    return keys[base] == x ? 1L : 0L;
  }

  /** A float64 as a long equal for exactly the values SQL order calls equal. */
  private static long floatKey(double d) {
    return Double.doubleToLongBits(d == 0.0 ? 0.0 : d); // one NaN bit pattern; -0.0 -> 0.0
  }

  // ---- predicate factories: op -> (kind, negation)

  /** Integer and float column-vs-column kinds: EQ, LT, GT and their negations. */
  private static int kind(CompareOp op) {
    return switch (op) {
      case EQ, NE -> K_EQ;
      case LT, GE -> K_LT;
      case GT, LE -> K_GT;
    };
  }

  private static long negation(CompareOp op) {
    return switch (op) {
      case EQ, LT, GT -> 0L;
      case NE, GE, LE -> -1L;
    };
  }

  private static WordPredicate constant(long bits) {
    return (a, b, i) -> bits;
  }

  private static WordPredicate cmpI32Pred(CompareOp op, int c) {
    Objects.requireNonNull(op, "op is null");
    int kind = kind(op);
    long neg = negation(op);
    // one lambda per kind: the kind is a constant where cmpI32 is inlined, so its switch folds
    return switch (kind) {
      case K_EQ -> (a, b, i) -> cmpI32(a, i, c, K_EQ) ^ neg;
      case K_LT -> (a, b, i) -> cmpI32(a, i, c, K_LT) ^ neg;
      default -> (a, b, i) -> cmpI32(a, i, c, K_GT) ^ neg;
    };
  }

  private static WordPredicate cmpI64Pred(CompareOp op, long c) {
    Objects.requireNonNull(op, "op is null");
    int kind = kind(op);
    long neg = negation(op);
    return switch (kind) {
      case K_EQ -> (a, b, i) -> cmpI64(a, i, c, K_EQ) ^ neg;
      case K_LT -> (a, b, i) -> cmpI64(a, i, c, K_LT) ^ neg;
      default -> (a, b, i) -> cmpI64(a, i, c, K_GT) ^ neg;
    };
  }

  private static WordPredicate cmpF64Pred(CompareOp op, double c) {
    Objects.requireNonNull(op, "op is null");
    int kind;
    long neg;
    if (Double.isNaN(c)) {
      // x = NaN iff x is NaN; x < NaN iff x is not NaN; x > NaN never.
      switch (op) {
        case EQ, GE -> {
          kind = K_NAN;
          neg = 0L;
        }
        case NE, LT -> {
          kind = K_NAN;
          neg = -1L;
        }
        case GT -> {
          kind = K_FALSE;
          neg = 0L;
        }
        default -> { // LE
          kind = K_FALSE;
          neg = -1L;
        }
      }
    } else {
      kind =
          switch (op) {
            case EQ, NE -> K_EQ;
            case LT, GE -> K_LT;
            case LE, GT -> K_LE;
          };
      neg =
          switch (op) {
            case EQ, LT, LE -> 0L;
            case NE, GE, GT -> -1L;
          };
    }
    if (kind == K_FALSE) {
      return constant(neg);
    }
    long flip = neg;
    return switch (kind) {
      case K_EQ -> (a, b, i) -> cmpF64(a, i, c, K_EQ) ^ flip;
      case K_LT -> (a, b, i) -> cmpF64(a, i, c, K_LT) ^ flip;
      case K_LE -> (a, b, i) -> cmpF64(a, i, c, K_LE) ^ flip;
      default -> (a, b, i) -> cmpF64(a, i, c, K_NAN) ^ flip;
    };
  }

  private static WordPredicate colsI32Pred(CompareOp op) {
    Objects.requireNonNull(op, "op is null");
    int kind = kind(op);
    long neg = negation(op);
    return switch (kind) {
      case K_EQ -> (a, b, i) -> colsI32(a, b, i, K_EQ) ^ neg;
      case K_LT -> (a, b, i) -> colsI32(a, b, i, K_LT) ^ neg;
      default -> (a, b, i) -> colsI32(a, b, i, K_GT) ^ neg;
    };
  }

  private static WordPredicate colsI64Pred(CompareOp op) {
    Objects.requireNonNull(op, "op is null");
    int kind = kind(op);
    long neg = negation(op);
    return switch (kind) {
      case K_EQ -> (a, b, i) -> colsI64(a, b, i, K_EQ) ^ neg;
      case K_LT -> (a, b, i) -> colsI64(a, b, i, K_LT) ^ neg;
      default -> (a, b, i) -> colsI64(a, b, i, K_GT) ^ neg;
    };
  }

  private static WordPredicate colsF64Pred(CompareOp op) {
    Objects.requireNonNull(op, "op is null");
    int kind = kind(op);
    long neg = negation(op);
    return switch (kind) {
      case K_EQ -> (a, b, i) -> colsF64(a, b, i, K_EQ) ^ neg;
      case K_LT -> (a, b, i) -> colsF64(a, b, i, K_LT) ^ neg;
      default -> (a, b, i) -> colsF64(a, b, i, K_GT) ^ neg;
    };
  }

  private static WordPredicate betweenF64Pred(double lo, double hi) {
    if (Double.isNaN(lo)) {
      // NaN <= x only for NaN x, and then x <= hi only for NaN hi.
      return Double.isNaN(hi) ? cmpF64Pred(CompareOp.EQ, lo) : constant(0L);
    }
    if (Double.isNaN(hi)) {
      return cmpF64Pred(CompareOp.GE, lo); // every value is <= NaN
    }
    return (a, b, i) -> betweenF64(a, i, lo, hi);
  }

  private static WordPredicate inI32Pred(int[] list) {
    Objects.requireNonNull(list, "list is null");
    int[] distinct = Arrays.stream(list).distinct().toArray();
    if (distinct.length == 0) {
      return constant(0L);
    }
    if (distinct.length <= SMALL_IN) {
      return (a, b, i) -> inSmallI32(a, i, distinct);
    }
    long[] keys = Arrays.stream(distinct).asLongStream().sorted().toArray();
    return (a, b, i) -> inProbeI32(a, i, keys);
  }

  private static WordPredicate inI64Pred(long[] list) {
    Objects.requireNonNull(list, "list is null");
    long[] distinct = Arrays.stream(list).distinct().toArray();
    if (distinct.length == 0) {
      return constant(0L);
    }
    if (distinct.length <= SMALL_IN) {
      return (a, b, i) -> inSmallI64(a, i, distinct);
    }
    long[] keys = Arrays.stream(distinct).sorted().toArray();
    return (a, b, i) -> inProbeI64(a, i, keys);
  }

  private static WordPredicate inF64Pred(double[] list) {
    Objects.requireNonNull(list, "list is null");
    long[] keys =
        Arrays.stream(list).mapToLong(CpuFilterKernels::floatKey).distinct().sorted().toArray();
    if (keys.length == 0) {
      return constant(0L);
    }
    if (keys.length <= SMALL_IN) {
      boolean nan = Arrays.stream(list).anyMatch(Double::isNaN);
      double[] values =
          Arrays.stream(keys)
              .mapToDouble(Double::longBitsToDouble)
              .filter(d -> !Double.isNaN(d))
              .toArray();
      return (a, b, i) -> inSmallF64(a, i, values, nan);
    }
    return (a, b, i) -> inProbeF64(a, i, keys);
  }

  // ================================================================ drivers

  /** Validity bits of rows [row, row + 64) (row a multiple of 64, block inside n); -1 if none. */
  private static long validWord(@Nullable MemorySegment validity, long row) {
    return validity == null ? -1L : validity.get(ArrowLayout.INT64, row >>> 3);
  }

  /** Validity bits of rows [row, row + rem), rem < 64, row a multiple of 64; -1 if none. */
  private static long validTail(@Nullable MemorySegment validity, long row, int rem) {
    if (validity == null) {
      return -1L;
    }
    long bits = 0;
    long at = row >>> 3;
    for (int t = 0; t < (rem + 7) >>> 3; t++) {
      bits |= (validity.get(BYTE, at + t) & 0xFFL) << (t << 3);
    }
    return bits;
  }

  /** Bits [0, count) set. */
  private static long low(int count) {
    return count >= 64 ? -1L : (1L << count) - 1;
  }

  /** Writes the low {@code rem} bits of {@code bits} as bitmap bytes of rows [row, row + rem). */
  private static void writeTail(MemorySegment out, long row, int rem, long bits) {
    long at = row >>> 3;
    for (int t = 0; t < (rem + 7) >>> 3; t++) {
      out.set(BYTE, at + t, (byte) (bits >>> (t << 3)));
    }
  }

  /** A 64-value native scratch segment in {@code slot} for values of {@code width} bytes. */
  private static MemorySegment scratch(int slot, int width) {
    return NativeScratch.get(slot, 64L * Math.max(width, 1));
  }

  /**
   * Copies values of rows sel[base .. base + m) (or rows [base, base + m) when sel is null) into
   * scratch; returns their validity bits (bit t = row of entry base + t is valid).
   */
  private static long gatherChunk(
      MemorySegment values,
      int width,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int base,
      int m,
      MemorySegment scratch) {
    if (sel == null) {
      MemorySegment.copy(values, (long) base * width, scratch, 0, (long) m * width);
      return validTail(validity, base, m);
    }
    long bits = 0;
    if (width == 8) {
      for (int t = 0; t < m; t++) {
        int row = sel.getAtIndex(ArrowLayout.INT32, base + t);
        scratch.setAtIndex(ArrowLayout.INT64, t, values.getAtIndex(ArrowLayout.INT64, row));
        bits |= validBit(validity, row) << t;
      }
    } else {
      for (int t = 0; t < m; t++) {
        int row = sel.getAtIndex(ArrowLayout.INT32, base + t);
        scratch.setAtIndex(ArrowLayout.INT32, t, values.getAtIndex(ArrowLayout.INT32, row));
        bits |= validBit(validity, row) << t;
      }
    }
    return bits;
  }

  private static long validBit(@Nullable MemorySegment validity, int row) {
    return validity == null ? 1L : (validity.get(BYTE, row >>> 3) >>> (row & 7)) & 1L;
  }

  /** Appends rows base + j for the set bits j of a full word, by vector compress. */
  private static int emitRows(long bits, int base, MemorySegment out, int k) {
    for (int j = 0; j < 64; j += IL) {
      long m = (bits >>> j) & IL_MASK;
      IOTA.add(base + j)
          .compress(VectorMask.fromLong(IS, m))
          .intoMemorySegment(out, (long) k << 2, ORDER);
      k += Long.bitCount(m);
    }
    return k;
  }

  /** Appends sel[base + j] for the set bits j of a full 64-entry chunk, by vector compress. */
  private static int emitSelected(
      long bits, MemorySegment sel, int base, MemorySegment out, int k) {
    for (int j = 0; j < 64; j += IL) {
      long m = (bits >>> j) & IL_MASK;
      IntVector.fromMemorySegment(IS, sel, (long) (base + j) << 2, ORDER)
          .compress(VectorMask.fromLong(IS, m))
          .intoMemorySegment(out, (long) k << 2, ORDER);
      k += Long.bitCount(m);
    }
    return k;
  }

  /** Appends row(base + j) for the set bits j, one at a time (partial chunks). */
  private static int emitScalar(
      long bits, @Nullable MemorySegment sel, int base, MemorySegment out, int k) {
    while (bits != 0) {
      int j = Long.numberOfTrailingZeros(bits);
      int row = sel == null ? base + j : sel.getAtIndex(ArrowLayout.INT32, base + j);
      out.setAtIndex(ArrowLayout.INT32, k++, row);
      bits &= bits - 1;
    }
    return k;
  }

  /**
   * Runs {@code p} over the rows (all of [0, n) or the input selection), ANDed with the validity of
   * {@code a} and {@code b}; appends the passing rows to {@code out}; returns their count. {@code
   * bWidth} 0: the predicate reads {@code a} only.
   */
  private static int select(
      WordPredicate p,
      MemorySegment a,
      int aWidth,
      @Nullable MemorySegment aValid,
      MemorySegment b,
      int bWidth,
      @Nullable MemorySegment bValid,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    int k = 0;
    MemorySegment sa = scratch(0, aWidth);
    MemorySegment sb = bWidth > 0 ? scratch(1, bWidth) : sa;
    if (sel == null) {
      int full = n & ~63;
      for (int i = 0; i < full; i += 64) {
        long bits = p.word(a, b, i) & validWord(aValid, i) & validWord(bValid, i);
        if (bits != 0) {
          k = emitRows(bits, i, out, k);
        }
      }
      if (full < n) {
        k =
            selectChunk(
                p, a, aWidth, aValid, b, bWidth, bValid, null, full, n - full, sa, sb, out, k);
      }
      return k;
    }
    if (selCount >= 64) {
      long span =
          (long) sel.getAtIndex(ArrowLayout.INT32, selCount - 1)
              - sel.getAtIndex(ArrowLayout.INT32, 0);
      if ((long) selCount * DENSE_SELECTION >= span) {
        return selectDense(p, a, aWidth, aValid, b, bWidth, bValid, n, sel, selCount, sa, sb, out);
      }
    }
    for (int base = 0; base < selCount; base += 64) {
      int m = Math.min(64, selCount - base);
      k = selectChunk(p, a, aWidth, aValid, b, bWidth, bValid, sel, base, m, sa, sb, out, k);
    }
    return k;
  }

  /**
   * A dense input selection: evaluates {@code p} on every row of blocks of DENSE_BLOCK_WORDS words
   * that hold selected rows (contiguous vector path), then keeps each selected row whose bit is
   * set, branch-free.
   */
  private static int selectDense(
      WordPredicate p,
      MemorySegment a,
      int aWidth,
      @Nullable MemorySegment aValid,
      MemorySegment b,
      int bWidth,
      @Nullable MemorySegment bValid,
      int n,
      MemorySegment sel,
      int selCount,
      MemorySegment sa,
      MemorySegment sb,
      MemorySegment out) {
    long[] words = new long[DENSE_BLOCK_WORDS];
    int k = 0;
    int m = 0;
    while (k < selCount) {
      int first = sel.getAtIndex(ArrowLayout.INT32, k);
      if (first < 0 || first >= n) {
        throw new IllegalArgumentException(
            "sel entry " + k + " is row " + first + ", outside [0, n=" + n + ")");
      }
      int blockStart = first & ~63;
      int blockEnd = (int) Math.min(blockStart + 64L * DENSE_BLOCK_WORDS, n);
      int w = 0;
      for (int i = blockStart; i < blockEnd; i += 64) {
        if (i + 64 <= n) {
          words[w++] = p.word(a, b, i) & validWord(aValid, i) & validWord(bValid, i);
        } else {
          long valid = gatherChunk(a, aWidth, aValid, null, i, n - i, sa);
          if (bWidth > 0) {
            valid &= gatherChunk(b, bWidth, bValid, null, i, n - i, sb);
          }
          words[w++] = p.word(sa, sb, 0) & valid & low(n - i);
        }
      }
      for (; k < selCount; k++) {
        int row = sel.getAtIndex(ArrowLayout.INT32, k);
        if (row >= blockEnd) {
          break;
        }
        out.setAtIndex(ArrowLayout.INT32, m, row);
        m += (int) ((words[(row - blockStart) >>> 6] >>> row) & 1L); // shift uses row & 63
      }
    }
    return m;
  }

  private static int selectChunk(
      WordPredicate p,
      MemorySegment a,
      int aWidth,
      @Nullable MemorySegment aValid,
      MemorySegment b,
      int bWidth,
      @Nullable MemorySegment bValid,
      @Nullable MemorySegment sel,
      int base,
      int m,
      MemorySegment sa,
      MemorySegment sb,
      MemorySegment out,
      int k) {
    long valid = gatherChunk(a, aWidth, aValid, sel, base, m, sa);
    if (bWidth > 0) {
      valid &= gatherChunk(b, bWidth, bValid, sel, base, m, sb);
    }
    long bits = p.word(sa, sb, 0) & valid & low(m);
    if (m == 64 && sel != null) {
      return emitSelected(bits, sel, base, out, k);
    }
    return emitScalar(bits, sel, base, out, k);
  }

  /** Runs {@code p} over [0, n) into a bitmap (nulls 0, bits past n 0); returns the set bits. */
  private static int bitmap(
      WordPredicate p,
      MemorySegment a,
      int aWidth,
      @Nullable MemorySegment aValid,
      MemorySegment b,
      int bWidth,
      @Nullable MemorySegment bValid,
      int n,
      MemorySegment outBitmap) {
    int full = n & ~63;
    int count = 0;
    for (int i = 0; i < full; i += 64) {
      long bits = p.word(a, b, i) & validWord(aValid, i) & validWord(bValid, i);
      outBitmap.set(ArrowLayout.INT64, i >>> 3, bits);
      count += Long.bitCount(bits);
    }
    if (full < n) {
      int rem = n - full;
      MemorySegment sa = scratch(0, aWidth);
      long valid = gatherChunk(a, aWidth, aValid, null, full, rem, sa);
      MemorySegment sb = sa;
      if (bWidth > 0) {
        sb = scratch(1, bWidth);
        valid &= gatherChunk(b, bWidth, bValid, null, full, rem, sb);
      }
      long bits = p.word(sa, sb, 0) & valid & low(rem);
      writeTail(outBitmap, full, rem, bits);
      count += Long.bitCount(bits);
    }
    return count;
  }

  // ================================================================ argument checks

  private static IllegalArgumentException tooSmall(
      String name, MemorySegment s, long need, String what) {
    return new IllegalArgumentException(
        String.format(
            Locale.ROOT, "%s holds %d bytes, needs %d for %s", name, s.byteSize(), need, what));
  }

  private static void checkCount(String name, int count) {
    if (count < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + count);
    }
  }

  private static void checkValues(String name, MemorySegment values, int width, int n) {
    Objects.requireNonNull(values, name + " is null");
    long need = (long) width * n;
    if (values.byteSize() < need) {
      throw tooSmall(name, values, need, n + " values of " + width + " bytes");
    }
  }

  private static void checkBitmap(String name, @Nullable MemorySegment bitmap, int n) {
    if (bitmap != null && bitmap.byteSize() < ArrowLayout.bitmapBytes(n)) {
      throw tooSmall(name, bitmap, ArrowLayout.bitmapBytes(n), "a bitmap of " + n + " rows");
    }
  }

  private static void checkSelection(String name, MemorySegment sel, int count, int n) {
    Objects.requireNonNull(sel, name + " is null");
    if (count < 0 || count > n) {
      throw new IllegalArgumentException(name + " count must be in [0, n=" + n + "], got " + count);
    }
    if (sel.byteSize() < Selection.bytes(count)) {
      throw tooSmall(name, sel, Selection.bytes(count), count + " int32 entries");
    }
  }

  private static void checkOut(String name, MemorySegment out, int entries) {
    Objects.requireNonNull(out, name + " is null");
    if (out.byteSize() < Selection.bytes(entries)) {
      throw tooSmall(name, out, Selection.bytes(entries), entries + " int32 entries");
    }
  }

  /** Checks the arguments of a predicate with a selection output. */
  private static void checkSelect(
      MemorySegment a,
      int width,
      @Nullable MemorySegment aValid,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkCount("n", n);
    checkValues("values", a, width, n);
    checkBitmap("validity", aValid, n);
    int rows = n;
    if (sel != null) {
      checkSelection("sel", sel, selCount, n);
      rows = selCount;
    }
    checkOut("out", out, rows);
  }

  private static void checkBitmapOut(
      MemorySegment a, int width, @Nullable MemorySegment aValid, int n, MemorySegment out) {
    checkCount("n", n);
    checkValues("values", a, width, n);
    checkBitmap("validity", aValid, n);
    Objects.requireNonNull(out, "outBitmap is null");
    checkBitmap("outBitmap", out, n);
  }

  private static void checkRight(
      MemorySegment b, int width, @Nullable MemorySegment bValid, int n) {
    checkValues("right", b, width, n);
    checkBitmap("rightValidity", bValid, n);
  }

  // ================================================================ compare -> selection

  @Override
  public int compareInt32(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      int constant,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(values, 4, validity, n, sel, selCount, out);
    return select(
        cmpI32Pred(op, constant), values, 4, validity, values, 0, null, n, sel, selCount, out);
  }

  @Override
  public int compareInt64(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      long constant,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(values, 8, validity, n, sel, selCount, out);
    return select(
        cmpI64Pred(op, constant), values, 8, validity, values, 0, null, n, sel, selCount, out);
  }

  @Override
  public int compareFloat64(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      double constant,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(values, 8, validity, n, sel, selCount, out);
    return select(
        cmpF64Pred(op, constant), values, 8, validity, values, 0, null, n, sel, selCount, out);
  }

  @Override
  public int compareInt32Columns(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(left, 4, leftValidity, n, sel, selCount, out);
    checkRight(right, 4, rightValidity, n);
    return select(
        colsI32Pred(op), left, 4, leftValidity, right, 4, rightValidity, n, sel, selCount, out);
  }

  @Override
  public int compareInt64Columns(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(left, 8, leftValidity, n, sel, selCount, out);
    checkRight(right, 8, rightValidity, n);
    return select(
        colsI64Pred(op), left, 8, leftValidity, right, 8, rightValidity, n, sel, selCount, out);
  }

  @Override
  public int compareFloat64Columns(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(left, 8, leftValidity, n, sel, selCount, out);
    checkRight(right, 8, rightValidity, n);
    return select(
        colsF64Pred(op), left, 8, leftValidity, right, 8, rightValidity, n, sel, selCount, out);
  }

  // ================================================================ BETWEEN / IN -> selection

  @Override
  public int betweenInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int low,
      int high,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(values, 4, validity, n, sel, selCount, out);
    WordPredicate p = (a, b, i) -> betweenI32(a, i, low, high);
    return select(p, values, 4, validity, values, 0, null, n, sel, selCount, out);
  }

  @Override
  public int betweenInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long low,
      long high,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(values, 8, validity, n, sel, selCount, out);
    WordPredicate p = (a, b, i) -> betweenI64(a, i, low, high);
    return select(p, values, 8, validity, values, 0, null, n, sel, selCount, out);
  }

  @Override
  public int betweenFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double low,
      double high,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(values, 8, validity, n, sel, selCount, out);
    return select(
        betweenF64Pred(low, high), values, 8, validity, values, 0, null, n, sel, selCount, out);
  }

  @Override
  public int inInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int[] list,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(values, 4, validity, n, sel, selCount, out);
    return select(inI32Pred(list), values, 4, validity, values, 0, null, n, sel, selCount, out);
  }

  @Override
  public int inInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long[] list,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(values, 8, validity, n, sel, selCount, out);
    return select(inI64Pred(list), values, 8, validity, values, 0, null, n, sel, selCount, out);
  }

  @Override
  public int inFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double[] list,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    checkSelect(values, 8, validity, n, sel, selCount, out);
    return select(inF64Pred(list), values, 8, validity, values, 0, null, n, sel, selCount, out);
  }

  // ================================================================ IS [NOT] NULL -> selection

  @Override
  public int isNull(
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return nullSelect(validity, n, sel, selCount, out, -1L);
  }

  @Override
  public int isNotNull(
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return nullSelect(validity, n, sel, selCount, out, 0L);
  }

  /** Rows whose validity bit XOR {@code invert} is 1. */
  private static int nullSelect(
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out,
      long invert) {
    checkCount("n", n);
    checkBitmap("validity", validity, n);
    int rows = n;
    if (sel != null) {
      checkSelection("sel", sel, selCount, n);
      rows = selCount;
    }
    checkOut("out", out, rows);
    if (validity == null) {
      if (invert != 0) {
        return 0;
      }
      if (sel == null) {
        return emitAll(out, n);
      }
      MemorySegment.copy(sel, 0, out, 0, Selection.bytes(selCount)); // overlap-safe
      return selCount;
    }
    int k = 0;
    if (sel == null) {
      int full = n & ~63;
      for (int i = 0; i < full; i += 64) {
        long bits = validWord(validity, i) ^ invert;
        if (bits != 0) {
          k = emitRows(bits, i, out, k);
        }
      }
      if (full < n) {
        long bits = (validTail(validity, full, n - full) ^ invert) & low(n - full);
        k = emitScalar(bits, null, full, out, k);
      }
      return k;
    }
    for (int base = 0; base < selCount; base += 64) {
      int m = Math.min(64, selCount - base);
      long bits = 0;
      for (int t = 0; t < m; t++) {
        bits |= validBit(validity, sel.getAtIndex(ArrowLayout.INT32, base + t)) << t;
      }
      bits = (bits ^ invert) & low(m);
      k = m == 64 ? emitSelected(bits, sel, base, out, k) : emitScalar(bits, sel, base, out, k);
    }
    return k;
  }

  /** Writes the identity selection 0..n-1 with vector stores; returns n. */
  private static int emitAll(MemorySegment out, int n) {
    int i = 0;
    for (; i <= n - IL; i += IL) {
      IOTA.add(i).intoMemorySegment(out, (long) i << 2, ORDER);
    }
    for (; i < n; i++) {
      out.setAtIndex(ArrowLayout.INT32, i, i);
    }
    return n;
  }

  // ================================================================ predicates -> bitmap

  @Override
  public int compareInt32Bitmap(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      int constant,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(values, 4, validity, n, outBitmap);
    return bitmap(cmpI32Pred(op, constant), values, 4, validity, values, 0, null, n, outBitmap);
  }

  @Override
  public int compareInt64Bitmap(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      long constant,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(values, 8, validity, n, outBitmap);
    return bitmap(cmpI64Pred(op, constant), values, 8, validity, values, 0, null, n, outBitmap);
  }

  @Override
  public int compareFloat64Bitmap(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      double constant,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(values, 8, validity, n, outBitmap);
    return bitmap(cmpF64Pred(op, constant), values, 8, validity, values, 0, null, n, outBitmap);
  }

  @Override
  public int compareInt32ColumnsBitmap(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(left, 4, leftValidity, n, outBitmap);
    checkRight(right, 4, rightValidity, n);
    return bitmap(colsI32Pred(op), left, 4, leftValidity, right, 4, rightValidity, n, outBitmap);
  }

  @Override
  public int compareInt64ColumnsBitmap(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(left, 8, leftValidity, n, outBitmap);
    checkRight(right, 8, rightValidity, n);
    return bitmap(colsI64Pred(op), left, 8, leftValidity, right, 8, rightValidity, n, outBitmap);
  }

  @Override
  public int compareFloat64ColumnsBitmap(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(left, 8, leftValidity, n, outBitmap);
    checkRight(right, 8, rightValidity, n);
    return bitmap(colsF64Pred(op), left, 8, leftValidity, right, 8, rightValidity, n, outBitmap);
  }

  @Override
  public int betweenInt32Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int low,
      int high,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(values, 4, validity, n, outBitmap);
    WordPredicate p = (a, b, i) -> betweenI32(a, i, low, high);
    return bitmap(p, values, 4, validity, values, 0, null, n, outBitmap);
  }

  @Override
  public int betweenInt64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long low,
      long high,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(values, 8, validity, n, outBitmap);
    WordPredicate p = (a, b, i) -> betweenI64(a, i, low, high);
    return bitmap(p, values, 8, validity, values, 0, null, n, outBitmap);
  }

  @Override
  public int betweenFloat64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double low,
      double high,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(values, 8, validity, n, outBitmap);
    return bitmap(betweenF64Pred(low, high), values, 8, validity, values, 0, null, n, outBitmap);
  }

  @Override
  public int inInt32Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int[] list,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(values, 4, validity, n, outBitmap);
    return bitmap(inI32Pred(list), values, 4, validity, values, 0, null, n, outBitmap);
  }

  @Override
  public int inInt64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long[] list,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(values, 8, validity, n, outBitmap);
    return bitmap(inI64Pred(list), values, 8, validity, values, 0, null, n, outBitmap);
  }

  @Override
  public int inFloat64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double[] list,
      int n,
      MemorySegment outBitmap) {
    checkBitmapOut(values, 8, validity, n, outBitmap);
    return bitmap(inF64Pred(list), values, 8, validity, values, 0, null, n, outBitmap);
  }

  @Override
  public int isNullBitmap(@Nullable MemorySegment validity, int n, MemorySegment outBitmap) {
    checkCount("n", n);
    checkBitmap("validity", validity, n);
    checkBitmapArg("outBitmap", outBitmap, n);
    if (validity == null) {
      return fillBitmap(outBitmap, n, false);
    }
    return bitmapOp(OP_NOT, validity, validity, n, outBitmap);
  }

  @Override
  public int isNotNullBitmap(@Nullable MemorySegment validity, int n, MemorySegment outBitmap) {
    checkCount("n", n);
    checkBitmap("validity", validity, n);
    checkBitmapArg("outBitmap", outBitmap, n);
    if (validity == null) {
      return fillBitmap(outBitmap, n, true);
    }
    return bitmapOp(OP_AND, validity, validity, n, outBitmap);
  }

  /**
   * Sets bits [0, n) to {@code bit} and bits past n in the last byte to 0; returns the set bits.
   */
  private static int fillBitmap(MemorySegment out, int n, boolean bit) {
    long bytes = ArrowLayout.bitmapBytes(n);
    out.asSlice(0, bytes).fill(bit ? (byte) 0xFF : 0);
    if (bit && (n & 7) != 0) {
      out.set(BYTE, bytes - 1, (byte) ((1 << (n & 7)) - 1));
    }
    return bit ? n : 0;
  }

  // ================================================================ selection logic

  @Override
  public int andSelections(
      MemorySegment a, int aCount, MemorySegment b, int bCount, MemorySegment out) {
    checkSelection("a", a, aCount, Integer.MAX_VALUE);
    checkSelection("b", b, bCount, Integer.MAX_VALUE);
    checkOut("out", out, Math.min(aCount, bCount));
    int i = 0;
    int j = 0;
    int k = 0;
    while (i < aCount && j < bCount) {
      int x = a.getAtIndex(ArrowLayout.INT32, i);
      int y = b.getAtIndex(ArrowLayout.INT32, j);
      out.setAtIndex(ArrowLayout.INT32, k, x);
      // rows are >= 0, so these differences do not overflow: branch-free steps
      k += ((x ^ y) - 1) >>> 31; // x == y
      i += 1 - ((y - x) >>> 31); // x <= y
      j += 1 - ((x - y) >>> 31); // y <= x
    }
    return k;
  }

  @Override
  public int orSelections(
      MemorySegment a, int aCount, MemorySegment b, int bCount, int n, MemorySegment out) {
    checkCount("n", n);
    checkSelection("a", a, aCount, n);
    checkSelection("b", b, bCount, n);
    checkOut("out", out, (int) Math.min(n, (long) aCount + bCount));
    int i = 0;
    int j = 0;
    int k = 0;
    while (i < aCount && j < bCount) {
      int x = a.getAtIndex(ArrowLayout.INT32, i);
      int y = b.getAtIndex(ArrowLayout.INT32, j);
      out.setAtIndex(ArrowLayout.INT32, k++, Math.min(x, y));
      i += 1 - ((y - x) >>> 31);
      j += 1 - ((x - y) >>> 31);
    }
    if (i < aCount) {
      MemorySegment.copy(a, (long) i << 2, out, (long) k << 2, (long) (aCount - i) << 2);
      k += aCount - i;
    }
    if (j < bCount) {
      MemorySegment.copy(b, (long) j << 2, out, (long) k << 2, (long) (bCount - j) << 2);
      k += bCount - j;
    }
    return k;
  }

  @Override
  public int notSelection(
      MemorySegment sel,
      int selCount,
      int n,
      @Nullable MemorySegment within,
      int withinCount,
      MemorySegment out) {
    checkCount("n", n);
    checkSelection("sel", sel, selCount, n);
    if (within != null) {
      checkSelection("within", within, withinCount, n);
      checkOut("out", out, withinCount);
      return difference(within, withinCount, sel, selCount, out);
    }
    checkOut("out", out, n);
    int p = 0;
    int k = 0;
    for (int base = 0; base < n; base += 64) {
      long end = base + 64L;
      long bits = 0;
      while (p < selCount) {
        int row = sel.getAtIndex(ArrowLayout.INT32, p);
        if (row >= end) {
          break;
        }
        bits |= 1L << row; // row - base has the same low 6 bits
        p++;
      }
      int m = Math.min(64, n - base);
      bits = ~bits & low(m);
      k = m == 64 ? emitRows(bits, base, out, k) : emitScalar(bits, null, base, out, k);
    }
    return k;
  }

  /** Entries of {@code a} not in {@code b} (both ascending), by a branch-free merge. */
  private static int difference(
      MemorySegment a, int aCount, MemorySegment b, int bCount, MemorySegment out) {
    int i = 0;
    int j = 0;
    int k = 0;
    while (i < aCount && j < bCount) {
      int x = a.getAtIndex(ArrowLayout.INT32, i);
      int y = b.getAtIndex(ArrowLayout.INT32, j);
      out.setAtIndex(ArrowLayout.INT32, k, x);
      k += (x - y) >>> 31; // x < y
      i += 1 - ((y - x) >>> 31);
      j += 1 - ((x - y) >>> 31);
    }
    if (i < aCount) {
      MemorySegment.copy(a, (long) i << 2, out, (long) k << 2, (long) (aCount - i) << 2);
      k += aCount - i;
    }
    return k;
  }

  // ================================================================ bitmap logic

  private static final int OP_AND = 0;
  private static final int OP_OR = 1;
  private static final int OP_AND_NOT = 2;
  private static final int OP_NOT = 3;

  private static void checkBitmapArg(String name, MemorySegment bitmap, int n) {
    Objects.requireNonNull(bitmap, name + " is null");
    checkBitmap(name, bitmap, n);
  }

  private static int checkedBitmapOp(
      int op, MemorySegment a, MemorySegment b, int n, MemorySegment out) {
    checkCount("n", n);
    checkBitmapArg("a", a, n);
    checkBitmapArg("b", b, n);
    checkBitmapArg("outBitmap", out, n);
    return bitmapOp(op, a, b, n, out);
  }

  /** Word-wise {@code out = a op b} over [0, n), bits past n 0; returns the set bits. */
  private static int bitmapOp(int op, MemorySegment a, MemorySegment b, int n, MemorySegment out) {
    long bytes = ArrowLayout.bitmapBytes(n);
    long vectorBytes = LS.vectorByteSize();
    long off = 0;
    LongVector counts = LongVector.zero(LS);
    for (; off + vectorBytes <= bytes; off += vectorBytes) {
      LongVector x = LongVector.fromMemorySegment(LS, a, off, ORDER);
      LongVector y = LongVector.fromMemorySegment(LS, b, off, ORDER);
      LongVector r =
          switch (op) {
            case OP_AND -> x.and(y);
            case OP_OR -> x.or(y);
            case OP_AND_NOT -> x.and(y.not());
            default -> x.not();
          };
      r.intoMemorySegment(out, off, ORDER);
      counts = counts.add(r.lanewise(VectorOperators.BIT_COUNT));
    }
    long count = counts.reduceLanes(VectorOperators.ADD);
    for (; off < bytes; off++) {
      int x = a.get(BYTE, off);
      int y = b.get(BYTE, off);
      int r =
          switch (op) {
            case OP_AND -> x & y;
            case OP_OR -> x | y;
            case OP_AND_NOT -> x & ~y;
            default -> ~x;
          };
      if (off == bytes - 1 && (n & 7) != 0) {
        r &= (1 << (n & 7)) - 1;
      }
      r &= 0xFF;
      out.set(BYTE, off, (byte) r);
      count += Integer.bitCount(r);
    }
    if ((n & 7) != 0 && bytes % vectorBytes == 0) {
      // the last, partial byte went through the vector loop: clear its bits past n
      int last = out.get(BYTE, bytes - 1) & 0xFF;
      int kept = last & ((1 << (n & 7)) - 1);
      out.set(BYTE, bytes - 1, (byte) kept);
      count -= Integer.bitCount(last) - Integer.bitCount(kept);
    }
    return (int) count;
  }

  @Override
  public int andBitmaps(MemorySegment a, MemorySegment b, int n, MemorySegment outBitmap) {
    return checkedBitmapOp(OP_AND, a, b, n, outBitmap);
  }

  @Override
  public int orBitmaps(MemorySegment a, MemorySegment b, int n, MemorySegment outBitmap) {
    return checkedBitmapOp(OP_OR, a, b, n, outBitmap);
  }

  @Override
  public int andNotBitmaps(MemorySegment a, MemorySegment b, int n, MemorySegment outBitmap) {
    return checkedBitmapOp(OP_AND_NOT, a, b, n, outBitmap);
  }

  @Override
  public int notBitmap(MemorySegment a, int n, MemorySegment outBitmap) {
    return checkedBitmapOp(OP_NOT, a, a, n, outBitmap);
  }

  @Override
  public int countBits(MemorySegment bitmap, int n) {
    checkCount("n", n);
    checkBitmapArg("bitmap", bitmap, n);
    int full = n & ~63;
    long count = 0;
    for (int i = 0; i < full; i += 64) {
      count += Long.bitCount(bitmap.get(ArrowLayout.INT64, i >>> 3));
    }
    if (full < n) {
      count += Long.bitCount(validTail(bitmap, full, n - full) & low(n - full));
    }
    return (int) count;
  }

  // ================================================================ compaction

  @Override
  public int bitmapToSelection(MemorySegment bitmap, int n, MemorySegment out) {
    checkCount("n", n);
    checkBitmapArg("bitmap", bitmap, n);
    checkOut("out", out, n);
    int full = n & ~63;
    int k = 0;
    for (int i = 0; i < full; i += 64) {
      long bits = bitmap.get(ArrowLayout.INT64, i >>> 3);
      if (bits != 0) {
        k = emitRows(bits, i, out, k);
      }
    }
    if (full < n) {
      k = emitScalar(validTail(bitmap, full, n - full) & low(n - full), null, full, out, k);
    }
    return k;
  }

  @Override
  public int selectionToBitmap(MemorySegment sel, int selCount, int n, MemorySegment outBitmap) {
    checkCount("n", n);
    checkSelection("sel", sel, selCount, n);
    checkBitmapArg("outBitmap", outBitmap, n);
    int full = n & ~63;
    int p = 0;
    for (int base = 0; base < n; base += 64) {
      long bits = 0;
      long end = Math.min(base + 64L, n);
      while (p < selCount) {
        int row = sel.getAtIndex(ArrowLayout.INT32, p);
        if (row >= end) {
          break;
        }
        if (row < base) {
          throw new IllegalArgumentException(
              "sel entry " + p + " is row " + row + ": not ascending or negative");
        }
        bits |= 1L << row;
        p++;
      }
      if (base < full) {
        outBitmap.set(ArrowLayout.INT64, base >>> 3, bits);
      } else {
        writeTail(outBitmap, base, n - base, bits);
      }
    }
    if (p < selCount) {
      throw new IllegalArgumentException(
          "sel entry "
              + p
              + " is row "
              + sel.getAtIndex(ArrowLayout.INT32, p)
              + ": not ascending or outside [0, n="
              + n
              + ")");
    }
    return selCount;
  }

  // ================================================================ gather / scatter

  private static void checkGather(
      MemorySegment values,
      int width,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    checkCount("n", n);
    checkCount("count", count);
    checkValues("values", values, width, n);
    checkBitmap("validity", validity, n);
    checkValues("indices", indices, 4, count);
    checkValues("outValues", outValues, width, count);
    checkBitmap("outValidity", outValidity, count);
  }

  private static IllegalArgumentException badIndex(int k, int row, int limit) {
    return new IllegalArgumentException(
        "indices[" + k + "] = " + row + " is outside [0, " + limit + ")");
  }

  @Override
  public int gatherInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    checkGather(values, 4, validity, n, indices, count, outValues, outValidity);
    return gather(values, 4, validity, n, indices, count, outValues, outValidity);
  }

  @Override
  public int gatherInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    checkGather(values, 8, validity, n, indices, count, outValues, outValidity);
    return gather(values, 8, validity, n, indices, count, outValues, outValidity);
  }

  @Override
  public int gatherFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    checkGather(values, 8, validity, n, indices, count, outValues, outValidity);
    // moved as int64: bit-exact, NaN payloads kept
    return gather(values, 8, validity, n, indices, count, outValues, outValidity);
  }

  /**
   * {@code outValues[k] = values[indices[k]]} and the validity bits, 64 entries at a time (one pass
   * over the indices); returns the nulls.
   */
  private static int gather(
      MemorySegment values,
      int width,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    if (validity == null) {
      gatherValues(values, width, n, indices, count, outValues);
      if (outValidity != null) {
        setBits(outValidity, count);
      }
      return 0;
    }
    int valid = 0;
    for (int base = 0; base < count; base += 64) {
      int m = Math.min(64, count - base);
      long bits = 0;
      if (width == 8) {
        for (int t = 0; t < m; t++) {
          int k = base + t;
          int row = indices.getAtIndex(ArrowLayout.INT32, k);
          if (Integer.compareUnsigned(row, n) >= 0) {
            throw badIndex(k, row, n);
          }
          outValues.setAtIndex(ArrowLayout.INT64, k, values.getAtIndex(ArrowLayout.INT64, row));
          bits |= validBit(validity, row) << t;
        }
      } else {
        for (int t = 0; t < m; t++) {
          int k = base + t;
          int row = indices.getAtIndex(ArrowLayout.INT32, k);
          if (Integer.compareUnsigned(row, n) >= 0) {
            throw badIndex(k, row, n);
          }
          outValues.setAtIndex(ArrowLayout.INT32, k, values.getAtIndex(ArrowLayout.INT32, row));
          bits |= validBit(validity, row) << t;
        }
      }
      valid += Long.bitCount(bits);
      if (outValidity != null) {
        if (m == 64) {
          outValidity.set(ArrowLayout.INT64, base >>> 3, bits);
        } else {
          writeTail(outValidity, base, m, bits);
        }
      }
    }
    return count - valid;
  }

  /** {@code outValues[k] = values[indices[k]]} for columns without nulls: no validity work. */
  private static void gatherValues(
      MemorySegment values,
      int width,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues) {
    if (width == 8) {
      for (int k = 0; k < count; k++) {
        int row = indices.getAtIndex(ArrowLayout.INT32, k);
        if (Integer.compareUnsigned(row, n) >= 0) {
          throw badIndex(k, row, n);
        }
        outValues.setAtIndex(ArrowLayout.INT64, k, values.getAtIndex(ArrowLayout.INT64, row));
      }
    } else {
      for (int k = 0; k < count; k++) {
        int row = indices.getAtIndex(ArrowLayout.INT32, k);
        if (Integer.compareUnsigned(row, n) >= 0) {
          throw badIndex(k, row, n);
        }
        outValues.setAtIndex(ArrowLayout.INT32, k, values.getAtIndex(ArrowLayout.INT32, row));
      }
    }
  }

  /** Sets bits [0, count) of {@code bitmap}. */
  private static void setBits(MemorySegment bitmap, int count) {
    int full = count >>> 6;
    for (int w = 0; w < full; w++) {
      bitmap.set(ArrowLayout.INT64, (long) w << 3, -1L);
    }
    int rem = count & 63;
    if (rem != 0) {
      writeTail(bitmap, (long) full << 6, rem, (1L << rem) - 1);
    }
  }

  private static void checkScatter(
      MemorySegment values,
      int width,
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      int outRows,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    checkCount("count", count);
    checkCount("outRows", outRows);
    checkValues("values", values, width, count);
    checkBitmap("validity", validity, count);
    checkValues("indices", indices, 4, count);
    checkValues("outValues", outValues, width, outRows);
    checkBitmap("outValidity", outValidity, outRows);
  }

  @Override
  public void scatterInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      int outRows,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    checkScatter(values, 4, validity, count, indices, outRows, outValues, outValidity);
    for (int k = 0; k < count; k++) {
      int row = indices.getAtIndex(ArrowLayout.INT32, k);
      if (Integer.compareUnsigned(row, outRows) >= 0) {
        throw badIndex(k, row, outRows);
      }
      outValues.setAtIndex(ArrowLayout.INT32, row, values.getAtIndex(ArrowLayout.INT32, k));
    }
    scatterValidity(validity, count, indices, outValidity);
  }

  @Override
  public void scatterInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      int outRows,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    checkScatter(values, 8, validity, count, indices, outRows, outValues, outValidity);
    scatter8(values, count, indices, outRows, outValues);
    scatterValidity(validity, count, indices, outValidity);
  }

  @Override
  public void scatterFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      int outRows,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    checkScatter(values, 8, validity, count, indices, outRows, outValues, outValidity);
    scatter8(values, count, indices, outRows, outValues);
    scatterValidity(validity, count, indices, outValidity);
  }

  private static void scatter8(
      MemorySegment values, int count, MemorySegment indices, int outRows, MemorySegment out) {
    for (int k = 0; k < count; k++) {
      int row = indices.getAtIndex(ArrowLayout.INT32, k);
      if (Integer.compareUnsigned(row, outRows) >= 0) {
        throw badIndex(k, row, outRows);
      }
      out.setAtIndex(ArrowLayout.INT64, row, values.getAtIndex(ArrowLayout.INT64, k));
    }
  }

  private static void scatterValidity(
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      @Nullable MemorySegment outValidity) {
    if (outValidity == null) {
      return;
    }
    for (int k = 0; k < count; k++) {
      int row = indices.getAtIndex(ArrowLayout.INT32, k);
      long at = row >>> 3;
      int bit = 1 << (row & 7);
      int old = outValidity.get(BYTE, at);
      int set = (int) validBit(validity, k) * bit;
      outValidity.set(BYTE, at, (byte) ((old & ~bit) | set));
    }
  }
}
