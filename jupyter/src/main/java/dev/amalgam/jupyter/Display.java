package dev.amalgam.jupyter;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.memory.MemoryStats;
import dev.amalgam.memory.Topology;
import dev.amalgam.risk.RiskReport;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jspecify.annotations.Nullable;

/**
 * Renders values as Jupyter MIME bundles: query results as HTML tables (numbers right-aligned, row
 * count, truncated past a limit with a note), EXPLAIN ANALYZE as a tree with device and link
 * statistics, risk reports and memory statistics as tables, charts as PNG or SVG. Every bundle has
 * a {@code text/plain} fallback.
 *
 * <p>A bundle holds only strings, as Jupyter's JSON wants them.
 */
public final class Display {
  /** Rows shown of a result unless told otherwise. */
  public static final int DEFAULT_MAX_ROWS = 50;

  private static final int CHART_WIDTH = 900;
  private static final int CHART_HEIGHT = 500;

  private Display() {}

  /** The bundle for any value: a known kind rendered richly, anything else as its text. */
  public static DisplayData of(@Nullable Object value) {
    return of(value, DEFAULT_MAX_ROWS);
  }

  /** {@link #of(Object)} showing at most {@code maxRows} rows of a result. */
  public static DisplayData of(@Nullable Object value, int maxRows) {
    return switch (value) {
      case null -> text("null");
      case DisplayData d -> d;
      case Result r -> result(r, maxRows);
      case RiskReport r -> RiskView.render(r);
      case MemoryStats s -> MemoryView.render(s);
      case JFreeChart c -> png(c);
      case Topology t -> pre(t.describe());
      case Engine e -> tables(e);
      default -> text(safeToString(value));
    };
  }

  /**
   * A result as an HTML table of its first {@code maxRows} rows, with the row count and, when rows
   * were left out, a note saying how many. A result that carries an EXPLAIN ANALYZE profile shows
   * it below the rows; the one-column result of {@code EXPLAIN [ANALYZE]} in SQL shows as the plan
   * or the profile.
   */
  public static DisplayData result(Result r, int maxRows) {
    if (maxRows < 0) {
      throw new IllegalArgumentException("maxRows must be >= 0, got " + maxRows);
    }
    if (isPlan(r)) {
      StringBuilder sb = new StringBuilder();
      for (Result.Row row : r) {
        sb.append(row.get(0)).append('\n');
      }
      String text = sb.toString();
      return text.startsWith("query: ") ? analysis(text) : pre(text);
    }
    Schema schema = r.schema();
    List<String> head = new ArrayList<>();
    boolean[] right = new boolean[schema.size()];
    for (int c = 0; c < schema.size(); c++) {
      head.add(schema.field(c).name());
      right[c] = schema.field(c).type().isNumeric();
    }
    HtmlTable t = new HtmlTable(head, right);
    int shown = Math.min(maxRows, r.rowCount());
    for (int i = 0; i < shown; i++) {
      List<String> cells = new ArrayList<>(schema.size());
      for (int c = 0; c < schema.size(); c++) {
        cells.add(cell(r.get(i, c)));
      }
      t.row(cells);
    }
    String note =
        r.rowCount() + (r.rowCount() == 1 ? " row" : " rows") + " x " + schema.size() + " columns";
    if (shown < r.rowCount()) {
      note +=
          "; showing the first "
              + shown
              + " ("
              + (r.rowCount() - shown)
              + " more; raise the limit with %%sql --limit N or Display.result(r, N))";
    }
    t.note(note);
    String html = t.html();
    String text = t.text();
    String profile = r.analysis();
    if (profile != null) {
      AnalysisView a = AnalysisView.parse(profile);
      html += a.html();
      text += "\n" + profile;
    }
    return bundle(text, html);
  }

  /**
   * The text of {@code EXPLAIN ANALYZE} as a plan tree and tables per pipeline, device and link.
   */
  public static DisplayData analysis(String profile) {
    return bundle(profile, AnalysisView.parse(profile).html());
  }

  /** A chart as an inline PNG. */
  public static DisplayData png(JFreeChart chart) {
    return Charts.pngBundle(chart, CHART_WIDTH, CHART_HEIGHT);
  }

  /** A chart as inline SVG. */
  public static DisplayData svg(JFreeChart chart) {
    return Charts.svgBundle(chart, CHART_WIDTH, CHART_HEIGHT);
  }

  /** The engine's tables: rows, row groups per device, bytes. */
  public static DisplayData tables(Engine engine) {
    HtmlTable t =
        new HtmlTable(
            List.of("table", "rows", "columns", "bytes", "row groups by device", "placement"),
            new boolean[] {false, true, true, true, false, false});
    for (String name : engine.tableNames()) {
      Table tb = engine.catalogTable(name);
      t.row(
          List.of(
              name,
              String.format(Locale.ROOT, "%,d", tb.rowCount()),
              Integer.toString(tb.schema().size()),
              dev.amalgam.memory.Sizes.bytes(tb.bytes()),
              tb.rowGroupsByDevice().toString(),
              tb.placement()));
    }
    t.caption("tables on " + engine.fusedDevice());
    t.note(engine.tableNames().size() + " tables");
    return bundle(t.text(), t.html());
  }

  /** Preformatted text (HTML {@code <pre>} and plain text). */
  public static DisplayData pre(String text) {
    return bundle(text, "<pre>" + HtmlTable.escape(text) + "</pre>");
  }

  /** A plain-text bundle. */
  public static DisplayData text(String text) {
    DisplayData d = new DisplayData();
    d.putText(text);
    return d;
  }

  static DisplayData bundle(String text, String html) {
    DisplayData d = new DisplayData();
    d.putText(text);
    d.putHTML(html);
    return d;
  }

  private static boolean isPlan(Result r) {
    return r.schema().size() == 1
        && r.schema().field(0).name().equals("plan")
        && r.schema().field(0).type().isString()
        && r.analysis() == null;
  }

  /** A value as a table cell: NULL, numbers without exponent where readable, decimals plain. */
  static String cell(@Nullable Object v) {
    if (v == null) {
      return "NULL";
    }
    if (v instanceof Double d) {
      return Double.isFinite(d) && (d == 0 || Math.abs(d) < 1e15 && Math.abs(d) >= 1e-4)
          ? String.format(Locale.ROOT, "%.6f", d).replaceAll("0+$", "").replaceAll("\\.$", ".0")
          : d.toString();
    }
    if (v instanceof Float f) {
      return cell(f.doubleValue());
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return safeToString(v);
  }

  private static String safeToString(Object v) {
    try {
      return String.valueOf(v);
    } catch (RuntimeException e) {
      return v.getClass().getName() + " (toString failed: " + e + ")";
    }
  }
}
