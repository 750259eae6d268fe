package dev.amalgam.risk;

import dev.amalgam.exec.Engine;
import dev.amalgam.kernels.FinanceKernels;
import dev.amalgam.kernels.FinanceMath;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario generation: the spots of every underlying at the horizon, scenario-major ({@code spots[s
 * * U + u]}).
 *
 * <p>Monte Carlo: {@code H} daily steps of correlated geometric Brownian motion with zero drift,
 * {@code dt = 1/252}, through {@link FinanceKernels#gbmStep}: step {@code h} of scenario {@code s}
 * draws {@code z_u = Philox4x32.normal(seed, h, s * U + u)}, so every number is keyed by (seed,
 * step, scenario, underlying) and a block of scenarios gives the same spots whichever worker of
 * whichever member computes it.
 *
 * <p>Historical: scenario {@code s} applies the sum of the log returns of {@code H} consecutive
 * days (window {@code W - K + s} of the {@code W = days - H + 1} overlapping windows, the most
 * recent last) to today's spots; an underlying without a returns column does not move.
 */
final class Scenarios {
  /** Scenarios per task. */
  static final int BLOCK = 256;

  private Scenarios() {}

  static double[] monteCarlo(
      Engine engine, Positions p, int scenarios, int horizonDays, long seed, RiskJob.Progress pr) {
    int u = p.underlyings;
    double[] spots = new double[Math.multiplyExact(scenarios, u)];
    MemorySegment all = MemorySegment.ofArray(spots);
    MemorySegment chol = MemorySegment.ofArray(p.book.correlation().cholesky());
    MemorySegment drift = MemorySegment.ofArray(new double[u]);
    MemorySegment vol = MemorySegment.ofArray(p.vol.clone());
    double dt = 1.0 / Positions.TRADING_DAYS;
    int tasks = (scenarios + BLOCK - 1) / BLOCK;
    AtomicLong done = new AtomicLong();
    FinanceKernels k = FinanceKernels.cpu();
    engine.runTasks(
        tasks,
        (t, member) -> {
          int s0 = t * BLOCK;
          int c = Math.min(BLOCK, scenarios - s0);
          MemorySegment prices = all.asSlice((long) s0 * u * 8, (long) c * u * 8);
          for (int s = 0; s < c; s++) {
            System.arraycopy(p.spot0, 0, spots, (s0 + s) * u, u);
          }
          for (int h = 0; h < horizonDays; h++) {
            k.gbmStep(prices, c, u, drift, vol, dt, chol, seed, h, s0);
          }
          pr.update("scenarios", done.addAndGet(c), scenarios);
        });
    return spots;
  }

  /** Number of H-day windows in the returns. */
  static int windows(HistoricalReturns r, int horizonDays) {
    return Math.max(0, r.days() - horizonDays + 1);
  }

  static double[] historical(Positions p, int scenarios, int horizonDays, RiskJob.Progress pr) {
    HistoricalReturns r = p.book.returns();
    if (r == null) {
      throw new IllegalArgumentException("historical simulation needs returns; the book has none");
    }
    int w = windows(r, horizonDays);
    if (scenarios > w) {
      throw new IllegalArgumentException(
          scenarios
              + " historical scenarios requested but "
              + r.days()
              + " days of returns give only "
              + w
              + " windows of "
              + horizonDays
              + " days");
    }
    int u = p.underlyings;
    List<String> names = p.book.correlation().names();
    int[] col = new int[u];
    for (int j = 0; j < u; j++) {
      col[j] = r.indexOf(names.get(j));
    }
    double[] spots = new double[Math.multiplyExact(scenarios, u)];
    for (int s = 0; s < scenarios; s++) {
      int first = w - scenarios + s;
      for (int j = 0; j < u; j++) {
        double sum = 0.0;
        if (col[j] >= 0) {
          for (int d = 0; d < horizonDays; d++) {
            sum += r.get(first + d, col[j]);
          }
        }
        spots[s * u + j] = p.spot0[j] * FinanceMath.exp(sum);
      }
    }
    pr.update("scenarios", scenarios, scenarios);
    return spots;
  }
}
