package dev.amalgam.kernels;

import java.util.Objects;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Revaluation of one European option (no dividend) in many scenarios of its underlying: the finance
 * family's kernel for full-revaluation risk, vectorised over scenarios.
 *
 * <p>What stays fixed for an option across scenarios is folded into four {@linkplain Coefficients
 * coefficients} once; a scenario then gives the log-return {@code x = ln(S / S0)} and the spot
 * {@code S}, and the price at that spot is
 *
 * <pre>
 *  d1 = fma(x, a, b)                 a = 1 / sd,  b = fma(r, T, ln(S0 / K)) / sd + sd / 2,  sd = vol sqrt(T)
 *  n1 = Phi(w d1),  n2 = Phi(w (d1 - sd))          w = +1 for a call, -1 for a put
 *  V  = max(w (S n1 - DK n2), 0)     DK = K exp(-r T)
 * </pre>
 *
 * which is Black-Scholes with {@code ln(S / K) + r T = x + ln(S0 / K) + r T}: no log, square root
 * or discount per valuation, two normal CDFs ({@link FinanceMath#normCdf}, Cody, about 1e-15
 * relative) each with one {@link FinanceMath#exp}. An option with {@code sd = 0} (expired at the
 * horizon, or zero vol) is worth its intrinsic value {@code max(w (S - DK), 0)}.
 *
 * <p>Results are defined bit for bit by {@link #priceScalar}: the vector lanes run its operations
 * in the same order (only exactly rounded IEEE operations), and rows past the last full vector use
 * it, so a scenario's value does not depend on the vector width or on how scenarios are split into
 * calls. An instance holds scratch arrays for up to {@link #capacity()} scenarios per call: one per
 * thread, not thread-safe.
 */
public final class BlackScholesScenarios {
  /*
   * Stages. As in CpuFinanceKernels, the math runs in compact vector loops over scratch arrays
   * (prepare -> half square -> exp -> Cody ratio -> Phi -> combine) so that no vector crosses a
   * call C2 might refuse to inline. The two CDF arguments of a call are laid out one after the
   * other (w d1 for rows [0, vb), w d2 for [vb, 2 vb)) so that each CDF stage runs once over both.
   * For one option the arguments move together across scenarios, so a vector rarely needs more
   * than one of Cody's regions and cdfRatioStage skips the others.
   */

  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final int LANES = D.length();

  /** Per-option constants of the revaluation (see the class comment). */
  public record Coefficients(double a, double b, double sd, double dk, double w) {
    /**
     * The constants of an option with spot today {@code s0}, strike {@code k}, time to expiry
     * {@code t} (years), implied vol {@code vol} and continuously compounded rate {@code r}.
     *
     * @throws IllegalArgumentException when an input is not finite or out of range
     */
    public static Coefficients of(
        double s0, double k, double t, double vol, double r, boolean call) {
      if (!(s0 > 0.0 && s0 < Double.POSITIVE_INFINITY)
          || !(k > 0.0 && k < Double.POSITIVE_INFINITY)
          || !(t >= 0.0 && t < Double.POSITIVE_INFINITY)
          || !(vol >= 0.0 && vol < Double.POSITIVE_INFINITY)
          || !Double.isFinite(r)) {
        throw new IllegalArgumentException(
            "BlackScholesScenarios: bad option S0="
                + s0
                + " K="
                + k
                + " T="
                + t
                + " vol="
                + vol
                + " r="
                + r);
      }
      double sd = vol * Math.sqrt(t) + 0.0;
      double dk = k * FinanceMath.exp(-(r * t));
      double w = call ? 1.0 : -1.0;
      if (sd == 0.0) {
        return new Coefficients(0.0, 0.0, 0.0, dk, w);
      }
      double m = Math.fma(r, t, FinanceMath.log(s0 / k));
      return new Coefficients(1.0 / sd, m / sd + sd * 0.5, sd, dk, w);
    }
  }

  private final int capacity;
  private final double[] args;
  private final double[] l;
  private final double[] arg;
  private final double[] e;
  private final double[] ratio;
  private final double[] phi;
  private final double[] price;

  /** Scratch for calls of up to {@code capacity} scenarios. */
  public BlackScholesScenarios(int capacity) {
    if (capacity < 1 || capacity > 1 << 20) {
      throw new IllegalArgumentException(
          "BlackScholesScenarios: capacity must be in [1, 1048576], got " + capacity);
    }
    this.capacity = capacity;
    int two = 2 * D.loopBound(capacity);
    args = new double[two];
    l = new double[two];
    arg = new double[two];
    e = new double[two];
    ratio = new double[two];
    phi = new double[two];
    price = new double[capacity];
  }

  /** The most scenarios one call may take. */
  public int capacity() {
    return capacity;
  }

  /** One scenario's price: the definition the vector lanes follow operation by operation. */
  public static double priceScalar(double x, double s, Coefficients c) {
    if (c.sd() == 0.0) {
      double v = c.w() * (s - c.dk());
      return v < 0.0 ? 0.0 : v;
    }
    double d1 = Math.fma(x, c.a(), c.b());
    double n1 = FinanceMath.normCdf(d1 * c.w());
    double n2 = FinanceMath.normCdf((d1 - c.sd()) * c.w());
    double p = c.w() * (s * n1 - c.dk() * n2);
    return p < 0.0 ? 0.0 : p;
  }

  /**
   * {@code out[outFrom + j] = price(x[from + j], s[from + j])} for {@code j} in {@code [0, n)}.
   *
   * @throws IllegalArgumentException when {@code n} exceeds the capacity
   * @throws IndexOutOfBoundsException when a range is outside its array
   */
  public void price(
      double[] x, double[] s, int from, int n, Coefficients c, double[] out, int outFrom) {
    compute(x, s, from, n, c);
    System.arraycopy(price, 0, out, outFrom, n);
  }

  /**
   * {@code acc[accFrom + j] += q * (price(x[from + j], s[from + j]) - v0)} for {@code j} in {@code
   * [0, n)}: the P&amp;L of {@code q} units of the option against its value {@code v0}, added to an
   * accumulator (one add per row, so the sum over options depends only on their order).
   */
  public void accumulate(
      double[] x,
      double[] s,
      int from,
      int n,
      Coefficients c,
      double q,
      double v0,
      double[] acc,
      int accFrom) {
    compute(x, s, from, n, c);
    Objects.checkFromIndexSize(accFrom, n, acc.length);
    int vb = D.loopBound(n);
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector p = DoubleVector.fromArray(D, price, i);
      DoubleVector a = DoubleVector.fromArray(D, acc, accFrom + i);
      a.add(p.sub(v0).mul(q)).intoArray(acc, accFrom + i);
    }
    for (int j = vb; j < n; j++) {
      acc[accFrom + j] = acc[accFrom + j] + (price[j] - v0) * q;
    }
  }

  /** price[0, n) from the scenarios. */
  private void compute(double[] x, double[] s, int from, int n, Coefficients c) {
    Objects.requireNonNull(c, "coefficients are null");
    if (n < 0 || n > capacity) {
      throw new IllegalArgumentException(
          "BlackScholesScenarios: n must be in [0, " + capacity + "], got " + n);
    }
    Objects.checkFromIndexSize(from, n, x.length);
    Objects.checkFromIndexSize(from, n, s.length);
    int vb = D.loopBound(n);
    if (c.sd() == 0.0) {
      intrinsicStage(s, from, vb, c.w(), c.dk(), price);
    } else {
      prepareStage(x, from, vb, c.a(), c.b(), c.sd(), c.w(), args);
      int two = 2 * vb;
      CpuFinanceKernels.halfSquareStage(args, l, arg, two);
      CpuFinanceKernels.expStage(arg, e, two);
      CpuFinanceKernels.cdfRatioStage(args, ratio, two);
      CpuFinanceKernels.cdfFinishStage(args, ratio, e, l, phi, two);
      combineStage(s, from, vb, c.w(), c.dk(), phi, price);
    }
    for (int j = vb; j < n; j++) {
      price[j] = priceScalar(x[from + j], s[from + j], c);
    }
  }

  /** args[i] = w d1, args[vb + i] = w (d1 - sd), d1 = fma(x, a, b), i in [0, vb). */
  private static void prepareStage(
      double[] x, int from, int vb, double a, double b, double sd, double w, double[] args) {
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector d1 = DoubleVector.fromArray(D, x, from + i).fma(a, b);
      d1.mul(w).intoArray(args, i);
      d1.sub(sd).mul(w).intoArray(args, vb + i);
    }
  }

  /** price = max(w (S n1 - DK n2), 0) with n1 = phi[i], n2 = phi[vb + i]. */
  private static void combineStage(
      double[] s, int from, int vb, double w, double dk, double[] phi, double[] price) {
    DoubleVector zero = DoubleVector.zero(D);
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector sv = DoubleVector.fromArray(D, s, from + i);
      DoubleVector n1 = DoubleVector.fromArray(D, phi, i);
      DoubleVector n2 = DoubleVector.fromArray(D, phi, vb + i);
      DoubleVector p = sv.mul(n1).sub(n2.mul(dk)).mul(w);
      p.blend(zero, p.compare(VectorOperators.LT, 0.0)).intoArray(price, i);
    }
  }

  /** price = max(w (S - DK), 0). */
  private static void intrinsicStage(
      double[] s, int from, int vb, double w, double dk, double[] price) {
    DoubleVector zero = DoubleVector.zero(D);
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector p = DoubleVector.fromArray(D, s, from + i).sub(dk).mul(w);
      p.blend(zero, p.compare(VectorOperators.LT, 0.0)).intoArray(price, i);
    }
  }
}
