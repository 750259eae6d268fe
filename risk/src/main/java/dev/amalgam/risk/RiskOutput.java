package dev.amalgam.risk;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
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
 * Writes a {@link RiskReport} as files: {@code report.txt}, four tables ({@code summary}, {@code
 * groups}, {@code greeks}, {@code pnl}) each as CSV and as an Arrow IPC file ({@code .arrow}, one
 * record batch, written with Arrow Java) and two charts as PNG and SVG ({@code pnl_histogram},
 * {@code var_by_desk}, drawn with JFreeChart; SVG through JFreeSVG).
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
      for (Tab t : List.of(summary(r), groups(r), greeks(r), pnl(r))) {
        writeTab(t, dir, out);
      }
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

  // ---- the report's tables, each written as CSV and as an Arrow IPC file ----

  private enum Kind {
    TEXT,
    INT64,
    FLOAT64
  }

  /** A small table of the report: column names and kinds, and rows of String, Long or Double. */
  private record Tab(String name, List<String> columns, List<Kind> kinds, List<Object[]> rows) {
    Tab(String name, String... header) {
      this(name, headerNames(header), headerKinds(header), new ArrayList<>());
    }

    void add(Object... row) {
      rows.add(row);
    }

    /** {@code name:kind} pairs: t text, i int64, d float64. */
    private static List<String> headerNames(String[] header) {
      List<String> n = new ArrayList<>();
      for (String h : header) {
        n.add(h.substring(0, h.indexOf(':')));
      }
      return n;
    }

    private static List<Kind> headerKinds(String[] header) {
      List<Kind> k = new ArrayList<>();
      for (String h : header) {
        k.add(
            switch (h.substring(h.indexOf(':') + 1)) {
              case "t" -> Kind.TEXT;
              case "i" -> Kind.INT64;
              default -> Kind.FLOAT64;
            });
      }
      return k;
    }
  }

  private static void writeTab(Tab t, Path dir, List<Path> out) throws IOException {
    Path csv = dir.resolve(t.name() + ".csv");
    try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8);
        CSVPrinter p = new CSVPrinter(w, CSV)) {
      p.printRecord(t.columns());
      for (Object[] row : t.rows()) {
        p.printRecord(row);
      }
    }
    out.add(csv);
    Path arrow = dir.resolve(t.name() + ".arrow");
    writeArrow(t, arrow);
    out.add(arrow);
  }

  /** One record batch in an Arrow IPC file, every column not nullable. */
  private static void writeArrow(Tab t, Path file) throws IOException {
    List<org.apache.arrow.vector.types.pojo.Field> fields = new ArrayList<>();
    for (int c = 0; c < t.columns().size(); c++) {
      ArrowType type =
          switch (t.kinds().get(c)) {
            case TEXT -> ArrowType.Utf8.INSTANCE;
            case INT64 -> new ArrowType.Int(64, true);
            case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
          };
      fields.add(
          new org.apache.arrow.vector.types.pojo.Field(
              t.columns().get(c), FieldType.notNullable(type), null));
    }
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
        FileChannel ch =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
      root.allocateNew();
      int n = t.rows().size();
      for (int c = 0; c < fields.size(); c++) {
        FieldVector v = root.getVector(c);
        for (int i = 0; i < n; i++) {
          Object x = t.rows().get(i)[c];
          switch (t.kinds().get(c)) {
            case TEXT ->
                ((VarCharVector) v).setSafe(i, x.toString().getBytes(StandardCharsets.UTF_8));
            case INT64 -> ((BigIntVector) v).setSafe(i, ((Number) x).longValue());
            case FLOAT64 -> ((Float8Vector) v).setSafe(i, ((Number) x).doubleValue());
          }
        }
        v.setValueCount(n);
      }
      root.setRowCount(n);
      w.start();
      w.writeBatch();
      w.end();
    }
  }

  private static Tab summary(RiskReport r) {
    Tab t =
        new Tab(
            "summary",
            "method:t",
            "scenarios:i",
            "horizon_days:i",
            "seed:i",
            "confidence:d",
            "var:d",
            "es:d");
    RiskReport.Setup s = r.setup();
    for (RiskReport.Measure m : r.totals()) {
      t.add(
          s.method().code(),
          (long) s.scenarios(),
          (long) s.horizonDays(),
          s.seed(),
          m.confidence(),
          m.var(),
          m.es());
    }
    return t;
  }

  private static Tab groups(RiskReport r) {
    Tab t =
        new Tab(
            "groups",
            "level:t",
            "key:t",
            "instruments:i",
            "confidence:d",
            "var:d",
            "es:d",
            "euler_var:d",
            "es_contribution:d");
    for (RiskLevel l : r.levels()) {
      for (RiskReport.GroupRisk g : r.groups(l)) {
        for (int i = 0; i < g.standalone().size(); i++) {
          RiskReport.Measure m = g.standalone().get(i);
          t.add(
              l.column(),
              g.key(),
              (long) g.instruments(),
              m.confidence(),
              m.var(),
              m.es(),
              g.eulerVar().get(i),
              g.esContribution().get(i));
        }
      }
    }
    return t;
  }

  private static Tab greeks(RiskReport r) {
    Tab t =
        new Tab(
            "greeks",
            "level:t",
            "key:t",
            "value:d",
            "delta:d",
            "gamma_1pct:d",
            "vega_1pt:d",
            "theta_1d:d",
            "rho_1bp:d");
    greekRow(t, "total", "total", r.greeks());
    for (RiskLevel l : r.levels()) {
      for (RiskReport.GroupRisk g : r.groups(l)) {
        greekRow(t, l.column(), g.key(), g.greeks());
      }
    }
    return t;
  }

  private static void greekRow(Tab t, String level, String key, RiskReport.Greeks g) {
    t.add(level, key, g.value(), g.delta(), g.gamma(), g.vega(), g.theta(), g.rho());
  }

  private static Tab pnl(RiskReport r) {
    Tab t = new Tab("pnl", "scenario:i", "pnl:d");
    double[] v = r.pnl();
    for (int i = 0; i < v.length; i++) {
      t.add((long) i, v[i]);
    }
    return t;
  }
}
