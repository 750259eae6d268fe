package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Arrow memory layout kernels read and write, described in one place.
 *
 * <pre>
 *  validity bitmap (optional; absent = no nulls)      one bit per row, LSB first, 1 = valid
 *    byte k:  [row 8k+7 ... row 8k+1 row 8k]            length ceil(n / 8) bytes (64-byte padded)
 *
 *  fixed width values                                  n little-endian values, no gaps
 *    int8 | int16 | int32 | int64 | float32 | float64
 *    bool      : a bitmap like validity (bit i = value of row i)
 *    date32    : int32 days since 1970-01-01
 *    timestamp : int64 microseconds since 1970-01-01T00:00Z
 *    decimal   : int64 scaled by 10^scale (precision <= 18)
 *
 *  utf8                                                 offsets: n + 1 int32, offsets[0] = 0
 *    offsets [o0 o1 ... on]   data [bytes of row 0 | bytes of row 1 | ...]
 *    row i = data[o(i) .. o(i+1))
 *
 *  dictionary-encoded utf8                              indices: n int32 into a utf8 dictionary
 *
 *  selection vector                                     count int32 row indices, ascending
 * </pre>
 *
 * A null row's value bytes are unspecified; kernels never let them change a result. Row counts are
 * {@code int}: a kernel call covers one morsel, not a whole table.
 */
public final class ArrowLayout {
  private ArrowLayout() {}

  /** Byte order of every Arrow buffer. */
  public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  /** int8 values. */
  public static final ValueLayout.OfByte INT8 = ValueLayout.JAVA_BYTE;

  /** int16 values. */
  public static final ValueLayout.OfShort INT16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ORDER);

  /** int32 values, offsets, dictionary indices, selection vectors and date32. */
  public static final ValueLayout.OfInt INT32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ORDER);

  /** int64 values, decimals and timestamps. */
  public static final ValueLayout.OfLong INT64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ORDER);

  /** float32 values. */
  public static final ValueLayout.OfFloat FLOAT32 =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);

  /** float64 values. */
  public static final ValueLayout.OfDouble FLOAT64 =
      ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ORDER);

  /** Bytes of a bitmap (validity or bool values) for {@code rows} rows. */
  public static long bitmapBytes(long rows) {
    return (rows + 7) >>> 3;
  }

  /** Bytes of a bitmap for {@code rows} rows, padded to 64 bytes as Arrow recommends. */
  public static long paddedBitmapBytes(long rows) {
    return (bitmapBytes(rows) + 63) & ~63L;
  }

  /** Reads an int32 at index {@code i}. */
  public static int int32(MemorySegment s, long i) {
    return s.getAtIndex(INT32, i);
  }

  /** Reads an int64 at index {@code i}. */
  public static long int64(MemorySegment s, long i) {
    return s.getAtIndex(INT64, i);
  }

  /** Reads a float64 at index {@code i}. */
  public static double float64(MemorySegment s, long i) {
    return s.getAtIndex(FLOAT64, i);
  }
}
