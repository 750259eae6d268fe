package dev.amalgam.kernels;

import static dev.amalgam.kernels.JoinHashTableTest.drain;
import static dev.amalgam.kernels.JoinHashTableTest.exists;
import static dev.amalgam.kernels.JoinHashTableTest.keys;
import static dev.amalgam.kernels.JoinHashTableTest.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.kernels.reference.ScalarJoinHashTable;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

final class PartitionedJoinHashTableTest {
  private static final long MIB = 1 << 20;

  private static final List<List<KeyType>> KEY_SETS =
      List.of(
          List.of(KeyType.INT64),
          List.of(KeyType.UTF8),
          List.of(KeyType.DATE32, KeyType.UTF8),
          List.of(KeyType.INT64, KeyType.FLOAT64, KeyType.INT32));

  /** One batch of build rows: keys and an optional selection. */
  private record BuildBatch(List<KeyColumn> keys, int n, @Nullable MemorySegment sel, long id) {}

  @Test
  void probes_matchTheReferenceInOrder_forEveryPartitionCountAndBothBuildPaths() throws Exception {
    long seed = HashTestData.seed();
    SplittableRandom rnd = new SplittableRandom(seed);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try (MemoryPool pool = MemoryPool.create("test", 512 * MIB);
        Arena arena = Arena.ofShared()) {
      for (List<KeyType> keyTypes : KEY_SETS) {
        for (int partitions : new int[] {1, 2, 4, 16}) {
          for (boolean concurrent : new boolean[] {false, true}) {
            int n = 1 + rnd.nextInt(6000);
            String what =
                "seed "
                    + seed
                    + ", keys "
                    + keyTypes
                    + ", partitions "
                    + partitions
                    + ", concurrent "
                    + concurrent
                    + ", n "
                    + n;
            try (MemoryConsumer consumer = pool.consumer("join");
                JoinHashTable.Partitioned t =
                    JoinHashTable.builder()
                        .keys(keyTypes.toArray(new KeyType[0]))
                        .initialCapacity(rnd.nextInt(2 * n))
                        .consumer(consumer)
                        .buildPartitioned(partitions)) {
              JoinHashTable ref = new ScalarJoinHashTable(keyTypes);
              boolean unique = rnd.nextInt(3) == 0;
              int distinct = unique ? 8 * n : Math.max(1, n / (1 + rnd.nextInt(8)));
              List<BuildBatch> batches = new ArrayList<>();
              for (int b = 0; b < 3; b++) {
                List<KeyColumn> k = keys(arena, rnd, keyTypes, n, distinct, unique ? 0 : 0.1);
                HashTestData.Sel sel =
                    rnd.nextBoolean() ? HashTestData.selection(arena, rnd, n) : null;
                batches.add(
                    new BuildBatch(
                        k,
                        sel == null ? n : sel.count(),
                        sel == null ? null : sel.rows(),
                        (long) b << 16));
              }
              for (BuildBatch b : batches) {
                ref.add(b.keys(), b.n(), b.sel(), b.id());
              }
              if (concurrent) {
                addByPartition(t, batches, n, arena, threads);
              } else {
                for (BuildBatch b : batches) {
                  t.add(b.keys(), b.n(), b.sel(), b.id());
                }
              }
              assertThat(t.rowCount()).as(what).isEqualTo(ref.rowCount());
              assertThat(t.keyCount()).as(what).isEqualTo(ref.keyCount());
              assertThat(t.hasDuplicateKeys()).as(what).isEqualTo(ref.hasDuplicateKeys());
              // probe keys without nulls take the tables' dense paths for a single int64 key
              double probeNulls = rnd.nextBoolean() ? 0.1 : 0;
              List<KeyColumn> probe =
                  keys(arena, rnd, keyTypes, n, unique ? 4 * n : 2 * distinct, probeNulls);
              for (boolean selected : new boolean[] {false, true}) {
                HashTestData.Sel sel = selected ? HashTestData.selection(arena, rnd, n) : null;
                int count = sel == null ? n : sel.count();
                MemorySegment rows = sel == null ? null : sel.rows();
                String at = what + ", probe nulls " + probeNulls + ", probe sel " + selected;
                for (int capacity : new int[] {1, 7, 4096}) {
                  assertThat(drain(t, probe, count, rows, capacity, arena))
                      .as(at + ", capacity " + capacity)
                      .isEqualTo(drain(ref, probe, count, rows, capacity, arena));
                }
                assertThat(exists(t, probe, count, rows, true, arena))
                    .as(at + ", semi")
                    .isEqualTo(exists(ref, probe, count, rows, true, arena));
                assertThat(exists(t, probe, count, rows, false, arena))
                    .as(at + ", anti")
                    .isEqualTo(exists(ref, probe, count, rows, false, arena));
                if (!ref.hasDuplicateKeys()) {
                  assertThat(unique(t, probe, count, rows, arena))
                      .as(at + ", unique")
                      .isEqualTo(unique(ref, probe, count, rows, arena));
                } else {
                  assertThatThrownBy(() -> unique(t, probe, count, rows, arena))
                      .isInstanceOf(IllegalStateException.class)
                      .hasMessageContaining("duplicate keys");
                }
              }
              // rows added after probes (which built the Bloom filter) are found by later probes
              List<KeyColumn> more = keys(arena, rnd, keyTypes, n, 4 * n, 0);
              ref.add(more, n, null, 3L << 16);
              t.add(more, n, null, 3L << 16);
              assertThat(exists(t, probe, n, null, true, arena))
                  .as(what + ", semi after a later add")
                  .isEqualTo(exists(ref, probe, n, null, true, arena));
              assertThat(exists(t, more, n, null, true, arena))
                  .as(what + ", the added keys")
                  .isEqualTo(exists(ref, more, n, null, true, arena));
            }
            assertThat(pool.reserved()).as(what).isZero();
          }
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** Splits every batch by partition, then fills the partitions on several threads at once. */
  private static void addByPartition(
      JoinHashTable.Partitioned t,
      List<BuildBatch> batches,
      int n,
      Arena arena,
      ExecutorService threads)
      throws Exception {
    int p = t.partitions();
    List<List<int[]>> rowsOf = new ArrayList<>();
    for (BuildBatch b : batches) {
      MemorySegment part = arena.allocate(4L * n);
      t.partitionOf(b.keys(), b.n(), b.sel(), part);
      List<int[]> perPartition = new ArrayList<>();
      int[][] lists = new int[p][b.n()];
      int[] counts = new int[p];
      for (int k = 0; k < b.n(); k++) {
        int r = b.sel() == null ? k : b.sel().getAtIndex(ArrowLayout.INT32, k);
        int q = part.getAtIndex(ArrowLayout.INT32, r);
        assertThat(q).isBetween(0, p - 1);
        lists[q][counts[q]++] = r;
      }
      for (int q = 0; q < p; q++) {
        perPartition.add(java.util.Arrays.copyOf(lists[q], counts[q]));
      }
      rowsOf.add(perPartition);
    }
    List<Future<?>> done = new ArrayList<>();
    for (int q = 0; q < p; q++) {
      int partition = q;
      done.add(
          threads.submit(
              () -> {
                for (int i = 0; i < batches.size(); i++) {
                  int[] rows = rowsOf.get(i).get(partition);
                  if (rows.length == 0) {
                    continue;
                  }
                  MemorySegment sel = arena.allocate(4L * rows.length);
                  MemorySegment.copy(rows, 0, sel, ArrowLayout.INT32, 0, rows.length);
                  BuildBatch b = batches.get(i);
                  t.addTo(partition, b.keys(), rows.length, sel, b.id());
                }
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
  }

  @Test
  void buildPartitioned_refusesABadPartitionCount() {
    try (MemoryPool pool = MemoryPool.create("test", 16 * MIB);
        MemoryConsumer consumer = pool.consumer("join")) {
      for (int bad : new int[] {0, 3, 128}) {
        assertThatThrownBy(
                () ->
                    JoinHashTable.builder()
                        .keys(KeyType.INT64)
                        .consumer(consumer)
                        .buildPartitioned(bad))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("power of two in [1, 64], was " + bad);
      }
      assertThat(pool.reserved()).isZero();
    }
  }
}
