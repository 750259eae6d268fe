package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Sorting: normalized (byte-comparable) sort keys, a stable radix sort producing a permutation, and
 * top-N.
 *
 * <p><b>Order.</b> Rows are ordered by their key columns in turn; each column ascending or
 * descending, with its nulls first or last (independent of the direction). Ties on every key keep
 * the input order: every sort here is stable, and top-N returns exactly the first {@code limit}
 * rows of the stable sort. Values compare as their type does, with these choices: float64 orders
 * {@code -Inf < ... < -0.0 == 0.0 < ... < +Inf < NaN} (every NaN equal, NaN the largest value, as
 * in PostgreSQL and DuckDB; {@code -0.0} and {@code 0.0} are the same key and keep input order);
 * utf8 compares its bytes unsigned, which is code point order (binary collation), a proper prefix
 * first.
 *
 * <p><b>Rows.</b> A method takes {@code count} and an optional input selection: with a {@code null}
 * selection it covers rows {@code [0, count)}; otherwise the rows {@code selection[0 .. count)}
 * (ascending row indices, see {@link Selection}). Permutations are int32 row indices (into the
 * columns, not into the selection) written to a caller segment of at least {@code count} int32s.
 *
 * <p><b>Normalized keys</b> ({@link #normalizeKeys}): one fixed-width row of {@link
 * #keyWidth(List)} bytes per input row, whose unsigned byte-wise comparison ({@code memcmp}) is the
 * order above except where two utf8 values share their first {@value #UTF8_PREFIX_BYTES} bytes and
 * both are longer than that. Per key column, in key order:
 *
 * <pre>
 *  [null byte][value bytes]
 *    null byte : 0x00 for the rows that sort first: nulls under NULLS FIRST, valid rows under
 *                NULLS LAST; 0x01 for the others. A null row's value bytes are all 0x00.
 *    int32, date32             4 bytes: big-endian (v ^ 0x8000_0000)
 *    int64, timestamp, decimal 8 bytes: big-endian (v ^ 0x8000_0000_0000_0000)
 *    float64                   8 bytes: big-endian b ^ ((b >> 63) | 0x8000_0000_0000_0000) where
 *                              b = raw bits with every NaN made 0x7FF8_0000_0000_0000, -0.0 made 0.0
 *    utf8                      16 bytes: the first 15 bytes zero-padded, then min(length, 16)
 *    DESC                      the value bytes inverted (~); the null byte is not
 * </pre>
 *
 * <p><b>Scratch.</b> Kernels allocate nothing off-heap: each sort takes a caller scratch segment of
 * at least the size its {@code ...ScratchBytes} method gives for this implementation (it may be 0;
 * then any segment, {@link MemorySegment#NULL} included, will do).
 *
 * <p>Every method may be called from several threads at once on different outputs and scratch.
 */
public interface SortKernels {
  /**
   * Bytes of a utf8 value kept in its normalized key; longer values tie-break on the full value.
   */
  int UTF8_PREFIX_BYTES = 15;

  /** The CPU implementation (Vector API with scalar tails). */
  static SortKernels cpu() {
    return CpuSortKernels.INSTANCE;
  }

  /**
   * Bytes of one normalized key row for these key columns (a null byte plus the value bytes each).
   */
  static int keyWidth(List<SortKey> keys) {
    Objects.requireNonNull(keys, "keys is null");
    int w = 0;
    for (SortKey k : keys) {
      w += 1 + k.type().keyBytes();
    }
    return w;
  }

  /**
   * Writes the normalized key of each row (nulls per the keys' NULLS FIRST/LAST) to {@code
   * keysOut}, row-major: key {@code k} of the {@code count} rows at byte {@code k * keyWidth}.
   */
  void normalizeKeys(
      List<SortColumn> columns,
      int count,
      @Nullable MemorySegment selection,
      MemorySegment keysOut);

  /** Scratch bytes {@link #radixSort} needs for {@code count} keys of {@code keyWidth} bytes. */
  long radixSortScratchBytes(int keyWidth, int count);

  /**
   * Stably sorts {@code count} row-major keys of {@code keyWidth} bytes by unsigned byte order (no
   * nulls at this level: they are bytes of the key) and writes the permutation of key positions
   * {@code 0..count-1} to {@code permutationOut}.
   */
  void radixSort(
      MemorySegment keys,
      int keyWidth,
      int count,
      MemorySegment permutationOut,
      MemorySegment scratch);

  /** Scratch bytes {@link #sort} needs for {@code count} rows of these key columns. */
  long sortScratchBytes(List<SortKey> keys, int count);

  /**
   * Stably sorts the rows by the key columns (nulls per each key's NULLS FIRST/LAST) and writes
   * their row indices in that order to {@code permutationOut} ({@code count} int32s).
   */
  void sort(
      List<SortColumn> columns,
      int count,
      @Nullable MemorySegment selection,
      MemorySegment permutationOut,
      MemorySegment scratch);

  /** Scratch bytes {@link #topN} needs for the first {@code limit} of {@code count} rows. */
  long topNScratchBytes(List<SortKey> keys, int count, int limit);

  /**
   * Writes the row indices of the first {@code min(limit, count)} rows of the stable sort by the
   * key columns (nulls per the keys) to {@code out}, in order, and returns how many it wrote.
   */
  int topN(
      List<SortColumn> columns,
      int count,
      @Nullable MemorySegment selection,
      int limit,
      MemorySegment out,
      MemorySegment scratch);

  /** Column types a sort key can have (see {@link ArrowLayout}). */
  enum KeyType {
    /** int32 values. */
    INT32(4, 4),
    /** int32 days since 1970-01-01. */
    DATE32(4, 4),
    /** int64 values. */
    INT64(8, 8),
    /** int64 microseconds since the epoch. */
    TIMESTAMP(8, 8),
    /** int64 scaled by 10^scale; one column has one scale, so the scale does not matter here. */
    DECIMAL64(8, 8),
    /** float64 values (NaN largest, -0.0 == 0.0). */
    FLOAT64(8, 8),
    /** utf8: int32 offsets plus data bytes; binary collation. */
    UTF8(4, UTF8_PREFIX_BYTES + 1);

    private final int valueBytes;
    private final int keyBytes;

    KeyType(int valueBytes, int keyBytes) {
      this.valueBytes = valueBytes;
      this.keyBytes = keyBytes;
    }

    /** Bytes per row of the values buffer (the offsets for utf8). */
    public int valueBytes() {
      return valueBytes;
    }

    /** Bytes of the value part of a normalized key (after the null byte). */
    public int keyBytes() {
      return keyBytes;
    }
  }

  /** One key of an ORDER BY: the column's type, its direction and where its nulls go. */
  record SortKey(KeyType type, boolean ascending, boolean nullsFirst) {
    /** Checks the type is set. */
    public SortKey {
      Objects.requireNonNull(type, "type is null");
    }

    /** {@code type ASC NULLS LAST}. */
    public static SortKey asc(KeyType type) {
      return new SortKey(type, true, false);
    }

    /** {@code type DESC NULLS FIRST} (nulls count as the largest value, as in PostgreSQL). */
    public static SortKey desc(KeyType type) {
      return new SortKey(type, false, true);
    }
  }

  /**
   * A key column's buffers: values (for utf8, the {@code rows + 1} int32 offsets), the utf8 data
   * bytes (null otherwise) and an optional validity bitmap ({@code null} = no nulls).
   */
  record SortColumn(
      SortKey key,
      MemorySegment values,
      @Nullable MemorySegment utf8Data,
      @Nullable MemorySegment validity) {
    /** Checks that utf8 columns, and only they, have data bytes. */
    public SortColumn {
      Objects.requireNonNull(key, "key is null");
      Objects.requireNonNull(values, "values is null");
      if ((key.type() == KeyType.UTF8) != (utf8Data != null)) {
        throw new IllegalArgumentException(
            key.type() == KeyType.UTF8
                ? "a UTF8 sort column needs its data bytes"
                : key.type() + " sort column must not have utf8 data bytes");
      }
    }

    /** A fixed-width column (every type but utf8). */
    public static SortColumn fixed(
        SortKey key, MemorySegment values, @Nullable MemorySegment validity) {
      return new SortColumn(key, values, null, validity);
    }

    /** A utf8 column: {@code rows + 1} int32 offsets into {@code data}. */
    public static SortColumn utf8(
        SortKey key, MemorySegment offsets, MemorySegment data, @Nullable MemorySegment validity) {
      return new SortColumn(key, offsets, Objects.requireNonNull(data, "data is null"), validity);
    }

    /**
     * Throws IllegalArgumentException naming column {@code index} if its buffers hold fewer than
     * {@code rows} rows.
     */
    public void checkRows(int index, int rows) {
      long need =
          key.type() == KeyType.UTF8 ? 4L * (rows + 1L) : (long) rows * key.type().valueBytes;
      if (rows > 0 && values.byteSize() < need) {
        throw new IllegalArgumentException(
            "sort column "
                + index
                + " ("
                + key.type()
                + "): values hold "
                + values.byteSize()
                + " bytes, "
                + rows
                + " rows need "
                + need);
      }
      if (validity != null && validity.byteSize() < ArrowLayout.bitmapBytes(rows)) {
        throw new IllegalArgumentException(
            "sort column "
                + index
                + ": validity holds "
                + validity.byteSize()
                + " bytes, "
                + rows
                + " rows need "
                + ArrowLayout.bitmapBytes(rows));
      }
    }
  }
}
