package dev.amalgam.arrowio.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.arrowio.filetesting.DuckCompare;
import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ParquetReaderTest {
  @TempDir static Path dir;
  private static DuckCompare duck;
  private Engine engine;

  /** Every type DuckDB writes that the engine holds, nulls in every nullable column. */
  private static final String SOURCE =
      "SELECT i::INT AS id, (i % 7)::TINYINT AS i8, (i % 300)::SMALLINT AS i16,"
          + " CASE WHEN i % 11 = 0 THEN NULL ELSE i * 1000003 END AS i64,"
          + " (i % 5 = 0) AS flag, (i % 97)::FLOAT AS f32, i / 7.0 AS f64,"
          + " (i % 10000 / 100.0)::DECIMAL(9,2) AS dec9, (i * 1.25)::DECIMAL(18,2) AS dec18,"
          + " (i * 1.5)::DECIMAL(30,3) AS dec30,"
          + " DATE '2020-01-01' + (i % 1000)::INT AS d,"
          + " TIMESTAMP '2021-06-01 12:00:00' + to_microseconds(i * 1234567) AS ts,"
          + " CASE WHEN i % 13 = 0 THEN NULL ELSE 'desk' || (i % 17) END AS desk,"
          + " md5(i::VARCHAR) AS s"
          + " FROM range(250000) r(i)";

  @BeforeAll
  static void files() throws SQLException {
    duck = new DuckCompare();
    duck.exec("CREATE TABLE src AS " + SOURCE);
    for (String codec : List.of("zstd", "snappy", "gzip", "uncompressed")) {
      duck.exec(
          "COPY src TO '"
              + dir.resolve(codec + ".parquet")
              + "' (FORMAT parquet, COMPRESSION "
              + codec
              + ", ROW_GROUP_SIZE 60000)");
    }
    duck.exec(
        "COPY src TO '"
            + dir.resolve("v2.parquet")
            + "' (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION v2, ROW_GROUP_SIZE 60000)");
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

  private static String rp(String file) {
    return "read_parquet('" + dir.resolve(file) + "')";
  }

  @ParameterizedTest
  @ValueSource(strings = {"zstd", "snappy", "gzip", "uncompressed", "v2"})
  void read_duckdbFile_matchesDuckdb(String codec) throws SQLException {
    String file = codec + ".parquet";
    ParquetLoad load = Parquet.read(engine, dir.resolve(file), "t");
    assertThat(load.rowsLoaded()).isEqualTo(250_000);
    assertThat(load.table().rowGroupCount()).isEqualTo(load.rowGroupsInFile()).isGreaterThan(1);
    assertThat(load.schema().fields().stream().map(Field::type))
        .containsExactly(
            DataType.INT32,
            DataType.INT8,
            DataType.INT16,
            DataType.INT64,
            DataType.BOOL,
            DataType.FLOAT32,
            DataType.FLOAT64,
            DataType.decimal(9, 2),
            DataType.decimal(18, 2),
            DataType.FLOAT64,
            DataType.DATE32,
            DataType.TIMESTAMP,
            DataType.UTF8,
            DataType.UTF8);
    assertThat(load.schema().fields().stream().filter(Field::nullable).map(Field::name))
        .containsExactly("i64", "desk");
    assertThat(load.notes()).anyMatch(n -> n.contains("'dec30' is decimal(30,3)"));
    String agg =
        "SELECT COUNT(*), SUM(i8), SUM(i16), SUM(i64), COUNT(i64), SUM(CASE WHEN flag THEN 1 ELSE"
            + " 0 END), SUM(f32), SUM(f64), SUM(dec9), SUM(dec18), SUM(dec30), MIN(d), MAX(d),"
            + " MIN(ts), MAX(ts), COUNT(desk) FROM %s";
    assertThat(DuckCompare.amalgam(engine, agg.formatted("t")))
        .isEqualTo(duck.duck(agg.formatted(rp(file))));
    String rows = "SELECT * FROM %s WHERE id %% 9973 = 1 ORDER BY id";
    assertThat(DuckCompare.amalgam(engine, rows.formatted("t")))
        .hasSize(26)
        .isEqualTo(duck.duck(rows.formatted(rp(file))));
    String groups = "SELECT desk, COUNT(*), SUM(id) FROM %s GROUP BY desk ORDER BY desk";
    assertThat(DuckCompare.amalgam(engine, groups.formatted("t")))
        .isEqualTo(duck.duck(groups.formatted(rp(file))));
  }

  @Test
  void read_projectionAndRowGroups_readOnlyThose() throws SQLException {
    ParquetLoad load =
        Parquet.read(
            engine,
            dir.resolve("zstd.parquet"),
            "t",
            ParquetOptions.builder().columns("s", "id").rowGroups(1, 3).build());
    assertThat(load.schema().names()).containsExactly("s", "id");
    assertThat(load.rowGroupsRead()).isEqualTo(2);
    assertThat(load.table().rowGroupCount()).isEqualTo(2);
    String q = "SELECT COUNT(*), MIN(id), MAX(id) FROM %s";
    assertThat(DuckCompare.amalgam(engine, q.formatted("t")))
        .isEqualTo(
            duck.duck(
                q.formatted(
                    "(SELECT * FROM "
                        + rp("zstd.parquet")
                        + " WHERE (id >= 61440 AND id < 122880) OR (id >= 184320 AND id < 245760))")));
  }

  @Test
  void read_predicates_skipRowGroupsByStatisticsAndSelectRows() throws SQLException {
    ParquetLoad load =
        Parquet.read(
            engine,
            dir.resolve("snappy.parquet"),
            "t",
            ParquetOptions.builder()
                .filter(ParquetPredicate.ge("id", 200_000))
                .filter(ParquetPredicate.lt("d", LocalDate.of(2020, 6, 1)))
                .build());
    assertThat(load.rowGroupsSkipped()).isEqualTo(3);
    assertThat(load.rowGroupsRead()).isEqualTo(load.rowGroupsInFile() - 3);
    String q = "SELECT COUNT(*), SUM(id), MIN(d), MAX(d) FROM %s";
    assertThat(DuckCompare.amalgam(engine, q.formatted("t")))
        .isEqualTo(
            duck.duck(
                q.formatted(
                    "(SELECT * FROM "
                        + rp("snappy.parquet")
                        + " WHERE id >= 200000 AND d < DATE '2020-06-01')")));
  }

  @Test
  void read_predicatesOfEachKind_matchDuckdb() throws SQLException {
    Object[][] cases = {
      {ParquetPredicate.eq("desk", "desk3"), "desk = 'desk3'"},
      {ParquetPredicate.gt("dec18", new BigDecimal("300000.00")), "dec18 > 300000.00"},
      {ParquetPredicate.le("f64", 100.5), "f64 <= 100.5"},
      {ParquetPredicate.ne("i8", 3), "i8 <> 3"},
      {ParquetPredicate.lt("i64", 2.5e10), "i64 < 2.5e10"},
      {ParquetPredicate.ge("ts", Instant.parse("2021-06-03T00:00:00Z")), "ts >= '2021-06-03'"},
      {ParquetPredicate.eq("flag", true), "flag"},
    };
    int n = 0;
    for (Object[] c : cases) {
      String name = "t" + n++;
      Parquet.read(
          engine,
          dir.resolve("zstd.parquet"),
          name,
          ParquetOptions.builder().filter((ParquetPredicate) c[0]).build());
      String q = "SELECT COUNT(*), SUM(id) FROM %s";
      assertThat(DuckCompare.amalgam(engine, q.formatted(name)))
          .as("%s", c[0])
          .isEqualTo(
              duck.duck(
                  q.formatted("(SELECT * FROM " + rp("zstd.parquet") + " WHERE " + c[1] + ")")));
    }
  }

  @Test
  void read_missingColumnOrRowGroup_failsNamingWhatExists() {
    Path f = dir.resolve("zstd.parquet");
    assertThatThrownBy(
            () -> Parquet.read(engine, f, "t", ParquetOptions.builder().columns("nope").build()))
        .isInstanceOf(ParquetFormatException.class)
        .hasMessageStartingWith(f + ": no column 'nope'; columns are: id, i8, i16");
    assertThatThrownBy(
            () -> Parquet.read(engine, f, "t", ParquetOptions.builder().rowGroups(99).build()))
        .isInstanceOf(ParquetFormatException.class)
        .hasMessage(f + ": no row group 99; the file has 5");
    assertThatThrownBy(
            () ->
                Parquet.read(
                    engine,
                    f,
                    "t",
                    ParquetOptions.builder()
                        .filter(ParquetPredicate.eq("d", "not a date"))
                        .build()))
        .isInstanceOf(ParquetFormatException.class)
        .hasMessage(f + ": filter d = 'not a date': the constant does not fit column 'd' (date32)");
    assertThat(engine.tableNames()).isEmpty();
  }

  @Test
  void read_nestedColumn_isRefusedUnlessProjectedAway() throws SQLException, IOException {
    Path f = dir.resolve("nested.parquet");
    duck.exec(
        "COPY (SELECT i AS id, [i, i + 1] AS l FROM range(10) r(i)) TO '"
            + f
            + "' (FORMAT parquet)");
    assertThatThrownBy(() -> Parquet.read(engine, f, "t"))
        .isInstanceOf(ParquetFormatException.class)
        .hasMessageContaining("is nested (inside a group or repeated)");
    ParquetLoad load = Parquet.read(engine, f, "t", ParquetOptions.builder().columns("id").build());
    assertThat(load.rowsLoaded()).isEqualTo(10);
  }

  @Test
  void read_wrongMagic_namesOffset() throws IOException {
    Path f = dir.resolve("magic.parquet");
    byte[] b = Files.readAllBytes(dir.resolve("zstd.parquet"));
    b[0] = 'X';
    Files.write(f, b);
    assertThatThrownBy(() -> Parquet.read(engine, f, "t"))
        .isInstanceOf(ParquetFormatException.class)
        .hasMessage(f + ": not a Parquet file: bytes 0..3 are 58415231, not PAR1")
        .satisfies(e -> assertThat(((ParquetFormatException) e).offset()).isZero());
  }

  @Test
  void read_truncatedFile_namesTheEnd() throws IOException {
    Path f = dir.resolve("trunc.parquet");
    byte[] b = Files.readAllBytes(dir.resolve("zstd.parquet"));
    Files.write(f, Arrays.copyOf(b, b.length / 2));
    assertThatThrownBy(() -> Parquet.read(engine, f, "t"))
        .isInstanceOf(ParquetFormatException.class)
        .hasMessageContaining(
            "truncated or not a Parquet file: the last 4 bytes (offset "
                + (b.length / 2 - 4)
                + ")");
    Files.write(f, new byte[] {'P', 'A', 'R', '1'});
    assertThatThrownBy(() -> Parquet.read(engine, f, "t"))
        .hasMessage(f + ": truncated: 4 bytes, a Parquet file has at least 12");
  }

  @Test
  void read_corruptedFooter_namesFooterOffset() throws IOException {
    byte[] b = Files.readAllBytes(dir.resolve("zstd.parquet"));
    Path f = dir.resolve("footlen.parquet");
    byte[] c = b.clone();
    ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(c.length - 8, c.length);
    Files.write(f, c);
    assertThatThrownBy(() -> Parquet.read(engine, f, "t"))
        .hasMessage(
            f
                + ": corrupted footer length "
                + c.length
                + " at offset "
                + (c.length - 8)
                + " (file of "
                + c.length
                + " bytes)");
    Path g = dir.resolve("footgarbage.parquet");
    byte[] d = b.clone();
    int len = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).getInt(d.length - 8);
    Arrays.fill(d, d.length - 8 - len, d.length - 8, (byte) 0xFF);
    Files.write(g, d);
    assertThatThrownBy(() -> Parquet.read(engine, g, "t"))
        .isInstanceOf(ParquetFormatException.class)
        .hasMessageStartingWith(g + ": corrupted footer");
    assertThat(engine.tableNames()).isEmpty();
  }

  @Test
  void read_afterFailures_engineStaysUsable() throws IOException {
    Path f = dir.resolve("bad.parquet");
    Files.write(f, new byte[100]);
    assertThatThrownBy(() -> Parquet.read(engine, f, "t"))
        .isInstanceOf(ParquetFormatException.class);
    ParquetLoad load = Parquet.read(engine, dir.resolve("gzip.parquet"), "t");
    assertThat(load.rowsLoaded()).isEqualTo(250_000);
    assertThat(load.summary())
        .contains("250000 rows from 5 of 5 row groups (0 skipped by statistics)");
  }
}
