package dev.amalgam.arrowio.arrow;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * One column of a decoded record batch in the engine's storage layout (see {@code
 * dev.amalgam.kernels.ArrowLayout}): validity (null when there are no nulls), values (or utf8
 * offsets, which need not start at 0, or int32 dictionary indices) and utf8 data.
 *
 * @param rows rows
 * @param nullCount null rows
 * @param validity bitmap, or null
 * @param values values
 * @param data utf8 data, or null for other types
 * @param inPlace true when every segment is a slice of the source's own bytes (a mapped file), not
 *     a decompressed or converted copy
 */
record Decoded(
    int rows,
    long nullCount,
    @Nullable MemorySegment validity,
    MemorySegment values,
    @Nullable MemorySegment data,
    boolean inPlace) {

  /** Bytes of the segments. */
  long bytes() {
    return values.byteSize()
        + (validity == null ? 0 : validity.byteSize())
        + (data == null ? 0 : data.byteSize());
  }
}
