package dev.amalgam.arrowio.csv;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import org.jspecify.annotations.Nullable;

/**
 * Parses field bytes into typed values without creating strings on the common paths (integers,
 * plain decimals and doubles, ISO dates and timestamps); a result goes to {@link #longValue} or
 * {@link #doubleValue}, and the return value is {@link #OK} or why not. Leading and trailing spaces
 * and tabs are ignored. One instance per thread.
 */
final class FieldParser {
  static final int OK = 0;
  static final int INVALID = 1;
  static final int OUT_OF_RANGE = 2;

  private static final long[] POW10 = new long[19];
  private static final double[] DPOW10 = new double[23];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
    DPOW10[0] = 1;
    for (int i = 1; i < DPOW10.length; i++) {
      DPOW10[i] = DPOW10[i - 1] * 10;
    }
  }

  private final @Nullable DateTimeFormatter datePattern;
  private final @Nullable DateTimeFormatter timestampPattern;

  long longValue;
  double doubleValue;

  /** Scale of the last {@link #parseDecimalShape} (digits after the point), or -1 for none. */
  int lastScale;

  /** Digits before the point of the last {@link #parseDecimalShape}. */
  int lastIntegerDigits;

  FieldParser(@Nullable String datePattern, @Nullable String timestampPattern) {
    this.datePattern = datePattern == null ? null : DateTimeFormatter.ofPattern(datePattern);
    this.timestampPattern =
        timestampPattern == null ? null : DateTimeFormatter.ofPattern(timestampPattern);
  }

  private static boolean space(byte b) {
    return b == ' ' || b == '\t';
  }

  /** A signed decimal integer into {@link #longValue}. */
  int parseLong(byte[] a, int off, int len) {
    int p = off;
    int end = off + len;
    while (p < end && space(a[p])) {
      p++;
    }
    while (end > p && space(a[end - 1])) {
      end--;
    }
    if (p == end) {
      return INVALID;
    }
    boolean neg = false;
    if (a[p] == '-' || a[p] == '+') {
      neg = a[p] == '-';
      p++;
      if (p == end) {
        return INVALID;
      }
    }
    long v = 0;
    for (; p < end; p++) {
      int d = a[p] - '0';
      if (d < 0 || d > 9) {
        return INVALID;
      }
      // accumulate negatively so that Long.MIN_VALUE fits
      if (v < (Long.MIN_VALUE + d) / 10) {
        return OUT_OF_RANGE;
      }
      v = v * 10 - d;
    }
    if (!neg) {
      if (v == Long.MIN_VALUE) {
        return OUT_OF_RANGE;
      }
      v = -v;
    }
    longValue = v;
    return OK;
  }

  /** A double into {@link #doubleValue}: exact fast path for short decimals, else the JDK. */
  int parseDouble(byte[] a, int off, int len) {
    int p = off;
    int end = off + len;
    while (p < end && space(a[p])) {
      p++;
    }
    while (end > p && space(a[end - 1])) {
      end--;
    }
    if (p == end) {
      return INVALID;
    }
    int s = p;
    boolean neg = false;
    if (a[p] == '-' || a[p] == '+') {
      neg = a[p] == '-';
      p++;
    }
    long m = 0;
    int digits = 0;
    int fraction = 0;
    boolean point = false;
    boolean simple = true;
    boolean any = false;
    for (; p < end; p++) {
      byte b = a[p];
      if (b >= '0' && b <= '9') {
        any = true;
        if (m != 0 || b != '0') {
          digits++;
        }
        m = m * 10 + (b - '0');
        if (point) {
          fraction++;
        }
        if (digits > 15) {
          simple = false;
          break;
        }
      } else if (b == '.' && !point) {
        point = true;
      } else {
        simple = false;
        break;
      }
    }
    if (simple && any && fraction <= 22) {
      double d = (double) m / DPOW10[fraction];
      doubleValue = neg ? -d : d;
      return OK;
    }
    return parseDoubleSlow(new String(a, s, end - s, StandardCharsets.ISO_8859_1));
  }

  private int parseDoubleSlow(String t) {
    String l = t.toLowerCase(java.util.Locale.ROOT);
    switch (l) {
      case "inf", "+inf", "infinity", "+infinity" -> {
        doubleValue = Double.POSITIVE_INFINITY;
        return OK;
      }
      case "-inf", "-infinity" -> {
        doubleValue = Double.NEGATIVE_INFINITY;
        return OK;
      }
      case "nan", "+nan", "-nan" -> {
        doubleValue = Double.NaN;
        return OK;
      }
      default -> {}
    }
    // the JDK also takes hex floats and a trailing d/f; CSV numbers are plain decimals
    for (int i = 0; i < l.length(); i++) {
      char c = l.charAt(i);
      if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == '-' || c == '+')) {
        return INVALID;
      }
    }
    try {
      doubleValue = Double.parseDouble(t);
      return OK;
    } catch (NumberFormatException e) {
      return INVALID;
    }
  }

  /**
   * The shape of a plain decimal ({@code [-+]digits[.digits]}): sets {@link #lastScale} (-1 without
   * a point) and {@link #lastIntegerDigits}; for type inference.
   */
  int parseDecimalShape(byte[] a, int off, int len) {
    int p = off;
    int end = off + len;
    while (p < end && space(a[p])) {
      p++;
    }
    while (end > p && space(a[end - 1])) {
      end--;
    }
    if (p < end && (a[p] == '-' || a[p] == '+')) {
      p++;
    }
    int intDigits = 0;
    int scale = -1;
    boolean leading = true;
    boolean any = false;
    for (; p < end; p++) {
      byte b = a[p];
      if (b >= '0' && b <= '9') {
        any = true;
        if (scale >= 0) {
          scale++;
        } else if (!(leading && b == '0')) {
          intDigits++;
          leading = false;
        }
      } else if (b == '.' && scale < 0) {
        scale = 0;
      } else {
        return INVALID;
      }
    }
    if (!any || scale == 0) {
      return INVALID;
    }
    lastScale = scale;
    lastIntegerDigits = intDigits;
    return OK;
  }

  /** A decimal into {@link #longValue}, unscaled to {@code scale}, rounding half up. */
  int parseDecimal(byte[] a, int off, int len, int precision, int scale) {
    int p = off;
    int end = off + len;
    while (p < end && space(a[p])) {
      p++;
    }
    while (end > p && space(a[end - 1])) {
      end--;
    }
    if (p == end) {
      return INVALID;
    }
    int s = p;
    boolean neg = false;
    if (a[p] == '-' || a[p] == '+') {
      neg = a[p] == '-';
      p++;
    }
    long v = 0;
    int intDigits = 0;
    int frac = -1;
    boolean any = false;
    boolean roundUp = false;
    boolean leading = true;
    for (; p < end; p++) {
      byte b = a[p];
      if (b >= '0' && b <= '9') {
        any = true;
        int d = b - '0';
        if (frac < 0) {
          if (leading && d == 0) {
            continue;
          }
          leading = false;
          if (++intDigits > precision - scale) {
            return OUT_OF_RANGE;
          }
          v = v * 10 + d;
        } else if (frac < scale) {
          frac++;
          v = v * 10 + d;
        } else {
          if (frac == scale) {
            roundUp = d >= 5;
            frac++;
          }
        }
      } else if (b == '.' && frac < 0) {
        frac = 0;
      } else {
        return parseDecimalSlow(
            new String(a, s, end - s, StandardCharsets.ISO_8859_1), precision, scale);
      }
    }
    if (!any) {
      return INVALID;
    }
    int have = Math.max(0, Math.min(frac, scale));
    v *= POW10[scale - have];
    if (roundUp) {
      v++;
      if (v >= POW10[precision]) {
        return OUT_OF_RANGE;
      }
    }
    longValue = neg ? -v : v;
    return OK;
  }

  private int parseDecimalSlow(String t, int precision, int scale) {
    try {
      BigDecimal d = new BigDecimal(t).setScale(scale, RoundingMode.HALF_UP);
      if (d.precision() - d.scale() > precision - scale) {
        return OUT_OF_RANGE;
      }
      longValue = d.unscaledValue().longValueExact();
      return OK;
    } catch (NumberFormatException | ArithmeticException e) {
      return INVALID;
    }
  }

  /** true/false, t/f, yes/no, y/n, 1/0 (any case) into {@link #longValue} as 1 or 0. */
  int parseBool(byte[] a, int off, int len) {
    int p = off;
    int end = off + len;
    while (p < end && space(a[p])) {
      p++;
    }
    while (end > p && space(a[end - 1])) {
      end--;
    }
    int n = end - p;
    if (n == 0 || n > 5) {
      return INVALID;
    }
    String t = new String(a, p, n, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
    switch (t) {
      case "true", "t", "yes", "y", "1" -> longValue = 1;
      case "false", "f", "no", "n", "0" -> longValue = 0;
      default -> {
        return INVALID;
      }
    }
    return OK;
  }

  /** Whether the text is {@code true} or {@code false} (any case): what inference takes as bool. */
  static boolean isBoolWord(byte[] a, int off, int len) {
    String t = new String(a, off, len, StandardCharsets.ISO_8859_1).strip();
    return t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false");
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (no range check). */
  static long epochDay(long y, int m, int d) {
    // shift the year to start in March so that the leap day is the year's last day
    y -= m <= 2 ? 1 : 0;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    int mp = (m + 9) % 12;
    long doy = (153L * mp + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  }

  private static boolean validDate(long y, int m, int d) {
    if (m < 1 || m > 12 || d < 1) {
      return false;
    }
    int dim =
        switch (m) {
          case 2 -> (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
          case 4, 6, 9, 11 -> 30;
          default -> 31;
        };
    return d <= dim;
  }

  private int digits(byte[] a, int p, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
      int d = a[p + i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  /** Date: ISO {@code yyyy-MM-dd} or the configured pattern, into {@link #longValue} (days). */
  int parseDate(byte[] a, int off, int len) {
    int p = off;
    int end = off + len;
    while (p < end && space(a[p])) {
      p++;
    }
    while (end > p && space(a[end - 1])) {
      end--;
    }
    if (datePattern != null) {
      try {
        LocalDate d =
            LocalDate.parse(new String(a, p, end - p, StandardCharsets.UTF_8), datePattern);
        longValue = d.toEpochDay();
        return OK;
      } catch (DateTimeParseException e) {
        return INVALID;
      }
    }
    if (end - p != 10 || a[p + 4] != '-' || a[p + 7] != '-') {
      return INVALID;
    }
    int y = digits(a, p, 4);
    int m = digits(a, p + 5, 2);
    int d = digits(a, p + 8, 2);
    if (y < 0 || m < 0 || d < 0 || !validDate(y, m, d)) {
      return INVALID;
    }
    longValue = epochDay(y, m, d);
    return OK;
  }

  /**
   * Timestamp into {@link #longValue} (microseconds since the epoch, UTC): ISO {@code yyyy-MM-dd},
   * then optionally {@code [T ]HH:mm[:ss[.fraction]]} and an offset ({@code Z}, {@code +hh}, {@code
   * +hh:mm}, {@code +hhmm}); without an offset the time is UTC. Or the configured pattern.
   */
  int parseTimestamp(byte[] a, int off, int len) {
    int p = off;
    int end = off + len;
    while (p < end && space(a[p])) {
      p++;
    }
    while (end > p && space(a[end - 1])) {
      end--;
    }
    if (timestampPattern != null) {
      return parseTimestampPattern(new String(a, p, end - p, StandardCharsets.UTF_8));
    }
    int n = end - p;
    if (n < 10 || a[p + 4] != '-' || a[p + 7] != '-') {
      return INVALID;
    }
    int y = digits(a, p, 4);
    int mo = digits(a, p + 5, 2);
    int d = digits(a, p + 8, 2);
    if (y < 0 || mo < 0 || d < 0 || !validDate(y, mo, d)) {
      return INVALID;
    }
    long micros = epochDay(y, mo, d) * 86_400_000_000L;
    int q = p + 10;
    if (q == end) {
      longValue = micros;
      return OK;
    }
    if ((a[q] != 'T' && a[q] != ' ') || end - q < 6 || a[q + 3] != ':') {
      return INVALID;
    }
    int h = digits(a, q + 1, 2);
    int mi = digits(a, q + 4, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59) {
      return INVALID;
    }
    q += 6;
    int sec = 0;
    long fracMicros = 0;
    if (q < end && a[q] == ':') {
      if (end - q < 3) {
        return INVALID;
      }
      sec = digits(a, q + 1, 2);
      if (sec < 0 || sec > 59) {
        return INVALID;
      }
      q += 3;
      if (q < end && a[q] == '.') {
        q++;
        int fd = 0;
        while (q < end && a[q] >= '0' && a[q] <= '9') {
          if (fd < 6) {
            fracMicros = fracMicros * 10 + (a[q] - '0');
          }
          fd++;
          q++;
        }
        if (fd == 0 || fd > 9) {
          return INVALID;
        }
        for (int i = fd; i < 6; i++) {
          fracMicros *= 10;
        }
      }
    }
    long offsetSeconds = 0;
    if (q < end) {
      if (a[q] == 'Z' && q + 1 == end) {
        q++;
      } else if (a[q] == '+' || a[q] == '-') {
        int sign = a[q] == '-' ? -1 : 1;
        int rest = end - q - 1;
        int oh;
        int om = 0;
        if (rest == 2) {
          oh = digits(a, q + 1, 2);
        } else if (rest == 5 && a[q + 3] == ':') {
          oh = digits(a, q + 1, 2);
          om = digits(a, q + 4, 2);
        } else if (rest == 4) {
          oh = digits(a, q + 1, 2);
          om = digits(a, q + 3, 2);
        } else {
          return INVALID;
        }
        if (oh < 0 || oh > 18 || om < 0 || om > 59) {
          return INVALID;
        }
        offsetSeconds = sign * (oh * 3600L + om * 60L);
        q = end;
      } else {
        return INVALID;
      }
    }
    longValue = micros + ((h * 3600L + mi * 60L + sec - offsetSeconds) * 1_000_000L) + fracMicros;
    return OK;
  }

  private int parseTimestampPattern(String t) {
    DateTimeFormatter f = java.util.Objects.requireNonNull(timestampPattern);
    try {
      TemporalAccessor ta = f.parseBest(t, OffsetDateTime::from, LocalDateTime::from);
      long seconds;
      int nanos;
      if (ta instanceof OffsetDateTime o) {
        seconds = o.toEpochSecond();
        nanos = o.getNano();
      } else {
        LocalDateTime l = (LocalDateTime) ta;
        seconds = l.toEpochSecond(ZoneOffset.UTC);
        nanos = l.get(ChronoField.NANO_OF_SECOND);
      }
      longValue = Math.addExact(Math.multiplyExact(seconds, 1_000_000L), nanos / 1000);
      return OK;
    } catch (DateTimeParseException | ArithmeticException e) {
      return INVALID;
    }
  }

  /** Whether {@code a[off..off+len)} is valid UTF-8. */
  static boolean validUtf8(byte[] a, int off, int len) {
    int p = off;
    int end = off + len;
    while (p < end) {
      int b = a[p];
      if (b >= 0) {
        p++;
        continue;
      }
      int need;
      int min;
      if ((b & 0xE0) == 0xC0) {
        need = 1;
        min = 0x80;
      } else if ((b & 0xF0) == 0xE0) {
        need = 2;
        min = 0x800;
      } else if ((b & 0xF8) == 0xF0) {
        need = 3;
        min = 0x10000;
      } else {
        return false;
      }
      if (p + need >= end) {
        return false;
      }
      int cp = b & (0x3F >> need);
      for (int i = 1; i <= need; i++) {
        int c = a[p + i];
        if ((c & 0xC0) != 0x80) {
          return false;
        }
        cp = (cp << 6) | (c & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return false;
      }
      p += need + 1;
    }
    return true;
  }
}
