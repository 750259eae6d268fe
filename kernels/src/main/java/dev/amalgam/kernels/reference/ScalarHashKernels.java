package dev.amalgam.kernels.reference;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.HashKernels;
import dev.amalgam.kernels.Selection;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;

/**
 * The plain scalar reference of {@link HashKernels}: one row at a time, written from the function
 * spelled out in {@link HashKernels}'s documentation. For tests and benchmarks only.
 */
public final class ScalarHashKernels implements HashKernels {
  private static final long SEED = 0x9E3779B97F4A7C15L;
  private static final long C1 = 0xFF51AFD7ED558CCDL;
  private static final long C2 = 0xC4CEB9FE1A85EC53L;
  private static final long COMBINE = 0xC2B2AE3D27D4EB4FL;

  /** Creates the reference. */
  public ScalarHashKernels() {}

  /** The murmur3 64-bit finalizer. */
  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= C1;
    k ^= k >>> 33;
    k *= C2;
    k ^= k >>> 33;
    return k;
  }

  /** Hash of a 64-bit value. */
  static long hashLong(long v) {
    return fmix64(v ^ SEED);
  }

  /** Hash of a double: -0.0 as 0.0, every NaN as one. */
  static long hashDouble(double d) {
    if (d == 0.0) {
      d = 0.0;
    }
    long bits = Double.isNaN(d) ? 0x7FF8000000000000L : Double.doubleToRawLongBits(d);
    return hashLong(bits);
  }

  /** Hash of a byte string. */
  static long hashBytes(byte[] b) {
    long h = SEED;
    for (int i = 0; i < b.length; i += 8) {
      long w = 0;
      for (int j = Math.min(b.length, i + 8) - 1; j >= i; j--) {
        w = (w << 8) | (b[j] & 0xFF);
      }
      h = Long.rotateLeft(h ^ (w * C1), 31) * C2;
    }
    return fmix64(h ^ b.length);
  }

  /** Mixes the next column's hash into h. */
  static long combine(long h, long x) {
    return fmix64(h * COMBINE + x);
  }

  /** The bytes of utf8 row {@code row}. */
  static byte[] utf8(MemorySegment offsets, MemorySegment data, int row) {
    int start = offsets.getAtIndex(ArrowLayout.INT32, row);
    int end = offsets.getAtIndex(ArrowLayout.INT32, row + 1L);
    return data.asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE);
  }

  private interface RowHash {
    long hash(int row);
  }

  private static void each(
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out,
      boolean combine,
      RowHash f) {
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      long x = Validity.isValid(validity, row) ? f.hash(row) : NULL_HASH;
      long h = combine ? combine(out.getAtIndex(ArrowLayout.INT64, row), x) : x;
      out.setAtIndex(ArrowLayout.INT64, row, h);
    }
  }

  @Override
  public void hashInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    each(validity, n, sel, out, false, r -> hashLong(values.getAtIndex(ArrowLayout.INT32, r)));
  }

  @Override
  public void hashInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    each(validity, n, sel, out, false, r -> hashLong(values.getAtIndex(ArrowLayout.INT64, r)));
  }

  @Override
  public void hashFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    each(validity, n, sel, out, false, r -> hashDouble(values.getAtIndex(ArrowLayout.FLOAT64, r)));
  }

  @Override
  public void hashUtf8(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    each(validity, n, sel, out, false, r -> hashBytes(utf8(offsets, data, r)));
  }

  @Override
  public void combineInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes) {
    each(validity, n, sel, hashes, true, r -> hashLong(values.getAtIndex(ArrowLayout.INT32, r)));
  }

  @Override
  public void combineInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes) {
    each(validity, n, sel, hashes, true, r -> hashLong(values.getAtIndex(ArrowLayout.INT64, r)));
  }

  @Override
  public void combineFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes) {
    each(
        validity, n, sel, hashes, true, r -> hashDouble(values.getAtIndex(ArrowLayout.FLOAT64, r)));
  }

  @Override
  public void combineUtf8(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes) {
    each(validity, n, sel, hashes, true, r -> hashBytes(utf8(offsets, data, r)));
  }
}
