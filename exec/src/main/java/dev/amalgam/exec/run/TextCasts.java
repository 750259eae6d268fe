package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.DecimalType;
import dev.amalgam.kernels.KernelException;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Row loops for the casts the kernels do not cover: to and from utf8, and between date32 and
 * timestamp. Inputs are dense vecs of {@code n} rows; outputs are new dense vecs. Formatting and
 * parsing work on bytes without allocating, except float64 (Java's {@code Double} text).
 *
 * <p>Text forms: integers and decimals as plain digits ({@code -12.50}), dates ISO {@code
 * yyyy-mm-dd} (as {@code LocalDate.toString()}), timestamps {@code yyyy-mm-dd hh:mm:ss[.ffffff]}
 * (UTC), bool {@code true}/{@code false}. Parsing strips surrounding blanks; decimals with more
 * fraction digits than the scale round HALF_UP; a timestamp may use {@code T} and end in {@code Z}.
 */
final class TextCasts {
  private TextCasts() {}

  static final long MICROS_PER_DAY = 86_400_000_000L;

  // ---- date32 <-> timestamp ------------------------------------------------------------------

  static Vec dateToTimestamp(Vec v, Scratch s) {
    int n = v.n();
    MemorySegment out = s.allocate(8L * n);
    MemorySegment vv = v.validity();
    for (int k = 0; k < n; k++) {
      if (Validity.isValid(vv, k)) {
        long d = v.getInt(k);
        out.setAtIndex(ArrowLayout.INT64, k, d * MICROS_PER_DAY); // |d| < 2^31: fits
      }
    }
    return Vec.fixed(DataType.TIMESTAMP, n, out, vv);
  }

  static Vec timestampToDate(Vec v, Scratch s) {
    int n = v.n();
    MemorySegment out = s.allocate(4L * n);
    MemorySegment vv = v.validity();
    for (int k = 0; k < n; k++) {
      if (Validity.isValid(vv, k)) {
        out.setAtIndex(ArrowLayout.INT32, k, (int) Math.floorDiv(v.getLong(k), MICROS_PER_DAY));
      }
    }
    return Vec.fixed(DataType.DATE32, n, out, vv);
  }

  // ---- to utf8 -------------------------------------------------------------------------------

  private static int maxWidth(DataType t) {
    return switch (t.kind()) {
      case BOOL -> 5;
      case INT8, INT16, INT32 -> 11;
      case INT64 -> 20;
      case DECIMAL -> 21;
      case DATE32 -> 16;
      case TIMESTAMP -> 36;
      default -> 32;
    };
  }

  /** Formats each row of a non-string vec as text. */
  static Vec toUtf8(Vec v, Scratch s) {
    int n = v.n();
    DataType t = v.type();
    MemorySegment offsets = s.allocate(4L * (n + 1));
    MemorySegment data = s.allocate((long) maxWidth(t) * n);
    MemorySegment vv = v.validity();
    long at = 0;
    for (int k = 0; k < n; k++) {
      if (Validity.isValid(vv, k)) {
        at =
            switch (t.kind()) {
              case BOOL -> putAscii(data, at, v.getBool(k) ? "true" : "false");
              case INT8, INT16, INT32 -> putLong(data, at, v.getInt(k));
              case INT64 -> putLong(data, at, v.getLong(k));
              case DECIMAL -> putDecimal(data, at, v.getLong(k), t.scale());
              case DATE32 -> putDate(data, at, v.getInt(k));
              case TIMESTAMP -> putTimestamp(data, at, v.getLong(k));
              case FLOAT32, FLOAT64 -> putAscii(data, at, Double.toString(v.getDouble(k)));
              case UTF8, DICTIONARY_UTF8 -> throw new IllegalStateException("already text");
            };
      }
      offsets.setAtIndex(ArrowLayout.INT32, k + 1, (int) at);
    }
    return Vec.utf8(n, offsets, data, vv);
  }

  private static long putAscii(MemorySegment d, long at, String s) {
    for (int i = 0; i < s.length(); i++) {
      d.set(ValueLayout.JAVA_BYTE, at + i, (byte) s.charAt(i));
    }
    return at + s.length();
  }

  private static long putLong(MemorySegment d, long at, long x) {
    if (x == Long.MIN_VALUE) {
      return putAscii(d, at, "-9223372036854775808");
    }
    if (x < 0) {
      d.set(ValueLayout.JAVA_BYTE, at++, (byte) '-');
      x = -x;
    }
    return putDigits(d, at, x, 1);
  }

  /** Writes {@code x >= 0} with at least {@code minDigits} digits (zero padded). */
  private static long putDigits(MemorySegment d, long at, long x, int minDigits) {
    int digits = 1;
    for (long p = 10; digits < 19 && p <= x; p *= 10) {
      digits++;
    }
    digits = Math.max(digits, minDigits);
    for (int i = digits - 1; i >= 0; i--) {
      d.set(ValueLayout.JAVA_BYTE, at + i, (byte) ('0' + x % 10));
      x /= 10;
    }
    return at + digits;
  }

  private static long putDecimal(MemorySegment d, long at, long u, int scale) {
    if (u < 0) {
      d.set(ValueLayout.JAVA_BYTE, at++, (byte) '-');
      u = -u; // precision <= 18: never Long.MIN_VALUE
    }
    if (scale == 0) {
      return putDigits(d, at, u, 1);
    }
    long p = DecimalType.powerOfTen(scale);
    at = putDigits(d, at, u / p, 1);
    d.set(ValueLayout.JAVA_BYTE, at++, (byte) '.');
    return putDigits(d, at, u % p, scale);
  }

  private static long putDate(MemorySegment d, long at, int days) {
    long z = days + 719468L;
    long era = Math.floorDiv(z, 146097);
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long day = doy - (153 * mp + 2) / 5 + 1;
    long month = mp < 10 ? mp + 3 : mp - 9;
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year > 9999) {
      d.set(ValueLayout.JAVA_BYTE, at++, (byte) '+');
      at = putDigits(d, at, year, 4);
    } else if (year < 0) {
      d.set(ValueLayout.JAVA_BYTE, at++, (byte) '-');
      at = putDigits(d, at, -year, 4);
    } else {
      at = putDigits(d, at, year, 4);
    }
    d.set(ValueLayout.JAVA_BYTE, at++, (byte) '-');
    at = putDigits(d, at, month, 2);
    d.set(ValueLayout.JAVA_BYTE, at++, (byte) '-');
    return putDigits(d, at, day, 2);
  }

  private static long putTimestamp(MemorySegment d, long at, long micros) {
    long days = Math.floorDiv(micros, MICROS_PER_DAY);
    long inDay = micros - days * MICROS_PER_DAY;
    at = putDate(d, at, (int) days);
    long secs = inDay / 1_000_000;
    long frac = inDay % 1_000_000;
    d.set(ValueLayout.JAVA_BYTE, at++, (byte) ' ');
    at = putDigits(d, at, secs / 3600, 2);
    d.set(ValueLayout.JAVA_BYTE, at++, (byte) ':');
    at = putDigits(d, at, secs / 60 % 60, 2);
    d.set(ValueLayout.JAVA_BYTE, at++, (byte) ':');
    at = putDigits(d, at, secs % 60, 2);
    if (frac != 0) {
      d.set(ValueLayout.JAVA_BYTE, at++, (byte) '.');
      at = putDigits(d, at, frac, 6);
    }
    return at;
  }

  // ---- from utf8 -----------------------------------------------------------------------------

  /** Parses each row of a plain utf8 vec as {@code to}; text that does not parse is an error. */
  static Vec fromUtf8(Vec v, DataType to, Scratch s) {
    int n = v.n();
    MemorySegment offsets = v.values();
    MemorySegment data = java.util.Objects.requireNonNull(v.data(), "utf8 data");
    MemorySegment vv = v.validity();
    boolean bool = to.kind() == DataType.Kind.BOOL;
    int width = to.kind().width();
    MemorySegment out =
        bool ? Bits.alloc(s, n) : s.allocate((long) Math.max(1, width) * Math.max(1, n));
    for (int k = 0; k < n; k++) {
      if (!Validity.isValid(vv, k)) {
        continue;
      }
      int from = offsets.getAtIndex(ArrowLayout.INT32, k);
      int end = offsets.getAtIndex(ArrowLayout.INT32, k + 1L);
      while (from < end && blank(data.get(ValueLayout.JAVA_BYTE, from))) {
        from++;
      }
      while (end > from && blank(data.get(ValueLayout.JAVA_BYTE, end - 1))) {
        end--;
      }
      switch (to.kind()) {
        case BOOL -> Validity.set(out, k, parseBool(data, from, end, k));
        case INT32 -> {
          long x = parseLong(data, from, end, to, k);
          if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
            throw bad(data, from, end, to, k);
          }
          out.setAtIndex(ArrowLayout.INT32, k, (int) x);
        }
        case INT64 -> out.setAtIndex(ArrowLayout.INT64, k, parseLong(data, from, end, to, k));
        case DECIMAL -> out.setAtIndex(ArrowLayout.INT64, k, parseDecimal(data, from, end, to, k));
        case FLOAT64 -> {
          String text = str(data, from, end);
          try {
            out.setAtIndex(ArrowLayout.FLOAT64, k, Double.parseDouble(text));
          } catch (NumberFormatException e) {
            throw bad(data, from, end, to, k);
          }
        }
        case DATE32 -> {
          long micros = parseTimestamp(data, from, end, to, k, true);
          out.setAtIndex(ArrowLayout.INT32, k, (int) (micros / MICROS_PER_DAY));
        }
        case TIMESTAMP ->
            out.setAtIndex(ArrowLayout.INT64, k, parseTimestamp(data, from, end, to, k, false));
        default -> throw new IllegalStateException("no cast from utf8 to " + to);
      }
    }
    return Vec.fixed(to, n, out, vv);
  }

  private static boolean blank(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private static String str(MemorySegment d, int from, int end) {
    byte[] b = new byte[end - from];
    MemorySegment.copy(d, ValueLayout.JAVA_BYTE, from, b, 0, b.length);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static KernelException bad(MemorySegment d, int from, int end, DataType to, int k) {
    return KernelException.invalid(
        "cast utf8 to " + to, k, "'" + str(d, from, end) + "' is not a valid " + to);
  }

  private static int lower(MemorySegment d, int i) {
    int c = d.get(ValueLayout.JAVA_BYTE, i);
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }

  private static boolean matches(MemorySegment d, int from, int end, String word) {
    if (end - from != word.length()) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      if (lower(d, from + i) != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean parseBool(MemorySegment d, int from, int end, int k) {
    if (matches(d, from, end, "true") || matches(d, from, end, "t") || matches(d, from, end, "1")) {
      return true;
    }
    if (matches(d, from, end, "false")
        || matches(d, from, end, "f")
        || matches(d, from, end, "0")) {
      return false;
    }
    throw bad(d, from, end, DataType.BOOL, k);
  }

  private static long parseLong(MemorySegment d, int from, int end, DataType to, int k) {
    int i = from;
    boolean neg = false;
    if (i < end
        && (d.get(ValueLayout.JAVA_BYTE, i) == '-' || d.get(ValueLayout.JAVA_BYTE, i) == '+')) {
      neg = d.get(ValueLayout.JAVA_BYTE, i) == '-';
      i++;
    }
    if (i == end) {
      throw bad(d, from, end, to, k);
    }
    long x = 0;
    for (; i < end; i++) {
      int c = d.get(ValueLayout.JAVA_BYTE, i) - '0';
      if (c < 0 || c > 9) {
        throw bad(d, from, end, to, k);
      }
      // accumulate negatively so that Long.MIN_VALUE parses
      if (x < (Long.MIN_VALUE + c) / 10) {
        throw bad(d, from, end, to, k);
      }
      x = x * 10 - c;
    }
    if (!neg) {
      if (x == Long.MIN_VALUE) {
        throw bad(d, from, end, to, k);
      }
      x = -x;
    }
    return x;
  }

  private static long parseDecimal(MemorySegment d, int from, int end, DataType to, int k) {
    int i = from;
    boolean neg = false;
    if (i < end
        && (d.get(ValueLayout.JAVA_BYTE, i) == '-' || d.get(ValueLayout.JAVA_BYTE, i) == '+')) {
      neg = d.get(ValueLayout.JAVA_BYTE, i) == '-';
      i++;
    }
    long limit = DecimalType.powerOfTen(to.precision());
    long u = 0;
    int fraction = -1; // digits seen after the point; -1 before it
    boolean digits = false;
    boolean roundUp = false;
    for (; i < end; i++) {
      int c = d.get(ValueLayout.JAVA_BYTE, i);
      if (c == '.' && fraction < 0) {
        fraction = 0;
        continue;
      }
      if (c < '0' || c > '9') {
        throw bad(d, from, end, to, k);
      }
      digits = true;
      if (fraction >= to.scale()) {
        if (fraction == to.scale()) {
          roundUp = c >= '5';
        }
        fraction++;
        continue;
      }
      u = u * 10 + (c - '0');
      if (u >= limit) {
        throw bad(d, from, end, to, k);
      }
      if (fraction >= 0) {
        fraction++;
      }
    }
    if (!digits) {
      throw bad(d, from, end, to, k);
    }
    for (int f = Math.max(fraction, 0); f < to.scale(); f++) {
      u *= 10;
      if (u >= limit) {
        throw bad(d, from, end, to, k);
      }
    }
    if (roundUp && ++u >= limit) {
      throw bad(d, from, end, to, k);
    }
    return neg ? -u : u;
  }

  private static int digits(MemorySegment d, int from, int count, int end) {
    if (from + count > end) {
      return -1;
    }
    int x = 0;
    for (int i = from; i < from + count; i++) {
      int c = d.get(ValueLayout.JAVA_BYTE, i) - '0';
      if (c < 0 || c > 9) {
        return -1;
      }
      x = x * 10 + c;
    }
    return x;
  }

  private static boolean at(MemorySegment d, int i, int end, char c) {
    return i < end && d.get(ValueLayout.JAVA_BYTE, i) == c;
  }

  /** {@code [+-]yyyy-mm-dd[( |T)hh:mm[:ss[.f...]]][Z]} as microseconds; date only if asked. */
  private static long parseTimestamp(
      MemorySegment d, int from, int end, DataType to, int k, boolean dateOnly) {
    int i = from;
    boolean neg = false;
    if (at(d, i, end, '-') || at(d, i, end, '+')) {
      neg = at(d, i, end, '-');
      i++;
    }
    int yearEnd = i;
    while (yearEnd < end
        && d.get(ValueLayout.JAVA_BYTE, yearEnd) >= '0'
        && d.get(ValueLayout.JAVA_BYTE, yearEnd) <= '9') {
      yearEnd++;
    }
    if (yearEnd - i < 4 || yearEnd - i > 7) {
      throw bad(d, from, end, to, k);
    }
    long year = digits(d, i, yearEnd - i, end);
    year = neg ? -year : year;
    i = yearEnd;
    int month = at(d, i, end, '-') ? digits(d, i + 1, 2, end) : -1;
    int day = at(d, i + 3, end, '-') ? digits(d, i + 4, 2, end) : -1;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      throw bad(d, from, end, to, k);
    }
    i += 6;
    long days = daysFromCivil(year, month, day);
    if (days < Integer.MIN_VALUE || days > Integer.MAX_VALUE) {
      throw bad(d, from, end, to, k);
    }
    if (dateOnly) {
      if (i != end) {
        throw bad(d, from, end, to, k);
      }
      return days * MICROS_PER_DAY;
    }
    long micros = 0;
    if (i < end) {
      if (!at(d, i, end, ' ') && !at(d, i, end, 'T')) {
        throw bad(d, from, end, to, k);
      }
      int hh = digits(d, i + 1, 2, end);
      int mm = at(d, i + 3, end, ':') ? digits(d, i + 4, 2, end) : -1;
      i += 6;
      int ss = 0;
      if (at(d, i, end, ':')) {
        ss = digits(d, i + 1, 2, end);
        i += 3;
      }
      if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) {
        throw bad(d, from, end, to, k);
      }
      long frac = 0;
      if (at(d, i, end, '.')) {
        i++;
        int n = 0;
        while (i < end
            && d.get(ValueLayout.JAVA_BYTE, i) >= '0'
            && d.get(ValueLayout.JAVA_BYTE, i) <= '9') {
          if (n < 6) {
            frac = frac * 10 + (d.get(ValueLayout.JAVA_BYTE, i) - '0');
          }
          n++;
          i++;
        }
        if (n == 0 || n > 9) {
          throw bad(d, from, end, to, k);
        }
        for (; n < 6; n++) {
          frac *= 10;
        }
      }
      if (at(d, i, end, 'Z')) {
        i++;
      }
      if (i != end) {
        throw bad(d, from, end, to, k);
      }
      micros = ((hh * 60L + mm) * 60 + ss) * 1_000_000 + frac;
    }
    try {
      return Math.addExact(Math.multiplyExact(days, MICROS_PER_DAY), micros);
    } catch (ArithmeticException e) {
      throw bad(d, from, end, to, k);
    }
  }

  private static int daysInMonth(long year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  private static long daysFromCivil(long y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  }
}
