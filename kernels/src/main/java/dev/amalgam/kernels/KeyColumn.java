package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One key column in Arrow layout: its type, its values (for utf8: the n + 1 int32 offsets), its
 * validity bitmap ({@code null} = no nulls) and, for utf8 only, the data bytes.
 *
 * @param type the key type
 * @param values the values buffer, or the offsets buffer for utf8
 * @param validity the validity bitmap, or {@code null} when no row is null
 * @param data the utf8 data bytes; {@code null} for every other type
 */
public record KeyColumn(
    KeyType type,
    MemorySegment values,
    @Nullable MemorySegment validity,
    @Nullable MemorySegment data) {

  /** Checks that utf8 columns, and only they, carry data. */
  public KeyColumn {
    Objects.requireNonNull(type, "type is null");
    Objects.requireNonNull(values, "values is null");
    if ((type == KeyType.UTF8) != (data != null)) {
      throw new IllegalArgumentException(
          type == KeyType.UTF8
              ? "a utf8 key column needs its data buffer"
              : "a " + type + " key column has no data buffer; data must be null");
    }
  }

  /** An int32 column. */
  public static KeyColumn int32(MemorySegment values, @Nullable MemorySegment validity) {
    return new KeyColumn(KeyType.INT32, values, validity, null);
  }

  /** An int64 column. */
  public static KeyColumn int64(MemorySegment values, @Nullable MemorySegment validity) {
    return new KeyColumn(KeyType.INT64, values, validity, null);
  }

  /** A float64 column. */
  public static KeyColumn float64(MemorySegment values, @Nullable MemorySegment validity) {
    return new KeyColumn(KeyType.FLOAT64, values, validity, null);
  }

  /** A date32 column. */
  public static KeyColumn date32(MemorySegment values, @Nullable MemorySegment validity) {
    return new KeyColumn(KeyType.DATE32, values, validity, null);
  }

  /** A utf8 column: n + 1 int32 offsets into {@code data}. */
  public static KeyColumn utf8(
      MemorySegment offsets, MemorySegment data, @Nullable MemorySegment validity) {
    return new KeyColumn(KeyType.UTF8, offsets, validity, data);
  }
}
