package dev.amalgam.exec.sql;

import static dev.amalgam.exec.testing.DuckDbOracle.ROWS;
import static dev.amalgam.exec.testing.DuckDbOracle.duck;
import static dev.amalgam.exec.testing.DuckDbOracle.head;
import static dev.amalgam.exec.testing.DuckDbOracle.normalize;
import static dev.amalgam.exec.testing.DuckDbOracle.same;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.testing.FactAndDim;
import dev.amalgam.memory.Topology;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Window functions against DuckDB on the same random data: ranking with ties, aggregates over ROWS
 * and RANGE frames, LAG/LEAD, several windows in one query. Order keys that are not unique are used
 * only where the result does not depend on the order among ties.
 */
final class WindowDifferentialTest {
  private static final String[] QUERIES = {
    // ranking: ties in k and v
    "select id, row_number() over (partition by g order by v, id) rn from f",
    "select id, rank() over (order by k) r, dense_rank() over (order by k) dr from f",
    "select id, rank() over (partition by g order by v desc nulls last) r,"
        + " dense_rank() over (partition by g order by v desc nulls last) dr from f",
    // whole-partition and running aggregates (RANGE: peers share values)
    "select id, sum(v) over (partition by k) s, count(*) over (partition by k) n,"
        + " count(v) over (partition by k) nv, avg(v) over (partition by k) a from f",
    "select id, sum(v) over (order by k) s, avg(x) over (order by k) ax,"
        + " min(x) over (order by k) mn, max(p) over (order by k) mx from f",
    "select id, sum(x) over () sx, count(*) over () n, max(d) over () md from f where k < 5",
    // ROWS frames over a unique order
    "select id, sum(v) over (partition by g order by id rows between 2 preceding and current row)"
        + " s3, avg(x) over (partition by g order by id rows between 1 preceding and 1 following)"
        + " a3 from f",
    "select id, min(v) over (order by id rows between 3 preceding and 1 preceding) mn,"
        + " max(v) over (order by id rows between current row and 4 following) mx,"
        + " count(v) over (order by id rows between 5 following and 9 following) c from f",
    "select id, sum(p) over (partition by k order by id rows between current row and unbounded"
        + " following) rest, sum(x) over (partition by k order by id rows between unbounded"
        + " preceding and current row) run from f",
    "select id, sum(v) over (partition by g order by k range between current row and unbounded"
        + " following) s, min(name) over (partition by k order by id) mn from f join dim on k = dk",
    // value functions
    "select id, lag(v) over (partition by g order by id) l1, lead(v, 2) over (partition by g"
        + " order by id) l2, lag(x, 1, -1.5) over (order by id) l3,"
        + " first_value(v) over (partition by k order by id) fv,"
        + " last_value(v) over (partition by k order by id rows between unbounded preceding and"
        + " unbounded following) lv from f",
    // windows over an aggregate, and a filter on a window result
    "select k, s, rank() over (order by s desc) r from (select k, sum(v) s from f group by k) t",
    "select * from (select id, g, row_number() over (partition by g order by x desc, id) rn"
        + " from f) t where rn <= 3",
  };

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "fused-pair"})
  void windowQuery_matchesDuckDb(String topology) throws SQLException {
    long seed = Long.getLong("amalgam.test.seed", System.nanoTime());
    System.out.println("WindowDifferentialTest seed " + seed + " topology " + topology);
    try (Engine engine =
            Engine.builder().pageSize(64 << 10).topology(Topology.preset(topology)).build();
        Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      FactAndDim.load(engine, duck, new Random(seed), 20_000, 4096);
      List<String> failures = new ArrayList<>();
      for (String sql : QUERIES) {
        try {
          List<List<Object>> ours = normalize(engine.execute(sql).toList());
          List<List<Object>> theirs = duck(duck, sql);
          ours.sort(ROWS);
          theirs.sort(ROWS);
          if (!same(ours, theirs)) {
            failures.add(
                sql
                    + "\n  ours:   "
                    + ours.size()
                    + " "
                    + head(ours)
                    + "\n  duckdb: "
                    + theirs.size()
                    + " "
                    + head(theirs));
          }
        } catch (RuntimeException e) {
          e.printStackTrace();
          failures.add(sql + ": " + e);
        }
      }
      assertThat(failures).as("seed " + seed + " on " + topology).isEmpty();
      assertThat(engine.execute("select count(*) from f").get(0, 0)).isEqualTo(20_000L);
    }
  }
}
