package dev.amalgam.exec.store;

import dev.amalgam.exec.DataType;
import dev.amalgam.memory.Region;
import org.jspecify.annotations.Nullable;

/**
 * One column of one row group: its Arrow buffers as regions of unified memory (values, or utf8
 * offsets; utf8 data; validity when the chunk has nulls) and its statistics. Owns the regions.
 *
 * <p>utf8 offsets are {@code rows + 1} int32s from 0 over the chunk's data; dictionary chunks hold
 * int32 indices into their table column's {@link Dictionary}.
 */
public final class ColumnChunk implements AutoCloseable {
  private final DataType type;
  private final Region values;
  private final @Nullable Region validity;
  private final @Nullable Region data;
  private final ChunkStats stats;

  ColumnChunk(
      DataType type,
      Region values,
      @Nullable Region validity,
      @Nullable Region data,
      ChunkStats stats) {
    this.type = type;
    this.values = values;
    this.validity = validity;
    this.data = data;
    this.stats = stats;
  }

  /**
   * A chunk over given buffers, which it then owns (for readers that build tables from buffers of
   * their own, e.g. a mapped Arrow file): {@code values} holds values, utf8 offsets ({@code rows +
   * 1} int32s, which need not start at 0) or int32 dictionary indices; {@code data} the utf8 bytes
   * (utf8 only); {@code validity} a bitmap, or null when the chunk has no nulls.
   *
   * @throws IllegalArgumentException when the buffers do not fit the type
   */
  public static ColumnChunk of(
      DataType type,
      Region values,
      @Nullable Region validity,
      @Nullable Region data,
      ChunkStats stats) {
    java.util.Objects.requireNonNull(type, "type is null");
    java.util.Objects.requireNonNull(values, "values is null");
    java.util.Objects.requireNonNull(stats, "stats is null");
    if ((type.kind() == DataType.Kind.UTF8) != (data != null)) {
      throw new IllegalArgumentException(
          type + " chunk: a data buffer is " + (data == null ? "missing" : "only for utf8"));
    }
    long rows = stats.rows();
    int w = type.kind().width();
    long need =
        switch (type.kind()) {
          case BOOL -> (rows + 7) >>> 3;
          case UTF8 -> 4 * (rows + 1);
          default -> w * rows;
        };
    if (values.size() < need) {
      throw new IllegalArgumentException(
          type
              + " chunk of "
              + rows
              + " rows needs "
              + need
              + " value bytes; has "
              + values.size());
    }
    if (validity != null && validity.size() < ((rows + 7) >>> 3)) {
      throw new IllegalArgumentException(
          type
              + " chunk of "
              + rows
              + " rows needs "
              + ((rows + 7) >>> 3)
              + " validity bytes; has "
              + validity.size());
    }
    return new ColumnChunk(type, values, validity, data, stats);
  }

  /** The storage type. */
  public DataType type() {
    return type;
  }

  /** Values (or utf8 offsets, or dictionary indices). */
  public Region values() {
    return values;
  }

  /** The validity bitmap, or null when the chunk has no nulls. */
  public @Nullable Region validity() {
    return validity;
  }

  /** utf8 data bytes, or null for other types. */
  public @Nullable Region data() {
    return data;
  }

  /** Statistics. */
  public ChunkStats stats() {
    return stats;
  }

  /** Bytes of the chunk's buffers (logical). */
  public long bytes() {
    return values.size()
        + (validity == null ? 0 : validity.size())
        + (data == null ? 0 : data.size());
  }

  @Override
  public void close() {
    values.close();
    if (validity != null) {
      validity.close();
    }
    if (data != null) {
      data.close();
    }
  }
}
