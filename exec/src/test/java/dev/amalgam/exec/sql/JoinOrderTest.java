package dev.amalgam.exec.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.TableBuilder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plans chosen by join ordering, the build-side choice and semi-join reduction. */
final class JoinOrderTest {
  private Engine engine;

  @BeforeEach
  void setUp() {
    engine = Engine.builder().topology(dev.amalgam.memory.Topology.preset("cpu")).build();
    // a star: fact(20,000) -> dim(1,000) -> region(10); dim.grp has 10 values
    TableBuilder fact =
        engine.createTable(
            "fact",
            Schema.of(
                Field.notNull("f_id", DataType.INT64),
                Field.notNull("f_dim", DataType.INT64),
                Field.notNull("f_v", DataType.INT64)));
    for (long i = 0; i < 20_000; i++) {
      fact.addRow(i, i % 1_000, i * 3);
    }
    fact.build();
    TableBuilder dim =
        engine.createTable(
            "dim",
            Schema.of(
                Field.notNull("d_id", DataType.INT64),
                Field.notNull("d_grp", DataType.INT64),
                Field.notNull("d_region", DataType.INT64)));
    for (long i = 0; i < 1_000; i++) {
      dim.addRow(i, i % 10, i % 10);
    }
    dim.build();
    TableBuilder region =
        engine.createTable(
            "region",
            Schema.of(Field.notNull("r_id", DataType.INT64), Field.of("r_name", DataType.UTF8)));
    for (long i = 0; i < 10; i++) {
      region.addRow(i, "r" + i);
    }
    region.build();
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  private List<String> joins(String sql) {
    return engine
        .sql(sql)
        .explain()
        .lines()
        .map(String::strip)
        .filter(l -> l.startsWith("Join "))
        .toList();
  }

  @Test
  void theLargestInputIsProbedAndTheSmallerSidesAreBuilt() {
    // written smallest first: the plan still streams fact through hash tables of dim and region
    String sql =
        "SELECT r_name, SUM(f_v) FROM region, dim, fact"
            + " WHERE r_id = d_region AND d_id = f_dim GROUP BY r_name";
    String plan = engine.sql(sql).explain();
    List<String> scans = plan.lines().filter(l -> l.contains("Scan ")).map(String::strip).toList();
    assertThat(scans.get(0)).startsWith("Scan fact");
    assertThat(joins(sql)).allMatch(j -> j.endsWith("(build: right)"));
    assertThat(engine.execute(sql).rowCount()).isEqualTo(10);
  }

  @Test
  void aBuildSideIsFilteredByItsOwnSmallerInputFirst() {
    // fact probes one hash table: dim already joined with the one region named r3 (100 rows),
    // not dim (1,000 rows) and then region
    String sql =
        "SELECT COUNT(*) FROM fact, dim, region WHERE f_dim = d_id AND d_grp = r_id AND r_name = 'r3'";
    assertThat(joins(sql))
        .containsExactly(
            "Join INNER on [f_dim] = [d_id] (build: right)",
            "Join INNER on [d_grp] = [r_id] (build: right)");
    assertThat(((Number) engine.execute(sql).get(0, 0)).longValue()).isEqualTo(2_000);
  }

  @Test
  void aDisjunctionOverTwoInputsFiltersEachInputFirst() {
    String sql =
        "SELECT COUNT(*) FROM fact JOIN dim ON f_dim = d_id"
            + " WHERE (f_v < 30 AND d_grp = 1) OR (f_v > 59000 AND d_grp = 2)";
    String plan = engine.sql(sql).explain();
    assertThat(plan).contains("Scan fact").contains("filter ((f_v < 30) OR (f_v > 59000))");
    assertThat(plan).contains("filter (d_grp IN [1, 2])");
    long expected = 0;
    for (long i = 0; i < 20_000; i++) {
      long v = i * 3;
      long grp = (i % 1_000) % 10;
      if ((v < 30 && grp == 1) || (v > 59_000 && grp == 2)) {
        expected++;
      }
    }
    assertThat(((Number) engine.execute(sql).get(0, 0)).longValue()).isEqualTo(expected);
  }

  @Test
  void anExistsOverALargeTableIsReducedBySemiJoinWithTheSmallSide() {
    String sql =
        "SELECT COUNT(*) FROM dim WHERE d_grp = 4 AND EXISTS"
            + " (SELECT * FROM fact WHERE f_dim = d_id AND f_v > 100)";
    // dim (1,000 rows, 100 after its filter) is far smaller than fact (20,000): it is the build
    // side, fact probes it and marks the dim rows it finds
    assertThat(engine.sql(sql).explain()).contains("Join RIGHT_SEMI on [f_dim] = [d_id]");
    assertThat(((Number) engine.execute(sql).get(0, 0)).longValue()).isEqualTo(100);
  }

  @Test
  void aCorrelatedAggregateJoinedToASmallSideAggregatesOnlyTheRowsOfItsGroups() {
    // decorrelated: fact grouped by f_dim, joined to the 100 dims of group 3; the grouping reads
    // only the facts of those dims (a semi join with the filtered dim table, not with its join)
    String sql =
        "SELECT SUM(f_v) FROM fact, dim WHERE f_dim = d_id AND d_grp = 3"
            + " AND f_v < (SELECT AVG(f_v) FROM fact f2 WHERE f2.f_dim = d_id)";
    String plan = engine.sql(sql).explain();
    List<String> lines = plan.lines().map(String::strip).toList();
    int agg = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("Aggregate keys [f_dim]")) {
        agg = i;
      }
    }
    assertThat(agg).as(plan).isNotNegative();
    assertThat(lines.get(agg + 1)).as(plan).matches("Join (SEMI|RIGHT_SEMI) on .*");
    assertThat(lines.subList(agg + 2, agg + 5)).as(plan).anyMatch(l -> l.startsWith("Scan dim"));
    // dim d has the facts d + 1000 j (j < 20) with f_v = 3 (d + 1000 j), averaging 3 (d + 9500)
    long expected = 0;
    for (long d = 3; d < 1_000; d += 10) {
      for (long j = 0; j < 10; j++) {
        expected += 3 * (d + 1_000 * j);
      }
    }
    assertThat(((Number) engine.execute(sql).get(0, 0)).longValue()).isEqualTo(expected);
  }

  @Test
  void existsWithACorrelatedNonEqualityIsASemiJoinWithThatCondition() {
    String sql =
        "SELECT COUNT(*) FROM dim WHERE EXISTS"
            + " (SELECT * FROM fact WHERE f_dim = d_id AND f_v <> d_id AND f_v > 100)"
            + " AND NOT EXISTS (SELECT * FROM fact f2 WHERE f2.f_dim = d_id AND f2.f_v < d_grp * 300)";
    String plan = engine.sql(sql).explain();
    // the outer side (dim) is built; fact probes it, testing the residual on each key match
    assertThat(plan).contains("Join RIGHT_SEMI on [f_dim] = [d_id] and ");
    assertThat(plan)
        .contains("Join RIGHT_ANTI on [f_dim] = [d_id")
        .doesNotContain("Aggregate keys");
    // fact i (0..19,999) has f_dim = i % 1,000 and f_v = 3i: every dim has a fact with f_v > 100
    // other than its id; only the first fact of dim d can be below 300 * (d % 10)
    long expected = 0;
    for (long d = 0; d < 1_000; d++) {
      if (3 * d >= 300 * (d % 10)) {
        expected++;
      }
    }
    assertThat(((Number) engine.execute(sql).get(0, 0)).longValue()).isEqualTo(expected);
  }
}
