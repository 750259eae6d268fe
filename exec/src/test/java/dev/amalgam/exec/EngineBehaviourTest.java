package dev.amalgam.exec;

import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.countStar;
import static dev.amalgam.exec.expr.Exprs.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.memory.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Errors, cancellation, timeouts, memory limits and concurrent queries on one engine. */
final class EngineBehaviourTest {
  private static final int ROWS = 200_000;
  private Engine engine;

  @BeforeEach
  void setUp() {
    engine = Engine.builder().topology(Topology.preset("fused-pair")).pageSize(64 << 10).build();
    TableBuilder b =
        engine.createTable(
            "t",
            Schema.of(
                Field.notNull("k", DataType.INT64),
                Field.notNull("v", DataType.INT64),
                Field.of("s", DataType.UTF8)));
    for (long i = 0; i < ROWS; i++) {
      b.addRow(i % 100, i, i % 7 == 0 ? null : "s" + (i % 13));
    }
    b.build();
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  private long total() {
    return (long) ROWS * (ROWS - 1) / 2;
  }

  private Query sumAll() {
    return engine.table("t").agg(sum(col("v")).as("s"), countStar().as("n"));
  }

  @Test
  void unknownColumn_namesItAndTheColumns_engineStaysUsable() {
    assertThatThrownBy(() -> engine.table("t").filter(col("nope").gt(1)))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("nope")
        .hasMessageContaining("k, v, s");
    assertThat(sumAll().execute().row(0).getLong("s")).isEqualTo(total());
  }

  @Test
  void typeError_saysBothTypes() {
    assertThatThrownBy(() -> engine.table("t").filter(col("s").lt(5)))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("utf8")
        .hasMessageContaining("int32");
  }

  @Test
  void unknownTable_listsTables() {
    assertThatThrownBy(() -> engine.table("missing"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing")
        .hasMessageContaining("t");
  }

  @Test
  void divisionByZero_failsTheQuery_engineStaysUsable() {
    assertThatThrownBy(() -> engine.table("t").select(col("v").div(col("k"))).execute())
        .isInstanceOf(QueryException.class)
        .extracting(e -> ((QueryException) e).code())
        .isEqualTo(QueryException.Code.ARITHMETIC);
    assertThat(sumAll().execute().row(0).getLong("s")).isEqualTo(total());
  }

  @Test
  void concurrentQueries_allGetTheRightAnswer() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Long>> f = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        long bound = i * 10_000L;
        f.add(
            pool.submit(
                () ->
                    engine
                        .table("t")
                        .filter(col("v").lt(bound))
                        .agg(countStar().as("n"))
                        .execute()
                        .row(0)
                        .getLong("n")));
      }
      for (int i = 0; i < f.size(); i++) {
        assertThat(f.get(i).get()).isEqualTo(i * 10_000L);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentQueries_onATinyTopologyThatEvicts_allGetTheRightAnswer() throws Exception {
    try (Engine tiny =
        Engine.builder()
            .topology(Topology.preset("fused-pair", 1L << 20, 4L << 20))
            .pageSize(64 << 10)
            .workersPerMember(1)
            .build()) {
      TableBuilder b =
          tiny.createTable(
              "u",
              Schema.of(Field.notNull("k", DataType.INT64), Field.notNull("v", DataType.INT64)));
      for (long i = 0; i < 200_000; i++) {
        b.addRow(i % 1000, i);
      }
      b.build();
      TableBuilder d =
          tiny.createTable(
              "d",
              Schema.of(Field.notNull("dk", DataType.INT64), Field.notNull("w", DataType.INT64)));
      for (long i = 0; i < 1000; i++) {
        d.addRow(i, i % 2);
      }
      d.build();
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<Long>> f = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
          int kind = i % 3;
          f.add(
              pool.submit(
                  () ->
                      switch (kind) {
                        case 0 ->
                            tiny.table("u")
                                .agg(sum(col("v")).as("s"))
                                .execute()
                                .row(0)
                                .getLong("s");
                        case 1 ->
                            (long)
                                tiny.table("u")
                                    .groupBy("k")
                                    .agg(countStar().as("n"))
                                    .execute()
                                    .rowCount();
                        default ->
                            tiny.table("u")
                                .join(
                                    tiny.table("d").filter(col("w").eq(1L)), col("k").eq(col("dk")))
                                .agg(countStar().as("n"))
                                .execute()
                                .row(0)
                                .getLong("n");
                      }));
        }
        for (int i = 0; i < f.size(); i++) {
          long expected =
              switch (i % 3) {
                case 0 -> 200_000L * 199_999 / 2;
                case 1 -> 1000;
                default -> 100_000;
              };
          assertThat(f.get(i).get()).as("query " + i).isEqualTo(expected);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(tiny.memory().stats().device("gpu0").evictions()).isPositive();
    }
  }

  @Test
  void cancel_stopsTheQuery_withCancelledCode() {
    Engine.Handle h = new Engine.Handle();
    h.cancel();
    assertThatThrownBy(() -> sumAll().execute(h))
        .isInstanceOf(QueryException.class)
        .extracting(e -> ((QueryException) e).code())
        .isEqualTo(QueryException.Code.CANCELLED);
    assertThat(engine.runningQueries()).isZero();
    assertThat(sumAll().execute().row(0).getLong("n")).isEqualTo(ROWS);
  }

  @Test
  void timeout_stopsTheQuery_withTimeoutCode() {
    assertThatThrownBy(() -> sumAll().timeout(Duration.ofNanos(1)).execute())
        .isInstanceOf(QueryException.class)
        .extracting(e -> ((QueryException) e).code())
        .isEqualTo(QueryException.Code.TIMEOUT);
    assertThat(sumAll().execute().row(0).getLong("n")).isEqualTo(ROWS);
  }

  @Test
  void aggregationOverTheQueryLimit_spillsPartitions_andIsCorrect() {
    try (Engine small =
        Engine.builder()
            .topology(Topology.preset("fused-pair", 4L << 20, 16L << 20))
            .pageSize(64 << 10)
            .queryMemoryLimit(6L << 20)
            .build()) {
      TableBuilder b =
          small.createTable(
              "u",
              Schema.of(
                  Field.notNull("k", DataType.INT64),
                  Field.notNull("v", DataType.INT64),
                  Field.of("s", DataType.UTF8)));
      for (long i = 0; i < 300_000; i++) {
        b.addRow(i % 150_000, i, "g" + (i % 150_000));
      }
      b.build();
      Result r =
          small
              .table("u")
              .groupBy("k", "s")
              .agg(
                  sum(col("v")).as("sv"),
                  countStar().as("n"),
                  dev.amalgam.exec.expr.Exprs.avg(col("v")).as("a"),
                  dev.amalgam.exec.expr.Exprs.max(col("v")).as("mx"))
              .explainAnalyze();
      assertThat(r.analysis()).contains("spilled");
      System.out.println(r.analysis());
      assertThat(r.rowCount()).isEqualTo(150_000);
      for (Result.Row row : r) {
        long k = row.getLong("k");
        assertThat(row.getString("s")).isEqualTo("g" + k);
        assertThat(row.getLong("sv")).isEqualTo(2 * k + 150_000);
        assertThat(row.getLong("n")).isEqualTo(2);
        assertThat(row.getDouble("a")).isEqualTo(k + 75_000.0);
        assertThat(row.getLong("mx")).isEqualTo(k + 150_000);
      }
    }
  }

  @Test
  void sortOverTheQueryLimit_spillsRuns_andMergesThemInOrder() {
    try (Engine small =
        Engine.builder()
            .topology(Topology.preset("fused-pair", 8L << 20, 32L << 20))
            .pageSize(64 << 10)
            .queryMemoryLimit(4L << 20)
            .build()) {
      TableBuilder b =
          small.createTable(
              "u",
              Schema.of(
                  Field.notNull("k", DataType.INT64),
                  Field.of("s", DataType.UTF8),
                  Field.of("d", DataType.FLOAT64)));
      java.util.Random rnd = new java.util.Random(11);
      List<long[]> expected = new ArrayList<>();
      for (long i = 0; i < 200_000; i++) {
        long k = rnd.nextInt(50_000);
        b.addRow(k, i % 11 == 0 ? null : "s" + (i % 97), (double) i);
        expected.add(new long[] {k, i});
      }
      b.build();
      Result r = small.table("u").orderBy(col("k").desc(), col("d").asc()).explainAnalyze();
      assertThat(r.analysis()).contains("spilled");
      expected.sort((x, y) -> x[0] != y[0] ? Long.compare(y[0], x[0]) : Long.compare(x[1], y[1]));
      assertThat(r.rowCount()).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i += 997) {
        assertThat(r.row(i).getLong("k")).isEqualTo(expected.get(i)[0]);
        assertThat(r.row(i).getDouble("d")).isEqualTo((double) expected.get(i)[1]);
      }
      Result top = small.table("u").orderBy(col("k").desc(), col("d").asc()).limit(5).execute();
      for (int i = 0; i < 5; i++) {
        assertThat(top.row(i).getLong("k")).isEqualTo(expected.get(i)[0]);
      }
    }
  }

  @Test
  void joinOfDictionaryColumnsOverTheQueryLimit_keepsThemEncodedThroughTheSpill_andIsCorrect() {
    for (dev.amalgam.exec.run.JoinType type :
        List.of(
            dev.amalgam.exec.run.JoinType.INNER,
            dev.amalgam.exec.run.JoinType.LEFT,
            dev.amalgam.exec.run.JoinType.FULL)) {
      try (Engine small =
          Engine.builder()
              .topology(Topology.preset("fused-pair", 8L << 20, 64L << 20))
              .pageSize(64 << 10)
              .queryMemoryLimit(3L << 20)
              .build()) {
        TableBuilder b =
            small.createTable(
                "u",
                Schema.of(
                    Field.notNull("k", DataType.INT64), Field.of("s", DataType.DICTIONARY_UTF8)));
        for (long i = 0; i < 120_000; i++) {
          b.addRow(i, i % 5 == 0 ? null : "v" + (i % 7));
        }
        b.build();
        TableBuilder p =
            small.createTable(
                "p",
                Schema.of(
                    Field.notNull("pk", DataType.INT64),
                    Field.notNull("ps", DataType.DICTIONARY_UTF8),
                    Field.notNull("t", DataType.DICTIONARY_UTF8)));
        for (long i = 0; i < 200_000; i += 2) {
          p.addRow(i, "v" + (i % 7), "t" + (i % 3));
        }
        p.build();
        Result r =
            small
                .table("p")
                .join(small.table("u"), col("pk").eq(col("k")).and(col("ps").eq(col("s"))), type)
                .groupBy("t", "s")
                .agg(countStar().as("n"))
                .explainAnalyze();
        assertThat(r.analysis()).as(type.toString()).contains("partitioned join");
        Map<List<String>, Long> want = new HashMap<>();
        for (long i = 0; i < 200_000; i += 2) {
          boolean match = i < 120_000 && i % 5 != 0;
          if (match || type != dev.amalgam.exec.run.JoinType.INNER) {
            want.merge(
                java.util.Arrays.asList("t" + (i % 3), match ? "v" + (i % 7) : null),
                1L,
                Long::sum);
          }
        }
        if (type == dev.amalgam.exec.run.JoinType.FULL) {
          for (long i = 1; i < 120_000; i += 2) {
            want.merge(
                java.util.Arrays.asList(null, i % 5 == 0 ? null : "v" + (i % 7)), 1L, Long::sum);
          }
          want.merge(java.util.Arrays.asList(null, null), 0L, Long::sum);
          for (long i = 0; i < 120_000; i += 2) {
            if (i % 5 == 0) {
              want.merge(java.util.Arrays.asList(null, null), 1L, Long::sum);
            }
          }
        }
        Map<List<String>, Long> got = new HashMap<>();
        for (Result.Row row : r) {
          got.put(
              java.util.Arrays.asList((String) row.get("t"), (String) row.get("s")),
              row.getLong("n"));
        }
        assertThat(got).as(type.toString()).isEqualTo(want);
      }
    }
  }

  @Test
  void joinBuildOverTheQueryLimit_joinsPartitionByPartition_andIsCorrect() {
    for (dev.amalgam.exec.run.JoinType type :
        List.of(
            dev.amalgam.exec.run.JoinType.INNER,
            dev.amalgam.exec.run.JoinType.LEFT,
            dev.amalgam.exec.run.JoinType.FULL,
            dev.amalgam.exec.run.JoinType.ANTI)) {
      try (Engine small =
          Engine.builder()
              .topology(Topology.preset("fused-pair", 8L << 20, 64L << 20))
              .pageSize(64 << 10)
              .queryMemoryLimit(3L << 20)
              .build()) {
        TableBuilder b =
            small.createTable(
                "u", Schema.of(Field.notNull("k", DataType.INT64), Field.of("s", DataType.UTF8)));
        for (long i = 0; i < 120_000; i++) {
          b.addRow(i, i % 5 == 0 ? null : "v" + i);
        }
        b.build();
        TableBuilder p = small.createTable("p", Schema.of(Field.notNull("pk", DataType.INT64)));
        for (long i = 0; i < 200_000; i += 2) {
          p.addRow(i);
        }
        p.build();
        Result r =
            small
                .table("p")
                .join(small.table("u"), col("pk").eq(col("k")), type)
                .agg(countStar().as("n"))
                .explainAnalyze();
        assertThat(r.analysis()).as(type.toString()).contains("partitioned join");
        long expected =
            switch (type) {
              case INNER -> 60_000;
              case LEFT -> 100_000;
              case FULL -> 160_000;
              case ANTI -> 40_000;
              default -> throw new AssertionError(type);
            };
        assertThat(r.row(0).getLong("n")).as(type.toString()).isEqualTo(expected);
      }
    }
  }

  @Test
  void joinPartitionStillOverTheQueryLimit_failsCleanly_andTheNextQueryRuns() {
    try (Engine small =
        Engine.builder()
            .topology(Topology.preset("fused-pair"))
            .pageSize(64 << 10)
            .queryMemoryLimit(1536L << 10)
            .workersPerMember(1)
            .build()) {
      TableBuilder b =
          small.createTable(
              "u",
              Schema.of(Field.notNull("k", DataType.INT64), Field.notNull("v", DataType.INT64)));
      for (long i = 0; i < 300_000; i++) {
        b.addRow(i, i);
      }
      b.build();
      // every build row has the same key: they all land in one partition, which still does not fit
      assertThatThrownBy(
              () ->
                  small
                      .table("u")
                      .antiJoin(
                          small.table("u").select(col("k").mod(1L).as("k2")),
                          col("k").eq(col("k2")))
                      .execute())
          .isInstanceOf(QueryException.class)
          .extracting(e -> ((QueryException) e).code())
          .isEqualTo(QueryException.Code.MEMORY_LIMIT);
      assertThat(small.table("u").agg(countStar().as("n")).execute().row(0).getLong("n"))
          .isEqualTo(300_000);
    }
  }

  @Test
  void badRow_isRejectedWithRowAndColumn_builderStaysUsable() {
    TableBuilder b = engine.createTable("bad", Schema.of(Field.notNull("a", DataType.INT32)));
    assertThatThrownBy(() -> b.addRow("x"))
        .hasMessageContaining("row 0")
        .hasMessageContaining("'a'")
        .hasMessageContaining("int32");
    assertThatThrownBy(() -> b.addRow(1L << 40)).hasMessageContaining("out of range");
    b.addRow(5);
    assertThat(b.build().rowCount()).isEqualTo(1);
  }

  @Test
  void addColumns_buildsTheSameTableAsRows_andChecksLengths() {
    TableBuilder b =
        engine.createTable(
            "c",
            Schema.of(
                Field.notNull("a", DataType.INT64),
                Field.of("b", DataType.FLOAT64),
                Field.of("s", DataType.UTF8)));
    assertThatThrownBy(
            () -> b.addColumns(new long[] {1, 2}, new double[] {1}, new Object[] {"x", null}))
        .hasMessageContaining("'b' has 1 values");
    b.addColumns(new long[] {1, 2, 3}, new double[] {0.5, 1.5, 2.5}, new Object[] {"x", null, "z"});
    b.build();
    Result r = engine.table("c").orderBy("a").execute();
    assertThat(r.toList())
        .containsExactly(
            java.util.Arrays.asList(1L, 0.5, "x"),
            java.util.Arrays.asList(2L, 1.5, null),
            java.util.Arrays.asList(3L, 2.5, "z"));
  }

  @Test
  void explain_showsPlacementAndPipelines() {
    String text = engine.table("t").filter(col("k").eq(3)).agg(countStar()).explain();
    assertThat(text).contains("gpu0", "gpu1", "simulated", "Scan t", "filter", "pipelines");
  }

  @Test
  void explainAnalyze_reportsDevicesAndLinks() {
    Result r = engine.table("t").groupBy("k").agg(countStar().as("n")).explainAnalyze();
    assertThat(r.rowCount()).isEqualTo(100);
    assertThat(r.analysis()).contains("device gpu0", "device gpu1", "morsels", "links", "modeled");
  }

  @Test
  void dropTable_freesItsMemory() {
    long before = engine.memory().allocatedBytes();
    engine.dropTable("t");
    assertThat(engine.memory().allocatedBytes()).isLessThan(before);
    assertThat(engine.hasTable("t")).isFalse();
  }
}
