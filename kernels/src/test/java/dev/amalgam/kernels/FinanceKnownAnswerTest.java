package dev.amalgam.kernels;

import static dev.amalgam.kernels.ArrowLayout.FLOAT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.amalgam.kernels.FinanceKernels.OptionColumns;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Known answers: the Random123 Philox4x32-10 test vectors, textbook Black-Scholes values, put-call
 * parity, Greeks against finite differences, high-precision normal CDF and quantile values
 * (computed with mpmath at 50 digits), exp and log against StrictMath, and the documented limits.
 */
final class FinanceKnownAnswerTest {
  private static final long SEED = Long.getLong("amalgam.test.seed", System.nanoTime());
  private final FinanceKernels cpu = FinanceKernels.cpu();

  // ------------------------------------------------------------------ Philox4x32-10

  @Test
  void philox_random123KnownAnswerVectors_match() {
    // Random123 kat_vectors, "philox4x32 10" lines: counter, key -> output.
    assertThat(Philox4x32.block(new int[] {0, 0, 0, 0}, new int[] {0, 0}))
        .containsExactly(0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
    assertThat(Philox4x32.block(new int[] {-1, -1, -1, -1}, new int[] {-1, -1}))
        .containsExactly(0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
    assertThat(
            Philox4x32.block(
                new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                new int[] {0xa4093822, 0x299f31d0}))
        .containsExactly(0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
  }

  @Test
  void philox_streamLayout_followsDocumentedCounterAndWordOrder() {
    // seed 0, stream 0: block 0 is the first KAT vector; value 0 = w1:w0, value 1 = w3:w2.
    assertThat(Philox4x32.bits(0, 0, 0)).isEqualTo(0xe169c58d6627e8d5L);
    assertThat(Philox4x32.bits(0, 0, 1)).isEqualTo(0x9b00dbd8bc57ac4cL);
    // any (seed, stream, index): block index / 2 in c0, c1, the stream in c2, c3, the seed as key
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int i = 0; i < 100; i++) {
      long seed = rnd.nextLong();
      long stream = rnd.nextLong();
      long index = rnd.nextLong();
      long b = index >>> 1;
      int[] w =
          Philox4x32.block(
              new int[] {(int) b, (int) (b >>> 32), (int) stream, (int) (stream >>> 32)},
              new int[] {(int) seed, (int) (seed >>> 32)});
      int j = (int) (index & 1) * 2;
      assertThat(Philox4x32.bits(seed, stream, index))
          .isEqualTo(((long) w[j + 1] << 32) | (w[j] & 0xFFFFFFFFL));
    }
    assertThat(Philox4x32.uniform(0, 0, 0))
        .isEqualTo(((0xe169c58d6627e8d5L >>> 12) * 2 + 1) * 0x1p-53);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(8 * 2);
      cpu.uniforms(0, 0, 0, out, 2);
      assertThat(out.getAtIndex(FLOAT64, 0)).isEqualTo(Philox4x32.toUniform(0xe169c58d6627e8d5L));
      assertThat(out.getAtIndex(FLOAT64, 1)).isEqualTo(Philox4x32.toUniform(0x9b00dbd8bc57ac4cL));
    }
  }

  @Test
  void toUniform_extremeBits_strictlyInsideUnitInterval() {
    assertThat(Philox4x32.toUniform(0L)).isEqualTo(0x1p-53);
    assertThat(Philox4x32.toUniform(-1L)).isEqualTo(1.0 - 0x1p-53);
    assertThat(Philox4x32.toUniform(0xFFFL)).isEqualTo(0x1p-53);
    assertThat(FinanceMath.normInvCdf(0x1p-53)).isCloseTo(-8.2095361516013868556, within(4e-15));
    assertThat(FinanceMath.normInvCdf(1.0 - 0x1p-53)).isEqualTo(-FinanceMath.normInvCdf(0x1p-53));
  }

  @Test
  void uniformsAndNormals_largeSample_haveTheRightMoments() {
    int n = 200_000;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment u = arena.allocate(8L * n);
      MemorySegment z = arena.allocate(8L * n);
      cpu.uniforms(SEED, 1, 0, u, n);
      cpu.normals(SEED, 1, 0, z, n);
      double su = 0;
      double sz = 0;
      double szz = 0;
      for (int i = 0; i < n; i++) {
        double ui = u.getAtIndex(FLOAT64, i);
        assertThat(ui).isGreaterThan(0.0).isLessThan(1.0);
        double zi = z.getAtIndex(FLOAT64, i);
        assertThat(zi).isEqualTo(FinanceMath.normInvCdf(ui));
        su += ui;
        sz += zi;
        szz += zi * zi;
      }
      // five standard errors
      assertThat(su / n).as("seed %d", SEED).isCloseTo(0.5, within(5 * Math.sqrt(1 / 12.0 / n)));
      assertThat(sz / n).as("seed %d", SEED).isCloseTo(0.0, within(5 / Math.sqrt(n)));
      assertThat(szz / n).as("seed %d", SEED).isCloseTo(1.0, within(5 * Math.sqrt(2.0 / n)));
    }
  }

  // ------------------------------------------------------------------ normal distribution

  @Test
  void normCdf_highPrecisionValues_withinTwoUlps() {
    double[][] cases = {
      {0, 0.5},
      {1, 0.84134474606854294859},
      {-1, 0.15865525393145705141},
      {3, 0.99865010196836990547},
      {-3, 0.0013498980316300945267},
      {0.5, 0.69146246127401310364},
      {-0.5, 0.30853753872598689636},
      {2.5, 0.99379033467422386483},
      {-5, 2.8665157187919391167e-7},
      {-8, 6.2209605742717841235e-16},
      {-10, 7.619853024160526066e-24},
      {-20, 2.7536241186062336951e-89},
      {-30, 4.9067139271481870595e-198},
      {-37, 5.7255712225245768227e-300},
      {6, 0.99999999901341235496},
      {8, 0.9999999999999993779},
    };
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment x = arena.allocate(8L * cases.length);
      MemorySegment out = arena.allocate(8L * cases.length);
      for (int i = 0; i < cases.length; i++) {
        x.setAtIndex(FLOAT64, i, cases[i][0]);
      }
      cpu.normCdf(x, null, cases.length, null, out);
      for (int i = 0; i < cases.length; i++) {
        double want = cases[i][1];
        assertThat(ulps(out.getAtIndex(FLOAT64, i), want))
            .as("Phi(%s) = %s", cases[i][0], out.getAtIndex(FLOAT64, i))
            .isLessThanOrEqualTo(2.0);
      }
    }
    assertThat(FinanceMath.normCdf(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
    assertThat(FinanceMath.normCdf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
    assertThat(FinanceMath.normCdf(-0.0)).isEqualTo(0.5);
    assertThat(FinanceMath.normCdf(Double.NaN)).isNaN();
    assertThat(FinanceMath.normPdf(0)).isEqualTo(0.3989422804014327);
  }

  @Test
  void normInvCdf_highPrecisionValues_withinTwoUlps() {
    double[][] cases = {
      {0.975, 1.9599639845400538556},
      {0.5, 0.0},
      {0.025, -1.9599639845400542118},
      {0.1, -1.2815515655446004353},
      {0.9, 1.2815515655446005935},
      {0.3, -0.52440051270804081597},
      {1e-3, -3.0902323061678135354},
      {1e-10, -6.3613409024040561991},
      {1e-20, -9.2623400897984075796},
      {1e-100, -21.273453560965324294},
      {1e-300, -37.047096299361199237},
      {0.999999, 4.7534243088170877657},
    };
    for (double[] c : cases) {
      assertThat(ulps(FinanceMath.normInvCdf(c[0]), c[1]))
          .as("Phi^-1(%s) = %s", c[0], FinanceMath.normInvCdf(c[0]))
          .isLessThanOrEqualTo(2.0);
    }
    assertThat(FinanceMath.normInvCdf(0.0)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(FinanceMath.normInvCdf(1.0)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(FinanceMath.normInvCdf(-0.0)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(FinanceMath.normInvCdf(-1e-300)).isNaN();
    assertThat(FinanceMath.normInvCdf(Math.nextUp(1.0))).isNaN();
    assertThat(FinanceMath.normInvCdf(Double.NaN)).isNaN();
  }

  @Test
  void normInvCdf_roundTripThroughCdf_recoversInput() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int i = 0; i < 20_000; i++) {
      double p = i % 2 == 0 ? rnd.nextDouble() : Math.pow(10, -300 * rnd.nextDouble());
      if (p == 0) {
        continue;
      }
      double back = FinanceMath.normCdf(FinanceMath.normInvCdf(p));
      double z = Math.abs(FinanceMath.normInvCdf(p));
      // the quantile's relative error 1e-16 moves Phi by about z^2 1e-16 relative
      assertThat(Math.abs(back - p))
          .as("p = %s, back %s (seed %d)", p, back, SEED)
          .isLessThanOrEqualTo(p * 1e-15 * (4 + z * z));
      double x = -37 * rnd.nextDouble();
      assertThat(FinanceMath.normInvCdf(FinanceMath.normCdf(x)))
          .as("x = %s (seed %d)", x, SEED)
          .isCloseTo(x, within(1e-14 * (1 + Math.abs(x))));
    }
  }

  @Test
  void expAndLog_randomArguments_withinOneUlpOfStrictMath() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int i = 0; i < 200_000; i++) {
      double x = i % 2 == 0 ? 1450 * rnd.nextDouble() - 745 : 20 * rnd.nextDouble() - 10;
      double want = StrictMath.exp(x);
      assertThat(ulps(FinanceMath.exp(x), want)).as("exp(%s)", x).isLessThanOrEqualTo(1.0);
      double y = i % 3 == 0 ? 2 * rnd.nextDouble() : Math.exp(1400 * rnd.nextDouble() - 700);
      double wantLog = StrictMath.log(y);
      assertThat(ulps(FinanceMath.log(y), wantLog)).as("log(%s)", y).isLessThanOrEqualTo(1.0);
    }
    assertThat(FinanceMath.exp(0)).isEqualTo(1.0);
    assertThat(FinanceMath.exp(710)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(FinanceMath.exp(-746)).isEqualTo(0.0);
    assertThat(FinanceMath.exp(-740)).isEqualTo(StrictMath.exp(-740));
    assertThat(FinanceMath.exp(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
    assertThat(FinanceMath.exp(Double.NaN)).isNaN();
    assertThat(FinanceMath.log(1)).isEqualTo(0.0);
    assertThat(FinanceMath.log(0)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(FinanceMath.log(-1)).isNaN();
    assertThat(FinanceMath.log(Double.MIN_VALUE)).isEqualTo(StrictMath.log(Double.MIN_VALUE));
    assertThat(FinanceMath.log(Double.POSITIVE_INFINITY)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  // ------------------------------------------------------------------ Black-Scholes

  @Test
  void blackScholes_hullExample_givesTextbookPrices() {
    // Hull, Options, Futures and Other Derivatives: S = 42, K = 40, r = 10%, vol = 20%, T = 0.5
    double[] call = price(42, 40, 0.5, 0.2, 0.1, 0, true);
    double[] put = price(42, 40, 0.5, 0.2, 0.1, 0, false);
    assertThat(call[0]).isCloseTo(4.76, within(0.005)).isCloseTo(4.7594223928715332, within(1e-13));
    assertThat(put[0]).isCloseTo(0.81, within(0.005)).isCloseTo(0.80859937290009358, within(1e-13));
    assertThat(call[1] - put[1]).isCloseTo(1.0, within(1e-15));
    assertThat(call[2]).isEqualTo(put[2]);
    assertThat(call[3]).isEqualTo(put[3]);
  }

  @Test
  void blackScholes_randomOptions_satisfyPutCallParity() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int i = 0; i < 2000; i++) {
      double s = 100 * Math.exp(0.5 * FinanceKernelsTest.gaussian(rnd));
      double k = 100 * (0.3 + 1.4 * rnd.nextDouble());
      double t = 5 * rnd.nextDouble();
      double v = 0.8 * rnd.nextDouble();
      double r = 0.1 * rnd.nextDouble() - 0.02;
      double q = 0.05 * rnd.nextDouble();
      double[] c = price(s, k, t, v, r, q, true);
      double[] p = price(s, k, t, v, r, q, false);
      String what = "S=" + s + " K=" + k + " T=" + t + " v=" + v + " r=" + r + " q=" + q;
      double forward = s * Math.exp(-q * t) - k * Math.exp(-r * t);
      assertThat(c[0] - p[0]).as(what).isCloseTo(forward, within(1e-13 * (s + k)));
      assertThat(c[1] - p[1]).as(what).isCloseTo(Math.exp(-q * t), within(1e-14));
      assertThat(c[5] - p[5]).as(what).isCloseTo(k * t * Math.exp(-r * t), within(1e-12 * k));
    }
  }

  @Test
  void blackScholes_greeks_matchFiniteDifferencesOfThePrice() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int i = 0; i < 300; i++) {
      double s = 100 * Math.exp(0.3 * FinanceKernelsTest.gaussian(rnd));
      double k = 100 * (0.6 + 0.8 * rnd.nextDouble());
      double t = 0.1 + 2 * rnd.nextDouble();
      double v = 0.1 + 0.5 * rnd.nextDouble();
      double r = 0.08 * rnd.nextDouble();
      double q = 0.04 * rnd.nextDouble();
      boolean call = rnd.nextBoolean();
      String what = "S=" + s + " K=" + k + " T=" + t + " v=" + v + " r=" + r + " q=" + q;
      double[] g = price(s, k, t, v, r, q, call);
      double hs = 1e-5 * s;
      double delta =
          (price(s + hs, k, t, v, r, q, call)[0] - price(s - hs, k, t, v, r, q, call)[0])
              / (2 * hs);
      double gamma =
          (price(s + hs, k, t, v, r, q, call)[1] - price(s - hs, k, t, v, r, q, call)[1])
              / (2 * hs);
      double h = 1e-5;
      double vega =
          (price(s, k, t, v + h, r, q, call)[0] - price(s, k, t, v - h, r, q, call)[0]) / (2 * h);
      double theta =
          -(price(s, k, t + h, v, r, q, call)[0] - price(s, k, t - h, v, r, q, call)[0]) / (2 * h);
      double rho =
          (price(s, k, t, v, r + h, q, call)[0] - price(s, k, t, v, r - h, q, call)[0]) / (2 * h);
      assertThat(g[1]).as("delta " + what).isCloseTo(delta, within(1e-7));
      assertThat(g[2]).as("gamma " + what).isCloseTo(gamma, within(1e-7));
      assertThat(g[3]).as("vega " + what).isCloseTo(vega, within(1e-6 * (1 + Math.abs(vega))));
      assertThat(g[4]).as("theta " + what).isCloseTo(theta, within(1e-6 * (1 + Math.abs(theta))));
      assertThat(g[5]).as("rho " + what).isCloseTo(rho, within(1e-6 * (1 + Math.abs(rho))));
    }
  }

  @Test
  void blackScholes_atExpiry_givesIntrinsicValue() {
    // theta keeps its carry term -r K at expiry (the T -> 0 limit in the money)
    assertThat(price(110, 100, 0, 0.2, 0.05, 0, true)).containsExactly(10, 1, 0, 0, -5, 0);
    assertThat(price(90, 100, 0, 0.2, 0.05, 0, true)).containsExactly(0, 0, 0, 0, 0, 0);
    assertThat(price(90, 100, 0, 0.2, 0.05, 0, false)).containsExactly(10, -1, 0, 0, 5, -0.0);
    double[] atm = price(100, 100, 0, 0.2, 0.05, 0, true);
    assertThat(atm[0]).isEqualTo(0.0);
    assertThat(atm[1]).isEqualTo(0.5);
  }

  @Test
  void blackScholes_zeroVolatility_givesDiscountedForwardIntrinsic() {
    double s = 100;
    double k = 100;
    double t = 2;
    double r = 0.05;
    double q = 0.01;
    double[] c = price(s, k, t, 0, r, q, true);
    double[] p = price(s, k, t, 0, r, q, false);
    double sq = s * Math.exp(-q * t);
    double kr = k * Math.exp(-r * t);
    assertThat(c[0]).isCloseTo(sq - kr, within(1e-12));
    assertThat(p[0]).isEqualTo(0.0);
    assertThat(c[1]).isCloseTo(Math.exp(-q * t), within(1e-15));
    assertThat(c[2]).isEqualTo(0.0);
    assertThat(c[3]).isEqualTo(0.0);
    assertThat(c[4]).isCloseTo(q * sq - r * kr, within(1e-12));
    assertThat(c[5]).isCloseTo(t * kr, within(1e-12));
  }

  @Test
  void blackScholes_invalidInputs_giveNaNInEveryOutput() {
    double[][] bad = {
      {0, 100, 1, 0.2, 0.05},
      {-1, 100, 1, 0.2, 0.05},
      {100, 0, 1, 0.2, 0.05},
      {100, 100, -1, 0.2, 0.05},
      {100, 100, 1, -0.2, 0.05},
      {Double.NaN, 100, 1, 0.2, 0.05},
      {Double.POSITIVE_INFINITY, 100, 1, 0.2, 0.05},
      {100, 100, Double.POSITIVE_INFINITY, 0.2, 0.05},
      {100, 100, 1, 0.2, Double.NaN},
    };
    for (double[] b : bad) {
      assertThat(price(b[0], b[1], b[2], b[3], b[4], 0, true))
          .as(java.util.Arrays.toString(b))
          .containsOnly(Double.NaN);
    }
    assertThat(price(100, 100, 1, 0.2, 0.05, Double.NaN, true)).containsOnly(Double.NaN);
  }

  // ------------------------------------------------------------------ GBM and Cholesky

  @Test
  void gbmStep_correlatedShocks_haveTheRequestedMomentsAndCorrelation() {
    int scenarios = 100_000;
    double rho = 0.8;
    double dt = 0.25;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment cov = arena.allocate(8 * 4);
      cov.setAtIndex(FLOAT64, 0, 1.0);
      cov.setAtIndex(FLOAT64, 1, rho);
      cov.setAtIndex(FLOAT64, 2, rho);
      cov.setAtIndex(FLOAT64, 3, 1.0);
      MemorySegment l = arena.allocate(8 * 4);
      cpu.cholesky(cov, 2, l);
      MemorySegment drift = FinanceKernelsTest.column(arena, 2, i -> 0.05);
      MemorySegment vol = FinanceKernelsTest.column(arena, 2, i -> i == 0 ? 0.2 : 0.4);
      MemorySegment prices = FinanceKernelsTest.column(arena, 2 * scenarios, i -> 100.0);
      cpu.gbmStep(prices, scenarios, 2, drift, vol, dt, l, SEED, 0, 0);
      double[] mean = new double[2];
      double[] m2 = new double[2];
      double cross = 0;
      for (int s = 0; s < scenarios; s++) {
        double a = Math.log(prices.getAtIndex(FLOAT64, 2L * s) / 100);
        double b = Math.log(prices.getAtIndex(FLOAT64, 2L * s + 1) / 100);
        mean[0] += a;
        mean[1] += b;
        m2[0] += a * a;
        m2[1] += b * b;
        cross += a * b;
      }
      double[] sigma = {0.2, 0.4};
      double[] var = new double[2];
      for (int j = 0; j < 2; j++) {
        mean[j] /= scenarios;
        var[j] = m2[j] / scenarios - mean[j] * mean[j];
        double sd = sigma[j] * Math.sqrt(dt);
        assertThat(mean[j])
            .as("mean log return %d (seed %d)", j, SEED)
            .isCloseTo(
                (0.05 - 0.5 * sigma[j] * sigma[j]) * dt, within(5 * sd / Math.sqrt(scenarios)));
        assertThat(Math.sqrt(var[j]))
            .as("vol %d (seed %d)", j, SEED)
            .isCloseTo(sd, within(0.01 * sd));
      }
      double corr = (cross / scenarios - mean[0] * mean[1]) / Math.sqrt(var[0] * var[1]);
      assertThat(corr).as("correlation (seed %d)", SEED).isCloseTo(rho, within(0.01));
    }
  }

  @Test
  void gbmStep_scenariosSplitAcrossCalls_sameResult() {
    int u = 3;
    int scenarios = 101;
    try (Arena arena = Arena.ofConfined()) {
      SplittableRandom rnd = new SplittableRandom(SEED);
      MemorySegment l = FinanceKernelsTest.randomCholesky(arena, u, rnd);
      MemorySegment drift = FinanceKernelsTest.column(arena, u, i -> 0.03);
      MemorySegment vol = FinanceKernelsTest.column(arena, u, i -> 0.1 + 0.1 * i);
      MemorySegment whole = FinanceKernelsTest.column(arena, u * scenarios, i -> 100.0 + i);
      MemorySegment split = FinanceKernelsTest.column(arena, u * scenarios, i -> 100.0 + i);
      cpu.gbmStep(whole, scenarios, u, drift, vol, 0.01, l, 42, 7, 1000);
      int cut = 37;
      cpu.gbmStep(split, cut, u, drift, vol, 0.01, l, 42, 7, 1000);
      cpu.gbmStep(
          split.asSlice(8L * u * cut), scenarios - cut, u, drift, vol, 0.01, l, 42, 7, 1000 + cut);
      FinanceKernelsTest.assertSameBits(split, whole, u * scenarios, "split at " + cut);
    }
  }

  @Test
  void cholesky_textbookAndSemiDefiniteMatrices_factorExactly() {
    assertThat(factor(3, 4, 12, -16, 12, 37, -43, -16, -43, 98))
        .containsExactly(2, 0, 0, 6, 1, 0, -8, 5, 3);
    // rank one: the second column is zero
    assertThat(factor(2, 1, 1, 1, 1)).containsExactly(1, 0, 1, 0);
    assertThat(factor(2, 0, 0, 0, 0)).containsExactly(0, 0, 0, 0);
    assertThat(factor(1, 9)).containsExactly(3);
  }

  @Test
  void cholesky_notPositiveSemiDefinite_throwsNamingRowAndColumn() {
    assertThatThrownBy(() -> factor(2, 1, 2, 2, 1))
        .isInstanceOf(KernelException.class)
        .hasMessageContaining("not positive semi-definite")
        .hasMessageContaining("row 1, column 1");
    assertThatThrownBy(() -> factor(2, 0, 1, 1, 1))
        .isInstanceOf(KernelException.class)
        .hasMessageContaining("row 1, column 0")
        .hasMessageContaining("zero pivot");
    assertThatThrownBy(() -> factor(2, 1, 0.5, 0.4, 1))
        .isInstanceOf(KernelException.class)
        .hasMessageContaining("not symmetric: row 1, column 0 is 0.4 but row 0, column 1 is 0.5");
    assertThatThrownBy(() -> factor(2, 1, 0, 0, Double.NaN))
        .isInstanceOf(KernelException.class)
        .hasMessageContaining("row 1, column 1 is NaN")
        .satisfies(e -> assertThat(((KernelException) e).row()).isEqualTo(1));
  }

  // ------------------------------------------------------------------ helpers

  /** Price and Greeks of one option through the CPU kernel. */
  private double[] price(double s, double k, double t, double v, double r, double q, boolean call) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment[] in = new MemorySegment[6];
      double[] values = {s, k, t, v, r, q};
      for (int c = 0; c < 6; c++) {
        in[c] = arena.allocate(8);
        in[c].setAtIndex(FLOAT64, 0, values[c]);
      }
      MemorySegment type = arena.allocate(1);
      type.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) (call ? 1 : 0));
      MemorySegment[] out = new MemorySegment[6];
      for (int m = 0; m < 6; m++) {
        out[m] = arena.allocate(8);
      }
      OptionColumns o = OptionColumns.of(in[0], in[1], in[2], in[3], in[4], type);
      cpu.blackScholes(o.withDividend(in[5]), null, 1, null, FinanceKernelsTest.greeks(out));
      double[] res = new double[6];
      for (int m = 0; m < 6; m++) {
        res[m] = out[m].getAtIndex(FLOAT64, 0);
      }
      return res;
    }
  }

  /** |got - want| in units of want's ulp, computed in double. */
  private static double ulps(double got, double want) {
    return got == want ? 0.0 : Math.abs(got - want) / Math.ulp(want);
  }

  private double[] factor(int dim, double... a) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment m = arena.allocate(8L * dim * dim);
      MemorySegment l = arena.allocate(8L * dim * dim);
      for (int i = 0; i < a.length; i++) {
        m.setAtIndex(FLOAT64, i, a[i]);
      }
      cpu.cholesky(m, dim, l);
      return l.toArray(FLOAT64);
    }
  }
}
