package dev.amalgam.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/** Random Arrow-layout columns for the hash family's tests: duplicates, nulls, edge values. */
final class HashTestData {
  private HashTestData() {}

  /** Sizes across vector (8 long lanes), chunk (2048) and page boundaries. */
  static final int[] SIZES = {0, 1, 7, 8, 9, 19, 64, 1000, 2047, 2048, 2049, 4099};

  /** The seed of a test: -Damalgam.test.seed=... or a fresh one; print it in assertion messages. */
  static long seed() {
    Long fixed = Long.getLong("amalgam.test.seed");
    return fixed != null ? fixed : System.nanoTime();
  }

  static final double[] SPECIAL_DOUBLES = {
    0.0,
    -0.0,
    Double.NaN,
    Double.longBitsToDouble(0x7FF0000000000001L),
    Double.longBitsToDouble(0xFFF8000000000000L),
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    Double.MIN_VALUE,
    -Double.MAX_VALUE,
    1.5,
  };

  static final long[] SPECIAL_LONGS = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE};

  /** A validity bitmap with about {@code nullRate} nulls, or null when {@code nullRate} is 0. */
  static @Nullable MemorySegment validity(
      Arena arena, SplittableRandom rnd, int n, double nullRate) {
    if (nullRate <= 0) {
      return null;
    }
    MemorySegment v = arena.allocate(Math.max(8, ArrowLayout.paddedBitmapBytes(n)));
    for (int i = 0; i < n; i++) {
      Validity.set(v, i, rnd.nextDouble() >= nullRate);
    }
    return v;
  }

  /** A column of {@code type} with values drawn from about {@code distinct} values. */
  static KeyColumn column(
      Arena arena, SplittableRandom rnd, KeyType type, int n, int distinct, double nullRate) {
    MemorySegment validity = validity(arena, rnd, n, nullRate);
    int d = Math.max(1, distinct);
    switch (type) {
      case INT32, DATE32 -> {
        MemorySegment v = arena.allocate(4L * Math.max(1, n));
        for (int i = 0; i < n; i++) {
          int x =
              rnd.nextInt(20) == 0
                  ? (int) SPECIAL_LONGS[rnd.nextInt(SPECIAL_LONGS.length)]
                  : rnd.nextInt(d) * 7919 - d;
          v.setAtIndex(ArrowLayout.INT32, i, x);
        }
        return new KeyColumn(type, v, validity, null);
      }
      case INT64 -> {
        MemorySegment v = arena.allocate(8L * Math.max(1, n));
        for (int i = 0; i < n; i++) {
          long x =
              rnd.nextInt(20) == 0
                  ? SPECIAL_LONGS[rnd.nextInt(SPECIAL_LONGS.length)]
                  : (long) rnd.nextInt(d) * 1_000_000_007L - d;
          v.setAtIndex(ArrowLayout.INT64, i, x);
        }
        return KeyColumn.int64(v, validity);
      }
      case FLOAT64 -> {
        MemorySegment v = arena.allocate(8L * Math.max(1, n));
        for (int i = 0; i < n; i++) {
          double x =
              rnd.nextInt(5) == 0
                  ? SPECIAL_DOUBLES[rnd.nextInt(SPECIAL_DOUBLES.length)]
                  : rnd.nextInt(d) * 0.25 - d;
          v.setAtIndex(ArrowLayout.FLOAT64, i, x);
        }
        return KeyColumn.float64(v, validity);
      }
      case UTF8 -> {
        List<byte[]> pool = new ArrayList<>();
        SplittableRandom poolRnd = new SplittableRandom(rnd.nextLong());
        for (int k = 0; k < d; k++) {
          pool.add(randomBytes(poolRnd, k));
        }
        MemorySegment offsets = arena.allocate(4L * (n + 1));
        List<byte[]> rows = new ArrayList<>(n);
        long total = 0;
        for (int i = 0; i < n; i++) {
          byte[] b = pool.get(rnd.nextInt(d));
          rows.add(b);
          total += b.length;
        }
        MemorySegment data = arena.allocate(Math.max(1, total));
        int at = 0;
        for (int i = 0; i < n; i++) {
          byte[] b = rows.get(i);
          MemorySegment.copy(b, 0, data, ValueLayout.JAVA_BYTE, at, b.length);
          at += b.length;
          offsets.setAtIndex(ArrowLayout.INT32, i + 1L, at);
        }
        return KeyColumn.utf8(offsets, data, validity);
      }
    }
    throw new AssertionError(type);
  }

  /** Distinct byte strings: the k-th has a length from 0 to 40 and random bytes. */
  static byte[] randomBytes(SplittableRandom rnd, int k) {
    if (k == 0) {
      return new byte[0];
    }
    if (k == 1) {
      return "a".getBytes(StandardCharsets.UTF_8);
    }
    if (k == 2) {
      return "a\0".getBytes(StandardCharsets.UTF_8);
    }
    int len = rnd.nextInt(41);
    byte[] b = new byte[len + 4];
    for (int i = 0; i < len; i++) {
      b[i] = (byte) rnd.nextInt(256);
    }
    b[len] = (byte) k;
    b[len + 1] = (byte) (k >>> 8);
    b[len + 2] = (byte) (k >>> 16);
    b[len + 3] = (byte) (k >>> 24);
    return b;
  }

  /** An int64 value column with values in [-range, range] and about {@code nullRate} nulls. */
  static GroupByHashTable.ValueColumn longValues(
      Arena arena, SplittableRandom rnd, int n, long range, double nullRate) {
    MemorySegment v = arena.allocate(8L * Math.max(1, n));
    for (int i = 0; i < n; i++) {
      v.setAtIndex(ArrowLayout.INT64, i, rnd.nextLong(-range, range + 1));
    }
    return GroupByHashTable.ValueColumn.int64(v, validity(arena, rnd, n, nullRate));
  }

  /** A float64 value column with some special values and about {@code nullRate} nulls. */
  static GroupByHashTable.ValueColumn doubleValues(
      Arena arena, SplittableRandom rnd, int n, double nullRate) {
    MemorySegment v = arena.allocate(8L * Math.max(1, n));
    for (int i = 0; i < n; i++) {
      double x =
          rnd.nextInt(50) == 0
              ? SPECIAL_DOUBLES[rnd.nextInt(SPECIAL_DOUBLES.length)]
              : rnd.nextDouble(-1000, 1000);
      v.setAtIndex(ArrowLayout.FLOAT64, i, x);
    }
    return GroupByHashTable.ValueColumn.float64(v, validity(arena, rnd, n, nullRate));
  }

  /** A random ascending selection of about half of {@code [0, n)}; returns it and its count. */
  static Sel selection(Arena arena, SplittableRandom rnd, int n) {
    MemorySegment s = arena.allocate(4L * Math.max(1, n));
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (rnd.nextBoolean()) {
        s.setAtIndex(ArrowLayout.INT32, count++, i);
      }
    }
    return new Sel(s, count);
  }

  /** A selection and its row count. */
  record Sel(MemorySegment rows, int count) {}
}
