package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * Predicates and functions over utf8 columns and dictionary-encoded utf8 columns (see {@link
 * ArrowLayout}).
 *
 * <p>A utf8 column is {@code offsets} (int32, one more than the rows), {@code data} (the bytes) and
 * an optional {@code validity} bitmap ({@code null} = no nulls). Every method takes a row count
 * {@code n} and an optional input selection {@code sel}: with {@code sel == null} the rows are
 * {@code [0, n)}; otherwise they are the {@code n} ascending row indices {@code sel[0..n)}, so
 * {@code n} is the selection's count. Selections are written into a caller-provided {@code out} of
 * at least {@code n} int32s and the method returns the count; row-wise outputs (lengths,
 * substrings) are dense: output row {@code k} belongs to input row {@code Selection.row(sel, k)}.
 *
 * <p>Strings are compared as bytes: equality is byte equality and ordering is unsigned byte order,
 * which for valid UTF-8 is code point order. Functions that count code points ({@code _} in LIKE,
 * {@link #charLength}, {@link #substring}) decode UTF-8 and count each byte of an ill-formed
 * sequence (a stray continuation byte, an overlong or surrogate encoding, a sequence cut short by
 * the end of the string, a byte {@code F5..FF}) as one code point; they never fail on bad bytes.
 * Null rows are never selected and give null results; their bytes never change a result.
 *
 * <p>Implementations are stateless and thread-safe; calls may run in parallel on disjoint outputs.
 */
public interface StringKernels {

  /** A comparison of two strings by unsigned byte order (code point order for valid UTF-8). */
  enum Op {
    /** Equal. */
    EQ,
    /** Not equal. */
    NE,
    /** Less than. */
    LT,
    /** Less than or equal. */
    LE,
    /** Greater than. */
    GT,
    /** Greater than or equal. */
    GE;

    /** True when a comparison result {@code cmp} (negative, zero, positive) satisfies this op. */
    public boolean test(int cmp) {
      return switch (this) {
        case EQ -> cmp == 0;
        case NE -> cmp != 0;
        case LT -> cmp < 0;
        case LE -> cmp <= 0;
        case GT -> cmp > 0;
        case GE -> cmp >= 0;
      };
    }
  }

  /** The CPU implementation (Vector API with scalar tails). */
  static StringKernels cpu() {
    return CpuStringKernels.INSTANCE;
  }

  // ---- column predicates -> selection ----

  /**
   * Selects the rows whose value {@code op} the UTF-8 {@code constant} holds; null rows are not
   * selected; returns the count written to {@code out}.
   */
  int compare(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      Op op,
      byte[] constant,
      MemorySegment out);

  /**
   * Selects the rows where {@code a op b} holds (row by row); a row null on either side is not
   * selected; returns the count written to {@code out}.
   */
  int compareColumns(
      MemorySegment aOffsets,
      MemorySegment aData,
      @Nullable MemorySegment aValidity,
      MemorySegment bOffsets,
      MemorySegment bData,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      Op op,
      MemorySegment out);

  /**
   * Selects the rows that match the SQL LIKE {@code pattern}; null rows are not selected; returns
   * the count written to {@code out}.
   */
  int like(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      LikePattern pattern,
      MemorySegment out);

  /**
   * Selects the non-null rows that do not match {@code pattern} (NOT LIKE); null rows are not
   * selected; returns the count written to {@code out}.
   */
  int notLike(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      LikePattern pattern,
      MemorySegment out);

  /**
   * Selects the rows equal to one of the UTF-8 {@code values} (SQL IN; a NULL in the list selects
   * nothing, so the list holds no nulls); null rows are not selected; returns the count.
   */
  int in(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      byte[][] values,
      MemorySegment out);

  // ---- column predicates -> bitmap (over all rows [0, n); used for dictionaries) ----

  /**
   * Writes bit {@code i} of {@code outBitmap} = row {@code i} {@code op} {@code constant} for rows
   * {@code [0, n)} (0 for null rows); returns the number of bits set.
   */
  int compareBitmap(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      Op op,
      byte[] constant,
      MemorySegment outBitmap);

  /**
   * Writes bit {@code i} of {@code outBitmap} = row {@code i} LIKE {@code pattern} for rows {@code
   * [0, n)} (0 for null rows); returns the number of bits set.
   */
  int likeBitmap(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      LikePattern pattern,
      MemorySegment outBitmap);

  /**
   * Writes bit {@code i} of {@code outBitmap} = row {@code i} IN {@code values} for rows {@code [0,
   * n)} (0 for null rows); returns the number of bits set.
   */
  int inBitmap(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      byte[][] values,
      MemorySegment outBitmap);

  // ---- dictionary-encoded utf8 ----

  /**
   * Selects the rows whose dictionary index has its bit set in {@code dictBitmap} (a predicate
   * evaluated once per dictionary entry); null rows are not selected; an index of a non-null row
   * outside {@code [0, dictSize)} throws {@link KernelException} naming the row; returns the count.
   */
  int selectByDictionary(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictBitmap,
      int dictSize,
      MemorySegment out);

  /**
   * Selects the rows of a dictionary-encoded column whose value {@code op} {@code constant} holds,
   * evaluating the comparison once per dictionary entry; null rows and null entries are not
   * selected; returns the count.
   */
  int dictionaryCompare(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictOffsets,
      MemorySegment dictData,
      @Nullable MemorySegment dictValidity,
      int dictSize,
      Op op,
      byte[] constant,
      MemorySegment out);

  /**
   * Selects the rows of a dictionary-encoded column that match {@code pattern}, evaluating it once
   * per dictionary entry; null rows and null entries are not selected; returns the count.
   */
  int dictionaryLike(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictOffsets,
      MemorySegment dictData,
      @Nullable MemorySegment dictValidity,
      int dictSize,
      LikePattern pattern,
      MemorySegment out);

  /**
   * Selects the rows of a dictionary-encoded column that do not match {@code pattern} (NOT LIKE);
   * null rows and null entries are not selected; returns the count.
   */
  int dictionaryNotLike(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictOffsets,
      MemorySegment dictData,
      @Nullable MemorySegment dictValidity,
      int dictSize,
      LikePattern pattern,
      MemorySegment out);

  /**
   * Selects the rows of a dictionary-encoded column whose value is one of {@code values} (SQL IN),
   * evaluating it once per dictionary entry; null rows and null entries are not selected.
   */
  int dictionaryIn(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictOffsets,
      MemorySegment dictData,
      @Nullable MemorySegment dictValidity,
      int dictSize,
      byte[][] values,
      MemorySegment out);

  // ---- row-wise functions (dense output: row k = input row Selection.row(sel, k)) ----

  /**
   * Writes {@code octet_length} (bytes) of each row as int32 into {@code out} (0 for null rows)
   * and, when {@code outValidity} is given, the rows' validity bits; {@code outValidity} is
   * required when the input has a validity bitmap.
   */
  void octetLength(
      MemorySegment offsets,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /**
   * Writes {@code char_length} (code points) of each row as int32 into {@code out} (0 for null
   * rows) and the validity bits as {@link #octetLength} does.
   */
  void charLength(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /**
   * The number of data bytes {@link #substring} writes for the same arguments (null rows count 0),
   * so that the caller can allocate {@code outData}.
   */
  long substringSize(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      long start,
      long length);

  /**
   * SQL {@code SUBSTRING(s FROM start FOR length)} in code points (1-based; positions before 1 or
   * past the end are cut off; {@code length = Long.MAX_VALUE} means to the end; a negative length
   * throws): writes {@code n + 1} offsets into {@code outOffsets} and the bytes into {@code
   * outData} (null rows give empty null strings) and validity as {@link #octetLength} does; returns
   * the bytes written.
   */
  long substring(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      long start,
      long length,
      MemorySegment outOffsets,
      MemorySegment outData,
      @Nullable MemorySegment outValidity);
}
