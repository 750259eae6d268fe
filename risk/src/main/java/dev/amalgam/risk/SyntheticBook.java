package dev.amalgam.risk;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A realistic synthetic equity derivatives book: four desks with their books, a mix of equities,
 * forwards, calls and puts on {@code underlyings} stocks in six sectors, strikes around the money,
 * expiries from one month to three years, a USD zero curve, a correlation matrix from a market and
 * a sector factor (positive definite by construction) and, optionally, daily log returns with calm
 * and stressed days. The same arguments give the same book.
 */
public final class SyntheticBook {
  /** The default valuation date of generated books. */
  public static final LocalDate DEFAULT_VALUATION_DATE = LocalDate.of(2025, 1, 2);

  private static final String[] SECTORS = {"TECH", "FIN", "HLTH", "ENGY", "CONS", "INDU"};

  private record Desk(String name, String[] books, double[] typeWeights) {}

  // type weights: equity, forward, call, put
  private static final Desk[] DESKS = {
    new Desk("EQ-DERIV", new String[] {"EQD-NY", "EQD-LDN", "EQD-HK"}, new double[] {0, 1, 5, 4}),
    new Desk("DELTA-ONE", new String[] {"D1-CASH", "D1-SWAPS"}, new double[] {6, 4, 0, 0}),
    new Desk("VOL-ARB", new String[] {"VOL-INDEX", "VOL-SINGLE"}, new double[] {1, 0, 5, 5}),
    new Desk("STRUCTURED", new String[] {"STR-AUTOCALL", "STR-NOTES"}, new double[] {0, 1, 3, 6})
  };

  private static final double[] CURVE_TENORS = {1.0 / 12, 0.25, 0.5, 1, 2, 3, 5, 10};
  private static final double[] CURVE_RATES = {
    0.0435, 0.0430, 0.0420, 0.0405, 0.0390, 0.0385, 0.0390, 0.0410
  };
  private static final int[] TENOR_MONTHS = {1, 2, 3, 6, 9, 12, 18, 24, 36};

  private SyntheticBook() {}

  /** A book of {@code instruments} on {@code underlyings} with 500 days of returns. */
  public static Book generate(int instruments, int underlyings, long seed) {
    return generate(instruments, underlyings, seed, DEFAULT_VALUATION_DATE, 500);
  }

  /**
   * A book of {@code instruments} on {@code underlyings}, valued on {@code valuationDate}, with
   * {@code returnDays} days of historical returns before it (0 = none).
   *
   * @throws IllegalArgumentException when a count is out of range
   */
  public static Book generate(
      int instruments, int underlyings, long seed, LocalDate valuationDate, int returnDays) {
    return generate(instruments, underlyings, seed, valuationDate, returnDays, false);
  }

  /**
   * A book of {@code options} European calls and puts only (no returns), for revaluation
   * benchmarks.
   */
  public static Book options(int options, int underlyings, long seed) {
    return generate(options, underlyings, seed, DEFAULT_VALUATION_DATE, 0, true);
  }

  private static Book generate(
      int instruments,
      int underlyings,
      long seed,
      LocalDate valuationDate,
      int returnDays,
      boolean optionsOnly) {
    if (instruments < 1) {
      throw new IllegalArgumentException("instruments must be >= 1, got " + instruments);
    }
    if (underlyings < 1 || underlyings > 5000) {
      throw new IllegalArgumentException("underlyings must be in [1, 5000], got " + underlyings);
    }
    if (returnDays < 0) {
      throw new IllegalArgumentException("returnDays must be >= 0, got " + returnDays);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<String> names = new ArrayList<>(underlyings);
    List<UnderlyingQuote> quotes = new ArrayList<>(underlyings);
    int[] sector = new int[underlyings];
    double[] betaM = new double[underlyings];
    double[] betaS = new double[underlyings];
    for (int u = 0; u < underlyings; u++) {
      sector[u] = u % SECTORS.length;
      String name = String.format(Locale.ROOT, "%s%03d", SECTORS[sector[u]], u + 1);
      names.add(name);
      double spot = round(StrictMath.exp(StrictMath.log(80) + 0.8 * gaussian(rnd)), 0.01);
      spot = Math.max(spot, 2.0);
      double vol = round(0.14 + 0.30 * rnd.nextDouble() + (sector[u] == 0 ? 0.08 : 0.0), 0.0001);
      quotes.add(new UnderlyingQuote(name, spot, vol));
      betaM[u] = 0.35 + 0.30 * rnd.nextDouble();
      betaS[u] = 0.15 + 0.30 * rnd.nextDouble();
    }
    double[] corr = new double[underlyings * underlyings];
    for (int i = 0; i < underlyings; i++) {
      for (int j = 0; j < underlyings; j++) {
        double c;
        if (i == j) {
          c = 1.0;
        } else {
          c = betaM[i] * betaM[j] + (sector[i] == sector[j] ? betaS[i] * betaS[j] : 0.0);
          c = round(c, 1e-4);
        }
        corr[i * underlyings + j] = c;
      }
    }
    CorrelationMatrix matrix = new CorrelationMatrix(names, corr);
    RateCurve curve = new RateCurve("USD", CURVE_TENORS, CURVE_RATES);
    MarketData market = new MarketData(valuationDate, quotes, curve);

    List<Instrument> list = new ArrayList<>(instruments);
    for (int k = 0; k < instruments; k++) {
      Desk desk = DESKS[pick(rnd, new double[] {4, 2, 3, 2})];
      String bookName = desk.books()[rnd.nextInt(desk.books().length)];
      int u = rnd.nextInt(underlyings);
      UnderlyingQuote q = quotes.get(u);
      double[] weights = desk.typeWeights();
      if (optionsOnly) {
        weights =
            weights[2] + weights[3] > 0
                ? new double[] {0, 0, weights[2], weights[3]}
                : new double[] {0, 0, 1, 1};
      }
      InstrumentType type = InstrumentType.values()[pick(rnd, weights)];
      String id = String.format(Locale.ROOT, "%s-%07d", prefix(type), k + 1);
      if (type == InstrumentType.EQUITY) {
        double qty = Math.round((100 + rnd.nextInt(20_000)) / 100.0) * 100.0;
        list.add(
            Instrument.equity(
                id, desk.name(), bookName, q.underlying(), sign(rnd, 0.7) * qty, "USD"));
        continue;
      }
      int months = TENOR_MONTHS[rnd.nextInt(TENOR_MONTHS.length)];
      LocalDate expiry = weekday(valuationDate.plusMonths(months).plusDays(rnd.nextInt(10)));
      double t = (expiry.toEpochDay() - valuationDate.toEpochDay()) / 365.0;
      double k0 =
          type == InstrumentType.FORWARD
              ? q.spot() * StrictMath.exp(curve.rate(t) * t) * (1 + 0.01 * gaussian(rnd))
              : q.spot() * StrictMath.exp(0.12 * gaussian(rnd) * Math.sqrt(Math.max(t, 0.25)));
      double strike = Math.max(round(k0, strikeStep(q.spot())), strikeStep(q.spot()));
      double qty;
      double longShare;
      if (type == InstrumentType.FORWARD) {
        qty = Math.round((1_000 + rnd.nextInt(9_000)) / 100.0) * 100.0;
        longShare = 0.6;
      } else {
        qty = 100.0 * (1 + rnd.nextInt(50));
        longShare = desk.name().equals("STRUCTURED") && type == InstrumentType.PUT ? 0.2 : 0.55;
      }
      list.add(
          Instrument.derivative(
              id,
              desk.name(),
              bookName,
              q.underlying(),
              type,
              strike,
              expiry,
              sign(rnd, longShare) * qty,
              "USD"));
    }
    HistoricalReturns returns =
        returnDays == 0 ? null : returns(rnd, valuationDate, names, quotes, matrix, returnDays);
    return Book.of(list, market, matrix, returns);
  }

  private static HistoricalReturns returns(
      SplittableRandom rnd,
      LocalDate valuationDate,
      List<String> names,
      List<UnderlyingQuote> quotes,
      CorrelationMatrix matrix,
      int days) {
    int n = names.size();
    double[] l = matrix.cholesky();
    List<LocalDate> dates = new ArrayList<>(days);
    LocalDate d = valuationDate;
    for (int i = 0; i < days; i++) {
      d = previousWeekday(d);
      dates.add(d);
    }
    java.util.Collections.reverse(dates);
    double[] v = new double[days * n];
    double[] z = new double[n];
    for (int day = 0; day < days; day++) {
      double regime = rnd.nextDouble() < 0.05 ? 2.5 : 1.0;
      for (int j = 0; j < n; j++) {
        z[j] = gaussian(rnd);
      }
      for (int i = 0; i < n; i++) {
        double w = 0.0;
        for (int k = 0; k <= i; k++) {
          w += l[i * n + k] * z[k];
        }
        double sd = quotes.get(i).vol() / Math.sqrt(252.0) * regime;
        v[day * n + i] = -0.5 * sd * sd + sd * w;
      }
    }
    return new HistoricalReturns(dates, names, v);
  }

  private static String prefix(InstrumentType t) {
    return switch (t) {
      case EQUITY -> "EQ";
      case FORWARD -> "FWD";
      case CALL -> "C";
      case PUT -> "P";
    };
  }

  private static double strikeStep(double spot) {
    return spot < 25 ? 0.5 : spot < 200 ? 1.0 : 5.0;
  }

  private static double round(double x, double step) {
    return Math.round(x / step) * step;
  }

  private static double sign(SplittableRandom rnd, double longShare) {
    return rnd.nextDouble() < longShare ? 1.0 : -1.0;
  }

  private static int pick(SplittableRandom rnd, double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double x = rnd.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0 && weights[i] > 0) {
        return i;
      }
    }
    for (int i = weights.length - 1; i >= 0; i--) {
      if (weights[i] > 0) {
        return i;
      }
    }
    throw new IllegalArgumentException("no positive weight");
  }

  private static double gaussian(SplittableRandom rnd) {
    // Box-Muller with StrictMath: the same numbers on every JVM and CPU
    double u1 = 1.0 - rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * Math.PI * u2);
  }

  private static LocalDate weekday(LocalDate d) {
    DayOfWeek w = d.getDayOfWeek();
    return w == DayOfWeek.SATURDAY ? d.plusDays(2) : w == DayOfWeek.SUNDAY ? d.plusDays(1) : d;
  }

  private static LocalDate previousWeekday(LocalDate d) {
    LocalDate p = d.minusDays(1);
    while (p.getDayOfWeek() == DayOfWeek.SATURDAY || p.getDayOfWeek() == DayOfWeek.SUNDAY) {
      p = p.minusDays(1);
    }
    return p;
  }
}
