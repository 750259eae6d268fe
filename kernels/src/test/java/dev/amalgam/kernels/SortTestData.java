package dev.amalgam.kernels;

import dev.amalgam.kernels.SortKernels.KeyType;
import dev.amalgam.kernels.SortKernels.SortColumn;
import dev.amalgam.kernels.SortKernels.SortKey;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random sort-key columns in Arrow layout for the sort tests: duplicates, nulls, specials. */
final class SortTestData {
  private SortTestData() {}

  /** Strings sharing prefixes longer than the normalized prefix, short ones, NULs, non-ASCII. */
  static final String[] STRINGS = {
    "",
    "a",
    "ab",
    "ab\0",
    "ab\1",
    "abc",
    "prefix-shared-123",
    "prefix-shared-12",
    "prefix-shared-1",
    "prefix-shared-",
    "prefix-shared-12\0",
    "prefix-shared-124",
    "prefix-shared-1234567890",
    "prefix-shared-1234567891",
    "prefix-shared-123456789",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaZ",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaA",
    "aaaaaaaaaaaaaaa",
    "aaaaaaaaaaaaaaaa",
    "zz",
    "\u00e9t\u00e9",
    "\u00e9t\u00e9-\u00e9t\u00e9-\u00e9t\u00e9-\u00e9t\u00e9",
    "\uD83D\uDE00 smile",
    "Z",
    "\u007f\u0080",
  };

  static final double[] DOUBLE_SPECIALS = {
    Double.NaN,
    Double.longBitsToDouble(0x7FF0_0000_0000_0001L),
    Double.longBitsToDouble(0xFFF8_0000_0000_0000L),
    -0.0,
    0.0,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    Double.MIN_VALUE,
    -Double.MIN_VALUE,
    Double.MAX_VALUE,
    -Double.MAX_VALUE,
    1.0,
    -1.0,
    Double.MIN_NORMAL,
  };

  /** A column of {@code rows} random values for {@code key}, nulls at {@code nullRate}. */
  static SortColumn column(Arena arena, Random rnd, SortKey key, int rows, double nullRate) {
    MemorySegment validity = null;
    if (nullRate >= 0) {
      validity = arena.allocate(Math.max(8, ArrowLayout.paddedBitmapBytes(rows)), 64);
      for (int i = 0; i < rows; i++) {
        Validity.set(validity, i, rnd.nextDouble() >= nullRate);
      }
    }
    int domain = rnd.nextBoolean() ? 1 + rnd.nextInt(20) : Integer.MAX_VALUE;
    KeyType t = key.type();
    switch (t) {
      case INT32, DATE32 -> {
        MemorySegment v = arena.allocate(4L * rows, 64);
        for (int i = 0; i < rows; i++) {
          int x =
              switch (rnd.nextInt(20)) {
                case 0 -> Integer.MIN_VALUE;
                case 1 -> Integer.MAX_VALUE;
                case 2 -> 0;
                case 3 -> -1;
                default -> domain == Integer.MAX_VALUE ? rnd.nextInt() : rnd.nextInt(domain) - 5;
              };
          v.setAtIndex(ArrowLayout.INT32, i, x);
        }
        return SortColumn.fixed(key, v, validity);
      }
      case INT64, TIMESTAMP, DECIMAL64 -> {
        MemorySegment v = arena.allocate(8L * rows, 64);
        for (int i = 0; i < rows; i++) {
          long x =
              switch (rnd.nextInt(20)) {
                case 0 -> Long.MIN_VALUE;
                case 1 -> Long.MAX_VALUE;
                case 2 -> 0;
                case 3 -> -1;
                case 4 -> 1L << 32;
                default -> domain == Integer.MAX_VALUE ? rnd.nextLong() : rnd.nextInt(domain) - 5;
              };
          v.setAtIndex(ArrowLayout.INT64, i, x);
        }
        return SortColumn.fixed(key, v, validity);
      }
      case FLOAT64 -> {
        MemorySegment v = arena.allocate(8L * rows, 64);
        for (int i = 0; i < rows; i++) {
          double x;
          if (rnd.nextInt(4) == 0) {
            x = DOUBLE_SPECIALS[rnd.nextInt(DOUBLE_SPECIALS.length)];
          } else if (domain != Integer.MAX_VALUE) {
            x = (rnd.nextInt(domain) - 5) * 0.5;
          } else {
            x = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(20) - 10);
          }
          v.setAtIndex(ArrowLayout.FLOAT64, i, x);
        }
        return SortColumn.fixed(key, v, validity);
      }
      case UTF8 -> {
        List<byte[]> values = new ArrayList<>(rows);
        long total = 0;
        for (int i = 0; i < rows; i++) {
          String s;
          if (rnd.nextInt(3) == 0) {
            s = "prefix-shared-" + rnd.nextInt(domain == Integer.MAX_VALUE ? 100_000 : domain);
          } else {
            s = STRINGS[rnd.nextInt(STRINGS.length)];
          }
          byte[] b = s.getBytes(StandardCharsets.UTF_8);
          values.add(b);
          total += b.length;
        }
        return utf8(arena, key, values, total, validity);
      }
    }
    throw new AssertionError(t);
  }

  static SortColumn utf8(
      Arena arena, SortKey key, List<byte[]> values, long total, MemorySegment validity) {
    MemorySegment offsets = arena.allocate(4L * (values.size() + 1), 64);
    MemorySegment data = arena.allocate(Math.max(1, total), 64);
    int at = 0;
    for (int i = 0; i < values.size(); i++) {
      offsets.setAtIndex(ArrowLayout.INT32, i, at);
      MemorySegment.copy(values.get(i), 0, data, ValueLayout.JAVA_BYTE, at, values.get(i).length);
      at += values.get(i).length;
    }
    offsets.setAtIndex(ArrowLayout.INT32, values.size(), at);
    return SortColumn.utf8(key, offsets, data, validity);
  }

  /** A utf8 column of the given strings (null entries are null rows). */
  static SortColumn strings(Arena arena, SortKey key, String... s) {
    List<byte[]> values = new ArrayList<>();
    long total = 0;
    MemorySegment validity = arena.allocate(Math.max(8, ArrowLayout.paddedBitmapBytes(s.length)));
    for (int i = 0; i < s.length; i++) {
      byte[] b = s[i] == null ? new byte[0] : s[i].getBytes(StandardCharsets.UTF_8);
      Validity.set(validity, i, s[i] != null);
      values.add(b);
      total += b.length;
    }
    return utf8(arena, key, values, total, validity);
  }

  /** A float64 column (NaN payloads kept as given). */
  static SortColumn doubles(Arena arena, SortKey key, double... v) {
    MemorySegment seg = arena.allocate(8L * v.length, 64);
    for (int i = 0; i < v.length; i++) {
      seg.setAtIndex(ArrowLayout.INT64, i, Double.doubleToRawLongBits(v[i]));
    }
    return SortColumn.fixed(key, seg, null);
  }

  /** An int32 column, with a validity bitmap where {@code nulls} marks rows null. */
  static SortColumn ints(Arena arena, SortKey key, int[] v, boolean... nulls) {
    MemorySegment seg = arena.allocate(4L * v.length, 64);
    for (int i = 0; i < v.length; i++) {
      seg.setAtIndex(ArrowLayout.INT32, i, v[i]);
    }
    MemorySegment validity = null;
    if (nulls.length > 0) {
      validity = arena.allocate(Math.max(8, ArrowLayout.paddedBitmapBytes(v.length)));
      for (int i = 0; i < v.length; i++) {
        Validity.set(validity, i, !nulls[i]);
      }
    }
    return SortColumn.fixed(key, seg, validity);
  }

  /** An int64 column without nulls. */
  static SortColumn longs(Arena arena, SortKey key, long... v) {
    MemorySegment seg = arena.allocate(8L * v.length, 64);
    for (int i = 0; i < v.length; i++) {
      seg.setAtIndex(ArrowLayout.INT64, i, v[i]);
    }
    return SortColumn.fixed(key, seg, null);
  }

  /** An ascending selection of about half of {@code rows} rows; returns it with its count. */
  static MemorySegment selection(Arena arena, Random rnd, int rows, int[] countOut) {
    MemorySegment sel = arena.allocate(Math.max(4, 4L * rows), 64);
    int k = 0;
    for (int i = 0; i < rows; i++) {
      if (rnd.nextInt(3) != 0) {
        sel.setAtIndex(ArrowLayout.INT32, k++, i);
      }
    }
    countOut[0] = k;
    return sel;
  }
}
