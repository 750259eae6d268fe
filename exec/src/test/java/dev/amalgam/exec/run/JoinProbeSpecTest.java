package dev.amalgam.exec.run;

import static dev.amalgam.exec.run.JoinTestData.BASE_SEED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.run.JoinTestData.ChunksSource;
import dev.amalgam.exec.run.JoinTestData.Fixture;
import dev.amalgam.exec.run.JoinTestData.Result;
import dev.amalgam.exec.run.JoinTestData.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hash join against a nested-loop reference: every join type over random inputs with nulls,
 * duplicate keys, empty sides, multi-column and float keys, selections and dictionary columns, run
 * on the scheduler over both members of the fused pair. Results compare as multisets. Each case
 * names its seed; {@code -Damalgam.test.seed=N} replaces the base seed.
 */
final class JoinProbeSpecTest {
  private static final DataType DEC = DataType.decimal(12, 2);

  /** probe: k1 int64, p_i32 int32 (never null), k2 utf8, p_f64, p_bool, p_date. */
  private static final DataType[] PROBE = {
    DataType.INT64, DataType.INT32, DataType.UTF8, DataType.FLOAT64, DataType.BOOL, DataType.DATE32
  };

  /** build: b_dec (never null), k2 utf8, b_str, k1 int64, b_bool, b_ts. */
  private static final DataType[] BUILD = {
    DEC, DataType.UTF8, DataType.UTF8, DataType.INT64, DataType.BOOL, DataType.TIMESTAMP
  };

  private static final int[] PROBE_KEYS = {0, 2};
  private static final int[] BUILD_KEYS = {3, 1};

  /** How keys are drawn. */
  private enum Keys {
    /** A few distinct values: many duplicates on both sides. */
    DUPLICATES,
    /** One key value (null aside) on both sides. */
    ALL_DUPLICATE,
    /** Distinct build keys (the unique probe path); probe keys hit about half of them. */
    UNIQUE_BUILD
  }

  private static Object nullable(SplittableRandom rnd, double pNull, Object value) {
    return rnd.nextDouble() < pNull ? null : value;
  }

  private static Table probeTable(SplittableRandom rnd, int rows, Keys keys, int buildRows) {
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      long k1;
      String k2;
      switch (keys) {
        case DUPLICATES -> {
          k1 = rnd.nextInt(8);
          k2 = "s" + rnd.nextInt(3);
        }
        case ALL_DUPLICATE -> {
          k1 = 42;
          k2 = "same";
        }
        default -> {
          k1 = rnd.nextInt(Math.max(1, 2 * buildRows));
          k2 = "u" + (k1 % 5);
        }
      }
      out.add(
          new Object[] {
            nullable(rnd, 0.08, k1),
            i,
            nullable(rnd, 0.08, k2),
            nullable(rnd, 0.2, rnd.nextDouble()),
            nullable(rnd, 0.2, rnd.nextBoolean()),
            nullable(rnd, 0.2, rnd.nextInt(20000))
          });
    }
    return new Table(PROBE, out);
  }

  private static Table buildTable(SplittableRandom rnd, int rows, Keys keys) {
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      long k1;
      String k2;
      switch (keys) {
        case DUPLICATES -> {
          k1 = rnd.nextInt(8);
          k2 = "s" + rnd.nextInt(3);
        }
        case ALL_DUPLICATE -> {
          k1 = 42;
          k2 = "same";
        }
        default -> {
          k1 = i;
          k2 = "u" + (k1 % 5);
        }
      }
      boolean nullKeys = keys != Keys.UNIQUE_BUILD || rnd.nextInt(4) == 0;
      out.add(
          new Object[] {
            (long) rnd.nextInt(1_000_000) - 500_000,
            nullKeys ? nullable(rnd, 0.08, k2) : k2,
            nullable(rnd, 0.2, "str" + rnd.nextInt(1000) + (rnd.nextBoolean() ? "é" : "")),
            nullKeys ? nullable(rnd, 0.08, k1) : k1,
            nullable(rnd, 0.2, rnd.nextBoolean()),
            nullable(rnd, 0.2, rnd.nextLong(1L << 50))
          });
    }
    return new Table(BUILD, out);
  }

  private static void check(
      Fixture f,
      JoinType type,
      JoinBuildSink build,
      List<Object[]> buildRows,
      ChunksSource probe,
      List<Object[]> probeRows,
      DataType[] probeTypes,
      int[] probeKeys,
      DataType[] buildTypes,
      int[] buildKeys,
      String where) {
    JoinProbeSpec spec =
        new JoinProbeSpec(type, build, probeKeys, probeTypes, buildTypes, f.instances);
    Result got = JoinTestData.run(f, probe, List.of(spec));
    List<List<Object>> want =
        JoinTestData.reference(
            type, probeTypes, probeRows, probeKeys, buildTypes, buildRows, buildKeys);
    assertThat(got.largestBatch()).as(where).isLessThanOrEqualTo(JoinProbeSpec.OUT_ROWS);
    assertThat(got.rows()).as(where + ": row count").hasSize(want.size());
    assertThat(JoinTestData.multiset(got.rows())).as(where).isEqualTo(JoinTestData.multiset(want));
    assertThat(spec.stats().rowsOut()).as(where + ": rows out").isEqualTo(want.size());
    assertThat(spec.stats().rowsIn()).as(where + ": rows in").isEqualTo(probeRows.size());
  }

  private void randomCases(boolean select, int[] dictionaryColumns, long seedOffset) {
    randomCases(select, dictionaryColumns, new int[0], seedOffset);
  }

  /**
   * Random joins of every type; {@code dictionaryColumns} of the probe arrive dictionary-encoded (a
   * dictionary per batch), and {@code buildDictionaryColumns} of the build (one dictionary per
   * column, as a scan delivers them).
   */
  private void randomCases(
      boolean select, int[] dictionaryColumns, int[] buildDictionaryColumns, long seedOffset) {
    DataType[] buildTypes = BUILD.clone();
    for (int d : buildDictionaryColumns) {
      buildTypes[d] = DataType.DICTIONARY_UTF8;
    }
    int[][] sizes = {{0, 0}, {0, 50}, {50, 0}, {1, 1}, {40, 300}, {700, 900}, {1500, 2000}};
    try (Fixture f = new Fixture(2)) {
      int c = 0;
      for (Keys keys : Keys.values()) {
        for (int[] size : sizes) {
          long seed = BASE_SEED + seedOffset + 1000L * c++;
          SplittableRandom rnd = new SplittableRandom(seed);
          // one key value: every probe row meets every build row, so keep the product small
          int shrink = keys == Keys.ALL_DUPLICATE ? 5 : 1;
          int buildRows = (size[0] + shrink - 1) / shrink;
          int probeRows0 = (size[1] + shrink - 1) / shrink;
          Table bt = buildTable(rnd, buildRows, keys);
          Table pt = probeTable(rnd, probeRows0, keys, buildRows);
          List<Chunk> buildChunks = JoinTestData.chunks(bt, 400, rnd, f.input);
          List<Chunk> probeChunks = JoinTestData.chunks(pt, 300, rnd, f.input);
          try (ChunksSource bs =
                  new ChunksSource(buildChunks, false, true, buildDictionaryColumns);
              ChunksSource ps = new ChunksSource(probeChunks, select, dictionaryColumns);
              // every other case splits the build into hash partitions built in parallel
              JoinBuildSink build =
                  JoinTestData.build(
                      f,
                      bs,
                      BUILD_KEYS,
                      buildTypes,
                      c % 2 == 0 ? 1 : JoinBuildSink.PARTITIONED_MIN_ROWS)) {
            List<Object[]> probeRows = JoinTestData.delivered(pt, probeChunks, select);
            assertThat(build.rowCount()).isEqualTo(buildRows);
            assertThat(build.partitionCount())
                .as("partitions, seed %d", seed)
                .isEqualTo(c % 2 == 0 && buildRows > 0 ? 4 : 1);
            for (JoinType type : JoinType.values()) {
              String where =
                  type
                      + " keys="
                      + keys
                      + " build="
                      + buildRows
                      + " probe="
                      + probeRows0
                      + " seed="
                      + seed;
              check(
                  f,
                  type,
                  build,
                  bt.rows(),
                  ps,
                  probeRows,
                  probeTypes(dictionaryColumns),
                  PROBE_KEYS,
                  buildTypes,
                  BUILD_KEYS,
                  where);
            }
          } finally {
            buildChunks.forEach(Chunk::close);
            probeChunks.forEach(Chunk::close);
          }
        }
      }
    }
  }

  private static DataType[] probeTypes(int[] dictionaryColumns) {
    DataType[] t = PROBE.clone();
    for (int d : dictionaryColumns) {
      t[d] = DataType.DICTIONARY_UTF8;
    }
    return t;
  }

  @Test
  void join_randomMultiColumnKeysAllTypes_matchesNestedLoop() {
    randomCases(false, new int[0], 0);
  }

  @Test
  void join_probeWithSelectionAndDictionaryKey_matchesNestedLoop() {
    randomCases(true, new int[] {2}, 7);
  }

  @Test
  void join_buildWithDictionaryKeyAndPayload_matchesNestedLoop() {
    // build k2 (a key) and b_str (a payload) dictionary-encoded, probe k2 too
    randomCases(false, new int[] {2}, new int[] {1, 2}, 13);
  }

  @Test
  void join_floatKeysWithNegativeZeroAndNaN_matchLikeSql() {
    double[] domain = {
      0.0, -0.0, Double.NaN, Double.longBitsToDouble(0x7ff8_0000_0000_0123L), 1.5, -1.5, 1e300
    };
    DataType[] pt = {DataType.FLOAT64, DataType.INT32};
    DataType[] bt = {DataType.INT32, DataType.FLOAT64};
    long seed = BASE_SEED + 31;
    SplittableRandom rnd = new SplittableRandom(seed);
    IntFunction<Object> key = i -> rnd.nextInt(8) == 0 ? null : domain[rnd.nextInt(domain.length)];
    List<Object[]> pr = new ArrayList<>();
    List<Object[]> br = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      pr.add(new Object[] {key.apply(i), i});
    }
    for (int i = 0; i < 60; i++) {
      br.add(new Object[] {i, key.apply(i)});
    }
    runAll(new Table(pt, pr), new int[] {0}, new Table(bt, br), new int[] {1}, seed);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.Kind.class,
      names = {"INT32", "DATE32", "BOOL", "INT64", "UTF8"})
  void join_singleKeyOfEachType_matchesNestedLoop(DataType.Kind kind) {
    DataType t =
        switch (kind) {
          case INT32 -> DataType.INT32;
          case DATE32 -> DataType.DATE32;
          case BOOL -> DataType.BOOL;
          case INT64 -> DataType.INT64;
          default -> DataType.UTF8;
        };
    long seed = BASE_SEED + 53 + kind.ordinal();
    SplittableRandom rnd = new SplittableRandom(seed);
    IntFunction<Object> key =
        i -> {
          if (rnd.nextInt(6) == 0) {
            return null;
          }
          int v = rnd.nextInt(12);
          return switch (kind) {
            case INT32, DATE32 -> v;
            case BOOL -> v % 2 == 0;
            case INT64 -> v * 1_000_000_007L;
            default -> "key-" + v;
          };
        };
    DataType[] pt = {t, DataType.INT32};
    DataType[] bt = {DataType.INT32, t, DataType.FLOAT64};
    List<Object[]> pr = new ArrayList<>();
    List<Object[]> br = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      pr.add(new Object[] {key.apply(i), i});
    }
    for (int i = 0; i < 90; i++) {
      br.add(new Object[] {i, key.apply(i), rnd.nextInt(3) == 0 ? null : rnd.nextDouble()});
    }
    runAll(new Table(pt, pr), new int[] {0}, new Table(bt, br), new int[] {1}, seed);
  }

  private static void runAll(Table probe, int[] pk, Table build, int[] bk, long seed) {
    try (Fixture f = new Fixture(2)) {
      SplittableRandom rnd = new SplittableRandom(seed);
      List<Chunk> buildChunks = JoinTestData.chunks(build, 40, rnd, f.input);
      List<Chunk> probeChunks = JoinTestData.chunks(probe, 100, rnd, f.input);
      try (ChunksSource bs = new ChunksSource(buildChunks, false);
          ChunksSource ps = new ChunksSource(probeChunks, false);
          JoinBuildSink b = JoinTestData.build(f, bs, bk, build.types())) {
        for (JoinType type : JoinType.values()) {
          check(
              f,
              type,
              b,
              build.rows(),
              ps,
              probe.rows(),
              probe.types(),
              pk,
              build.types(),
              bk,
              type + " seed=" + seed);
        }
      } finally {
        buildChunks.forEach(Chunk::close);
        probeChunks.forEach(Chunk::close);
      }
    }
  }

  @Test
  void join_keyWithMoreMatchesThanOneBatch_splitsOutputIntoBatchesOfAtMost65536Rows() {
    DataType[] pt = {DataType.INT32, DataType.UTF8};
    DataType[] bt = {DataType.INT32, DataType.INT64};
    List<Object[]> pr = new ArrayList<>();
    pr.add(new Object[] {7, "a"});
    pr.add(new Object[] {8, "no match"});
    pr.add(new Object[] {7, "b"});
    pr.add(new Object[] {null, "null key"});
    pr.add(new Object[] {7, "c"});
    List<Object[]> br = new ArrayList<>();
    for (int i = 0; i < 70_000; i++) {
      br.add(new Object[] {7, (long) i});
    }
    for (int i = 0; i < 100; i++) {
      br.add(new Object[] {9, (long) -i});
    }
    try (Fixture f = new Fixture(2)) {
      Chunk big = JoinTestData.chunk(bt, br, f.input);
      Chunk probeChunk = JoinTestData.chunk(pt, pr, f.input);
      try (ChunksSource bs = new ChunksSource(List.of(big), false);
          ChunksSource ps = new ChunksSource(List.of(probeChunk), false);
          JoinBuildSink b = JoinTestData.build(f, bs, new int[] {0}, bt)) {
        assertThat(b.chunks()).hasSize(2);
        assertThat(b.chunks().get(0).rows()).isEqualTo(65536);
        assertThat(b.hasDuplicateKeys()).isTrue();
        for (JoinType type : JoinType.values()) {
          JoinProbeSpec spec = new JoinProbeSpec(type, b, new int[] {0}, pt, bt, f.instances);
          Result got = JoinTestData.run(f, ps, List.of(spec));
          List<List<Object>> want =
              JoinTestData.reference(type, pt, pr, new int[] {0}, bt, br, new int[] {0});
          assertThat(got.largestBatch()).as(type.toString()).isLessThanOrEqualTo(65536);
          assertThat(JoinTestData.multiset(got.rows()))
              .as(type.toString())
              .isEqualTo(JoinTestData.multiset(want));
        }
      } finally {
        big.close();
        probeChunk.close();
      }
    }
  }

  @Test
  void fullJoin_manySmallMorselsOnEightWorkers_emitsEachUnmatchedBuildRowOnce() {
    DataType[] pt = {DataType.INT32, DataType.INT32};
    DataType[] bt = {DataType.INT32, DataType.UTF8};
    long seed = BASE_SEED + 97;
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Object[]> br = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      br.add(new Object[] {rnd.nextInt(6000), "b" + i});
    }
    List<Object[]> pr = new ArrayList<>();
    for (int i = 0; i < 6000; i++) {
      pr.add(new Object[] {rnd.nextInt(6000), i});
    }
    try (Fixture f = new Fixture(4)) {
      List<Chunk> bcs = JoinTestData.chunks(new Table(bt, br), 64, rnd, f.input);
      List<Chunk> pcs = JoinTestData.chunks(new Table(pt, pr), 40, rnd, f.input);
      try (ChunksSource bs = new ChunksSource(bcs, false);
          ChunksSource ps = new ChunksSource(pcs, false);
          JoinBuildSink b = JoinTestData.build(f, bs, new int[] {0}, bt)) {
        for (int run = 0; run < 5; run++) {
          check(
              f,
              JoinType.FULL,
              b,
              br,
              ps,
              pr,
              pt,
              new int[] {0},
              bt,
              new int[] {0},
              "FULL run " + run + " seed=" + seed);
        }
      } finally {
        bcs.forEach(Chunk::close);
        pcs.forEach(Chunk::close);
      }
    }
  }

  @Test
  void leftJoin_unmatchedRowsOfBuildColumnsWithoutBitmap_areNull() {
    DataType[] pt = {DataType.INT32};
    DataType[] bt = {DataType.INT32, DataType.UTF8, DataType.BOOL, DataType.FLOAT64};
    List<Object[]> pr = List.of(new Object[] {1}, new Object[] {2}, new Object[] {null});
    List<Object[]> br = List.<Object[]>of(new Object[] {1, "one", true, 1.0});
    try (Fixture f = new Fixture(1)) {
      Chunk bc = JoinTestData.chunk(bt, br, f.input);
      Chunk pc = JoinTestData.chunk(pt, pr, f.input);
      assertThat(bc.column(1).validity()).isNull();
      try (ChunksSource bs = new ChunksSource(List.of(bc), false);
          ChunksSource ps = new ChunksSource(List.of(pc), false);
          JoinBuildSink b = JoinTestData.build(f, bs, new int[] {0}, bt)) {
        JoinProbeSpec spec = new JoinProbeSpec(JoinType.LEFT, b, new int[] {0}, pt, bt);
        Result got = JoinTestData.run(f, ps, List.of(spec));
        assertThat(got.rows())
            .containsExactly(
                java.util.Arrays.asList(1, 1, "one", true, 1.0),
                java.util.Arrays.asList(2, null, null, null, null),
                java.util.Arrays.asList(null, null, null, null, null));
      } finally {
        bc.close();
        pc.close();
      }
    }
  }

  @Test
  void rightJoin_countedInstancesOnOneWorker_emitsUnmatchedBuildRowsOnce() {
    DataType[] pt = {DataType.INT32};
    DataType[] bt = {DataType.INT32, DataType.UTF8};
    List<Object[]> pr = List.of(new Object[] {1}, new Object[] {1}, new Object[] {3});
    List<Object[]> br =
        List.of(new Object[] {1, "a"}, new Object[] {2, "b"}, new Object[] {null, "c"});
    try (Fixture f = new Fixture(1, 1)) {
      Chunk bc = JoinTestData.chunk(bt, br, f.input);
      Chunk pc = JoinTestData.chunk(pt, pr, f.input);
      try (ChunksSource bs = new ChunksSource(List.of(bc), false);
          ChunksSource ps = new ChunksSource(List.of(pc), false);
          JoinBuildSink b = JoinTestData.build(f, bs, new int[] {0}, bt)) {
        JoinProbeSpec spec = new JoinProbeSpec(JoinType.RIGHT, b, new int[] {0}, pt, bt);
        Result got = JoinTestData.run(f, ps, List.of(spec));
        assertThat(JoinTestData.multiset(got.rows()))
            .isEqualTo(
                JoinTestData.multiset(
                    List.of(
                        java.util.Arrays.asList(1, 1, "a"),
                        java.util.Arrays.asList(1, 1, "a"),
                        java.util.Arrays.asList(null, 2, "b"),
                        java.util.Arrays.asList(null, null, "c"))));
      } finally {
        bc.close();
        pc.close();
      }
    }
  }

  @Test
  void leftJoin_limitDownstream_stopsAtTheLimit() {
    DataType[] pt = {DataType.INT32};
    DataType[] bt = {DataType.INT32};
    List<Object[]> pr = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      pr.add(new Object[] {i % 3});
    }
    List<Object[]> br = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      br.add(new Object[] {i % 2});
    }
    try (Fixture f = new Fixture(2)) {
      Chunk bc = JoinTestData.chunk(bt, br, f.input);
      List<Chunk> pcs =
          JoinTestData.chunks(new Table(pt, pr), 1000, new SplittableRandom(1), f.input);
      try (ChunksSource bs = new ChunksSource(List.of(bc), false);
          ChunksSource ps = new ChunksSource(pcs, false);
          JoinBuildSink b = JoinTestData.build(f, bs, new int[] {0}, bt)) {
        JoinProbeSpec spec =
            new JoinProbeSpec(JoinType.LEFT, b, new int[] {0}, pt, bt, f.instances);
        Result got = JoinTestData.run(f, ps, List.of(spec, new LimitSpec(0, 10)));
        assertThat(got.rows()).hasSize(10);
      } finally {
        bc.close();
        pcs.forEach(Chunk::close);
      }
    }
  }

  @Test
  void outputTypes_rightJoinWithDictionaryProbeColumn_decodesToUtf8() {
    try (Fixture f = new Fixture(1)) {
      try (JoinBuildSink b =
          JoinTestData.build(
              f,
              new ChunksSource(List.of(), false),
              new int[] {0},
              new DataType[] {DataType.INT32, DataType.DICTIONARY_UTF8})) {
        DataType[] pt = {DataType.INT32, DataType.DICTIONARY_UTF8, DataType.INT8};
        DataType[] bt = {DataType.INT32, DataType.DICTIONARY_UTF8};
        assertThat(new JoinProbeSpec(JoinType.INNER, b, new int[] {0}, pt, bt).outputTypes())
            .containsExactly(
                DataType.INT32,
                DataType.DICTIONARY_UTF8,
                DataType.INT32,
                DataType.INT32,
                DataType.DICTIONARY_UTF8);
        // the build side keeps its dictionary; only the probe side of RIGHT and FULL decodes
        assertThat(new JoinProbeSpec(JoinType.FULL, b, new int[] {0}, pt, bt).outputTypes())
            .containsExactly(
                DataType.INT32,
                DataType.UTF8,
                DataType.INT32,
                DataType.INT32,
                DataType.DICTIONARY_UTF8);
        assertThat(new JoinProbeSpec(JoinType.RIGHT_SEMI, b, new int[] {0}, pt, bt).outputTypes())
            .containsExactly(DataType.INT32, DataType.DICTIONARY_UTF8);
        assertThat(new JoinProbeSpec(JoinType.SEMI, b, new int[] {0}, pt, bt).outputTypes())
            .containsExactly(DataType.INT32, DataType.DICTIONARY_UTF8, DataType.INT32);
      }
    }
  }

  @Test
  void constructor_keyTypesThatDoNotPair_throwsNamingTheColumns() {
    try (Fixture f = new Fixture(1);
        JoinBuildSink b =
            JoinTestData.build(
                f, new ChunksSource(List.of(), false), new int[] {0}, new DataType[] {DEC})) {
      assertThatThrownBy(
              () ->
                  new JoinProbeSpec(
                      JoinType.INNER,
                      b,
                      new int[] {0},
                      new DataType[] {DataType.decimal(12, 3)},
                      new DataType[] {DEC}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("probe column 0")
          .hasMessageContaining("build column 0");
      assertThatThrownBy(
              () ->
                  new JoinProbeSpec(
                      JoinType.INNER,
                      b,
                      new int[] {0, 1},
                      new DataType[] {DEC, DEC},
                      new DataType[] {DEC}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("2 probe keys");
    }
  }

  @Test
  void constructor_residualOutsideSemiAndAntiOrNotBool_throws() {
    try (Fixture f = new Fixture(1);
        JoinBuildSink b = new JoinBuildSink(new int[] {0}, new DataType[] {DataType.INT64})) {
      DataType[] t = {DataType.INT64};
      BoundExpr a = new BoundExpr.ColumnRef(0, DataType.INT64, "a");
      BoundExpr c = new BoundExpr.ColumnRef(1, DataType.INT64, "c");
      BoundExpr ne = new BoundExpr.Cmp(dev.amalgam.kernels.CompareOp.NE, a, c);
      assertThatThrownBy(() -> new JoinProbeSpec(JoinType.LEFT, b, new int[] {0}, t, t, 0, ne))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("only evaluated by SEMI and ANTI");
      assertThatThrownBy(() -> new JoinProbeSpec(JoinType.SEMI, b, new int[] {0}, t, t, 0, a))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must be bool");
      assertThat(new JoinProbeSpec(JoinType.ANTI, b, new int[] {0}, t, t, 0, ne).describe())
          .contains("ANTI", "where");
    }
  }

  @Test
  void create_beforeBuildFinished_throws() {
    try (Fixture f = new Fixture(1);
        JoinBuildSink b = new JoinBuildSink(new int[] {0}, new DataType[] {DataType.INT32});
        Worker w = new Worker(f.scheduler.members().get(0), 0, f.query)) {
      JoinProbeSpec spec =
          new JoinProbeSpec(
              JoinType.INNER,
              b,
              new int[] {0},
              new DataType[] {DataType.INT32},
              new DataType[] {DataType.INT32});
      Op sink = new CollectSink("x").createLocal(w);
      assertThatThrownBy(() -> spec.create(w, sink))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("before its build side was finished");
    }
  }
}
