package dev.amalgam.jupyter;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The EXPLAIN ANALYZE profile (the engine's text, see {@code Query#explainAnalyze}) read back into
 * its parts: the summary line, the plan tree, operators and devices per pipeline, links and pages.
 * Lines it does not recognise are kept and shown as they are, so nothing of the profile is lost.
 */
final class AnalysisView {
  private static final Pattern PIPELINE = Pattern.compile("pipeline (\\d+): ([\\d.]+) ms");
  private static final Pattern OP_STATS =
      Pattern.compile("\\s+rows (\\d+) -> (\\d+), ([\\d.]+) ms");
  private static final Pattern DEVICE =
      Pattern.compile(
          "\\s+device (\\S+)\\s+(\\d+) workers, (\\d+) morsels \\((\\d+) stolen\\), busy ([\\d.]+)"
              + " ms");
  private static final Pattern LINK =
      Pattern.compile(
          "\\s+(\\S+)<->(\\S+) (\\S+)\\s+(.+?) in (\\d+) transfers, measured ([\\d.]+) ms,"
              + " modeled ([\\d.]+) ms");
  private static final Pattern PAGES =
      Pattern.compile(
          "\\s+(\\S+)\\s+faults (\\d+), migrated in (\\d+), replicated (\\d+), prefetched (\\d+),"
              + " evicted (\\d+) \\(written back (\\d+)\\)");
  private static final Pattern SPILL =
      Pattern.compile("\\s+spill file: (\\d+) pages written, (\\d+) read");

  private String summary = "";
  private final List<String> plan = new ArrayList<>();
  private final HtmlTable operators =
      new HtmlTable(
          List.of("pipeline", "ms", "operator", "rows in", "rows out", "op ms"),
          new boolean[] {true, true, false, true, true, true});
  private final HtmlTable devices =
      new HtmlTable(
          List.of("pipeline", "device", "workers", "morsels", "stolen", "busy ms"),
          new boolean[] {true, false, true, true, true, true});
  private final HtmlTable links =
      new HtmlTable(
          List.of("link", "type", "bytes", "transfers", "measured ms", "modeled ms"),
          new boolean[] {false, false, true, true, true, true});
  private final HtmlTable pages =
      new HtmlTable(
          List.of(
              "device",
              "faults",
              "migrated in",
              "replicated",
              "prefetched",
              "evicted",
              "written back"),
          new boolean[] {false, true, true, true, true, true, true});
  private final List<String> other = new ArrayList<>();
  private int operatorRows;
  private int deviceRows;
  private int linkRows;
  private int pageRows;
  private String spill = "";
  private String linkNote = "";

  private AnalysisView() {}

  static AnalysisView parse(String text) {
    AnalysisView v = new AnalysisView();
    String[] lines = text.split("\n");
    String section = "";
    String pipeline = "";
    String pipelineMs = "";
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      Matcher m;
      if (line.startsWith("query: ")) {
        v.summary = line;
      } else if (line.equals("plan:")) {
        section = "plan";
      } else if ((m = PIPELINE.matcher(line)).matches()) {
        section = "pipeline";
        pipeline = m.group(1);
        pipelineMs = m.group(2);
      } else if (line.startsWith("links")) {
        section = "links";
        v.linkNote = line.endsWith(":") ? line.substring(0, line.length() - 1) : line;
      } else if (line.equals("pages:")) {
        section = "pages";
      } else if (section.equals("plan") && line.startsWith("  ")) {
        v.plan.add(line);
      } else if (section.equals("pipeline") && (m = DEVICE.matcher(line)).matches()) {
        v.devices.row(
            List.of(pipeline, m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)));
        v.deviceRows++;
      } else if (section.equals("pipeline")
          && line.startsWith("    ")
          && i + 1 < lines.length
          && (m = OP_STATS.matcher(lines[i + 1])).matches()) {
        v.operators.row(
            List.of(pipeline, pipelineMs, line.strip(), m.group(1), m.group(2), m.group(3)));
        v.operatorRows++;
        pipelineMs = "";
        i++;
      } else if (section.equals("links") && (m = LINK.matcher(line)).matches()) {
        v.links.row(
            List.of(
                m.group(1) + "<->" + m.group(2),
                m.group(3),
                m.group(4),
                m.group(5),
                m.group(6),
                m.group(7)));
        v.linkRows++;
      } else if (section.equals("links") && line.strip().equals("no bytes moved")) {
        // shown as the empty links table's note
      } else if (section.equals("pages") && (m = SPILL.matcher(line)).matches()) {
        v.spill = "spill file: " + m.group(1) + " pages written, " + m.group(2) + " read";
      } else if (section.equals("pages") && (m = PAGES.matcher(line)).matches()) {
        v.pages.row(
            List.of(
                m.group(1),
                m.group(2),
                m.group(3),
                m.group(4),
                m.group(5),
                m.group(6),
                m.group(7)));
        v.pageRows++;
      } else {
        v.other.add(line);
      }
    }
    return v;
  }

  /** The plan as a tree drawn with box characters, from the profile's two-space indentation. */
  String tree() {
    int n = plan.size();
    int[] depth = new int[n];
    String[] label = new String[n];
    for (int i = 0; i < n; i++) {
      String l = plan.get(i);
      int sp = 0;
      while (sp < l.length() && l.charAt(sp) == ' ') {
        sp++;
      }
      depth[i] = Math.max(0, sp / 2 - 1);
      label[i] = l.substring(sp);
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      StringBuilder prefix = new StringBuilder();
      for (int d = 1; d <= depth[i]; d++) {
        boolean last = isLast(depth, i, d);
        if (d == depth[i]) {
          prefix.append(last ? "└─ " : "├─ ");
        } else {
          prefix.append(last ? "   " : "│  ");
        }
      }
      sb.append(prefix).append(label[i]).append('\n');
    }
    return sb.toString();
  }

  /** Whether the ancestor of node {@code i} at depth {@code d} (or the node) is a last child. */
  private static boolean isLast(int[] depth, int i, int d) {
    int at = i;
    while (depth[at] > d) {
      at--;
    }
    for (int j = at + 1; j < depth.length; j++) {
      if (depth[j] < d) {
        return true;
      }
      if (depth[j] == d) {
        return false;
      }
    }
    return true;
  }

  String html() {
    StringBuilder sb = new StringBuilder("<div class=\"amalgam-analysis\">");
    if (!summary.isEmpty()) {
      sb.append("<p style=\"font-weight:bold;margin:6px 0\">EXPLAIN ANALYZE — ")
          .append(HtmlTable.escape(summary.substring("query: ".length())))
          .append("</p>");
    }
    if (!plan.isEmpty()) {
      sb.append("<pre style=\"margin:2px 0 8px 0\">")
          .append(HtmlTable.escape(tree()))
          .append("</pre>");
    }
    if (operatorRows > 0) {
      sb.append(operators.caption("operators per pipeline").html());
    }
    if (deviceRows > 0) {
      sb.append(devices.caption("devices: morsels run where their pages live").html());
    }
    links.caption("links").note(linkRows == 0 ? "no bytes moved; " + linkNote : linkNote);
    sb.append(links.html());
    if (pageRows > 0) {
      sb.append(pages.caption("pages").note(spill).html());
    }
    if (!other.isEmpty()) {
      sb.append("<pre>").append(HtmlTable.escape(String.join("\n", other))).append("</pre>");
    }
    return sb.append("</div>").toString();
  }

  int operatorRows() {
    return operatorRows;
  }

  int deviceRows() {
    return deviceRows;
  }

  int linkRows() {
    return linkRows;
  }

  int pageRows() {
    return pageRows;
  }

  List<String> unrecognised() {
    return List.copyOf(other);
  }
}
