package dev.amalgam.jupyter;

import dev.amalgam.risk.RiskLevel;
import dev.amalgam.risk.RiskReport;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A risk report as HTML tables: what was run, totals, each level's groups, Greeks, timings. */
final class RiskView {
  private RiskView() {}

  static DisplayData render(RiskReport r) {
    RiskReport.Setup s = r.setup();
    StringBuilder html = new StringBuilder("<div class=\"amalgam-risk\">");
    html.append("<p style=\"margin:4px 0\"><b>Risk report</b>: ")
        .append(
            HtmlTable.escape(
                String.format(
                    Locale.ROOT,
                    "%s, %,d scenarios, %d-day horizon, seed %d; book of %,d instruments (%,d"
                        + " options) on %d underlyings valued %s in %s; engine %s",
                    s.method().label(),
                    s.scenarios(),
                    s.horizonDays(),
                    s.seed(),
                    s.instruments(),
                    s.options(),
                    s.underlyings(),
                    s.valuationDate(),
                    s.currency(),
                    s.engine())))
        .append("</p>");

    List<String> head = new ArrayList<>(List.of("total"));
    List<String> row = new ArrayList<>(List.of("book"));
    for (RiskReport.Measure m : r.totals()) {
      head.add("VaR " + pct(m.confidence()));
      head.add("ES " + pct(m.confidence()));
      row.add(money(m.var()));
      row.add(money(m.es()));
    }
    html.append(
        HtmlTable.numeric(head)
            .row(row)
            .caption("VaR and expected shortfall (" + s.currency() + ", losses positive)")
            .html());

    for (RiskLevel level : r.levels()) {
      List<String> h = new ArrayList<>(List.of(level.column(), "instruments"));
      for (double c : s.confidences()) {
        h.add("VaR " + pct(c));
        h.add("ES " + pct(c));
        h.add("Euler VaR " + pct(c));
        h.add("share " + pct(c));
      }
      h.add("ES contrib " + pct(s.confidences().getFirst()));
      HtmlTable t = HtmlTable.numeric(h);
      for (RiskReport.GroupRisk g : r.groups(level)) {
        List<String> cells = new ArrayList<>();
        cells.add(g.key());
        cells.add(String.format(Locale.ROOT, "%,d", g.instruments()));
        for (int i = 0; i < s.confidences().size(); i++) {
          cells.add(money(g.standalone().get(i).var()));
          cells.add(money(g.standalone().get(i).es()));
          cells.add(money(g.eulerVar().get(i)));
          double tv = r.totals().get(i).var();
          cells.add(
              tv == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * g.eulerVar().get(i) / tv));
        }
        cells.add(money(g.esContribution().getFirst()));
        t.row(cells);
      }
      html.append(
          t.caption("by " + level.column() + ": standalone and Euler contributions")
              .note("Euler contributions add up to the book's VaR; a negative one hedges the book")
              .html());
    }

    HtmlTable greeks =
        HtmlTable.numeric(
            List.of("Greeks", "value", "delta", "gamma 1%", "vega 1pt", "theta 1d", "rho 1bp"));
    greeks.row(greekRow("book", r.greeks()));
    if (r.levels().contains(RiskLevel.DESK)) {
      for (RiskReport.GroupRisk g : r.groups(RiskLevel.DESK)) {
        greeks.row(greekRow(g.key(), g.greeks()));
      }
    }
    html.append(greeks.caption("Greeks today (" + s.currency() + ")").html());

    RiskReport.Timings t = r.timings();
    html.append(
        HtmlTable.numeric(
                List.of(
                    "time (s)",
                    "load",
                    "Greeks",
                    "scenarios",
                    "revaluation",
                    "store P&L",
                    "aggregation",
                    "total"))
            .row(
                List.of(
                    "job",
                    secs(t.load()),
                    secs(t.greeks()),
                    secs(t.scenarios()),
                    secs(t.revaluation()),
                    secs(t.store()),
                    secs(t.aggregation()),
                    secs(t.total())))
            .note(
                String.format(
                    Locale.ROOT,
                    "%,d revaluations, %,.0f per second in the revaluation phase",
                    r.revaluations(),
                    r.revaluationsPerSecond()))
            .html());
    html.append("</div>");
    return Display.bundle(r.format(), html.toString());
  }

  private static List<String> greekRow(String key, RiskReport.Greeks g) {
    return List.of(
        key,
        money(g.value()),
        money(g.delta()),
        money(g.gamma()),
        money(g.vega()),
        money(g.theta()),
        money(g.rho()));
  }

  static String pct(double c) {
    String s = String.format(Locale.ROOT, "%.2f", 100 * c);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "") + "%";
  }

  private static String money(double x) {
    return String.format(Locale.ROOT, "%,.2f", x);
  }

  private static String secs(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
  }
}
