package dev.amalgam.risk;

import dev.amalgam.exec.Engine;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Full revaluation: every instrument in every scenario, summed per cell, as exact integers of
 * {@link #UNITS_PER_CURRENCY} (1/10,000 of the book currency).
 *
 * <p>Work is split into tasks of {@link #SCENARIO_BLOCK} scenarios run on the engine's workers. A
 * task walks the options in blocks of {@link #OPTION_BLOCK} (their inputs stay in cache while the
 * block is priced for each of its scenarios), gathers each option's spot from the scenario row,
 * prices the block with the Black-Scholes kernel and adds {@code quantity * (V_H - V_0)} to the
 * option's cell; linear positions follow. Within a scenario the order of the additions is fixed
 * (options in book order, then linear positions) whatever the split, and each cell total is then
 * rounded once to units, so the result is the same bit for bit on any topology and any number of
 * workers; the engine's sums over those integers are exact.
 */
final class Revaluation {
  static final double UNITS_PER_CURRENCY = 10_000.0;
  static final int SCENARIO_BLOCK = 32;
  static final int OPTION_BLOCK = 4096;

  private Revaluation() {}

  /** P&amp;L units per (scenario, cell): {@code pnl[s * cells + c]}. */
  static long[] run(
      Engine engine, Positions p, double[] spots, int scenarios, RiskJob.Progress pr) {
    int cells = p.cells();
    int u = p.underlyings;
    long[] pnl = new long[Math.multiplyExact(scenarios, cells)];
    int tasks = (scenarios + SCENARIO_BLOCK - 1) / SCENARIO_BLOCK;
    AtomicLong done = new AtomicLong();
    engine.runTasks(
        tasks,
        (t, member) -> {
          int s0 = t * SCENARIO_BLOCK;
          int c = Math.min(SCENARIO_BLOCK, scenarios - s0);
          double[] acc = new double[c * cells];
          int ob = Math.min(OPTION_BLOCK, Math.max(p.options, 1));
          double[] spot = new double[ob];
          double[] price = new double[ob];
          for (int o0 = 0; o0 < p.options; o0 += OPTION_BLOCK) {
            int n = Math.min(OPTION_BLOCK, p.options - o0);
            for (int s = 0; s < c; s++) {
              int row = (s0 + s) * u;
              for (int i = 0; i < n; i++) {
                spot[i] = spots[row + p.optUnd[o0 + i]];
              }
              OptionPricer.price(
                  spot,
                  0,
                  p.optStrike,
                  p.optT1,
                  p.optVol,
                  p.optR1,
                  p.optCalls,
                  o0,
                  n,
                  price,
                  null,
                  null,
                  null,
                  null,
                  null);
              int base = s * cells;
              for (int i = 0; i < n; i++) {
                int k = o0 + i;
                acc[base + p.optCell[k]] += p.optQty[k] * (price[i] - p.optV0[k]);
              }
            }
          }
          for (int s = 0; s < c; s++) {
            int row = (s0 + s) * u;
            int base = s * cells;
            for (int j = 0; j < p.linear; j++) {
              double v = spots[row + p.linUnd[j]] - p.linKdf1[j];
              acc[base + p.linCell[j]] += p.linQty[j] * (v - p.linV0[j]);
            }
          }
          for (int s = 0; s < c; s++) {
            for (int cell = 0; cell < cells; cell++) {
              pnl[(s0 + s) * cells + cell] = units(acc[s * cells + cell], s0 + s, p, cell);
            }
          }
          pr.update("revaluation", done.addAndGet(c), scenarios);
        });
    return pnl;
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
