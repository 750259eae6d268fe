package dev.amalgam.jupyter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.samples.tpch.TpchData;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The magics and cells of a notebook, in process (no Jupyter). One session for the class. */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class NotebookSessionTest {
  private final List<DisplayData> shown = new CopyOnWriteArrayList<>();
  private NotebookSession session;

  @BeforeEach
  void open() throws Exception {
    session = new NotebookSession(System.getProperty("java.class.path"), shown::add);
    Notebook.attach(session);
  }

  @AfterEach
  void close() {
    session.close();
    Notebook.attach(null);
  }

  private void smallTables() throws Exception {
    session.eval(
        "%%sql\nCREATE TABLE region (r_name VARCHAR, r_id INT);\n"
            + "INSERT INTO region VALUES ('AFRICA', 0), ('AMERICA', 1), ('ASIA', 2), ('EUROPE', 3),"
            + " ('MIDDLE EAST', 4);\n"
            + "CREATE TABLE nation (n_name VARCHAR, r_id INT);\n"
            + "INSERT INTO nation VALUES ('ALGERIA', 0), ('ARGENTINA', 1), ('BRAZIL', 1),"
            + " ('CANADA', 1), ('CHINA', 2), ('EGYPT', 4)");
  }

  private String html(DisplayData d) {
    return String.valueOf(d.getData(MIMEType.TEXT_HTML));
  }

  private String text(DisplayData d) {
    return String.valueOf(d.getData(MIMEType.TEXT_PLAIN));
  }

  private DisplayData eval(String cell) throws CellException {
    DisplayData d = session.eval(cell);
    assertThat(d).as("cell result of %s", cell).isNotNull();
    return d;
  }

  @Test
  void tpch_loadedTables_listedAndQueryable() throws Exception {
    assertThat(html(eval("%tpch 0.01"))).contains("TPC-H sf 0.01").contains("lineitem");
    for (String t : TpchData.tableNames()) {
      assertThat(session.engine().hasTable(t)).as(t).isTrue();
    }
    assertThat(html(eval("%tables"))).contains("lineitem").contains("row groups by device");
    assertThatThrownBy(() -> session.eval("%tpch 0.01"))
        .hasMessageContaining("already has TPC-H tables")
        .hasMessageContaining("--replace");
    assertThatThrownBy(() -> session.eval("%tpch many")).hasMessageContaining("'many'");
  }

  @Test
  void sqlCell_result_rendersLikeAJavaResult() throws Exception {
    smallTables();
    String q = "SELECT r_name, count(*) AS n FROM region GROUP BY r_name ORDER BY r_name";
    DisplayData magic = eval("%%sql\n" + q);
    assertThat(html(magic)).contains(">AFRICA</td>").contains("5 rows x 2 columns");
    DisplayData java = eval("engine.sql(\"" + q + "\").execute()");
    assertThat(html(java)).isEqualTo(html(magic));
    assertThat(text(java)).isEqualTo(text(magic));
  }

  @Test
  void sqlCell_severalStatements_earlierOnesDisplayed() throws Exception {
    smallTables();
    shown.clear();
    DisplayData last =
        eval("%%sql --limit 3\nSELECT n_name FROM nation ORDER BY n_name;\nSELECT 1 AS one;");
    assertThat(html(last)).contains(">1</td>");
    assertThat(shown).hasSize(1);
    assertThat(html(shown.getFirst())).contains(">ALGERIA</td>").contains("showing the first 3");
  }

  @Test
  void sqlCell_error_namesTheCellLineAndColumn() throws Exception {
    smallTables();
    assertThatThrownBy(() -> session.eval("%%sql\nSELECT n_name\nFROM nation\nWHERE nosuch = 1"))
        .isInstanceOfSatisfying(
            CellException.class, e -> assertThat(e.kind()).isEqualTo("SQL error"))
        .hasMessageContaining("line 4, column 7")
        .hasMessageContaining("nosuch");
    // the engine and the session go on
    assertThat(session.engine().hasTable("nation")).isTrue();
  }

  @Test
  void sqlInto_keepsTheResultAsAJavaVariable() throws Exception {
    smallTables();
    eval("%%sql --into regions\nSELECT * FROM region");
    DisplayData d = eval("regions.rowCount() * 10");
    assertThat(text(d)).isEqualTo("50");
    assertThatThrownBy(() -> session.eval("%%sql --into 1x\nSELECT 1"))
        .hasMessageContaining("not a Java variable name");
  }

  @Test
  void explain_lineAndCellAndToggle() throws Exception {
    session.eval("%tpch 0.01");
    DisplayData analyze = eval("%explain analyze SELECT count(*) FROM lineitem");
    assertThat(html(analyze))
        .contains("EXPLAIN ANALYZE")
        .contains("links")
        .contains("Scan lineitem");
    DisplayData plan = eval("%%explain\nSELECT count(*) FROM orders");
    assertThat(html(plan)).startsWith("<pre>").contains("Scan orders");
    eval("%explain on");
    try {
      assertThat(html(eval("%%sql\nSELECT count(*) AS n FROM nation")))
          .contains("1 row x 1 columns")
          .contains("operators per pipeline");
    } finally {
      eval("%explain off");
    }
    assertThatThrownBy(() -> session.eval("%%explain\nSELECT 1; SELECT 2"))
        .hasMessageContaining("exactly one query");
  }

  @Test
  void lineMagicsThenJava_magicShownAndJavaValueIsTheResult() throws Exception {
    shown.clear();
    DisplayData d = eval("%maxrows 50\nint x = 6;\nx * 7");
    assertThat(text(d)).isEqualTo("42");
    assertThat(shown).hasSize(1);
    assertThat(text(shown.getFirst())).contains("at most 50 rows");
  }

  @Test
  void unknownMagic_listsTheMagics() {
    assertThatThrownBy(() -> session.eval("%nosuch 1")).hasMessageContaining("%tpch");
    assertThatThrownBy(() -> session.eval("%%nosuch\nx")).hasMessageContaining("%%sql");
    assertThatThrownBy(() -> session.eval("%topology nowhere")).hasMessageContaining("fused-pair");
  }

  @Test
  void javaErrors_doNotEndTheSession() throws Exception {
    smallTables();
    assertThatThrownBy(() -> session.eval("engine.sql(\"SELECT nope FROM nation\").execute()"))
        .isInstanceOfSatisfying(
            CellException.class, e -> assertThat(e.kind()).isEqualTo("QueryException"))
        .hasMessageContaining("line 1, column 8");
    assertThat(text(eval("1 + 1"))).isEqualTo("2");
  }

  @Test
  void memory_statsAndChart() throws Exception {
    assertThat(html(eval("%memory"))).contains("unified memory on fused-pair");
    assertThat(eval("%memory chart").hasDataForType(MIMEType.parse("image/png"))).isTrue();
    assertThat(html(eval("Notebook.engine().memory().stats()"))).contains("simulated gpu");
  }

  @Test
  void interrupt_runningJavaLoop_cancelledWithinTheWindow() throws Exception {
    assertInterrupted("long spins = 0;\nwhile (true) { spins++; }");
  }

  @Test
  void interrupt_javaLoopOfQueries_cancelled() throws Exception {
    smallTables();
    assertInterrupted(
        "while (true) { engine.sql(\"SELECT r_name, count(*) FROM region GROUP BY"
            + " r_name\").execute(); }");
  }

  @Test
  void interrupt_longQuery_cancelledAndTheEngineGoesOn() throws Exception {
    session.eval("%tpch 0.01");
    // a join of every lineitem with every order of the same customer's nation: long enough
    assertInterrupted(
        "%%sql\nSELECT count(*) FROM lineitem a, lineitem b WHERE a.l_suppkey = b.l_suppkey"
            + " AND a.l_partkey <> b.l_partkey AND a.l_quantity + b.l_quantity > 0");
    assertThat(text(eval("%%sql\nSELECT count(*) AS n FROM region"))).contains("5");
    assertThat(session.engine().runningQueries()).isZero();
  }

  private void assertInterrupted(String cell) throws Exception {
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<DisplayData> f = ex.submit(() -> session.eval(cell));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!session.busy() && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      Thread.sleep(700);
      assertThat(f.isDone()).as("the cell was still running when interrupted").isFalse();
      long t0 = System.nanoTime();
      session.interrupt();
      assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(CellException.class)
          .cause()
          .satisfies(
              c -> assertThat(((CellException) c).kind()).isIn("interrupted", "QueryException"));
      System.out.printf("interrupt took %.0f ms%n", (System.nanoTime() - t0) / 1e6);
      assertThat(text(eval("1 + 2"))).isEqualTo("3");
    } finally {
      ex.shutdownNow();
    }
  }
}
