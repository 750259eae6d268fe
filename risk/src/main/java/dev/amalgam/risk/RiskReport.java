package dev.amalgam.risk;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The result of a {@link RiskJob}: VaR and expected shortfall of the whole book and of each group,
 * Euler contributions, Greeks, the total P&amp;L of every scenario, and where the time went.
 * Amounts are in the book's currency; a loss is a positive VaR. Immutable.
 */
public final class RiskReport {
  /** VaR and ES at one confidence level (losses, positive numbers are losses). */
  public record Measure(double confidence, double var, double es) {}

  /**
   * Position Greeks summed over instruments, in currency: {@code value} = quantity x price; {@code
   * delta} = quantity x delta x spot (cash delta); {@code gamma} = quantity x gamma x spot^2 / 100
   * (change of cash delta for a 1% move); {@code vega} per volatility point; {@code theta} per
   * calendar day; {@code rho} per basis point.
   */
  public record Greeks(
      double value, double delta, double gamma, double vega, double theta, double rho) {}

  /**
   * One group (a desk, a book or an underlying): its standalone VaR/ES at each confidence level,
   * its Euler VaR contribution and ES contribution at each level (same order), its Greeks.
   */
  public record GroupRisk(
      RiskLevel level,
      String key,
      int instruments,
      List<Measure> standalone,
      List<Double> eulerVar,
      List<Double> esContribution,
      Greeks greeks) {}

  /** Where the time went, in nanoseconds. */
  public record Timings(
      long load,
      long greeks,
      long scenarios,
      long revaluation,
      long store,
      long aggregation,
      long total) {
    /** Seconds of a phase. */
    public static double seconds(long nanos) {
      return nanos / 1e9;
    }
  }

  /** A histogram: {@code counts[i]} scenarios with P&amp;L in [edges[i], edges[i + 1]). */
  public record Histogram(double[] edges, long[] counts) {}

  /** What was run. */
  public record Setup(
      RiskJob.Method method,
      int scenarios,
      int horizonDays,
      List<Double> confidences,
      long seed,
      LocalDate valuationDate,
      String currency,
      int instruments,
      int options,
      int underlyings,
      int cells,
      String engine) {}

  private final Setup setup;
  private final List<Measure> totals;
  private final Map<RiskLevel, List<GroupRisk>> groups;
  private final Greeks greeks;
  private final double[] pnl;
  private final Timings timings;
  private final List<String> tables;

  RiskReport(
      Setup setup,
      List<Measure> totals,
      Map<RiskLevel, List<GroupRisk>> groups,
      Greeks greeks,
      double[] pnl,
      Timings timings,
      List<String> tables) {
    this.setup = setup;
    this.totals = List.copyOf(totals);
    Map<RiskLevel, List<GroupRisk>> g = new EnumMap<>(RiskLevel.class);
    groups.forEach((k, v) -> g.put(k, List.copyOf(v)));
    this.groups = g;
    this.greeks = greeks;
    this.pnl = pnl;
    this.timings = timings;
    this.tables = List.copyOf(tables);
  }

  /** What was run. */
  public Setup setup() {
    return setup;
  }

  /** VaR and ES of the whole book, one per confidence level. */
  public List<Measure> totals() {
    return totals;
  }

  /** The total at {@code confidence}. */
  public Measure total(double confidence) {
    for (Measure m : totals) {
      if (m.confidence() == confidence) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "no confidence level " + confidence + "; the job ran " + setup.confidences());
  }

  /** The levels the report breaks risk down by. */
  public List<RiskLevel> levels() {
    return List.copyOf(groups.keySet());
  }

  /**
   * The groups of {@code level}, by Euler VaR contribution at the first confidence, largest first.
   */
  public List<GroupRisk> groups(RiskLevel level) {
    List<GroupRisk> g = groups.get(level);
    if (g == null) {
      throw new IllegalArgumentException(
          "the job did not group by " + level.column() + "; it grouped by " + groups.keySet());
    }
    return g;
  }

  /** The Greeks of the whole book. */
  public Greeks greeks() {
    return greeks;
  }

  /** The total P&amp;L of each scenario, in scenario order (a copy). */
  public double[] pnl() {
    return pnl.clone();
  }

  /** Where the time went. */
  public Timings timings() {
    return timings;
  }

  /** Engine tables the job left in the engine (empty unless it was asked to keep them). */
  public List<String> tables() {
    return tables;
  }

  /** Revaluations done: instruments x scenarios. */
  public long revaluations() {
    return (long) setup.instruments() * setup.scenarios();
  }

  /** Option revaluations per second of the revaluation phase. */
  public double revaluationsPerSecond() {
    return timings.revaluation() == 0
        ? 0.0
        : revaluations() / Timings.seconds(timings.revaluation());
  }

  /**
   * A histogram of the total P&amp;L over {@code bins} equal bins from the minimum to the maximum.
   */
  public Histogram histogram(int bins) {
    if (bins < 1) {
      throw new IllegalArgumentException("bins must be >= 1, got " + bins);
    }
    double lo = Arrays.stream(pnl).min().orElse(0);
    double hi = Arrays.stream(pnl).max().orElse(0);
    if (hi <= lo) {
      hi = lo + 1.0;
    }
    double[] edges = new double[bins + 1];
    for (int i = 0; i <= bins; i++) {
      edges[i] = lo + (hi - lo) * i / bins;
    }
    long[] counts = new long[bins];
    for (double x : pnl) {
      int b = (int) ((x - lo) / (hi - lo) * bins);
      counts[Math.min(bins - 1, Math.max(0, b))]++;
    }
    return new Histogram(edges, counts);
  }

  /** The report as plain text: setup, totals, each level's groups, Greeks, timings. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    Setup s = setup;
    sb.append(
        String.format(
            Locale.ROOT,
            "Risk report: %s, %,d scenarios, %d-day horizon, seed %d; book valued %s in %s%n",
            s.method().label(),
            s.scenarios(),
            s.horizonDays(),
            s.seed(),
            s.valuationDate(),
            s.currency()));
    sb.append(
        String.format(
            Locale.ROOT,
            "Book: %,d instruments (%,d options) on %d underlyings, value %s%n",
            s.instruments(),
            s.options(),
            s.underlyings(),
            money(greeks.value())));
    sb.append("Engine: ").append(s.engine()).append('\n').append('\n');
    List<String> head = new ArrayList<>();
    head.add("");
    for (double c : s.confidences()) {
      head.add("VaR " + pct(c));
      head.add("ES " + pct(c));
    }
    List<List<String>> rows = new ArrayList<>();
    List<String> total = new ArrayList<>();
    total.add("Total");
    for (Measure m : totals) {
      total.add(money(m.var()));
      total.add(money(m.es()));
    }
    rows.add(total);
    sb.append(table(head, rows));
    for (RiskLevel level : groups.keySet()) {
      sb.append('\n');
      List<String> h = new ArrayList<>();
      h.add("By " + level.column());
      h.add("n");
      for (double c : s.confidences()) {
        h.add("VaR " + pct(c));
        h.add("Euler " + pct(c));
        h.add("share");
      }
      h.add("ES contrib " + pct(s.confidences().getFirst()));
      h.add("value");
      h.add("delta");
      h.add("gamma 1%");
      h.add("vega 1pt");
      h.add("theta 1d");
      h.add("rho 1bp");
      List<List<String>> r = new ArrayList<>();
      for (GroupRisk g : groups.get(level)) {
        List<String> row = new ArrayList<>();
        row.add(g.key());
        row.add(String.format(Locale.ROOT, "%,d", g.instruments()));
        for (int i = 0; i < s.confidences().size(); i++) {
          row.add(money(g.standalone().get(i).var()));
          row.add(money(g.eulerVar().get(i)));
          double tv = totals.get(i).var();
          row.add(
              tv == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * g.eulerVar().get(i) / tv));
        }
        row.add(money(g.esContribution().getFirst()));
        addGreeks(row, g.greeks());
        r.add(row);
      }
      sb.append(table(h, r));
    }
    sb.append('\n');
    List<String> gh =
        List.of("Greeks", "value", "delta", "gamma 1%", "vega 1pt", "theta 1d", "rho 1bp");
    List<String> gr = new ArrayList<>();
    gr.add("Total");
    addGreeks(gr, greeks);
    sb.append(table(gh, List.of(gr)));
    Timings t = timings;
    sb.append('\n')
        .append(
            String.format(
                Locale.ROOT,
                "Time: load %.3f s, Greeks %.3f s, scenario generation %.3f s, revaluation %.3f s"
                    + " (%,.0f revaluations/s), P&L into engine tables %.3f s, aggregation %.3f s;"
                    + " total %.3f s%n",
                Timings.seconds(t.load()),
                Timings.seconds(t.greeks()),
                Timings.seconds(t.scenarios()),
                Timings.seconds(t.revaluation()),
                revaluationsPerSecond(),
                Timings.seconds(t.store()),
                Timings.seconds(t.aggregation()),
                Timings.seconds(t.total())));
    return sb.toString();
  }

  private static void addGreeks(List<String> row, Greeks g) {
    row.add(money(g.value()));
    row.add(money(g.delta()));
    row.add(money(g.gamma()));
    row.add(money(g.vega()));
    row.add(money(g.theta()));
    row.add(money(g.rho()));
  }

  static String pct(double c) {
    String s = String.format(Locale.ROOT, "%.2f", 100 * c);
    s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    return s + "%";
  }

  private static String money(double x) {
    return String.format(Locale.ROOT, "%,.2f", x);
  }

  private static String table(List<String> head, List<List<String>> rows) {
    int n = head.size();
    int[] w = new int[n];
    for (int c = 0; c < n; c++) {
      w[c] = head.get(c).length();
      for (List<String> r : rows) {
        w[c] = Math.max(w[c], r.get(c).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, head, w);
    for (int c = 0; c < n; c++) {
      sb.append(c == 0 ? "" : "-+-").append("-".repeat(w[c]));
    }
    sb.append('\n');
    for (List<String> r : rows) {
      line(sb, r, w);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] w) {
    for (int c = 0; c < cells.size(); c++) {
      String v = Objects.requireNonNull(cells.get(c));
      String fill = " ".repeat(w[c] - v.length());
      sb.append(c == 0 ? "" : " | ").append(c == 0 ? v + fill : fill + v);
    }
    sb.append('\n');
  }

  @Override
  public String toString() {
    return format();
  }
}
