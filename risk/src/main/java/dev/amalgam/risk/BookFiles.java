package dev.amalgam.risk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A book as a directory of CSV files.
 *
 * <pre>
 *  book.csv          valuation_date,currency                 one row: 2025-01-02,USD
 *  instruments.csv   id,desk,book,underlying,type,strike,expiry,quantity,currency
 *                    type: equity|forward|call|put; strike and expiry empty for equities
 *  market.csv        underlying,spot,vol                      vol annualised, 0.2 = 20%
 *  curve.csv         tenor_years,rate                         continuously compounded zero rates
 *  correlation.csv   underlying,U1,U2,...   then one row per underlying: U1,1.0,0.3,...
 *  returns.csv       date,U1,U2,...         optional: daily log returns, dates ascending
 * </pre>
 *
 * Errors name the file, line and column ({@code market.csv:4:3: underlying 'U02': volatility must
 * be >= 0, got -0.2}).
 */
public final class BookFiles {
  /** The files of a book directory, in the order they are read. */
  public static final List<String> FILES =
      List.of(
          CsvBookFormat.BOOK,
          CsvBookFormat.INSTRUMENTS,
          CsvBookFormat.MARKET,
          CsvBookFormat.CURVE,
          CsvBookFormat.CORRELATION,
          CsvBookFormat.RETURNS);

  private static final BookSource FORMAT = new CsvBookFormat();

  private BookFiles() {}

  /**
   * Reads and validates the book in {@code dir}.
   *
   * @throws BookException naming file, line and column of what is wrong
   * @throws UncheckedIOException when a file cannot be read
   */
  public static Book read(Path dir) {
    try {
      return FORMAT.read(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the book in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code book} as CSV files into {@code dir} (created if needed). */
  public static void write(Book book, Path dir) {
    try {
      FORMAT.write(book, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the book to " + dir + ": " + e.getMessage(), e);
    }
  }
}
