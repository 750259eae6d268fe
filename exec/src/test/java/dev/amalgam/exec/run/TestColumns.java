package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Columns for evaluator tests: Java values (the reference representation: Integer for int32/date32,
 * Long for int64/timestamp/unscaled decimal, Double, Boolean, String, null) and the same values as
 * vecs in an arena.
 */
final class TestColumns {
  private TestColumns() {}

  /** The base seed of the randomized tests; override with -Damalgam.test.seed=N. */
  static final long BASE_SEED = Long.getLong("amalgam.test.seed", 0x5EED_E7A1_2025L);

  static final int[] SIZES = {0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099};

  static final List<String> DICT = List.of("", "apple", "banana", "a%b", "é日", "zz");

  /** A vec of {@code type} holding {@code values} (one per row, null = SQL NULL). */
  static Vec vec(Arena arena, DataType type, Object[] values) {
    int n = values.length;
    boolean nulls = Arrays.stream(values).anyMatch(v -> v == null);
    MemorySegment validity = null;
    if (nulls) {
      validity = arena.allocate(Math.max(8, ArrowLayout.bitmapBytes(n)));
      for (int i = 0; i < n; i++) {
        Validity.set(validity, i, values[i] != null);
      }
    }
    switch (type.kind()) {
      case BOOL -> {
        MemorySegment bits = arena.allocate(Math.max(8, ArrowLayout.bitmapBytes(n)));
        for (int i = 0; i < n; i++) {
          // null rows get a random-looking bit: it must not matter
          Validity.set(bits, i, values[i] == null ? (i & 1) == 1 : (Boolean) values[i]);
        }
        return Vec.fixed(type, n, bits, validity);
      }
      case INT32, DATE32 -> {
        MemorySegment s = arena.allocate(4L * Math.max(1, n));
        for (int i = 0; i < n; i++) {
          s.setAtIndex(
              ArrowLayout.INT32, i, values[i] == null ? 0x7fff_0000 + i : (Integer) values[i]);
        }
        return Vec.fixed(type, n, s, validity);
      }
      case INT64, DECIMAL, TIMESTAMP -> {
        MemorySegment s = arena.allocate(8L * Math.max(1, n));
        for (int i = 0; i < n; i++) {
          s.setAtIndex(
              ArrowLayout.INT64, i, values[i] == null ? Long.MAX_VALUE - i : (Long) values[i]);
        }
        return Vec.fixed(type, n, s, validity);
      }
      case FLOAT64 -> {
        MemorySegment s = arena.allocate(8L * Math.max(1, n));
        for (int i = 0; i < n; i++) {
          s.setAtIndex(ArrowLayout.FLOAT64, i, values[i] == null ? Double.NaN : (Double) values[i]);
        }
        return Vec.fixed(type, n, s, validity);
      }
      case UTF8 -> {
        return utf8(arena, values, validity);
      }
      case DICTIONARY_UTF8 -> {
        Vec dict = utf8(arena, DICT.toArray(), null);
        MemorySegment idx = arena.allocate(4L * Math.max(1, n));
        for (int i = 0; i < n; i++) {
          idx.setAtIndex(
              ArrowLayout.INT32, i, values[i] == null ? 0 : DICT.indexOf((String) values[i]));
        }
        return new Vec(type, n, idx, validity, null, dict);
      }
      default -> throw new IllegalArgumentException("no test vecs of " + type);
    }
  }

  private static Vec utf8(Arena arena, Object[] values, MemorySegment validity) {
    int n = values.length;
    byte[][] bytes = new byte[n][];
    long total = 3; // offsets[0] = 3: vecs may start past 0
    for (int i = 0; i < n; i++) {
      bytes[i] =
          values[i] == null
              ? "junk".getBytes(StandardCharsets.UTF_8)
              : ((String) values[i]).getBytes(StandardCharsets.UTF_8);
      total += bytes[i].length;
    }
    MemorySegment offsets = arena.allocate(4L * (n + 1));
    MemorySegment data = arena.allocate(Math.max(1, total));
    int at = 3;
    offsets.setAtIndex(ArrowLayout.INT32, 0, at);
    for (int i = 0; i < n; i++) {
      MemorySegment.copy(bytes[i], 0, data, ValueLayout.JAVA_BYTE, at, bytes[i].length);
      at += bytes[i].length;
      offsets.setAtIndex(ArrowLayout.INT32, i + 1, at);
    }
    return Vec.utf8(n, offsets, data, validity);
  }

  /** A random selection of ascending rows in [0, n), as an int32 segment; count in [0]. */
  static int[] randomSelection(Random r, int n) {
    int density = r.nextInt(4);
    return java.util.stream.IntStream.range(0, n)
        .filter(i -> density == 0 ? r.nextInt(10) == 0 : r.nextInt(density + 1) != 0)
        .toArray();
  }

  static MemorySegment segment(Arena arena, int[] rows) {
    MemorySegment s = arena.allocate(4L * Math.max(1, rows.length));
    for (int i = 0; i < rows.length; i++) {
      s.setAtIndex(ArrowLayout.INT32, i, rows[i]);
    }
    return s;
  }

  /** Row {@code k} of a result vec in the reference representation. */
  static Object read(Vec v, int k) {
    if (v.isNull(k)) {
      return null;
    }
    return switch (v.type().kind()) {
      case BOOL -> v.getBool(k);
      case INT32, DATE32 -> v.getInt(k);
      case INT64, DECIMAL, TIMESTAMP -> v.getLong(k);
      case FLOAT64 -> v.getDouble(k);
      case UTF8, DICTIONARY_UTF8 -> new String(v.getBytes(k), StandardCharsets.UTF_8);
      default -> throw new IllegalArgumentException(v.type().toString());
    };
  }

  /** Equality of reference values; doubles as Double.compare (NaN equals NaN). */
  static boolean same(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Double x && b instanceof Double y) {
      return Double.compare(x, y) == 0 || (x == 0.0 && y == 0.0);
    }
    return a.equals(b);
  }
}
