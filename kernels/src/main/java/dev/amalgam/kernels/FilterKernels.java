package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * Compare and filter kernels: predicates producing selection vectors or bitmaps, boolean logic over
 * selections and bitmaps, compaction, and gather/scatter of fixed-width columns.
 *
 * <p>Shared parameters (see {@link ArrowLayout}, {@link Validity}, {@link Selection}):
 *
 * <ul>
 *   <li>{@code values} (or {@code left}/{@code right}): {@code n} little-endian values; {@code
 *       validity}: its bitmap, {@code null} = no nulls. int32 kernels also serve date32; int64
 *       kernels also serve timestamps and decimals as scaled int64 (same scale on both sides).
 *   <li>{@code sel}, {@code selCount}: an optional input selection of ascending rows in {@code [0,
 *       n)}; {@code null} = every row of {@code [0, n)} ({@code selCount} is then ignored).
 *   <li>{@code out} (selection output): at least {@code 4 * (sel == null ? n : selCount)} bytes;
 *       the kernel writes the ascending rows that pass and returns their count. Entries past the
 *       count are unspecified (kernels may use that room as scratch). {@code out} may be {@code
 *       sel} itself, to refine a selection in place.
 *   <li>{@code outBitmap} (bitmap output): at least {@link ArrowLayout#bitmapBytes} {@code (n)}
 *       bytes; bit {@code i} = the predicate holds for row {@code i}; a null row gives 0; bits past
 *       {@code n} in the last byte are written as 0. Returns the number of set bits.
 * </ul>
 *
 * <p>Nulls: a comparison, BETWEEN or IN with a null operand is not true (SQL), so null rows are
 * never selected and have bit 0; only {@code isNull} selects them.
 *
 * <p>float64: values compare in SQL order ({@link CompareOp#compareSql}): {@code -0.0 = 0.0}, NaN =
 * NaN, and NaN is greater than every other value, as in PostgreSQL and DuckDB.
 *
 * <p>Errors: negative counts, selections longer than {@code n}, and segments too small throw {@link
 * IllegalArgumentException} naming the argument. Kernels are stateless and may be called from any
 * number of threads at once on disjoint outputs.
 */
public interface FilterKernels {

  /** The CPU implementation (Vector API main loops with scalar tails). */
  static FilterKernels cpu() {
    return CpuFilterKernels.INSTANCE;
  }

  // ---- compare column vs constant -> selection

  /**
   * Rows where {@code values[i] op constant} (int32, date32); null rows fail; writes a selection.
   */
  int compareInt32(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      int constant,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  /**
   * Rows where {@code values[i] op constant} (int64, timestamp, decimal); null rows fail; writes a
   * selection.
   */
  int compareInt64(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      long constant,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  /**
   * Rows where {@code values[i] op constant} in SQL float order; null rows fail; writes a
   * selection.
   */
  int compareFloat64(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      double constant,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  // ---- compare column vs column -> selection

  /**
   * Rows where {@code left[i] op right[i]} (int32); a null on either side fails; writes a
   * selection.
   */
  int compareInt32Columns(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  /**
   * Rows where {@code left[i] op right[i]} (int64); a null on either side fails; writes a
   * selection.
   */
  int compareInt64Columns(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  /**
   * Rows where {@code left[i] op right[i]} in SQL float order; a null on either side fails; writes
   * a selection.
   */
  int compareFloat64Columns(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  // ---- BETWEEN (inclusive) -> selection

  /**
   * Rows where {@code low <= values[i] <= high} (int32); null rows fail; {@code low > high} selects
   * none; writes a selection.
   */
  int betweenInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int low,
      int high,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  /**
   * Rows where {@code low <= values[i] <= high} (int64); null rows fail; {@code low > high} selects
   * none; writes a selection.
   */
  int betweenInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long low,
      long high,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  /**
   * Rows where {@code low <= values[i] <= high} in SQL float order; null rows fail; writes a
   * selection.
   */
  int betweenFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double low,
      double high,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  // ---- IN (constant list) -> selection

  /**
   * Rows whose value is in {@code list} (int32; any length, duplicates allowed); null rows fail;
   * writes a selection.
   */
  int inInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int[] list,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  /**
   * Rows whose value is in {@code list} (int64; any length, duplicates allowed); null rows fail;
   * writes a selection.
   */
  int inInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long[] list,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  /**
   * Rows whose value equals (SQL float order) one in {@code list}; null rows fail; writes a
   * selection.
   */
  int inFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double[] list,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  // ---- IS [NOT] NULL -> selection

  /** Rows that are null; a null {@code validity} selects none; writes a selection. */
  int isNull(
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  /**
   * Rows that are not null; a null {@code validity} selects every input row; writes a selection.
   */
  int isNotNull(
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out);

  // ---- the same predicates -> bitmap over [0, n)

  /** Bitmap of {@code values[i] op constant} (int32); null rows 0; returns the set bits. */
  int compareInt32Bitmap(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      int constant,
      int n,
      MemorySegment outBitmap);

  /** Bitmap of {@code values[i] op constant} (int64); null rows 0; returns the set bits. */
  int compareInt64Bitmap(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      long constant,
      int n,
      MemorySegment outBitmap);

  /**
   * Bitmap of {@code values[i] op constant} in SQL float order; null rows 0; returns the set bits.
   */
  int compareFloat64Bitmap(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      double constant,
      int n,
      MemorySegment outBitmap);

  /**
   * Bitmap of {@code left[i] op right[i]} (int32); a null on either side gives 0; returns the set
   * bits.
   */
  int compareInt32ColumnsBitmap(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      MemorySegment outBitmap);

  /**
   * Bitmap of {@code left[i] op right[i]} (int64); a null on either side gives 0; returns the set
   * bits.
   */
  int compareInt64ColumnsBitmap(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      MemorySegment outBitmap);

  /**
   * Bitmap of {@code left[i] op right[i]} in SQL float order; a null on either side gives 0;
   * returns the set bits.
   */
  int compareFloat64ColumnsBitmap(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      MemorySegment outBitmap);

  /** Bitmap of {@code low <= values[i] <= high} (int32); null rows 0; returns the set bits. */
  int betweenInt32Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int low,
      int high,
      int n,
      MemorySegment outBitmap);

  /** Bitmap of {@code low <= values[i] <= high} (int64); null rows 0; returns the set bits. */
  int betweenInt64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long low,
      long high,
      int n,
      MemorySegment outBitmap);

  /**
   * Bitmap of {@code low <= values[i] <= high} in SQL float order; null rows 0; returns the set
   * bits.
   */
  int betweenFloat64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double low,
      double high,
      int n,
      MemorySegment outBitmap);

  /** Bitmap of {@code values[i] IN list} (int32); null rows 0; returns the set bits. */
  int inInt32Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int[] list,
      int n,
      MemorySegment outBitmap);

  /** Bitmap of {@code values[i] IN list} (int64); null rows 0; returns the set bits. */
  int inInt64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long[] list,
      int n,
      MemorySegment outBitmap);

  /** Bitmap of {@code values[i] IN list} in SQL float order; null rows 0; returns the set bits. */
  int inFloat64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double[] list,
      int n,
      MemorySegment outBitmap);

  /**
   * Bitmap of the null rows (the complement of {@code validity}; all 0 when it is null); returns
   * the set bits.
   */
  int isNullBitmap(@Nullable MemorySegment validity, int n, MemorySegment outBitmap);

  /**
   * Bitmap of the valid rows (a copy of {@code validity}; all 1 when it is null); returns the set
   * bits.
   */
  int isNotNullBitmap(@Nullable MemorySegment validity, int n, MemorySegment outBitmap);

  // ---- boolean logic over selections

  /**
   * AND: the rows in both selections (sorted-merge intersection); {@code out} holds {@code
   * min(aCount, bCount)} entries; returns the count.
   */
  int andSelections(MemorySegment a, int aCount, MemorySegment b, int bCount, MemorySegment out);

  /**
   * OR: the rows in either selection (sorted-merge union, no duplicates), rows in {@code [0, n)};
   * {@code out} holds {@code min(n, aCount + bCount)} entries; returns the count.
   */
  int orSelections(
      MemorySegment a, int aCount, MemorySegment b, int bCount, int n, MemorySegment out);

  /**
   * NOT: the rows of {@code [0, n)} (or of {@code within}, when it is not null) that are not in
   * {@code sel}; {@code out} holds {@code n} (or {@code withinCount}) entries; returns the count. A
   * plain complement: a SQL {@code NOT} of a nullable predicate must be pushed into the comparison
   * ({@code NOT a < b} is {@code a >= b}) so that null rows stay unselected.
   */
  int notSelection(
      MemorySegment sel,
      int selCount,
      int n,
      @Nullable MemorySegment within,
      int withinCount,
      MemorySegment out);

  // ---- boolean logic over bitmaps (word-wise), all over [0, n), bits past n written 0

  /** {@code out = a AND b}; returns the set bits ({@code out} may be {@code a} or {@code b}). */
  int andBitmaps(MemorySegment a, MemorySegment b, int n, MemorySegment outBitmap);

  /** {@code out = a OR b}; returns the set bits ({@code out} may be {@code a} or {@code b}). */
  int orBitmaps(MemorySegment a, MemorySegment b, int n, MemorySegment outBitmap);

  /**
   * {@code out = a AND NOT b}; returns the set bits ({@code out} may be {@code a} or {@code b}).
   */
  int andNotBitmaps(MemorySegment a, MemorySegment b, int n, MemorySegment outBitmap);

  /**
   * {@code out = NOT a} within {@code [0, n)} (a plain complement, see {@link #notSelection});
   * returns the set bits.
   */
  int notBitmap(MemorySegment a, int n, MemorySegment outBitmap);

  /** Number of set bits of {@code bitmap} in {@code [0, n)}. */
  int countBits(MemorySegment bitmap, int n);

  // ---- compaction

  /**
   * The rows whose bit is set in {@code bitmap} over {@code [0, n)}, as a selection ({@code out}
   * holds {@code n} entries); returns the count.
   */
  int bitmapToSelection(MemorySegment bitmap, int n, MemorySegment out);

  /**
   * The bitmap over {@code [0, n)} with exactly the rows of the selection set; returns {@code
   * selCount}.
   */
  int selectionToBitmap(MemorySegment sel, int selCount, int n, MemorySegment outBitmap);

  // ---- gather / scatter

  /**
   * {@code outValues[k] = values[indices[k]]} for {@code k < count} (int32, date32); indices (a
   * selection or a permutation) in {@code [0, n)}. When {@code outValidity} is not null, its bit k
   * = row {@code indices[k]} is valid (bits past count in the last byte 0). Returns the nulls
   * gathered.
   */
  int gatherInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity);

  /** {@link #gatherInt32} for int64 values (timestamps, decimals); returns the nulls gathered. */
  int gatherInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity);

  /** {@link #gatherInt32} for float64 values (bit-exact); returns the nulls gathered. */
  int gatherFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity);

  /**
   * {@code outValues[indices[k]] = values[k]} for {@code k < count} (int32), indices in {@code [0,
   * outRows)}, distinct (else the last write wins). When {@code outValidity} is not null, bit
   * {@code indices[k]} is set to row k's validity; other positions of both outputs are untouched.
   */
  void scatterInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      int outRows,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity);

  /** {@link #scatterInt32} for int64 values. */
  void scatterInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      int outRows,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity);

  /** {@link #scatterInt32} for float64 values (bit-exact). */
  void scatterFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      int outRows,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity);
}
