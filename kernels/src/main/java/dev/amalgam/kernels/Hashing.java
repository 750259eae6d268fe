package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The scalar hash functions specified in {@link HashKernels}, shared by the CPU kernels (tails and
 * selections) and the hash tables, plus the argument checks of the hash family.
 */
final class Hashing {
  private Hashing() {}

  static final long SEED = 0x9E3779B97F4A7C15L;
  static final long C1 = 0xFF51AFD7ED558CCDL;
  static final long C2 = 0xC4CEB9FE1A85EC53L;
  static final long COMBINE = 0xC2B2AE3D27D4EB4FL;
  static final long CANONICAL_NAN = 0x7FF8000000000000L;
  static final long ABS_MASK = 0x7FFFFFFFFFFFFFFFL;
  static final long INFINITY_BITS = 0x7FF0000000000000L;

  /** The murmur3 64-bit finalizer. */
  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= C1;
    k ^= k >>> 33;
    k *= C2;
    k ^= k >>> 33;
    return k;
  }

  /** Hash of a 64-bit key value (int32 and date32 sign-extended, float64 normalized bits). */
  static long hashLong(long v) {
    return fmix64(v ^ SEED);
  }

  /** The bits of {@code d} with -0.0 mapped to 0.0 and every NaN to the canonical NaN. */
  static long normalizedBits(double d) {
    long bits = Double.doubleToRawLongBits(d);
    long abs = bits & ABS_MASK;
    if (abs == 0) {
      return 0;
    }
    return abs > INFINITY_BITS ? CANONICAL_NAN : bits;
  }

  /** Mixes the hash of the next column into {@code h}. */
  static long combine(long h, long x) {
    return fmix64(h * COMBINE + x);
  }

  /** Hash of {@code len} bytes of {@code data} at {@code offset}. */
  static long hashBytes(MemorySegment data, long offset, int len) {
    long h = SEED;
    long end = offset + (len & ~7);
    for (long p = offset; p < end; p += 8) {
      long w = data.get(ArrowLayout.INT64, p);
      h = Long.rotateLeft(h ^ (w * C1), 31) * C2;
    }
    int rest = len & 7;
    if (rest != 0) {
      long w;
      if (len >= 8) {
        // the last 8 bytes of the string, shifted so that only the rest remains
        w = data.get(ArrowLayout.INT64, end + rest - 8) >>> (8 * (8 - rest));
      } else if (rest >= 4) {
        // two overlapping 4-byte loads cover bytes [0, rest)
        long lo = data.get(ArrowLayout.INT32, end) & 0xFFFFFFFFL;
        long hi = data.get(ArrowLayout.INT32, end + rest - 4) & 0xFFFFFFFFL;
        w = lo | (hi << (8 * (rest - 4)));
      } else {
        w = data.get(ValueLayout.JAVA_BYTE, end) & 0xFF;
        if (rest > 1) {
          w |= (data.get(ValueLayout.JAVA_BYTE, end + 1) & 0xFFL) << 8;
        }
        if (rest > 2) {
          w |= (data.get(ValueLayout.JAVA_BYTE, end + 2) & 0xFFL) << 16;
        }
      }
      h = Long.rotateLeft(h ^ (w * C1), 31) * C2;
    }
    return fmix64(h ^ len);
  }

  /** The normalized 64-bit value of a fixed-width key at {@code row} (validity not consulted). */
  static long keyBits(KeyType type, MemorySegment values, long row) {
    return switch (type) {
      case INT32, DATE32 -> values.getAtIndex(ArrowLayout.INT32, row);
      case INT64 -> values.getAtIndex(ArrowLayout.INT64, row);
      case FLOAT64 -> normalizedBits(values.getAtIndex(ArrowLayout.FLOAT64, row));
      case UTF8 -> throw new IllegalArgumentException("utf8 has no fixed-width value");
    };
  }

  /**
   * Checks the outputs of a join probe's {@code next}: {@code capacity} >= 0, room for that many
   * int32 probe rows and int64 build rows.
   */
  static void checkPairOutputs(
      String kernel, MemorySegment probeRows, MemorySegment buildRows, int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException(kernel + ": capacity must be >= 0: " + capacity);
    }
    checkBytes(kernel, "probeRows", probeRows, 4L * capacity);
    checkBytes(kernel, "buildRows", buildRows, 8L * capacity);
  }

  /** The data buffer of a utf8 column. */
  static MemorySegment utf8Data(KeyColumn c) {
    return Objects.requireNonNull(c.data(), "utf8 key column without data");
  }

  /** Start offset of utf8 row {@code row}. */
  static int utf8Start(MemorySegment offsets, long row) {
    return offsets.getAtIndex(ArrowLayout.INT32, row);
  }

  /** Length of utf8 row {@code row}; throws when the offsets decrease. */
  static int utf8Length(String kernel, MemorySegment offsets, int row) {
    int start = offsets.getAtIndex(ArrowLayout.INT32, row);
    int end = offsets.getAtIndex(ArrowLayout.INT32, row + 1L);
    int len = end - start;
    if (len < 0 || start < 0) {
      throw KernelException.invalid(
          kernel, row, "utf8 offsets must not decrease: offsets " + start + ", " + end);
    }
    return len;
  }

  /** Hash of one row of one column, {@link HashKernels#NULL_HASH} when null. */
  static long hashRow(String kernel, KeyColumn c, int row) {
    if (!Validity.isValid(c.validity(), row)) {
      return HashKernels.NULL_HASH;
    }
    if (c.type() == KeyType.UTF8) {
      MemorySegment data = utf8Data(c);
      int len = utf8Length(kernel, c.values(), row);
      return hashBytes(data, utf8Start(c.values(), row), len);
    }
    return hashLong(keyBits(c.type(), c.values(), row));
  }

  /** Hash of one row over several columns: the first column's hash, then combined. */
  static long hashRow(String kernel, KeyColumn[] keys, int row) {
    long h = hashRow(kernel, keys[0], row);
    for (int k = 1; k < keys.length; k++) {
      h = combine(h, hashRow(kernel, keys[k], row));
    }
    return h;
  }

  // ---- argument checks ----

  /** Checks n and the selection; returns the largest row read, or -1 when none is. */
  static int checkRows(String kernel, int n, @Nullable MemorySegment sel) {
    if (n < 0) {
      throw new IllegalArgumentException(kernel + ": row count n must not be negative: " + n);
    }
    if (n == 0) {
      return -1;
    }
    if (sel == null) {
      return n - 1;
    }
    if (sel.byteSize() < 4L * n) {
      throw new IllegalArgumentException(
          kernel
              + ": selection holds "
              + sel.byteSize() / 4
              + " rows but n = "
              + n
              + " were asked for");
    }
    int last = sel.getAtIndex(ArrowLayout.INT32, n - 1L);
    int first = sel.getAtIndex(ArrowLayout.INT32, 0);
    if (first < 0 || last < first) {
      throw new IllegalArgumentException(
          kernel
              + ": selection must hold ascending non-negative rows; first "
              + first
              + ", last "
              + last);
    }
    return last;
  }

  /** Checks that a column's buffers cover rows [0, maxRow]. */
  static void checkColumn(String kernel, String name, KeyColumn c, int maxRow) {
    if (maxRow < 0) {
      return;
    }
    long rows = maxRow + 1L;
    if (c.type() == KeyType.UTF8) {
      checkBytes(kernel, name + " offsets", c.values(), 4L * (rows + 1));
      MemorySegment data = utf8Data(c);
      int end = c.values().getAtIndex(ArrowLayout.INT32, rows);
      checkBytes(kernel, name + " data", data, end);
    } else {
      checkBytes(kernel, name + " values", c.values(), c.type().width() * rows);
    }
    MemorySegment validity = c.validity();
    if (validity != null) {
      checkBytes(kernel, name + " validity", validity, ArrowLayout.bitmapBytes(rows));
    }
  }

  /** Checks {@code keys} against the expected types and their buffers against rows [0, maxRow]. */
  static KeyColumn[] checkKeys(
      String kernel, List<KeyColumn> keys, @Nullable List<KeyType> expected, int maxRow) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(kernel + ": at least one key column is needed");
    }
    if (expected != null && keys.size() != expected.size()) {
      throw new IllegalArgumentException(
          kernel
              + ": expected "
              + expected.size()
              + " key columns "
              + expected
              + " but got "
              + keys.size());
    }
    KeyColumn[] array = keys.toArray(new KeyColumn[0]);
    for (int k = 0; k < array.length; k++) {
      KeyColumn c = array[k];
      if (c == null) {
        throw new NullPointerException(kernel + ": key column " + k + " is null");
      }
      if (expected != null && c.type() != expected.get(k)) {
        throw new IllegalArgumentException(
            kernel + ": key column " + k + " must be " + expected.get(k) + " but is " + c.type());
      }
      checkColumn(kernel, "key column " + k, c, maxRow);
    }
    return array;
  }

  /** Checks that {@code seg} holds at least {@code bytes}. */
  static void checkBytes(String kernel, String name, MemorySegment seg, long bytes) {
    if (seg.byteSize() < bytes) {
      throw new IllegalArgumentException(
          kernel
              + ": "
              + name
              + " holds "
              + seg.byteSize()
              + " bytes but "
              + bytes
              + " are needed");
    }
  }
}
