package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;

/**
 * Validity bitmaps (see {@link ArrowLayout}): bit {@code i} of byte {@code i >> 3}, LSB first, 1 =
 * valid. A {@code null} bitmap means every row is valid.
 */
public final class Validity {
  private Validity() {}

  /** True when row {@code i} is valid; always true for a null bitmap. */
  public static boolean isValid(@Nullable MemorySegment bitmap, long i) {
    return bitmap == null || (bitmap.get(ValueLayout.JAVA_BYTE, i >>> 3) & (1 << (i & 7))) != 0;
  }

  /** Sets row {@code i} valid or null. */
  public static void set(MemorySegment bitmap, long i, boolean valid) {
    long at = i >>> 3;
    byte b = bitmap.get(ValueLayout.JAVA_BYTE, at);
    int bit = 1 << (i & 7);
    bitmap.set(ValueLayout.JAVA_BYTE, at, (byte) (valid ? (b | bit) : (b & ~bit)));
  }

  /** Marks rows {@code [0, rows)} valid. */
  public static void setAllValid(MemorySegment bitmap, long rows) {
    long full = rows >>> 3;
    bitmap.asSlice(0, full).fill((byte) 0xFF);
    if ((rows & 7) != 0) {
      bitmap.set(ValueLayout.JAVA_BYTE, full, (byte) ((1 << (rows & 7)) - 1));
    }
  }

  /** Number of null rows in {@code [0, rows)}; 0 for a null bitmap. */
  public static long nullCount(@Nullable MemorySegment bitmap, long rows) {
    if (bitmap == null) {
      return 0;
    }
    long valid = 0;
    long words = rows >>> 6;
    for (long w = 0; w < words; w++) {
      valid += Long.bitCount(bitmap.get(ArrowLayout.INT64, w << 3));
    }
    for (long i = words << 6; i < rows; i++) {
      if (isValid(bitmap, i)) {
        valid++;
      }
    }
    return rows - valid;
  }

  /**
   * The 64 validity bits of rows {@code [64 * word, 64 * word + 64)} as a long (bit j = row 64 *
   * word + j); all ones for a null bitmap. The bitmap must be readable that far (pad to 8 bytes).
   */
  public static long word(@Nullable MemorySegment bitmap, long word) {
    return bitmap == null ? -1L : bitmap.get(ArrowLayout.INT64, word << 3);
  }
}
