package dev.amalgam.arrowio.csv;

import dev.amalgam.exec.DataType;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Chooses a column's type from sampled values, the narrowest that every non-null value parses as:
 * bool ({@code true}/{@code false}), int32 (only when the sample is the whole file; int64
 * otherwise, since later rows may be larger), int64, decimal(18,s) when every value has a point and
 * the same number s of digits after it, float64, date32, timestamp, and else utf8 —
 * dictionary&lt;utf8&gt; when at least 100 values were seen and at most one in ten is distinct. A
 * column with no non-null value is utf8.
 */
final class CsvInference {
  /** Fewest sampled values before a string column may become dictionary-encoded. */
  static final int DICTIONARY_MIN_VALUES = 100;

  private CsvInference() {}

  /**
   * The type of one column from its sampled non-null values.
   *
   * @param wholeFile whether the sample holds every row of the file
   */
  static DataType infer(List<byte[]> values, FieldParser fp, boolean wholeFile) {
    if (values.isEmpty()) {
      return DataType.UTF8;
    }
    boolean bool = true;
    boolean i32 = true;
    boolean i64 = true;
    boolean dec = true;
    int scale = -1;
    int intDigits = 0;
    boolean dbl = true;
    boolean date = true;
    boolean ts = true;
    Set<String> distinct = new HashSet<>();
    int limit = values.size() / 10;
    for (byte[] v : values) {
      int n = v.length;
      if (bool && !FieldParser.isBoolWord(v, 0, n)) {
        bool = false;
      }
      if (i64) {
        if (fp.parseLong(v, 0, n) != FieldParser.OK) {
          i64 = false;
          i32 = false;
        } else if (fp.longValue < Integer.MIN_VALUE || fp.longValue > Integer.MAX_VALUE) {
          i32 = false;
        }
      }
      if (dec) {
        if (fp.parseDecimalShape(v, 0, n) != FieldParser.OK || fp.lastScale <= 0) {
          dec = false;
        } else if (scale < 0) {
          scale = fp.lastScale;
        } else if (scale != fp.lastScale) {
          dec = false;
        }
        intDigits = Math.max(intDigits, fp.lastIntegerDigits);
      }
      if (dbl && fp.parseDouble(v, 0, n) != FieldParser.OK) {
        dbl = false;
      }
      if (date && fp.parseDate(v, 0, n) != FieldParser.OK) {
        date = false;
      }
      if (ts && fp.parseTimestamp(v, 0, n) != FieldParser.OK) {
        ts = false;
      }
      if (distinct.size() <= limit) {
        distinct.add(new String(v, StandardCharsets.UTF_8));
      }
    }
    if (bool) {
      return DataType.BOOL;
    }
    if (i32 && wholeFile) {
      return DataType.INT32;
    }
    if (i64) {
      return DataType.INT64;
    }
    if (dec && scale <= DataType.MAX_DECIMAL_PRECISION && intDigits + scale <= 18) {
      return DataType.decimal(DataType.MAX_DECIMAL_PRECISION, scale);
    }
    if (dbl) {
      return DataType.FLOAT64;
    }
    if (date) {
      return DataType.DATE32;
    }
    if (ts) {
      return DataType.TIMESTAMP;
    }
    if (values.size() >= DICTIONARY_MIN_VALUES && distinct.size() <= limit) {
      return DataType.DICTIONARY_UTF8;
    }
    return DataType.UTF8;
  }
}
