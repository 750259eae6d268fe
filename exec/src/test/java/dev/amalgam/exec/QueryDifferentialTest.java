package dev.amalgam.exec;

import static dev.amalgam.exec.expr.Exprs.avg;
import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.count;
import static dev.amalgam.exec.expr.Exprs.countDistinct;
import static dev.amalgam.exec.expr.Exprs.countStar;
import static dev.amalgam.exec.expr.Exprs.date;
import static dev.amalgam.exec.expr.Exprs.lit;
import static dev.amalgam.exec.expr.Exprs.max;
import static dev.amalgam.exec.expr.Exprs.min;
import static dev.amalgam.exec.expr.Exprs.sum;
import static dev.amalgam.exec.expr.Exprs.when;
import static dev.amalgam.exec.testing.DuckDbOracle.ROWS;
import static dev.amalgam.exec.testing.DuckDbOracle.duck;
import static dev.amalgam.exec.testing.DuckDbOracle.head;
import static dev.amalgam.exec.testing.DuckDbOracle.normalize;
import static dev.amalgam.exec.testing.DuckDbOracle.same;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.run.JoinType;
import dev.amalgam.exec.testing.FactAndDim;
import dev.amalgam.memory.Topology;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fluent queries against the same SQL in DuckDB over the same random data, on every kind of
 * topology: host only, the fused pair, and a fused pair so small that pages are evicted to the host
 * and the spill file while the queries run. The seed is printed; rerun with -Damalgam.test.seed=N.
 */
final class QueryDifferentialTest {
  private static final int FACT_ROWS = 50_000;

  record Case(String name, Function<Engine, Query> fluent, String sql, boolean ordered) {}

  private static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(
        new Case(
            "filter and project",
            e ->
                e.table("f")
                    .filter(col("v").gt(100).and(col("k").lt(20)))
                    .select(col("id"), col("v").times(2).as("v2"), col("x")),
            "select id, v * 2 as v2, x from f where v > 100 and k < 20",
            false));
    c.add(
        new Case(
            "group by with every aggregate",
            e ->
                e.table("f")
                    .groupBy("k")
                    .agg(
                        sum(col("v")).as("s"),
                        count(col("v")).as("c"),
                        countStar().as("n"),
                        min(col("x")).as("mn"),
                        max(col("p")).as("mx"),
                        avg(col("v")).as("a")),
            "select k, sum(v) s, count(v) c, count(*) n, min(x) mn, max(p) mx, avg(v) a from f group by k",
            false));
    c.add(
        new Case(
            "aggregate of an empty input",
            e ->
                e.table("f")
                    .filter(col("v").gt(1_000_000))
                    .agg(countStar().as("n"), sum(col("v")).as("s")),
            "select count(*) n, sum(v) s from f where v > 1000000",
            false));
    c.add(
        new Case(
            "group by a dictionary string",
            e -> e.table("f").groupBy("g").agg(sum(col("p")).as("s"), countStar().as("n")),
            "select g, sum(p) s, count(*) n from f group by g",
            false));
    c.add(
        new Case(
            "inner join then group",
            e ->
                e.table("f")
                    .join(e.table("dim"), col("k").eq(col("dk")))
                    .groupBy("name")
                    .agg(sum(col("v")).as("s"), countStar().as("n")),
            "select name, sum(v) s, count(*) n from f join dim on k = dk group by name",
            false));
    c.add(
        new Case(
            "left join",
            e ->
                e.table("f")
                    .filter(col("id").lt(3000))
                    .leftJoin(e.table("dim"), col("k").eq(col("dk")))
                    .select("id", "name", "w"),
            "select id, name, w from f left join dim on k = dk where id < 3000",
            false));
    c.add(
        new Case(
            "right join",
            e ->
                e.table("f")
                    .filter(col("id").lt(2000))
                    .join(e.table("dim"), col("k").eq(col("dk")), JoinType.RIGHT)
                    .select("dk", "name", "id"),
            "select dk, name, id from (select * from f where id < 2000) f right join dim on k = dk",
            false));
    c.add(
        new Case(
            "full join",
            e ->
                e.table("f")
                    .filter(col("id").lt(2000))
                    .join(
                        e.table("dim").filter(col("dk").gt(5)),
                        col("k").eq(col("dk")),
                        JoinType.FULL)
                    .select("id", "k", "dk", "w"),
            "select id, k, dk, w from (select * from f where id < 2000) f full join"
                + " (select * from dim where dk > 5) d on k = dk",
            false));
    c.add(
        new Case(
            "join on an expression key, then top-N",
            e ->
                e.table("f")
                    .join(e.table("dim"), col("k").plus(1).eq(col("dk")))
                    .groupBy("dk")
                    .agg(countStar().as("n"))
                    .orderBy(col("n").desc(), col("dk").asc())
                    .limit(5),
            "select dk, count(*) n from f join dim on k + 1 = dk group by dk order by n desc, dk limit 5",
            true));
    c.add(
        new Case(
            "semi join",
            e ->
                e.table("f")
                    .semiJoin(e.table("dim").filter(col("w").gt(50)), col("k").eq(col("dk")))
                    .select("id"),
            "select id from f where k in (select dk from dim where w > 50)",
            false));
    c.add(
        new Case(
            "anti join",
            e -> e.table("f").antiJoin(e.table("dim"), col("k").eq(col("dk"))).select("id", "k"),
            "select id, k from f where not exists (select 1 from dim where dk = k)",
            false));
    c.add(
        new Case(
            "order by with limit (top-N)",
            e ->
                e.table("f")
                    .filter(col("v").isNotNull())
                    .orderBy(col("v").desc(), col("id").asc())
                    .limit(25)
                    .select("id", "v"),
            "select id, v from f where v is not null order by v desc, id asc limit 25",
            true));
    c.add(
        new Case(
            "order by strings and dates with offset",
            e ->
                e.table("dim")
                    .orderBy(col("name").asc(), col("dk").desc())
                    .offset(3)
                    .limit(10)
                    .select("dk", "name"),
            "select dk, name from dim order by name asc, dk desc limit 10 offset 3",
            true));
    c.add(
        new Case(
            "distinct",
            e -> e.table("f").select("g", "k").distinct(),
            "select distinct g, k from f",
            false));
    c.add(
        new Case(
            "union all",
            e ->
                e.table("f")
                    .filter(col("k").eq(1))
                    .select("id")
                    .unionAll(e.table("f").filter(col("k").eq(2)).select("id")),
            "select id from f where k = 1 union all select id from f where k = 2",
            false));
    c.add(
        new Case(
            "count distinct",
            e -> e.table("f").groupBy("g").agg(countDistinct(col("k")).as("dk")),
            "select g, count(distinct k) dk from f group by g",
            false));
    c.add(
        new Case(
            "semi join with a non-equality (EXISTS another row of the key with a larger v)",
            e ->
                e.table("f")
                    .filter(col("id").lt(2000))
                    .join(
                        e.table("f")
                            .filter(col("id").lt(20_000))
                            .select(col("k").as("k2"), col("id").as("id2"), col("v").as("v2")),
                        col("k")
                            .eq(col("k2"))
                            .and(col("id").ne(col("id2")))
                            .and(col("v2").gt(col("v"))),
                        JoinType.SEMI)
                    .select("id", "k", "v"),
            "select id, k, v from f where id < 2000 and exists (select 1 from f f2 where f2.id <"
                + " 20000 and f2.k = f.k and f2.id <> f.id and f2.v > f.v)",
            false));
    c.add(
        new Case(
            "anti join with a non-equality (NOT EXISTS, nulls keep the row)",
            e ->
                e.table("f")
                    .filter(col("id").lt(2000))
                    .join(
                        e.table("f")
                            .filter(col("id").lt(20_000))
                            .select(col("k").as("k2"), col("id").as("id2"), col("v").as("v2")),
                        col("k")
                            .eq(col("k2"))
                            .and(col("id").ne(col("id2")))
                            .and(col("v2").gt(col("v").plus(900))),
                        JoinType.ANTI)
                    .select("id", "k", "v"),
            "select id, k, v from f where id < 2000 and not exists (select 1 from f f2 where f2.id"
                + " < 20000 and f2.k = f.k and f2.id <> f.id and f2.v > f.v + 900)",
            false));
    c.add(
        new Case(
            "string predicates and CASE",
            e ->
                e.table("f")
                    .filter(col("g").like("a%").or(col("g").in("gamma", "zeta")))
                    .groupBy(when(col("v").gt(0), lit("pos")).otherwise(lit("neg")).as("sign"))
                    .agg(countStar().as("n")),
            "select case when v > 0 then 'pos' else 'neg' end sign, count(*) n from f"
                + " where g like 'a%' or g in ('gamma', 'zeta') group by sign",
            false));
    c.add(
        new Case(
            "dates",
            e ->
                e.table("f")
                    .filter(col("d").between(date("1995-01-01"), date("1996-12-31")))
                    .groupBy(col("d").year().as("y"))
                    .agg(countStar().as("n"), sum(col("x")).as("sx")),
            "select year(d) y, count(*) n, sum(x) sx from f where d between date '1995-01-01' and"
                + " date '1996-12-31' group by y",
            false));
    c.add(
        new Case(
            "decimal arithmetic",
            e ->
                e.table("f")
                    .filter(col("p").lt(new BigDecimal("500.00")))
                    .agg(sum(col("p").times(col("p"))).as("s"), countStar().as("n")),
            "select sum(p * p) s, count(*) n from f where p < 500.00",
            false));
    return c;
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "fused-pair", "tiny"})
  void queries_onEveryTopology_matchDuckDb(String topology) throws SQLException {
    long seed = Long.getLong("amalgam.test.seed", System.nanoTime());
    System.out.println("QueryDifferentialTest seed " + seed + " topology " + topology);
    Engine.Builder eb = Engine.builder().pageSize(64 << 10);
    if (topology.equals("tiny")) {
      eb.topology(Topology.preset("fused-pair", 1L << 20, 2L << 20)).workersPerMember(1);
    } else {
      eb.topology(Topology.preset(topology));
    }
    try (Engine engine = eb.build();
        Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      FactAndDim.load(engine, duck, new Random(seed), FACT_ROWS, 16384);
      List<String> failures = new ArrayList<>();
      for (Case c : cases()) {
        try {
          List<List<Object>> ours = normalize(c.fluent().apply(engine).execute().toList());
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
