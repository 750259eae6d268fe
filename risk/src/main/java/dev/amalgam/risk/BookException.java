package dev.amalgam.risk;

import org.jspecify.annotations.Nullable;

/**
 * A book that cannot be priced: a malformed file, an instrument that refers to something missing,
 * market data out of range, a correlation matrix that is not a correlation matrix. The message
 * names the instrument, underlying or matrix cell, and where the book came from files, the file,
 * line and column ({@code market.csv:4:3: ...}).
 */
public final class BookException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String location;
  private final String problem;

  private BookException(@Nullable String location, String problem) {
    super(location == null ? problem : location + ": " + problem);
    this.location = location;
    this.problem = problem;
  }

  /** A problem with no location (a book built in code). */
  public static BookException of(String problem) {
    return new BookException(null, problem);
  }

  /** A problem of the instrument {@code id}: {@code instrument 'id': what}. */
  public static BookException instrument(String id, String what) {
    return new BookException(null, "instrument '" + id + "': " + what);
  }

  /** A problem of the underlying {@code name}: {@code underlying 'name': what}. */
  public static BookException underlying(String name, String what) {
    return new BookException(null, "underlying '" + name + "': " + what);
  }

  /** The same problem at {@code location} (e.g. {@code instruments.csv:12:6}). */
  public BookException at(@Nullable String where) {
    return where == null ? this : new BookException(where, problem);
  }

  /** Where the problem is ({@code file:line:column}), or null for a book built in code. */
  public @Nullable String location() {
    return location;
  }

  /** The problem without the location. */
  public String problem() {
    return problem;
  }
}
