package dev.amalgam.kernels;

/** A field that {@link ArithmeticKernels#extract} takes out of a date32 (proleptic Gregorian). */
public enum DatePart {
  /** The year, e.g. 1998; year 0 is 1 BC, as in ISO 8601. */
  YEAR,
  /** The quarter of the year, 1 to 4. */
  QUARTER,
  /** The month of the year, 1 to 12. */
  MONTH,
  /** The day of the month, 1 to 31. */
  DAY,
  /** The ISO day of the week, 1 (Monday) to 7 (Sunday). */
  DAY_OF_WEEK,
  /** The day of the year, 1 to 366. */
  DAY_OF_YEAR
}
