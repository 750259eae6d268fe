package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Finance kernels over float64 columns: the normal distribution, Black-Scholes prices and Greeks,
 * Philox4x32-10 random numbers and correlated geometric Brownian motion steps.
 *
 * <p>Row-wise kernels take {@code (input columns, validity, n, sel, outputs)}: {@code validity} is
 * the bitmap of rows valid in <em>every</em> input ({@code null} = no nulls; the caller ANDs the
 * inputs' bitmaps), {@code sel} an optional ascending selection of {@code n} rows ({@code null} =
 * rows {@code [0, n)}). Outputs are row-aligned with the inputs: row {@code i}'s result goes to
 * index {@code i} of each output; with a selection only the selected rows are written. A null row
 * gets 0.0 in every output, and its output validity is the input validity (reuse the bitmap).
 *
 * <p>Results of {@link #cpu()} are defined bit for bit by {@link FinanceMath} and {@link
 * Philox4x32}: they do not depend on the vector width or on how rows are split between calls or
 * devices. Every method may be called from several threads at once on disjoint outputs.
 */
public interface FinanceKernels {
  /** The CPU implementation (Vector API with a scalar tail). */
  static FinanceKernels cpu() {
    return CpuFinanceKernels.INSTANCE;
  }

  /** out[i] = Phi(x[i]), the standard normal CDF (relative error ~1e-15); null rows give 0.0. */
  void normCdf(
      MemorySegment x,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out);

  /**
   * out[i] = Phi^-1(p[i]) (AS241, ~1e-16 relative); p = 0 / 1 give -inf / +inf, p outside [0, 1] or
   * NaN give NaN; null rows give 0.0.
   */
  void normInvCdf(
      MemorySegment p,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out);

  /**
   * Black-Scholes-Merton price and the Greeks requested in {@code out} for each option row (see
   * {@link GreekColumns} for units and limits); null rows give 0.0, invalid inputs NaN.
   */
  void blackScholes(
      OptionColumns options,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      GreekColumns out);

  /**
   * out[k] = {@link Philox4x32#uniform}(seed, stream, first + k) for k in [0, n): uniforms in (0,
   * 1); no nulls.
   */
  void uniforms(long seed, long stream, long first, MemorySegment out, int n);

  /**
   * out[k] = {@link Philox4x32#normal}(seed, stream, first + k) for k in [0, n): standard normals
   * (inverse CDF of the uniforms); no nulls.
   */
  void normals(long seed, long stream, long first, MemorySegment out, int n);

  /**
   * One correlated geometric Brownian motion step, in place on {@code prices}; no nulls.
   *
   * <p>{@code prices} holds {@code scenarios} x {@code underlyings} float64, scenario-major ({@code
   * prices[s * U + u]}), for the global scenarios {@code firstScenario ..}. Scenario {@code g =
   * firstScenario + s} draws {@code z_u = Philox4x32.normal(seed, stream, g * U + u)} (use the step
   * number as the stream), correlates them with the lower-triangular factor {@code L} (U x U
   * row-major; {@code null} = identity): {@code w_u = sum_{k <= u} L[u][k] z_k} (fma, k ascending),
   * and sets {@code S_u *= exp(a_u + b_u w_u)} (one fma inside the {@link FinanceMath#exp}) with
   * {@code a_u = (drift_u - 0.5 vol_u^2) dt} and {@code b_u = vol_u sqrt(dt)}.
   */
  void gbmStep(
      MemorySegment prices,
      int scenarios,
      int underlyings,
      MemorySegment drift,
      MemorySegment vol,
      double dt,
      @Nullable MemorySegment cholesky,
      long seed,
      long stream,
      long firstScenario);

  /**
   * Writes the lower-triangular Cholesky factor L (A = L L^T, zeros above the diagonal) of the
   * symmetric positive semi-definite {@code dim} x {@code dim} row-major matrix into {@code out};
   * throws {@link KernelException} naming the row and column where A is not symmetric or not
   * positive semi-definite.
   */
  void cholesky(MemorySegment matrix, int dim, MemorySegment out);

  /**
   * The inputs of {@link #blackScholes}: float64 columns of spot S, strike K, time to expiry T (in
   * years), volatility sigma (annualised, 0.2 = 20%), continuously compounded rate r and optional
   * continuous dividend yield q ({@code null} = 0; cost of carry b = r - q), and the option type:
   * an Arrow bool column {@code isCall} (bit i = 1: call) or, when that is {@code null}, {@code
   * allCalls} for every row.
   */
  record OptionColumns(
      MemorySegment spot,
      MemorySegment strike,
      MemorySegment expiry,
      MemorySegment vol,
      MemorySegment rate,
      @Nullable MemorySegment dividend,
      @Nullable MemorySegment isCall,
      boolean allCalls) {
    /** Checks that the required columns are present. */
    public OptionColumns {
      Objects.requireNonNull(spot, "spot is null");
      Objects.requireNonNull(strike, "strike is null");
      Objects.requireNonNull(expiry, "expiry is null");
      Objects.requireNonNull(vol, "vol is null");
      Objects.requireNonNull(rate, "rate is null");
    }

    /** Calls on every row, no dividends. */
    public static OptionColumns calls(
        MemorySegment spot,
        MemorySegment strike,
        MemorySegment expiry,
        MemorySegment vol,
        MemorySegment rate) {
      return new OptionColumns(spot, strike, expiry, vol, rate, null, null, true);
    }

    /** Puts on every row, no dividends. */
    public static OptionColumns puts(
        MemorySegment spot,
        MemorySegment strike,
        MemorySegment expiry,
        MemorySegment vol,
        MemorySegment rate) {
      return new OptionColumns(spot, strike, expiry, vol, rate, null, null, false);
    }

    /** Calls where bit i of the bool column {@code isCall} is set, puts elsewhere. */
    public static OptionColumns of(
        MemorySegment spot,
        MemorySegment strike,
        MemorySegment expiry,
        MemorySegment vol,
        MemorySegment rate,
        MemorySegment isCall) {
      return new OptionColumns(spot, strike, expiry, vol, rate, null, isCall, true);
    }

    /** The same options with a continuous dividend yield column. */
    public OptionColumns withDividend(MemorySegment dividendYield) {
      return new OptionColumns(spot, strike, expiry, vol, rate, dividendYield, isCall, allCalls);
    }
  }

  /**
   * The outputs of {@link #blackScholes}: one float64 column per measure, {@code null} = not
   * computed; at least one must be present.
   *
   * <p>With d1 = (ln(S/K) + (r - q + sigma^2/2) T) / (sigma sqrt T), d2 = d1 - sigma sqrt T and
   * sign w = +1 for calls, -1 for puts: price = w (S e^-qT Phi(w d1) - K e^-rT Phi(w d2)); delta =
   * dV/dS = w e^-qT Phi(w d1); gamma = d2V/dS2; vega = dV/dsigma per 1.00 of volatility (divide by
   * 100 for one vol point); theta = -dV/dT per year (divide by 365 for a calendar day); rho = dV/dr
   * per 1.00 of rate with q fixed.
   *
   * <p>Limits: where sigma sqrt T = 0 (T = 0 or sigma = 0) the option is deterministic: d1 = d2 =
   * +inf, -inf or 0 as the forward S e^((r-q)T) is above, below or at K, so price = max(w (S e^-qT
   * - K e^-rT), 0) (the intrinsic value at T = 0), delta = w e^-qT Phi(w d1) (1/2 at the money),
   * gamma = vega = 0 and theta, rho keep only their carry terms. Inputs outside S > 0, K > 0, T >=
   * 0, sigma >= 0 (all finite) or a non-finite r or q give NaN in every output.
   */
  record GreekColumns(
      @Nullable MemorySegment price,
      @Nullable MemorySegment delta,
      @Nullable MemorySegment gamma,
      @Nullable MemorySegment vega,
      @Nullable MemorySegment theta,
      @Nullable MemorySegment rho) {
    /** Checks that at least one output is requested. */
    public GreekColumns {
      if (price == null
          && delta == null
          && gamma == null
          && vega == null
          && theta == null
          && rho == null) {
        throw new IllegalArgumentException("no Black-Scholes output requested");
      }
    }

    /** The price only. */
    public static GreekColumns priceOnly(MemorySegment price) {
      return new GreekColumns(price, null, null, null, null, null);
    }

    /** The price and all five Greeks. */
    public static GreekColumns all(
        MemorySegment price,
        MemorySegment delta,
        MemorySegment gamma,
        MemorySegment vega,
        MemorySegment theta,
        MemorySegment rho) {
      return new GreekColumns(price, delta, gamma, vega, theta, rho);
    }
  }
}
