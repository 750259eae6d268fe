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
 * SQL through the Calcite front end against the same SQL in DuckDB over the same random data. The
 * seed is printed; rerun with -Damalgam.test.seed=N.
 */
final class SqlDifferentialTest {
  private static final int FACT_ROWS = 30_000;

  /** One query; {@code ordered}: compare row order too. */
  record Case(String name, String sql, boolean ordered) {}

  private static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(
        new Case(
            "filter and project",
            "select id, v * 2 as v2, x, p + 1 as p1 from f where v > 100 and k < 20",
            false));
    c.add(
        new Case(
            "upper-case identifiers", "SELECT ID, V FROM F WHERE K = 3 AND V IS NOT NULL", false));
    c.add(
        new Case(
            "group by with every aggregate and having",
            "select k, sum(v) s, count(v) c, count(*) n, min(x) mn, max(p) mx, avg(v) a"
                + " from f group by k having count(*) > 100",
            false));
    c.add(
        new Case(
            "aggregate without group by",
            "select count(*) n, sum(p) sp, min(d) md, max(x) mx from f where v > 0",
            false));
    c.add(
        new Case(
            "group by a dictionary string",
            "select g, sum(p) s, count(*) n from f group by g",
            false));
    c.add(
        new Case(
            "group by narrow keys packed into one int64 (dictionary, bool, int32; with nulls)",
            "select g, v > 0 pos, k, count(*) n, sum(p) s from f group by g, v > 0, k",
            false));
    c.add(
        new Case(
            "aggregates sharing an argument (one internal SUM for SUM and AVG of v)",
            "select k, sum(v) s, avg(v) a, count(v) c, sum(v) s2, avg(x) ax, sum(x) sx, count(*) n"
                + " from f group by k",
            false));
    c.add(
        new Case(
            "IN lists over an expression, an int column and a dictionary column after a join",
            "select id, name, g from f join dim on k = dk"
                + " where substring(name from 1 for 2) in ('n1', 'n3', 'n7')"
                + " and k in (1, 3, 4, 7, 30) and g in ('alpha', 'zeta', 'delta')",
            false));
    c.add(
        new Case(
            "group by a dictionary string and a date, packed",
            "select g, d, count(*) n, max(v) mv from f where k < 10 group by g, d",
            false));
    c.add(
        new Case(
            "order by with limit and offset",
            "select id, v from f where v is not null order by v desc, id asc limit 25 offset 5",
            true));
    c.add(
        new Case(
            "order by an expression not selected",
            "select id from f where id < 500 order by v * -1 nulls last, id limit 30",
            true));
    c.add(
        new Case(
            "inner join then group",
            "select name, sum(v) s, count(*) n from f join dim on k = dk group by name",
            false));
    c.add(
        new Case(
            "comma join with where",
            "select name, count(*) n from f, dim where k = dk and w > 50 group by name",
            false));
    c.add(
        new Case(
            "left join",
            "select id, name, w from f left join dim on k = dk where id < 3000",
            false));
    c.add(
        new Case(
            "in subquery", "select id from f where k in (select dk from dim where w > 50)", false));
    c.add(
        new Case(
            "exists",
            "select id from f where exists (select 1 from dim where dk = k and w > 30)",
            false));
    c.add(
        new Case(
            "not exists",
            "select id, k from f where not exists (select 1 from dim where dk = k)",
            false));
    c.add(
        new Case(
            "exists with a correlated non-equality",
            "select id, k from f where id < 3000 and exists (select 1 from f f2 where f2.id < 20000"
                + " and f2.k = f.k and f2.id <> f.id and f2.v > f.v)",
            false));
    c.add(
        new Case(
            "not exists with a correlated non-equality",
            "select id, k, v from f where id < 3000 and not exists (select * from f f2 where"
                + " f2.k = f.k and f2.id <> f.id and f2.v > f.v + 950 and f2.id < 20000)",
            false));
    c.add(
        new Case(
            "exists around a not exists, both correlated",
            "select dk, count(*) n from dim where exists (select 1 from f where f.k = dim.dk and"
                + " f.v > dim.w and not exists (select 1 from f f3 where f3.k = f.k and f3.id <>"
                + " f.id and f3.v > f.v + 990)) group by dk",
            false));
    c.add(
        new Case(
            "scalar subquery",
            "select id, v from f where v > (select avg(v) + 900 from f)",
            false));
    c.add(
        new Case(
            "correlated scalar subquery",
            "select count(*) n from f where v > (select avg(v) from f f2 where f2.k = f.k)",
            false));
    // aggregations joined on their group keys to a much smaller side (semi-join reduction; each
    // of these is reduced on this data: the estimated key values of the other side are under a
    // quarter of the groups)
    c.add(
        new Case(
            "grouped subquery with having joined to a small side on its group key",
            "select count(*) n, sum(f.v) s, sum(t.m) sm from f join (select id, max(v) m, count(*) c"
                + " from f group by id having count(*) > 0) t on t.id = f.id where f.k = 3",
            false));
    c.add(
        new Case(
            "correlated scalar subquery on an expression of the outer row",
            "select f.id from f where f.k = 7 and f.x > (select avg(f2.x) - 100 from f f2 where"
                + " f2.id = f.id - 1)",
            false));
    c.add(
        new Case(
            "correlated max over a join, compared with the outer row's value",
            "select f.id, f.x from f join dim on k = dk where dk = 7 and f.k = 7 and f.id < 20000"
                + " and f.x <="
                + " (select max(f2.x) from f f2 join dim d2 on f2.k = d2.dk where f2.v = f.v and"
                + " d2.w > 10)",
            false));
    c.add(
        new Case(
            "grouped subquery on two keys, one utf8, joined to a filtered side",
            "select f1.id, t.m from f f1 join (select v, g, max(x) m from f group by v, g) t"
                + " on t.v = f1.v and t.g = f1.g where f1.k = 5 and f1.id < 4000",
            false));
    c.add(
        new Case(
            "case",
            "select case when v > 0 then 'pos' when v < 0 then 'neg' else 'zero' end sign,"
                + " count(*) n from f group by sign",
            false));
    c.add(
        new Case(
            "cast",
            "select id, cast(v as double) / 4 dv, cast(k as bigint) + 1 k1 from f where id < 200",
            false));
    c.add(
        new Case(
            "like and in lists",
            "select g, count(*) n from f where g like '%a' or g not like 'b%' and k in (1, 2, 3)"
                + " group by g",
            false));
    c.add(
        new Case(
            "string functions",
            "select dk, substring(name from 2 for 2) s, char_length(name) l from dim",
            false));
    c.add(
        new Case(
            "date literal and month interval",
            "select count(*) n, sum(x) sx from f where d >= date '1995-01-01'"
                + " and d < date '1995-01-01' + interval '3' month",
            false));
    c.add(
        new Case(
            "day interval, extract and between",
            "select id, cast(d + interval '10' day as date) d10, extract(year from d) y, extract(month from d) m"
                + " from f where id between 100 and 150",
            false));
    c.add(
        new Case(
            "union all",
            "select id from f where k = 1 union all select id from f where k = 2",
            false));
    c.add(
        new Case(
            "union distinct",
            "select k from f where v > 900 union select dk from dim where w < 20",
            false));
    c.add(new Case("distinct", "select distinct g, k from f", false));
    c.add(
        new Case(
            "month and year intervals on a date column (end-of-month clamping)",
            "select id, cast(d + interval '1' month as date) m1, cast(d - interval '1' year as date)"
                + " y1, cast(d + interval '13' month as date) m13,"
                + " cast(d - interval '2' month as date) mm2 from f where id < 400",
            false));
    c.add(
        new Case(
            "month interval in a filter",
            "select count(*) n from f where d + interval '1' month > date '1996-03-31'",
            false));
    c.add(
        new Case(
            "intersect",
            "select k from f where v > 500 intersect select dk from dim where w > 30",
            false));
    c.add(
        new Case(
            "except",
            "select k, g from f where v > 0 except select k, g from f where x > 500",
            false));
    c.add(new Case("select without from", "select 1 + 1 two, 'x' s", false));
    c.add(new Case("count distinct", "select g, count(distinct k) dk from f group by g", false));
    c.add(
        new Case(
            "count distinct with plain aggregates",
            "select g, count(distinct k) dk, count(*) n, sum(v) s from f group by g",
            false));
    c.add(
        new Case(
            "not in subquery",
            "select count(*) n from f where k not in (select dk from dim where w > 50)",
            false));
    c.add(
        new Case(
            "scalar subquery in select",
            "select dk, w, (select max(w) from dim) mw from dim",
            false));
    c.add(
        new Case(
            "full join",
            "select id, k, dk, w from (select * from f where id < 2000) f full join"
                + " (select * from dim where dk > 5) d on k = dk",
            false));
    c.add(
        new Case(
            "with",
            "with t as (select k, sum(v) s from f group by k) select k, s from t where s > 1000",
            false));
    return c;
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "fused-pair"})
  void query_onEveryTopology_matchesDuckDb(String topology) throws SQLException {
    long seed = Long.getLong("amalgam.test.seed", System.nanoTime());
    System.out.println("SqlDifferentialTest seed " + seed + " topology " + topology);
    try (Engine engine =
            Engine.builder().pageSize(64 << 10).topology(Topology.preset(topology)).build();
        Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      FactAndDim.load(engine, duck, new Random(seed), FACT_ROWS, 8192);
      List<String> failures = new ArrayList<>();
      for (Case c : cases()) {
        try {
          List<List<Object>> ours =
              normalize(SqlFrontEnd.query(engine, c.sql()).execute().toList());
          List<List<Object>> theirs = duck(duck, c.sql());
          if (!c.ordered()) {
            ours.sort(ROWS);
            theirs.sort(ROWS);
          }
          if (!same(ours, theirs)) {
            failures.add(
                c.name()
                    + ": "
                    + ours.size()
                    + " rows vs DuckDB "
                    + theirs.size()
                    + "\n  ours:   "
                    + head(ours)
                    + "\n  duckdb: "
                    + head(theirs));
          }
        } catch (RuntimeException e) {
          failures.add(c.name() + ": " + e);
          e.printStackTrace();
        }
      }
      assertThat(failures).as("seed " + seed + " on " + topology).isEmpty();
    }
  }
}
