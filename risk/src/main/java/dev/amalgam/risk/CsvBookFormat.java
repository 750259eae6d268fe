package dev.amalgam.risk;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;

/** The CSV layout of {@link BookFiles}, read and written with Apache Commons CSV. */
final class CsvBookFormat implements BookSource {
  static final String BOOK = "book.csv";
  static final String INSTRUMENTS = "instruments.csv";
  static final String MARKET = "market.csv";
  static final String CURVE = "curve.csv";
  static final String CORRELATION = "correlation.csv";
  static final String RETURNS = "returns.csv";

  static final List<String> INSTRUMENT_COLUMNS =
      List.of(
          "id", "desk", "book", "underlying", "type", "strike", "expiry", "quantity", "currency");

  private static final CSVFormat READ =
      CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(true).setTrim(true).get();
  private static final CSVFormat WRITE = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get();

  /** A CSV file read whole: the header and the rows, each with its line number. */
  private record Sheet(String file, List<String> header, List<String[]> rows, List<Long> lines) {
    int column(String name) {
      int i = header.indexOf(name);
      if (i < 0) {
        throw BookException.of("missing column '" + name + "' (the header has " + header + ")")
            .at(file + ":1");
      }
      return i;
    }

    String at(int row, int col) {
      return file + ":" + lines.get(row) + ":" + (col + 1);
    }

    String at(int row) {
      return file + ":" + lines.get(row);
    }

    String cell(int row, int col) {
      return rows.get(row)[col];
    }

    double number(int row, int col) {
      String s = cell(row, col);
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        throw BookException.of(header.get(col) + " '" + s + "' is not a number").at(at(row, col));
      }
    }

    @Nullable Double optionalNumber(int row, int col) {
      return cell(row, col).isEmpty() ? null : number(row, col);
    }

    LocalDate date(int row, int col) {
      String s = cell(row, col);
      try {
        return LocalDate.parse(s);
      } catch (DateTimeParseException e) {
        throw BookException.of(header.get(col) + " '" + s + "' is not a date (YYYY-MM-DD)")
            .at(at(row, col));
      }
    }

    @Nullable LocalDate optionalDate(int row, int col) {
      return cell(row, col).isEmpty() ? null : date(row, col);
    }

    String text(int row, int col) {
      String s = cell(row, col);
      if (s.isEmpty()) {
        throw BookException.of(header.get(col) + " is empty").at(at(row, col));
      }
      return s;
    }
  }

  private static @Nullable Sheet sheet(Path dir, String file, boolean required) throws IOException {
    Path path = dir.resolve(file);
    if (!Files.isRegularFile(path)) {
      if (!required) {
        return null;
      }
      throw BookException.of("the book directory " + dir + " has no " + file);
    }
    List<String> header = null;
    List<String[]> rows = new ArrayList<>();
    List<Long> lines = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8);
        CSVParser parser = CSVParser.builder().setReader(in).setFormat(READ).get()) {
      long line = 0;
      for (CSVRecord r : parser) {
        long start = line + 1;
        line = parser.getCurrentLineNumber();
        String[] values = r.values();
        if (header == null) {
          header = List.of(values);
          if (header.isEmpty() || header.getFirst().isEmpty()) {
            throw BookException.of("the first line must be the header").at(file + ":" + start);
          }
          continue;
        }
        if (values.length != header.size()) {
          throw BookException.of(
                  values.length + " fields where the header has " + header.size() + " " + header)
              .at(file + ":" + start);
        }
        rows.add(values);
        lines.add(start);
      }
    } catch (NoSuchFileException e) {
      throw BookException.of("the book directory " + dir + " has no " + file);
    } catch (java.io.UncheckedIOException e) {
      throw BookException.of("malformed CSV: " + e.getMessage()).at(file);
    }
    if (header == null) {
      throw BookException.of("the file is empty (it needs a header)").at(file + ":1");
    }
    return new Sheet(file, header, rows, lines);
  }

  private static Sheet required(Path dir, String file) throws IOException {
    Sheet s = sheet(dir, file, true);
    if (s == null) {
      throw new AssertionError(file);
    }
    return s;
  }

  @Override
  public Book read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw BookException.of("no book directory " + dir);
    }
    Sheet meta = required(dir, BOOK);
    if (meta.rows().size() != 1) {
      throw BookException.of("needs exactly one row, has " + meta.rows().size()).at(BOOK);
    }
    LocalDate today = meta.date(0, meta.column("valuation_date"));
    String currency = meta.text(0, meta.column("currency"));

    RateCurve curve = readCurve(required(dir, CURVE), currency);
    Sheet market = required(dir, MARKET);
    List<UnderlyingQuote> quotes = new ArrayList<>();
    Map<String, Integer> quoteRows = new HashMap<>();
    int mu = market.column("underlying");
    int ms = market.column("spot");
    int mv = market.column("vol");
    for (int row = 0; row < market.rows().size(); row++) {
      String u = market.text(row, mu);
      double spot = market.number(row, ms);
      double vol = market.number(row, mv);
      try {
        new UnderlyingQuote(u, spot, 0.0);
      } catch (BookException e) {
        throw e.at(market.at(row, ms));
      }
      try {
        quotes.add(new UnderlyingQuote(u, spot, vol));
      } catch (BookException e) {
        throw e.at(market.at(row, mv));
      }
      if (quoteRows.putIfAbsent(u, row) != null) {
        throw BookException.underlying(u, "quoted twice in the market data").at(market.at(row, mu));
      }
    }
    MarketData md = new MarketData(today, quotes, curve);

    Sheet ins = required(dir, INSTRUMENTS);
    int[] col = new int[INSTRUMENT_COLUMNS.size()];
    for (int c = 0; c < col.length; c++) {
      col[c] = ins.column(INSTRUMENT_COLUMNS.get(c));
    }
    List<Instrument> instruments = new ArrayList<>(ins.rows().size());
    for (int row = 0; row < ins.rows().size(); row++) {
      String id = ins.text(row, col[0]);
      InstrumentType type;
      try {
        type = InstrumentType.parse(ins.cell(row, col[4]));
      } catch (IllegalArgumentException e) {
        throw BookException.instrument(id, String.valueOf(e.getMessage())).at(ins.at(row, col[4]));
      }
      try {
        instruments.add(
            new Instrument(
                id,
                ins.cell(row, col[1]),
                ins.cell(row, col[2]),
                ins.cell(row, col[3]),
                type,
                ins.optionalNumber(row, col[5]),
                ins.optionalDate(row, col[6]),
                ins.number(row, col[7]),
                ins.cell(row, col[8])));
      } catch (BookException e) {
        throw e.location() != null ? e : e.at(ins.at(row));
      }
    }

    Sheet corr = required(dir, CORRELATION);
    List<String> names = corr.header().subList(1, corr.header().size());
    int n = names.size();
    if (corr.rows().size() != n) {
      throw BookException.of(
              "the header names "
                  + n
                  + " underlyings but there are "
                  + corr.rows().size()
                  + " rows")
          .at(CORRELATION);
    }
    double[] values = new double[n * n];
    for (int i = 0; i < n; i++) {
      String rowName = corr.cell(i, 0);
      if (!rowName.equals(names.get(i))) {
        throw BookException.of(
                "row '"
                    + rowName
                    + "' where '"
                    + names.get(i)
                    + "' was expected (rows must follow the header's order)")
            .at(corr.at(i, 0));
      }
      for (int j = 0; j < n; j++) {
        values[i * n + j] = corr.number(i, j + 1);
      }
    }
    CorrelationMatrix matrix;
    try {
      matrix = new CorrelationMatrix(names, values);
    } catch (BookException e) {
      throw e.at(CORRELATION + ":1");
    }

    HistoricalReturns returns = null;
    Sheet ret = sheet(dir, RETURNS, false);
    if (ret != null) {
      returns = readReturns(ret);
    }
    Sheet insSheet = ins;
    Book.Locations where =
        new Book.Locations() {
          @Override
          public String instrument(int row, String field) {
            return insSheet.at(row, col[INSTRUMENT_COLUMNS.indexOf(field)]);
          }

          @Override
          public String correlation(int i, int j) {
            return corr.at(i, j + 1);
          }
        };
    return Book.of(instruments, md, matrix, returns, where);
  }

  private static RateCurve readCurve(Sheet s, String currency) {
    int ct = s.column("tenor_years");
    int cr = s.column("rate");
    int n = s.rows().size();
    if (n == 0) {
      throw BookException.of("the rate curve has no pillars").at(CURVE);
    }
    double[] t = new double[n];
    double[] r = new double[n];
    RateCurve curve = RateCurve.flat(currency, 0.0);
    for (int row = 0; row < n; row++) {
      t[row] = s.number(row, ct);
      r[row] = s.number(row, cr);
      try {
        curve = new RateCurve(currency, Arrays.copyOf(t, row + 1), Arrays.copyOf(r, row + 1));
      } catch (BookException e) {
        throw e.at(s.at(row));
      }
    }
    return curve;
  }

  private static HistoricalReturns readReturns(Sheet s) {
    List<String> names = s.header().subList(1, s.header().size());
    int n = s.rows().size();
    List<LocalDate> dates = new ArrayList<>(n);
    double[] v = new double[n * names.size()];
    for (int row = 0; row < n; row++) {
      dates.add(s.date(row, 0));
      for (int j = 0; j < names.size(); j++) {
        double x = s.number(row, j + 1);
        if (!Double.isFinite(x) || Math.abs(x) > 5.0) {
          throw BookException.of(
                  "return of '"
                      + names.get(j)
                      + "' is "
                      + x
                      + " (a daily log return must be finite and within [-5, 5])")
              .at(s.at(row, j + 1));
        }
        v[row * names.size() + j] = x;
      }
      if (row > 0 && !dates.get(row).isAfter(dates.get(row - 1))) {
        throw BookException.of(
                "date "
                    + dates.get(row)
                    + " does not follow "
                    + dates.get(row - 1)
                    + " (dates must be strictly ascending)")
            .at(s.at(row, 0));
      }
    }
    try {
      return new HistoricalReturns(dates, names, v);
    } catch (BookException e) {
      throw e.at(RETURNS);
    }
  }

  @Override
  public void write(Book book, Path dir) throws IOException {
    Files.createDirectories(dir);
    MarketData m = book.market();
    try (CSVPrinter p = printer(dir, BOOK)) {
      p.printRecord("valuation_date", "currency");
      p.printRecord(m.valuationDate(), m.currency());
    }
    try (CSVPrinter p = printer(dir, CURVE)) {
      p.printRecord("tenor_years", "rate");
      double[] t = m.curve().tenors();
      double[] r = m.curve().rates();
      for (int i = 0; i < t.length; i++) {
        p.printRecord(t[i], r[i]);
      }
    }
    try (CSVPrinter p = printer(dir, MARKET)) {
      p.printRecord("underlying", "spot", "vol");
      for (UnderlyingQuote q : m.quotes().values()) {
        p.printRecord(q.underlying(), q.spot(), q.vol());
      }
    }
    try (CSVPrinter p = printer(dir, INSTRUMENTS)) {
      p.printRecord(INSTRUMENT_COLUMNS);
      for (Instrument i : book.instruments()) {
        p.printRecord(
            i.id(),
            i.desk(),
            i.book(),
            i.underlying(),
            i.type().label(),
            i.strike() == null ? "" : i.strike(),
            i.expiry() == null ? "" : i.expiry(),
            i.quantity(),
            i.currency());
      }
    }
    CorrelationMatrix c = book.correlation();
    try (CSVPrinter p = printer(dir, CORRELATION)) {
      List<Object> header = new ArrayList<>();
      header.add("underlying");
      header.addAll(c.names());
      p.printRecord(header);
      for (int i = 0; i < c.size(); i++) {
        List<Object> row = new ArrayList<>();
        row.add(c.names().get(i));
        for (int j = 0; j < c.size(); j++) {
          row.add(c.get(i, j));
        }
        p.printRecord(row);
      }
    }
    HistoricalReturns r = book.returns();
    Path returnsFile = dir.resolve(RETURNS);
    if (r == null) {
      Files.deleteIfExists(returnsFile);
      return;
    }
    try (CSVPrinter p = printer(dir, RETURNS)) {
      List<Object> header = new ArrayList<>();
      header.add("date");
      header.addAll(r.underlyings());
      p.printRecord(header);
      for (int d = 0; d < r.days(); d++) {
        List<Object> row = new ArrayList<>();
        row.add(r.dates().get(d));
        for (int u = 0; u < r.underlyings().size(); u++) {
          row.add(r.get(d, u));
        }
        p.printRecord(row);
      }
    }
  }

  private static CSVPrinter printer(Path dir, String file) throws IOException {
    Writer w = Files.newBufferedWriter(dir.resolve(file), StandardCharsets.UTF_8);
    return new CSVPrinter(w, WRITE);
  }
}
