package dev.amalgam.arrowio.csv;

import dev.amalgam.exec.ColumnValues;
import dev.amalgam.exec.DataType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Parses one block of whole records into typed column buffers: each field goes straight from the
 * input bytes into its column (no strings for numbers and dates). A row with a bad value, the wrong
 * number of fields or a syntax error is taken out again and reported with its line; with {@link
 * CsvOptions.OnError#FAIL} the block stops at its first bad row. Safe to run on many threads at
 * once with one parser each.
 */
final class BlockParser {
  /** A bad row: line counted from the block's start (0-based), column (null: the row), text. */
  record RowError(int localLine, @Nullable String column, String text, String reason) {}

  /** The result of one block. */
  static final class Parsed {
    final ColumnBuffer[] columns;
    int rows;
    int lines;
    final List<RowError> errors = new ArrayList<>();

    Parsed(ColumnBuffer[] columns) {
      this.columns = columns;
    }
  }

  static final int MAX_TEXT = 1000;

  private final CsvOptions options;
  private final DataType[] types;
  private final String[] names;
  private final boolean[] notNull;
  private final int[] fieldToColumn;
  private final byte[][] nullTokens;
  private final boolean fail;
  private final CsvTokenizer tok;
  private final FieldParser fp;

  /**
   * A parser.
   *
   * @param types table column types
   * @param names table column names
   * @param notNull table columns that may not hold nulls
   * @param fieldToColumn the table column of each field of a record
   */
  BlockParser(
      CsvOptions options,
      DataType[] types,
      String[] names,
      boolean[] notNull,
      int[] fieldToColumn) {
    this.options = options;
    this.types = types;
    this.names = names;
    this.notNull = notNull;
    this.fieldToColumn = fieldToColumn;
    List<String> tokens = options.nullTokens();
    this.nullTokens = new byte[tokens.size()][];
    for (int i = 0; i < tokens.size(); i++) {
      nullTokens[i] = tokens.get(i).getBytes(StandardCharsets.UTF_8);
    }
    this.fail = options.onError() == CsvOptions.OnError.FAIL;
    this.tok = new CsvTokenizer(options);
    this.fp = new FieldParser(options.datePattern(), options.timestampPattern());
  }

  /** Parses {@code bytes[start..end)}. */
  Parsed parse(byte[] bytes, int start, int end) {
    int expectRows = Math.max(16, (end - start) / Math.max(8, 6 * fieldToColumn.length));
    ColumnBuffer[] cols = new ColumnBuffer[types.length];
    for (int c = 0; c < cols.length; c++) {
      cols[c] = new ColumnBuffer(ColumnValues.shapeOf(types[c]), expectRows);
    }
    Parsed out = new Parsed(cols);
    tok.reset(bytes, start, end);
    int expected = fieldToColumn.length;
    while (true) {
      try {
        if (!tok.next()) {
          break;
        }
      } catch (CsvTokenizer.UnterminatedQuote u) {
        out.errors.add(
            new RowError(
                u.fieldLine,
                null,
                CsvText.decode(bytes, u.recordStart, end - u.recordStart, 200),
                "unterminated quoted field"));
        break;
      }
      int n = tok.fieldCount();
      int before = out.errors.size();
      String syntax = tok.recordError();
      if (syntax != null) {
        out.errors.add(new RowError(tok.recordLine(), null, tok.recordText(MAX_TEXT), syntax));
      } else if (n != expected) {
        out.errors.add(
            new RowError(
                tok.recordLine(),
                null,
                tok.recordText(MAX_TEXT),
                "expected " + expected + " fields, found " + n));
      } else {
        for (int i = 0; i < n; i++) {
          int c = fieldToColumn[i];
          String reason = convert(cols[c], c, i);
          if (reason != null) {
            out.errors.add(
                new RowError(
                    tok.recordLine(),
                    names[c],
                    CsvText.decode(tok.array(i), tok.offset(i), tok.length(i), MAX_TEXT),
                    reason));
            if (fail) {
              break;
            }
          }
        }
      }
      if (out.errors.size() > before) {
        for (ColumnBuffer b : cols) {
          b.truncate(out.rows);
        }
        if (fail) {
          break;
        }
      } else {
        out.rows++;
      }
    }
    out.lines = tok.lines();
    return out;
  }

  private boolean isNullToken(byte[] a, int off, int len) {
    for (byte[] t : nullTokens) {
      if (t.length == len && java.util.Arrays.equals(a, off, off + len, t, 0, len)) {
        return true;
      }
    }
    return false;
  }

  /** Converts field {@code i} into column {@code c}; null when it fit, else the reason. */
  private @Nullable String convert(ColumnBuffer col, int c, int i) {
    byte[] a = tok.array(i);
    int off = tok.offset(i);
    int len = tok.length(i);
    boolean q = tok.quoted(i);
    DataType t = types[c];
    boolean string = t.isString();
    if ((!q && nullTokens.length > 0 && isNullToken(a, off, len))
        || (len == 0 && (!string || (!q && options.emptyStringIsNull())))) {
      if (notNull[c]) {
        return "null in a not-null column";
      }
      col.addNull();
      return null;
    }
    int r;
    switch (t.kind()) {
      case BOOL -> r = fp.parseBool(a, off, len);
      case INT8, INT16, INT32, INT64 -> {
        r = fp.parseLong(a, off, len);
        if (r == FieldParser.OK && !fits(t, fp.longValue)) {
          r = FieldParser.OUT_OF_RANGE;
        }
      }
      case FLOAT32, FLOAT64 -> {
        r = fp.parseDouble(a, off, len);
        if (r == FieldParser.OK) {
          col.addDouble(fp.doubleValue);
          return null;
        }
      }
      case DECIMAL -> r = fp.parseDecimal(a, off, len, t.precision(), t.scale());
      case DATE32 -> {
        r = fp.parseDate(a, off, len);
        if (r == FieldParser.OK
            && (fp.longValue < Integer.MIN_VALUE || fp.longValue > Integer.MAX_VALUE)) {
          r = FieldParser.OUT_OF_RANGE;
        }
      }
      case TIMESTAMP -> r = fp.parseTimestamp(a, off, len);
      default -> {
        if (!ascii(a, off, len) && !FieldParser.validUtf8(a, off, len)) {
          return "invalid UTF-8";
        }
        col.addBytes(a, off, len);
        return null;
      }
    }
    if (r == FieldParser.OK) {
      col.addLong(fp.longValue);
      return null;
    }
    return (r == FieldParser.OUT_OF_RANGE ? "out of range for " : "not a valid ") + t;
  }

  private static boolean ascii(byte[] a, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (a[i] < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean fits(DataType t, long v) {
    return switch (t.kind()) {
      case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
      case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
      case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
      default -> true;
    };
  }
}
