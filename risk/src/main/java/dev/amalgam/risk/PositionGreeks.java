package dev.amalgam.risk;

import dev.amalgam.kernels.FinanceMath;

/**
 * Today's value and Greeks of every position, in the report's cash conventions (see {@link
 * RiskReport.Greeks}), as exact units of {@link Revaluation#UNITS_PER_CURRENCY} so that the
 * engine's sums do not depend on the order. Options through the Black-Scholes kernel; equities have
 * delta 1; a forward {@code S - K e^(-rT)} has delta 1, theta {@code -r K e^(-rT)} and rho {@code T
 * K e^(-rT)}.
 */
final class PositionGreeks {
  /** Options first (in {@link Positions} order), then linear positions. */
  final Instrument[] instruments;

  /** units[m][i]: m = value, delta, gamma, vega, theta, rho. */
  final long[][] units;

  private PositionGreeks(Instrument[] instruments, long[][] units) {
    this.instruments = instruments;
    this.units = units;
  }

  static PositionGreeks compute(Positions p) {
    int n = p.instruments();
    Instrument[] ins = new Instrument[n];
    long[][] u = new long[6][n];
    int no = p.options;
    double[] s0 = new double[no];
    for (int k = 0; k < no; k++) {
      s0[k] = p.spot0[p.optUnd[k]];
    }
    double[] price = new double[no];
    double[] delta = new double[no];
    double[] gamma = new double[no];
    double[] vega = new double[no];
    double[] theta = new double[no];
    double[] rho = new double[no];
    OptionPricer.price(
        s0,
        0,
        p.optStrike,
        p.optT0,
        p.optVol,
        p.optR0,
        p.optCalls,
        0,
        no,
        price,
        delta,
        gamma,
        vega,
        theta,
        rho);
    for (int k = 0; k < no; k++) {
      ins[k] = p.optionInstrument[k];
      double q = p.optQty[k];
      double s = s0[k];
      set(
          u,
          k,
          q * price[k],
          q * delta[k] * s,
          q * gamma[k] * s * s / 100.0,
          q * vega[k] / 100.0,
          q * theta[k] / 365.0,
          q * rho[k] / 10_000.0,
          ins[k]);
    }
    for (int j = 0; j < p.linear; j++) {
      int i = no + j;
      Instrument in = p.linInstrument[j];
      ins[i] = in;
      double q = p.linQty[j];
      double s = p.spot0[p.linUnd[j]];
      double th = 0.0;
      double rh = 0.0;
      if (in.type() == InstrumentType.FORWARD) {
        java.time.LocalDate expiry = java.util.Objects.requireNonNull(in.expiry(), "expiry");
        double t = (expiry.toEpochDay() - p.book.market().valuationDate().toEpochDay()) / 365.0;
        double r = p.book.market().curve().rate(t);
        double kdf = in.strikeOrZero() * FinanceMath.exp(-(r * t));
        th = -r * kdf;
        rh = t * kdf;
      }
      set(u, i, q * p.linV0[j], q * s, 0.0, 0.0, q * th / 365.0, q * rh / 10_000.0, in);
    }
    return new PositionGreeks(ins, u);
  }

  private static void set(
      long[][] u,
      int i,
      double value,
      double delta,
      double gamma,
      double vega,
      double theta,
      double rho,
      Instrument in) {
    double[] v = {value, delta, gamma, vega, theta, rho};
    for (int m = 0; m < 6; m++) {
      double x = v[m] * Revaluation.UNITS_PER_CURRENCY;
      if (!(Math.abs(x) < 9.0e18)) {
        throw BookException.instrument(
            in.id(), "value or Greek " + v[m] + " is not finite or too large (|x| < 9e14)");
      }
      u[m][i] = Math.round(x);
    }
  }
}
