package dev.amalgam.risk;

import java.time.LocalDate;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One position of the book: {@code quantity} units of an instrument on {@code underlying}, held by
 * {@code book} of {@code desk}. Equities have no strike and no expiry (both null); forwards, calls
 * and puts need both. A negative quantity is a short position.
 *
 * @throws BookException naming the instrument when a field is missing or out of range
 */
public record Instrument(
    String id,
    String desk,
    String book,
    String underlying,
    InstrumentType type,
    @Nullable Double strike,
    @Nullable LocalDate expiry,
    double quantity,
    String currency) {

  /** Checks the fields on their own (references are checked by {@link Book}). */
  public Instrument {
    Objects.requireNonNull(id, "id is null");
    if (id.isBlank()) {
      throw BookException.of("instrument with an empty id");
    }
    requireText(id, "desk", desk);
    requireText(id, "book", book);
    requireText(id, "underlying", underlying);
    requireText(id, "currency", currency);
    Objects.requireNonNull(type, "type is null");
    if (!Double.isFinite(quantity)) {
      throw BookException.instrument(id, "quantity must be a finite number, got " + quantity);
    }
    if (type.hasStrikeAndExpiry()) {
      if (strike == null) {
        throw BookException.instrument(id, "a " + type.label() + " needs a strike");
      }
      if (!(strike > 0.0 && strike < Double.POSITIVE_INFINITY)) {
        throw BookException.instrument(id, "strike must be > 0, got " + strike);
      }
      if (expiry == null) {
        throw BookException.instrument(id, "a " + type.label() + " needs an expiry");
      }
    } else {
      if (strike != null) {
        throw BookException.instrument(id, "an equity has no strike, got " + strike);
      }
      if (expiry != null) {
        throw BookException.instrument(id, "an equity has no expiry, got " + expiry);
      }
    }
  }

  private static void requireText(String id, String field, @Nullable String value) {
    if (value == null || value.isBlank()) {
      throw BookException.instrument(id, field + " is empty");
    }
  }

  /** An equity position. */
  public static Instrument equity(
      String id, String desk, String book, String underlying, double quantity, String currency) {
    return new Instrument(
        id, desk, book, underlying, InstrumentType.EQUITY, null, null, quantity, currency);
  }

  /** A forward, call or put. */
  public static Instrument derivative(
      String id,
      String desk,
      String book,
      String underlying,
      InstrumentType type,
      double strike,
      LocalDate expiry,
      double quantity,
      String currency) {
    return new Instrument(id, desk, book, underlying, type, strike, expiry, quantity, currency);
  }

  /** The strike (0 for equities). */
  public double strikeOrZero() {
    return strike == null ? 0.0 : strike;
  }
}
