package dev.amalgam.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/** Random Arrow-layout inputs for the filter kernel tests, allocated in a caller's arena. */
final class FilterTestData {
  /** Seed of a test run: {@code -Damalgam.test.seed=N} replays one. */
  static final long SEED = Long.getLong("amalgam.test.seed", System.nanoTime());

  /** Row counts across vector widths (8 long, 16 int lanes), 64-row words and 4 KiB pages. */
  static final int[] SIZES = {0, 1, 7, 8, 9, 15, 16, 17, 35, 63, 64, 65, 127, 129, 1000, 4099};

  private static final byte GARBAGE = (byte) 0xA5;

  private final Arena arena;
  private final Random random;

  FilterTestData(Arena arena, Random random) {
    this.arena = arena;
    this.random = random;
  }

  /** A description that names the seed, for assertion messages. */
  static String context(String what) {
    return what + " [seed=" + SEED + ", replay with -Damalgam.test.seed=" + SEED + "]";
  }

  Random random() {
    return random;
  }

  /** A segment of {@code bytes} filled with garbage (so unwritten output shows). */
  MemorySegment garbage(long bytes) {
    MemorySegment s = arena.allocate(Math.max(bytes, 1), 64);
    s.fill(GARBAGE);
    return s.asSlice(0, bytes);
  }

  /** An output selection for {@code rows} entries. */
  MemorySegment selectionOut(int rows) {
    return garbage(Selection.bytes(rows));
  }

  /** An output bitmap for {@code n} rows (exact size: no padding to lean on). */
  MemorySegment bitmapOut(int n) {
    return garbage(ArrowLayout.bitmapBytes(n));
  }

  /** int32 values from a small domain (so that equality hits), with MIN/MAX mixed in. */
  MemorySegment int32s(int n) {
    MemorySegment s = garbage(4L * n);
    for (int i = 0; i < n; i++) {
      s.setAtIndex(ArrowLayout.INT32, i, int32());
    }
    return s;
  }

  int int32() {
    return switch (random.nextInt(20)) {
      case 0 -> Integer.MIN_VALUE;
      case 1 -> Integer.MAX_VALUE;
      case 2 -> random.nextInt();
      default -> random.nextInt(21) - 10;
    };
  }

  MemorySegment int64s(int n) {
    MemorySegment s = garbage(8L * n);
    for (int i = 0; i < n; i++) {
      s.setAtIndex(ArrowLayout.INT64, i, int64());
    }
    return s;
  }

  long int64() {
    return switch (random.nextInt(20)) {
      case 0 -> Long.MIN_VALUE;
      case 1 -> Long.MAX_VALUE;
      case 2 -> random.nextLong();
      case 3 -> (random.nextInt(21) - 10) * (1L << 40); // differs only in the high half
      default -> random.nextInt(21) - 10;
    };
  }

  MemorySegment float64s(int n) {
    MemorySegment s = garbage(8L * n);
    for (int i = 0; i < n; i++) {
      s.setAtIndex(ArrowLayout.FLOAT64, i, float64());
    }
    return s;
  }

  double float64() {
    return switch (random.nextInt(24)) {
      case 0 -> Double.NaN;
      case 1 -> Double.longBitsToDouble(0x7ff0_0000_0000_0001L); // another NaN payload
      case 2 -> -0.0;
      case 3 -> 0.0;
      case 4 -> Double.POSITIVE_INFINITY;
      case 5 -> Double.NEGATIVE_INFINITY;
      case 6 -> Double.MAX_VALUE;
      case 7 -> -Double.MIN_VALUE;
      default -> (random.nextInt(21) - 10) / 2.0;
    };
  }

  /** A validity bitmap with about {@code nullRate} nulls, or null (no nulls) half the time. */
  @Nullable MemorySegment maybeValidity(int n) {
    return random.nextBoolean() ? null : validity(n, random.nextInt(4) / 4.0);
  }

  /** A validity bitmap with about {@code nullRate} nulls; padding bits are garbage. */
  MemorySegment validity(int n, double nullRate) {
    MemorySegment s = garbage(ArrowLayout.bitmapBytes(n));
    for (int i = 0; i < n; i++) {
      Validity.set(s, i, random.nextDouble() >= nullRate);
    }
    return s;
  }

  /** A bitmap with about {@code density} ones; padding bits are garbage. */
  MemorySegment bitmap(int n, double density) {
    return validity(n, 1 - density);
  }

  /** An ascending random subset of [0, n) with about {@code density} of the rows. */
  int[] subset(int n, double density) {
    int[] rows = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (random.nextDouble() < density) {
        rows[count++] = i;
      }
    }
    return java.util.Arrays.copyOf(rows, count);
  }

  /** A random density, including the extremes. */
  double density() {
    return switch (random.nextInt(6)) {
      case 0 -> 0.0;
      case 1 -> 1.0;
      case 2 -> 0.02;
      default -> random.nextDouble();
    };
  }

  /** int32 entries in a segment sized exactly (plus garbage after when asked). */
  MemorySegment ints(int[] values) {
    MemorySegment s = garbage(4L * values.length);
    for (int i = 0; i < values.length; i++) {
      s.setAtIndex(ArrowLayout.INT32, i, values[i]);
    }
    return s;
  }

  /** A random permutation of [0, n). */
  int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The first {@code count} entries of a selection. */
  static int[] entries(MemorySegment sel, int count) {
    return Selection.toArray(sel, count);
  }

  /** The bytes of a bitmap of n rows. */
  static byte[] bytes(MemorySegment bitmap, int n) {
    return bitmap
        .asSlice(0, ArrowLayout.bitmapBytes(n))
        .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
  }
}
