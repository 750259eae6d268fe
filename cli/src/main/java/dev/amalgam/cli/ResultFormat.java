package dev.amalgam.cli;

import dev.amalgam.exec.Result;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** How the SQL shell prints a result: an aligned table, CSV (RFC 4180) or JSON. */
enum ResultFormat {
  /** An aligned text table with a row count, at most {@code maxRows} rows shown. */
  TABLE,
  /** A header line, then one line per row; text quoted when it needs to be; NULL is empty. */
  CSV,
  /** A JSON array of one object per row (column name to value; dates and text as strings). */
  JSON;

  /** Parses {@code table}, {@code csv} or {@code json} (any case). */
  static ResultFormat parse(String s) {
    try {
      return valueOf(s.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown format '" + s + "'; use table, csv or json", e);
    }
  }

  /** Prints {@code r} to {@code out}. */
  void print(Result r, PrintWriter out, int maxRows) {
    switch (this) {
      case TABLE -> out.print(r.format(maxRows));
      case CSV -> {
        List<String> names = r.columnNames();
        for (int c = 0; c < names.size(); c++) {
          out.print((c == 0 ? "" : ",") + csv(names.get(c)));
        }
        out.println();
        for (Result.Row row : r) {
          for (int c = 0; c < names.size(); c++) {
            Object v = row.get(c);
            out.print((c == 0 ? "" : ",") + (v == null ? "" : csv(text(v))));
          }
          out.println();
        }
      }
      case JSON -> {
        List<String> names = r.columnNames();
        out.print("[");
        int i = 0;
        for (Result.Row row : r) {
          out.print(i++ == 0 ? "\n  {" : ",\n  {");
          for (int c = 0; c < names.size(); c++) {
            out.print((c == 0 ? "" : ", ") + jsonString(names.get(c)) + ": " + json(row.get(c)));
          }
          out.print("}");
        }
        out.println(i == 0 ? "]" : "\n]");
      }
    }
    out.flush();
  }

  private static String text(Object v) {
    return v instanceof BigDecimal d ? d.toPlainString() : v.toString();
  }

  private static String csv(String s) {
    boolean quote =
        s.isEmpty()
            || s.indexOf(',') >= 0
            || s.indexOf('"') >= 0
            || s.indexOf('\n') >= 0
            || s.indexOf('\r') >= 0;
    return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  private static String json(@Nullable Object v) {
    return switch (v) {
      case null -> "null";
      case Boolean b -> b.toString();
      case Double d -> Double.isFinite(d) ? d.toString() : "null";
      case BigDecimal d -> d.toPlainString();
      case Number n -> n.toString();
      default -> jsonString(v.toString());
    };
  }

  static String jsonString(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
