package dev.amalgam.exec;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One column's values for {@link TableBuilder#addBatch}: primitive arrays and a null bitmap, so a
 * bulk loader appends without boxing a value per row.
 *
 * <p>Three shapes cover every storage type:
 *
 * <ul>
 *   <li>{@link #ofLongs longs}: bool (0 or 1), int8..int64, decimal (unscaled), date32 (days),
 *       timestamp (microseconds);
 *   <li>{@link #ofDoubles doubles}: float32, float64;
 *   <li>{@link #ofUtf8 utf8}: {@code size + 1} offsets into UTF-8 bytes, for utf8 and
 *       dictionary&lt;utf8&gt; columns (the table builds the dictionary).
 * </ul>
 *
 * The null bitmap has bit {@code i} ({@code nulls[i >>> 6] >>> (i & 63)}) set when row {@code i} is
 * null; a null bitmap array means no row is null. The value at a null row is ignored. The arrays
 * are read, not copied, by {@link TableBuilder#addBatch}: do not change them during it.
 */
public final class ColumnValues {
  /** The shape of the values. */
  public enum Shape {
    /** int64 values. */
    LONGS,
    /** float64 values. */
    DOUBLES,
    /** int32 offsets and UTF-8 bytes. */
    UTF8
  }

  private final Shape shape;
  private final int size;
  private final long @Nullable [] longs;
  private final double @Nullable [] doubles;
  private final int @Nullable [] offsets;
  private final byte @Nullable [] data;
  private final long @Nullable [] nulls;

  private ColumnValues(
      Shape shape,
      int size,
      long @Nullable [] longs,
      double @Nullable [] doubles,
      int @Nullable [] offsets,
      byte @Nullable [] data,
      long @Nullable [] nulls) {
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative; was " + size);
    }
    if (nulls != null && nulls.length < (size + 63) >>> 6) {
      throw new IllegalArgumentException(
          "null bitmap of " + nulls.length + " words is too short for " + size + " rows");
    }
    this.shape = shape;
    this.size = size;
    this.longs = longs;
    this.doubles = doubles;
    this.offsets = offsets;
    this.data = data;
    this.nulls = nulls;
  }

  /** The first {@code size} of {@code values}, with an optional null bitmap. */
  public static ColumnValues ofLongs(long[] values, int size, long @Nullable [] nulls) {
    Objects.requireNonNull(values, "values is null");
    if (size > values.length) {
      throw new IllegalArgumentException(size + " rows but " + values.length + " values");
    }
    return new ColumnValues(Shape.LONGS, size, values, null, null, null, nulls);
  }

  /** The first {@code size} of {@code values}, with an optional null bitmap. */
  public static ColumnValues ofDoubles(double[] values, int size, long @Nullable [] nulls) {
    Objects.requireNonNull(values, "values is null");
    if (size > values.length) {
      throw new IllegalArgumentException(size + " rows but " + values.length + " values");
    }
    return new ColumnValues(Shape.DOUBLES, size, null, values, null, null, nulls);
  }

  /**
   * {@code size} strings: string {@code i} is {@code data[offsets[i] .. offsets[i + 1])}, UTF-8.
   * Offsets must not decrease and must lie within {@code data}.
   */
  public static ColumnValues ofUtf8(int[] offsets, byte[] data, int size, long @Nullable [] nulls) {
    Objects.requireNonNull(offsets, "offsets is null");
    Objects.requireNonNull(data, "data is null");
    if (size + 1 > offsets.length) {
      throw new IllegalArgumentException(size + " rows need " + (size + 1) + " offsets");
    }
    if (size > 0 && (offsets[0] < 0 || offsets[size] > data.length)) {
      throw new IllegalArgumentException(
          "offsets [" + offsets[0] + ", " + offsets[size] + "] outside data of " + data.length);
    }
    return new ColumnValues(Shape.UTF8, size, null, null, offsets, data, nulls);
  }

  /** The shape. */
  public Shape shape() {
    return shape;
  }

  /** Rows. */
  public int size() {
    return size;
  }

  /** Whether row {@code i} is null. */
  public boolean isNull(int i) {
    long[] n = nulls;
    return n != null && (n[i >>> 6] & (1L << (i & 63))) != 0;
  }

  /** The null bitmap, or null when no row is null. */
  public long @Nullable [] nulls() {
    return nulls;
  }

  /** The int64 values ({@link Shape#LONGS}). */
  public long[] longs() {
    return Objects.requireNonNull(longs, "not a LONGS column");
  }

  /** The float64 values ({@link Shape#DOUBLES}). */
  public double[] doubles() {
    return Objects.requireNonNull(doubles, "not a DOUBLES column");
  }

  /** The offsets ({@link Shape#UTF8}). */
  public int[] offsets() {
    return Objects.requireNonNull(offsets, "not a UTF8 column");
  }

  /** The UTF-8 bytes ({@link Shape#UTF8}). */
  public byte[] data() {
    return Objects.requireNonNull(data, "not a UTF8 column");
  }

  /** The shape a column of {@code type} takes. */
  public static Shape shapeOf(DataType type) {
    return switch (type.kind()) {
      case FLOAT32, FLOAT64 -> Shape.DOUBLES;
      case UTF8, DICTIONARY_UTF8 -> Shape.UTF8;
      default -> Shape.LONGS;
    };
  }

  @Override
  public String toString() {
    return shape.name().toLowerCase(java.util.Locale.ROOT) + "[" + size + "]";
  }
}
