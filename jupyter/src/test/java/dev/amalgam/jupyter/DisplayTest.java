package dev.amalgam.jupyter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.memory.Topology;
import dev.amalgam.risk.RiskJob;
import dev.amalgam.risk.RiskReport;
import dev.amalgam.risk.SyntheticBook;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class DisplayTest {
  private static final Schema SCHEMA =
      Schema.of(
          Field.of("name", DataType.UTF8),
          Field.of("qty", DataType.INT64),
          Field.of("price", DataType.decimal(12, 2)),
          Field.of("ratio", DataType.FLOAT64));

  private static RiskReport report;

  @BeforeAll
  static void runRiskJob() {
    report =
        RiskJob.builder()
            .book(SyntheticBook.generate(200, 5, 3))
            .scenarios(500)
            .horizonDays(1)
            .confidence(0.99)
            .seed(1)
            .topology("cpu")
            .build()
            .run();
  }

  @AfterAll
  static void clear() {
    report = null;
  }

  private static String html(DisplayData d) {
    return (String) d.getData(MIMEType.TEXT_HTML);
  }

  private static String text(DisplayData d) {
    return (String) d.getData(MIMEType.TEXT_PLAIN);
  }

  @Test
  void result_typedColumns_numbersRightStringsLeftAndEscaped() {
    Result r =
        Result.ofRows(
            SCHEMA,
            List.of(
                Arrays.asList("<b>a&b</b>", 12L, new BigDecimal("1.50"), 0.25),
                Arrays.asList(null, 3L, null, 1e20)));
    DisplayData d = Display.of(r);
    String html = html(d);
    assertThat(html).contains("&lt;b&gt;a&amp;b&lt;/b&gt;").doesNotContain("<b>a&b</b>");
    assertThat(html).contains("<td style=\"text-align:left;padding:1px 8px\">&lt;b&gt;");
    assertThat(html).contains("<td style=\"text-align:right;padding:1px 8px\">12</td>");
    assertThat(html).contains(">1.50</td>").contains(">0.25</td>").contains(">1.0E20</td>");
    assertThat(html).contains(">NULL</td>");
    assertThat(html).contains("<th style=\"text-align:right").contains(">qty</th>");
    assertThat(html).contains("2 rows x 4 columns").doesNotContain("showing");
    assertThat(text(d)).contains("name").contains("qty").contains("2 rows x 4 columns");
  }

  @Test
  void result_pastTheLimit_truncatedWithANote() {
    List<List<Object>> rows = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      rows.add(List.of("r" + i, (long) i, new BigDecimal(i), i / 2.0));
    }
    Result r = Result.ofRows(SCHEMA, rows);
    DisplayData d = Display.result(r, 10);
    assertThat(html(d)).contains(">r9</td>").doesNotContain(">r10</td>");
    assertThat(html(d)).contains("120 rows x 4 columns; showing the first 10 (110 more");
    assertThat(text(d)).contains("r9").doesNotContain("r10 ").contains("showing the first 10");
    assertThat(html(Display.of(r))).contains(">r49</td>").doesNotContain(">r50</td>");
    assertThatThrownBy(() -> Display.result(r, -1)).hasMessageContaining("-1");
  }

  @Test
  void result_empty_saysZeroRows() {
    DisplayData d = Display.of(Result.ofRows(SCHEMA, List.of()));
    assertThat(html(d)).contains("0 rows x 4 columns");
  }

  @Test
  void explainAnalyze_fusedPair_treeAndDeviceAndLinkTables() {
    try (Engine e = Engine.open(Topology.preset("fused-pair"))) {
      var t =
          e.createTable(
              "t", Schema.of(Field.of("k", DataType.INT64), Field.of("v", DataType.INT64)));
      for (long i = 0; i < 5000; i++) {
        t.addRow(i % 7, i);
      }
      t.build();
      Result r =
          e.sql("SELECT k, sum(v) AS s FROM t WHERE v > 10 GROUP BY k ORDER BY k").explainAnalyze();
      String profile = r.analysis();
      assertThat(profile).isNotNull();
      AnalysisView v = AnalysisView.parse(profile);
      assertThat(v.unrecognised()).isEmpty();
      assertThat(v.operatorRows()).isPositive();
      assertThat(v.deviceRows()).isPositive();
      assertThat(v.pageRows()).isEqualTo(e.memory().stats().devices().size());
      assertThat(v.tree()).contains("└─ ").contains("Scan t");
      DisplayData d = Display.of(r);
      assertThat(html(d))
          .contains("7 rows x 2 columns")
          .contains("EXPLAIN ANALYZE")
          .contains("gpu");
      assertThat(text(d)).contains(profile);

      // the SQL statement's one-column form renders the same way
      Result sql = e.execute("EXPLAIN ANALYZE SELECT count(*) FROM t");
      assertThat(html(Display.of(sql)))
          .contains("EXPLAIN ANALYZE")
          .contains("operators per pipeline");
      Result plan = e.execute("EXPLAIN SELECT count(*) FROM t");
      assertThat(html(Display.of(plan))).startsWith("<pre>").contains("calcite:");
    }
  }

  @Test
  void tree_nestedChildren_drawnWithBranches() {
    AnalysisView v =
        AnalysisView.parse(
            "query: 1 rows in 1.000 ms\nplan:\n  Join\n    Scan a\n    Filter\n      Scan b\n");
    assertThat(v.tree()).isEqualTo("Join\n├─ Scan a\n└─ Filter\n   └─ Scan b\n");
  }

  @Test
  void riskReport_tablesWithTotalsGroupsGreeks() {
    DisplayData d = Display.of(report);
    assertThat(html(d))
        .contains("VaR 99%")
        .contains("by desk")
        .contains("Euler VaR 99%")
        .contains("Greeks today")
        .contains("EQ-DERIV");
    assertThat(text(d)).isEqualTo(report.format());
  }

  @Test
  void charts_pngAndSvg_withTextFallback() {
    DisplayData png = Display.of(Charts.pnlHistogram(report));
    byte[] bytes = Base64.getDecoder().decode((String) png.getData(MIMEType.parse("image/png")));
    assertThat(bytes).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    assertThat(text(png)).startsWith("<chart: P&L over 500 scenarios");
    DisplayData svg = Display.svg(Charts.varByDesk(report));
    assertThat((String) svg.getData(MIMEType.parse("image/svg+xml"))).contains("<svg");
    assertThat(text(svg)).contains("VaR 99% by desk");
  }

  @Test
  void memoryStats_andBytesPerLink() {
    try (Engine e = Engine.open(Topology.preset("fused-pair"))) {
      var before = e.memory().stats();
      DisplayData d = Display.of(before);
      assertThat(html(d)).contains("simulated gpu").contains("links").contains("spill");
      assertThat(text(d)).isEqualTo(before.format());
      DisplayData chart = Display.of(Charts.bytesPerLink(e.memory().stats(), before));
      assertThat(chart.hasDataForType(MIMEType.parse("image/png"))).isTrue();
    }
  }

  @Test
  void otherValues_plainText() {
    assertThat(text(Display.of(42))).isEqualTo("42");
    assertThat(text(Display.of(null))).isEqualTo("null");
    Object broken =
        new Object() {
          @Override
          public String toString() {
            throw new IllegalStateException("boom");
          }
        };
    assertThat(text(Display.of(broken))).contains("toString failed").contains("boom");
  }
}
