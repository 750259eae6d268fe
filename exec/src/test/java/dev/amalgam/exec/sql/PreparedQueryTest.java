package dev.amalgam.exec.sql;

import static dev.amalgam.exec.testing.DuckDbOracle.ROWS;
import static dev.amalgam.exec.testing.DuckDbOracle.head;
import static dev.amalgam.exec.testing.DuckDbOracle.normalize;
import static dev.amalgam.exec.testing.DuckDbOracle.same;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.testing.FactAndDim;
import dev.amalgam.memory.Topology;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Prepared queries with parameters, against DuckDB's prepared statements with the same values. */
final class PreparedQueryTest {
  private Engine engine;
  private Connection duck;
  private long seed;

  @BeforeEach
  void setUp() throws SQLException {
    seed = Long.getLong("amalgam.test.seed", System.nanoTime());
    System.out.println("PreparedQueryTest seed " + seed);
    engine = Engine.builder().pageSize(64 << 10).topology(Topology.preset("cpu")).build();
    duck = DriverManager.getConnection("jdbc:duckdb:");
    FactAndDim.load(engine, duck, new Random(seed), 5_000, 1024);
  }

  @AfterEach
  void tearDown() throws SQLException {
    engine.close();
    duck.close();
  }

  private List<List<Object>> duckRows(String sql, Object... values) throws SQLException {
    List<List<Object>> out = new ArrayList<>();
    try (PreparedStatement ps = duck.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        Object v = values[i];
        ps.setObject(i + 1, v instanceof LocalDate d ? java.sql.Date.valueOf(d) : v);
      }
      try (ResultSet rs = ps.executeQuery()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= n; i++) {
            row.add(rs.getObject(i));
          }
          out.add(row);
        }
      }
    }
    return normalize(out);
  }

  private void check(PreparedQuery q, Object... values) throws SQLException {
    List<List<Object>> ours = normalize(q.execute(values).toList());
    List<List<Object>> theirs = duckRows(q.sql(), values);
    ours.sort(ROWS);
    theirs.sort(ROWS);
    assertThat(same(ours, theirs))
        .as(
            "seed %d: %s with %s\n ours %s\n duck %s",
            seed, q.sql(), List.of(values), head(ours), head(theirs))
        .isTrue();
  }

  @Test
  void execute_manyValues_matchesDuckDb() throws SQLException {
    PreparedQuery q =
        engine.prepare(
            "select k, count(*) n, sum(v) s from f where v > ? and d < ? and g like ?"
                + " group by k");
    assertThat(q.parameterCount()).isEqualTo(3);
    assertThat(q.parameterTypes()).containsExactly(DataType.INT64, DataType.DATE32, DataType.UTF8);
    Random rnd = new Random(seed);
    for (int i = 0; i < 5; i++) {
      check(
          q,
          (long) rnd.nextInt(2000) - 1000,
          LocalDate.of(1992, 1, 1).plusDays(rnd.nextInt(2500)),
          rnd.nextBoolean() ? "%a" : "b%");
    }
  }

  @Test
  void execute_decimalJoinAndLimitParameters_matchDuckDb() throws SQLException {
    PreparedQuery q =
        engine.prepare(
            "select id, p, name from f join dim on k = dk where p between ? and ? and w < ?");
    check(q, new BigDecimal("10.50"), new BigDecimal("500"), 60L);
    check(q, new BigDecimal("0"), new BigDecimal("99.99"), 20L);
    PreparedQuery top = engine.prepare("select id from f where k = ? order by id limit ?");
    assertThat(top.execute(3, 5L).rowCount()).isEqualTo(5);
    check(top, 3, 5L);
  }

  @Test
  void prepare_isCachedAndReplannedWhenTheCatalogChanges() {
    PreparedQuery a = engine.prepare("select count(*) from dim where w > ?");
    assertThat(engine.prepare("select count(*) from dim where w > ?")).isSameAs(a);
    long before = (Long) a.execute(-1L).get(0, 0);
    engine.execute("insert into dim values (100, 'new', 5)");
    assertThat(a.execute(-1L).get(0, 0)).isEqualTo(before + 1);
    assertThat(engine.prepare("select count(*) from dim where w > ?")).isNotSameAs(a);
  }

  @Test
  void bind_wrongValues_sayWhichParameterAndWhy_andQueryStillRuns() {
    PreparedQuery q = engine.prepare("select count(*) from f where v > ?\n and d = ?");
    assertThatThrownBy(() -> q.execute(1L))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("2 parameters")
        .hasMessageContaining("1 value was given");
    assertThatThrownBy(() -> q.execute(1L, 5))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("parameter 2 (line 2, column 10)")
        .hasMessageContaining("expects DATE")
        .hasMessageContaining("Integer 5");
    assertThatThrownBy(() -> q.execute("x", LocalDate.of(1995, 1, 1)))
        .hasMessageContaining("parameter 1 (line 1, column 34) expects BIGINT; got String 'x'");
    assertThatThrownBy(
            () ->
                engine
                    .prepare("select count(*) from f where p > ?")
                    .execute(new BigDecimal("1.234")))
        .hasMessageContaining("more than 2 decimal places");
    assertThatThrownBy(() -> engine.sql("select count(*) from f where v > ?"))
        .hasMessageContaining("line 1, column 34")
        .hasMessageContaining("engine.prepare");
    assertThat(q.execute(0L, "1995-01-01").get(0, 0))
        .isEqualTo(q.execute(0L, LocalDate.of(1995, 1, 1)).get(0, 0));
    assertThat(q.execute(null, LocalDate.of(1995, 1, 1)).get(0, 0)).isEqualTo(0L);
  }
}
