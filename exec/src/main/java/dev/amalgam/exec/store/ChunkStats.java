package dev.amalgam.exec.store;

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
 */
public record ChunkStats(
    int rows,
    long nullCount,
    boolean hasMinMax,
    long minLong,
    long maxLong,
    double minDouble,
    double maxDouble) {}
