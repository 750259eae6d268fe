package dev.amalgam.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.kernels.reference.ScalarHashKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

final class HashKernelsTest {
  private static final HashKernels CPU = HashKernels.cpu();
  private static final HashKernels REF = new ScalarHashKernels();
  private static final long FILL = 0x1234_5678_9ABC_DEF0L;

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void hash_randomColumnsAllSizes_matchesReference(KeyType type) {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    try (Arena arena = Arena.ofConfined()) {
      for (int n : HashTestData.SIZES) {
        for (double nullRate : new double[] {0, 0.2}) {
          for (boolean selected : new boolean[] {false, true}) {
            KeyColumn c = HashTestData.column(arena, rnd, type, n, 50, nullRate);
            KeyColumn prior = HashTestData.column(arena, rnd, KeyType.INT64, n, 1000, 0.1);
            HashTestData.Sel sel = selected ? HashTestData.selection(arena, rnd, n) : null;
            int count = sel == null ? n : sel.count();
            MemorySegment rows = sel == null ? null : sel.rows();
            String what =
                "seed "
                    + seed
                    + ", "
                    + type
                    + ", n "
                    + n
                    + ", nulls "
                    + nullRate
                    + ", sel "
                    + selected;
            for (boolean combine : new boolean[] {false, true}) {
              MemorySegment expected = filled(arena, n);
              MemorySegment actual = filled(arena, n);
              if (combine) {
                REF.hashInt64(prior.values(), prior.validity(), count, rows, expected);
                CPU.hashInt64(prior.values(), prior.validity(), count, rows, actual);
                assertThat(longs(actual, n)).as(what).containsExactly(longs(expected, n));
              }
              apply(REF, c, count, rows, expected, combine);
              apply(CPU, c, count, rows, actual, combine);
              assertThat(longs(actual, n))
                  .as(what + ", combine " + combine)
                  .containsExactly(longs(expected, n));
            }
          }
        }
      }
    }
  }

  @Test
  void hash_multiColumn_matchesReferenceAndCombinesInOrder() {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    try (Arena arena = Arena.ofConfined()) {
      int n = 4099;
      List<KeyColumn> keys =
          List.of(
              HashTestData.column(arena, rnd, KeyType.INT32, n, 10, 0.1),
              HashTestData.column(arena, rnd, KeyType.UTF8, n, 10, 0.1),
              HashTestData.column(arena, rnd, KeyType.FLOAT64, n, 10, 0.1),
              HashTestData.column(arena, rnd, KeyType.DATE32, n, 10, 0.1),
              HashTestData.column(arena, rnd, KeyType.INT64, n, 10, 0.1));
      HashTestData.Sel sel = HashTestData.selection(arena, rnd, n);
      for (MemorySegment rows : new MemorySegment[] {null, sel.rows()}) {
        int count = rows == null ? n : sel.count();
        MemorySegment expected = filled(arena, n);
        MemorySegment actual = filled(arena, n);
        REF.hash(keys, count, rows, expected);
        CPU.hash(keys, count, rows, actual);
        assertThat(longs(actual, n)).as("seed %d", seed).containsExactly(longs(expected, n));
      }
      MemorySegment swapped = filled(arena, n);
      MemorySegment straight = filled(arena, n);
      CPU.hash(List.of(keys.get(0), keys.get(4)), n, null, straight);
      CPU.hash(List.of(keys.get(4), keys.get(0)), n, null, swapped);
      assertThat(longs(swapped, n)).isNotEqualTo(longs(straight, n));
    }
  }

  @Test
  void hash_equalValuesOfDifferentEncodings_hashEqual() {
    try (Arena arena = Arena.ofConfined()) {
      double[] zeros = {0.0, -0.0};
      double[] nans = {
        Double.NaN,
        Double.longBitsToDouble(0x7FF0000000000001L),
        Double.longBitsToDouble(0xFFF8000000000000L),
        Double.longBitsToDouble(0xFFFFFFFFFFFFFFFFL)
      };
      assertThat(doubleHashes(arena, zeros)).containsOnly(doubleHashes(arena, zeros)[0]);
      assertThat(doubleHashes(arena, nans)).containsOnly(doubleHashes(arena, nans)[0]);
      assertThat(doubleHashes(arena, new double[] {0.0})[0])
          .isNotEqualTo(doubleHashes(arena, new double[] {Double.MIN_VALUE})[0]);

      int[] ints = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 42, 7, 8, 9};
      MemorySegment i32 = arena.allocate(4L * ints.length);
      MemorySegment i64 = arena.allocate(8L * ints.length);
      for (int i = 0; i < ints.length; i++) {
        i32.setAtIndex(ArrowLayout.INT32, i, ints[i]);
        i64.setAtIndex(ArrowLayout.INT64, i, ints[i]);
      }
      MemorySegment a = arena.allocate(8L * ints.length);
      MemorySegment b = arena.allocate(8L * ints.length);
      CPU.hashInt32(i32, null, ints.length, null, a);
      CPU.hashInt64(i64, null, ints.length, null, b);
      assertThat(longs(a, ints.length)).containsExactly(longs(b, ints.length));
      assertThat((toSet(longs(a, ints.length)))).hasSize(ints.length);
    }
  }

  @Test
  void hash_nulls_getNullHashWhateverTheValue() {
    try (Arena arena = Arena.ofConfined()) {
      int n = 37;
      MemorySegment values = arena.allocate(8L * n);
      MemorySegment validity = arena.allocate(8);
      for (int i = 0; i < n; i++) {
        values.setAtIndex(ArrowLayout.INT64, i, i * 31L);
      }
      MemorySegment out = arena.allocate(8L * n);
      for (KeyType type : List.of(KeyType.INT32, KeyType.INT64, KeyType.FLOAT64)) {
        CPU.hash(List.of(new KeyColumn(type, values, validity, null)), n, null, out);
        assertThat(longs(out, n)).containsOnly(HashKernels.NULL_HASH);
      }
      MemorySegment offsets = arena.allocate(4L * (n + 1));
      for (int i = 0; i <= n; i++) {
        offsets.setAtIndex(ArrowLayout.INT32, i, i);
      }
      CPU.hashUtf8(offsets, values, validity, n, null, out);
      assertThat(longs(out, n)).containsOnly(HashKernels.NULL_HASH);
    }
  }

  @Test
  void hashUtf8_lengthsAcrossWordBoundaries_distinctAndMatchReference() {
    try (Arena arena = Arena.ofConfined()) {
      List<byte[]> strings = new ArrayList<>();
      StringBuilder s = new StringBuilder();
      for (int len = 0; len <= 40; len++) {
        strings.add(s.toString().getBytes(StandardCharsets.UTF_8));
        s.append((char) ('a' + len % 26));
      }
      strings.add("a\0".getBytes(StandardCharsets.UTF_8));
      strings.add("\0a".getBytes(StandardCharsets.UTF_8));
      strings.add("\0".getBytes(StandardCharsets.UTF_8));
      strings.add("héllo wörld ✓".getBytes(StandardCharsets.UTF_8));
      int n = strings.size();
      MemorySegment offsets = arena.allocate(4L * (n + 1));
      long total = strings.stream().mapToLong(b -> b.length).sum();
      // data sits at an odd offset so that 8-byte words are unaligned
      MemorySegment data = arena.allocate(total + 1).asSlice(1);
      int at = 0;
      for (int i = 0; i < n; i++) {
        byte[] b = strings.get(i);
        MemorySegment.copy(b, 0, data, ValueLayout.JAVA_BYTE, at, b.length);
        at += b.length;
        offsets.setAtIndex(ArrowLayout.INT32, i + 1L, at);
      }
      MemorySegment expected = arena.allocate(8L * n);
      MemorySegment actual = arena.allocate(8L * n);
      REF.hashUtf8(offsets, data, null, n, null, expected);
      CPU.hashUtf8(offsets, data, null, n, null, actual);
      assertThat(longs(actual, n)).containsExactly(longs(expected, n));
      assertThat((toSet(longs(actual, n)))).hasSize(n);
    }
  }

  @Test
  void hashInt64_manyValues_spreadOverLowBits() {
    try (Arena arena = Arena.ofConfined()) {
      int n = 1 << 16;
      MemorySegment values = arena.allocate(8L * n);
      for (int i = 0; i < n; i++) {
        values.setAtIndex(ArrowLayout.INT64, i, (long) i << 12); // low bits all zero
      }
      MemorySegment out = arena.allocate(8L * n);
      CPU.hashInt64(values, null, n, null, out);
      int buckets = 1 << 12;
      int[] load = new int[buckets];
      for (long h : longs(out, n)) {
        load[(int) (h & (buckets - 1))]++;
      }
      int max = 0;
      for (int l : load) {
        max = Math.max(max, l);
      }
      assertThat(max).isLessThan(64); // expected 16 per bucket
    }
  }

  @Test
  void hash_selection_writesOnlySelectedRows() {
    try (Arena arena = Arena.ofConfined()) {
      int n = 100;
      MemorySegment values = arena.allocate(8L * n);
      MemorySegment sel = arena.allocate(8);
      sel.setAtIndex(ArrowLayout.INT32, 0, 3);
      sel.setAtIndex(ArrowLayout.INT32, 1, 97);
      MemorySegment out = filled(arena, 98);
      CPU.hashInt64(values, null, 2, sel, out);
      long[] h = longs(out, 98);
      for (int i = 0; i < 98; i++) {
        if (i == 3 || i == 97) {
          assertThat(h[i]).isNotEqualTo(FILL);
        } else {
          assertThat(h[i]).isEqualTo(FILL);
        }
      }
    }
  }

  @Test
  void hash_badArguments_throwWithClearMessages() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment values = arena.allocate(8L * 10);
      MemorySegment out = arena.allocate(8L * 10);
      assertThatThrownBy(() -> CPU.hashInt64(values, null, -1, null, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must not be negative: -1");
      assertThatThrownBy(() -> CPU.hashInt64(values, null, 11, null, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("input values holds 80 bytes but 88 are needed");
      assertThatThrownBy(() -> CPU.hashInt64(values, null, 10, null, out.asSlice(0, 79)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("out holds 79 bytes but 80");
      assertThatThrownBy(() -> CPU.hashInt64(values, arena.allocate(1), 10, null, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("validity holds 1 bytes but 2");
      MemorySegment sel = arena.allocate(8);
      sel.setAtIndex(ArrowLayout.INT32, 0, 5);
      sel.setAtIndex(ArrowLayout.INT32, 1, 12);
      assertThatThrownBy(() -> CPU.hashInt64(values, null, 2, sel, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needed");
      assertThatThrownBy(() -> CPU.hashInt64(values, null, 3, sel, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("selection holds 2 rows but n = 3");
      MemorySegment offsets = arena.allocate(4L * 3);
      offsets.setAtIndex(ArrowLayout.INT32, 1, 5);
      offsets.setAtIndex(ArrowLayout.INT32, 2, 3);
      MemorySegment data = arena.allocate(8);
      assertThatThrownBy(() -> CPU.hashUtf8(offsets, data, null, 2, null, out))
          .isInstanceOf(KernelException.class)
          .hasMessageContaining("at row 1")
          .hasMessageContaining("offsets must not decrease");
      assertThatThrownBy(() -> CPU.hashUtf8(offsets, data.asSlice(0, 2), null, 2, null, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("data holds 2 bytes but 3");
      assertThatThrownBy(() -> CPU.hash(List.of(), 1, null, out))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new KeyColumn(KeyType.UTF8, offsets, null, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs its data buffer");
      assertThatThrownBy(() -> new KeyColumn(KeyType.INT64, values, null, data))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("data must be null");
    }
  }

  private static void apply(
      HashKernels k,
      KeyColumn c,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out,
      boolean combine) {
    switch (c.type()) {
      case INT32, DATE32 -> {
        if (combine) {
          k.combineInt32(c.values(), c.validity(), n, sel, out);
        } else {
          k.hashInt32(c.values(), c.validity(), n, sel, out);
        }
      }
      case INT64 -> {
        if (combine) {
          k.combineInt64(c.values(), c.validity(), n, sel, out);
        } else {
          k.hashInt64(c.values(), c.validity(), n, sel, out);
        }
      }
      case FLOAT64 -> {
        if (combine) {
          k.combineFloat64(c.values(), c.validity(), n, sel, out);
        } else {
          k.hashFloat64(c.values(), c.validity(), n, sel, out);
        }
      }
      case UTF8 -> {
        MemorySegment data = Hashing.utf8Data(c);
        if (combine) {
          k.combineUtf8(c.values(), data, c.validity(), n, sel, out);
        } else {
          k.hashUtf8(c.values(), data, c.validity(), n, sel, out);
        }
      }
    }
  }

  private static long[] doubleHashes(Arena arena, double[] values) {
    MemorySegment v = arena.allocate(8L * values.length);
    for (int i = 0; i < values.length; i++) {
      v.setAtIndex(ArrowLayout.FLOAT64, i, values[i]);
    }
    MemorySegment out = arena.allocate(8L * values.length);
    CPU.hashFloat64(v, null, values.length, null, out);
    long[] viaCpu = longs(out, values.length);
    REF.hashFloat64(v, null, values.length, null, out);
    assertThat(longs(out, values.length)).containsExactly(viaCpu);
    return viaCpu;
  }

  private static MemorySegment filled(Arena arena, int n) {
    MemorySegment s = arena.allocate(8L * Math.max(1, n));
    for (int i = 0; i < n; i++) {
      s.setAtIndex(ArrowLayout.INT64, i, FILL);
    }
    return s;
  }

  static long[] longs(MemorySegment s, int n) {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = s.getAtIndex(ArrowLayout.INT64, i);
    }
    return a;
  }

  private static Set<Long> toSet(long[] a) {
    Set<Long> set = new HashSet<>();
    for (long x : a) {
      set.add(x);
    }
    return set;
  }
}
