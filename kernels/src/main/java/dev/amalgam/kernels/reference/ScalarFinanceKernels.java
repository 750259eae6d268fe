package dev.amalgam.kernels.reference;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.FinanceKernels;
import dev.amalgam.kernels.FinanceMath;
import dev.amalgam.kernels.KernelException;
import dev.amalgam.kernels.Philox4x32;
import dev.amalgam.kernels.Selection;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * The plain scalar reference of {@link FinanceKernels}, for differential tests and benchmarks.
 *
 * <p>The math is written independently of the CPU kernels, straight from the sources: Cody's CALERF
 * for erfc (with {@link Math#exp}), AS241 with {@link Math#log}, the textbook Black-Scholes-Merton
 * formulas with explicit branches for the limits. It agrees with {@link FinanceKernels#cpu()} to a
 * stated tolerance. Random streams and GBM steps are defined bit for bit by {@link Philox4x32} and
 * {@link FinanceMath#exp}, which this class calls one value at a time.
 */
public final class ScalarFinanceKernels implements FinanceKernels {
  private static final double SQRT2 = 1.41421356237309504880;

  @Override
  public void normCdf(
      MemorySegment x,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      double r = Validity.isValid(validity, row) ? phi(ArrowLayout.float64(x, row)) : 0.0;
      out.setAtIndex(ArrowLayout.FLOAT64, row, r);
    }
  }

  @Override
  public void normInvCdf(
      MemorySegment p,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      double r = Validity.isValid(validity, row) ? phiInverse(ArrowLayout.float64(p, row)) : 0.0;
      out.setAtIndex(ArrowLayout.FLOAT64, row, r);
    }
  }

  @Override
  public void blackScholes(
      OptionColumns o,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      GreekColumns out) {
    double[] res = new double[6];
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(validity, row)) {
        boolean call = o.isCall() == null ? o.allCalls() : Validity.isValid(o.isCall(), row);
        MemorySegment q = o.dividend();
        option(
            ArrowLayout.float64(o.spot(), row),
            ArrowLayout.float64(o.strike(), row),
            ArrowLayout.float64(o.expiry(), row),
            ArrowLayout.float64(o.vol(), row),
            ArrowLayout.float64(o.rate(), row),
            q == null ? 0.0 : ArrowLayout.float64(q, row),
            call,
            res);
      } else {
        java.util.Arrays.fill(res, 0.0);
      }
      set(out.price(), row, res[0]);
      set(out.delta(), row, res[1]);
      set(out.gamma(), row, res[2]);
      set(out.vega(), row, res[3]);
      set(out.theta(), row, res[4]);
      set(out.rho(), row, res[5]);
    }
  }

  @Override
  public void uniforms(long seed, long stream, long first, MemorySegment out, int n) {
    for (int k = 0; k < n; k++) {
      out.setAtIndex(ArrowLayout.FLOAT64, k, Philox4x32.uniform(seed, stream, first + k));
    }
  }

  @Override
  public void normals(long seed, long stream, long first, MemorySegment out, int n) {
    for (int k = 0; k < n; k++) {
      out.setAtIndex(ArrowLayout.FLOAT64, k, Philox4x32.normal(seed, stream, first + k));
    }
  }

  @Override
  public void gbmStep(
      MemorySegment prices,
      int scenarios,
      int underlyings,
      MemorySegment drift,
      MemorySegment vol,
      double dt,
      @Nullable MemorySegment cholesky,
      long seed,
      long stream,
      long firstScenario) {
    int u = underlyings;
    double[] z = new double[u];
    for (int s = 0; s < scenarios; s++) {
      long g = firstScenario + s;
      for (int j = 0; j < u; j++) {
        z[j] = Philox4x32.normal(seed, stream, g * u + j);
      }
      for (int j = 0; j < u; j++) {
        double w;
        if (cholesky == null) {
          w = z[j];
        } else {
          w = 0.0;
          for (int k = 0; k <= j; k++) {
            w = Math.fma(ArrowLayout.float64(cholesky, (long) j * u + k), z[k], w);
          }
        }
        double sigma = ArrowLayout.float64(vol, j);
        double a = (ArrowLayout.float64(drift, j) - 0.5 * sigma * sigma) * dt;
        double b = sigma * Math.sqrt(dt);
        long at = (long) s * u + j;
        double price = ArrowLayout.float64(prices, at);
        prices.setAtIndex(ArrowLayout.FLOAT64, at, price * FinanceMath.exp(Math.fma(b, w, a)));
      }
    }
  }

  @Override
  public void cholesky(MemorySegment matrix, int dim, MemorySegment out) {
    double[][] a = new double[dim][dim];
    double maxDiagonal = 0.0;
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < dim; j++) {
        a[i][j] = ArrowLayout.float64(matrix, (long) i * dim + j);
        if (!Double.isFinite(a[i][j])) {
          throw KernelException.invalid("cholesky", i, "entry at column " + j + " is " + a[i][j]);
        }
      }
      maxDiagonal = Math.max(maxDiagonal, Math.abs(a[i][i]));
    }
    double tol = 1e-12 * maxDiagonal;
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < i; j++) {
        if (Math.abs(a[i][j] - a[j][i]) > tol) {
          throw KernelException.invalid("cholesky", i, "not symmetric at column " + j);
        }
      }
    }
    double[][] l = new double[dim][dim];
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = a[i][j];
        for (int k = 0; k < j; k++) {
          sum -= l[i][k] * l[j][k];
        }
        if (i == j) {
          if (sum < -tol) {
            throw KernelException.invalid("cholesky", i, "negative pivot at column " + i);
          }
          l[i][i] = sum > tol ? Math.sqrt(sum) : 0.0;
        } else if (l[j][j] > 0.0) {
          l[i][j] = sum / l[j][j];
        } else if (Math.abs(sum) <= tol) {
          l[i][j] = 0.0;
        } else {
          throw KernelException.invalid("cholesky", i, "zero pivot under column " + j);
        }
      }
    }
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < dim; j++) {
        out.setAtIndex(ArrowLayout.FLOAT64, (long) i * dim + j, l[i][j]);
      }
    }
  }

  private static void set(@Nullable MemorySegment out, int row, double v) {
    if (out != null) {
      out.setAtIndex(ArrowLayout.FLOAT64, row, v);
    }
  }

  /** Phi(x) = erfc(-x / sqrt 2) / 2 with Cody's CALERF. */
  public static double phi(double x) {
    return 0.5 * erfc(-x / SQRT2);
  }

  /** The standard normal density. */
  public static double density(double x) {
    return Math.exp(-0.5 * x * x) / Math.sqrt(2.0 * Math.PI);
  }

  /** erfc(x), W. J. Cody's CALERF (netlib specfun), transcribed as published. */
  public static double erfc(double x) {
    double y = Math.abs(x);
    double result;
    if (y <= 0.46875) {
      double ysq = y > 1.11e-16 ? y * y : 0.0;
      double xnum = 1.85777706184603153e-1 * ysq;
      double xden = ysq;
      double[] a = {3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02};
      double[] b = {2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03};
      for (int i = 0; i < 3; i++) {
        xnum = (xnum + a[i]) * ysq;
        xden = (xden + b[i]) * ysq;
      }
      return 1.0 - x * (xnum + 3.20937758913846947e03) / (xden + 2.84423683343917062e03);
    } else if (y <= 4.0) {
      double[] c = {
        5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
        2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
        2.05107837782607147e03
      };
      double[] d = {
        1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
        1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
        3.43936767414372164e03
      };
      double xnum = 2.15311535474403846e-8 * y;
      double xden = y;
      for (int i = 0; i < 7; i++) {
        xnum = (xnum + c[i]) * y;
        xden = (xden + d[i]) * y;
      }
      result = (xnum + 1.23033935479799725e03) / (xden + 1.23033935480374942e03);
    } else if (y >= 26.543) {
      result = 0.0;
    } else {
      double[] p = {
        3.05326634961232344e-1,
        3.60344899949804439e-1,
        1.25781726111229246e-1,
        1.60837851487422766e-2
      };
      double[] q = {
        2.56852019228982242e00,
        1.87295284992346047e00,
        5.27905102951428412e-1,
        6.05183413124413191e-2
      };
      double ysq = 1.0 / (y * y);
      double xnum = 1.63153871373020978e-2 * ysq;
      double xden = ysq;
      for (int i = 0; i < 4; i++) {
        xnum = (xnum + p[i]) * ysq;
        xden = (xden + q[i]) * ysq;
      }
      result = ysq * (xnum + 6.58749161529837803e-4) / (xden + 2.33520497626869185e-3);
      result = (5.6418958354775628695e-1 - result) / y;
    }
    if (y > 0.46875 && result != 0.0) {
      double ysq = Math.floor(y * 16.0) / 16.0;
      double del = (y - ysq) * (y + ysq);
      result = Math.exp(-ysq * ysq) * Math.exp(-del) * result;
    }
    return x < 0.0 ? 2.0 - result : result;
  }

  /** Phi^-1(p), Wichura's AS241 (PPND16) as published, with {@link Math#log}. */
  public static double phiInverse(double p) {
    if (Double.isNaN(p) || p < 0.0 || p > 1.0) {
      return Double.NaN;
    }
    if (p == 0.0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (p == 1.0) {
      return Double.POSITIVE_INFINITY;
    }
    double q = p - 0.5;
    if (Math.abs(q) <= 0.425) {
      double r = 0.180625 - q * q;
      return q
          * (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r
                                                      + 6.7265770927008700853e4)
                                                  * r
                                              + 4.5921953931549871457e4)
                                          * r
                                      + 1.3731693765509461125e4)
                                  * r
                              + 1.9715909503065514427e3)
                          * r
                      + 1.3314166789178437745e2)
                  * r
              + 3.3871328727963666080e0)
          / (((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r
                                                      + 3.9307895800092710610e4)
                                                  * r
                                              + 2.1213794301586595867e4)
                                          * r
                                      + 5.3941960214247511077e3)
                                  * r
                              + 6.8718700749205790830e2)
                          * r
                      + 4.2313330701600911252e1)
                  * r
              + 1.0);
    }
    double r = Math.sqrt(-Math.log(q < 0.0 ? p : 1.0 - p));
    double x;
    if (r <= 5.0) {
      r -= 1.6;
      x =
          (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r
                                                          + 2.41780725177450611770e-1)
                                                      * r
                                                  + 1.27045825245236838258e0)
                                              * r
                                          + 3.64784832476320460504e0)
                                      * r
                                  + 5.76949722146069140550e0)
                              * r
                          + 4.63033784615654529590e0)
                      * r
                  + 1.42343711074968357734e0)
              / (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r
                                                          + 1.51986665636164571966e-2)
                                                      * r
                                                  + 1.48103976427480074590e-1)
                                              * r
                                          + 6.89767334985100004550e-1)
                                      * r
                                  + 1.67638483018380384940e0)
                              * r
                          + 2.05319162663775882187e0)
                      * r
                  + 1.0);
    } else {
      r -= 5.0;
      x =
          (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
                                                          + 1.24266094738807843860e-3)
                                                      * r
                                                  + 2.65321895265761230930e-2)
                                              * r
                                          + 2.96560571828504891230e-1)
                                      * r
                                  + 1.78482653991729133580e0)
                              * r
                          + 5.46378491116411436990e0)
                      * r
                  + 6.65790464350110377720e0)
              / (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r
                                                          + 1.84631831751005468180e-5)
                                                      * r
                                                  + 7.86869131145613259100e-4)
                                              * r
                                          + 1.48753612908506148525e-2)
                                      * r
                                  + 1.36929880922735805310e-1)
                              * r
                          + 5.99832206555887937690e-1)
                      * r
                  + 1.0);
    }
    return q < 0.0 ? -x : x;
  }

  /**
   * Black-Scholes-Merton price, delta, gamma, vega, theta, rho of one option into {@code res}, with
   * the limits documented on {@link GreekColumns}.
   */
  public static void option(
      double s, double k, double t, double v, double r, double q, boolean call, double[] res) {
    if (!(s > 0
        && Double.isFinite(s)
        && k > 0
        && Double.isFinite(k)
        && t >= 0
        && Double.isFinite(t)
        && v >= 0
        && Double.isFinite(v)
        && Double.isFinite(r)
        && Double.isFinite(q))) {
      java.util.Arrays.fill(res, Double.NaN);
      return;
    }
    double w = call ? 1.0 : -1.0;
    double dfR = Math.exp(-r * t);
    double dfQ = Math.exp(-q * t);
    double sd = v * Math.sqrt(t);
    double d1;
    double d2;
    double pdf;
    if (sd > 0) {
      d1 = (Math.log(s / k) + (r - q + 0.5 * v * v) * t) / sd;
      d2 = d1 - sd;
      pdf = density(d1);
    } else {
      double m = Math.log(s / k) + (r - q) * t;
      d1 = m > 0 ? Double.POSITIVE_INFINITY : (m < 0 ? Double.NEGATIVE_INFINITY : 0.0);
      d2 = d1;
      pdf = 0.0;
    }
    double n1 = phi(w * d1);
    double n2 = phi(w * d2);
    res[0] = Math.max(0.0, w * (s * dfQ * n1 - k * dfR * n2));
    res[1] = w * dfQ * n1;
    res[2] = sd > 0 ? dfQ * pdf / (s * sd) : 0.0;
    res[3] = sd > 0 ? s * dfQ * pdf * Math.sqrt(t) : 0.0;
    double volTerm = sd > 0 ? s * dfQ * pdf * v / (2.0 * Math.sqrt(t)) : 0.0;
    res[4] = -volTerm - w * r * k * dfR * n2 + w * q * s * dfQ * n1;
    res[5] = w * k * t * dfR * n2;
  }
}
