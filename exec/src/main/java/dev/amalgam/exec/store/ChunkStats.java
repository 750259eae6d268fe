package dev.amalgam.exec.store;

import org.jspecify.annotations.Nullable;

/**
 * Min/max statistics of a column chunk, for row-group skipping. Integers, dates, timestamps and
 * decimals (unscaled) in the long fields, floats in the double fields; strings and bools have none.
 *
 * @param rows rows in the chunk
 * @param nullCount null rows
 * @param hasMinMax whether min/max are known (false for strings, bools, all-null chunks, NaNs)
 * @param minLong smallest value (integer-like types)
 * @param maxLong largest value (integer-like types)
 * @param minDouble smallest value (floats)
 * @param maxDouble largest value (floats)
 * @param distinct a sketch of the distinct non-null values (integer-like types), or null
 */
public record ChunkStats(
    int rows,
    long nullCount,
    boolean hasMinMax,
    long minLong,
    long maxLong,
    double minDouble,
    double maxDouble,
    @Nullable DistinctSketch distinct) {

  /** Statistics without a distinct-value sketch. */
  public ChunkStats(
      int rows,
      long nullCount,
      boolean hasMinMax,
      long minLong,
      long maxLong,
      double minDouble,
      double maxDouble) {
    this(rows, nullCount, hasMinMax, minLong, maxLong, minDouble, maxDouble, null);
  }
}
