package dev.amalgam.exec;

import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.countStar;
import static dev.amalgam.exec.expr.Exprs.max;
import static dev.amalgam.exec.expr.Exprs.min;
import static dev.amalgam.exec.expr.Exprs.sum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.run.JoinType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Breakers large enough to finish in parallel (an aggregation of 64Ki groups or more merges in hash
 * partitions, a join build of 64Ki rows or more is partitioned), against plain Java references. The
 * seed is printed in every assertion.
 */
final class ParallelBreakersTest {
  private static final int ROWS = 200_000;
  private static final int KEYS = 90_000;
  private final long seed = Long.getLong("amalgam.test.seed", System.nanoTime());
  private Engine engine;
  private long[] k;
  private long[] v;
  private String[] s;

  @BeforeEach
  void load() {
    System.out.println("ParallelBreakersTest seed " + seed);
    Random rnd = new Random(seed);
    engine = Engine.open("fused-pair");
    k = new long[ROWS];
    v = new long[ROWS];
    s = new String[ROWS];
    for (int i = 0; i < ROWS; i++) {
      k[i] = rnd.nextInt(KEYS);
      v[i] = rnd.nextInt(1_000_000) - 500_000;
      s[i] = "s" + (k[i] % 7_919);
    }
    engine
        .createTable(
            "facts",
            Schema.of(
                Field.of("k", DataType.INT64),
                Field.of("v", DataType.INT64),
                Field.of("s", DataType.UTF8)))
        .addColumns(k, v, s)
        .build();
    // the dimension: keys 0, 2, 4, ... below 2 * KEYS, so that about half the facts match
    long[] dk = new long[KEYS];
    long[] dv = new long[KEYS];
    for (int i = 0; i < KEYS; i++) {
      dk[i] = 2L * i;
      dv[i] = i % 13;
    }
    engine
        .createTable(
            "dim", Schema.of(Field.of("dk", DataType.INT64), Field.of("dv", DataType.INT64)))
        .addColumns(dk, dv)
        .build();
  }

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void groupByManyKeys_mergesInParallel_andMatchesTheReference() {
    Map<Long, long[]> want = new HashMap<>();
    for (int i = 0; i < ROWS; i++) {
      long[] a = want.computeIfAbsent(k[i], x -> new long[] {0, 0, Long.MAX_VALUE, Long.MIN_VALUE});
      a[0] += v[i];
      a[1]++;
      a[2] = Math.min(a[2], v[i]);
      a[3] = Math.max(a[3], v[i]);
    }
    Query q =
        engine
            .table("facts")
            .groupBy("k")
            .agg(
                sum(col("v")).as("s"),
                countStar().as("n"),
                min(col("v")).as("lo"),
                max(col("v")).as("hi"));
    Result r = q.execute();
    assertThat(r.rowCount()).as("seed %d", seed).isEqualTo(want.size());
    for (int i = 0; i < r.rowCount(); i++) {
      Result.Row row = r.row(i);
      long[] a = want.get(row.getLong("k"));
      assertThat(a).as("seed %d, key %d", seed, row.getLong("k")).isNotNull();
      assertThat(
              new long[] {row.getLong("s"), row.getLong("n"), row.getLong("lo"), row.getLong("hi")})
          .as("seed %d, key %d", seed, row.getLong("k"))
          .containsExactly(a);
    }
    assertThat(q.explainAnalyze().analysis()).contains("merged in parallel in 16 partitions");
  }

  @Test
  void groupByUtf8Keys_belowTheThreshold_mergesOnOneThread() {
    Set<String> distinct = new HashSet<>(List.of(s));
    Query q = engine.table("facts").groupBy("s").agg(countStar().as("n"));
    assertThat(q.execute().rowCount()).as("seed %d", seed).isEqualTo(distinct.size());
    assertThat(q.explainAnalyze().analysis()).doesNotContain("merged in parallel");
  }

  @Test
  void joinsWithALargeBuild_partitionTheBuild_andMatchTheReference() {
    Map<Long, Long> dim = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      dim.put(2L * i, (long) (i % 13));
    }
    long innerRows = 0;
    long innerSum = 0;
    Set<Long> matchedDim = new HashSet<>();
    for (int i = 0; i < ROWS; i++) {
      Long d = dim.get(k[i]);
      if (d != null) {
        innerRows++;
        innerSum += v[i] * d;
        matchedDim.add(k[i]);
      }
    }
    for (JoinType type : JoinType.values()) {
      Query q =
          engine
              .table("facts")
              .join(engine.table("dim"), col("k").eq(col("dk")), type)
              .agg(countStar().as("n"));
      long want =
          switch (type) {
            case INNER -> innerRows;
            case LEFT -> ROWS;
            case RIGHT -> innerRows + (KEYS - matchedDim.size());
            case FULL -> ROWS + (KEYS - matchedDim.size());
            case SEMI -> innerRows;
            case ANTI -> ROWS - innerRows;
            case RIGHT_SEMI -> matchedDim.size();
            case RIGHT_ANTI -> KEYS - matchedDim.size();
          };
      assertThat(q.execute().row(0).getLong("n")).as("%s, seed %d", type, seed).isEqualTo(want);
      assertThat(q.explainAnalyze().analysis())
          .as("%s", type)
          .contains("hash partitions built in parallel");
    }
    Result r =
        engine
            .table("facts")
            .join(engine.table("dim"), col("k").eq(col("dk")))
            .agg(sum(col("v").times(col("dv"))).as("x"))
            .execute();
    assertThat(r.row(0).getLong("x")).as("seed %d", seed).isEqualTo(innerSum);
  }
}
