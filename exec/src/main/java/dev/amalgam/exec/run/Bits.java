package dev.amalgam.exec.run;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;

/** Word-at-a-time helpers over bitmaps, for the evaluator's boolean logic. */
final class Bits {
  private Bits() {}

  /** A zeroed bitmap of {@code n} rows, padded to 64 bytes so that whole words can be written. */
  static MemorySegment alloc(Scratch s, int n) {
    return s.allocate(Math.max(64, ArrowLayout.paddedBitmapBytes(n)));
  }

  /** Number of 64-bit words covering {@code n} rows. */
  static int words(int n) {
    return (n + 63) >>> 6;
  }

  /**
   * Bits of rows {@code [64w, 64w + 64)}, zero past {@code n}; all ones (within {@code n}) for a
   * null bitmap. Reads a bitmap that is only {@code ceil(n / 8)} bytes long byte by byte at its
   * end.
   */
  static long word(@Nullable MemorySegment bitmap, int w, int n) {
    int rest = n - (w << 6);
    long mask = rest >= 64 ? -1L : (1L << rest) - 1;
    if (bitmap == null) {
      return mask;
    }
    long at = (long) w << 3;
    if (at + 8 <= bitmap.byteSize()) {
      return bitmap.get(ArrowLayout.INT64, at) & mask;
    }
    long bits = 0;
    int bytes = (int) Math.min(8, ArrowLayout.bitmapBytes(n) - at);
    for (int i = 0; i < bytes; i++) {
      bits |= (bitmap.get(ValueLayout.JAVA_BYTE, at + i) & 0xFFL) << (8 * i);
    }
    return bits & mask;
  }

  /** Writes word {@code w} of a bitmap made by {@link #alloc}. */
  static void put(MemorySegment bitmap, int w, long bits) {
    bitmap.set(ArrowLayout.INT64, (long) w << 3, bits);
  }

  /** The AND of two validity bitmaps (null = all valid). */
  static @Nullable MemorySegment andValidity(
      @Nullable MemorySegment a, @Nullable MemorySegment b, int n, Scratch s) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    MemorySegment out = alloc(s, n);
    for (int w = 0, words = words(n); w < words; w++) {
      put(out, w, word(a, w, n) & word(b, w, n));
    }
    return out;
  }

  /** Bits {@code sel[k]} (or {@code k}) of {@code bitmap}, as a dense bitmap of {@code count}. */
  static MemorySegment gather(
      MemorySegment bitmap, @Nullable MemorySegment sel, int count, Scratch s) {
    MemorySegment out = alloc(s, count);
    for (int w = 0, words = words(count); w < words; w++) {
      long bits = 0;
      int base = w << 6;
      int end = Math.min(64, count - base);
      for (int j = 0; j < end; j++) {
        int row = sel == null ? base + j : sel.getAtIndex(ArrowLayout.INT32, base + j);
        if (Validity.isValid(bitmap, row)) {
          bits |= 1L << j;
        }
      }
      put(out, w, bits);
    }
    return out;
  }
}
