package dev.amalgam.risk;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * Writes a {@link RiskReport} as files: {@code report.txt}, CSV tables ({@code summary.csv}, {@code
 * groups.csv}, {@code greeks.csv}, {@code pnl.csv}) and two charts as PNG and SVG ({@code
 * pnl_histogram}, {@code var_by_desk}, drawn with JFreeChart; SVG through JFreeSVG).
 */
public final class RiskOutput {
  private static final CSVFormat CSV = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get();
  private static final int WIDTH = 900;
  private static final int HEIGHT = 540;

  private RiskOutput() {}

  /** Writes every file into {@code dir} (created if needed) and returns their paths. */
  public static List<Path> write(RiskReport r, Path dir) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    try {
      Files.createDirectories(dir);
      List<Path> out = new ArrayList<>();
      Path txt = dir.resolve("report.txt");
      Files.writeString(txt, r.format(), StandardCharsets.UTF_8);
      out.add(txt);
      out.add(summary(r, dir.resolve("summary.csv")));
      out.add(groups(r, dir.resolve("groups.csv")));
      out.add(greeks(r, dir.resolve("greeks.csv")));
      out.add(pnl(r, dir.resolve("pnl.csv")));
      JFreeChart h = histogramChart(r, 60);
      out.add(png(h, dir.resolve("pnl_histogram.png")));
      out.add(svg(h, dir.resolve("pnl_histogram.svg")));
      if (r.levels().contains(RiskLevel.DESK)) {
        JFreeChart d = varByGroupChart(r, RiskLevel.DESK);
        out.add(png(d, dir.resolve("var_by_desk.png")));
        out.add(svg(d, dir.resolve("var_by_desk.svg")));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the report to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The P&amp;L histogram with the VaR of each confidence level marked. */
  public static JFreeChart histogramChart(RiskReport r, int bins) {
    RiskReport.Histogram h = r.histogram(bins);
    XYSeries s = new XYSeries("scenarios");
    for (int i = 0; i < h.counts().length; i++) {
      s.add(0.5 * (h.edges()[i] + h.edges()[i + 1]), h.counts()[i]);
    }
    XYSeriesCollection data = new XYSeriesCollection(s);
    data.setIntervalWidth(h.edges()[1] - h.edges()[0]);
    RiskReport.Setup st = r.setup();
    NumberAxis x = new NumberAxis("P&L (" + st.currency() + ")");
    NumberAxis y = new NumberAxis("scenarios");
    XYBarRenderer bars = new XYBarRenderer(0.05);
    bars.setShadowVisible(false);
    bars.setBarPainter(new org.jfree.chart.renderer.xy.StandardXYBarPainter());
    bars.setSeriesPaint(0, new Color(70, 110, 170));
    XYPlot plot = new XYPlot(data, x, y, bars);
    Color[] marks = {new Color(200, 40, 40), new Color(230, 140, 30), new Color(120, 60, 160)};
    for (int i = 0; i < r.totals().size(); i++) {
      RiskReport.Measure m = r.totals().get(i);
      ValueMarker v = new ValueMarker(-m.var(), marks[i % marks.length], new BasicStroke(2f));
      v.setLabel("VaR " + RiskReport.pct(m.confidence()));
      v.setLabelPaint(marks[i % marks.length]);
      plot.addDomainMarker(v, Layer.FOREGROUND);
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    String title =
        String.format(
            Locale.ROOT,
            "P&L over %,d scenarios, %d-day horizon (%s)",
            st.scenarios(),
            st.horizonDays(),
            st.method().label());
    JFreeChart c = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    c.setBackgroundPaint(Color.WHITE);
    return c;
  }

  /** Standalone VaR and Euler contribution per group at the first confidence level. */
  public static JFreeChart varByGroupChart(RiskReport r, RiskLevel level) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    double conf = r.setup().confidences().getFirst();
    for (RiskReport.GroupRisk g : r.groups(level)) {
      data.addValue(g.standalone().getFirst().var(), "standalone VaR", g.key());
      data.addValue(g.eulerVar().getFirst(), "Euler contribution", g.key());
    }
    JFreeChart c =
        org.jfree.chart.ChartFactory.createBarChart(
            "VaR " + RiskReport.pct(conf) + " by " + level.column(),
            level.column(),
            r.setup().currency(),
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    CategoryPlot plot = c.getCategoryPlot();
    BarRenderer br = (BarRenderer) plot.getRenderer();
    br.setShadowVisible(false);
    br.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
    br.setSeriesPaint(0, new Color(70, 110, 170));
    br.setSeriesPaint(1, new Color(230, 140, 30));
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    c.setBackgroundPaint(Color.WHITE);
    return c;
  }

  private static Path png(JFreeChart c, Path file) throws IOException {
    ChartUtils.saveChartAsPNG(file.toFile(), c, WIDTH, HEIGHT);
    return file;
  }

  private static Path svg(JFreeChart c, Path file) throws IOException {
    SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
    c.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
    SVGUtils.writeToSVG(file.toFile(), g.getSVGElement());
    return file;
  }

  private static CSVPrinter printer(Path file) throws IOException {
    Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    return new CSVPrinter(w, CSV);
  }

  private static Path summary(RiskReport r, Path file) throws IOException {
    try (CSVPrinter p = printer(file)) {
      p.printRecord("method", "scenarios", "horizon_days", "seed", "confidence", "var", "es");
      RiskReport.Setup s = r.setup();
      for (RiskReport.Measure m : r.totals()) {
        p.printRecord(
            s.method().code(),
            s.scenarios(),
            s.horizonDays(),
            s.seed(),
            m.confidence(),
            m.var(),
            m.es());
      }
    }
    return file;
  }

  private static Path groups(RiskReport r, Path file) throws IOException {
    try (CSVPrinter p = printer(file)) {
      p.printRecord(
          "level", "key", "instruments", "confidence", "var", "es", "euler_var", "es_contribution");
      for (RiskLevel l : r.levels()) {
        for (RiskReport.GroupRisk g : r.groups(l)) {
          for (int i = 0; i < g.standalone().size(); i++) {
            RiskReport.Measure m = g.standalone().get(i);
            p.printRecord(
                l.column(),
                g.key(),
                g.instruments(),
                m.confidence(),
                m.var(),
                m.es(),
                g.eulerVar().get(i),
                g.esContribution().get(i));
          }
        }
      }
    }
    return file;
  }

  private static Path greeks(RiskReport r, Path file) throws IOException {
    try (CSVPrinter p = printer(file)) {
      p.printRecord(
          "level", "key", "value", "delta", "gamma_1pct", "vega_1pt", "theta_1d", "rho_1bp");
      row(p, "total", "total", r.greeks());
      for (RiskLevel l : r.levels()) {
        for (RiskReport.GroupRisk g : r.groups(l)) {
          row(p, l.column(), g.key(), g.greeks());
        }
      }
    }
    return file;
  }

  private static void row(CSVPrinter p, String level, String key, RiskReport.Greeks g)
      throws IOException {
    p.printRecord(level, key, g.value(), g.delta(), g.gamma(), g.vega(), g.theta(), g.rho());
  }

  private static Path pnl(RiskReport r, Path file) throws IOException {
    try (CSVPrinter p = printer(file)) {
      p.printRecord("scenario", "pnl");
      double[] v = r.pnl();
      for (int i = 0; i < v.length; i++) {
        p.printRecord(i, v[i]);
      }
    }
    return file;
  }
}
