package dev.amalgam.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed books get errors that name the instrument, underlying or cell, and the file place. */
final class BookValidationTest {
  private static final LocalDate TODAY = LocalDate.of(2025, 1, 2);

  static Book small() {
    List<UnderlyingQuote> quotes =
        List.of(
            new UnderlyingQuote("A", 100.0, 0.2),
            new UnderlyingQuote("B", 50.0, 0.3),
            new UnderlyingQuote("C", 20.0, 0.4));
    MarketData m =
        new MarketData(
            TODAY,
            quotes,
            new RateCurve("USD", new double[] {0.5, 2.0}, new double[] {0.04, 0.03}));
    CorrelationMatrix c =
        new CorrelationMatrix(
            List.of("A", "B", "C"), new double[] {1, 0.3, 0.1, 0.3, 1, 0.2, 0.1, 0.2, 1});
    List<Instrument> ins =
        List.of(
            Instrument.equity("EQ-1", "D1", "B1", "A", 100, "USD"),
            Instrument.derivative(
                "C-1", "D2", "B2", "B", InstrumentType.CALL, 55, TODAY.plusMonths(6), 10, "USD"),
            Instrument.derivative(
                "P-1", "D2", "B3", "C", InstrumentType.PUT, 18, TODAY.plusYears(1), -20, "USD"));
    return Book.of(ins, m, c, null);
  }

  private static Path written(Path dir) {
    BookFiles.write(small(), dir);
    return dir;
  }

  private static void edit(Path dir, String file, String from, String to) throws IOException {
    Path p = dir.resolve(file);
    String s = Files.readString(p);
    assertThat(s).contains(from);
    Files.writeString(p, s.replaceFirst(java.util.regex.Pattern.quote(from), to));
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
  void read_written_roundTrips(@TempDir Path dir) {
    Book b = BookFiles.read(written(dir));
    assertThat(b.instruments()).isEqualTo(small().instruments());
    assertThat(b.correlation()).isEqualTo(small().correlation());
    assertThat(b.market().curve()).isEqualTo(small().market().curve());
    assertThat(b.market().quotes()).isEqualTo(small().market().quotes());
  }

  @Test
  void read_unknownUnderlying_namesInstrumentAndCell(@TempDir Path dir) throws IOException {
    edit(written(dir), "instruments.csv", "EQ-1,D1,B1,A,", "EQ-1,D1,B1,ZZZ,");
    assertThat(error(dir))
        .isEqualTo("instruments.csv:2:4: instrument 'EQ-1': unknown underlying 'ZZZ'");
  }

  @Test
  void read_negativeVol_namesUnderlyingAndCell(@TempDir Path dir) throws IOException {
    edit(written(dir), "market.csv", "B,50.0,0.3", "B,50.0,-0.3");
    assertThat(error(dir))
        .isEqualTo("market.csv:3:3: underlying 'B': volatility must be >= 0, got -0.3");
  }

  @Test
  void read_expiryInThePast_namesInstrumentAndCell(@TempDir Path dir) throws IOException {
    edit(written(dir), "instruments.csv", "2025-07-02", "2024-12-31");
    assertThat(error(dir))
        .isEqualTo(
            "instruments.csv:3:7: instrument 'C-1': expiry 2024-12-31 is before the valuation date"
                + " 2025-01-02");
  }

  @Test
  void read_missingMarketData_namesUnderlying(@TempDir Path dir) throws IOException {
    edit(written(dir), "market.csv", "C,20.0,0.4\n", "");
    assertThat(error(dir))
        .isEqualTo(
            "correlation.csv:4:4: underlying 'C' is in the correlation matrix but has no market"
                + " data (spot, vol)");
  }

  @Test
  void read_notSymmetric_namesBothCells(@TempDir Path dir) throws IOException {
    edit(written(dir), "correlation.csv", "B,0.3,", "B,0.5,");
    assertThat(error(dir))
        .isEqualTo(
            "correlation.csv:3:2: correlation matrix is not symmetric: ['B', 'A'] = 0.5 but ['A',"
                + " 'B'] = 0.3");
  }

  @Test
  void read_notPositiveSemiDefinite_namesFailingPivot(@TempDir Path dir) throws IOException {
    Path d = written(dir);
    Files.writeString(
        d.resolve("correlation.csv"),
        "underlying,A,B,C\nA,1.0,0.9,0.9\nB,0.9,1.0,-0.9\nC,0.9,-0.9,1.0\n");
    // the pivot of C after eliminating A and B, computed as the factorisation does
    double l21 = 0.9;
    double l22 = Math.sqrt(1.0 - l21 * l21);
    double l31 = 0.9;
    double l32 = (-0.9 - l31 * l21) / l22;
    double pivot = 1.0 - l31 * l31 - l32 * l32;
    assertThat(error(d))
        .isEqualTo(
            "correlation.csv:4:4: correlation matrix is not positive semi-definite: pivot 3 ('C')"
                + " is "
                + pivot
                + " after eliminating the rows above it (tolerance 1.0E-10)");
  }

  @Test
  void read_badNumber_namesFileLineColumn(@TempDir Path dir) throws IOException {
    edit(written(dir), "instruments.csv", ",55.0,", ",abc,");
    assertThat(error(dir)).isEqualTo("instruments.csv:3:6: strike 'abc' is not a number");
  }

  @Test
  void read_missingFile_saysWhich(@TempDir Path dir) throws IOException {
    Files.delete(written(dir).resolve("curve.csv"));
    assertThat(error(dir)).isEqualTo("the book directory " + dir + " has no curve.csv");
  }

  @Test
  void of_negativeVolInCode_namesUnderlying() {
    assertThatThrownBy(() -> new UnderlyingQuote("X", 10, -0.1))
        .isInstanceOf(BookException.class)
        .hasMessage("underlying 'X': volatility must be >= 0, got -0.1");
  }

  @Test
  void of_unknownUnderlyingInCode_namesInstrument() {
    Book b = small();
    List<Instrument> ins = List.of(Instrument.equity("EQ-9", "D1", "B1", "NOPE", 1, "USD"));
    assertThatThrownBy(() -> Book.of(ins, b.market(), b.correlation(), null))
        .isInstanceOf(BookException.class)
        .hasMessage("instrument 'EQ-9': unknown underlying 'NOPE'");
  }

  @Test
  void generate_writeRead_sameBook(@TempDir Path dir) {
    Book g = SyntheticBook.generate(300, 7, 5);
    BookFiles.write(g, dir);
    Book r = BookFiles.read(dir);
    assertThat(r.instruments()).isEqualTo(g.instruments());
    assertThat(r.correlation()).isEqualTo(g.correlation());
    assertThat(r.returns()).isNotNull();
    assertThat(r.returns().days()).isEqualTo(500);
    assertThat(r.instruments().stream().map(Instrument::type).distinct()).hasSize(4);
    assertThat(r.instruments().stream().map(Instrument::desk).distinct()).hasSize(4);
  }
}
