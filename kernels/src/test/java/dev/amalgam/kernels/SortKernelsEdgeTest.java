package dev.amalgam.kernels;

import static dev.amalgam.kernels.SortKernels.KeyType.FLOAT64;
import static dev.amalgam.kernels.SortKernels.KeyType.INT32;
import static dev.amalgam.kernels.SortKernels.KeyType.INT64;
import static dev.amalgam.kernels.SortKernels.KeyType.UTF8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.kernels.SortKernels.SortColumn;
import dev.amalgam.kernels.SortKernels.SortKey;
import dev.amalgam.kernels.reference.ScalarSortKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Known orders (float specials, MIN/MAX, long shared utf8 prefixes), stability, and errors. */
final class SortKernelsEdgeTest {
  static Stream<SortKernels> impls() {
    return Stream.of(SortKernels.cpu(), new ScalarSortKernels());
  }

  private static int[] sort(SortKernels impl, Arena arena, int n, SortColumn... cols) {
    List<SortColumn> list = List.of(cols);
    List<SortKey> keys = list.stream().map(SortColumn::key).toList();
    MemorySegment perm = arena.allocate(4L * n + 4);
    MemorySegment scratch = arena.allocate(impl.sortScratchBytes(keys, n) + 1);
    impl.sort(list, n, null, perm, scratch);
    int[] sorted = Selection.toArray(perm, n);
    for (int k : new int[] {1, 3, n - 1}) {
      MemorySegment out = arena.allocate(4L * n + 4);
      MemorySegment ts = arena.allocate(impl.topNScratchBytes(keys, n, k) + 1);
      int got = impl.topN(list, n, null, k, out, ts);
      assertThat(Selection.toArray(out, got)).containsExactly(java.util.Arrays.copyOf(sorted, k));
    }
    return sorted;
  }

  private static final double[] FLOATS = {
    Double.NaN,
    1.0,
    -0.0,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    0.0,
    Double.MIN_VALUE,
    -Double.MAX_VALUE,
    Double.longBitsToDouble(0x7FF0_0000_0000_0001L),
    Double.MAX_VALUE,
    Double.longBitsToDouble(0xFFF8_0000_0000_0000L),
  };

  @ParameterizedTest
  @MethodSource("impls")
  void sort_floatSpecialsAscending_nanLastAndNegativeZeroEqualsZero(SortKernels impl) {
    try (Arena arena = Arena.ofConfined()) {
      SortColumn c = SortTestData.doubles(arena, SortKey.asc(FLOAT64), FLOATS);
      assertThat(sort(impl, arena, FLOATS.length, c))
          .containsExactly(4, 7, 2, 5, 6, 1, 9, 3, 0, 8, 10);
    }
  }

  @ParameterizedTest
  @MethodSource("impls")
  void sort_floatSpecialsDescending_nanFirstTiesStable(SortKernels impl) {
    try (Arena arena = Arena.ofConfined()) {
      SortColumn c = SortTestData.doubles(arena, SortKey.desc(FLOAT64), FLOATS);
      assertThat(sort(impl, arena, FLOATS.length, c))
          .containsExactly(0, 8, 10, 3, 9, 1, 6, 2, 5, 7, 4);
    }
  }

  @ParameterizedTest
  @MethodSource("impls")
  void sort_intMinMaxWithNulls_nullsWhereAsked(SortKernels impl) {
    int[] v = {Integer.MAX_VALUE, Integer.MIN_VALUE, 7, 0, -1, 7, Integer.MIN_VALUE};
    boolean[] nulls = {false, false, true, false, false, true, false};
    try (Arena arena = Arena.ofConfined()) {
      assertThat(sort(impl, arena, 7, SortTestData.ints(arena, SortKey.asc(INT32), v, nulls)))
          .containsExactly(1, 6, 4, 3, 0, 2, 5);
      assertThat(sort(impl, arena, 7, SortTestData.ints(arena, SortKey.desc(INT32), v, nulls)))
          .containsExactly(2, 5, 0, 3, 4, 1, 6);
      assertThat(
              sort(
                  impl,
                  arena,
                  7,
                  SortTestData.ints(arena, new SortKey(INT32, true, true), v, nulls)))
          .containsExactly(2, 5, 1, 6, 4, 3, 0);
    }
  }

  @ParameterizedTest
  @MethodSource("impls")
  void sort_longMinMax_signedOrder(SortKernels impl) {
    try (Arena arena = Arena.ofConfined()) {
      SortColumn c =
          SortTestData.longs(
              arena,
              SortKey.asc(INT64),
              Long.MAX_VALUE,
              -1,
              Long.MIN_VALUE,
              0,
              1L << 40,
              -(1L << 40));
      assertThat(sort(impl, arena, 6, c)).containsExactly(2, 5, 1, 3, 4, 0);
    }
  }

  @ParameterizedTest
  @MethodSource("impls")
  void sort_stringsSharingLongPrefixes_fullBinaryOrder(SortKernels impl) {
    String a15 = "a".repeat(15);
    String a16 = "a".repeat(16);
    try (Arena arena = Arena.ofConfined()) {
      SortColumn c =
          SortTestData.strings(
              arena,
              SortKey.asc(UTF8),
              a16 + "Z",
              a16 + "A",
              a15,
              a15 + "\0",
              "",
              null,
              a16,
              a16 + "A",
              "b");
      assertThat(sort(impl, arena, 9, c)).containsExactly(4, 2, 3, 6, 1, 7, 0, 8, 5);
      SortColumn d =
          SortTestData.strings(
              arena,
              SortKey.desc(UTF8),
              a16 + "Z",
              a16 + "A",
              a15,
              a15 + "\0",
              "",
              null,
              a16,
              a16 + "A",
              "b");
      assertThat(sort(impl, arena, 9, d)).containsExactly(5, 8, 0, 1, 7, 6, 3, 2, 4);
    }
  }

  @ParameterizedTest
  @MethodSource("impls")
  void sort_tiedLongPrefixThenSecondKey_stringDecidesBeforeSecondKey(SortKernels impl) {
    try (Arena arena = Arena.ofConfined()) {
      SortColumn s =
          SortTestData.strings(
              arena,
              SortKey.asc(UTF8),
              "prefix-shared-xyz-1",
              "prefix-shared-xyz-1",
              "prefix-shared-xyz-0",
              "prefix-shared-xyz-1",
              "prefix-shared-xyz-00");
      SortColumn i = SortTestData.ints(arena, SortKey.desc(INT32), new int[] {5, 9, 1, 5, 100});
      assertThat(sort(impl, arena, 5, s, i)).containsExactly(2, 4, 1, 0, 3);
    }
  }

  @ParameterizedTest
  @MethodSource("impls")
  void sort_allKeysEqual_identityPermutation(SortKernels impl) {
    int n = 5000;
    try (Arena arena = Arena.ofConfined()) {
      SortColumn c = SortTestData.ints(arena, SortKey.desc(INT32), new int[n]);
      assertThat(sort(impl, arena, n, c)).containsExactly(IntStream.range(0, n).toArray());
    }
  }

  @Test
  void radixSort_keyWidthNotMultipleOfEight_ordersByUnsignedBytes() {
    try (Arena arena = Arena.ofConfined()) {
      byte[][] keys = {
        {3, 0, 0}, {(byte) 0xFF, 0, 1}, {3, 0, 0}, {0, (byte) 0x80, 0}, {0, 1, (byte) 0xFF}
      };
      MemorySegment seg = arena.allocate(15);
      for (int r = 0; r < 5; r++) {
        MemorySegment.copy(keys[r], 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 3L * r, 3);
      }
      MemorySegment perm = arena.allocate(20);
      SortKernels cpu = SortKernels.cpu();
      cpu.radixSort(seg, 3, 5, perm, arena.allocate(cpu.radixSortScratchBytes(3, 5)));
      assertThat(Selection.toArray(perm, 5)).containsExactly(4, 3, 0, 2, 1);
    }
  }

  /**
   * Regression: 11-bit digits rounded up past the top varying bit read constant 1 bits that the
   * packed (bits << 32 | row) longs had cut off, so buckets collided.
   */
  @Test
  void radixSort_constantOnesAboveVaryingBits_sortedStablePermutation() {
    int n = 70_000;
    java.util.Random rnd = new java.util.Random(n);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment keys = arena.allocate(6L * n);
      for (int i = 0; i < n; i++) {
        keys.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 6L * i, (byte) 0xFF);
        for (int b = 1; b < 6; b++) {
          keys.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 6L * i + b, (byte) rnd.nextInt(256));
        }
      }
      SortKernels cpu = SortKernels.cpu();
      MemorySegment perm = arena.allocate(4L * n);
      cpu.radixSort(keys, 6, n, perm, arena.allocate(cpu.radixSortScratchBytes(6, n)));
      SortKernelsTest.assertSortedStable(keys, 6, Selection.toArray(perm, n), "n=" + n);
    }
  }

  @ParameterizedTest
  @MethodSource("impls")
  void sort_badArguments_throwNamingTheArgument(SortKernels impl) {
    try (Arena arena = Arena.ofConfined()) {
      SortColumn c = SortTestData.longs(arena, SortKey.asc(INT64), 1, 2, 3, 4, 5);
      MemorySegment big = arena.allocate(1 << 16);
      assertThatThrownBy(() -> impl.sort(List.of(), 5, null, big, big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("columns is empty");
      assertThatThrownBy(() -> impl.sort(List.of(c), -1, null, big, big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("count must be >= 0: -1");
      assertThatThrownBy(() -> impl.sort(List.of(c), 5, null, arena.allocate(8), big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("permutationOut holds 8 bytes, needs at least 20");
      assertThatThrownBy(() -> impl.sort(List.of(c), 6, null, big, big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sort column 0 (INT64): values hold 40 bytes, 6 rows need 48");
      assertThatThrownBy(() -> impl.topN(List.of(c), 5, null, -1, big, big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("limit must be >= 0: -1");
      assertThatThrownBy(() -> impl.normalizeKeys(List.of(c), 5, null, arena.allocate(44)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("keysOut holds 44 bytes, needs at least 45");
    }
  }

  @Test
  void sort_scratchTooSmall_throws() {
    SortKernels cpu = SortKernels.cpu();
    try (Arena arena = Arena.ofConfined()) {
      SortColumn c = SortTestData.longs(arena, SortKey.asc(INT64), 1, 2, 3, 4, 5);
      long need = cpu.sortScratchBytes(List.of(c.key()), 5);
      assertThatThrownBy(
              () -> cpu.sort(List.of(c), 5, null, arena.allocate(20), arena.allocate(need - 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("scratch holds " + (need - 1) + " bytes, needs at least " + need);
      assertThatThrownBy(() -> cpu.radixSortScratchBytes(0, 5))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("keyWidth must be positive: 0");
    }
  }

  @Test
  void sortColumn_utf8WithoutDataOrFixedWithData_rejected() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = arena.allocate(64);
      assertThatThrownBy(() -> new SortColumn(SortKey.asc(UTF8), s, null, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("UTF8 sort column needs its data bytes");
      assertThatThrownBy(() -> new SortColumn(SortKey.asc(INT32), s, s, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("INT32 sort column must not have utf8 data bytes");
    }
  }
}
