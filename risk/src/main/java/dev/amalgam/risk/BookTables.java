package dev.amalgam.risk;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.TableBuilder;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A book as engine tables, so that it can be loaded from any source the engine reads (CSV, Arrow)
 * and queried with SQL next to the job's results. Every table has a {@code row_no} column (its
 * order in the book).
 *
 * <pre>
 *  {prefix}book          row_no, valuation_date date, currency utf8
 *  {prefix}instruments   row_no, id, desk, book, underlying, type, strike float64 (null for
 *                        equities), expiry date (null for equities), quantity float64, currency
 *  {prefix}market        row_no, underlying, spot, vol
 *  {prefix}curve         row_no, tenor_years, rate
 *  {prefix}correlation   row_no, underlying_i, underlying_j, rho     (long format, i-major)
 *  {prefix}returns       row_no, return_date date, underlying, log_return  (optional)
 * </pre>
 */
public final class BookTables {
  private BookTables() {}

  /** The names of the tables of {@code prefix}, in the order above. */
  public static List<String> names(String prefix) {
    return List.of(
        prefix + "book",
        prefix + "instruments",
        prefix + "market",
        prefix + "curve",
        prefix + "correlation",
        prefix + "returns");
  }

  /** Writes {@code book} into new tables named {@code prefix + "instruments"}, ... */
  public static void load(Engine engine, Book book, String prefix) {
    MarketData m = book.market();
    List<String> done = new ArrayList<>();
    try {
      table(
          engine,
          done,
          prefix + "book",
          Schema.of(
              Field.of("row_no", DataType.INT32),
              Field.of("valuation_date", DataType.DATE32),
              Field.of("currency", DataType.UTF8)),
          List.<@Nullable Object[]>of(new Object[] {0, m.valuationDate(), m.currency()}));
      List<@Nullable Object[]> rows = new ArrayList<>();
      int i = 0;
      for (Instrument in : book.instruments()) {
        rows.add(
            new @Nullable Object[] {
              i++,
              in.id(),
              in.desk(),
              in.book(),
              in.underlying(),
              in.type().label(),
              in.strike(),
              in.expiry(),
              in.quantity(),
              in.currency()
            });
      }
      table(
          engine,
          done,
          prefix + "instruments",
          Schema.of(
              Field.of("row_no", DataType.INT32),
              Field.of("id", DataType.UTF8),
              Field.of("desk", DataType.DICTIONARY_UTF8),
              Field.of("book", DataType.DICTIONARY_UTF8),
              Field.of("underlying", DataType.DICTIONARY_UTF8),
              Field.of("type", DataType.DICTIONARY_UTF8),
              Field.of("strike", DataType.FLOAT64),
              Field.of("expiry", DataType.DATE32),
              Field.of("quantity", DataType.FLOAT64),
              Field.of("currency", DataType.DICTIONARY_UTF8)),
          rows);
      rows = new ArrayList<>();
      i = 0;
      for (UnderlyingQuote q : m.quotes().values()) {
        rows.add(new Object[] {i++, q.underlying(), q.spot(), q.vol()});
      }
      table(
          engine,
          done,
          prefix + "market",
          Schema.of(
              Field.of("row_no", DataType.INT32),
              Field.of("underlying", DataType.UTF8),
              Field.of("spot", DataType.FLOAT64),
              Field.of("vol", DataType.FLOAT64)),
          rows);
      rows = new ArrayList<>();
      double[] t = m.curve().tenors();
      double[] r = m.curve().rates();
      for (i = 0; i < t.length; i++) {
        rows.add(new Object[] {i, t[i], r[i]});
      }
      table(
          engine,
          done,
          prefix + "curve",
          Schema.of(
              Field.of("row_no", DataType.INT32),
              Field.of("tenor_years", DataType.FLOAT64),
              Field.of("rate", DataType.FLOAT64)),
          rows);
      rows = new ArrayList<>();
      CorrelationMatrix c = book.correlation();
      int n = c.size();
      for (int a = 0; a < n; a++) {
        for (int b = 0; b < n; b++) {
          rows.add(new Object[] {a * n + b, c.names().get(a), c.names().get(b), c.get(a, b)});
        }
      }
      table(
          engine,
          done,
          prefix + "correlation",
          Schema.of(
              Field.of("row_no", DataType.INT32),
              Field.of("underlying_i", DataType.DICTIONARY_UTF8),
              Field.of("underlying_j", DataType.DICTIONARY_UTF8),
              Field.of("rho", DataType.FLOAT64)),
          rows);
      HistoricalReturns ret = book.returns();
      if (ret != null) {
        rows = new ArrayList<>();
        int u = ret.underlyings().size();
        for (int d = 0; d < ret.days(); d++) {
          for (int j = 0; j < u; j++) {
            rows.add(
                new Object[] {
                  d * u + j, ret.dates().get(d), ret.underlyings().get(j), ret.get(d, j)
                });
          }
        }
        table(
            engine,
            done,
            prefix + "returns",
            Schema.of(
                Field.of("row_no", DataType.INT32),
                Field.of("return_date", DataType.DATE32),
                Field.of("underlying", DataType.DICTIONARY_UTF8),
                Field.of("log_return", DataType.FLOAT64)),
            rows);
      }
    } catch (RuntimeException e) {
      for (String name : done) {
        engine.dropTable(name);
      }
      throw e;
    }
  }

  private static void table(
      Engine engine, List<String> done, String name, Schema schema, List<@Nullable Object[]> rows) {
    try (TableBuilder tb = engine.createTable(name, schema)) {
      tb.addRows(rows);
      tb.build();
    }
    done.add(name);
  }

  /** Drops the tables of {@code prefix} that exist. */
  public static void drop(Engine engine, String prefix) {
    for (String name : names(prefix)) {
      if (engine.hasTable(name)) {
        engine.dropTable(name);
      }
    }
  }

  /**
   * Reads and validates the book in the tables of {@code prefix} ({@code returns} is optional).
   * Columns are checked against the layout above first: a string column may be utf8 or
   * dictionary&lt;utf8&gt;, a float64 column any numeric type (read as float64), {@code row_no} any
   * integer type, a date column date32.
   *
   * @throws BookException naming the table, row and column of what is wrong
   */
  public static Book read(Engine engine, String prefix) {
    return read(engine, prefix, table -> "table " + table);
  }

  /**
   * {@link #read(Engine, String)} with errors placed by {@code label}, which names a table of the
   * book as the user knows it (e.g. the file it was loaded from).
   */
  static Book read(Engine engine, String prefix, UnaryOperator<String> label) {
    Tables tb = new Tables(engine, prefix, label);
    Result meta = tb.rows(prefix + "book");
    if (meta.rowCount() != 1) {
      throw BookException.of("needs exactly one row, has " + meta.rowCount())
          .at(label.apply(prefix + "book"));
    }
    LocalDate today = (LocalDate) tb.value(meta, prefix + "book", 0, "valuation_date");
    String currency = (String) tb.value(meta, prefix + "book", 0, "currency");

    Result curve = tb.rows(prefix + "curve");
    double[] t = new double[curve.rowCount()];
    double[] r = new double[curve.rowCount()];
    for (int i = 0; i < t.length; i++) {
      t[i] = tb.number(curve, prefix + "curve", i, "tenor_years");
      r[i] = tb.number(curve, prefix + "curve", i, "rate");
    }
    RateCurve rc;
    try {
      rc = new RateCurve(currency, t, r);
    } catch (BookException e) {
      throw e.at(label.apply(prefix + "curve"));
    }
    String mt = prefix + "market";
    Result market = tb.rows(mt);
    List<UnderlyingQuote> quotes = new ArrayList<>();
    for (int i = 0; i < market.rowCount(); i++) {
      String u = (String) tb.value(market, mt, i, "underlying");
      double spot = tb.number(market, mt, i, "spot");
      double vol = tb.number(market, mt, i, "vol");
      try {
        new UnderlyingQuote(u, spot, 0.0);
      } catch (BookException e) {
        throw e.at(tb.where(mt, i, "spot"));
      }
      try {
        quotes.add(new UnderlyingQuote(u, spot, vol));
      } catch (BookException e) {
        throw e.at(tb.where(mt, i, "vol"));
      }
    }
    MarketData md;
    try {
      md = new MarketData(today, quotes, rc);
    } catch (BookException e) {
      throw e.at(label.apply(mt));
    }
    String it = prefix + "instruments";
    Result ins = tb.rows(it);
    List<Instrument> instruments = new ArrayList<>();
    for (int i = 0; i < ins.rowCount(); i++) {
      String id = (String) tb.value(ins, it, i, "id");
      InstrumentType type;
      try {
        type = InstrumentType.parse((String) tb.value(ins, it, i, "type"));
      } catch (IllegalArgumentException e) {
        throw BookException.instrument(id, String.valueOf(e.getMessage()))
            .at(tb.where(it, i, "type"));
      }
      Object strike = ins.get(i, "strike");
      try {
        instruments.add(
            new Instrument(
                id,
                (String) tb.value(ins, it, i, "desk"),
                (String) tb.value(ins, it, i, "book"),
                (String) tb.value(ins, it, i, "underlying"),
                type,
                strike == null ? null : ((Number) strike).doubleValue(),
                (LocalDate) ins.get(i, "expiry"),
                tb.number(ins, it, i, "quantity"),
                (String) tb.value(ins, it, i, "currency")));
      } catch (BookException e) {
        throw e.location() != null ? e : e.at(tb.where(it, i, null));
      }
    }
    String ct = prefix + "correlation";
    Result corr = tb.rows(ct);
    Map<String, Integer> names = new LinkedHashMap<>();
    for (int i = 0; i < corr.rowCount(); i++) {
      String a = (String) tb.value(corr, ct, i, "underlying_i");
      names.putIfAbsent(a, names.size());
    }
    int n = names.size();
    if (corr.rowCount() != n * n) {
      throw BookException.of(
              n + " underlyings need " + n * n + " rows (i-major), there are " + corr.rowCount())
          .at(label.apply(ct));
    }
    double[] v = new double[n * n];
    List<String> order = new ArrayList<>(names.keySet());
    for (int i = 0; i < corr.rowCount(); i++) {
      String a = (String) tb.value(corr, ct, i, "underlying_i");
      String b = (String) tb.value(corr, ct, i, "underlying_j");
      if (!a.equals(order.get(i / n)) || !b.equals(order.get(i % n))) {
        throw BookException.of(
                "expected ['"
                    + order.get(i / n)
                    + "', '"
                    + order.get(i % n)
                    + "'], found ['"
                    + a
                    + "', '"
                    + b
                    + "'] (rows are i-major in row_no order)")
            .at(tb.where(ct, i, null));
      }
      v[i] = tb.number(corr, ct, i, "rho");
    }
    CorrelationMatrix matrix = new CorrelationMatrix(order, v);
    HistoricalReturns returns = null;
    String rt = prefix + "returns";
    if (engine.hasTable(rt)) {
      Result ret = tb.rows(rt);
      List<LocalDate> dates = new ArrayList<>();
      Map<String, Integer> cols = new LinkedHashMap<>();
      for (int i = 0; i < ret.rowCount(); i++) {
        cols.putIfAbsent((String) tb.value(ret, rt, i, "underlying"), cols.size());
        LocalDate d = (LocalDate) tb.value(ret, rt, i, "return_date");
        if (dates.isEmpty() || !dates.getLast().equals(d)) {
          dates.add(d);
        }
      }
      int u = cols.size();
      if (ret.rowCount() != dates.size() * u) {
        throw BookException.of(
                dates.size()
                    + " dates x "
                    + u
                    + " underlyings need "
                    + dates.size() * u
                    + " rows (date-major), there are "
                    + ret.rowCount())
            .at(label.apply(rt));
      }
      double[] rv = new double[ret.rowCount()];
      for (int i = 0; i < rv.length; i++) {
        Integer col = cols.get((String) tb.value(ret, rt, i, "underlying"));
        if (col == null || col != i % u) {
          throw BookException.of("underlyings must repeat in the same order on every date")
              .at(tb.where(rt, i, "underlying"));
        }
        rv[i] = tb.number(ret, rt, i, "log_return");
      }
      try {
        returns = new HistoricalReturns(dates, new ArrayList<>(cols.keySet()), rv);
      } catch (BookException e) {
        throw e.at(label.apply(rt));
      }
    }
    Book.Locations where =
        new Book.Locations() {
          @Override
          public String instrument(int row, String field) {
            return tb.where(it, row, field);
          }

          @Override
          public String correlation(int i, int j) {
            return tb.where(ct, i * n + j, "rho");
          }
        };
    return Book.of(instruments, md, matrix, returns, where);
  }

  /** What a column of the layout above may hold. */
  private enum Kind {
    INTEGER("int32 (or another integer type)"),
    NUMBER("float64 (or another numeric type, read as float64)"),
    STRING("utf8 (or dictionary<utf8>)"),
    DATE("date32");

    final String expected;

    Kind(String expected) {
      this.expected = expected;
    }

    boolean accepts(DataType t) {
      return switch (this) {
        case INTEGER -> t.isInteger();
        case NUMBER -> t.isNumeric();
        case STRING -> t.isString();
        case DATE -> t.kind() == DataType.Kind.DATE32;
      };
    }
  }

  /** The columns each table needs (by table suffix), besides {@code row_no}. */
  private static final Map<String, Map<String, Kind>> COLUMNS =
      Map.of(
          "book",
          ordered("valuation_date", Kind.DATE, "currency", Kind.STRING),
          "instruments",
          ordered(
              "id",
              Kind.STRING,
              "desk",
              Kind.STRING,
              "book",
              Kind.STRING,
              "underlying",
              Kind.STRING,
              "type",
              Kind.STRING,
              "strike",
              Kind.NUMBER,
              "expiry",
              Kind.DATE,
              "quantity",
              Kind.NUMBER,
              "currency",
              Kind.STRING),
          "market",
          ordered("underlying", Kind.STRING, "spot", Kind.NUMBER, "vol", Kind.NUMBER),
          "curve",
          ordered("tenor_years", Kind.NUMBER, "rate", Kind.NUMBER),
          "correlation",
          ordered("underlying_i", Kind.STRING, "underlying_j", Kind.STRING, "rho", Kind.NUMBER),
          "returns",
          ordered("return_date", Kind.DATE, "underlying", Kind.STRING, "log_return", Kind.NUMBER));

  private static Map<String, Kind> ordered(Object... nameKind) {
    Map<String, Kind> m = new LinkedHashMap<>();
    m.put("row_no", Kind.INTEGER);
    for (int i = 0; i < nameKind.length; i += 2) {
      m.put((String) nameKind[i], (Kind) nameKind[i + 1]);
    }
    return m;
  }

  /**
   * Checks the columns of a book table ({@code suffix}: {@code book}, {@code instruments}, ...)
   * against the layout above.
   *
   * @throws BookException at {@code where} naming the missing column, or the column with the wrong
   *     type, the type expected and the type found
   */
  static void checkColumns(Schema schema, String suffix, String where) {
    Map<String, Kind> want = COLUMNS.get(suffix);
    if (want == null) {
      throw new IllegalArgumentException("no book table '" + suffix + "'");
    }
    for (Map.Entry<String, Kind> e : want.entrySet()) {
      int i = schema.find(e.getKey());
      if (i < 0) {
        throw BookException.of(
                "missing column '" + e.getKey() + "' (the columns are " + schema.names() + ")")
            .at(where);
      }
      DataType found = schema.field(i).type();
      if (!e.getValue().accepts(found)) {
        throw BookException.of(
                "column '"
                    + e.getKey()
                    + "': expected "
                    + e.getValue().expected
                    + ", found "
                    + found)
            .at(where);
      }
    }
  }

  /** The book's tables in one engine, read with their columns checked; errors placed by label. */
  private static final class Tables {
    private final Engine engine;
    private final UnaryOperator<String> label;
    private final String prefix;

    Tables(Engine engine, String prefix, UnaryOperator<String> label) {
      this.engine = engine;
      this.prefix = prefix;
      this.label = label;
    }

    Result rows(String table) {
      if (!engine.hasTable(table)) {
        throw BookException.of("the engine has no table " + table);
      }
      checkColumns(
          engine.catalogTable(table).schema(),
          table.substring(prefix.length()),
          label.apply(table));
      return engine.sql("SELECT * FROM " + table + " ORDER BY row_no").execute();
    }

    String where(String table, int row, @Nullable String column) {
      return label.apply(table) + " row " + (row + 1) + (column == null ? "" : " column " + column);
    }

    Object value(Result r, String table, int row, String column) {
      Object v = r.get(row, column);
      if (v == null) {
        throw BookException.of(column + " is null").at(where(table, row, column));
      }
      return v;
    }

    double number(Result r, String table, int row, String column) {
      Object v = value(r, table, row, column);
      if (v instanceof Number x) {
        return x.doubleValue();
      }
      throw BookException.of(column + " '" + v + "' is not a number").at(where(table, row, column));
    }
  }
}
