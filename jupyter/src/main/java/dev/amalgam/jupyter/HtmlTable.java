package dev.amalgam.jupyter;

import java.util.ArrayList;
import java.util.List;

/**
 * A small HTML table builder: a header row, body rows of escaped cells, each column aligned left or
 * right, and an optional caption and note below. Its plain-text twin lays the same cells out in
 * aligned columns.
 */
final class HtmlTable {
  static final String STYLE =
      "border-collapse:collapse;font-family:var(--jp-code-font-family,monospace);font-size:12px";

  private final List<String> head;
  private final boolean[] right;
  private final List<List<String>> rows = new ArrayList<>();
  private String caption = "";
  private String note = "";

  HtmlTable(List<String> head, boolean[] right) {
    if (head.size() != right.length) {
      throw new IllegalArgumentException(
          head.size() + " column names for " + right.length + " alignments");
    }
    this.head = List.copyOf(head);
    this.right = right.clone();
  }

  /** A table whose first column is left-aligned and the others right-aligned (numbers). */
  static HtmlTable numeric(List<String> head) {
    boolean[] r = new boolean[head.size()];
    for (int i = 1; i < r.length; i++) {
      r[i] = true;
    }
    return new HtmlTable(head, r);
  }

  HtmlTable row(List<String> cells) {
    if (cells.size() != head.size()) {
      throw new IllegalArgumentException(
          "a row of " + cells.size() + " cells in a table of " + head.size() + " columns");
    }
    rows.add(List.copyOf(cells));
    return this;
  }

  HtmlTable caption(String text) {
    this.caption = text;
    return this;
  }

  HtmlTable note(String text) {
    this.note = text;
    return this;
  }

  String html() {
    StringBuilder sb = new StringBuilder();
    sb.append("<table class=\"amalgam\" style=\"").append(STYLE).append("\">");
    if (!caption.isEmpty()) {
      sb.append("<caption style=\"text-align:left;font-weight:bold\">")
          .append(escape(caption))
          .append("</caption>");
    }
    sb.append("<thead><tr>");
    for (int c = 0; c < head.size(); c++) {
      sb.append("<th style=\"text-align:")
          .append(right[c] ? "right" : "left")
          .append(";padding:2px 8px;border-bottom:1px solid #999\">")
          .append(escape(head.get(c)))
          .append("</th>");
    }
    sb.append("</tr></thead><tbody>");
    for (List<String> r : rows) {
      sb.append("<tr>");
      for (int c = 0; c < r.size(); c++) {
        sb.append("<td style=\"text-align:")
            .append(right[c] ? "right" : "left")
            .append(";padding:1px 8px\">")
            .append(escape(r.get(c)))
            .append("</td>");
      }
      sb.append("</tr>");
    }
    sb.append("</tbody></table>");
    if (!note.isEmpty()) {
      sb.append("<p style=\"font-size:11px;color:#666;margin:2px 0 8px 0\">")
          .append(escape(note))
          .append("</p>");
    }
    return sb.toString();
  }

  String text() {
    int n = head.size();
    int[] w = new int[n];
    for (int c = 0; c < n; c++) {
      w[c] = head.get(c).length();
      for (List<String> r : rows) {
        w[c] = Math.max(w[c], r.get(c).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    if (!caption.isEmpty()) {
      sb.append(caption).append('\n');
    }
    line(sb, head, w);
    for (int c = 0; c < n; c++) {
      sb.append(c == 0 ? "" : "-+-").append("-".repeat(w[c]));
    }
    sb.append('\n');
    for (List<String> r : rows) {
      line(sb, r, w);
    }
    if (!note.isEmpty()) {
      sb.append(note).append('\n');
    }
    return sb.toString();
  }

  private void line(StringBuilder sb, List<String> cells, int[] w) {
    for (int c = 0; c < cells.size(); c++) {
      String v = cells.get(c);
      String fill = " ".repeat(Math.max(0, w[c] - v.length()));
      sb.append(c == 0 ? "" : " | ").append(right[c] ? fill + v : v + fill);
    }
    sb.append('\n');
  }

  /** {@code s} with HTML's special characters escaped. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(ch);
      }
    }
    return sb.toString();
  }
}
