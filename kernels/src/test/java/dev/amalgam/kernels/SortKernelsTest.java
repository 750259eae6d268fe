package dev.amalgam.kernels;

import static dev.amalgam.kernels.SortKernels.KeyType.DATE32;
import static dev.amalgam.kernels.SortKernels.KeyType.DECIMAL64;
import static dev.amalgam.kernels.SortKernels.KeyType.FLOAT64;
import static dev.amalgam.kernels.SortKernels.KeyType.INT32;
import static dev.amalgam.kernels.SortKernels.KeyType.INT64;
import static dev.amalgam.kernels.SortKernels.KeyType.TIMESTAMP;
import static dev.amalgam.kernels.SortKernels.KeyType.UTF8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.kernels.SortKernels.SortColumn;
import dev.amalgam.kernels.SortKernels.SortKey;
import dev.amalgam.kernels.reference.ScalarSortKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import jdk.incubator.vector.LongVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential tests of {@link SortKernels#cpu()} against {@link ScalarSortKernels} on random keys
 * with duplicates, nulls and special values, sizes swept across vector and block boundaries.
 *
 * <p>Each case prints its seed on failure; {@code -Damalgam.test.seed=N} replaces the base seed.
 */
final class SortKernelsTest {
  static final long BASE_SEED = Long.getLong("amalgam.test.seed", 0x50_27_2025L);
  static final SortKernels CPU = SortKernels.cpu();
  static final SortKernels REF = new ScalarSortKernels();
  static final int LANES = LongVector.SPECIES_PREFERRED.length();

  /** Key shapes: single and multi-column, every type, ASC/DESC, NULLS FIRST/LAST. */
  static final List<List<SortKey>> SHAPES =
      List.of(
          List.of(SortKey.asc(INT64)),
          List.of(SortKey.asc(INT32)),
          List.of(SortKey.asc(INT32), SortKey.desc(FLOAT64)),
          List.of(new SortKey(FLOAT64, true, true)),
          List.of(new SortKey(UTF8, true, true)),
          List.of(
              new SortKey(DATE32, false, false),
              new SortKey(UTF8, false, true),
              new SortKey(INT64, true, true)),
          List.of(SortKey.desc(DECIMAL64), new SortKey(TIMESTAMP, true, true)),
          List.of(SortKey.asc(UTF8), new SortKey(UTF8, false, false), SortKey.desc(INT32)));

  static Stream<Arguments> cases() {
    int[] sizes = {0, 1, 2, LANES - 1, LANES, LANES + 1, 2 * LANES + 3, 63, 65, 1000, 4099};
    List<Arguments> out = new ArrayList<>();
    for (int s = 0; s < SHAPES.size(); s++) {
      for (int n : sizes) {
        out.add(Arguments.of(s, n, false));
        out.add(Arguments.of(s, n, true));
      }
    }
    // 11-bit LSD digits, MSD partitioning into in-cache buckets, several top-N heap blocks
    out.add(Arguments.of(0, 70_000, false));
    out.add(Arguments.of(1, 140_000, false));
    out.add(Arguments.of(2, 200_000, true));
    out.add(Arguments.of(5, 20_000, false));
    return out.stream();
  }

  @ParameterizedTest(name = "shape {0}, {1} rows, selection {2}")
  @MethodSource("cases")
  void sortTopNAndNormalize_randomKeys_matchReference(int shape, int rows, boolean useSelection) {
    long seed = BASE_SEED ^ (shape * 1_000_003L + rows * 31L + (useSelection ? 7 : 0));
    String why =
        "shape %d rows %d selection %s seed %d (base seed %d; rerun with -Damalgam.test.seed=%d)"
            .formatted(shape, rows, useSelection, seed, BASE_SEED, BASE_SEED);
    Random rnd = new Random(seed);
    List<SortKey> keys = SHAPES.get(shape);
    try (Arena arena = Arena.ofConfined()) {
      List<SortColumn> cols = new ArrayList<>();
      for (SortKey k : keys) {
        double nullRate = new double[] {-1, 0, 0.2, 0.9}[rnd.nextInt(4)];
        cols.add(SortTestData.column(arena, rnd, k, rows, nullRate));
      }
      int count = rows;
      MemorySegment sel = null;
      if (useSelection) {
        int[] c = new int[1];
        sel = SortTestData.selection(arena, rnd, rows, c);
        count = c[0];
      }
      int[] expected = referenceSort(arena, cols, count, sel);

      // full sort
      MemorySegment perm = arena.allocate(4L * count + 4);
      MemorySegment scratch = arena.allocate(CPU.sortScratchBytes(keys, count) + 1, 64);
      CPU.sort(cols, count, sel, perm, scratch);
      assertSameRows(Selection.toArray(perm, count), expected, why + " sort");

      // top-N, heap and full-sort paths
      for (int limit : new int[] {0, 1, 2, 5, 100, count / 40, count - 1, count, count + 10}) {
        if (limit < 0) {
          continue;
        }
        int k = Math.min(limit, count);
        MemorySegment out = arena.allocate(4L * k + 4);
        MemorySegment ts = arena.allocate(CPU.topNScratchBytes(keys, count, limit) + 1, 64);
        assertThat(CPU.topN(cols, count, sel, limit, out, ts)).as(why).isEqualTo(k);
        assertSameRows(
            Selection.toArray(out, k), Arrays.copyOf(expected, k), why + " limit " + limit);
        if (count <= 1000) {
          assertThat(REF.topN(cols, count, sel, limit, out, MemorySegment.NULL)).isEqualTo(k);
          assertSameRows(
              Selection.toArray(out, k), Arrays.copyOf(expected, k), why + " ref limit " + limit);
        }
      }

      // normalized keys: same bytes, memcmp order agrees with the reference order, radix sort
      int width = SortKernels.keyWidth(keys);
      MemorySegment cpuKeys = arena.allocate((long) count * width);
      MemorySegment refKeys = arena.allocate((long) count * width);
      CPU.normalizeKeys(cols, count, sel, cpuKeys);
      REF.normalizeKeys(cols, count, sel, refKeys);
      assertThat(cpuKeys.mismatch(refKeys)).as(why).isEqualTo(-1L);
      int[] position = new int[rows];
      for (int k = 0; k < count; k++) {
        position[Selection.row(sel, k)] = k;
      }
      for (int r = 0; r + 1 < count; r++) {
        assertThat(compareDecided(cpuKeys, keys, position[expected[r]], position[expected[r + 1]]))
            .as(why + " normalized keys out of order at sorted position " + r)
            .isLessThanOrEqualTo(0);
      }
      MemorySegment radix = arena.allocate(4L * count + 4);
      MemorySegment rs = arena.allocate(CPU.radixSortScratchBytes(width, count) + 1, 64);
      CPU.radixSort(cpuKeys, width, count, radix, rs);
      int[] byKey = Selection.toArray(radix, count);
      assertSortedStable(cpuKeys, width, byKey, why);
      if (count <= 1000) {
        MemorySegment refRadix = arena.allocate(4L * count + 4);
        REF.radixSort(refKeys, width, count, refRadix, MemorySegment.NULL);
        assertSameRows(byKey, Selection.toArray(refRadix, count), why + " radixSort");
      }
    }
  }

  /** The reference sort, checked once against a stable sort by the per-column comparator. */
  private static int[] referenceSort(
      Arena arena, List<SortColumn> cols, int count, MemorySegment sel) {
    MemorySegment perm = arena.allocate(4L * count + 4);
    REF.sort(cols, count, sel, perm, MemorySegment.NULL);
    return Selection.toArray(perm, count);
  }

  /** Fails with the first position where two row lists differ (short message for big arrays). */
  static void assertSameRows(int[] actual, int[] expected, String why) {
    assertThat(actual.length).as(why + " length").isEqualTo(expected.length);
    int at = Arrays.mismatch(actual, expected);
    if (at >= 0) {
      int from = Math.max(0, at - 3);
      int to = Math.min(actual.length, at + 4);
      assertThat(Arrays.copyOfRange(actual, from, to))
          .as("%s: rows differ first at position %d (showing %d..%d)", why, at, from, to - 1)
          .containsExactly(Arrays.copyOfRange(expected, from, to));
    }
  }

  static int compareKeys(MemorySegment keys, int width, int a, int b) {
    long m =
        MemorySegment.mismatch(
            keys,
            (long) a * width,
            (long) a * width + width,
            keys,
            (long) b * width,
            (long) b * width + width);
    if (m < 0) {
      return 0;
    }
    return Integer.compare(
        keys.get(ValueLayout.JAVA_BYTE, (long) a * width + m) & 0xFF,
        keys.get(ValueLayout.JAVA_BYTE, (long) b * width + m) & 0xFF);
  }

  /**
   * memcmp of two normalized keys up to where they are known to decide the order: through the first
   * utf8 column whose prefixes tie with both values longer than the prefix.
   */
  static int compareDecided(MemorySegment keys, List<SortKey> sortKeys, int a, int b) {
    int width = SortKernels.keyWidth(sortKeys);
    long at = 0;
    for (SortKey k : sortKeys) {
      int w = 1 + k.type().keyBytes();
      long pa = (long) a * width + at;
      long pb = (long) b * width + at;
      long m = MemorySegment.mismatch(keys, pa, pa + w, keys, pb, pb + w);
      if (m >= 0) {
        return Integer.compare(
            keys.get(ValueLayout.JAVA_BYTE, pa + m) & 0xFF,
            keys.get(ValueLayout.JAVA_BYTE, pb + m) & 0xFF);
      }
      if (k.type() == UTF8) {
        int len = keys.get(ValueLayout.JAVA_BYTE, pa + w - 1) & 0xFF;
        if (!k.ascending()) {
          len = ~len & 0xFF;
        }
        if (len == SortKernels.UTF8_PREFIX_BYTES + 1) {
          return 0;
        }
      }
      at += w;
    }
    return 0;
  }

  static void assertSortedStable(MemorySegment keys, int width, int[] perm, String why) {
    boolean[] seen = new boolean[perm.length];
    for (int p : perm) {
      assertThat(seen[p]).as(why + " position %d twice", p).isFalse();
      seen[p] = true;
    }
    for (int r = 0; r + 1 < perm.length; r++) {
      int c = compareKeys(keys, width, perm[r], perm[r + 1]);
      assertThat(c).as(why + " radix order at " + r).isLessThanOrEqualTo(0);
      if (c == 0) {
        assertThat(perm[r]).as(why + " radix stability at " + r).isLessThan(perm[r + 1]);
      }
    }
  }
}
