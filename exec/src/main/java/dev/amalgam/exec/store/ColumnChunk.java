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
