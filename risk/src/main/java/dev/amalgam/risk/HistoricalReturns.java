package dev.amalgam.risk;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Daily log returns of the underlyings, one row per date (ascending): {@code ln(S_d / S_(d-1))}.
 * Historical simulation applies the sums of {@code H} consecutive days to today's spots.
 */
public final class HistoricalReturns {
  private final List<LocalDate> dates;
  private final List<String> underlyings;
  private final Map<String, Integer> index;
  private final double[] values;

  /**
   * Returns on {@code dates} (strictly ascending) for {@code underlyings}, date-major: {@code
   * values[d * underlyings + u]}.
   *
   * @throws BookException naming the date and underlying of a value that is not finite, or a date
   *     out of order
   */
  public HistoricalReturns(List<LocalDate> dates, List<String> underlyings, double[] values) {
    this.dates = List.copyOf(dates);
    this.underlyings = List.copyOf(underlyings);
    Objects.requireNonNull(values, "values is null");
    int u = this.underlyings.size();
    if (values.length != this.dates.size() * u) {
      throw BookException.of(
          "returns: "
              + this.dates.size()
              + " dates x "
              + u
              + " underlyings need "
              + this.dates.size() * u
              + " values, got "
              + values.length);
    }
    Map<String, Integer> idx = new HashMap<>();
    for (int i = 0; i < u; i++) {
      if (idx.putIfAbsent(this.underlyings.get(i), i) != null) {
        throw BookException.of("returns name underlying '" + this.underlyings.get(i) + "' twice");
      }
    }
    for (int d = 0; d < this.dates.size(); d++) {
      if (d > 0 && !this.dates.get(d).isAfter(this.dates.get(d - 1))) {
        throw BookException.of(
            "returns: date "
                + this.dates.get(d)
                + " does not follow "
                + this.dates.get(d - 1)
                + " (dates must be strictly ascending)");
      }
      for (int j = 0; j < u; j++) {
        double v = values[d * u + j];
        if (!Double.isFinite(v) || Math.abs(v) > 5.0) {
          throw BookException.of(
              "returns: "
                  + this.dates.get(d)
                  + " '"
                  + this.underlyings.get(j)
                  + "' is "
                  + v
                  + " (a daily log return must be finite and within [-5, 5])");
        }
      }
    }
    this.index = idx;
    this.values = values.clone();
  }

  /** The dates, ascending. */
  public List<LocalDate> dates() {
    return dates;
  }

  /** The underlyings (columns). */
  public List<String> underlyings() {
    return underlyings;
  }

  /** The column of {@code underlying}, or -1. */
  public int indexOf(String underlying) {
    Integer i = index.get(underlying);
    return i == null ? -1 : i;
  }

  /** The log return of column {@code u} on date row {@code d}. */
  public double get(int d, int u) {
    return values[d * underlyings.size() + u];
  }

  /** Number of dates. */
  public int days() {
    return dates.size();
  }
}
