package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * One column of a batch in Arrow layout, in a compute type (see {@link DataType#computeType()}):
 *
 * <pre>
 *  bool                    values = bitmap of n bits
 *  int32 / date32          values = n int32
 *  int64 / decimal / ts    values = n int64
 *  float64                 values = n float64
 *  utf8                    values = n + 1 int32 offsets (offsets[0] may be > 0), data = bytes
 *  dictionary utf8         values = n int32 indices into dictionary (a utf8 Vec)
 *  validity                optional bitmap of n bits (null = no nulls)
 * </pre>
 *
 * A vec does not own its memory: it points into a pinned page, a worker's scratch, or a
 * materialized chunk, whichever outlives its use.
 */
public record Vec(
    DataType type,
    int n,
    MemorySegment values,
    @Nullable MemorySegment validity,
    @Nullable MemorySegment data,
    @Nullable Vec dictionary) {

  /** A fixed-width or bool vec. */
  public static Vec fixed(
      DataType type, int n, MemorySegment values, @Nullable MemorySegment validity) {
    return new Vec(type, n, values, validity, null, null);
  }

  /** A utf8 vec. */
  public static Vec utf8(
      int n, MemorySegment offsets, MemorySegment data, @Nullable MemorySegment validity) {
    return new Vec(DataType.UTF8, n, offsets, validity, data, null);
  }

  /** Whether row {@code i} is null. */
  public boolean isNull(int i) {
    return validity != null && !Validity.isValid(validity, i);
  }

  /** Row {@code i} as int32/date32. */
  public int getInt(int i) {
    return values.getAtIndex(ArrowLayout.INT32, i);
  }

  /** Row {@code i} as int64/decimal/timestamp. */
  public long getLong(int i) {
    return values.getAtIndex(ArrowLayout.INT64, i);
  }

  /** Row {@code i} as float64. */
  public double getDouble(int i) {
    return values.getAtIndex(ArrowLayout.FLOAT64, i);
  }

  /** Row {@code i} of a bool vec. */
  public boolean getBool(int i) {
    return Validity.isValid(values, i);
  }

  /** The bytes of row {@code i} of a utf8 or dictionary vec. */
  public byte[] getBytes(int i) {
    if (dictionary != null) {
      return dictionary.getBytes(values.getAtIndex(ArrowLayout.INT32, i));
    }
    MemorySegment d = data;
    if (d == null) {
      throw new IllegalStateException("not a utf8 vec: " + type);
    }
    int from = values.getAtIndex(ArrowLayout.INT32, i);
    int to = values.getAtIndex(ArrowLayout.INT32, i + 1L);
    byte[] b = new byte[to - from];
    MemorySegment.copy(d, ValueLayout.JAVA_BYTE, from, b, 0, b.length);
    return b;
  }

  /** Row {@code i} as a Java value (null for SQL NULL), for results and tests. */
  public @Nullable Object getObject(int i) {
    if (isNull(i)) {
      return null;
    }
    return switch (type.kind()) {
      case BOOL -> getBool(i);
      case INT8, INT16, INT32 -> getInt(i);
      case INT64 -> getLong(i);
      case FLOAT32, FLOAT64 -> getDouble(i);
      case DECIMAL -> BigDecimal.valueOf(getLong(i), type.scale());
      case DATE32 -> LocalDate.ofEpochDay(getInt(i));
      case TIMESTAMP -> Instant.EPOCH.plus(getLong(i), ChronoUnit.MICROS);
      case UTF8, DICTIONARY_UTF8 -> new String(getBytes(i), StandardCharsets.UTF_8);
    };
  }
}
