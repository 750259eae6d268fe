package dev.amalgam.jupyter;

import dev.amalgam.memory.MemoryStats;
import dev.amalgam.risk.RiskLevel;
import dev.amalgam.risk.RiskOutput;
import dev.amalgam.risk.RiskReport;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;
import org.jspecify.annotations.Nullable;

/**
 * Charts for notebooks: the risk module's P&amp;L histogram and VaR by desk, and the bytes moved
 * per link of the unified memory. A chart that is the value of a cell shows as a PNG; {@link
 * Display#svg} shows it as SVG.
 */
public final class Charts {
  private Charts() {}

  /** The P&amp;L histogram with each confidence level's VaR marked (the risk module's chart). */
  public static JFreeChart pnlHistogram(RiskReport r) {
    headless();
    return RiskOutput.histogramChart(r, 60);
  }

  /** Standalone VaR and Euler contribution per desk (the risk module's chart). */
  public static JFreeChart varByDesk(RiskReport r) {
    headless();
    return RiskOutput.varByGroupChart(r, RiskLevel.DESK);
  }

  /** Standalone VaR and Euler contribution per group of {@code level}. */
  public static JFreeChart varBy(RiskReport r, RiskLevel level) {
    headless();
    return RiskOutput.varByGroupChart(r, level);
  }

  /** MiB moved over each link so far. */
  public static JFreeChart bytesPerLink(MemoryStats stats) {
    return bytesPerLink(stats, null);
  }

  /** MiB moved over each link between two snapshots ({@code before} may be null: since start). */
  public static JFreeChart bytesPerLink(MemoryStats after, @Nullable MemoryStats before) {
    headless();
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (MemoryStats.LinkStats l : after.links()) {
      long bytes = l.bytes();
      if (before != null) {
        bytes -= before.link(l.a(), l.b()).bytes();
      }
      data.addValue(
          bytes / (double) (1 << 20), "MiB moved", l.a() + "<->" + l.b() + " " + l.type());
    }
    JFreeChart c =
        ChartFactory.createBarChart(
            "Bytes moved per link (" + after.topology() + ")",
            "link",
            "MiB",
            data,
            PlotOrientation.HORIZONTAL,
            false,
            false,
            false);
    CategoryPlot plot = c.getCategoryPlot();
    BarRenderer br = (BarRenderer) plot.getRenderer();
    br.setShadowVisible(false);
    br.setBarPainter(new StandardBarPainter());
    br.setSeriesPaint(0, new Color(70, 110, 170));
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    c.setBackgroundPaint(Color.WHITE);
    return c;
  }

  static DisplayData pngBundle(JFreeChart chart, int width, int height) {
    headless();
    byte[] png;
    try {
      png = ChartUtils.encodeAsPNG(chart.createBufferedImage(width, height));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the chart as PNG: " + e.getMessage(), e);
    }
    DisplayData d = new DisplayData();
    d.putText(describe(chart));
    d.putData("image/png", Base64.getEncoder().encodeToString(png));
    return d;
  }

  static DisplayData svgBundle(JFreeChart chart, int width, int height) {
    headless();
    SVGGraphics2D g = new SVGGraphics2D(width, height);
    chart.draw(g, new Rectangle(0, 0, width, height));
    DisplayData d = new DisplayData();
    d.putText(describe(chart));
    d.putSVG(g.getSVGElement());
    return d;
  }

  private static String describe(JFreeChart chart) {
    String title = chart.getTitle() == null ? "" : chart.getTitle().getText();
    return String.format(Locale.ROOT, "<chart: %s>", title.isEmpty() ? "untitled" : title);
  }

  private static void headless() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }
}
