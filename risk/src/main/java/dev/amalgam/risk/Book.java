package dev.amalgam.risk;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A validated book: instruments, market data, the correlation matrix between the underlyings and
 * optionally historical daily returns. A {@code Book} that exists can be priced: every instrument
 * refers to a quoted underlying in the correlation matrix, in the book's currency, not expired.
 *
 * <p>The underlyings that scenarios move are the correlation matrix's; each of them needs market
 * data. Historical simulation needs a returns column for every underlying an instrument refers to.
 */
public final class Book {
  private final List<Instrument> instruments;
  private final MarketData market;
  private final CorrelationMatrix correlation;
  private final @Nullable HistoricalReturns returns;

  private Book(
      List<Instrument> instruments,
      MarketData market,
      CorrelationMatrix correlation,
      @Nullable HistoricalReturns returns) {
    this.instruments = List.copyOf(instruments);
    this.market = market;
    this.correlation = correlation;
    this.returns = returns;
  }

  /**
   * A book from its parts, validated.
   *
   * @throws BookException naming the instrument, underlying or matrix cell that is wrong
   */
  public static Book of(
      List<Instrument> instruments,
      MarketData market,
      CorrelationMatrix correlation,
      @Nullable HistoricalReturns returns) {
    return of(instruments, market, correlation, returns, Locations.NONE);
  }

  static Book of(
      List<Instrument> instruments,
      MarketData market,
      CorrelationMatrix correlation,
      @Nullable HistoricalReturns returns,
      Locations where) {
    Objects.requireNonNull(instruments, "instruments is null");
    Objects.requireNonNull(market, "market is null");
    Objects.requireNonNull(correlation, "correlation is null");
    Book b = new Book(instruments, market, correlation, returns);
    b.validate(where);
    return b;
  }

  /** Where the parts of a book came from, for error messages; null = unknown. */
  interface Locations {
    /** A field of instrument row {@code row} (0-based). */
    @Nullable String instrument(int row, String field);

    /** Cell (i, j) of the correlation matrix (0-based). */
    @Nullable String correlation(int i, int j);

    /** No locations (a book built in code). */
    Locations NONE =
        new Locations() {
          @Override
          public @Nullable String instrument(int row, String field) {
            return null;
          }

          @Override
          public @Nullable String correlation(int i, int j) {
            return null;
          }
        };
  }

  private void validate(Locations where) {
    if (instruments.isEmpty()) {
      throw BookException.of("the book has no instruments");
    }
    CorrelationMatrix.Problem p = correlation.check(CorrelationMatrix.DEFAULT_TOLERANCE);
    if (p != null) {
      throw BookException.of(p.message()).at(where.correlation(p.row(), p.column()));
    }
    for (String u : correlation.names()) {
      if (market.quote(u) == null) {
        throw BookException.of(
                "underlying '"
                    + u
                    + "' is in the correlation matrix but has no market data (spot, vol)")
            .at(where.correlation(correlation.indexOf(u), correlation.indexOf(u)));
      }
    }
    LocalDate today = market.valuationDate();
    Map<String, Integer> ids = new HashMap<>();
    for (int row = 0; row < instruments.size(); row++) {
      Instrument ins = instruments.get(row);
      Integer before = ids.putIfAbsent(ins.id(), row);
      if (before != null) {
        throw BookException.instrument(ins.id(), "id repeats (first at row " + (before + 1) + ")")
            .at(where.instrument(row, "id"));
      }
      if (!ins.currency().equals(market.currency())) {
        throw BookException.instrument(
                ins.id(),
                "currency "
                    + ins.currency()
                    + " is not the book's currency "
                    + market.currency()
                    + " (the book has no FX rates)")
            .at(where.instrument(row, "currency"));
      }
      String u = ins.underlying();
      boolean quoted = market.quote(u) != null;
      boolean correlated = correlation.indexOf(u) >= 0;
      if (!quoted && !correlated) {
        throw BookException.instrument(ins.id(), "unknown underlying '" + u + "'")
            .at(where.instrument(row, "underlying"));
      }
      if (!quoted) {
        throw BookException.instrument(
                ins.id(), "underlying '" + u + "' has no market data (spot, vol)")
            .at(where.instrument(row, "underlying"));
      }
      if (!correlated) {
        throw BookException.instrument(
                ins.id(), "underlying '" + u + "' is not in the correlation matrix")
            .at(where.instrument(row, "underlying"));
      }
      LocalDate expiry = ins.expiry();
      if (expiry != null && expiry.isBefore(today)) {
        throw BookException.instrument(
                ins.id(), "expiry " + expiry + " is before the valuation date " + today)
            .at(where.instrument(row, "expiry"));
      }
      HistoricalReturns r = returns;
      if (r != null && r.indexOf(u) < 0) {
        throw BookException.instrument(
                ins.id(), "underlying '" + u + "' has no column in the historical returns")
            .at(where.instrument(row, "underlying"));
      }
    }
  }

  /** The instruments, in book order. */
  public List<Instrument> instruments() {
    return instruments;
  }

  /** The market data. */
  public MarketData market() {
    return market;
  }

  /** The correlation matrix; its names are the underlyings scenarios move. */
  public CorrelationMatrix correlation() {
    return correlation;
  }

  /** The historical returns, or null. */
  public @Nullable HistoricalReturns returns() {
    return returns;
  }

  /** The same book with other historical returns (validated again). */
  public Book withReturns(@Nullable HistoricalReturns r) {
    return of(instruments, market, correlation, r);
  }

  @Override
  public String toString() {
    return "book of "
        + instruments.size()
        + " instruments on "
        + correlation.size()
        + " underlyings, valued "
        + market.valuationDate()
        + " in "
        + market.currency()
        + (returns == null ? "" : ", " + returns.days() + " days of returns");
  }
}
