package dev.amalgam.exec.sql;

import static dev.amalgam.exec.testing.DuckDbOracle.ROWS;
import static dev.amalgam.exec.testing.DuckDbOracle.duck;
import static dev.amalgam.exec.testing.DuckDbOracle.head;
import static dev.amalgam.exec.testing.DuckDbOracle.normalize;
import static dev.amalgam.exec.testing.DuckDbOracle.same;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.testing.FactAndDim;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CREATE TABLE [AS], INSERT, DROP TABLE, EXPLAIN and SELECT without FROM, run in the engine and in
 * DuckDB on the same data, then compared by querying the resulting tables.
 */
final class SqlStatementTest {
  private Engine engine;
  private Connection duck;
  private long seed;

  @BeforeEach
  void setUp() throws SQLException {
    seed = Long.getLong("amalgam.test.seed", System.nanoTime());
    System.out.println("SqlStatementTest seed " + seed);
    engine =
        Engine.builder()
            .pageSize(64 << 10)
            .topology(dev.amalgam.memory.Topology.preset("fused-pair"))
            .build();
    duck = DriverManager.getConnection("jdbc:duckdb:");
    FactAndDim.load(engine, duck, new Random(seed), 5_000, 2048);
  }

  @AfterEach
  void tearDown() throws SQLException {
    engine.close();
    duck.close();
  }

  /** Runs {@code sql} in both engines. */
  private Result both(String sql) throws SQLException {
    Result r = engine.execute(sql);
    try (Statement s = duck.createStatement()) {
      s.execute(sql);
    }
    return r;
  }

  private void assertSame(String query, boolean ordered) throws SQLException {
    List<List<Object>> ours = normalize(engine.execute(query).toList());
    List<List<Object>> theirs = duck(duck, query);
    if (!ordered) {
      ours.sort(ROWS);
      theirs.sort(ROWS);
    }
    assertThat(same(ours, theirs))
        .as(
            "seed %d: %s\n  ours:   %s (%d rows)\n  duckdb: %s (%d rows)",
            seed, query, head(ours), ours.size(), head(theirs), theirs.size())
        .isTrue();
  }

  @Test
  void createTableAs_thenQuery_matchesDuckDb() throws SQLException {
    Result r =
        both(
            "create table agg as select k, g, sum(v) sv, count(*) n, avg(x) ax"
                + " from f where v > 0 group by k, g");
    assertThat(r.columnNames()).containsExactly("status", "rows");
    assertThat(r.get(0, "status").toString()).startsWith("created table agg (");
    assertSame("select * from agg", false);
    assertSame("select g, sum(n) n from agg join dim on k = dk group by g", false);
    assertThat(engine.catalogTable("agg").schema().names())
        .containsExactly("k", "g", "sv", "n", "ax");
  }

  @Test
  void createInsertValuesAndSelect_matchDuckDb() throws SQLException {
    both(
        "create table t (id bigint not null, name varchar, price decimal(12,2), d date,"
            + " x double, b boolean)");
    assertThat(engine.catalogTable("t").rowCount()).isZero();
    assertSame("select count(*) from t", false);
    Result r =
        both(
            "insert into t values (1, 'one', 1.5, date '2020-02-29', 0.25, true),"
                + " (2, null, -3, date '1999-12-31', null, false), (3, 'three', null, null, 1e3,"
                + " null)");
    assertThat(r.get(0, "rows")).isEqualTo(3L);
    both("insert into t (id, name) values (4, 'four')");
    both("insert into t select id + 100, g, p, d, x, v > 0 from f where id < 50");
    assertSame("select * from t order by id", true);
    assertThat(engine.catalogTable("t").rowCount()).isEqualTo(54);
  }

  @Test
  void aScriptRepeatingAQuery_plansItOnce() {
    List<SqlScript.Statement> script =
        SqlScript.split("select count(*) from f;\n\n  select count(*) from f;");
    assertThat(script).hasSize(2);
    assertThat(script.get(0).positioned()).isNotEqualTo(script.get(1).positioned());
    long before = engine.cachedPlans();
    Object first = engine.execute(script.get(0).positioned()).get(0, 0);
    Object second = engine.execute(script.get(1).positioned()).get(0, 0);
    assertThat(second).isEqualTo(first).isEqualTo(5_000L);
    assertThat(engine.cachedPlans()).isEqualTo(before + 1);
    // the padding still places errors where the statement stands in the script
    assertThatThrownBy(
            () ->
                engine.execute(
                    SqlScript.split("select 1;\n\n  select nope from f").get(1).positioned()))
        .hasMessageContaining("line 3, column 10");
  }

  @Test
  void insert_changesCatalogVersion_soCachedPlansSeeNewRows() {
    engine.execute("create table c (n integer)");
    long v0 = engine.catalogVersion();
    assertThat(engine.sql("select count(*) from c").execute().get(0, 0)).isEqualTo(0L);
    engine.execute("insert into c values (1), (2)");
    assertThat(engine.catalogVersion()).isGreaterThan(v0);
    assertThat(engine.sql("select count(*) from c").execute().get(0, 0)).isEqualTo(2L);
    engine.execute("insert into c select n + 10 from c");
    assertThat(engine.sql("select sum(n) from c").execute().get(0, 0)).isEqualTo(26L);
  }

  @Test
  void createOrReplace_andIfNotExists() throws SQLException {
    both("create table r as select 1 as a");
    assertThat(engine.execute("create table if not exists r as select 2 as a").get(0, 0))
        .asString()
        .contains("already exists");
    both("create or replace table r as select dk a from dim where dk < 5");
    assertSame("select * from r", false);
  }

  @Test
  void dropTable_removesIt_andIfExistsIsQuiet() {
    engine.execute("create table gone as select 1 as a");
    Result r = engine.execute("DROP TABLE gone;");
    assertThat(r.get(0, "status").toString()).isEqualTo("dropped table gone (1 row)");
    assertThat(engine.hasTable("gone")).isFalse();
    assertThat(engine.execute("drop table if exists gone").get(0, "status").toString())
        .contains("does not exist");
    assertThatThrownBy(() -> engine.execute("drop table gone"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("line 1, column 12")
        .hasMessageContaining("no table 'gone'");
  }

  @Test
  void selectWithoutFrom_matchesDuckDb() throws SQLException {
    assertSame("select 1 + 1 as two", false);
    assertSame("select 2 * 3 a, 'x' b, cast(null as integer) c, date '2024-02-29' d", false);
    assertSame("select 1 as a union all select 2 union all select 3 order by a desc", true);
    assertSame(
        "select * from (values (1, 'a'), (2, 'b'), (3, cast(null as varchar))) v(n, s)", false);
    assertSame("select count(*) from f where k = (select 3)", false);
  }

  @Test
  void explain_returnsThePlanAsRows() {
    Result e = engine.execute("explain select k, count(*) from f group by k");
    assertThat(e.columnNames()).containsExactly("plan");
    assertThat(e.column("plan")).anySatisfy(l -> assertThat(l.toString()).contains("Aggregate"));
    Result a = engine.execute("EXPLAIN ANALYZE select k, count(*) from f group by k");
    assertThat(a.column("plan"))
        .anySatisfy(l -> assertThat(l.toString()).contains("rows"))
        .anySatisfy(l -> assertThat(l.toString()).contains("pipeline"));
  }

  @Test
  void errors_nameLineColumnAndIdentifier_andEngineStaysUsable() {
    assertError("create table f as select 1 as a", "line 1, column 14", "'f' already exists");
    assertError("insert into nope values (1)", "line 1, column 13", "no table 'nope'");
    assertError("insert into dim values (1, 'a')", "line 1, column 17", "2 values per row for 3");
    assertError("insert into dim (dk, zz) values (1, 2)", "line 1, column 22", "no column 'zz'");
    assertError("insert into dim (name) values ('a')", "line 1, column 13", "'dk'");
    assertError("insert into dim values ('a', 'b', 3)", "line 1, column 17", "VARCHAR");
    assertError("create table u (a blob)", "line 1, column 19", "BLOB is not supported");
    assertError("create table u (a decimal(30, 2))", "line 1, column 19", "wider");
    assertError("drop tabel f", "line 1, column 6", "expected TABLE");
    assertError("drop table f g", "line 1, column 14", "unexpected 'g'");
    assertError("explain", "line 1, column 1", "needs a query");
    assertError("update f set v = 1", "line 1, column 1", "not supported");
    assertError("select *\n  from f where nope = 1", "line 2, column 16", "nope");
    assertThatThrownBy(() -> engine.sql("create table z as select 1 as a"))
        .hasMessageContaining("engine.execute");
    assertThat(engine.execute("select count(*) from dim").get(0, 0)).isEqualTo(40L);
    assertThat(engine.tableNames()).containsExactly("dim", "f");
  }

  private void assertError(String sql, String position, String text) {
    assertThatThrownBy(() -> engine.execute(sql))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining(position)
        .hasMessageContaining(text)
        .satisfies(e -> assertThat(((QueryException) e).line()).isPositive());
  }

  @Test
  void createTable_columnTypes_mapToEngineTypes() {
    engine.execute(
        "create table types (a tinyint, b smallint, c int, d bigint not null, e real, f2 double,"
            + " g decimal(10,3), h date, i timestamp, j varchar(20), k text, l boolean)");
    assertThat(engine.catalogTable("types").schema().fields())
        .extracting(fl -> fl.type())
        .containsExactly(
            DataType.INT8,
            DataType.INT16,
            DataType.INT32,
            DataType.INT64,
            DataType.FLOAT32,
            DataType.FLOAT64,
            DataType.decimal(10, 3),
            DataType.DATE32,
            DataType.TIMESTAMP,
            DataType.UTF8,
            DataType.UTF8,
            DataType.BOOL);
    assertThat(engine.catalogTable("types").schema().field("d").nullable()).isFalse();
  }
}
