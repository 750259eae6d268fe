package dev.amalgam.kernels;

/**
 * Scalar definitions of the finance kernels' math: every {@link FinanceKernels#cpu()} result equals
 * these functions bit for bit, on every platform and whatever the vector width.
 *
 * <p>Only IEEE 754 operations that are exactly specified (add, multiply, divide, square root, fused
 * multiply-add, comparisons, bit moves) are used, never {@link Math#exp} or {@link Math#log} (whose
 * last bit may differ between JVMs, CPUs and vector libraries). The same operation sequence is run
 * lane-wise by the vector kernels, so a value does not depend on which device or which vector lane
 * computed it.
 */
public final class FinanceMath {
  private FinanceMath() {}

  /*
   * exp: x = k ln2 + r with k = round(x / ln2) (by adding 1.5 * 2^52), |r| <= ln2 / 2, r computed
   * with a two-part ln2 (Cody-Waite) and fma; exp(r) = 1 + r + r^2 P(r), P the Taylor series of
   * (exp(r) - 1 - r) / r^2 to degree 11 (truncation error below 5e-18); the result is scaled by
   * 2^(k/2) and 2^(k - k/2) so that both factors are normal numbers and a subnormal result is
   * rounded once. x is clamped to [-746, 710] first, which keeps k in range and turns +-inf into
   * inf and 0 through the normal arithmetic. Error < 1 ulp.
   *
   * log: musl's reduction (x = 2^k z, z in [sqrt(2)/2, sqrt(2))) and fdlibm's polynomial for
   * log(1 + f) = 2 atanh(f / (2 + f)); subnormals are scaled by 2^54 first. Error < 1 ulp.
   *
   * normCdf: W. J. Cody's rational approximations of erf/erfc (CALERF, Math. Comp. 1969;
   * netlib specfun) in z = |x| / sqrt(2): |z| <= 0.46875 gives Phi = 1/2 + erf(x / sqrt 2) / 2;
   * otherwise Phi(-|x|) = exp(-x^2 / 2) R(z) / 2 with Cody's second (z <= 4) or third rational;
   * the third is rewritten over a common denominator in s = z^2 so that each region needs a single
   * division. exp(-x^2 / 2) is taken from x itself with the rounding error of x^2 recovered by
   * fma (x^2 = h + l exactly, exp(-(h + l) / 2) = exp(-h / 2) (1 - l / 2)): this is what keeps
   * the relative error of Phi near 1e-15 deep in the lower tail, where dividing by sqrt(2) first
   * would cost |x|^2 ulps. |x| is clamped to 40 (Phi(-40) underflows to 0).
   *
   * normInvCdf: Wichura's AS241 (PPND16, Applied Statistics 37, 1988), relative accuracy about
   * 1e-16, with the log above. Polynomials everywhere are evaluated by Horner's rule with fma.
   */

  private static final double SHIFT = 0x1.8p52;
  private static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
  static final double INV_LN2 = 1.44269504088896338700e+00;
  static final double LN2_HI = 6.93147180369123816490e-01;
  static final double LN2_LO = 1.90821492927058770002e-10;
  static final double EXP_MIN = -746.0;
  static final double EXP_MAX = 710.0;

  /** 1 / j! for j = 13 down to 2: the Taylor coefficients of P(r). */
  static final double[] EXP_P = {
    1.0 / 6227020800.0,
    1.0 / 479001600.0,
    1.0 / 39916800.0,
    1.0 / 3628800.0,
    1.0 / 362880.0,
    1.0 / 40320.0,
    1.0 / 5040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    1.0 / 2.0
  };

  static final long LOG_OFF = 0x3fe6a09e667f3bcdL;
  static final long EXP_MASK = 0xfffL << 52;
  static final double LG1 = 6.666666666666735130e-01;
  static final double LG2 = 3.999999999940941908e-01;
  static final double LG3 = 2.857142874366239149e-01;
  static final double LG4 = 2.222219843214978396e-01;
  static final double LG5 = 1.818357216161805012e-01;
  static final double LG6 = 1.531383769920937332e-01;
  static final double LG7 = 1.479819860511658591e-01;
  static final double TWO54 = 0x1p54;

  static final double INV_SQRT2 = 0.70710678118654752440;
  static final double INV_SQRT_2PI = 0.39894228040143267794;
  static final double SQRPI = 5.6418958354775628695e-1;
  static final double CDF_CLAMP = 40.0;
  static final double THRESH = 0.46875;

  // Cody region 1: erf(z) = z A(y) / B(y), y = z^2.
  static final double A1 = 3.16112374387056560e00;
  static final double A2 = 1.13864154151050156e02;
  static final double A3 = 3.77485237685302021e02;
  static final double A4 = 3.20937758913846947e03;
  static final double A5 = 1.85777706184603153e-1;
  static final double B1 = 2.36012909523441209e01;
  static final double B2 = 2.44024637934444173e02;
  static final double B3 = 1.28261652607737228e03;
  static final double B4 = 2.84423683343917062e03;
  // Cody region 2: erfc(z) = exp(-z^2) C(z) / D(z).
  static final double[] C = {
    2.15311535474403846e-8, // C9, highest degree first
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03
  };
  static final double[] D = {
    1.0,
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03
  };
  // Cody region 3 over a common denominator in s = z^2 (see the comment above).
  static final double[] P = {
    6.58749161529837803e-4, // P5 s^5
    1.60837851487422766e-2, // P4
    1.25781726111229246e-1, // P3
    3.60344899949804439e-1, // P2
    3.05326634961232344e-1, // P1
    1.63153871373020978e-2 // P6 s^0
  };
  static final double[] Q = {
    2.33520497626869185e-3, // Q5 s^5
    6.05183413124413191e-2,
    5.27905102951428412e-1,
    1.87295284992346047e00,
    2.56852019228982242e00,
    1.0
  };

  // AS241, highest degree first.
  static final double[] AS_A = {
    2.5090809287301226727e3,
    3.3430575583588128105e4,
    6.7265770927008700853e4,
    4.5921953931549871457e4,
    1.3731693765509461125e4,
    1.9715909503065514427e3,
    1.3314166789178437745e2,
    3.3871328727963666080e0
  };
  static final double[] AS_B = {
    5.2264952788528545610e3,
    2.8729085735721942674e4,
    3.9307895800092710610e4,
    2.1213794301586595867e4,
    5.3941960214247511077e3,
    6.8718700749205790830e2,
    4.2313330701600911252e1,
    1.0
  };
  static final double[] AS_C = {
    7.74545014278341407640e-4,
    2.27238449892691845833e-2,
    2.41780725177450611770e-1,
    1.27045825245236838258e0,
    3.64784832476320460504e0,
    5.76949722146069140550e0,
    4.63033784615654529590e0,
    1.42343711074968357734e0
  };
  static final double[] AS_D = {
    1.05075007164441684324e-9,
    5.47593808499534494600e-4,
    1.51986665636164571966e-2,
    1.48103976427480074590e-1,
    6.89767334985100004550e-1,
    1.67638483018380384940e0,
    2.05319162663775882187e0,
    1.0
  };
  static final double[] AS_E = {
    2.01033439929228813265e-7,
    2.71155556874348757815e-5,
    1.24266094738807843860e-3,
    2.65321895265761230930e-2,
    2.96560571828504891230e-1,
    1.78482653991729133580e0,
    5.46378491116411436990e0,
    6.65790464350110377720e0
  };
  static final double[] AS_F = {
    2.04426310338993978564e-15,
    1.42151175831644588870e-7,
    1.84631831751005468180e-5,
    7.86869131145613259100e-4,
    1.48753612908506148525e-2,
    1.36929880922735805310e-1,
    5.99832206555887937690e-1,
    1.0
  };
  static final double AS_SPLIT1 = 0.425;
  static final double AS_SPLIT2 = 5.0;
  static final double AS_CONST1 = 0.180625;
  static final double AS_CONST2 = 1.6;

  /** e^x, correctly rounded or off by at most 1 ulp; platform-independent. */
  public static double exp(double x) {
    double xc = x < EXP_MIN ? EXP_MIN : (x > EXP_MAX ? EXP_MAX : x);
    double t = Math.fma(xc, INV_LN2, SHIFT);
    double kd = t - SHIFT;
    long k = Double.doubleToRawLongBits(t) - SHIFT_BITS;
    double r = Math.fma(kd, -LN2_HI, xc);
    r = Math.fma(kd, -LN2_LO, r);
    double p = EXP_P[0];
    for (int j = 1; j < EXP_P.length; j++) {
      p = Math.fma(p, r, EXP_P[j]);
    }
    double e = 1.0 + Math.fma(r * r, p, r);
    long k1 = k >> 1;
    long k2 = k - k1;
    return e
        * Double.longBitsToDouble((k1 + 1023) << 52)
        * Double.longBitsToDouble((k2 + 1023) << 52);
  }

  /** Natural logarithm, off by at most 1 ulp; log(0) = -inf, log(x < 0) = NaN. */
  public static double log(double x) {
    if (!(x > 0.0) || x == Double.POSITIVE_INFINITY) {
      return x == 0.0 ? Double.NEGATIVE_INFINITY : (x > 0.0 ? x : Double.NaN);
    }
    boolean sub = x < Double.MIN_NORMAL;
    double xs = sub ? x * TWO54 : x;
    long ix = Double.doubleToRawLongBits(xs);
    long tmp = ix - LOG_OFF;
    long k = (tmp >> 52) + (sub ? -54 : 0);
    double z = Double.longBitsToDouble(ix - (tmp & EXP_MASK));
    double f = z - 1.0;
    double hfsq = 0.5 * f * f;
    double s = f / (2.0 + f);
    double zz = s * s;
    double w = zz * zz;
    double t1 = w * Math.fma(w, Math.fma(w, LG6, LG4), LG2);
    double t2 = zz * Math.fma(w, Math.fma(w, Math.fma(w, LG7, LG5), LG3), LG1);
    double dk = (double) k;
    return Math.fma(dk, LN2_HI, f - Math.fma(-s, hfsq + (t2 + t1), Math.fma(-dk, LN2_LO, hfsq)));
  }

  /** The standard normal density phi(x) = exp(-x^2/2) / sqrt(2 pi). */
  public static double normPdf(double x) {
    double a = Math.abs(x);
    a = a > CDF_CLAMP ? CDF_CLAMP : a;
    return INV_SQRT_2PI * expNegHalfSquare(a);
  }

  /** exp(-a^2 / 2) for 0 <= a <= 40 with the rounding error of a^2 taken into account. */
  static double expNegHalfSquare(double a) {
    double h = a * a;
    double l = Math.fma(a, a, -h);
    double e = exp(-0.5 * h);
    return Math.fma(e, -0.5 * l, e);
  }

  /** The standard normal CDF Phi(x), relative error about 1e-15 (Cody); NaN gives NaN. */
  public static double normCdf(double x) {
    double a = Math.abs(x);
    a = a > CDF_CLAMP ? CDF_CLAMP : a;
    double z = a * INV_SQRT2;
    if (z <= THRESH) {
      double xs = x * INV_SQRT2;
      double y = xs * xs;
      double num = Math.fma(Math.fma(Math.fma(Math.fma(A5, y, A1), y, A2), y, A3), y, A4);
      double den = Math.fma(Math.fma(Math.fma(y + B1, y, B2), y, B3), y, B4);
      return 0.5 + 0.5 * (xs * (num / den));
    }
    double ratio;
    if (z <= 4.0) {
      ratio = horner(C, z) / horner(D, z);
    } else {
      double s = z * z;
      double sd = s * horner(Q, s);
      ratio = Math.fma(SQRPI, sd, -horner(P, s)) / (sd * z);
    }
    double tail = 0.5 * expNegHalfSquare(a) * ratio;
    return x < 0.0 ? tail : 1.0 - tail;
  }

  /**
   * The standard normal quantile Phi^-1(p) (Wichura AS241, about 1e-16 relative); p = 0 gives -inf,
   * p = 1 gives +inf, p outside [0, 1] or NaN gives NaN.
   */
  public static double normInvCdf(double p) {
    if (!(p > 0.0 && p < 1.0)) {
      return p == 0.0
          ? Double.NEGATIVE_INFINITY
          : (p == 1.0 ? Double.POSITIVE_INFINITY : Double.NaN);
    }
    double q = p - 0.5;
    if (Math.abs(q) <= AS_SPLIT1) {
      double r = AS_CONST1 - q * q;
      return q * (horner(AS_A, r) / horner(AS_B, r));
    }
    double pm = q < 0.0 ? p : 1.0 - p;
    double r = Math.sqrt(-log(pm));
    double x;
    if (r <= AS_SPLIT2) {
      double rr = r - AS_CONST2;
      x = horner(AS_C, rr) / horner(AS_D, rr);
    } else {
      double rr = r - AS_SPLIT2;
      x = horner(AS_E, rr) / horner(AS_F, rr);
    }
    return q < 0.0 ? -x : x;
  }

  /** c[0] x^(n-1) + ... + c[n-1] by Horner's rule with fma. */
  static double horner(double[] c, double x) {
    double acc = c[0];
    for (int j = 1; j < c.length; j++) {
      acc = Math.fma(acc, x, c[j]);
    }
    return acc;
  }
}
