package dev.amalgam.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.kernels.reference.ScalarJoinHashTable;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryLimitExceededException;
import dev.amalgam.memory.pool.MemoryPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

final class JoinHashTableTest {
  private static final long MIB = 1 << 20;

  private static final List<List<KeyType>> KEY_SETS =
      List.of(
          List.of(KeyType.INT64),
          List.of(KeyType.INT32),
          List.of(KeyType.FLOAT64),
          List.of(KeyType.UTF8),
          List.of(KeyType.DATE32, KeyType.UTF8),
          List.of(KeyType.INT64, KeyType.FLOAT64, KeyType.INT32));

  @Test
  void probe_randomKeysWithDuplicatesAndNulls_matchesReference() {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    try (MemoryPool pool = MemoryPool.create("test", 256 * MIB);
        Arena arena = Arena.ofConfined()) {
      for (List<KeyType> keyTypes : KEY_SETS) {
        for (int n : new int[] {0, 1, 9, 2049, 5000}) {
          String what = "seed " + seed + ", keys " + keyTypes + ", n " + n;
          try (MemoryConsumer consumer = pool.consumer("join");
              JoinHashTable cpu = table(keyTypes, 4, consumer)) {
            JoinHashTable ref = new ScalarJoinHashTable(keyTypes);
            // up to ~8 build rows per key and batch, so that the pairs stay below 100,000
            int distinct = Math.max(1, n / (1 + rnd.nextInt(8)));
            long firstRowId = 0;
            for (int batch = 0; batch < 2; batch++) {
              List<KeyColumn> build = keys(arena, rnd, keyTypes, n, distinct, 0.1);
              HashTestData.Sel sel =
                  rnd.nextBoolean() ? HashTestData.selection(arena, rnd, n) : null;
              int count = sel == null ? n : sel.count();
              MemorySegment rows = sel == null ? null : sel.rows();
              cpu.add(build, count, rows, firstRowId);
              ref.add(build, count, rows, firstRowId);
              firstRowId += 1_000_000_000_000L;
            }
            assertThat(cpu.rowCount()).as(what).isEqualTo(ref.rowCount());
            assertThat(cpu.keyCount()).as(what).isEqualTo(ref.keyCount());
            assertThat(cpu.hasDuplicateKeys()).as(what).isEqualTo(ref.hasDuplicateKeys());
            List<KeyColumn> probe = keys(arena, rnd, keyTypes, n, 2 * distinct, 0.1);
            for (boolean selected : new boolean[] {false, true}) {
              HashTestData.Sel sel = selected ? HashTestData.selection(arena, rnd, n) : null;
              int count = sel == null ? n : sel.count();
              MemorySegment rows = sel == null ? null : sel.rows();
              String at = what + ", probe sel " + selected;
              for (int capacity : new int[] {3, 4096}) {
                assertThat(drain(cpu, probe, count, rows, capacity, arena))
                    .as(at + ", capacity " + capacity)
                    .isEqualTo(drain(ref, probe, count, rows, capacity, arena));
              }
              assertThat(exists(cpu, probe, count, rows, true, arena))
                  .as(at + ", semi")
                  .isEqualTo(exists(ref, probe, count, rows, true, arena));
              assertThat(exists(cpu, probe, count, rows, false, arena))
                  .as(at + ", anti")
                  .isEqualTo(exists(ref, probe, count, rows, false, arena));
              if (!ref.hasDuplicateKeys()) {
                assertThat(unique(cpu, probe, count, rows, arena))
                    .as(at + ", unique")
                    .isEqualTo(unique(ref, probe, count, rows, arena));
              }
            }
          }
          assertThat(pool.reserved()).as(what).isZero();
        }
      }
    }
  }

  @Test
  void probeUnique_uniqueBuildKeys_matchesReferenceAndCursor() {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    try (MemoryPool pool = MemoryPool.create("test", 256 * MIB);
        MemoryConsumer consumer = pool.consumer("join");
        Arena arena = Arena.ofConfined();
        JoinHashTable cpu = table(List.of(KeyType.INT64), 0, consumer)) {
      int n = 30_000;
      MemorySegment build = arena.allocate(8L * n);
      for (int i = 0; i < n; i++) {
        build.setAtIndex(ArrowLayout.INT64, i, i * 3L); // unique: multiples of 3
      }
      List<KeyColumn> buildKeys = List.of(KeyColumn.int64(build, null));
      cpu.add(buildKeys, n, null, 100);
      JoinHashTable ref = new ScalarJoinHashTable(List.of(KeyType.INT64));
      ref.add(buildKeys, n, null, 100);
      assertThat(cpu.hasDuplicateKeys()).isFalse();
      assertThat(cpu.keyCount()).isEqualTo(n);
      List<KeyColumn> probe = keys(arena, rnd, List.of(KeyType.INT64), n, 0, 0.05);
      MemorySegment p = probe.get(0).values();
      for (int i = 0; i < n; i++) {
        p.setAtIndex(ArrowLayout.INT64, i, rnd.nextLong(3L * n + 10));
      }
      List<long[]> pairs = unique(cpu, probe, n, null, arena);
      assertThat(pairs).as("seed %d", seed).isEqualTo(unique(ref, probe, n, null, arena));
      assertThat(pairs).isEqualTo(drain(cpu, probe, n, null, 1000, arena));
      assertThat(pairs.size()).isBetween(n / 4, n / 2);
      // a duplicate makes the fast path refuse
      cpu.add(buildKeys, 1, null, 7);
      assertThat(cpu.hasDuplicateKeys()).isTrue();
      assertThatThrownBy(() -> unique(cpu, probe, n, null, arena))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("duplicate keys");
    }
  }

  @Test
  void probe_nullsAndSpecialDoubles_followSqlSemantics() {
    try (MemoryPool pool = MemoryPool.create("test", 64 * MIB);
        MemoryConsumer consumer = pool.consumer("join");
        Arena arena = Arena.ofConfined();
        JoinHashTable cpu = table(List.of(KeyType.FLOAT64, KeyType.INT32), 4, consumer)) {
      double[] d = {0.0, Double.NaN, 1.0, 2.0};
      int[] i = {1, 1, 1, 1};
      MemorySegment dv = arena.allocate(8 * 4);
      MemorySegment iv = arena.allocate(4 * 4);
      MemorySegment valid = arena.allocate(8);
      for (int r = 0; r < 4; r++) {
        dv.setAtIndex(ArrowLayout.FLOAT64, r, d[r]);
        iv.setAtIndex(ArrowLayout.INT32, r, i[r]);
        Validity.set(valid, r, r != 3);
      }
      cpu.add(List.of(KeyColumn.float64(dv, null), KeyColumn.int32(iv, valid)), 4, null, 0);
      assertThat(cpu.rowCount()).isEqualTo(3); // the null key is not kept
      double[] pd = {-0.0, Double.longBitsToDouble(0xFFF8000000000123L), 1.0, 2.0, 1.0};
      MemorySegment pdv = arena.allocate(8 * 5);
      MemorySegment piv = arena.allocate(4 * 5);
      MemorySegment pvalid = arena.allocate(8);
      for (int r = 0; r < 5; r++) {
        pdv.setAtIndex(ArrowLayout.FLOAT64, r, pd[r]);
        piv.setAtIndex(ArrowLayout.INT32, r, 1);
        Validity.set(pvalid, r, r != 2);
      }
      List<KeyColumn> probe = List.of(KeyColumn.float64(pdv, null), KeyColumn.int32(piv, pvalid));
      // -0.0 finds 0.0, any NaN finds NaN, a null probe key finds nothing, 2.0 was null-keyed
      assertThat(exists(cpu, probe, 5, null, true, arena)).containsExactly(0, 1, 4);
      assertThat(exists(cpu, probe, 5, null, false, arena)).containsExactly(2, 3);
      assertThat(drain(cpu, probe, 5, null, 10, arena))
          .containsExactly(new long[] {0, 0}, new long[] {1, 1}, new long[] {4, 2});
    }
  }

  @Test
  void add_memoryLimitRefusesGrowth_tableStaysUsableAndConsumerBalanced() {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    List<KeyType> keyTypes = List.of(KeyType.UTF8);
    try (MemoryPool pool = MemoryPool.create("tight", 300_000);
        Arena arena = Arena.ofConfined()) {
      try (MemoryConsumer consumer = pool.consumer("build#1")) {
        JoinHashTable cpu = table(keyTypes, 16, consumer);
        JoinHashTable ref = new ScalarJoinHashTable(keyTypes);
        int n = 20_000;
        List<KeyColumn> build = keys(arena, rnd, keyTypes, n, 15_000, 0.05);
        assertThatThrownBy(() -> cpu.add(build, n, null, 0))
            .isInstanceOfSatisfying(
                TableFullException.class,
                e -> {
                  assertThat(e.table()).isEqualTo("build#1");
                  assertThat(e.getCause()).isInstanceOf(MemoryLimitExceededException.class);
                  assertThat(e.getMessage())
                      .contains("join hash table 'build#1' cannot grow")
                      .contains("pool 'tight'");
                  ref.add(build, e.rowsAdded(), null, 0);
                });
        assertThat(consumer.reserved()).isEqualTo(cpu.reservedBytes());
        assertThat(cpu.rowCount()).isEqualTo(ref.rowCount());
        assertThat(drain(cpu, build, n, null, 333, arena))
            .isEqualTo(drain(ref, build, n, null, 333, arena));
        cpu.close();
        cpu.close();
        assertThat(consumer.reserved()).isZero();
        assertThatThrownBy(() -> cpu.probe(build, n, null))
            .isInstanceOf(IllegalStateException.class);
      }
      assertThat(pool.reserved()).isZero();
    }
  }

  @Test
  void probe_concurrentProbesOnAFinishedTable_agree() throws Exception {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    try (MemoryPool pool = MemoryPool.create("test", 64 * MIB);
        MemoryConsumer consumer = pool.consumer("join");
        Arena arena = Arena.ofShared();
        JoinHashTable cpu = table(List.of(KeyType.INT32, KeyType.UTF8), 4, consumer)) {
      List<KeyType> types = List.of(KeyType.INT32, KeyType.UTF8);
      List<KeyColumn> build = keys(arena, rnd, types, 5000, 500, 0.05);
      cpu.add(build, 5000, null, 0);
      List<KeyColumn> probe = keys(arena, rnd, types, 5000, 700, 0.05);
      List<long[]> expected = drain(cpu, probe, 5000, null, 100, arena);
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < 3; t++) {
        Thread th =
            new Thread(
                () -> {
                  try (Arena local = Arena.ofConfined()) {
                    List<long[]> got = drain(cpu, probe, 5000, null, 64, local);
                    if (!equalPairs(got, expected)) {
                      failures.add(new AssertionError("probe on another thread differs"));
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) {
        th.join();
      }
      assertThat(failures).as("seed %d", seed).isEmpty();
    }
  }

  @Test
  void add_badArguments_throwWithClearMessages() {
    try (MemoryPool pool = MemoryPool.create("test", 64 * MIB);
        MemoryConsumer consumer = pool.consumer("join");
        Arena arena = Arena.ofConfined();
        JoinHashTable cpu = table(List.of(KeyType.INT64), 4, consumer)) {
      MemorySegment k = arena.allocate(8L * 10);
      List<KeyColumn> keys = List.of(KeyColumn.int64(k, null));
      assertThatThrownBy(() -> cpu.add(List.of(KeyColumn.int32(k, null)), 10, null, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key column 0 must be INT64 but is INT32");
      assertThatThrownBy(() -> cpu.add(keys, 10, null, -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("firstRowId");
      assertThatThrownBy(() -> cpu.add(List.of(keys.get(0), keys.get(0)), 10, null, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 1 key columns");
      assertThatThrownBy(() -> cpu.probeSemi(keys, 10, null, arena.allocate(39)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("out holds 39 bytes but 40");
      JoinHashTable.Probe probe = cpu.probe(keys, 10, null);
      assertThatThrownBy(() -> probe.next(arena.allocate(40), arena.allocate(79), 10))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("buildRows holds 79 bytes but 80");
      assertThatThrownBy(() -> JoinHashTable.builder().consumer(consumer).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1 to 64 key columns");
    }
  }

  // ---- helpers ----

  static JoinHashTable table(List<KeyType> keyTypes, int initialCapacity, MemoryConsumer c) {
    return JoinHashTable.builder()
        .keys(keyTypes.toArray(new KeyType[0]))
        .initialCapacity(initialCapacity)
        .consumer(c)
        .build();
  }

  static List<KeyColumn> keys(
      Arena arena,
      SplittableRandom rnd,
      List<KeyType> keyTypes,
      int n,
      int distinct,
      double nullRate) {
    List<KeyColumn> keys = new ArrayList<>();
    int perColumn =
        keyTypes.size() == 1
            ? distinct
            : Math.max(2, (int) Math.ceil(Math.pow(distinct, 1.0 / keyTypes.size())));
    for (KeyType t : keyTypes) {
      keys.add(HashTestData.column(arena, rnd, t, n, perColumn, nullRate));
    }
    return keys;
  }

  /** All (probe row, build row id) pairs, fetched {@code capacity} at a time. */
  static List<long[]> drain(
      JoinHashTable t,
      List<KeyColumn> keys,
      int n,
      @Nullable MemorySegment sel,
      int capacity,
      Arena arena) {
    JoinHashTable.Probe probe = t.probe(keys, n, sel);
    MemorySegment p = arena.allocate(4L * capacity);
    MemorySegment b = arena.allocate(8L * capacity);
    List<long[]> pairs = new ArrayList<>();
    while (true) {
      int count = probe.next(p, b, capacity);
      for (int i = 0; i < count; i++) {
        pairs.add(
            new long[] {p.getAtIndex(ArrowLayout.INT32, i), b.getAtIndex(ArrowLayout.INT64, i)});
      }
      if (count < capacity) {
        assertThat(probe.isDone()).isTrue();
        assertThat(probe.next(p, b, capacity)).isZero();
        return new PairList(pairs);
      }
    }
  }

  static List<long[]> unique(
      JoinHashTable t, List<KeyColumn> keys, int n, @Nullable MemorySegment sel, Arena arena) {
    MemorySegment p = arena.allocate(4L * Math.max(1, n));
    MemorySegment b = arena.allocate(8L * Math.max(1, n));
    int count = t.probeUnique(keys, n, sel, p, b);
    List<long[]> pairs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      pairs.add(
          new long[] {p.getAtIndex(ArrowLayout.INT32, i), b.getAtIndex(ArrowLayout.INT64, i)});
    }
    return new PairList(pairs);
  }

  static List<Integer> exists(
      JoinHashTable t,
      List<KeyColumn> keys,
      int n,
      @Nullable MemorySegment sel,
      boolean semi,
      Arena arena) {
    MemorySegment out = arena.allocate(4L * Math.max(1, n));
    int count = semi ? t.probeSemi(keys, n, sel, out) : t.probeAnti(keys, n, sel, out);
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(out.getAtIndex(ArrowLayout.INT32, i));
    }
    return rows;
  }

  static boolean equalPairs(List<long[]> a, List<long[]> b) {
    return new PairList(a).equals(new PairList(b));
  }

  /** A list of pairs that compares (and prints) by content. */
  static final class PairList extends java.util.AbstractList<long[]> {
    private final List<long[]> pairs;

    PairList(List<long[]> pairs) {
      this.pairs = pairs;
    }

    @Override
    public long[] get(int index) {
      return pairs.get(index);
    }

    @Override
    public int size() {
      return pairs.size();
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof List<?> other) || other.size() != size()) {
        return false;
      }
      for (int i = 0; i < size(); i++) {
        if (!(other.get(i) instanceof long[] x) || !java.util.Arrays.equals(x, get(i))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return size();
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder("[");
      for (int i = 0; i < Math.min(size(), 50); i++) {
        s.append(i == 0 ? "" : ", ").append(java.util.Arrays.toString(get(i)));
      }
      return s.append(size() > 50 ? ", ... (" + size() + " pairs)]" : "]").toString();
    }
  }
}
