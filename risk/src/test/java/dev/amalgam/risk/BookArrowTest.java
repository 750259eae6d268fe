package dev.amalgam.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.Engine;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Books as Arrow IPC files: same book and same VaR as CSV, errors naming file, row and column. */
final class BookArrowTest {
  private static RiskReport run(Book b, RiskJob.Method method, int scenarios) {
    return RiskJob.builder()
        .book(b)
        .method(method)
        .scenarios(scenarios)
        .horizonDays(2)
        .confidence(0.99, 0.975)
        .seed(9)
        .topology("cpu")
        .build()
        .run();
  }

  private static Path arrowBook(Path dir) {
    BookFiles.write(BookValidationTest.small(), dir, BookFiles.Format.ARROW);
    return dir;
  }

  /** Rewrites {@code table}.arrow in {@code dir} as the rows of {@code select} over it. */
  private static void rewrite(Path dir, String table, String select) {
    Path f = dir.resolve(table + ".arrow");
    try (Engine e = Engine.open("cpu")) {
      e.execute("CREATE TABLE t AS SELECT * FROM '" + f + "'");
      e.execute("COPY (" + select + " FROM t ORDER BY row_no) TO '" + f + "'");
    }
  }

  private static String error(Path dir) {
    try {
      BookFiles.read(dir);
    } catch (BookException e) {
      return e.getMessage();
    }
    throw new AssertionError("the book was accepted");
  }

  @Test
  void read_generatedAsArrowAndCsv_sameBookAndBitIdenticalVar(
      @TempDir Path csv, @TempDir Path arrow) {
    Book g = SyntheticBook.generate(300, 6, 5, SyntheticBook.DEFAULT_VALUATION_DATE, 60);
    BookFiles.write(g, csv, BookFiles.Format.CSV);
    BookFiles.write(g, arrow, BookFiles.Format.ARROW);
    assertThat(arrow.resolve("instruments.arrow")).exists();
    assertThat(arrow.resolve("returns.arrow")).exists();
    assertThat(BookFiles.format(csv)).isEqualTo(BookFiles.Format.CSV);
    assertThat(BookFiles.format(arrow)).isEqualTo(BookFiles.Format.ARROW);

    Book fromCsv = BookFiles.read(csv);
    Book fromArrow = BookFiles.read(arrow);
    assertThat(fromArrow.instruments()).isEqualTo(fromCsv.instruments()).isEqualTo(g.instruments());
    assertThat(fromArrow.correlation()).isEqualTo(fromCsv.correlation());
    assertThat(fromArrow.market().quotes()).isEqualTo(fromCsv.market().quotes());
    assertThat(fromArrow.market().curve()).isEqualTo(fromCsv.market().curve());
    assertThat(fromArrow.returns()).isNotNull();
    assertThat(fromArrow.returns().days()).isEqualTo(60);

    for (RiskJob.Method m : RiskJob.Method.values()) {
      int scenarios = m == RiskJob.Method.MONTE_CARLO ? 200 : 0;
      RiskReport a = run(fromArrow, m, scenarios);
      RiskReport c = run(fromCsv, m, scenarios);
      assertThat(a.pnl()).containsExactly(c.pnl());
      assertThat(a.totals()).isEqualTo(c.totals());
      assertThat(a.totals().getFirst().var()).isPositive();
      for (RiskLevel level : RiskLevel.values()) {
        assertThat(a.groups(level)).isEqualTo(c.groups(level));
      }
    }
  }

  @Test
  void write_noReturns_removesAStaleReturnsFile(@TempDir Path dir) {
    BookFiles.write(
        SyntheticBook.generate(50, 3, 2, SyntheticBook.DEFAULT_VALUATION_DATE, 10),
        dir,
        BookFiles.Format.ARROW);
    assertThat(dir.resolve("returns.arrow")).exists();
    arrowBook(dir);
    assertThat(dir.resolve("returns.arrow")).doesNotExist();
    assertThat(BookFiles.read(dir).returns()).isNull();
  }

  @Test
  void read_negativeVol_namesUnderlyingFileRowAndColumn(@TempDir Path dir) {
    rewrite(
        arrowBook(dir),
        "market",
        "SELECT row_no, underlying, spot, CASE WHEN underlying = 'B' THEN -0.3 ELSE vol END AS vol");
    assertThat(error(dir))
        .isEqualTo(
            "market.arrow row 2 column vol: underlying 'B': volatility must be >= 0, got -0.3");
  }

  @Test
  void read_unknownUnderlying_namesInstrument(@TempDir Path dir) {
    rewrite(
        arrowBook(dir),
        "instruments",
        "SELECT row_no, id, desk, book, CASE WHEN id = 'C-1' THEN 'ZZZ' ELSE underlying END AS"
            + " underlying, type, strike, expiry, quantity, currency");
    assertThat(error(dir))
        .isEqualTo(
            "instruments.arrow row 2 column underlying: instrument 'C-1': unknown underlying"
                + " 'ZZZ'");
  }

  @Test
  void read_expiryInThePast_namesInstrument(@TempDir Path dir) {
    rewrite(
        arrowBook(dir),
        "instruments",
        "SELECT row_no, id, desk, book, underlying, type, strike, CASE WHEN id = 'P-1' THEN DATE"
            + " '2024-06-30' ELSE expiry END AS expiry, quantity, currency");
    assertThat(error(dir))
        .isEqualTo(
            "instruments.arrow row 3 column expiry: instrument 'P-1': expiry 2024-06-30 is before"
                + " the valuation date 2025-01-02");
  }

  @Test
  void read_notPositiveSemiDefinite_namesCell(@TempDir Path dir) {
    rewrite(
        arrowBook(dir),
        "correlation",
        "SELECT row_no, underlying_i, underlying_j, CASE WHEN underlying_i <> underlying_j THEN"
            + " (CASE WHEN (underlying_i = 'B' AND underlying_j = 'C') OR (underlying_i = 'C' AND"
            + " underlying_j = 'B') THEN -0.9 ELSE 0.9 END) ELSE rho END AS rho");
    assertThat(error(dir))
        .startsWith(
            "correlation.arrow row 9 column rho: correlation matrix is not positive"
                + " semi-definite: pivot 3 ('C')");
  }

  @Test
  void read_wrongColumnType_namesFileColumnAndBothTypes(@TempDir Path dir) {
    rewrite(
        arrowBook(dir), "market", "SELECT row_no, underlying, spot, CAST(vol AS VARCHAR) AS vol");
    assertThat(error(dir))
        .isEqualTo(
            "market.arrow: column 'vol': expected float64 (or another numeric type, read as"
                + " float64), found utf8");
  }

  @Test
  void read_dateAsText_isAnError(@TempDir Path dir) {
    rewrite(
        arrowBook(dir),
        "book",
        "SELECT row_no, CAST(valuation_date AS VARCHAR) AS valuation_date, currency");
    assertThat(error(dir))
        .isEqualTo("book.arrow: column 'valuation_date': expected date32, found utf8");
  }

  @Test
  void read_integerQuantity_isReadAsFloat64(@TempDir Path dir) {
    rewrite(
        arrowBook(dir),
        "instruments",
        "SELECT CAST(row_no AS BIGINT) AS row_no, id, desk, book, underlying, type, strike,"
            + " expiry, CAST(quantity AS BIGINT) AS quantity, currency");
    assertThat(BookFiles.read(dir).instruments())
        .isEqualTo(BookValidationTest.small().instruments());
  }

  @Test
  void read_missingColumn_namesFileAndColumns(@TempDir Path dir) {
    rewrite(arrowBook(dir), "curve", "SELECT row_no, tenor_years");
    assertThat(error(dir))
        .isEqualTo("curve.arrow: missing column 'rate' (the columns are [row_no, tenor_years])");
  }

  @Test
  void read_missingArrowFiles_namesDirectoryAndFiles(@TempDir Path dir) throws Exception {
    Files.delete(arrowBook(dir).resolve("curve.arrow"));
    Files.delete(dir.resolve("book.arrow"));
    assertThat(error(dir))
        .isEqualTo(
            "the book directory "
                + dir
                + " has no book.arrow, curve.arrow (an Arrow book needs book.arrow,"
                + " instruments.arrow, market.arrow, curve.arrow, correlation.arrow; returns.arrow"
                + " is optional)");
  }

  @Test
  void read_csvAndArrowFiles_namesDirectoryAndBothKinds(@TempDir Path dir) throws Exception {
    arrowBook(dir);
    Files.writeString(dir.resolve("market.csv"), "underlying,spot,vol\n");
    assertThat(error(dir))
        .isEqualTo(
            "the book directory "
                + dir
                + " holds both CSV files (market.csv) and Arrow files (book.arrow,"
                + " instruments.arrow, market.arrow, curve.arrow, correlation.arrow); a book is"
                + " one kind or the other");
  }

  @Test
  void read_noBookFiles_saysWhatIsExpected(@TempDir Path dir) {
    assertThat(error(dir)).startsWith("the book directory " + dir + " has no book files (expected");
  }

  @Test
  void read_notAnArrowFile_namesTheFile(@TempDir Path dir) throws Exception {
    Files.writeString(arrowBook(dir).resolve("market.arrow"), "underlying,spot,vol\n");
    assertThat(error(dir))
        .startsWith("market.arrow: cannot read it as an Arrow IPC file: ")
        .contains("market.arrow at byte ")
        .doesNotContain("error at line");
  }

  @Test
  void write_intoDirectoryWithTheOtherFormat_refusesAndLeavesItAlone(@TempDir Path dir) {
    BookFiles.write(BookValidationTest.small(), dir, BookFiles.Format.CSV);
    assertThatThrownBy(
            () -> BookFiles.write(BookValidationTest.small(), dir, BookFiles.Format.ARROW))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("holds a CSV book (book.csv, instruments.csv");
    assertThat(dir.resolve("book.arrow")).doesNotExist();
    assertThat(BookFiles.read(dir).instruments()).hasSize(3);
  }

  @Test
  void parse_formatNames() {
    assertThat(BookFiles.Format.parse("ARROW")).isEqualTo(BookFiles.Format.ARROW);
    assertThat(BookFiles.Format.parse("csv")).isEqualTo(BookFiles.Format.CSV);
    assertThatThrownBy(() -> BookFiles.Format.parse("xlsx"))
        .hasMessage("unknown book format 'xlsx' (valid: csv, arrow)");
  }
}
