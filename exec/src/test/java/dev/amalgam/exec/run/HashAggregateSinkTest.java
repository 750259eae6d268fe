package dev.amalgam.exec.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.expr.AggCall;
import dev.amalgam.exec.run.JoinTestData.ChunksSource;
import dev.amalgam.exec.run.JoinTestData.Fixture;
import dev.amalgam.kernels.TableFullException;
import dev.amalgam.memory.pool.MemoryLimitExceededException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hash aggregation's worker tables and their merge (on one thread, or in parallel through hash
 * partitions), against a plain Java reference on random rows with nulls. The parallel merge's
 * threshold is lowered so that small inputs take it. The seed is printed in every assertion.
 */
final class HashAggregateSinkTest {
  private static final DataType[] TYPES = {DataType.INT64, DataType.UTF8, DataType.INT64};
  private static final BoundExpr K = new BoundExpr.ColumnRef(0, DataType.INT64, "k");
  private static final BoundExpr S = new BoundExpr.ColumnRef(1, DataType.UTF8, "s");
  private static final BoundExpr V = new BoundExpr.ColumnRef(2, DataType.INT64, "v");

  private static final List<AggSpec> AGGS =
      List.of(
          new AggSpec(AggCall.Function.SUM, V, DataType.INT64, "sum"),
          new AggSpec(AggCall.Function.COUNT_STAR, null, DataType.INT64, "n"),
          new AggSpec(AggCall.Function.COUNT, V, DataType.INT64, "nv"),
          new AggSpec(AggCall.Function.MIN, V, DataType.INT64, "lo"),
          new AggSpec(AggCall.Function.MAX, V, DataType.INT64, "hi"));

  private static List<Object[]> rows(SplittableRandom rnd, int n, int distinct) {
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long k = rnd.nextInt(distinct);
      out.add(
          new Object[] {
            rnd.nextInt(50) == 0 ? null : k,
            rnd.nextInt(40) == 0 ? null : "s" + (k % 97),
            rnd.nextInt(10) == 0 ? null : (long) rnd.nextInt(2_000_000) - 1_000_000
          });
    }
    return out;
  }

  /** Per key (a list of the key values), sum, count(*), count(v), min, max (null: no value). */
  private static Map<List<Object>, List<Object>> reference(List<Object[]> rows, int[] keyCols) {
    Map<List<Object>, long[]> acc = new HashMap<>();
    for (Object[] r : rows) {
      List<Object> key = new ArrayList<>();
      for (int k : keyCols) {
        key.add(r[k]);
      }
      long[] a =
          acc.computeIfAbsent(key, x -> new long[] {0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE});
      a[1]++;
      if (r[2] != null) {
        long v = (Long) r[2];
        a[0] += v;
        a[2]++;
        a[3] = Math.min(a[3], v);
        a[4] = Math.max(a[4], v);
      }
    }
    Map<List<Object>, List<Object>> out = new HashMap<>();
    acc.forEach(
        (key, a) ->
            out.put(
                key,
                a[2] == 0
                    ? Arrays.asList(null, a[1], 0L, null, null)
                    : Arrays.asList(a[0], a[1], a[2], a[3], a[4])));
    return out;
  }

  private static Map<List<Object>, List<Object>> results(HashAggregateSink sink, int keys) {
    Map<List<Object>, List<Object>> out = new HashMap<>();
    for (Chunk c : sink.take()) {
      try (c) {
        for (int r = 0; r < c.rows(); r++) {
          List<Object> key = new ArrayList<>();
          for (int k = 0; k < keys; k++) {
            key.add(c.column(k).getObject(r));
          }
          List<Object> values = new ArrayList<>();
          for (int a = 0; a < AGGS.size(); a++) {
            values.add(c.column(keys + a).getObject(r));
          }
          assertThat(out.put(key, values)).as("key %s written twice", key).isNull();
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "keys {0}")
  @CsvSource({"0", "'0,1'", "1"})
  void parallelMerge_ofWorkerTables_matchesTheReference(String keys) {
    long seed = JoinTestData.BASE_SEED ^ System.nanoTime();
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] keyCols = Arrays.stream(keys.split(",")).mapToInt(Integer::parseInt).toArray();
    List<BoundExpr> keyExprs = Arrays.stream(keyCols).mapToObj(k -> k == 0 ? K : S).toList();
    JoinTestData.Table table = new JoinTestData.Table(TYPES, rows(rnd, 6000, 2000));
    try (Fixture f = new Fixture(2)) {
      List<Chunk> cs = JoinTestData.chunks(table, 700, rnd, f.input);
      try (ChunksSource s = new ChunksSource(cs, true);
          HashAggregateSink sink = new HashAggregateSink(keyExprs, AGGS).withParallelMergeFrom(1)) {
        f.scheduler.run(new Pipeline(0, s, List.of(), sink), f.query);
        List<Object[]> delivered = JoinTestData.delivered(table, cs, true);
        assertThat(results(sink, keyCols.length))
            .as("seed %d", seed)
            .isEqualTo(reference(delivered, keyCols));
        assertThat(sink.parallelMerges()).isEqualTo(HashAggregateSink.PARTITIONS);
        assertThat(sink.spilledGroups()).isZero();
      } finally {
        cs.forEach(Chunk::close);
      }
      assertThat(f.query.stateConsumer().reserved()).as("seed %d", seed).isZero();
    }
  }

  @Test
  void workerTables_mergedOnOneThread_matchTheReference() {
    long seed = JoinTestData.BASE_SEED ^ System.nanoTime();
    SplittableRandom rnd = new SplittableRandom(seed);
    JoinTestData.Table table = new JoinTestData.Table(TYPES, rows(rnd, 5000, 1500));
    try (Fixture f = new Fixture(2)) {
      List<Chunk> cs = JoinTestData.chunks(table, 500, rnd, f.input);
      try (ChunksSource s = new ChunksSource(cs, false);
          HashAggregateSink sink = new HashAggregateSink(List.of(K), AGGS)) {
        f.scheduler.run(new Pipeline(0, s, List.of(), sink), f.query);
        assertThat(results(sink, 1))
            .as("seed %d", seed)
            .isEqualTo(reference(table.rows(), new int[] {0}));
        assertThat(sink.parallelMerges()).isZero();
      } finally {
        cs.forEach(Chunk::close);
      }
    }
  }

  /**
   * Under memory limits from tight to ample, an aggregation either spills and is still right, or
   * fails with a memory error; nothing stays reserved either way. Below a few MiB whether it fails
   * depends on the workers' timing: a worker whose table cannot get its first block fails the query
   * while the other workers hold the memory. The ample limit must always succeed.
   */
  @ParameterizedTest(name = "limit {0} KiB")
  @CsvSource({"700, false", "1500, false", "2500, false", "8000, false", "32000, true"})
  void parallelMerge_underAMemoryLimit_spillsAndMatchesTheReferenceOrFailsCleanly(
      int kib, boolean mustFit) {
    long seed = JoinTestData.BASE_SEED ^ System.nanoTime();
    SplittableRandom rnd = new SplittableRandom(seed);
    JoinTestData.Table table = new JoinTestData.Table(TYPES, rows(rnd, 30_000, 20_000));
    try (Fixture f = new Fixture(2, kib * 1024L)) {
      List<Chunk> cs = JoinTestData.chunks(table, 2000, rnd, f.input);
      try (ChunksSource s = new ChunksSource(cs, false);
          HashAggregateSink sink =
              new HashAggregateSink(List.of(K, S), AGGS).withParallelMergeFrom(1)) {
        try {
          f.scheduler.run(new Pipeline(0, s, List.of(), sink), f.query);
        } catch (TableFullException | MemoryLimitExceededException e) {
          System.out.println(
              "HashAggregateSinkTest limit " + kib + " KiB, seed " + seed + ": failed: " + e);
          assertThat(mustFit).as("seed %d: %s", seed, e).isFalse();
          assertThat(e.getMessage()).as("seed %d", seed).contains("join-test operator");
          return;
        }
        System.out.println(
            "HashAggregateSinkTest limit " + kib + " KiB, seed " + seed + ": " + sink.describe());
        assertThat(results(sink, 2))
            .as("seed %d, limit %d KiB", seed, kib)
            .isEqualTo(reference(table.rows(), new int[] {0, 1}));
      } finally {
        cs.forEach(Chunk::close);
        assertThat(f.query.stateConsumer().reserved()).as("seed %d", seed).isZero();
      }
    }
  }

  @Test
  void close_beforeFinish_releasesTheWorkerTables() {
    long seed = JoinTestData.BASE_SEED;
    SplittableRandom rnd = new SplittableRandom(seed);
    JoinTestData.Table table = new JoinTestData.Table(TYPES, rows(rnd, 3000, 3000));
    try (Fixture f = new Fixture(1)) {
      List<Chunk> cs = JoinTestData.chunks(table, 500, rnd, f.input);
      try (Worker w = new Worker(f.scheduler.members().get(0), 0, f.query)) {
        HashAggregateSink sink = new HashAggregateSink(List.of(K), AGGS);
        Op local = sink.createLocal(w);
        for (Chunk c : cs) {
          local.push(c.asBatch());
        }
        assertThat(f.query.stateConsumer().reserved()).isPositive();
        sink.combine(local);
        sink.close();
        assertThat(f.query.stateConsumer().reserved()).isZero();
      } finally {
        cs.forEach(Chunk::close);
      }
    }
  }
}
