package dev.amalgam.risk;

import java.util.Locale;

/**
 * A level risk is broken down by: each instrument belongs to one desk, one book, one underlying.
 */
public enum RiskLevel {
  /** The desk. */
  DESK,
  /** The book (books are named uniquely across desks). */
  BOOK,
  /** The underlying. */
  UNDERLYING;

  /** The column name in tables and files: {@code desk}, {@code book}, {@code underlying}. */
  public String column() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** This level's key of an instrument. */
  public String keyOf(Instrument i) {
    return switch (this) {
      case DESK -> i.desk();
      case BOOK -> i.book();
      case UNDERLYING -> i.underlying();
    };
  }

  /**
   * Parses a column name (case-insensitive).
   *
   * @throws IllegalArgumentException listing the levels
   */
  public static RiskLevel parse(String text) {
    for (RiskLevel l : values()) {
      if (l.column().equalsIgnoreCase(text.trim())) {
        return l;
      }
    }
    throw new IllegalArgumentException("level '" + text + "' is not one of desk, book, underlying");
  }
}
