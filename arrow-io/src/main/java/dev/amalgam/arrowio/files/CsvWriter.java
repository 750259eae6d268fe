package dev.amalgam.arrowio.files;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.files.FileOptions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a result as CSV (RFC 4180 quoting): a header line (unless {@code HEADER false}), NULL as
 * an empty field (or {@code NULLSTR}), an empty string as {@code ""}, dates and timestamps in ISO
 * form ({@code 2024-01-31}, {@code 2024-01-31 09:30:00.123456}, UTC), gzip when the name ends with
 * {@code .gz} or {@code COMPRESSION gzip}.
 */
final class CsvWriter {
  private CsvWriter() {}

  static long write(Result result, Path path, FileOptions o) throws IOException {
    o.allowOnly(Set.of("header", "delim", "delimiter", "sep", "quote", "nullstr", "compression"));
    Boolean h = o.bool("header");
    boolean header = h == null || h;
    // the format writes to a temporary file; the target's name is in the options' description
    String target = o.where().toLowerCase(Locale.ROOT);
    char delim =
        target.endsWith(".tsv'") || target.endsWith(".tsv.gz'") || target.endsWith(".tab'")
            ? '\t'
            : ',';
    for (String key : Set.of("delim", "delimiter", "sep")) {
      Character c = o.character(key);
      if (c != null) {
        delim = c;
      }
    }
    Character q = o.character("quote");
    char quote = q == null ? '"' : q;
    String nullstr = o.string("nullstr");
    String nul = nullstr == null ? "" : nullstr;
    String compression = o.string("compression");
    boolean gzip =
        compression != null
            ? switch (compression.toLowerCase(Locale.ROOT)) {
              case "gzip" -> true;
              case "none", "uncompressed" -> false;
              default ->
                  throw o.error(
                      "compression", "compression '" + compression + "' is not gzip or none");
            }
            : target.endsWith(".gz'");
    Schema s = result.schema();
    OutputStream raw = Files.newOutputStream(path);
    try (Writer w =
        new BufferedWriter(
            new OutputStreamWriter(
                gzip ? new GZIPOutputStream(raw, 1 << 16) : raw, StandardCharsets.UTF_8),
            1 << 20)) {
      if (header) {
        for (int c = 0; c < s.size(); c++) {
          if (c > 0) {
            w.write(delim);
          }
          w.write(field(s.field(c).name(), delim, quote, nul, true));
        }
        w.write('\n');
      }
      boolean[] text = new boolean[s.size()];
      for (int c = 0; c < s.size(); c++) {
        DataType.Kind k = s.field(c).type().kind();
        text[c] = k == DataType.Kind.UTF8 || k == DataType.Kind.DICTIONARY_UTF8;
      }
      for (Result.Row row : result) {
        for (int c = 0; c < s.size(); c++) {
          if (c > 0) {
            w.write(delim);
          }
          Object v = row.get(c);
          if (v == null) {
            w.write(nul);
          } else {
            w.write(field(format(v), delim, quote, nul, text[c]));
          }
        }
        w.write('\n');
      }
    }
    return result.rowCount();
  }

  private static String format(Object v) {
    return switch (v) {
      case BigDecimal d -> d.toPlainString();
      case Double d ->
          Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e15
              ? String.valueOf(d.longValue()) + ".0"
              : d.toString();
      case Instant i -> timestamp(LocalDateTime.ofInstant(i, ZoneOffset.UTC));
      case LocalDateTime t -> timestamp(t);
      default -> v.toString();
    };
  }

  private static String timestamp(LocalDateTime t) {
    String s =
        t.toLocalDate()
            + " "
            + String.format(
                Locale.ROOT, "%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
    int micros = t.getNano() / 1000;
    return micros == 0 ? s : s + String.format(Locale.ROOT, ".%06d", micros);
  }

  /** {@code s} quoted when it holds the delimiter, the quote, a line end, or could read as NULL. */
  private static String field(String s, char delim, char quote, String nul, boolean text) {
    boolean needs =
        (text && (s.isEmpty() || s.equals(nul)))
            || s.indexOf(delim) >= 0
            || s.indexOf(quote) >= 0
            || s.indexOf('\n') >= 0
            || s.indexOf('\r') >= 0;
    if (!needs) {
      return s;
    }
    String q = String.valueOf(quote);
    return q + s.replace(q, q + q) + q;
  }
}
