package dev.amalgam.arrowio.csv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.arrowio.filetesting.DuckCompare;
import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CSV files written by DuckDB, loaded by both engines, queried in both. */
final class CsvDifferentialTest {
  @TempDir static Path dir;
  private static DuckCompare duck;
  private Engine engine;

  private static final String SOURCE =
      "SELECT i AS id, (i % 7)::INT AS small, i * 1000003 AS big, (i % 5 = 0) AS flag,"
          + " i / 7.0 AS ratio, (i % 10000 / 100.0)::DECIMAL(9,2) AS price,"
          + " DATE '2020-01-01' + (i % 1000)::INT AS day,"
          + " TIMESTAMP '2021-06-01 12:00:00' + to_microseconds(i * 1234567) AS ts,"
          + " CASE WHEN i % 13 = 0 THEN NULL ELSE 'desk' || (i % 17) END AS desk,"
          + " CASE WHEN i % 3 = 0 THEN 'with, comma' WHEN i % 3 = 1 THEN 'with \"quote\"'"
          + " ELSE 'two' || chr(10) || 'lines' END AS note"
          + " FROM range(120000) r(i)";

  @BeforeAll
  static void files() throws SQLException {
    duck = new DuckCompare();
    duck.exec("CREATE TABLE src AS " + SOURCE);
    duck.exec("COPY src TO '" + dir.resolve("t.csv") + "' (HEADER, DELIMITER ',')");
    duck.exec(
        "COPY src TO '" + dir.resolve("t.csv.gz") + "' (HEADER, DELIMITER ',', COMPRESSION gzip)");
    duck.exec("COPY src TO '" + dir.resolve("t.tsv") + "' (HEADER, DELIMITER '\t')");
  }

  @AfterAll
  static void closeDuck() throws SQLException {
    duck.close();
  }

  @BeforeEach
  void open() {
    engine = Engine.builder().topology(dev.amalgam.memory.Topology.preset("fused-pair")).build();
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private static final List<String> QUERIES =
      List.of(
          "SELECT COUNT(*), SUM(id), SUM(small), SUM(big), SUM(CASE WHEN flag THEN 1 ELSE 0 END),"
              + " SUM(ratio), SUM(price), MIN(day), MAX(day), MIN(ts), MAX(ts), COUNT(desk)"
              + " FROM %s",
          "SELECT desk, COUNT(*), SUM(price) FROM %s GROUP BY desk ORDER BY desk",
          "SELECT note, COUNT(*) FROM %s GROUP BY note ORDER BY note",
          "SELECT * FROM %s WHERE id %% 9973 = 5 ORDER BY id");

  private void compare(String duckSource) throws SQLException {
    for (String q : QUERIES) {
      assertThat(DuckCompare.amalgam(engine, q.formatted("t")))
          .as(q)
          .isEqualTo(duck.duck(q.formatted(duckSource)));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t.csv", "t.csv.gz", "t.tsv"})
  void read_inferred_matchesDuckdbReadCsv(String file) throws SQLException {
    // DuckDB writes NULL as an empty field, in string columns too
    CsvOptions o =
        CsvOptions.builder()
            .delimiter(file.endsWith(".tsv") ? '\t' : ',')
            .emptyStringIsNull(true)
            .build();
    CsvLoad load = CsvReader.read(engine, dir.resolve(file), "t", o, 256 << 10);
    assertThat(load.rowsLoaded()).isEqualTo(120_000);
    assertThat(load.schema().fields().stream().map(Field::type))
        .containsExactly(
            DataType.INT64,
            DataType.INT64,
            DataType.INT64,
            DataType.BOOL,
            DataType.FLOAT64,
            DataType.decimal(18, 2),
            DataType.DATE32,
            DataType.TIMESTAMP,
            DataType.DICTIONARY_UTF8,
            DataType.DICTIONARY_UTF8);
    duck.exec(
        "CREATE OR REPLACE TABLE d AS SELECT * FROM read_csv('"
            + dir.resolve(file)
            + "', header = true, delim = '"
            + (file.endsWith(".tsv") ? "\t" : ",")
            + "')");
    compare("d");
  }

  @Test
  void read_givenSchema_matchesSourceTable() throws SQLException {
    CsvOptions o =
        CsvOptions.builder()
            .schema(
                new dev.amalgam.exec.Schema(
                    List.of(
                        Field.of("id", DataType.INT64),
                        Field.of("small", DataType.INT8),
                        Field.of("big", DataType.INT64),
                        Field.of("flag", DataType.BOOL),
                        Field.of("ratio", DataType.FLOAT64),
                        Field.of("price", DataType.decimal(9, 2)),
                        Field.of("day", DataType.DATE32),
                        Field.of("ts", DataType.TIMESTAMP),
                        Field.of("desk", DataType.DICTIONARY_UTF8),
                        Field.of("note", DataType.UTF8))))
            .emptyStringIsNull(true)
            .build();
    Csv.read(engine, dir.resolve("t.csv"), "t", o);
    compare("src");
  }
}
