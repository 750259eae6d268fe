package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.jspecify.annotations.Nullable;

/** The CPU {@link HashKernels}: Vector API for fixed-width columns, scalar loops for utf8. */
final class CpuHashKernels implements HashKernels {
  /*
   * Implementation notes.
   *
   * One core routine, hashRange, hashes the rows of one column and either stores the hash or
   * combines it into the hash already there. Its output is addressed in one of two ways: at the
   * row's own index (the public kernels) or densely from 0 (the hash tables, which hash one chunk of
   * rows at a time into a scratch buffer). Without a selection the rows are contiguous, so the main
   * loop runs on LongVector.SPECIES_PREFERRED (8 lanes with AVX-512): int64 and float64 load as
   * longs, int32/date32 load through an IntVector of the same lane count and widen (I2L); float64
   * bits are normalized with two lane compares on the absolute bits (zero -> 0, above infinity ->
   * the canonical NaN); then the murmur3 finalizer is three shift-xors and two lane multiplies. A
   * validity bitmap becomes a lane mask from one byte of the bitmap (the loop index is a multiple of
   * the lane count, which divides 8), and null lanes are blended to NULL_HASH before combining. The
   * tail and every selected path run the scalar functions of Hashing, which also define the
   * function; utf8 is always scalar (8 bytes per step, see Hashing.hashBytes).
   */

  static final CpuHashKernels INSTANCE = new CpuHashKernels();

  private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> IS =
      VectorSpecies.of(int.class, VectorShape.forBitSize(LS.vectorBitSize() / 2));
  private static final int LANES = LS.length();
  private static final int LANE_BITS = (1 << LANES) - 1;
  private static final boolean MASK_FROM_BYTE = LANES <= 8 && 8 % LANES == 0;

  private CpuHashKernels() {}

  @Override
  public void hashInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    run("hashInt32", new KeyColumn(KeyType.INT32, values, validity, null), n, sel, out, false);
  }

  @Override
  public void hashInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    run("hashInt64", new KeyColumn(KeyType.INT64, values, validity, null), n, sel, out, false);
  }

  @Override
  public void hashFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    run("hashFloat64", new KeyColumn(KeyType.FLOAT64, values, validity, null), n, sel, out, false);
  }

  @Override
  public void hashUtf8(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    run("hashUtf8", new KeyColumn(KeyType.UTF8, offsets, validity, data), n, sel, out, false);
  }

  @Override
  public void combineInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes) {
    run("combineInt32", new KeyColumn(KeyType.INT32, values, validity, null), n, sel, hashes, true);
  }

  @Override
  public void combineInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes) {
    run("combineInt64", new KeyColumn(KeyType.INT64, values, validity, null), n, sel, hashes, true);
  }

  @Override
  public void combineFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes) {
    run(
        "combineFloat64",
        new KeyColumn(KeyType.FLOAT64, values, validity, null),
        n,
        sel,
        hashes,
        true);
  }

  @Override
  public void combineUtf8(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes) {
    run("combineUtf8", new KeyColumn(KeyType.UTF8, offsets, validity, data), n, sel, hashes, true);
  }

  private static void run(
      String kernel,
      KeyColumn c,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out,
      boolean combine) {
    int maxRow = Hashing.checkRows(kernel, n, sel);
    Hashing.checkColumn(kernel, "input", c, maxRow);
    Hashing.checkBytes(kernel, combine ? "hashes" : "out", out, 8L * (maxRow + 1));
    hashRange(kernel, c, sel, 0, n, out, false, combine);
  }

  /**
   * Hashes the rows of positions {@code [start, start + len)} (of the selection, or rows themselves
   * when {@code sel} is null) of {@code keys} densely into {@code out[0, len)}. Arguments have been
   * checked.
   */
  static void hashChunk(
      String kernel,
      KeyColumn[] keys,
      @Nullable MemorySegment sel,
      int start,
      int len,
      MemorySegment out) {
    hashRange(kernel, keys[0], sel, start, len, out, true, false);
    for (int k = 1; k < keys.length; k++) {
      hashRange(kernel, keys[k], sel, start, len, out, true, true);
    }
  }

  /**
   * The selection path of {@link #hashRange} for an int32/date32 or int64 column without nulls: the
   * same hashes as {@link Hashing#hashRow}, in one tight loop per width.
   */
  private static void hashSelectedIntegers(
      MemorySegment values,
      boolean wide,
      MemorySegment sel,
      int start,
      int len,
      MemorySegment out,
      boolean dense,
      boolean combine) {
    if (wide) {
      for (int i = 0; i < len; i++) {
        int row = sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
        long at = dense ? i : row;
        long x = Hashing.hashLong(values.getAtIndex(ArrowLayout.INT64, row));
        out.setAtIndex(
            ArrowLayout.INT64,
            at,
            combine ? Hashing.combine(out.getAtIndex(ArrowLayout.INT64, at), x) : x);
      }
    } else {
      for (int i = 0; i < len; i++) {
        int row = sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
        long at = dense ? i : row;
        long x = Hashing.hashLong(values.getAtIndex(ArrowLayout.INT32, row));
        out.setAtIndex(
            ArrowLayout.INT64,
            at,
            combine ? Hashing.combine(out.getAtIndex(ArrowLayout.INT64, at), x) : x);
      }
    }
  }

  /**
   * Hashes positions {@code [start, start + len)}; writes at the position minus start when {@code
   * dense}, at the row otherwise; combines into what is there when {@code combine}.
   */
  private static void hashRange(
      String kernel,
      KeyColumn c,
      @Nullable MemorySegment sel,
      int start,
      int len,
      MemorySegment out,
      boolean dense,
      boolean combine) {
    if (sel != null) {
      KeyType t = c.type();
      if (c.validity() == null
          && (t == KeyType.INT32 || t == KeyType.DATE32 || t == KeyType.INT64)) {
        hashSelectedIntegers(c.values(), t == KeyType.INT64, sel, start, len, out, dense, combine);
        return;
      }
      for (int i = 0; i < len; i++) {
        int row = sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
        long at = dense ? i : row;
        long x = Hashing.hashRow(kernel, c, row);
        long h = combine ? Hashing.combine(out.getAtIndex(ArrowLayout.INT64, at), x) : x;
        out.setAtIndex(ArrowLayout.INT64, at, h);
      }
      return;
    }
    long outBase = dense ? -(long) start : 0;
    if (c.type() == KeyType.UTF8) {
      hashUtf8Range(kernel, c, start, len, out, outBase, combine);
      return;
    }
    int row = start;
    int end = start + len;
    if (MASK_FROM_BYTE && (start % LANES) == 0) {
      int vecEnd = start + (len - len % LANES);
      row = hashVectors(c, start, vecEnd, out, outBase, combine);
    }
    for (; row < end; row++) {
      long x = Hashing.hashRow(kernel, c, row);
      long at = row + outBase;
      long h = combine ? Hashing.combine(out.getAtIndex(ArrowLayout.INT64, at), x) : x;
      out.setAtIndex(ArrowLayout.INT64, at, h);
    }
  }

  /** utf8 rows [start, start + len): each offset read once, 8 bytes per step. */
  private static void hashUtf8Range(
      String kernel,
      KeyColumn c,
      int start,
      int len,
      MemorySegment out,
      long outBase,
      boolean combine) {
    MemorySegment offsets = c.values();
    MemorySegment data = Hashing.utf8Data(c);
    MemorySegment validity = c.validity();
    int from = offsets.getAtIndex(ArrowLayout.INT32, start);
    for (int row = start; row < start + len; row++) {
      int to = offsets.getAtIndex(ArrowLayout.INT32, row + 1L);
      if (to < from || from < 0) {
        throw KernelException.invalid(
            kernel, row, "utf8 offsets must not decrease: offsets " + from + ", " + to);
      }
      long x =
          Validity.isValid(validity, row)
              ? Hashing.hashBytes(data, from, to - from)
              : HashKernels.NULL_HASH;
      long at = row + outBase;
      long h = combine ? Hashing.combine(out.getAtIndex(ArrowLayout.INT64, at), x) : x;
      out.setAtIndex(ArrowLayout.INT64, at, h);
      from = to;
    }
  }

  /** The vector loop over rows [start, vecEnd) of a fixed-width column; returns vecEnd. */
  private static int hashVectors(
      KeyColumn c, int start, int vecEnd, MemorySegment out, long outBase, boolean combine) {
    MemorySegment values = c.values();
    MemorySegment validity = c.validity();
    KeyType type = c.type();
    for (int row = start; row < vecEnd; row += LANES) {
      LongVector v;
      if (type.isInt32()) {
        IntVector iv = IntVector.fromMemorySegment(IS, values, 4L * row, ArrowLayout.ORDER);
        v = (LongVector) iv.convertShape(VectorOperators.I2L, LS, 0);
      } else {
        v = LongVector.fromMemorySegment(LS, values, 8L * row, ArrowLayout.ORDER);
        if (type == KeyType.FLOAT64) {
          v = normalize(v);
        }
      }
      LongVector x = fmix(v.lanewise(VectorOperators.XOR, Hashing.SEED));
      if (validity != null) {
        int bits =
            (Byte.toUnsignedInt(validity.get(ValueLayout.JAVA_BYTE, row >>> 3)) >>> (row & 7))
                & LANE_BITS;
        if (bits != LANE_BITS) {
          x =
              LongVector.broadcast(LS, HashKernels.NULL_HASH)
                  .blend(x, VectorMask.fromLong(LS, bits));
        }
      }
      long at = 8L * (row + outBase);
      if (combine) {
        LongVector h = LongVector.fromMemorySegment(LS, out, at, ArrowLayout.ORDER);
        x = fmix(h.mul(Hashing.COMBINE).add(x));
      }
      x.intoMemorySegment(out, at, ArrowLayout.ORDER);
    }
    return vecEnd;
  }

  /** float64 bits with -0.0 as 0.0 and every NaN as the canonical NaN. */
  private static LongVector normalize(LongVector bits) {
    LongVector abs = bits.and(Hashing.ABS_MASK);
    bits = bits.blend(0L, abs.compare(VectorOperators.EQ, 0L));
    return bits.blend(
        Hashing.CANONICAL_NAN, abs.compare(VectorOperators.GT, Hashing.INFINITY_BITS));
  }

  /** The murmur3 finalizer, lane-wise. */
  private static LongVector fmix(LongVector k) {
    k = k.lanewise(VectorOperators.XOR, k.lanewise(VectorOperators.LSHR, 33));
    k = k.mul(Hashing.C1);
    k = k.lanewise(VectorOperators.XOR, k.lanewise(VectorOperators.LSHR, 33));
    k = k.mul(Hashing.C2);
    return k.lanewise(VectorOperators.XOR, k.lanewise(VectorOperators.LSHR, 33));
  }
}
