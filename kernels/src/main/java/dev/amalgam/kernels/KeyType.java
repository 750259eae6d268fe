package dev.amalgam.kernels;

/**
 * The type of a key column that {@link HashKernels}, {@link GroupByHashTable} and {@link
 * JoinHashTable} accept; see {@link ArrowLayout} for each layout.
 */
public enum KeyType {
  /** int32 values. */
  INT32(4),
  /** int64 values. */
  INT64(8),
  /** float64 values; -0.0 equals 0.0 and every NaN equals every other NaN. */
  FLOAT64(8),
  /** date32: int32 days since 1970-01-01. */
  DATE32(4),
  /** utf8: int32 offsets (n + 1) into a data buffer; compared and hashed byte by byte. */
  UTF8(4);

  private final int width;

  KeyType(int width) {
    this.width = width;
  }

  /** Bytes per row of the values buffer (for utf8, of the offsets buffer). */
  public int width() {
    return width;
  }

  /** Whether values are 32-bit integers (int32 and date32). */
  boolean isInt32() {
    return this == INT32 || this == DATE32;
  }
}
