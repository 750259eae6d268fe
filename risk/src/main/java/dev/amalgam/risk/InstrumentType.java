package dev.amalgam.risk;

import java.util.Locale;

/** What an instrument is, and so how it is valued. */
public enum InstrumentType {
  /** Shares of the underlying: value = S per unit. */
  EQUITY,
  /** A forward to buy the underlying at the strike on the expiry date: value = S - K e^(-rT). */
  FORWARD,
  /** A European call, valued with Black-Scholes. */
  CALL,
  /** A European put, valued with Black-Scholes. */
  PUT;

  /** Whether the instrument has a strike and an expiry (everything but equity). */
  public boolean hasStrikeAndExpiry() {
    return this != EQUITY;
  }

  /** Whether the instrument is an option. */
  public boolean isOption() {
    return this == CALL || this == PUT;
  }

  /** The name as written in files: {@code equity}, {@code forward}, {@code call}, {@code put}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a label (case-insensitive).
   *
   * @throws IllegalArgumentException listing the labels
   */
  public static InstrumentType parse(String text) {
    for (InstrumentType t : values()) {
      if (t.label().equalsIgnoreCase(text.trim())) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "type '" + text + "' is not one of equity, forward, call, put");
  }
}
