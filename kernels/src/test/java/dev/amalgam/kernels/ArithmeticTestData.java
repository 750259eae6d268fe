package dev.amalgam.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Random Arrow columns and a differential runner for the arithmetic and aggregate tests. The seed
 * is printed in every failure; rerun with {@code -Damalgam.test.seed=<seed>}.
 */
final class ArithmeticTestData {
  static final long SEED = Long.getLong("amalgam.test.seed", System.nanoTime());

  /** Row counts across vector widths (8 int64, 16 int32 lanes on AVX-512) and 64-row words. */
  static final int[] SIZES = {0, 1, 7, 8, 9, 15, 16, 17, 19, 35, 63, 64, 65, 127, 1000, 4099};

  static final ArithmeticKernels CPU = ArithmeticKernels.cpu();
  static final ArithmeticKernels REF = new dev.amalgam.kernels.reference.ScalarArithmeticKernels();

  final Random rnd;
  final Arena arena;

  ArithmeticTestData(Arena arena, String test) {
    this.arena = arena;
    this.rnd = new Random(SEED ^ test.hashCode());
  }

  static String seedHint() {
    return "seed " + SEED + " (rerun with -Damalgam.test.seed=" + SEED + ")";
  }

  /** How values are drawn. */
  enum Profile {
    /** |v| < 30000 (never overflows add, sub, mul of int64; rarely int32 mul). */
    SMALL,
    /** Mostly small, some edge values (MIN, MAX, 0, +-1) and full-range values. */
    MIXED
  }

  long nextLong(Profile p) {
    if (p == Profile.SMALL || rnd.nextInt(10) < 6) {
      return rnd.nextInt(60_001) - 30_000;
    }
    return switch (rnd.nextInt(8)) {
      case 0 -> Long.MIN_VALUE;
      case 1 -> Long.MAX_VALUE;
      case 2 -> 0;
      case 3 -> rnd.nextBoolean() ? 1 : -1;
      case 4 -> rnd.nextLong() >> rnd.nextInt(64);
      case 5 -> (1L << 53) + rnd.nextInt(5) - 2;
      default -> rnd.nextLong();
    };
  }

  int nextInt(Profile p) {
    if (p == Profile.SMALL || rnd.nextInt(10) < 6) {
      return rnd.nextInt(60_001) - 30_000;
    }
    return switch (rnd.nextInt(7)) {
      case 0 -> Integer.MIN_VALUE;
      case 1 -> Integer.MAX_VALUE;
      case 2 -> 0;
      case 3 -> rnd.nextBoolean() ? 1 : -1;
      case 4 -> rnd.nextInt() >> rnd.nextInt(32);
      default -> rnd.nextInt();
    };
  }

  double nextDouble(Profile p) {
    if (p == Profile.SMALL || rnd.nextInt(10) < 6) {
      return (rnd.nextDouble() - 0.5) * 1e4;
    }
    return switch (rnd.nextInt(10)) {
      case 0 -> Double.NaN;
      case 1 -> Double.POSITIVE_INFINITY;
      case 2 -> Double.NEGATIVE_INFINITY;
      case 3 -> -0.0;
      case 4 -> 0.0;
      case 5 -> Double.MIN_VALUE;
      case 6 -> Double.MAX_VALUE;
      case 7 -> Long.MAX_VALUE * (rnd.nextDouble() * 4 - 2);
      default -> Double.longBitsToDouble(rnd.nextLong());
    };
  }

  MemorySegment int64s(int rows, Profile p) {
    MemorySegment s = arena.allocate(8L * rows, 8);
    for (int i = 0; i < rows; i++) {
      s.setAtIndex(ArrowLayout.INT64, i, nextLong(p));
    }
    return s;
  }

  MemorySegment int32s(int rows, Profile p) {
    MemorySegment s = arena.allocate(4L * rows, 4);
    for (int i = 0; i < rows; i++) {
      s.setAtIndex(ArrowLayout.INT32, i, nextInt(p));
    }
    return s;
  }

  MemorySegment float64s(int rows, Profile p) {
    MemorySegment s = arena.allocate(8L * rows, 8);
    for (int i = 0; i < rows; i++) {
      s.setAtIndex(ArrowLayout.FLOAT64, i, nextDouble(p));
    }
    return s;
  }

  /** A bitmap of exactly {@code ceil(rows / 8)} bytes, each row valid with probability 0.8. */
  MemorySegment validity(int rows) {
    MemorySegment s = arena.allocate(Math.max(1, ArrowLayout.bitmapBytes(rows)));
    for (int i = 0; i < rows; i++) {
      Validity.set(s, i, rnd.nextInt(5) != 0);
    }
    return s.asSlice(0, ArrowLayout.bitmapBytes(rows));
  }

  /** A validity bitmap or null (no nulls), half the time each. */
  @Nullable MemorySegment maybeValidity(int rows) {
    return rnd.nextBoolean() ? validity(rows) : null;
  }

  /** {@code n} ascending distinct rows out of {@code [0, rows)}, rows >= n. */
  MemorySegment selection(int rows, int n) {
    MemorySegment s = arena.allocate(Math.max(4, 4L * n), 4);
    int k = 0;
    for (int i = 0; i < rows && k < n; i++) {
      if (rows - i <= n - k || rnd.nextInt(rows) < 2 * n) {
        s.setAtIndex(ArrowLayout.INT32, k++, i);
      }
    }
    return s.asSlice(0, 4L * n);
  }

  /** Sets the value of every null row of an int64 column to {@code v} (nulls must not matter). */
  static void poisonNullsInt64(
      MemorySegment values, @Nullable MemorySegment validity, int rows, long v) {
    for (int i = 0; i < rows; i++) {
      if (!Validity.isValid(validity, i)) {
        values.setAtIndex(ArrowLayout.INT64, i, v);
      }
    }
  }

  /** Sets the value of every null row of an int32 column to {@code v}. */
  static void poisonNullsInt32(
      MemorySegment values, @Nullable MemorySegment validity, int rows, int v) {
    for (int i = 0; i < rows; i++) {
      if (!Validity.isValid(validity, i)) {
        values.setAtIndex(ArrowLayout.INT32, i, v);
      }
    }
  }

  /** A kernel call writing into the given output and output validity. */
  @FunctionalInterface
  interface Call {
    void run(ArithmeticKernels k, MemorySegment out, @Nullable MemorySegment outValidity);
  }

  /**
   * Runs {@code call} on the reference and the CPU kernels with fresh outputs of {@code n} values
   * of {@code width} bytes, and checks they agree: the same error row, or the same validity bits
   * and the same values (bit for bit) at the valid positions.
   */
  void differential(String what, int n, int width, boolean nullable, Call call) {
    differential(what, n, width, nullable, false, call);
  }

  /**
   * {@link #differential} for float64 results: bit for bit, except that any two NaNs are equal
   * (Java leaves a NaN result's payload unspecified; vector and scalar code may propagate different
   * ones).
   */
  void differentialFloat64(String what, int n, boolean nullable, Call call) {
    differential(what, n, 8, nullable, true, call);
  }

  private void differential(
      String what, int n, int width, boolean nullable, boolean float64, Call call) {
    String desc = what + " n=" + n + ", " + seedHint();
    MemorySegment refOut = garbage(width * (long) n);
    MemorySegment cpuOut = garbage(width * (long) n);
    MemorySegment refV = nullable ? garbage(ArrowLayout.bitmapBytes(n)) : null;
    MemorySegment cpuV = nullable ? garbage(ArrowLayout.bitmapBytes(n)) : null;
    KernelException refErr = null;
    KernelException cpuErr = null;
    try {
      call.run(REF, refOut, refV);
    } catch (KernelException e) {
      refErr = e;
    }
    try {
      call.run(CPU, cpuOut, cpuV);
    } catch (KernelException e) {
      cpuErr = e;
    }
    if (refErr != null) {
      if (cpuErr == null) {
        fail(
            desc
                + ": reference failed with <"
                + refErr.getMessage()
                + "> but the CPU kernel did not");
      }
      assertThat(cpuErr.row())
          .as(desc + ": error row; cpu: " + cpuErr.getMessage() + "; ref: " + refErr.getMessage())
          .isEqualTo(refErr.row());
      return;
    }
    if (cpuErr != null) {
      fail(
          desc + ": CPU kernel failed with <" + cpuErr.getMessage() + "> but the reference did not",
          cpuErr);
    }
    for (int k = 0; k < n; k++) {
      boolean valid = refV == null || Validity.isValid(refV, k);
      if (cpuV != null) {
        assertThat(Validity.isValid(cpuV, k))
            .as(desc + ": validity of output " + k)
            .isEqualTo(valid);
      }
      if (valid) {
        long r =
            width == 8
                ? refOut.getAtIndex(ArrowLayout.INT64, k)
                : refOut.getAtIndex(ArrowLayout.INT32, k);
        long c =
            width == 8
                ? cpuOut.getAtIndex(ArrowLayout.INT64, k)
                : cpuOut.getAtIndex(ArrowLayout.INT32, k);
        boolean bothNaN =
            float64
                && Double.isNaN(Double.longBitsToDouble(r))
                && Double.isNaN(Double.longBitsToDouble(c));
        if (r != c && !bothNaN) {
          fail(
              desc
                  + ": output "
                  + k
                  + ": cpu "
                  + c
                  + " (0x"
                  + Long.toHexString(c)
                  + ") but reference "
                  + r
                  + " (0x"
                  + Long.toHexString(r)
                  + ")");
        }
      }
    }
  }

  private MemorySegment garbage(long bytes) {
    MemorySegment s = arena.allocate(Math.max(1, bytes), 8).asSlice(0, bytes);
    for (long i = 0; i < bytes; i++) {
      s.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt());
    }
    return s;
  }
}
