package dev.amalgam.risk;

import static org.assertj.core.api.Assertions.assertThat;

import com.opengamma.strata.pricer.impl.option.BlackScholesFormulaRepository;
import dev.amalgam.kernels.BlackScholesScenarios;
import dev.amalgam.kernels.FinanceMath;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The module's Black-Scholes (the finance kernels) against OpenGamma Strata's formulas. */
final class BlackScholesStrataTest {
  private static final long SEED = Long.getLong("amalgam.test.seed", 20250102L);
  private static final double REL = 1e-10;

  @Test
  void priceAndGreeks_randomInputs_matchStrataTo1e10Relative() {
    System.out.println("BlackScholesStrataTest seed " + SEED);
    SplittableRandom rnd = new SplittableRandom(SEED);
    int n = 20_000;
    double[] s = new double[n];
    double[] k = new double[n];
    double[] t = new double[n];
    double[] v = new double[n];
    double[] r = new double[n];
    boolean[] call = new boolean[n];
    for (int i = 0; i < n; i++) {
      s[i] = 5 + 495 * rnd.nextDouble();
      k[i] = s[i] * Math.exp(0.5 * (2 * rnd.nextDouble() - 1));
      t[i] = 0.02 + 4.98 * rnd.nextDouble();
      v[i] = 0.05 + 0.75 * rnd.nextDouble();
      r[i] = -0.01 + 0.09 * rnd.nextDouble();
      call[i] = rnd.nextBoolean();
    }
    double[] price = new double[n];
    double[] delta = new double[n];
    double[] gamma = new double[n];
    double[] vega = new double[n];
    double[] theta = new double[n];
    double[] rho = new double[n];
    OptionPricer.price(
        s, 0, k, t, v, r, OptionPricer.callBits(call), 0, n, price, delta, gamma, vega, theta, rho);
    for (int i = 0; i < n; i++) {
      String what =
          String.format(
              "S=%s K=%s T=%s vol=%s r=%s %s (seed %d)",
              s[i], k[i], t[i], v[i], r[i], call[i] ? "call" : "put", SEED);
      // Strata returns 0 where a density or probability falls below its cutoff SMALL = 1e-13, so
      // relative agreement is asked for values above 1e-3 of the measure's natural scale (S, 1,
      // 1/S): an absolute 1e-13 S below that.
      // Where Strata's cutoff made a measure exactly 0, ours must be below what the cutoff hides.
      double floor = 1e-3 * s[i];
      double cutoff = 1e-11 * (1 + s[i] + k[i] * t[i] + 1 / (s[i] * v[i] * Math.sqrt(t[i])));
      check(
          "price",
          price[i],
          BlackScholesFormulaRepository.price(s[i], k[i], t[i], v[i], r[i], r[i], call[i]),
          floor,
          cutoff,
          what);
      check(
          "delta",
          delta[i],
          BlackScholesFormulaRepository.delta(s[i], k[i], t[i], v[i], r[i], r[i], call[i]),
          1e-3,
          cutoff,
          what);
      check(
          "gamma",
          gamma[i],
          BlackScholesFormulaRepository.gamma(s[i], k[i], t[i], v[i], r[i], r[i]),
          1e-3 / s[i],
          cutoff,
          what);
      check(
          "vega",
          vega[i],
          BlackScholesFormulaRepository.vega(s[i], k[i], t[i], v[i], r[i], r[i]),
          floor,
          cutoff,
          what);
      check(
          "theta",
          theta[i],
          BlackScholesFormulaRepository.theta(s[i], k[i], t[i], v[i], r[i], r[i], call[i]),
          floor,
          cutoff,
          what);
      check(
          "rho",
          rho[i],
          BlackScholesFormulaRepository.rho(s[i], k[i], t[i], v[i], r[i], r[i], call[i]),
          floor,
          cutoff,
          what);
    }
  }

  @Test
  void scenarioRevaluation_randomOptionsAndScenarios_matchesStrataTo1e10Relative() {
    // the revaluation's kernel: one option, many scenarios of its spot, from precomputed constants
    SplittableRandom rnd = new SplittableRandom(SEED ^ 0x5CE7);
    int scenarios = 203;
    BlackScholesScenarios pricer = new BlackScholesScenarios(scenarios);
    double[] x = new double[scenarios];
    double[] spot = new double[scenarios];
    double[] price = new double[scenarios];
    for (int o = 0; o < 500; o++) {
      double s0 = 5 + 495 * rnd.nextDouble();
      double k = s0 * Math.exp(0.5 * (2 * rnd.nextDouble() - 1));
      double t = 0.02 + 4.98 * rnd.nextDouble();
      double v = 0.05 + 0.75 * rnd.nextDouble();
      double r = -0.01 + 0.09 * rnd.nextDouble();
      boolean call = rnd.nextBoolean();
      for (int j = 0; j < scenarios; j++) {
        spot[j] = s0 * FinanceMath.exp(0.15 * rnd.nextGaussian());
        x[j] = FinanceMath.log(spot[j] / s0);
      }
      pricer.price(
          x,
          spot,
          0,
          scenarios,
          BlackScholesScenarios.Coefficients.of(s0, k, t, v, r, call),
          price,
          0);
      for (int j = 0; j < scenarios; j++) {
        double s = spot[j];
        String what =
            String.format(
                "S=%s (S0=%s) K=%s T=%s vol=%s r=%s %s (seed %d)",
                s, s0, k, t, v, r, call ? "call" : "put", SEED);
        check(
            "price",
            price[j],
            BlackScholesFormulaRepository.price(s, k, t, v, r, r, call),
            1e-3 * s,
            1e-11 * (1 + s),
            what);
      }
    }
  }

  private static void check(
      String measure, double actual, double expected, double floor, double cutoff, String what) {
    if (expected == 0.0) {
      assertThat(Math.abs(actual))
          .as(measure + " of " + what + " (Strata: 0)")
          .isLessThanOrEqualTo(cutoff);
      return;
    }
    double tol = REL * Math.max(Math.abs(expected), floor);
    assertThat(actual)
        .as(measure + " of " + what)
        .isCloseTo(expected, org.assertj.core.data.Offset.offset(tol));
  }
}
