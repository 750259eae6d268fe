package dev.amalgam.risk;

import dev.amalgam.exec.Engine;
import dev.amalgam.kernels.BlackScholesScenarios;
import dev.amalgam.kernels.FinanceMath;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Full revaluation: every instrument in every scenario, summed per cell, as exact integers of
 * {@link #UNITS_PER_CURRENCY} (1/10,000 of the book currency).
 *
 * <p>Work is split into tasks of {@link #SCENARIO_BLOCK} scenarios run on the engine's workers. A
 * task first turns its block into two underlying-major arrays, the log-return {@code x = ln(S /
 * S0)} and the spot {@code S} of each (underlying, scenario), so that an option's scenarios are
 * contiguous; then, option by option, {@link BlackScholesScenarios} prices the option in all the
 * block's scenarios at once (vector lanes are scenarios; the option's strike, discount and vol
 * terms are folded into per-option coefficients once, in {@link Positions}) and adds {@code
 * quantity * (V_H - V_0)} to the option's cell row. Linear positions follow. Within a (scenario,
 * cell) the order of the additions is fixed (options in book order, then linear positions) whatever
 * the split and the vector width, and each cell total is then rounded once to units, so the result
 * is the same bit for bit on any topology and any number of workers; the engine's sums over those
 * integers are exact.
 */
final class Revaluation {
  static final double UNITS_PER_CURRENCY = 10_000.0;
  static final int SCENARIO_BLOCK = 256;

  private Revaluation() {}

  /** P&amp;L units per (scenario, cell): {@code pnl[s * cells + c]}. */
  static long[] run(
      Engine engine, Positions p, double[] spots, int scenarios, RiskJob.Progress pr) {
    int cells = p.cells();
    long[] pnl = new long[Math.multiplyExact(scenarios, cells)];
    int tasks = (scenarios + SCENARIO_BLOCK - 1) / SCENARIO_BLOCK;
    AtomicLong done = new AtomicLong();
    engine.runTasks(
        tasks,
        (t, member) -> {
          int s0 = t * SCENARIO_BLOCK;
          int c = Math.min(SCENARIO_BLOCK, scenarios - s0);
          block(p, spots, s0, c, pnl);
          pr.update("revaluation", done.addAndGet(c), scenarios);
        });
    return pnl;
  }

  /** Revalues scenarios {@code [s0, s0 + c)} into their rows of {@code pnl}. */
  static void block(Positions p, double[] spots, int s0, int c, long[] pnl) {
    int u = p.underlyings;
    int cells = p.cells();
    double[] x = new double[u * c];
    double[] s = new double[u * c];
    for (int j = 0; j < c; j++) {
      int row = (s0 + j) * u;
      for (int k = 0; k < u; k++) {
        double spot = spots[row + k];
        s[k * c + j] = spot;
        x[k * c + j] = FinanceMath.log(spot / p.spot0[k]);
      }
    }
    double[] acc = new double[cells * c];
    BlackScholesScenarios pricer = new BlackScholesScenarios(c);
    for (int o = 0; o < p.options; o++) {
      pricer.accumulate(
          x, s, p.optUnd[o] * c, c, p.optCoef[o], p.optQty[o], p.optV0[o], acc, p.optCell[o] * c);
    }
    for (int n = 0; n < p.linear; n++) {
      int from = p.linUnd[n] * c;
      int to = p.linCell[n] * c;
      double q = p.linQty[n];
      double kdf = p.linKdf1[n];
      double v0 = p.linV0[n];
      for (int j = 0; j < c; j++) {
        acc[to + j] = acc[to + j] + ((s[from + j] - kdf) - v0) * q;
      }
    }
    for (int cell = 0; cell < cells; cell++) {
      for (int j = 0; j < c; j++) {
        pnl[(s0 + j) * cells + cell] = units(acc[cell * c + j], s0 + j, p, cell);
      }
    }
  }

  static long units(double amount, int scenario, Positions p, int cell) {
    double x = amount * UNITS_PER_CURRENCY;
    if (!(Math.abs(x) < 9.0e18)) {
      throw new ArithmeticException(
          "P&L of cell "
              + String.join("/", p.cellKeys.get(cell))
              + " in scenario "
              + scenario
              + " is "
              + amount
              + ": not finite or too large for exact sums (|P&L| < 9e14)");
    }
    return Math.round(x);
  }
}
