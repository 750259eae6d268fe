package dev.amalgam.risk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.kernels.FinanceMath;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** VaR against analytic answers (Monte Carlo) and a hand computation (historical). */
final class VarAccuracyTest {
  private static final LocalDate TODAY = LocalDate.of(2025, 1, 2);
  private static final long SEED = Long.getLong("amalgam.test.seed", 977L);

  private static Book linearBook(double[] spots, double[] vols, double rho, double[] qty) {
    List<String> names = List.of("A", "B");
    List<UnderlyingQuote> q = new ArrayList<>();
    List<Instrument> ins = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      q.add(new UnderlyingQuote(names.get(i), spots[i], vols[i]));
      if (qty[i] != 0) {
        ins.add(Instrument.equity("EQ-" + names.get(i), "D", "B", names.get(i), qty[i], "USD"));
      }
    }
    return Book.of(
        ins,
        new MarketData(TODAY, q, RateCurve.flat("USD", 0.03)),
        new CorrelationMatrix(names, new double[] {1, rho, rho, 1}),
        null);
  }

  private static RiskReport mc(Book b, int k, int h, double confidence) {
    return RiskJob.builder()
        .book(b)
        .scenarios(k)
        .horizonDays(h)
        .confidence(confidence)
        .seed(SEED)
        .groupBy()
        .topology("cpu")
        .build()
        .run();
  }

  @Test
  void monteCarlo_oneStock_convergesToLognormalVar() {
    System.out.println("VarAccuracyTest seed " + SEED);
    double s0 = 100;
    double vol = 0.3;
    double q = 1000;
    int h = 10;
    int k = 40_000;
    double alpha = 0.99;
    RiskReport r =
        mc(
            linearBook(new double[] {s0, 50}, new double[] {vol, 0.2}, 0.0, new double[] {q, 0}),
            k,
            h,
            alpha);
    System.out.print(r.format());
    double t = h / 252.0;
    double sd = vol * Math.sqrt(t);
    double z = FinanceMath.normInvCdf(1 - alpha);
    double exact = -q * s0 * (Math.exp(-0.5 * sd * sd + sd * z) - 1);
    // standard error of the empirical quantile: sqrt(p (1 - p) / K) / density of P&L there
    double slope = q * s0 * sd * Math.exp(-0.5 * sd * sd + sd * z);
    double se = Math.sqrt(alpha * (1 - alpha) / k) * slope / FinanceMath.normPdf(z);
    System.out.printf(
        "one stock: MC VaR %.2f, lognormal VaR %.2f, standard error %.2f%n",
        r.total(alpha).var(), exact, se);
    assertThat(r.total(alpha).var()).isCloseTo(exact, Offset.offset(4 * se));
    assertThat(r.total(alpha).es()).isGreaterThanOrEqualTo(r.total(alpha).var());
  }

  @Test
  void monteCarlo_twoCorrelatedStocks_convergesToExactVar() {
    double[] s = {100, 40};
    double[] v = {0.25, 0.4};
    double rho = 0.6;
    double[] q = {1000, 2500};
    int h = 5;
    int k = 40_000;
    double alpha = 0.975;
    RiskReport r = mc(linearBook(s, v, rho, q), k, h, alpha);
    double t = h / 252.0;
    double p = 1 - alpha;
    // exact P&L distribution by integrating over the first shock (the second is then normal)
    double lo = -q[0] * s[0] - q[1] * s[1];
    double hi = 0;
    for (int it = 0; it < 200; it++) {
      double mid = 0.5 * (lo + hi);
      if (cdf(mid, s, v, rho, q, t) < p) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double x = 0.5 * (lo + hi);
    double dx = 1e-3 * Math.abs(x);
    double density = (cdf(x + dx, s, v, rho, q, t) - cdf(x - dx, s, v, rho, q, t)) / (2 * dx);
    double se = Math.sqrt(p * (1 - p) / k) / density;
    System.out.printf(
        "two stocks: MC VaR %.2f, exact VaR %.2f, standard error %.2f%n",
        r.total(alpha).var(), -x, se);
    assertThat(r.total(alpha).var()).isCloseTo(-x, Offset.offset(4 * se));
  }

  /** P(P&L <= x) for q0 S0 (e^X - 1) + q1 S1 (e^Y - 1), (X, Y) correlated normal, zero drift. */
  private static double cdf(double x, double[] s, double[] v, double rho, double[] q, double t) {
    double sa = v[0] * Math.sqrt(t);
    double sb = v[1] * Math.sqrt(t);
    double ma = -0.5 * sa * sa;
    double mb = -0.5 * sb * sb;
    int n = 4000;
    double a = -9;
    double b = 9;
    double step = (b - a) / n;
    double sum = 0;
    for (int i = 0; i <= n; i++) {
      double z1 = a + i * step;
      double w = (i == 0 || i == n) ? 1 : (i % 2 == 1 ? 4 : 2);
      double rest = x - q[0] * s[0] * (Math.exp(ma + sa * z1) - 1);
      double c = 1 + rest / (q[1] * s[1]);
      double prob =
          c <= 0
              ? 0
              : FinanceMath.normCdf(
                  (Math.log(c) - mb - sb * rho * z1) / (sb * Math.sqrt(1 - rho * rho)));
      sum += w * FinanceMath.normPdf(z1) * prob;
    }
    return sum * step / 3;
  }

  @Test
  void historical_smallReturnsTable_matchesHandComputation() {
    List<String> names = List.of("A", "B");
    List<LocalDate> dates = new ArrayList<>();
    for (int d = 0; d < 6; d++) {
      dates.add(TODAY.minusDays(6 - d));
    }
    double[] ret = {
      0.01, -0.02, //
      -0.03, 0.01, //
      0.02, 0.00, //
      -0.01, -0.04, //
      0.00, 0.03, //
      0.015, -0.01
    };
    Book b =
        linearBook(new double[] {100, 50}, new double[] {0.2, 0.3}, 0.0, new double[] {10, -20})
            .withReturns(new HistoricalReturns(dates, names, ret));
    RiskReport r =
        RiskJob.builder()
            .book(b)
            .method(RiskJob.Method.HISTORICAL)
            .horizonDays(2)
            .confidence(0.8, 0.6)
            .groupBy(RiskLevel.UNDERLYING)
            .topology("fused-pair")
            .build()
            .run();
    System.out.print(r.format());
    // 2-day windows: (d0,d1) (d1,d2) (d2,d3) (d3,d4) (d4,d5); P&L = 10*100*(e^ra - 1) - 20*50*(e^rb
    // - 1)
    double[] expected = {
      1000 * (Math.exp(-0.02) - 1) - 1000 * (Math.exp(-0.01) - 1),
      1000 * (Math.exp(-0.01) - 1) - 1000 * (Math.exp(0.01) - 1),
      1000 * (Math.exp(0.01) - 1) - 1000 * (Math.exp(-0.04) - 1),
      1000 * (Math.exp(-0.01) - 1) - 1000 * (Math.exp(-0.01) - 1),
      1000 * (Math.exp(0.015) - 1) - 1000 * (Math.exp(0.02) - 1)
    };
    assertThat(r.setup().scenarios()).isEqualTo(5);
    double[] pnl = r.pnl();
    for (int i = 0; i < 5; i++) {
      assertThat(pnl[i]).as("scenario " + i).isCloseTo(expected[i], Offset.offset(2e-4));
    }
    double[] sorted = expected.clone();
    java.util.Arrays.sort(sorted);
    // 80%: k = ceil(5 * 0.2) = 1; 60%: k = ceil(5 * 0.4) = 2
    assertThat(r.total(0.8).var()).isCloseTo(-sorted[0], Offset.offset(1e-4));
    assertThat(r.total(0.8).es()).isCloseTo(-sorted[0], Offset.offset(1e-4));
    assertThat(r.total(0.6).var()).isCloseTo(-sorted[1], Offset.offset(1e-4));
    assertThat(r.total(0.6).es()).isCloseTo(-(sorted[0] + sorted[1]) / 2, Offset.offset(1e-4));
    // the worst window is (d1, d2) for the long A / short B book: A -1%, B +1%
    assertThat(sorted[0]).isCloseTo(expected[1], Offset.offset(0.0));
    double sumEs = 0;
    for (RiskReport.GroupRisk g : r.groups(RiskLevel.UNDERLYING)) {
      sumEs += g.esContribution().get(1);
    }
    assertThat(sumEs).isCloseTo(r.total(0.6).es(), Offset.offset(1e-9));
  }
}
