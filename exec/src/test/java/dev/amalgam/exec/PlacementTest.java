package dev.amalgam.exec;

import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.countStar;
import static dev.amalgam.exec.expr.Exprs.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.store.ColumnChunk;
import dev.amalgam.exec.store.RowGroup;
import dev.amalgam.memory.Topology;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Placement policies put row groups where they say, and every policy gives the same answers. */
final class PlacementTest {
  private static final int ROWS = 60_000;
  private Engine engine;

  @BeforeEach
  void setUp() {
    engine = Engine.builder().topology(Topology.preset("fused-pair")).pageSize(64 << 10).build();
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  private Table load(String name, Placement p) {
    TableBuilder b =
        engine
            .createTable(
                name,
                Schema.of(Field.notNull("k", DataType.INT64), Field.notNull("v", DataType.INT64)))
            .placement(p)
            .rowGroupRows(8192);
    for (long i = 0; i < ROWS; i++) {
      b.addRow(i % 1000, i);
    }
    return b.build();
  }

  private long total(String name) {
    return engine.table(name).agg(sum(col("v")).as("s")).execute().row(0).getLong("s");
  }

  @Test
  void roundRobin_spreadsRowGroupsOverMembers() {
    Table t = load("t", Placement.roundRobin());
    assertThat(t.rowGroupsByDevice()).containsOnlyKeys("gpu0", "gpu1");
    int a = t.rowGroupsByDevice().get("gpu0");
    int b = t.rowGroupsByDevice().get("gpu1");
    assertThat(Math.abs(a - b)).isLessThanOrEqualTo(1);
    assertThat(total("t")).isEqualTo((long) ROWS * (ROWS - 1) / 2);
  }

  @Test
  void hash_keepsEqualKeysOnOneMember() {
    Table t = load("t", Placement.hash("k"));
    Map<Long, String> home = new HashMap<>();
    for (RowGroup g : t.data().rowGroups()) {
      assertThat(g.homes()).hasSize(1);
      String device = g.homes().get(0).name();
      ColumnChunk k = g.chunks().get(0);
      java.lang.foreign.MemorySegment seg =
          java.lang.foreign.Arena.ofAuto().allocate(k.values().size());
      k.values().read(0, seg);
      for (int i = 0; i < g.rows(); i++) {
        long key = seg.getAtIndex(dev.amalgam.kernels.ArrowLayout.INT64, i);
        String prev = home.putIfAbsent(key, device);
        assertThat(prev == null || prev.equals(device)).as("key " + key).isTrue();
      }
    }
    assertThat(home).hasSize(1000);
    assertThat(total("t")).isEqualTo((long) ROWS * (ROWS - 1) / 2);
  }

  @Test
  void pinned_putsEverythingOnOneDevice() {
    Table t = load("t", Placement.pinned("gpu1"));
    assertThat(t.rowGroupsByDevice()).containsOnlyKeys("gpu1");
    assertThat(engine.table("t").explain()).contains("resident gpu1 100%");
    assertThat(total("t")).isEqualTo((long) ROWS * (ROWS - 1) / 2);
  }

  @Test
  void pinned_unknownDevice_namesTheDevices() {
    assertThatThrownBy(
            () ->
                engine
                    .createTable("t", Schema.of(Field.of("a", DataType.INT32)))
                    .placement(Placement.pinned("gpu7"))
                    .addRow(1))
        .hasMessageContaining("gpu7")
        .hasMessageContaining("gpu0");
  }

  @Test
  void replicated_isCurrentOnEveryMember() {
    Table t = load("t", Placement.replicated());
    assertThat(t.rowGroupsByDevice()).containsEntry("gpu0", t.rowGroupCount());
    assertThat(t.rowGroupsByDevice()).containsEntry("gpu1", t.rowGroupCount());
    assertThat(engine.table("t").explain()).contains("gpu0 100%", "gpu1 100%");
    assertThat(total("t")).isEqualTo((long) ROWS * (ROWS - 1) / 2);
  }

  @Test
  void auto_replicatesASmallTable_andSpreadsALargeOne() {
    TableBuilder small = engine.createTable("small", Schema.of(Field.notNull("a", DataType.INT32)));
    for (int i = 0; i < 100; i++) {
      small.addRow(i);
    }
    assertThat(small.build().placement()).isEqualTo("replicated (auto)");
    assertThat(load("large", Placement.auto()).placement()).isEqualTo("round-robin (auto)");
  }

  @Test
  void rowGroupStatistics_skipGroupsThePredicateRulesOut() {
    TableBuilder b =
        engine
            .createTable("s", Schema.of(Field.notNull("id", DataType.INT64)))
            .placement(Placement.roundRobin())
            .rowGroupRows(8192);
    for (long i = 0; i < ROWS; i++) {
      b.addRow(i);
    }
    b.build();
    Result r =
        engine.table("s").filter(col("id").ge(50_000L)).agg(countStar().as("n")).explainAnalyze();
    assertThat(r.row(0).getLong("n")).isEqualTo(ROWS - 50_000);
    // the scan reads only the row groups whose max id reaches 50,000: groups 6 and 7 of 8
    // (8,192 + 2,656 rows)
    assertThat(r.analysis()).contains("rows 10848 ->");
  }
}
