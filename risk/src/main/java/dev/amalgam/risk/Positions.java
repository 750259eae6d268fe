package dev.amalgam.risk;

import dev.amalgam.kernels.BlackScholesScenarios;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The book prepared for revaluation: instruments sorted by cell (a combination of the job's
 * group-by keys), options and linear instruments in separate column arrays, today's values and the
 * inputs at the horizon.
 *
 * <pre>
 *  time to expiry today      T0 = (expiry - valuation date) / 365          (ACT/365F)
 *  time to expiry at horizon T1 = max(T0 - H / 252, 0)                    (H trading days)
 *  rates                     r0 = curve(T0), r1 = curve(T1)                (the curve does not move)
 *  value per unit            equity S; forward S - K e^(-r T); call/put Black-Scholes(S, K, T, vol, r)
 *  P&amp;L of a scenario        quantity * (V(S_H, T1, r1) - V(S_0, T0, r0))
 * </pre>
 */
final class Positions {
  /** Trading days per year: the horizon in years is H / 252. */
  static final double TRADING_DAYS = 252.0;

  final Book book;
  final List<RiskLevel> levels;
  final int underlyings;
  final double[] spot0;
  final double[] vol;

  /** Cells: keys.get(c)[l] is level l's key of cell c. */
  final List<String[]> cellKeys;

  /** Per level, its distinct keys sorted. */
  final List<List<String>> groupKeys;

  // options, in cell order
  final int options;
  final Instrument[] optionInstrument;
  final int[] optCell;
  final int[] optUnd;
  final double[] optStrike;
  final double[] optT0;
  final double[] optT1;
  final double[] optVol;
  final double[] optR0;
  final double[] optR1;
  final long[] optCalls;
  final double[] optQty;
  final double[] optV0;

  /** Per option, the scenario revaluation's constants at the horizon (T1, r1, vol, strike). */
  final BlackScholesScenarios.Coefficients[] optCoef;

  // equities and forwards, in cell order
  final int linear;
  final Instrument[] linInstrument;
  final int[] linCell;
  final int[] linUnd;
  final double[] linQty;
  final double[] linKdf1;
  final double[] linV0;

  Positions(Book book, int horizonDays, List<RiskLevel> levels) {
    this.book = book;
    this.levels = List.copyOf(levels);
    CorrelationMatrix c = book.correlation();
    underlyings = c.size();
    spot0 = new double[underlyings];
    vol = new double[underlyings];
    for (int u = 0; u < underlyings; u++) {
      UnderlyingQuote q = book.market().quote(c.names().get(u));
      if (q == null) {
        throw new IllegalStateException("validated book without quote: " + c.names().get(u));
      }
      spot0[u] = q.spot();
      vol[u] = q.vol();
    }
    List<Instrument> sorted = new ArrayList<>(book.instruments());
    Comparator<Instrument> byCell = (a, b) -> 0;
    for (RiskLevel l : this.levels) {
      byCell = byCell.thenComparing(l::keyOf);
    }
    sorted.sort(byCell);
    Map<String, Integer> cellIds = new LinkedHashMap<>();
    cellKeys = new ArrayList<>();
    int[] cellOf = new int[sorted.size()];
    for (int i = 0; i < sorted.size(); i++) {
      Instrument ins = sorted.get(i);
      String[] key = new String[this.levels.size()];
      for (int l = 0; l < key.length; l++) {
        key[l] = this.levels.get(l).keyOf(ins);
      }
      String joined = String.join("\u0000", key);
      Integer id = cellIds.get(joined);
      if (id == null) {
        id = cellIds.size();
        cellIds.put(joined, id);
        cellKeys.add(key);
      }
      cellOf[i] = id;
    }
    groupKeys = new ArrayList<>();
    for (int l = 0; l < this.levels.size(); l++) {
      java.util.TreeSet<String> keys = new java.util.TreeSet<>();
      for (String[] k : cellKeys) {
        keys.add(k[l]);
      }
      groupKeys.add(List.copyOf(keys));
    }
    int nOpt = 0;
    for (Instrument i : sorted) {
      if (i.type().isOption()) {
        nOpt++;
      }
    }
    options = nOpt;
    linear = sorted.size() - nOpt;
    optionInstrument = new Instrument[options];
    optCell = new int[options];
    optUnd = new int[options];
    optStrike = new double[options];
    optT0 = new double[options];
    optT1 = new double[options];
    optVol = new double[options];
    optR0 = new double[options];
    optR1 = new double[options];
    optQty = new double[options];
    optV0 = new double[options];
    boolean[] calls = new boolean[options];
    linInstrument = new Instrument[linear];
    linCell = new int[linear];
    linUnd = new int[linear];
    linQty = new double[linear];
    linKdf1 = new double[linear];
    linV0 = new double[linear];
    LocalDate today = book.market().valuationDate();
    RateCurve curve = book.market().curve();
    double h = horizonDays / TRADING_DAYS;
    int o = 0;
    int n = 0;
    for (int i = 0; i < sorted.size(); i++) {
      Instrument ins = sorted.get(i);
      int u = c.indexOf(ins.underlying());
      LocalDate expiry = ins.expiry();
      double t0 = expiry == null ? 0.0 : (expiry.toEpochDay() - today.toEpochDay()) / 365.0;
      double t1 = Math.max(t0 - h, 0.0);
      if (ins.type().isOption()) {
        optionInstrument[o] = ins;
        optCell[o] = cellOf[i];
        optUnd[o] = u;
        optStrike[o] = ins.strikeOrZero();
        optT0[o] = t0;
        optT1[o] = t1;
        optVol[o] = vol[u];
        optR0[o] = curve.rate(t0);
        optR1[o] = curve.rate(t1);
        optQty[o] = ins.quantity();
        calls[o] = ins.type() == InstrumentType.CALL;
        o++;
      } else {
        linInstrument[n] = ins;
        linCell[n] = cellOf[i];
        linUnd[n] = u;
        linQty[n] = ins.quantity();
        if (ins.type() == InstrumentType.FORWARD) {
          double k = ins.strikeOrZero();
          linKdf1[n] = k * dev.amalgam.kernels.FinanceMath.exp(-(curve.rate(t1) * t1));
          linV0[n] = spot0[u] - k * dev.amalgam.kernels.FinanceMath.exp(-(curve.rate(t0) * t0));
        } else {
          linV0[n] = spot0[u];
        }
        n++;
      }
    }
    optCalls = OptionPricer.callBits(calls);
    optCoef = new BlackScholesScenarios.Coefficients[options];
    for (int k = 0; k < options; k++) {
      optCoef[k] =
          BlackScholesScenarios.Coefficients.of(
              spot0[optUnd[k]], optStrike[k], optT1[k], optVol[k], optR1[k], calls[k]);
    }
    double[] s0 = new double[options];
    for (int k = 0; k < options; k++) {
      s0[k] = spot0[optUnd[k]];
    }
    OptionPricer.price(
        s0, 0, optStrike, optT0, optVol, optR0, optCalls, 0, options, optV0, null, null, null, null,
        null);
  }

  /** The group id of {@code key} at level index {@code level} (its rank among the level's keys). */
  int groupId(int level, String key) {
    int i = java.util.Collections.binarySearch(groupKeys.get(level), key);
    if (i < 0) {
      throw new IllegalArgumentException("no group '" + key + "'");
    }
    return i;
  }

  /** The key of group {@code id} at level index {@code level}. */
  String groupKey(int level, int id) {
    return groupKeys.get(level).get(id);
  }

  int cells() {
    return cellKeys.size();
  }

  /** Cell keys of one level, in cell order. */
  String[] cellKeys(int level) {
    String[] out = new String[cellKeys.size()];
    for (int c = 0; c < out.length; c++) {
      out[c] = cellKeys.get(c)[level];
    }
    return out;
  }

  int instruments() {
    return options + linear;
  }

  @Override
  public String toString() {
    return options
        + " options and "
        + linear
        + " linear positions in "
        + cells()
        + " cells "
        + Arrays.toString(levels.toArray());
  }
}
