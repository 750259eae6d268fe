package dev.amalgam.kernels;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/** Test fixtures: utf8 and dictionary columns in Arrow layout, and random strings. */
final class StringColumns {
  private StringColumns() {}

  /** The base seed of the randomized tests; override with -Damalgam.test.seed=N. */
  static final long BASE_SEED = Long.getLong("amalgam.test.seed", 0x5EED_57A1_2025L);

  /** A utf8 column: segments exactly as large as needed (no padding), and the values it holds. */
  record Column(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      byte[][] values,
      boolean[] valid) {}

  /** A dictionary-encoded column. */
  record DictColumn(
      MemorySegment indices, @Nullable MemorySegment validity, int n, Column dictionary) {}

  /** What random strings are made of. */
  enum Alphabet {
    ASCII,
    UTF8,
    INVALID
  }

  static final String[] ASCII_PIECES = {"a", "b", "c", "ab", "x", " ", "%", "_", "\\", "abc"};
  static final String[] UTF8_PIECES = {
    "a", "b", "ab", "é", "€", "😀", "%", "_", "\\", "aé", "€b", "ß", "😀a"
  };
  static final byte[][] BAD_BYTES = {
    {(byte) 0x80},
    {(byte) 0xBF},
    {(byte) 0xC0, (byte) 0x80},
    {(byte) 0xC3},
    {(byte) 0xE2, (byte) 0x82},
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0xF0, (byte) 0x8F, (byte) 0x80, (byte) 0x80},
    {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
    {(byte) 0xF5},
    {(byte) 0xFF},
    {(byte) 0xE0, (byte) 0x9F, (byte) 0xBF},
  };

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A random string: mostly short, sometimes longer than a 64-byte vector. */
  static byte[] randomValue(Random rnd, Alphabet alphabet) {
    int pieces =
        switch (rnd.nextInt(10)) {
          case 0 -> 0;
          case 1, 2 -> 20 + rnd.nextInt(60);
          default -> rnd.nextInt(8);
        };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String[] alpha = alphabet == Alphabet.ASCII ? ASCII_PIECES : UTF8_PIECES;
    for (int i = 0; i < pieces; i++) {
      if (alphabet == Alphabet.INVALID && rnd.nextInt(6) == 0) {
        out.writeBytes(BAD_BYTES[rnd.nextInt(BAD_BYTES.length)]);
      } else {
        out.writeBytes(utf8(alpha[rnd.nextInt(alpha.length)]));
      }
    }
    return out.toByteArray();
  }

  /**
   * A column of the values; {@code valid == null} means no bitmap. Null rows keep their (garbage)
   * bytes in the data so that kernels must ignore them. {@code base} bytes of garbage precede the
   * first row (offsets[0] = base).
   */
  static Column column(Arena arena, byte[][] values, boolean @Nullable [] valid, int base) {
    int n = values.length;
    long total = base;
    for (byte[] v : values) {
      total += v.length;
    }
    MemorySegment offsets = arena.allocate(4L * (n + 1), 4);
    MemorySegment data = arena.allocate(Math.max(total, 0), 1);
    data.asSlice(0, base).fill((byte) 'a');
    long pos = base;
    for (int i = 0; i < n; i++) {
      offsets.setAtIndex(ArrowLayout.INT32, i, (int) pos);
      MemorySegment.copy(values[i], 0, data, ValueLayout.JAVA_BYTE, pos, values[i].length);
      pos += values[i].length;
    }
    offsets.setAtIndex(ArrowLayout.INT32, n, (int) pos);
    MemorySegment validity = null;
    boolean[] v = new boolean[n];
    java.util.Arrays.fill(v, true);
    if (valid != null) {
      validity = arena.allocate(ArrowLayout.bitmapBytes(n), 1);
      validity.fill((byte) 0xA5); // garbage, overwritten bit by bit below
      for (int i = 0; i < n; i++) {
        Validity.set(validity, i, valid[i]);
        v[i] = valid[i];
      }
    }
    return new Column(offsets, data, validity, n, values, v);
  }

  /** A random column of n rows; nulls: 0 = no bitmap, 1 = bitmap all valid, 2 = ~25% nulls. */
  static Column randomColumn(Arena arena, Random rnd, int n, Alphabet alphabet, int nulls) {
    byte[][] values = new byte[n][];
    for (int i = 0; i < n; i++) {
      values[i] = randomValue(rnd, alphabet);
    }
    boolean[] valid = null;
    if (nulls > 0) {
      valid = new boolean[n];
      for (int i = 0; i < n; i++) {
        valid[i] = nulls == 1 || rnd.nextInt(4) != 0;
      }
    }
    return column(arena, values, valid, rnd.nextInt(3) == 0 ? rnd.nextInt(9) : 0);
  }

  /** A random ascending selection over [0, n) (density chosen at random), or null. */
  static @Nullable MemorySegment randomSelection(Arena arena, Random rnd, int n, boolean use) {
    if (!use) {
      return null;
    }
    int density = new int[] {5, 50, 95}[rnd.nextInt(3)];
    int[] rows = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (rnd.nextInt(100) < density) {
        rows[count++] = i;
      }
    }
    MemorySegment sel = arena.allocate(Math.max(4L * count, 0), 4);
    for (int k = 0; k < count; k++) {
      sel.setAtIndex(ArrowLayout.INT32, k, rows[k]);
    }
    return sel;
  }

  /** Number of rows of a selection segment. */
  static int count(MemorySegment sel) {
    return (int) (sel.byteSize() / 4);
  }

  /** A dictionary-encoded column over the dictionary; null rows hold out-of-range indices. */
  static DictColumn randomDictColumn(
      Arena arena, Random rnd, int n, Column dictionary, boolean nulls) {
    MemorySegment indices = arena.allocate(4L * n, 4);
    MemorySegment validity = nulls ? arena.allocate(ArrowLayout.bitmapBytes(n), 1) : null;
    for (int i = 0; i < n; i++) {
      boolean valid = !nulls || rnd.nextInt(5) != 0;
      int idx = valid ? rnd.nextInt(dictionary.n()) : -1 - rnd.nextInt(1000);
      indices.setAtIndex(ArrowLayout.INT32, i, idx);
      if (validity != null) {
        Validity.set(validity, i, valid);
      }
    }
    return new DictColumn(indices, validity, n, dictionary);
  }

  /** An int32 segment of n values, for outputs. */
  static MemorySegment ints(Arena arena, int n) {
    return arena.allocate(Math.max(4L * n, 0), 4);
  }

  static int[] toInts(MemorySegment s, int count) {
    return Selection.toArray(s, count);
  }

  /** Bits [0, n) of a bitmap as booleans. */
  static boolean[] bits(MemorySegment bitmap, int n) {
    boolean[] out = new boolean[n];
    for (int i = 0; i < n; i++) {
      out[i] = Validity.isValid(bitmap, i);
    }
    return out;
  }
}
