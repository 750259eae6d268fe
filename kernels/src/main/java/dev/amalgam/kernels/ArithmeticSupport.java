package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;

/** Argument checks and word-at-a-time bitmap helpers shared by the CPU arithmetic kernels. */
final class ArithmeticSupport {
  private ArithmeticSupport() {}

  static void checkN(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0; was " + n);
    }
  }

  /** {@code seg} holds at least {@code bytes} bytes. */
  static void checkBytes(String name, MemorySegment seg, long bytes) {
    if (seg.byteSize() < bytes) {
      throw new IllegalArgumentException(
          name + " holds " + seg.byteSize() + " bytes; needs at least " + bytes);
    }
  }

  /**
   * Checks the common arguments of a row-wise kernel: {@code n}, the selection, the output and its
   * validity, and (without a selection) the inputs' values and bitmaps against {@code n}.
   */
  static void checkRowwise(
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out,
      int outWidth,
      @Nullable MemorySegment outValidity,
      @Nullable MemorySegment a,
      int aWidth,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment b,
      int bWidth,
      @Nullable MemorySegment bValidity) {
    checkN(n);
    checkBytes("out", out, (long) n * outWidth);
    if (outValidity == null) {
      if (aValidity != null || bValidity != null) {
        throw new IllegalArgumentException(
            "outValidity is null but an input has a validity bitmap: the output can have nulls");
      }
    } else {
      checkBytes("outValidity", outValidity, ArrowLayout.bitmapBytes(n));
    }
    if (sel != null) {
      checkBytes("sel", sel, Selection.bytes(n));
      return; // rows are reached through sel: the segments' own bounds checks apply
    }
    if (a != null) {
      checkBytes("a", a, (long) n * aWidth);
    }
    if (b != null) {
      checkBytes("b", b, (long) n * bWidth);
    }
    if (aValidity != null) {
      checkBytes("aValidity", aValidity, ArrowLayout.bitmapBytes(n));
    }
    if (bValidity != null) {
      checkBytes("bValidity", bValidity, ArrowLayout.bitmapBytes(n));
    }
  }

  /**
   * The validity bits of rows {@code [64w, 64w + 64)} that are below {@code n} (bits at or beyond n
   * are 0); all ones (below n) for a null bitmap. Reads only the bitmap's {@code ceil(n / 8)}
   * bytes.
   */
  static long word(@Nullable MemorySegment bitmap, int w, int n) {
    long first = (long) w << 6;
    int rows = (int) Math.min(64, n - first);
    long mask = rows == 64 ? -1L : (1L << rows) - 1;
    if (bitmap == null) {
      return mask;
    }
    if (rows == 64) {
      return bitmap.get(ArrowLayout.INT64, first >>> 3);
    }
    long bits = 0;
    int bytes = (rows + 7) >>> 3;
    for (int i = 0; i < bytes; i++) {
      bits |= (bitmap.get(ValueLayout.JAVA_BYTE, (first >>> 3) + i) & 0xFFL) << (8 * i);
    }
    return bits & mask;
  }

  /** Writes the bits of rows {@code [64w, min(64w + 64, n))}, touching only bytes below n. */
  static void putWord(MemorySegment bitmap, int w, int n, long bits) {
    long first = (long) w << 6;
    if (first + 64 <= n) {
      bitmap.set(ArrowLayout.INT64, first >>> 3, bits);
      return;
    }
    int bytes = (int) ((n - first + 7) >>> 3);
    for (int i = 0; i < bytes; i++) {
      bitmap.set(ValueLayout.JAVA_BYTE, (first >>> 3) + i, (byte) (bits >>> (8 * i)));
    }
  }

  /** Number of 64-row words covering n rows. */
  static int words(int n) {
    return (n + 63) >>> 6;
  }

  /** {@code out = a AND b} over rows {@code [0, n)} (a null input counts as all valid). */
  static void andValidity(
      @Nullable MemorySegment a, @Nullable MemorySegment b, int n, MemorySegment out) {
    int words = words(n);
    for (int w = 0; w < words; w++) {
      putWord(out, w, n, word(a, w, n) & word(b, w, n));
    }
  }

  /**
   * Writes the output validity of a kernel with an input selection: bit k = row {@code sel[k]}
   * valid in both inputs (null = all valid).
   */
  static void gatherValidity(
      @Nullable MemorySegment a,
      @Nullable MemorySegment b,
      MemorySegment sel,
      int n,
      MemorySegment out) {
    int words = words(n);
    for (int w = 0; w < words; w++) {
      int first = w << 6;
      int last = Math.min(n, first + 64);
      long bits = 0;
      for (int k = first; k < last; k++) {
        int row = sel.getAtIndex(ArrowLayout.INT32, k);
        if (Validity.isValid(a, row) && Validity.isValid(b, row)) {
          bits |= 1L << (k - first);
        }
      }
      putWord(out, w, n, bits);
    }
  }

  /** The validity of the output row of input row {@code row} (both inputs valid). */
  static boolean valid(@Nullable MemorySegment a, @Nullable MemorySegment b, int row) {
    return Validity.isValid(a, row) && Validity.isValid(b, row);
  }
}
