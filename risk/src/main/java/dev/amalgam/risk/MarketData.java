package dev.amalgam.risk;

import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The market on the valuation date: spot and implied volatility per underlying and the rate curve
 * of the book's currency.
 */
public final class MarketData {
  private final LocalDate valuationDate;
  private final Map<String, UnderlyingQuote> quotes;
  private final RateCurve curve;

  /**
   * Market data from quotes (one per underlying) and the curve.
   *
   * @throws BookException when an underlying is quoted twice
   */
  public MarketData(LocalDate valuationDate, List<UnderlyingQuote> quotes, RateCurve curve) {
    this.valuationDate = Objects.requireNonNull(valuationDate, "valuationDate is null");
    this.curve = Objects.requireNonNull(curve, "curve is null");
    Map<String, UnderlyingQuote> m = new LinkedHashMap<>();
    for (UnderlyingQuote q : quotes) {
      if (m.putIfAbsent(q.underlying(), q) != null) {
        throw BookException.underlying(q.underlying(), "quoted twice in the market data");
      }
    }
    this.quotes = Collections.unmodifiableMap(m);
  }

  /** The valuation date. */
  public LocalDate valuationDate() {
    return valuationDate;
  }

  /** The book's currency (the curve's). */
  public String currency() {
    return curve.currency();
  }

  /** The rate curve. */
  public RateCurve curve() {
    return curve;
  }

  /** The quotes by underlying, in the order given. */
  public Map<String, UnderlyingQuote> quotes() {
    return quotes;
  }

  /** The quote of {@code underlying}, or null. */
  public @Nullable UnderlyingQuote quote(String underlying) {
    return quotes.get(underlying);
  }
}
