package dev.amalgam.memory;

import java.util.Locale;

/** Parsing and formatting of byte sizes, bandwidths and durations as people write them. */
public final class Sizes {
  private Sizes() {}

  /** One kibibyte. */
  public static final long KiB = 1L << 10;

  /** One mebibyte. */
  public static final long MiB = 1L << 20;

  /** One gibibyte. */
  public static final long GiB = 1L << 30;

  /** Formats a byte count with a binary unit, e.g. {@code 2.0 MiB}. */
  public static String bytes(long bytes) {
    long abs = Math.abs(bytes);
    if (abs < KiB) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int u = -1;
    while (Math.abs(v) >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** Formats a rate in bytes per second with a decimal unit, e.g. {@code 900 GB/s}. */
  public static String bandwidth(double bytesPerSecond) {
    String[] units = {"B/s", "KB/s", "MB/s", "GB/s", "TB/s", "PB/s"};
    double v = bytesPerSecond;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.3g %s", v, units[u]);
  }

  /** Formats nanoseconds with a suitable unit, e.g. {@code 1.5 us}. */
  public static String nanos(double nanos) {
    if (nanos < 1_000) {
      return String.format(Locale.ROOT, "%.0f ns", nanos);
    } else if (nanos < 1_000_000) {
      return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    } else if (nanos < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  /**
   * Parses a size such as {@code 4096}, {@code 64KiB}, {@code 2 MiB}, {@code 16GB} or {@code 1.5g}.
   * Binary units (KiB, MiB, GiB, TiB; and the single letters k, m, g, t) are powers of 1024;
   * decimal units (KB, MB, GB, TB) are powers of 1000.
   *
   * @throws IllegalArgumentException saying what could not be parsed
   */
  public static long parseBytes(String text) {
    String s = text.strip();
    int i = numberEnd(s);
    if (i == 0) {
      throw new IllegalArgumentException(
          "cannot parse '" + text + "' as a size (examples: 4096, 64KiB, 2MiB, 16GB)");
    }
    double number = Double.parseDouble(s.substring(0, i));
    String unit = s.substring(i).strip();
    double multiplier =
        switch (unit.toLowerCase(Locale.ROOT)) {
          case "", "b" -> 1;
          case "k", "kib" -> KiB;
          case "m", "mib" -> MiB;
          case "g", "gib" -> GiB;
          case "t", "tib" -> GiB * 1024.0;
          case "kb" -> 1e3;
          case "mb" -> 1e6;
          case "gb" -> 1e9;
          case "tb" -> 1e12;
          default ->
              throw new IllegalArgumentException(
                  "cannot parse '" + text + "' as a size: unknown unit '" + unit + "'");
        };
    double value = number * multiplier;
    if (value < 0 || value >= 0x1p63 || value != Math.rint(value)) {
      throw new IllegalArgumentException(
          "cannot parse '" + text + "' as a size: not a whole, non-negative number of bytes");
    }
    return (long) value;
  }

  /**
   * Parses a bandwidth such as {@code 900GB/s}, {@code 1.8 TB/s} or {@code 64e9} (bytes/s).
   *
   * @throws IllegalArgumentException saying what could not be parsed
   */
  public static double parseBandwidth(String text) {
    String s = text.strip();
    int i = numberEnd(s);
    if (i == 0) {
      throw new IllegalArgumentException(
          "cannot parse '" + text + "' as a bandwidth (examples: 900GB/s, 1.8TB/s)");
    }
    double number = Double.parseDouble(s.substring(0, i));
    String unit = s.substring(i).strip().toLowerCase(Locale.ROOT);
    if (unit.endsWith("/s")) {
      unit = unit.substring(0, unit.length() - 2);
    }
    double multiplier =
        switch (unit) {
          case "", "b" -> 1;
          case "kb" -> 1e3;
          case "mb" -> 1e6;
          case "gb" -> 1e9;
          case "tb" -> 1e12;
          case "kib" -> KiB;
          case "mib" -> MiB;
          case "gib" -> GiB;
          default ->
              throw new IllegalArgumentException(
                  "cannot parse '" + text + "' as a bandwidth: unknown unit '" + unit + "'");
        };
    double value = number * multiplier;
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          "cannot parse '" + text + "' as a bandwidth: must be positive");
    }
    return value;
  }

  /**
   * Parses a duration such as {@code 500ns}, {@code 1.5us}, {@code 2ms} or {@code 1s} into
   * nanoseconds.
   *
   * @throws IllegalArgumentException saying what could not be parsed
   */
  public static long parseNanos(String text) {
    String s = text.strip();
    int i = numberEnd(s);
    if (i == 0) {
      throw new IllegalArgumentException(
          "cannot parse '" + text + "' as a duration (examples: 500ns, 1.5us, 2ms)");
    }
    double number = Double.parseDouble(s.substring(0, i));
    String unit = s.substring(i).strip().toLowerCase(Locale.ROOT);
    double multiplier =
        switch (unit) {
          case "ns" -> 1;
          case "us" -> 1e3;
          case "ms" -> 1e6;
          case "s" -> 1e9;
          default ->
              throw new IllegalArgumentException(
                  "cannot parse '" + text + "' as a duration: unknown unit '" + unit + "'");
        };
    double value = number * multiplier;
    if (value < 0 || value > Long.MAX_VALUE) {
      throw new IllegalArgumentException(
          "cannot parse '" + text + "' as a duration: must not be negative");
    }
    return Math.round(value);
  }

  private static int numberEnd(String s) {
    int i = 0;
    boolean digits = false;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isDigit(c)) {
        digits = true;
      } else if (c != '.'
          && !(digits
              && (c == 'e' || c == 'E')
              && i + 1 < s.length()
              && (Character.isDigit(s.charAt(i + 1)) || s.charAt(i + 1) == '-'))) {
        break;
      } else if ((c == 'e' || c == 'E') && s.charAt(i + 1) == '-') {
        i++;
      }
      i++;
    }
    if (!digits) {
      return 0;
    }
    try {
      Double.parseDouble(s.substring(0, i));
      return i;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
