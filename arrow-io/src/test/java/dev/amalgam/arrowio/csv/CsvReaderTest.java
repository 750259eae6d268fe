package dev.amalgam.arrowio.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CsvReaderTest {
  @TempDir Path dir;
  private Engine engine;

  @BeforeEach
  void open() {
    engine = Engine.builder().topology(dev.amalgam.memory.Topology.preset("cpu")).build();
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private Path file(String text) throws IOException {
    return file("t.csv", text.getBytes(StandardCharsets.UTF_8));
  }

  private Path file(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private List<List<@Nullable Object>> rows(String sql) {
    return engine.sql(sql).execute().toList();
  }

  private static List<@Nullable Object> row(@Nullable Object... v) {
    List<@Nullable Object> out = new ArrayList<>();
    for (Object o : v) {
      out.add(o);
    }
    return out;
  }

  @Test
  void read_inference_choosesEachType() throws IOException {
    Path f =
        file(
            "b,i,l,dec,d,dt,ts,s\n"
                + "true,1,3000000000,1.50,0.5,2024-01-31,2024-01-31 10:00:00,x\n"
                + "FALSE,-2,4,22.25,1e3,2024-02-29,2024-02-29T23:59:59.123456Z,\n");
    CsvLoad load = Csv.read(engine, f, "t");
    assertThat(load.schema())
        .isEqualTo(
            Schema.of(
                Field.of("b", DataType.BOOL),
                Field.of("i", DataType.INT32),
                Field.of("l", DataType.INT64),
                Field.of("dec", DataType.decimal(18, 2)),
                Field.of("d", DataType.FLOAT64),
                Field.of("dt", DataType.DATE32),
                Field.of("ts", DataType.TIMESTAMP),
                Field.of("s", DataType.UTF8)));
    assertThat(load.schemaInferred()).isTrue();
    assertThat(load.rowsLoaded()).isEqualTo(2);
    List<List<@Nullable Object>> r = rows("SELECT * FROM t ORDER BY i DESC");
    assertThat(r.get(0))
        .containsExactly(
            true,
            1,
            3000000000L,
            new BigDecimal("1.50"),
            0.5,
            LocalDate.of(2024, 1, 31),
            Instant.parse("2024-01-31T10:00:00Z"),
            "x");
    assertThat(r.get(1))
        .containsExactly(
            false,
            -2,
            4L,
            new BigDecimal("22.25"),
            1000.0,
            LocalDate.of(2024, 2, 29),
            Instant.parse("2024-02-29T23:59:59.123456Z"),
            "");
  }

  @Test
  void read_lowCardinalityStrings_becomeDictionary() throws IOException {
    StringBuilder sb = new StringBuilder("desk,id\n");
    for (int i = 0; i < 500; i++) {
      sb.append(i % 3 == 0 ? "rates" : "fx").append(',').append("id").append(i).append('\n');
    }
    CsvLoad load = Csv.read(engine, file(sb.toString()), "t");
    assertThat(load.schema().field("desk").type()).isEqualTo(DataType.DICTIONARY_UTF8);
    assertThat(load.schema().field("id").type()).isEqualTo(DataType.UTF8);
    assertThat(rows("SELECT desk, COUNT(*) FROM t GROUP BY desk ORDER BY desk"))
        .containsExactly(row("fx", 333L), row("rates", 167L));
  }

  @Test
  void read_integersBeyondTheSample_areInt64() throws IOException {
    StringBuilder sb = new StringBuilder("x\n");
    for (int i = 0; i < 50; i++) {
      sb.append(i).append('\n');
    }
    CsvLoad load =
        Csv.read(engine, file(sb.toString()), "t", CsvOptions.builder().sampleRows(10).build());
    assertThat(load.schema().field("x").type()).isEqualTo(DataType.INT64);
    assertThat(load.notes()).anyMatch(n -> n.startsWith("types inferred from 10 sampled rows"));
  }

  @Test
  void read_mixedScales_areFloat64() throws IOException {
    CsvLoad load = Csv.read(engine, file("x\n1.5\n2.25\n3\n"), "t");
    assertThat(load.schema().field("x").type()).isEqualTo(DataType.FLOAT64);
  }

  @Test
  void read_headerNames_emptyAndDuplicateMadeUniqueWithNotes() throws IOException {
    CsvLoad load = Csv.read(engine, file("a,,A,a\n1,2,3,4\n"), "t");
    assertThat(load.schema().names()).containsExactly("a", "column1", "A_2", "a_3");
    assertThat(load.notes())
        .contains(
            "header field 2 is empty; named it 'column1'",
            "header name 'A' is repeated; field 3 is 'A_2'",
            "header name 'a' is repeated; field 4 is 'a_3'");
  }

  @Test
  void read_noHeader_namesColumnsByPosition() throws IOException {
    CsvLoad load =
        Csv.read(engine, file("1,x\n2,y\n"), "t", CsvOptions.builder().header(false).build());
    assertThat(load.schema().names()).containsExactly("column0", "column1");
    assertThat(rows("SELECT column0, column1 FROM t ORDER BY column0"))
        .containsExactly(row(1, "x"), row(2, "y"));
  }

  @Test
  void read_dialect_delimiterQuoteEscapeCommentsBlankLinesCrlfBom() throws IOException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    String text =
        "# a comment line\r\n"
            + "id;note\r\n"
            + "\r\n"
            + "1;'semi;colon'\r\n"
            + "# another\r\n"
            + "2;'it\\'s'\r\n"
            + "3;'two\r\nlines'\r\n"
            + "4;plain\r\n";
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, all, 0, 3);
    System.arraycopy(body, 0, all, 3, body.length);
    CsvOptions o =
        CsvOptions.builder().delimiter(';').quote('\'').escape('\\').comment('#').build();
    CsvLoad load = Csv.read(engine, file("d.csv", all), "t", o);
    assertThat(load.schema().names()).containsExactly("id", "note");
    assertThat(rows("SELECT id, note FROM t ORDER BY id"))
        .containsExactly(
            row(1, "semi;colon"), row(2, "it's"), row(3, "two\r\nlines"), row(4, "plain"));
  }

  @Test
  void read_doubledQuotes_areOneQuote() throws IOException {
    Csv.read(engine, file("s\n\"say \"\"hi\"\"\"\n\"\"\n"), "t");
    assertThat(rows("SELECT s FROM t ORDER BY s")).containsExactly(row(""), row("say \"hi\""));
  }

  @Test
  void read_nullTokens_andEmptyFields() throws IOException {
    CsvOptions o = CsvOptions.builder().nullTokens("NULL", "\\N").build();
    Csv.read(engine, file("i,s\n1,NULL\n\\N,\n,\"NULL\"\n4,x\n"), "t", o);
    assertThat(rows("SELECT i, s FROM t"))
        .containsExactlyInAnyOrder(row(1, null), row(null, ""), row(null, "NULL"), row(4, "x"));
    Csv.read(
        engine,
        file("u.csv", "s\n\nx\n".getBytes(StandardCharsets.UTF_8)),
        "u",
        CsvOptions.builder()
            .schema(Schema.of(Field.of("s", DataType.UTF8)))
            .skipBlankLines(false)
            .emptyStringIsNull(true)
            .build());
    assertThat(rows("SELECT s FROM u")).containsExactlyInAnyOrder(row((Object) null), row("x"));
  }

  @Test
  void read_gzip_isDetectedByMagic() throws IOException {
    Path p = dir.resolve("t.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write("a,b\n1,x\n2,y\n".getBytes(StandardCharsets.UTF_8));
    }
    CsvLoad load = Csv.read(engine, p, "t");
    assertThat(load.rowsLoaded()).isEqualTo(2);
    assertThat(rows("SELECT SUM(a) FROM t")).containsExactly(row(3L));
  }

  @Test
  void read_datePattern_andTimestampPattern() throws IOException {
    CsvOptions o =
        CsvOptions.builder().datePattern("dd/MM/yyyy").timestampPattern("dd/MM/yyyy HH:mm").build();
    CsvLoad load = Csv.read(engine, file("d,ts\n31/01/2024,31/01/2024 10:30\n"), "t", o);
    assertThat(load.schema().field("d").type()).isEqualTo(DataType.DATE32);
    assertThat(load.schema().field("ts").type()).isEqualTo(DataType.TIMESTAMP);
    assertThat(rows("SELECT d, ts FROM t"))
        .containsExactly(row(LocalDate.of(2024, 1, 31), Instant.parse("2024-01-31T10:30:00Z")));
  }

  @Test
  void read_givenSchema_mapsHeaderByName() throws IOException {
    Schema s = Schema.of(Field.of("a", DataType.INT16), Field.of("b", DataType.decimal(6, 3)));
    Csv.read(engine, file("B,a\n1.2345,7\n"), "t", CsvOptions.builder().schema(s).build());
    assertThat(rows("SELECT a, b FROM t")).containsExactly(row(7, new BigDecimal("1.235")));
  }

  @Test
  void read_givenSchemaNotMatchingHeader_failsNamingBoth() throws IOException {
    Schema s = Schema.of(Field.of("a", DataType.INT64), Field.of("b", DataType.INT64));
    Path f = file("a,c\n1,2\n");
    assertThatThrownBy(() -> Csv.read(engine, f, "t", CsvOptions.builder().schema(s).build()))
        .isInstanceOf(CsvFormatException.class)
        .hasMessage(f + ":1: header field 2 'c' is not a column of the schema [a, b]");
    Path g = file("g.csv", "a\n1\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> Csv.read(engine, g, "t", CsvOptions.builder().schema(s).build()))
        .hasMessage(g + ":1: the header has 1 fields [a] but the schema has 2 columns [a, b]");
    assertThat(engine.hasTable("t")).isFalse();
  }

  @Test
  void read_badValue_failsNamingFileLineColumnTextAndType() throws IOException {
    Schema s = Schema.of(Field.of("id", DataType.INT64), Field.of("qty", DataType.INT32));
    Path f = file("id,qty\n1,2\n2,\"two\nlines\"\n3,x7\n");
    assertThatThrownBy(() -> Csv.read(engine, f, "t", CsvOptions.builder().schema(s).build()))
        .isInstanceOf(CsvFormatException.class)
        .hasMessage(f + ":3: column 'qty': 'two\nlines': not a valid int32")
        .satisfies(
            e -> {
              CsvFormatException c = (CsvFormatException) e;
              assertThat(c.line()).isEqualTo(3);
              assertThat(c.column()).isEqualTo("qty");
              assertThat(c.text()).isEqualTo("two\nlines");
            });
    assertThat(engine.hasTable("t")).isFalse();
    // the engine stays usable and the name free
    Csv.read(engine, file("ok.csv", "a\n1\n".getBytes(StandardCharsets.UTF_8)), "t");
    assertThat(rows("SELECT a FROM t")).containsExactly(row(1));
  }

  @Test
  void read_badInferredValue_hintsAtTheSample() throws IOException {
    StringBuilder sb = new StringBuilder("x\n");
    for (int i = 0; i < 20; i++) {
      sb.append(i).append('\n');
    }
    sb.append("oops\n");
    Path f = file(sb.toString());
    assertThatThrownBy(() -> Csv.read(engine, f, "t", CsvOptions.builder().sampleRows(5).build()))
        .hasMessage(
            f
                + ":22: column 'x': 'oops': not a valid int64 (type inferred from 5 rows; give a"
                + " schema or a larger sampleRows)");
  }

  @Test
  void read_rejects_goToRejectsTableWithExactReasons() throws IOException {
    Schema s =
        Schema.of(
            Field.of("id", DataType.INT32),
            Field.notNull("d", DataType.DATE32),
            Field.of("p", DataType.decimal(5, 2)));
    Path f =
        file(
            "id,d,p\n"
                + "1,2024-01-01,1.00\n"
                + "x,2024-13-01,2.00\n"
                + "3,,3.00\n"
                + "4,2024-01-04\n"
                + "5,2024-01-05,12345.6\n"
                + "99999999999,2024-01-06,\"6\"x\n"
                + "7,2024-01-07,7.5\n");
    CsvLoad load =
        Csv.read(
            engine,
            f,
            "t",
            CsvOptions.builder().schema(s).onError(CsvOptions.OnError.REJECT).build());
    assertThat(load.rowsLoaded()).isEqualTo(2);
    assertThat(load.rowsRejected()).isEqualTo(5);
    assertThat(load.rejects()).isNotNull();
    assertThat(rows("SELECT id, p FROM t ORDER BY id"))
        .containsExactly(row(1, new BigDecimal("1.00")), row(7, new BigDecimal("7.50")));
    assertThat(rows("SELECT line, \"column\", text, reason FROM t_rejects ORDER BY line, text"))
        .containsExactly(
            row(3L, "d", "2024-13-01", "not a valid date32"),
            row(3L, "id", "x", "not a valid int32"),
            row(4L, "d", "", "null in a not-null column"),
            row(5L, null, "4,2024-01-04", "expected 3 fields, found 2"),
            row(6L, "p", "12345.6", "out of range for decimal(5,2)"),
            row(
                7L,
                null,
                "99999999999,2024-01-06,\"6\"x",
                "unexpected text after a closing quote"));
    assertThat(load.summary()).contains("2 rows loaded, 5 rejected (see t_rejects)");
  }

  @Test
  void read_unterminatedQuote_isReportedAtItsLine() throws IOException {
    Path f = file("a,b\n1,x\n2,\"never closed\n3,y\n");
    assertThatThrownBy(() -> Csv.read(engine, f, "t"))
        .isInstanceOf(CsvFormatException.class)
        .hasMessage(f + ":3: unterminated quoted field: '2,\"never closed\n3,y\n'");
  }

  @Test
  void read_manyBlocks_countsLinesAcrossBlocksAndKeepsOrder() throws IOException {
    StringBuilder sb = new StringBuilder("n,s\n");
    for (int i = 0; i < 5000; i++) {
      sb.append(i).append(",\"line\n").append(i).append("\"\n"); // two physical lines per row
    }
    sb.append("bad,x\n");
    Path f = file(sb.toString());
    CsvOptions o =
        CsvOptions.builder()
            .schema(Schema.of(Field.of("n", DataType.INT64), Field.of("s", DataType.UTF8)))
            .onError(CsvOptions.OnError.REJECT)
            .threads(3)
            .build();
    CsvLoad load = CsvReader.read(engine, f, "t", o, 1000);
    assertThat(load.rowsLoaded()).isEqualTo(5000);
    assertThat(rows("SELECT line, text FROM t_rejects")).containsExactly(row(10_002L, "bad"));
    assertThat(rows("SELECT COUNT(*), SUM(n) FROM t")).containsExactly(row(5000L, 12_497_500L));
    assertThat(rows("SELECT s FROM t WHERE n = 4999")).containsExactly(row("line\n4999"));
  }

  @Test
  void read_existingTable_isRefusedBeforeReading() throws IOException {
    Path f = file("a\n1\n");
    Csv.read(engine, f, "t");
    assertThatThrownBy(() -> Csv.read(engine, f, "t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("table 't' already exists");
  }

  @Test
  void read_missingFile_isCsvFormatException() {
    Path f = dir.resolve("nope.csv");
    assertThatThrownBy(() -> Csv.read(engine, f, "t"))
        .isInstanceOf(CsvFormatException.class)
        .hasMessageStartingWith(f + ": cannot read: ");
  }

  @Test
  void read_emptyFile_withoutSchema_fails_withSchema_givesEmptyTable() throws IOException {
    Path f = file("");
    assertThatThrownBy(() -> Csv.read(engine, f, "t"))
        .hasMessage(f + ": file has no header and no rows: cannot tell its columns; give a schema");
    CsvLoad load =
        Csv.read(
            engine,
            f,
            "t",
            CsvOptions.builder().schema(Schema.of(Field.of("a", DataType.INT64))).build());
    assertThat(load.rowsLoaded()).isZero();
    Csv.read(engine, file("h.csv", "a,b\n".getBytes(StandardCharsets.UTF_8)), "h");
    assertThat(engine.catalogTable("h").schema().names()).containsExactly("a", "b");
  }

  @Test
  void read_invalidUtf8_isRejected() throws IOException {
    byte[] b = {'s', '\n', 'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n'};
    CsvLoad load =
        Csv.read(
            engine,
            file("u.csv", b),
            "t",
            CsvOptions.builder().onError(CsvOptions.OnError.REJECT).build());
    assertThat(load.rowsLoaded()).isEqualTo(1);
    assertThat(rows("SELECT line, reason FROM t_rejects"))
        .containsExactly(row(3L, "invalid UTF-8"));
  }
}
