package dev.amalgam.risk;

import java.util.Objects;

/**
 * The market data of one underlying: its spot price and its implied (lognormal, annualised)
 * volatility, 0.2 = 20%.
 *
 * @throws BookException naming the underlying when the spot is not positive or the volatility is
 *     negative or not finite
 */
public record UnderlyingQuote(String underlying, double spot, double vol) {
  /** Checks the values. */
  public UnderlyingQuote {
    Objects.requireNonNull(underlying, "underlying is null");
    if (underlying.isBlank()) {
      throw BookException.of("market data row with an empty underlying");
    }
    if (!(spot > 0.0 && spot < Double.POSITIVE_INFINITY)) {
      throw BookException.underlying(underlying, "spot must be > 0, got " + spot);
    }
    if (!(vol >= 0.0)) {
      throw BookException.underlying(underlying, "volatility must be >= 0, got " + vol);
    }
    if (!(vol <= 5.0)) {
      throw BookException.underlying(
          underlying, "volatility must be <= 5 (a fraction, 0.2 = 20%), got " + vol);
    }
  }
}
