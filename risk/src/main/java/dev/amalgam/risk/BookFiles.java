package dev.amalgam.risk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A book as a directory of files: CSV files or Arrow IPC files, one kind per directory.
 *
 * <pre>
 *  CSV                                                                   (the default)
 *  book.csv          valuation_date,currency                 one row: 2025-01-02,USD
 *  instruments.csv   id,desk,book,underlying,type,strike,expiry,quantity,currency
 *                    type: equity|forward|call|put; strike and expiry empty for equities
 *  market.csv        underlying,spot,vol                      vol annualised, 0.2 = 20%
 *  curve.csv         tenor_years,rate                         continuously compounded zero rates
 *  correlation.csv   underlying,U1,U2,...   then one row per underlying: U1,1.0,0.3,...
 *  returns.csv       date,U1,U2,...         optional: daily log returns, dates ascending
 *
 *  Arrow IPC         one file per table of BookTables, same columns (row_no first)
 *  book.arrow  instruments.arrow  market.arrow  curve.arrow  correlation.arrow
 *  returns.arrow     optional
 * </pre>
 *
 * <p>An Arrow book's columns may be coerced but not reinterpreted: a string column may be utf8 or
 * dictionary&lt;utf8&gt;, a float64 column any numeric type, {@code row_no} any integer type, a
 * date column date32 (Arrow date32 or date64); any other type is an error naming the file, the
 * column, the type expected and the type found.
 *
 * <p>Errors name the file and the place in it: line and column for CSV ({@code market.csv:4:3:
 * underlying 'U02': volatility must be >= 0, got -0.2}), row and column for Arrow ({@code
 * market.arrow row 3 column vol: ...}).
 */
public final class BookFiles {
  /** The on-disk formats of a book. */
  public enum Format {
    /** CSV files ({@code book.csv}, ...), read and written with Apache Commons CSV. */
    CSV("csv", "CSV", new CsvBookFormat()),
    /** Arrow IPC files ({@code book.arrow}, ...), read and written through engine tables. */
    ARROW("arrow", "Arrow", new ArrowBookFormat());

    private final String label;
    private final String title;
    private final BookSource source;

    Format(String label, String title, BookSource source) {
      this.label = label;
      this.title = title;
      this.source = source;
    }

    /** {@code csv} or {@code arrow}. */
    public String label() {
      return label;
    }

    /** The file names of this format, in the order they are read; the last one is optional. */
    public List<String> files() {
      List<String> f = new ArrayList<>();
      for (String t : ArrowBookFormat.TABLES) {
        f.add(t + "." + label);
      }
      return List.copyOf(f);
    }

    /**
     * The format named {@code text} ({@code csv} or {@code arrow}, any case).
     *
     * @throws IllegalArgumentException naming the text and the valid names
     */
    public static Format parse(String text) {
      for (Format f : values()) {
        if (f.label.equals(text.strip().toLowerCase(Locale.ROOT))) {
          return f;
        }
      }
      throw new IllegalArgumentException("unknown book format '" + text + "' (valid: csv, arrow)");
    }
  }

  /** The CSV files of a book directory, in the order they are read. */
  public static final List<String> FILES = Format.CSV.files();

  private BookFiles() {}

  /**
   * The format of the book in {@code dir}: the kind of book files it holds.
   *
   * @throws BookException when {@code dir} is not a directory, holds no book files, or holds both
   *     CSV and Arrow book files (naming the directory and the files)
   */
  public static Format format(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw BookException.of("no book directory " + dir);
    }
    List<String> csv = present(dir, Format.CSV);
    List<String> arrow = present(dir, Format.ARROW);
    if (!csv.isEmpty() && !arrow.isEmpty()) {
      throw BookException.of(
          "the book directory "
              + dir
              + " holds both CSV files ("
              + String.join(", ", csv)
              + ") and Arrow files ("
              + String.join(", ", arrow)
              + "); a book is one kind or the other");
    }
    if (csv.isEmpty() && arrow.isEmpty()) {
      throw BookException.of(
          "the book directory "
              + dir
              + " has no book files (expected "
              + String.join(", ", Format.CSV.files())
              + " or "
              + String.join(", ", Format.ARROW.files())
              + ")");
    }
    return arrow.isEmpty() ? Format.CSV : Format.ARROW;
  }

  private static List<String> present(Path dir, Format f) {
    return f.files().stream().filter(n -> Files.exists(dir.resolve(n))).toList();
  }

  /**
   * Reads and validates the book in {@code dir}, CSV or Arrow ({@link #format(Path)}).
   *
   * @throws BookException naming file and place (line and column, or row and column) of what is
   *     wrong
   * @throws UncheckedIOException when a file cannot be read
   */
  public static Book read(Path dir) {
    Format f = format(dir);
    try {
      return f.source.read(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the book in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code book} as CSV files into {@code dir} (created if needed). */
  public static void write(Book book, Path dir) {
    write(book, dir, Format.CSV);
  }

  /**
   * Writes {@code book} in {@code format} into {@code dir} (created if needed), replacing a book of
   * the same format there.
   *
   * @throws UncheckedIOException when a file cannot be written, or when {@code dir} holds book
   *     files of the other format (they are left alone)
   */
  public static void write(Book book, Path dir, Format format) {
    try {
      for (Format other : Format.values()) {
        List<String> there = Files.isDirectory(dir) ? present(dir, other) : List.of();
        if (other != format && !there.isEmpty()) {
          throw new IOException(
              "it holds a "
                  + other.title
                  + " book ("
                  + String.join(", ", there)
                  + "); remove those files or write to another directory");
        }
      }
      format.source.write(book, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the book to " + dir + ": " + e.getMessage(), e);
    }
  }
}
