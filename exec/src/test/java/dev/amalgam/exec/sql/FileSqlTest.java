package dev.amalgam.exec.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.files.FakeFileFormat;
import dev.amalgam.exec.files.FileFilter;
import dev.amalgam.exec.files.FileFormats;
import dev.amalgam.exec.files.FileScan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Files in SQL through the file-format service, with a test format ({@link FakeFileFormat}). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class FileSqlTest {
  @TempDir Path dir;
  private Engine engine;
  private Path file;
  private String f;

  @BeforeEach
  void setUp() throws IOException {
    engine = Engine.builder().pageSize(64 << 10).build();
    file = dir.resolve("people.fake");
    Files.writeString(
        file,
        "id:BIGINT,name:VARCHAR,score:DOUBLE,born:DATE\n"
            + "1,ann,1.5,2000-01-02\n"
            + "2,bob,,1999-12-31\n"
            + "3,cid,3.25,\n"
            + "4,,4.0,2001-03-04\n");
    f = file.toString();
    FakeFileFormat.SCANS.clear();
    FakeFileFormat.TABLES.clear();
    engine
        .createTable(
            "dept", Schema.of(Field.of("pid", DataType.INT64), Field.of("dept", DataType.UTF8)))
        .addRow(1L, "rates")
        .addRow(3L, "fx")
        .addRow(9L, "none")
        .build();
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  private List<List<Object>> rows(String sql) {
    return engine.execute(sql).toList();
  }

  private void assertFilesDropped() {
    for (String t : FakeFileFormat.TABLES) {
      assertThat(engine.hasTable(t)).as("table " + t + " dropped").isFalse();
    }
    assertThat(engine.tableNames()).containsExactly("dept");
  }

  @Test
  void select_fromStringLiteral_readsTheFileAndDropsItsTableAfter() {
    assertThat(FileFormats.named("pretend")).isInstanceOf(FakeFileFormat.class);
    Result r = engine.execute("SELECT id, name, score, born FROM '" + f + "' ORDER BY id");
    assertThat(r.rowCount()).isEqualTo(4);
    assertThat(r.get(0, 1)).isEqualTo("ann");
    assertThat(r.get(1, 2)).isNull();
    assertThat(r.get(3, 1)).isNull();
    assertThat(r.get(0, 3)).isEqualTo(java.time.LocalDate.of(2000, 1, 2));
    assertThat(FakeFileFormat.TABLES).hasSize(1);
    assertThat(FakeFileFormat.TABLES.peek()).startsWith(FileFormats.TEMPORARY_PREFIX);
    assertFilesDropped();
  }

  @Test
  void select_pushesUsedColumnsAndComparisonsToTheFormat() {
    List<List<Object>> got =
        rows("SELECT name FROM '" + f + "' WHERE id >= 2 AND 4 > id AND name <> 'zed' ORDER BY 1");
    assertThat(got).containsExactly(List.of("bob"), List.of("cid"));
    FileScan scan = FakeFileFormat.SCANS.peek();
    assertThat(scan.columns()).containsExactly("id", "name");
    assertThat(scan.filters())
        .containsExactlyInAnyOrder(
            new FileFilter("id", FileFilter.Op.GE, 2L),
            new FileFilter("id", FileFilter.Op.LT, 4L),
            new FileFilter("name", FileFilter.Op.NE, "zed"));
    FakeFileFormat.SCANS.clear();
    assertThat(rows("SELECT count(*) FROM '" + f + "'")).containsExactly(List.of(4L));
    assertThat(FakeFileFormat.SCANS.peek().columns()).hasSize(1); // rows still counted
    assertFilesDropped();
  }

  @Test
  void select_sameFileTwice_loadsItOnceWithoutFilters() {
    List<List<Object>> got =
        rows(
            "SELECT a.id, b.name FROM '"
                + f
                + "' a JOIN '"
                + f
                + "' b ON a.id = b.id + 1 WHERE a.id > 2 ORDER BY 1");
    assertThat(got).containsExactly(List.of(3L, "bob"), List.of(4L, "cid"));
    assertThat(FakeFileFormat.SCANS).hasSize(1);
    assertThat(FakeFileFormat.SCANS.peek().filters()).isEmpty();
    assertFilesDropped();
  }

  @Test
  void join_fileWithEngineTable_andInCreateTableAsAndInsert() {
    assertThat(
            rows("SELECT p.name, d.dept FROM dept d JOIN '" + f + "' p ON p.id = d.pid ORDER BY 1"))
        .containsExactly(List.of("ann", "rates"), List.of("cid", "fx"));
    engine.execute("CREATE TABLE p AS SELECT id, name FROM '" + f + "' WHERE id < 3");
    engine.execute("INSERT INTO p SELECT id + 10, name FROM read_fake('" + f + "') WHERE id = 3");
    assertThat(rows("SELECT id, name FROM p ORDER BY id"))
        .containsExactly(List.of(1L, "ann"), List.of(2L, "bob"), List.of(13L, "cid"));
    engine.execute("DROP TABLE p");
    assertFilesDropped();
  }

  @Test
  void tableFunction_takesNamedOptions_andKeepsPositionsOfLaterErrors() {
    assertThat(rows("SELECT count(*) FROM read_fake('" + f + "', eager = true)"))
        .containsExactly(List.of(4L));
    assertThat(rows("SELECT count(*) FROM read_pretend('" + f + "', eager := false) x"))
        .containsExactly(List.of(4L));
    String sql = "SELECT *\nFROM read_fake('" + f + "',\n     eager = true) t\nWHERE nope = 1";
    assertThatThrownBy(() -> engine.execute(sql))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("line 4, column 7")
        .hasMessageContaining("nope");
    String bad = "SELECT x FROM '" + f + "'";
    assertThatThrownBy(() -> engine.execute(bad))
        .hasMessageContaining("line 1, column 8")
        .hasMessageContaining("Column 'x' not found");
    assertFilesDropped();
  }

  @Test
  void stringsOutsideFromLists_areLeftAlone() {
    assertThat(rows("SELECT 'x.fake' AS s, EXTRACT(YEAR FROM DATE '2020-01-01') AS y"))
        .containsExactly(List.of("x.fake", 2020));
    assertThat(rows("SELECT dept FROM dept WHERE dept = 'x.fake' OR pid IN (SELECT 3)"))
        .containsExactly(List.of("fx"));
  }

  @Test
  void errors_nameTheFileAndPosition_andLeaveTheEngineUsable() {
    assertThatThrownBy(() -> engine.execute("SELECT *\n  FROM 'nope/missing.fake'"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("line 2, column 8")
        .hasMessageContaining("'nope/missing.fake' does not exist");
    Path other = dir.resolve("x.zzz");
    try {
      Files.writeString(other, "a");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertThatThrownBy(() -> engine.execute("SELECT * FROM '" + other + "'"))
        .hasMessageContaining("line 1, column 15")
        .hasMessageContaining("unknown file extension")
        .hasMessageContaining(".fake");
    assertThatThrownBy(() -> engine.execute("SELECT * FROM read_nope('" + f + "')"))
        .hasMessageContaining("line 1, column 15")
        .hasMessageContaining("no table function read_nope")
        .hasMessageContaining("read_fake");
    assertThatThrownBy(() -> engine.execute("SELECT * FROM read_fake('" + f + "', bogus = 1)"))
        .hasMessageContaining("line 1, column " + (15 + "read_fake('".length() + f.length() + 3))
        .hasMessageContaining("unknown option 'bogus'")
        .hasMessageContaining("eager, fail_load");
    assertThatThrownBy(() -> engine.execute("SELECT * FROM read_fake('" + f + "', eager = 'x')"))
        .hasMessageContaining("option 'eager' takes true or false");
    assertThatThrownBy(() -> engine.execute("SELECT * FROM read_fake('" + f + "', eager = )"))
        .hasMessageContaining("expected a value");
    assertThatThrownBy(
            () -> engine.execute("SELECT * FROM read_fake('" + f + "', fail_load = true)"))
        .hasMessageContaining("line 1, column 15")
        .hasMessageContaining("cannot read read_fake('" + f + "')")
        .hasMessageContaining("line 2: broken row");
    assertThatThrownBy(() -> engine.sql("SELECT * FROM '" + f + "'"))
        .hasMessageContaining("run it with engine.execute(sql)");
    assertThatThrownBy(() -> engine.prepare("SELECT * FROM '" + f + "' WHERE id = ?"))
        .hasMessageContaining("run it with engine.execute(sql)");
    assertThat(rows("SELECT count(*) FROM '" + f + "'")).containsExactly(List.of(4L));
    assertFilesDropped();
  }

  @Test
  void copy_queryAndTable_roundTrip() {
    Path out = dir.resolve("out.fake");
    Result s =
        engine.execute(
            "COPY (SELECT id, name FROM '" + f + "' WHERE id <> 2 ORDER BY id) TO '" + out + "'");
    assertThat(s.get(0, "rows")).isEqualTo(3L);
    assertThat(s.get(0, "status").toString()).contains("copied 3 rows").contains("(fake)");
    assertThat(rows("SELECT id, name FROM '" + out + "' ORDER BY id"))
        .isEqualTo(rows("SELECT id, name FROM '" + f + "' WHERE id <> 2 ORDER BY id"));
    Path t = dir.resolve("dept.data");
    engine.execute("COPY dept TO '" + t + "' (FORMAT pretend)");
    assertThat(rows("SELECT pid, dept FROM read_fake('" + t + "') ORDER BY pid"))
        .isEqualTo(rows("SELECT pid, dept FROM dept ORDER BY pid"));
    // COPY may overwrite the file its query reads
    engine.execute("COPY (SELECT id * 2 AS id, name FROM '" + out + "') TO '" + out + "'");
    assertThat(rows("SELECT id FROM '" + out + "' ORDER BY id"))
        .containsExactly(List.of(2L), List.of(6L), List.of(8L));
    assertFilesDropped();
  }

  @Test
  void copy_errors_nameThePosition_andLeaveNoPartialFile() throws IOException {
    Path out = dir.resolve("fail.fake");
    assertThatThrownBy(() -> engine.execute("COPY dept TO '" + out + "' (FAIL_WRITE true)"))
        .hasMessageContaining("line 1, column 14")
        .hasMessageContaining("disk full");
    assertThat(out).doesNotExist();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")))
          .isEmpty();
    }
    assertThatThrownBy(() -> engine.execute("COPY dept TO '" + dir.resolve("x.zzz") + "'"))
        .hasMessageContaining("unknown file extension")
        .hasMessageContaining("FORMAT");
    assertThatThrownBy(() -> engine.execute("COPY dept TO '" + out + "' (FORMAT xml)"))
        .hasMessageContaining("line 1, column " + (14 + out.toString().length() + 4))
        .hasMessageContaining("unknown format 'xml'");
    assertThatThrownBy(() -> engine.execute("COPY dept TO '" + out + "' (BOGUS 1)"))
        .hasMessageContaining("unknown option 'bogus'");
    assertThatThrownBy(() -> engine.execute("COPY nope TO '" + out + "'"))
        .hasMessageContaining("line 1, column 6")
        .hasMessageContaining("no table 'nope'");
    assertThatThrownBy(() -> engine.execute("COPY dept FROM '" + f + "'"))
        .hasMessageContaining("COPY ... FROM is not supported");
    assertThatThrownBy(() -> engine.execute("COPY (SELECT nope FROM dept) TO '" + out + "'"))
        .hasMessageContaining("line 1, column 14")
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> engine.execute("COPY dept TO '" + dir.resolve("no/dir/x.fake") + "'"))
        .hasMessageContaining("does not exist");
    assertThat(rows("SELECT count(*) FROM dept")).containsExactly(List.of(3L));
    assertFilesDropped();
  }

  @Test
  void changedFile_isReadAgain_noStalePlan() throws IOException {
    String q = "SELECT sum(id) FROM '" + f + "'";
    assertThat(rows(q)).containsExactly(List.of(10L));
    Files.writeString(file, "id:BIGINT,name:VARCHAR,score:DOUBLE,born:DATE\n7,x,,\n");
    assertThat(rows(q)).containsExactly(List.of(7L));
    Files.writeString(file, "id:BIGINT\n5\n6\n");
    assertThat(rows(q)).containsExactly(List.of(11L));
    assertFilesDropped();
  }

  @Test
  void explainAnalyze_reportsWhatTheFormatDid() {
    List<List<Object>> plan = rows("EXPLAIN ANALYZE SELECT count(*) FROM '" + f + "'");
    assertThat(plan.stream().map(r -> r.get(0).toString()))
        .anyMatch(l -> l.startsWith("file '" + f + "' (fake): fake rows 4"));
    List<List<Object>> explain = rows("EXPLAIN SELECT id FROM '" + f + "' WHERE id > 1");
    assertThat(explain.stream().map(r -> r.get(0).toString())).anyMatch(l -> l.contains("(fake)"));
    assertFilesDropped();
  }
}
