package dev.amalgam.exec.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.TableBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Syntax, validation and unsupported-feature errors of the SQL front end. */
final class SqlErrorTest {
  private Engine engine;

  @BeforeEach
  void setUp() {
    engine = Engine.open("cpu");
    TableBuilder b =
        engine.createTable(
            "t", Schema.of(Field.notNull("a", DataType.INT64), Field.of("s", DataType.UTF8)));
    for (long i = 0; i < 10; i++) {
      b.addRow(i, "s" + i);
    }
    b.build();
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  private QueryException error(String sql) {
    try {
      SqlFrontEnd.query(engine, sql);
    } catch (QueryException e) {
      return e;
    }
    throw new AssertionError("no error for " + sql);
  }

  @Test
  void query_syntaxError_reportsLineAndColumn() {
    QueryException e = error("select a\nfrom t\nwhere a >> 3");
    assertThat(e.code()).isEqualTo(QueryException.Code.INVALID);
    assertThat(e.getMessage()).contains("line 3, column").contains(">");
  }

  @Test
  void query_unknownColumn_namesItWithPosition() {
    QueryException e = error("select a, nope from t");
    assertThat(e.code()).isEqualTo(QueryException.Code.INVALID);
    assertThat(e.getMessage()).contains("line 1, column 11").contains("nope");
  }

  @Test
  void query_unknownTable_namesIt() {
    QueryException e = error("select * from missing_table");
    assertThat(e.getMessage()).contains("line 1, column 15").contains("missing_table");
  }

  @Test
  void query_typeError_namesBothTypes() {
    QueryException e = error("select a + s from t");
    assertThat(e.getMessage()).contains("BIGINT").contains("VARCHAR");
  }

  @Test
  void query_unsupportedFeature_saysNotSupported() {
    QueryException e =
        error(
            "select a, sum(a) over (order by a range between 2 preceding and current row) from t");
    assertThat(e.code()).isEqualTo(QueryException.Code.INVALID);
    assertThat(e.getMessage()).contains("not supported").contains("RANGE");
  }

  @Test
  void query_afterErrors_stillRuns() {
    error("select from t");
    error("select nope from t");
    assertThat(
            SqlFrontEnd.query(engine, "select count(*) n from t where a >= 5").execute().toList())
        .containsExactly(java.util.List.of(5L));
  }

  @Test
  void query_mixedCaseTableAndColumns_resolve() {
    assertThat(SqlFrontEnd.query(engine, "SELECT A FROM T WHERE A = 3;").execute().toList())
        .containsExactly(java.util.List.of(3L));
  }

  @Test
  void explain_join_showsCalciteAndEnginePlans() {
    String text =
        SqlFrontEnd.explain(engine, "select t.a from t join t u on t.a = u.a where u.s like 's%'");
    assertThat(text).contains("LogicalJoin").contains("amalgam:");
  }
}
