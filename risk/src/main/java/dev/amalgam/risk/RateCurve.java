package dev.amalgam.risk;

import java.util.Arrays;
import java.util.Objects;

/**
 * A zero-rate curve of one currency: continuously compounded rates at a few pillars (tenors in
 * years, ACT/365F), linear in between and flat before the first and after the last pillar.
 */
public final class RateCurve {
  private final String currency;
  private final double[] tenors;
  private final double[] rates;

  /**
   * A curve through the pillars {@code (tenors[i], rates[i])}.
   *
   * @throws BookException when there is no pillar, the lengths differ, a tenor is negative or not
   *     strictly increasing, or a rate is not finite (naming the pillar)
   */
  public RateCurve(String currency, double[] tenors, double[] rates) {
    this.currency = Objects.requireNonNull(currency, "currency is null");
    Objects.requireNonNull(tenors, "tenors is null");
    Objects.requireNonNull(rates, "rates is null");
    if (tenors.length == 0) {
      throw BookException.of("rate curve " + currency + " has no pillars");
    }
    if (tenors.length != rates.length) {
      throw BookException.of(
          "rate curve "
              + currency
              + ": "
              + tenors.length
              + " tenors but "
              + rates.length
              + " rates");
    }
    for (int i = 0; i < tenors.length; i++) {
      if (!(tenors[i] >= 0.0 && tenors[i] < Double.POSITIVE_INFINITY)) {
        throw BookException.of(
            "rate curve "
                + currency
                + " pillar "
                + (i + 1)
                + ": tenor must be >= 0, got "
                + tenors[i]);
      }
      if (i > 0 && !(tenors[i] > tenors[i - 1])) {
        throw BookException.of(
            "rate curve "
                + currency
                + " pillar "
                + (i + 1)
                + ": tenors must increase, got "
                + tenors[i]
                + " after "
                + tenors[i - 1]);
      }
      if (!Double.isFinite(rates[i]) || Math.abs(rates[i]) > 1.0) {
        throw BookException.of(
            "rate curve "
                + currency
                + " pillar "
                + (i + 1)
                + ": rate must be within [-1, 1] (a fraction, 0.04 = 4%), got "
                + rates[i]);
      }
    }
    this.tenors = tenors.clone();
    this.rates = rates.clone();
  }

  /** A flat curve. */
  public static RateCurve flat(String currency, double rate) {
    return new RateCurve(currency, new double[] {1.0}, new double[] {rate});
  }

  /** The currency. */
  public String currency() {
    return currency;
  }

  /** The pillar tenors in years. */
  public double[] tenors() {
    return tenors.clone();
  }

  /** The pillar rates. */
  public double[] rates() {
    return rates.clone();
  }

  /** The zero rate at {@code t} years: linear between pillars, flat outside them. */
  public double rate(double t) {
    int n = tenors.length;
    if (t <= tenors[0]) {
      return rates[0];
    }
    if (t >= tenors[n - 1]) {
      return rates[n - 1];
    }
    int i = Arrays.binarySearch(tenors, t);
    if (i >= 0) {
      return rates[i];
    }
    int hi = -i - 1;
    int lo = hi - 1;
    double w = (t - tenors[lo]) / (tenors[hi] - tenors[lo]);
    return rates[lo] + w * (rates[hi] - rates[lo]);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RateCurve c
        && c.currency.equals(currency)
        && Arrays.equals(c.tenors, tenors)
        && Arrays.equals(c.rates, rates);
  }

  @Override
  public int hashCode() {
    return Objects.hash(currency, Arrays.hashCode(tenors), Arrays.hashCode(rates));
  }

  @Override
  public String toString() {
    return "RateCurve["
        + currency
        + " "
        + Arrays.toString(tenors)
        + " "
        + Arrays.toString(rates)
        + "]";
  }
}
