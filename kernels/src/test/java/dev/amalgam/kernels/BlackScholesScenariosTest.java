package dev.amalgam.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import jdk.incubator.vector.DoubleVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BlackScholesScenarios} against its scalar definition (bit for bit, every size across
 * vector boundaries), against the Black-Scholes kernel's scalar row (same formula, other rounding)
 * and the vectorised normal CDF inside it against {@link FinanceMath#normCdf} deep into the tails.
 * Run with {@code -Damalgam.test.seed=N} to repeat a failing seed.
 */
@Timeout(120)
final class BlackScholesScenariosTest {
  private static final int LANES = DoubleVector.SPECIES_PREFERRED.length();
  private static final long SEED = Long.getLong("amalgam.test.seed", System.nanoTime());

  @Test
  void price_randomOptionsAllSizes_equalScalarDefinitionBitForBit() {
    System.out.println("BlackScholesScenariosTest seed " + SEED);
    SplittableRandom rnd = new SplittableRandom(SEED);
    int[] sizes = {0, 1, LANES - 1, LANES, LANES + 1, 2 * LANES + 3, 255, 256, 257, 1000};
    BlackScholesScenarios pricer = new BlackScholesScenarios(1000);
    for (int round = 0; round < 200; round++) {
      int n = sizes[round % sizes.length];
      double s0 = 1 + 999 * rnd.nextDouble();
      double k = s0 * Math.exp(1.5 * (2 * rnd.nextDouble() - 1));
      double t = rnd.nextInt(8) == 0 ? 0.0 : 5 * rnd.nextDouble();
      double vol = rnd.nextInt(10) == 0 ? 0.0 : 3 * rnd.nextDouble();
      double r = -0.02 + 0.12 * rnd.nextDouble();
      boolean call = rnd.nextBoolean();
      BlackScholesScenarios.Coefficients c =
          BlackScholesScenarios.Coefficients.of(s0, k, t, vol, r, call);
      int from = rnd.nextInt(5);
      double[] x = new double[from + n];
      double[] s = new double[from + n];
      double spread = rnd.nextInt(4) == 0 ? 3.0 : 0.2;
      for (int j = 0; j < from + n; j++) {
        x[j] = spread * rnd.nextGaussian();
        s[j] = s0 * Math.exp(x[j]);
      }
      double[] got = new double[n + 2];
      got[n] = -7;
      got[n + 1] = -7;
      pricer.price(x, s, from, n, c, got, 1);
      double[] acc = new double[n];
      double[] accWant = new double[n];
      for (int j = 0; j < n; j++) {
        acc[j] = rnd.nextDouble();
        accWant[j] = acc[j];
      }
      double q = -50 + 100 * rnd.nextDouble();
      double v0 = 10 * rnd.nextDouble();
      pricer.accumulate(x, s, from, n, c, q, v0, acc, 0);
      for (int j = 0; j < n; j++) {
        double want = BlackScholesScenarios.priceScalar(x[from + j], s[from + j], c);
        String where =
            String.format(
                "n=%d j=%d S0=%s K=%s T=%s vol=%s r=%s %s x=%s (seed %d)",
                n, j, s0, k, t, vol, r, call ? "call" : "put", x[from + j], SEED);
        assertThat(got[1 + j]).as(where).isEqualTo(want);
        assertThat(acc[j]).as(where).isEqualTo(accWant[j] + (want - v0) * q);
      }
      assertThat(got[n + 1]).as("past the range").isEqualTo(-7.0);
    }
  }

  @Test
  void priceScalar_randomOptions_agreesWithBlackScholesRowTo1e12() {
    SplittableRandom rnd = new SplittableRandom(SEED ^ 0x5EED);
    double[] res = new double[6];
    for (int i = 0; i < 100_000; i++) {
      double s0 = 5 + 495 * rnd.nextDouble();
      double k = s0 * Math.exp(0.5 * (2 * rnd.nextDouble() - 1));
      double t = rnd.nextInt(20) == 0 ? 0.0 : 0.02 + 4.98 * rnd.nextDouble();
      double vol = 0.05 + 0.95 * rnd.nextDouble();
      double r = -0.01 + 0.09 * rnd.nextDouble();
      boolean call = rnd.nextBoolean();
      double x = 0.3 * rnd.nextGaussian();
      double s = s0 * FinanceMath.exp(x);
      x = FinanceMath.log(s / s0);
      BlackScholesScenarios.Coefficients c =
          BlackScholesScenarios.Coefficients.of(s0, k, t, vol, r, call);
      double got = BlackScholesScenarios.priceScalar(x, s, c);
      CpuFinanceKernels.bsRow(s, k, t, vol, r, 0.0, false, call ? 1.0 : -1.0, res);
      double want = res[0];
      // relative to the price, with a floor of 1e-6 S for deep out-of-the-money options
      double tol = 1e-12 * Math.max(Math.abs(want), 1e-6 * s);
      assertThat(got)
          .as("S=%s K=%s T=%s vol=%s r=%s %s (seed %d)", s, k, t, vol, r, call, SEED)
          .isCloseTo(want, org.assertj.core.data.Offset.offset(tol));
    }
  }

  @Test
  void cdfStages_randomAndTailInputs_equalNormCdfBitForBit() {
    SplittableRandom rnd = new SplittableRandom(SEED ^ 0xCDF);
    int n = 4096;
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] =
          switch (i % 4) {
            case 0 -> 3 * rnd.nextGaussian();
            case 1 -> -40 * rnd.nextDouble() - 0.5;
            case 2 -> 45 * (2 * rnd.nextDouble() - 1);
            default -> 0.66 * (2 * rnd.nextDouble() - 1);
          };
    }
    x[0] = 0.0;
    x[1] = -0.0;
    x[2] = -38.5;
    x[3] = 41.0;
    x[4] = 0.46875 * Math.sqrt(2);
    x[5] = -4 * Math.sqrt(2);
    // a call with a = 1, b = 0, sd -> 0 has args (x, x - sd): the first half is Phi(x)
    double[] l = new double[2 * n];
    double[] arg = new double[2 * n];
    double[] e = new double[2 * n];
    double[] ratio = new double[2 * n];
    double[] y = new double[2 * n];
    CpuFinanceKernels.halfSquareStage(x, l, arg, n);
    CpuFinanceKernels.expStage(arg, e, n);
    CpuFinanceKernels.cdfRatioStage(x, ratio, n);
    CpuFinanceKernels.cdfFinishStage(x, ratio, e, l, y, n);
    for (int i = 0; i < n; i++) {
      assertThat(y[i]).as("Phi(%s) (seed %d)", x[i], SEED).isEqualTo(FinanceMath.normCdf(x[i]));
    }
  }

  @Test
  void accumulate_tooManyScenarios_isRefusedWithTheLimit() {
    BlackScholesScenarios pricer = new BlackScholesScenarios(16);
    BlackScholesScenarios.Coefficients c =
        BlackScholesScenarios.Coefficients.of(100, 100, 1, 0.2, 0.01, true);
    double[] a = new double[32];
    assertThatThrownBy(() -> pricer.accumulate(a, a, 0, 17, c, 1, 0, a, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[0, 16]")
        .hasMessageContaining("17");
    assertThatThrownBy(() -> BlackScholesScenarios.Coefficients.of(100, -1, 1, 0.2, 0.01, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("K=-1.0");
  }
}
