package dev.amalgam.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.amalgam.kernels.GroupByHashTable.Agg;
import dev.amalgam.kernels.GroupByHashTable.ValueColumn;
import dev.amalgam.kernels.GroupByHashTable.ValueType;
import dev.amalgam.kernels.reference.ScalarGroupByHashTable;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryLimitExceededException;
import dev.amalgam.memory.pool.MemoryPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class GroupByHashTableTest {
  private static final long MIB = 1 << 20;

  /** SUM, COUNT, MIN, MAX, AVG of an int64 input (0) and a float64 input (1), and COUNT(*). */
  private static final Agg[] ALL_AGGS = {
    Agg.countStar(),
    Agg.count(0, ValueType.INT64),
    Agg.sum(0, ValueType.INT64),
    Agg.min(0, ValueType.INT64),
    Agg.max(0, ValueType.INT64),
    Agg.avg(0, ValueType.INT64),
    Agg.count(1, ValueType.FLOAT64),
    Agg.sum(1, ValueType.FLOAT64),
    Agg.min(1, ValueType.FLOAT64),
    Agg.max(1, ValueType.FLOAT64),
    Agg.avg(1, ValueType.FLOAT64),
  };

  private static final List<List<KeyType>> KEY_SETS =
      List.of(
          List.of(KeyType.INT64),
          List.of(KeyType.INT32),
          List.of(KeyType.DATE32),
          List.of(KeyType.FLOAT64),
          List.of(KeyType.UTF8),
          List.of(KeyType.INT32, KeyType.UTF8),
          List.of(KeyType.INT64, KeyType.FLOAT64, KeyType.UTF8, KeyType.DATE32));

  @Test
  void add_randomKeysAllTypesAndSizes_matchesReference() {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    try (MemoryPool pool = MemoryPool.create("test", 256 * MIB);
        Arena arena = Arena.ofConfined()) {
      for (List<KeyType> keyTypes : KEY_SETS) {
        for (int n : new int[] {0, 1, 9, 2049, 4100}) {
          for (boolean selected : new boolean[] {false, true}) {
            String what = "seed " + seed + ", keys " + keyTypes + ", n " + n + ", sel " + selected;
            try (MemoryConsumer consumer = pool.consumer("agg")) {
              GroupByHashTable cpu = table(keyTypes, ALL_AGGS, 4, consumer);
              try {
                GroupByHashTable ref = new ScalarGroupByHashTable(keyTypes, List.of(ALL_AGGS));
                // several batches into the same table, with duplicates across batches
                for (int batch = 0; batch < 2; batch++) {
                  Batch b = batch(arena, rnd, keyTypes, n, 1 + rnd.nextInt(60), 0.15);
                  HashTestData.Sel sel = selected ? HashTestData.selection(arena, rnd, n) : null;
                  int count = sel == null ? n : sel.count();
                  MemorySegment rows = sel == null ? null : sel.rows();
                  ref.add(b.keys(), b.values(), count, rows);
                  cpu.add(b.keys(), b.values(), count, rows);
                }
                assertSameGroups(ref, cpu, what);
              } finally {
                cpu.close();
              }
              assertThat(consumer.reserved()).as(what).isZero();
            }
          }
        }
      }
    }
  }

  @Test
  void addToOneGroup_matchesReferenceAndAddWithAConstantKey() {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    List<KeyType> keyTypes = List.of(KeyType.INT32);
    try (MemoryPool pool = MemoryPool.create("test", 256 * MIB);
        Arena arena = Arena.ofConfined()) {
      MemorySegment zeros = arena.allocate(4L * 5000);
      List<KeyColumn> constantKey = List.of(KeyColumn.int32(zeros, null));
      List<KeyColumn> oneRowKey = List.of(KeyColumn.int32(arena.allocate(4), null));
      for (int n : new int[] {0, 1, 7, 63, 64, 65, 2049, 4100}) {
        for (boolean selected : new boolean[] {false, true}) {
          String what = "seed " + seed + ", n " + n + ", sel " + selected;
          try (MemoryConsumer consumer = pool.consumer("agg");
              GroupByHashTable one = table(keyTypes, ALL_AGGS, 0, consumer);
              GroupByHashTable perRow = table(keyTypes, ALL_AGGS, 0, consumer)) {
            GroupByHashTable ref = new ScalarGroupByHashTable(keyTypes, List.of(ALL_AGGS));
            for (int batch = 0; batch < 3; batch++) {
              Batch b = batch(arena, rnd, keyTypes, n, 1, batch == 1 ? 1.0 : 0.2);
              HashTestData.Sel sel = selected ? HashTestData.selection(arena, rnd, n) : null;
              int count = sel == null ? n : sel.count();
              MemorySegment rows = sel == null ? null : sel.rows();
              ref.addToOneGroup(oneRowKey, b.values(), count, rows);
              one.addToOneGroup(oneRowKey, b.values(), count, rows);
              perRow.add(constantKey, b.values(), count, rows);
            }
            // float64 sums are added in another order than the reference's row by row
            assertSameResultsAnyOrder(ref, one, what + ": vs reference");
            assertSameResultsAnyOrder(perRow, one, what + ": vs add");
          }
        }
      }
    }
  }

  @Test
  void add_manyDistinctKeys_growsAcrossManyResizes() {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    Agg[] aggs = {Agg.countStar(), Agg.sum(0, ValueType.INT64), Agg.max(1, ValueType.FLOAT64)};
    try (MemoryPool pool = MemoryPool.create("test", 512 * MIB);
        Arena arena = Arena.ofConfined()) {
      for (List<KeyType> keyTypes : List.of(List.of(KeyType.INT64), List.of(KeyType.UTF8))) {
        try (MemoryConsumer consumer = pool.consumer("agg");
            GroupByHashTable cpu = table(keyTypes, aggs, 0, consumer)) {
          GroupByHashTable ref = new ScalarGroupByHashTable(keyTypes, List.of(aggs));
          int n = 30_000;
          Batch b = batch(arena, rnd, keyTypes, n, 20_000, 0.01);
          ref.add(b.keys(), b.values(), n, null);
          cpu.add(b.keys(), b.values(), n, null);
          assertThat(cpu.groupCount()).isGreaterThan(10_000);
          assertSameGroups(ref, cpu, "seed " + seed + ", keys " + keyTypes);
          long held = consumer.reserved();
          assertThat(held).isEqualTo(cpu.reservedBytes()).isGreaterThan(cpu.groupCount() * 16L);
        }
      }
    }
  }

  @Test
  void merge_partialTables_equalsOneTableOverAllRows() {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    try (MemoryPool pool = MemoryPool.create("test", 256 * MIB);
        Arena arena = Arena.ofConfined()) {
      for (List<KeyType> keyTypes : KEY_SETS) {
        int n = 6000; // parts of more groups than one merge chunk
        Batch[] parts = new Batch[4];
        for (int p = 0; p < parts.length; p++) {
          // parts without null keys take the batched probe of single fixed-width keys
          parts[p] = batch(arena, rnd, keyTypes, n, 8000, p % 2 == 0 ? 0.1 : 0.0);
        }
        String what = "seed " + seed + ", keys " + keyTypes;
        try (MemoryConsumer c0 = pool.consumer("whole");
            MemoryConsumer c1 = pool.consumer("merged");
            GroupByHashTable whole = table(keyTypes, ALL_AGGS, 16, c0);
            GroupByHashTable merged = table(keyTypes, ALL_AGGS, 16, c1)) {
          GroupByHashTable refWhole = new ScalarGroupByHashTable(keyTypes, List.of(ALL_AGGS));
          GroupByHashTable refMerged = new ScalarGroupByHashTable(keyTypes, List.of(ALL_AGGS));
          for (int p = 0; p < parts.length; p++) {
            whole.add(parts[p].keys(), parts[p].values(), n, null);
            refWhole.add(parts[p].keys(), parts[p].values(), n, null);
            try (MemoryConsumer cp = pool.consumer("part" + p);
                GroupByHashTable part = table(keyTypes, ALL_AGGS, 1, cp)) {
              GroupByHashTable refPart = new ScalarGroupByHashTable(keyTypes, List.of(ALL_AGGS));
              part.add(parts[p].keys(), parts[p].values(), n, null);
              refPart.add(parts[p].keys(), parts[p].values(), n, null);
              merged.merge(part);
              refMerged.merge(refPart);
            }
          }
          assertSameGroups(refMerged, merged, what);
          assertSameResultsAnyOrder(whole, merged, what);
          assertThat(merged.groupCount()).isEqualTo(refWhole.groupCount());
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"INT64", "INT64,UTF8", "FLOAT64"})
  void add_memoryLimitRefusesGrowth_tableStaysUsableAndConsumerBalanced(String keys) {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    Agg[] aggs = {Agg.countStar(), Agg.sum(0, ValueType.INT64)};
    List<KeyType> keyTypes = Arrays.stream(keys.split(",")).map(KeyType::valueOf).toList();
    try (MemoryPool pool = MemoryPool.create("tight", 200_000);
        Arena arena = Arena.ofConfined()) {
      try (MemoryConsumer consumer = pool.consumer("agg#1")) {
        GroupByHashTable cpu = table(keyTypes, aggs, 16, consumer);
        GroupByHashTable ref = new ScalarGroupByHashTable(keyTypes, List.of(aggs));
        int n = 20_000;
        // a single int64 key without nulls takes the dense path, the others the general ones
        Batch b = batch(arena, rnd, keyTypes, n, 15_000, keys.equals("INT64") ? 0 : 0.05);
        long before = consumer.reserved();
        assertThat(before).isPositive();
        assertThatThrownBy(() -> cpu.add(b.keys(), b.values(), n, null))
            .isInstanceOfSatisfying(
                TableFullException.class,
                e -> {
                  assertThat(e.table()).isEqualTo("agg#1");
                  assertThat(e.limitBytes()).isEqualTo(200_000);
                  assertThat(e.getCause()).isInstanceOf(MemoryLimitExceededException.class);
                  assertThat(e.getMessage())
                      .contains("group-by hash table 'agg#1' cannot grow beyond")
                      .contains("groups")
                      .contains("pool 'tight'")
                      .contains("the first " + e.rowsAdded() + " rows of this call were added");
                  assertThat(e.rowsAdded() % 2048).isZero();
                  ref.add(b.keys(), b.values(), e.rowsAdded(), null);
                });
        assertThat(consumer.reserved()).isEqualTo(cpu.reservedBytes());
        assertThat(pool.reserved()).isLessThanOrEqualTo(200_000);
        assertSameGroups(ref, cpu, "after refusal, seed " + seed);
        // still usable: rows of keys already present need no growth
        cpu.add(b.keys(), b.values(), 100, null);
        ref.add(b.keys(), b.values(), 100, null);
        assertSameGroups(ref, cpu, "after refusal and more rows, seed " + seed);
        cpu.close();
        cpu.close();
        assertThat(consumer.reserved()).isZero();
        assertThatThrownBy(cpu::groupCount).isInstanceOf(IllegalStateException.class);
      }
      assertThat(pool.reserved()).isZero();
    }
  }

  @Test
  void merge_memoryLimitRefusesGrowth_leavesTargetUnchanged() {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    Agg[] aggs = {Agg.countStar(), Agg.min(0, ValueType.INT64)};
    List<KeyType> keyTypes = List.of(KeyType.UTF8);
    try (MemoryPool pool = MemoryPool.create("tight", 16 * MIB);
        Arena arena = Arena.ofConfined();
        MemoryConsumer c1 = pool.consumer("target");
        MemoryConsumer c2 = pool.consumer("source")) {
      try (GroupByHashTable target = table(keyTypes, aggs, 16, c1);
          GroupByHashTable source = table(keyTypes, aggs, 16, c2)) {
        GroupByHashTable ref = new ScalarGroupByHashTable(keyTypes, List.of(aggs));
        Batch small = batch(arena, rnd, keyTypes, 500, 100, 0.1);
        target.add(small.keys(), small.values(), 500, null);
        ref.add(small.keys(), small.values(), 500, null);
        Batch big = batch(arena, rnd, keyTypes, 3000, 2500, 0.1);
        source.add(big.keys(), big.values(), 3000, null);
        long targetBytes = c1.reserved();
        // leave room for the source only: the target cannot double
        try (MemoryConsumer hog = pool.consumer("hog")) {
          hog.reserve(pool.limit() - pool.reserved() - 1000);
          assertThatThrownBy(() -> target.merge(source))
              .isInstanceOf(TableFullException.class)
              .hasMessageContaining("'target'")
              .hasMessageContaining("nothing was changed");
          hog.release(hog.reserved());
        }
        assertThat(c1.reserved()).isGreaterThanOrEqualTo(targetBytes);
        assertSameGroups(ref, target, "after refused merge, seed " + seed);
        target.merge(source);
        GroupByHashTable refSource = new ScalarGroupByHashTable(keyTypes, List.of(aggs));
        refSource.add(big.keys(), big.values(), 3000, null);
        ref.merge(refSource);
        assertSameGroups(ref, target, "after merge, seed " + seed);
      }
      assertThat(c1.reserved()).isZero();
      assertThat(c2.reserved()).isZero();
    }
  }

  @Test
  void build_memoryLimitTooSmallForFirstBuffers_throwsAndHoldsNothing() {
    try (MemoryPool pool = MemoryPool.create("tiny", 1000);
        MemoryConsumer consumer = pool.consumer("agg")) {
      assertThatThrownBy(
              () -> table(List.of(KeyType.INT64), new Agg[] {Agg.countStar()}, 0, consumer))
          .isInstanceOf(MemoryLimitExceededException.class)
          .hasMessageContaining("'agg'");
      assertThat(consumer.reserved()).isZero();
    }
  }

  @Test
  void add_edgeValues_nullGroupsAndSpecialDoubles() {
    try (MemoryPool pool = MemoryPool.create("test", 64 * MIB);
        MemoryConsumer consumer = pool.consumer("agg");
        Arena arena = Arena.ofConfined();
        GroupByHashTable cpu =
            table(
                List.of(KeyType.FLOAT64),
                new Agg[] {
                  Agg.countStar(),
                  Agg.sum(0, ValueType.INT64),
                  Agg.min(0, ValueType.INT64),
                  Agg.max(0, ValueType.INT64),
                  Agg.avg(0, ValueType.INT64)
                },
                4,
                consumer)) {
      double[] keys = {0.0, -0.0, Double.NaN, Double.longBitsToDouble(0xFFF8000000000001L), 0.0, 1};
      long[] values = {Long.MAX_VALUE, Long.MIN_VALUE, 5, -5, 7, 9};
      int n = keys.length;
      MemorySegment k = arena.allocate(8L * n);
      MemorySegment v = arena.allocate(8L * n);
      MemorySegment kValid = arena.allocate(8);
      MemorySegment vValid = arena.allocate(8);
      for (int i = 0; i < n; i++) {
        k.setAtIndex(ArrowLayout.FLOAT64, i, keys[i]);
        v.setAtIndex(ArrowLayout.INT64, i, values[i]);
        Validity.set(kValid, i, i != 5);
        Validity.set(vValid, i, i != 4);
      }
      cpu.add(
          List.of(KeyColumn.float64(k, kValid)), List.of(ValueColumn.int64(v, vValid)), n, null);
      // groups: 0.0 (rows 0, 1, 4), NaN (rows 2, 3), null (row 5)
      assertThat(cpu.groupCount()).isEqualTo(3);
      assertThat(Double.doubleToRawLongBits(cpu.keyDouble(0, 0))).isZero();
      assertThat(cpu.keyDouble(1, 0)).isNaN();
      assertThat(cpu.isKeyNull(2, 0)).isTrue();
      assertThat(cpu.resultLong(0, 0)).isEqualTo(3);
      assertThat(cpu.resultLong(0, 1)).isEqualTo(-1);
      assertThat(cpu.resultLong(0, 2)).isEqualTo(Long.MIN_VALUE);
      assertThat(cpu.resultLong(0, 3)).isEqualTo(Long.MAX_VALUE);
      assertThat(cpu.resultDouble(0, 4)).isEqualTo(-0.5);
      assertThat(cpu.resultLong(1, 1)).isZero();
      assertThat(cpu.resultDouble(1, 4)).isZero();
      assertThat(cpu.resultLong(2, 0)).isEqualTo(1);
      assertThat(cpu.resultLong(2, 1)).isEqualTo(9);
      // a group whose inputs are all null has null results, and count(*) still counts it
      cpu.add(List.of(KeyColumn.float64(k, null)), List.of(ValueColumn.int64(v, vValid)), 5, null);
      cpu.add(
          List.of(KeyColumn.float64(k.asSlice(8 * 4), null)),
          List.of(ValueColumn.int64(v.asSlice(8 * 4), null)),
          0,
          null);
      assertThat(cpu.groupCount()).isEqualTo(3);
      MemorySegment sel = arena.allocate(4);
      sel.setAtIndex(ArrowLayout.INT32, 0, 4);
      k.setAtIndex(ArrowLayout.FLOAT64, 4, 42.0);
      cpu.add(List.of(KeyColumn.float64(k, null)), List.of(ValueColumn.int64(v, vValid)), 1, sel);
      assertThat(cpu.groupCount()).isEqualTo(4);
      assertThat(cpu.isResultNull(3, 1)).isTrue();
      assertThat(cpu.isResultNull(3, 4)).isTrue();
      assertThat(cpu.isResultNull(3, 0)).isFalse();
      assertThat(cpu.resultLong(3, 0)).isEqualTo(1);
    }
  }

  @Test
  void add_sumOverflow_throwsKernelExceptionNamingTheRow() {
    try (MemoryPool pool = MemoryPool.create("test", 64 * MIB);
        MemoryConsumer consumer = pool.consumer("agg");
        Arena arena = Arena.ofConfined();
        GroupByHashTable cpu =
            table(List.of(KeyType.INT32), new Agg[] {Agg.sum(0, ValueType.INT64)}, 4, consumer)) {
      int n = 3000;
      MemorySegment k = arena.allocate(4L * n);
      MemorySegment v = arena.allocate(8L * n);
      for (int i = 0; i < n; i++) {
        k.setAtIndex(ArrowLayout.INT32, i, i % 3);
        v.setAtIndex(ArrowLayout.INT64, i, i == 2500 ? Long.MAX_VALUE : 1);
      }
      List<KeyColumn> keys = List.of(KeyColumn.int32(k, null));
      List<ValueColumn> values = List.of(ValueColumn.int64(v, null));
      assertThatThrownBy(() -> cpu.add(keys, values, n, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(2500))
          .hasMessageContaining("SUM(int64) overflows at row 2500");
      GroupByHashTable ref = new ScalarGroupByHashTable(List.of(KeyType.INT32), cpu.aggregates());
      assertThatThrownBy(() -> ref.add(keys, values, n, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(2500));
    }
  }

  @Test
  void read_bulkKeysAndResults_matchPerGroupAccessors() {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    List<KeyType> keyTypes = List.of(KeyType.INT32, KeyType.UTF8, KeyType.FLOAT64, KeyType.INT64);
    try (MemoryPool pool = MemoryPool.create("test", 64 * MIB);
        MemoryConsumer consumer = pool.consumer("agg");
        Arena arena = Arena.ofConfined();
        GroupByHashTable cpu = table(keyTypes, ALL_AGGS, 4, consumer)) {
      Batch b = batch(arena, rnd, keyTypes, 3000, 30, 0.2);
      cpu.add(b.keys(), b.values(), 3000, null);
      int groups = cpu.groupCount();
      int from = groups / 3;
      int count = groups - from;
      MemorySegment validity = arena.allocate(ArrowLayout.paddedBitmapBytes(count));
      MemorySegment out = arena.allocate(8L * count);
      for (int key = 0; key < keyTypes.size(); key++) {
        if (keyTypes.get(key) == KeyType.UTF8) {
          long bytes = cpu.utf8KeyBytes(key, from, count);
          MemorySegment offsets = arena.allocate(4L * (count + 1));
          MemorySegment data = arena.allocate(Math.max(1, bytes));
          assertThat(cpu.readUtf8Key(key, from, count, offsets, data, validity)).isEqualTo(bytes);
          for (int i = 0; i < count; i++) {
            assertThat(Validity.isValid(validity, i)).isEqualTo(!cpu.isKeyNull(from + i, key));
            byte[] expected = cpu.keyBytes(from + i, key);
            int start = offsets.getAtIndex(ArrowLayout.INT32, i);
            int end = offsets.getAtIndex(ArrowLayout.INT32, i + 1L);
            assertThat(data.asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE))
                .isEqualTo(expected);
          }
          continue;
        }
        cpu.readKey(key, from, count, out, validity);
        for (int i = 0; i < count; i++) {
          int g = from + i;
          assertThat(Validity.isValid(validity, i)).isEqualTo(!cpu.isKeyNull(g, key));
          long expected =
              switch (keyTypes.get(key)) {
                case INT32 -> out.getAtIndex(ArrowLayout.INT32, i);
                case INT64 -> out.getAtIndex(ArrowLayout.INT64, i);
                default -> Double.doubleToRawLongBits(out.getAtIndex(ArrowLayout.FLOAT64, i));
              };
          long actual =
              keyTypes.get(key) == KeyType.FLOAT64
                  ? Double.doubleToRawLongBits(cpu.keyDouble(g, key))
                  : cpu.keyLong(g, key);
          assertThat(actual).isEqualTo(expected);
        }
      }
      for (int a = 0; a < ALL_AGGS.length; a++) {
        cpu.readResult(a, from, count, out, validity);
        for (int i = 0; i < count; i++) {
          int g = from + i;
          assertThat(Validity.isValid(validity, i)).isEqualTo(!cpu.isResultNull(g, a));
          if (ALL_AGGS[a].resultType() == ValueType.INT64) {
            assertThat(out.getAtIndex(ArrowLayout.INT64, i)).isEqualTo(cpu.resultLong(g, a));
          } else {
            assertThat(Double.doubleToRawLongBits(out.getAtIndex(ArrowLayout.FLOAT64, i)))
                .isEqualTo(Double.doubleToRawLongBits(cpu.resultDouble(g, a)));
          }
        }
      }
      assertThatThrownBy(() -> cpu.readResult(2, 0, groups, out.asSlice(0, 0), null))
          .isInstanceOf(RuntimeException.class);
      assertThatThrownBy(() -> cpu.readKey(0, groups, 1, out, validity))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void add_badArguments_throwWithClearMessages() {
    try (MemoryPool pool = MemoryPool.create("test", 64 * MIB);
        MemoryConsumer consumer = pool.consumer("agg");
        Arena arena = Arena.ofConfined();
        GroupByHashTable cpu =
            table(List.of(KeyType.INT64), new Agg[] {Agg.sum(0, ValueType.INT64)}, 4, consumer)) {
      MemorySegment k = arena.allocate(8L * 10);
      List<KeyColumn> keys = List.of(KeyColumn.int64(k, null));
      List<ValueColumn> longs = List.of(ValueColumn.int64(k, null));
      assertThatThrownBy(() -> cpu.add(List.of(KeyColumn.int32(k, null)), longs, 10, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key column 0 must be INT64 but is INT32");
      assertThatThrownBy(() -> cpu.add(keys, List.of(ValueColumn.float64(k, null)), 10, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expects INT64 but value column 0 is FLOAT64");
      assertThatThrownBy(() -> cpu.add(keys, List.of(), 10, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("reads value column 0 but only 0 were given");
      assertThatThrownBy(() -> cpu.add(keys, longs, 11, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key column 0 values holds 80 bytes but 88 are needed");
      assertThatThrownBy(() -> cpu.add(keys, longs, -1, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must not be negative");
      assertThatThrownBy(() -> Agg.sum(-1, ValueType.INT64))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> GroupByHashTable.builder().keys(KeyType.INT64).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("consumer");
      try (MemoryConsumer other = pool.consumer("other");
          GroupByHashTable differs =
              table(List.of(KeyType.INT32), new Agg[] {Agg.sum(0, ValueType.INT64)}, 4, other)) {
        assertThatThrownBy(() -> cpu.merge(differs))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("cannot merge");
      }
      assertThatThrownBy(() -> cpu.merge(cpu)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> cpu.resultDouble(0, 0))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  // ---- helpers ----

  record Batch(List<KeyColumn> keys, List<ValueColumn> values) {}

  static Batch batch(
      Arena arena,
      SplittableRandom rnd,
      List<KeyType> keyTypes,
      int n,
      int distinct,
      double nullRate) {
    List<KeyColumn> keys = new ArrayList<>();
    // several columns: fewer distinct values each, so that combinations repeat
    int perColumn =
        keyTypes.size() == 1
            ? distinct
            : Math.max(2, (int) Math.ceil(Math.pow(distinct, 1.0 / keyTypes.size())));
    for (KeyType t : keyTypes) {
      keys.add(HashTestData.column(arena, rnd, t, n, perColumn, nullRate));
    }
    List<ValueColumn> values =
        List.of(
            HashTestData.longValues(arena, rnd, n, 1_000_000_000L, nullRate),
            HashTestData.doubleValues(arena, rnd, n, nullRate));
    return new Batch(keys, values);
  }

  static GroupByHashTable table(
      List<KeyType> keyTypes, Agg[] aggs, int initialCapacity, MemoryConsumer consumer) {
    return GroupByHashTable.builder()
        .keys(keyTypes.toArray(new KeyType[0]))
        .aggregates(aggs)
        .initialCapacity(initialCapacity)
        .consumer(consumer)
        .build();
  }

  /** Same groups in the same order, same keys and results (doubles compared bit for bit). */
  static void assertSameGroups(GroupByHashTable expected, GroupByHashTable actual, String what) {
    assertThat(actual.groupCount()).as(what + ": group count").isEqualTo(expected.groupCount());
    List<List<@Nullable Object>> e = new ArrayList<>();
    List<List<@Nullable Object>> a = new ArrayList<>();
    for (int g = 0; g < expected.groupCount(); g++) {
      e.add(groupRow(expected, g));
      a.add(groupRow(actual, g));
    }
    if (!a.equals(e)) {
      for (int g = 0; g < e.size(); g++) {
        assertThat(a.get(g)).as(what + ": group " + g).isEqualTo(e.get(g));
      }
    }
  }

  /**
   * Same set of groups with the same results, in any order; float64 sums and averages may differ in
   * rounding (they were added in another order).
   */
  static void assertSameResultsAnyOrder(
      GroupByHashTable expected, GroupByHashTable actual, String what) {
    assertThat(actual.groupCount()).as(what).isEqualTo(expected.groupCount());
    int keys = expected.keyTypes().size();
    Map<List<@Nullable Object>, Integer> byKey = new HashMap<>();
    List<List<@Nullable Object>> actualRows = new ArrayList<>();
    for (int g = 0; g < actual.groupCount(); g++) {
      actualRows.add(groupRow(actual, g));
      byKey.put(actualRows.get(g).subList(0, keys), g);
    }
    for (int g = 0; g < expected.groupCount(); g++) {
      List<@Nullable Object> e = groupRow(expected, g);
      Integer ag = byKey.get(e.subList(0, keys));
      assertThat(ag).as(what + ": group with key " + e.subList(0, keys)).isNotNull();
      for (int a = 0; a < expected.aggregates().size(); a++) {
        Agg agg = expected.aggregates().get(a);
        Object ev = e.get(keys + a);
        Object av = actualRows.get(ag).get(keys + a);
        if (Objects.equals(ev, av)) {
          continue;
        }
        String at = what + ": group " + e.subList(0, keys) + ", aggregate " + agg;
        boolean rounding =
            agg.inputType() == ValueType.FLOAT64
                && (agg.kind() == GroupByHashTable.AggKind.SUM
                    || agg.kind() == GroupByHashTable.AggKind.AVG);
        if (rounding && !expected.isResultNull(g, a)) {
          double x = expected.resultDouble(g, a);
          double y = actual.resultDouble(ag, a);
          if (Double.isNaN(x) && Double.isNaN(y)) {
            continue;
          }
          if (!Double.isFinite(x) || !Double.isFinite(y) || Math.abs(x) > 1e300) {
            // with +-Double.MAX_VALUE among the inputs, whether and how a sum overflows (+inf,
            // -inf, NaN, or a finite value near MAX_VALUE) depends on the order of the additions;
            // the same-order comparisons with the reference check these bit for bit
            assertThat(Double.isFinite(x) && Double.isFinite(y) ? Math.abs(y) : Double.MAX_VALUE)
                .as(at + ": " + x + " vs " + y)
                .isGreaterThan(1e300);
          } else {
            assertThat(y).as(at).isCloseTo(x, within(1e-6 + 1e-12 * Math.abs(x)));
          }
        } else {
          assertThat(av).as(at).isEqualTo(ev);
        }
      }
    }
  }

  /** A group as a list of printable values: keys, then results (null as "null"). */
  static List<@Nullable Object> groupRow(GroupByHashTable t, int g) {
    List<@Nullable Object> row = new ArrayList<>();
    for (int k = 0; k < t.keyTypes().size(); k++) {
      if (t.isKeyNull(g, k)) {
        row.add(null);
        continue;
      }
      switch (t.keyTypes().get(k)) {
        case INT32, INT64, DATE32 -> row.add(t.keyLong(g, k));
        case FLOAT64 -> row.add("d" + Long.toHexString(Double.doubleToLongBits(t.keyDouble(g, k))));
        case UTF8 -> row.add(Arrays.toString(t.keyBytes(g, k)));
      }
    }
    for (int a = 0; a < t.aggregates().size(); a++) {
      if (t.isResultNull(g, a)) {
        row.add("null");
      } else if (t.aggregates().get(a).resultType() == ValueType.INT64) {
        row.add(t.resultLong(g, a));
      } else {
        row.add("d" + Long.toHexString(Double.doubleToLongBits(t.resultDouble(g, a))));
      }
    }
    return row;
  }
}
