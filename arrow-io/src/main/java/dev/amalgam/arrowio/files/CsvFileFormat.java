package dev.amalgam.arrowio.files;

import dev.amalgam.arrowio.csv.Csv;
import dev.amalgam.arrowio.csv.CsvLoad;
import dev.amalgam.arrowio.csv.CsvOptions;
import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.files.FileOptions;
import dev.amalgam.exec.files.FileSource;
import dev.amalgam.exec.files.TableFileFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CSV files ({@code .csv}, {@code .tsv}, gzip-compressed or not): loaded whole by {@link Csv#read}
 * when the statement opens them, with DuckDB's option names; written by {@link CsvWriter}.
 */
public final class CsvFileFormat implements TableFileFormat {
  /** The options {@code read_csv} takes. */
  static final Set<String> READ_OPTIONS =
      Set.of(
          "header",
          "delim",
          "sep",
          "delimiter",
          "quote",
          "escape",
          "comment",
          "nullstr",
          "dateformat",
          "timestampformat",
          "sample_size",
          "columns",
          "empty_as_null",
          "threads");

  private static final Pattern DECIMAL =
      Pattern.compile("(?:DECIMAL|NUMERIC)\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");

  /** For {@link java.util.ServiceLoader}. */
  public CsvFileFormat() {}

  @Override
  public List<String> names() {
    return List.of("csv", "csv_auto", "tsv");
  }

  @Override
  public List<String> extensions() {
    return List.of(".csv", ".csv.gz", ".tsv", ".tsv.gz", ".tab");
  }

  @Override
  public FileSource open(Engine engine, Path path, String tableName, FileOptions options) {
    CsvLoad load = Csv.read(engine, path, tableName, readOptions(path, options));
    return new Loaded(load.table(), load.summary());
  }

  static CsvOptions readOptions(Path path, FileOptions o) {
    o.allowOnly(READ_OPTIONS);
    CsvOptions.Builder b = CsvOptions.builder().emptyStringIsNull(true);
    String name = String.valueOf(path.getFileName()).toLowerCase(Locale.ROOT);
    if (name.endsWith(".tsv") || name.endsWith(".tsv.gz") || name.endsWith(".tab")) {
      b.delimiter('\t');
    }
    Boolean header = o.bool("header");
    if (header != null) {
      b.header(header);
    }
    for (String key : List.of("delim", "sep", "delimiter")) {
      Character c = o.character(key);
      if (c != null) {
        if (c > 127) {
          throw o.error(key, "the delimiter must be an ASCII character; got '" + c + "'");
        }
        b.delimiter(c);
      }
    }
    if (o.has("quote")) {
      String q = o.string("quote");
      if (q == null || q.isEmpty()) {
        b.noQuote();
      } else {
        Character c = o.character("quote");
        b.quote(c == null ? '"' : c);
      }
    }
    Character escape = o.character("escape");
    if (escape != null) {
      b.escape(escape);
    }
    Character comment = o.character("comment");
    if (comment != null) {
      b.comment(comment);
    }
    List<String> nulls = o.strings("nullstr");
    if (nulls != null) {
      // as in DuckDB: with NULL tokens given, an empty field is NULL only if "" is one of them
      List<String> tokens = new ArrayList<>(nulls);
      b.emptyStringIsNull(tokens.removeIf(String::isEmpty));
      if (!tokens.isEmpty()) {
        b.nullTokens(tokens.toArray(String[]::new));
      }
    }
    String date = o.string("dateformat");
    if (date != null) {
      b.datePattern(javaPattern(date, o, "dateformat"));
    }
    String ts = o.string("timestampformat");
    if (ts != null) {
      b.timestampPattern(javaPattern(ts, o, "timestampformat"));
    }
    Long sample = o.integer("sample_size", 1, Integer.MAX_VALUE);
    if (sample != null) {
      b.sampleRows(sample.intValue());
    }
    Boolean emptyNull = o.bool("empty_as_null");
    if (emptyNull != null) {
      b.emptyStringIsNull(emptyNull);
    }
    Long threads = o.integer("threads", 1, 1024);
    if (threads != null) {
      b.threads(threads.intValue());
    }
    Map<String, String> columns = o.stringMap("columns");
    if (columns != null) {
      List<Field> fields = new ArrayList<>();
      for (Map.Entry<String, String> e : columns.entrySet()) {
        fields.add(Field.of(e.getKey(), type(e.getValue(), e.getKey(), o)));
      }
      if (fields.isEmpty()) {
        throw o.error("columns", "columns needs at least one 'name': 'TYPE'");
      }
      b.schema(new Schema(fields));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw o.error("header", String.valueOf(e.getMessage()));
    }
  }

  /** A SQL type name as a column type. */
  static DataType type(String sql, String column, FileOptions o) {
    String t = sql.strip().toUpperCase(Locale.ROOT);
    Matcher m = DECIMAL.matcher(t);
    if (m.matches()) {
      int p = Integer.parseInt(m.group(1));
      int s = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
      if (p > DataType.MAX_DECIMAL_PRECISION || s > p) {
        throw o.error(
            "columns",
            "column '"
                + column
                + "': "
                + sql
                + " is not supported (at most "
                + DataType.MAX_DECIMAL_PRECISION
                + " digits)");
      }
      return DataType.decimal(p, s);
    }
    return switch (t) {
      case "BOOLEAN", "BOOL" -> DataType.BOOL;
      case "TINYINT" -> DataType.INT8;
      case "SMALLINT" -> DataType.INT16;
      case "INTEGER", "INT" -> DataType.INT32;
      case "BIGINT" -> DataType.INT64;
      case "REAL", "FLOAT4" -> DataType.FLOAT32;
      case "DOUBLE", "FLOAT", "FLOAT8" -> DataType.FLOAT64;
      case "DATE" -> DataType.DATE32;
      case "TIMESTAMP" -> DataType.TIMESTAMP;
      case "VARCHAR", "TEXT", "STRING" -> DataType.UTF8;
      default ->
          throw o.error(
              "columns",
              "column '"
                  + column
                  + "': type '"
                  + sql
                  + "' is not supported; use BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, REAL,"
                  + " DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP or VARCHAR");
    };
  }

  /**
   * A {@code java.time} pattern from a strftime one ({@code %d/%m/%Y}, as DuckDB takes); a pattern
   * without {@code %} is taken as a {@code java.time} pattern already.
   */
  static String javaPattern(String p, FileOptions o, String key) {
    if (p.indexOf('%') < 0) {
      return p;
    }
    StringBuilder out = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c != '%' || i + 1 >= p.length()) {
        literal.append(c);
        continue;
      }
      if (!literal.isEmpty()) {
        out.append('\'').append(literal.toString().replace("'", "''")).append('\'');
        literal.setLength(0);
      }
      char d = p.charAt(++i);
      out.append(
          switch (d) {
            case 'Y' -> "uuuu";
            case 'y' -> "uu";
            case 'm' -> "MM";
            case 'd' -> "dd";
            case 'H' -> "HH";
            case 'M' -> "mm";
            case 'S' -> "ss";
            case 'f' -> "SSSSSS";
            case 'b' -> "MMM";
            case 'B' -> "MMMM";
            case '%' -> "'%'";
            default -> throw o.error(key, "'%" + d + "' in '" + p + "' is not supported");
          });
    }
    if (!literal.isEmpty()) {
      out.append('\'').append(literal.toString().replace("'", "''")).append('\'');
    }
    return out.toString();
  }

  @Override
  public boolean canWrite() {
    return true;
  }

  @Override
  public long write(Result result, Path path, FileOptions options) throws IOException {
    return CsvWriter.write(result, path, options);
  }
}
