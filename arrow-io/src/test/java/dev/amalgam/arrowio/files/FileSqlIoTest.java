package dev.amalgam.arrowio.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.arrowio.filetesting.DuckCompare;
import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.TableBuilder;
import dev.amalgam.exec.files.FileFormats;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SQL over files of this module's formats: SELECT FROM 'file', read_* table functions, COPY round
 * trips, joins with engine tables, Parquet pushdown, and DuckDB reading the same files.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class FileSqlIoTest {
  @TempDir static Path dir;
  private static DuckCompare duck;
  private static Path parquet;
  private Engine engine;

  private static final int ROWS = 20_000;

  @BeforeAll
  static void fixtures() throws SQLException {
    duck = new DuckCompare();
    parquet = dir.resolve("trades.parquet");
    duck.exec(
        "COPY (SELECT i AS id, (i % 50)::INT AS book, (i * 0.25)::DECIMAL(12,2) AS qty,"
            + " DATE '2024-01-01' + (i // 1000)::INT AS d,"
            + " CASE WHEN i % 9 = 0 THEN NULL ELSE 'desk' || (i % 7) END AS desk"
            + " FROM range(100000) r(i)) TO '"
            + parquet
            + "' (FORMAT parquet, ROW_GROUP_SIZE 10000)");
  }

  @AfterAll
  static void closeDuck() throws SQLException {
    duck.close();
  }

  @BeforeEach
  void setUp() {
    engine = Engine.builder().pageSize(64 << 10).build();
    Schema s =
        Schema.of(
            new Field("id", DataType.INT64, false),
            Field.of("k", DataType.INT32),
            Field.of("x", DataType.FLOAT64),
            Field.of("amount", DataType.decimal(12, 2)),
            Field.of("d", DataType.DATE32),
            Field.of("ts", DataType.TIMESTAMP),
            Field.of("name", DataType.UTF8),
            Field.of("desk", DataType.DICTIONARY_UTF8),
            Field.of("flag", DataType.BOOL));
    try (TableBuilder b = engine.createTable("t", s)) {
      for (int i = 0; i < ROWS; i++) {
        b.addRow(
            (long) i,
            i % 13 == 0 ? null : i % 100,
            i % 17 == 0 ? null : i / 8.0,
            i % 19 == 0 ? null : BigDecimal.valueOf(i * 7L, 2),
            i % 23 == 0 ? null : LocalDate.of(2024, 1, 1).plusDays(i % 400),
            i % 29 == 0
                ? null
                : Instant.ofEpochSecond(1_700_000_000L + i * 61L, (i % 1000) * 1000L),
            i % 31 == 0
                ? null
                : i % 37 == 0 ? "" : "n \"" + i + "\", x" + (i % 3 == 0 ? "\nnext" : ""),
            i % 41 == 0 ? null : "desk" + (i % 5),
            i % 43 == 0 ? null : i % 2 == 0);
      }
      b.build();
    }
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  private List<List<@Nullable Object>> rows(String sql) {
    return engine.execute(sql).toList();
  }

  private static List<List<Object>> norm(List<List<@Nullable Object>> rows) {
    List<List<Object>> out = new ArrayList<>();
    for (List<@Nullable Object> r : rows) {
      List<Object> row = new ArrayList<>();
      for (Object v : r) {
        row.add(DuckCompare.norm(v));
      }
      out.add(row);
    }
    return out;
  }

  @Test
  void formats_areRegisteredByExtensionAndName() {
    assertThat(FileFormats.forPath(Path.of("a.arrow"))).isInstanceOf(ArrowFileFormat.class);
    assertThat(FileFormats.forPath(Path.of("a.feather"))).isInstanceOf(ArrowFileFormat.class);
    assertThat(FileFormats.forPath(Path.of("a.arrows"))).isInstanceOf(ArrowStreamFormat.class);
    assertThat(FileFormats.forPath(Path.of("A.CSV.GZ"))).isInstanceOf(CsvFileFormat.class);
    assertThat(FileFormats.forPath(Path.of("a.parquet"))).isInstanceOf(ParquetFileFormat.class);
    assertThat(FileFormats.named("csv")).isInstanceOf(CsvFileFormat.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"t.arrow", "t.feather", "t.arrows", "t.csv", "t.csv.gz", "t.tsv"})
  void copyTo_thenSelectFrom_givesTheSameRows(String name) {
    Path f = dir.resolve("rt-" + name);
    String opts = name.endsWith(".feather") ? " (COMPRESSION zstd)" : "";
    assertThat(engine.execute("COPY t TO '" + f + "'" + opts).get(0, "rows"))
        .isEqualTo((long) ROWS);
    String cols = "id, k, x, amount, d, ts, name, desk, flag";
    assertThat(norm(rows("SELECT " + cols + " FROM '" + f + "' ORDER BY id")))
        .isEqualTo(norm(rows("SELECT " + cols + " FROM t ORDER BY id")));
    // a query's result too, with an expression and a filter
    Path g = dir.resolve("q-" + name);
    engine.execute(
        "COPY (SELECT id, x * 2 AS x2, name FROM t WHERE k < 50 ORDER BY id) TO '" + g + "'");
    assertThat(norm(rows("SELECT * FROM '" + g + "' ORDER BY id")))
        .isEqualTo(norm(rows("SELECT id, x * 2 AS x2, name FROM t WHERE k < 50 ORDER BY id")));
    assertThat(engine.tableNames()).containsExactly("t");
  }

  @Test
  void copyToCsv_isReadTheSameByDuckdb() throws SQLException {
    Path f = dir.resolve("duck.csv");
    engine.execute("COPY (SELECT id, k, amount, d, name, flag FROM t) TO '" + f + "'");
    String q =
        "SELECT count(*), count(k), sum(k), sum(amount), min(d), max(d), count(name),"
            + " sum(char_length(name)), count(flag) FROM %s";
    assertThat(norm(rows(q.formatted("'" + f + "'"))))
        // DuckDB reads "" as NULL unless told otherwise; the engine reads it as the empty string
        .isEqualTo(duck.duck(q.formatted("read_csv('" + f + "', allow_quoted_nulls = false)")));
  }

  @Test
  void readParquet_matchesDuckdb_andJoinsWithEngineTables() throws SQLException {
    String q =
        "SELECT book, count(*), count(desk), sum(qty), min(d), max(d) FROM %s"
            + " WHERE d >= DATE '2024-02-15' AND book < 20 GROUP BY book ORDER BY book";
    assertThat(norm(rows(q.formatted("'" + parquet + "'"))))
        .isEqualTo(duck.duck(q.formatted("read_parquet('" + parquet + "')")));
    assertThat(norm(rows(q.formatted("read_parquet('" + parquet + "')"))))
        .isEqualTo(duck.duck(q.formatted("'" + parquet + "'")));
    // a join of the file with an engine table
    List<List<@Nullable Object>> joined =
        rows(
            "SELECT t.k, count(*) AS n FROM t JOIN '"
                + parquet
                + "' p ON p.id = t.id WHERE p.book = 3 GROUP BY t.k ORDER BY t.k");
    List<List<@Nullable Object>> direct =
        rows("SELECT k, count(*) AS n FROM t WHERE id % 50 = 3 GROUP BY k ORDER BY k");
    assertThat(norm(joined)).isEqualTo(norm(direct));
  }

  @Test
  void readParquet_pushesColumnsAndStatisticsFilters() {
    List<String> plan = new ArrayList<>();
    for (List<@Nullable Object> r :
        rows("EXPLAIN ANALYZE SELECT sum(qty) FROM '" + parquet + "' WHERE id >= 95000")) {
      plan.add(String.valueOf(r.get(0)));
    }
    String file =
        plan.stream().filter(l -> l.startsWith("file '" + parquet + "'")).findFirst().orElseThrow();
    // 10 row groups of 10000 ids; only the last can hold id >= 95000
    assertThat(file).contains("5000 rows from 1 of 10 row groups (9 skipped by statistics)");
    assertThat(rows("SELECT sum(qty) FROM '" + parquet + "' WHERE id >= 95000").get(0).get(0))
        .isEqualTo(new BigDecimal("121874375.00"));
    // and a comparison Parquet cannot take (a fraction against an integer) still filters right
    assertThat(rows("SELECT count(*) FROM '" + parquet + "' WHERE id < 10.5").get(0).get(0))
        .isEqualTo(11L);
  }

  @Test
  void readCsv_options() throws IOException, SQLException {
    Path f = dir.resolve("opts.txt");
    Files.writeString(f, "1|01/02/2024|NA|a\n2|31/12/2023|2.5|\n3|NA|4|c|\n".replace("|c|", "|c"));
    String sql =
        "SELECT id, d, v, s FROM read_csv('"
            + f
            + "', header = false, delim = '|', nullstr = 'NA', dateformat = '%d/%m/%Y',"
            + " columns = {'id': 'BIGINT', 'd': 'DATE', 'v': 'DECIMAL(6,2)', 's': 'VARCHAR'})"
            + " ORDER BY id";
    assertThat(norm(rows(sql)))
        .isEqualTo(
            duck.duck(
                "SELECT * FROM read_csv('"
                    + f
                    + "', header = false, delim = '|', nullstr = 'NA', dateformat = '%d/%m/%Y',"
                    + " columns = {'id': 'BIGINT', 'd': 'DATE', 'v': 'DECIMAL(6,2)', 's':"
                    + " 'VARCHAR'}) ORDER BY id"));
    assertThatThrownBy(() -> engine.execute("SELECT * FROM read_csv('" + f + "', delim = '||')"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("line 1, column " + (15 + 10 + f.toString().length() + 3))
        .hasMessageContaining("option 'delim' takes one character");
    assertThatThrownBy(
            () -> engine.execute("SELECT * FROM read_csv('" + f + "', columns = {'a': 'BLOB'})"))
        .hasMessageContaining("type 'BLOB' is not supported");
  }

  @Test
  void badFiles_nameFileAndPosition_andLeaveTheEngineUsable() throws IOException {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "a,b\n1,2\nx,3\n");
    assertThatThrownBy(
            () -> engine.execute("SELECT *\n FROM read_csv('" + csv + "', sample_size = 1)"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("line 2, column 7")
        .hasMessageContaining(csv + ":3")
        .hasMessageContaining("'x'");
    Path pq = dir.resolve("bad.parquet");
    Files.writeString(pq, "PAR1 this is not parquet at all PAR1");
    assertThatThrownBy(() -> engine.execute("SELECT * FROM '" + pq + "'"))
        .hasMessageContaining("line 1, column 15")
        .hasMessageContaining(pq.toString());
    Path arrow = dir.resolve("bad.arrow");
    Files.writeString(arrow, "not arrow");
    assertThatThrownBy(() -> engine.execute("SELECT * FROM '" + arrow + "'"))
        .hasMessageContaining("line 1, column 15")
        .hasMessageContaining("too short for an Arrow IPC file");
    assertThatThrownBy(() -> engine.execute("COPY t TO '" + dir.resolve("out.parquet") + "'"))
        .hasMessageContaining("line 1, column 11")
        .hasMessageContaining("writing Parquet is not supported");
    assertThat(dir.resolve("out.parquet")).doesNotExist();
    assertThatThrownBy(
            () -> engine.execute("COPY t TO '" + dir.resolve("x.arrow") + "' (COMPRESSION brotli)"))
        .hasMessageContaining("compression 'brotli' is not one of zstd, lz4, none");
    assertThat(rows("SELECT count(*) FROM t").get(0).get(0)).isEqualTo((long) ROWS);
    assertThat(engine.tableNames()).containsExactly("t");
  }
}
