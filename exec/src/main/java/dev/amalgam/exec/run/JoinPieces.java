package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.FilterKernels;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The output buffers of a join's pieces: one set of column buffers of {@code capacity} rows in a
 * worker's scratch, reused for every piece of one input batch (a piece has been consumed once the
 * downstream push returns), and the gathers that fill them from probe rows and build row ids.
 */
final class JoinPieces {
  /*
   * Column c of the output has type types[c]. Its values buffer is allocated on first use, its
   * validity bitmap when a piece first needs one, and a utf8 column's data buffer grows (doubling)
   * when a piece's strings do not fit. Every gather writes every row below the piece's count, so
   * what an earlier piece left in the buffers never shows.
   */

  private static final FilterKernels KERNELS = FilterKernels.cpu();

  private final Scratch scratch;
  private final DataType[] types;
  private final int capacity;
  private final @Nullable MemorySegment[] values;
  private final @Nullable MemorySegment[] validity;
  private final @Nullable MemorySegment[] data;

  JoinPieces(Scratch scratch, DataType[] types, int capacity) {
    this.scratch = scratch;
    this.types = types;
    this.capacity = capacity;
    this.values = new MemorySegment[types.length];
    this.validity = new MemorySegment[types.length];
    this.data = new MemorySegment[types.length];
  }

  /** Rows per piece. */
  int capacity() {
    return capacity;
  }

  private MemorySegment values(int c, long bytes) {
    MemorySegment v = values[c];
    if (v == null || v.byteSize() < bytes) {
      v = scratch.allocate(Math.max(8, bytes));
      values[c] = v;
    }
    return v;
  }

  private MemorySegment validity(int c) {
    MemorySegment v = validity[c];
    if (v == null) {
      v = scratch.allocate(ArrowLayout.paddedBitmapBytes(capacity) + 8);
      validity[c] = v;
    }
    return v;
  }

  private MemorySegment data(int c, long bytes) {
    MemorySegment d = data[c];
    if (d == null || d.byteSize() < bytes) {
      long size = Math.max(Math.max(64, bytes), d == null ? 0 : 2 * d.byteSize());
      d = scratch.allocate(size);
      data[c] = d;
    }
    return d;
  }

  private static long bitmapBytes(int rows) {
    return ArrowLayout.paddedBitmapBytes(rows) + 8;
  }

  /**
   * Output column {@code c}: rows {@code rows[0..count)} (int32 physical rows) of probe column
   * {@code v}. A dictionary column stays dictionary-encoded when its output type is, else it is
   * decoded.
   */
  Vec probe(int c, Vec v, MemorySegment rows, int count) {
    MemorySegment inValid = v.validity();
    MemorySegment outValid = inValid == null ? null : validity(c);
    DataType t = v.type();
    switch (t.kind()) {
      case BOOL -> {
        MemorySegment out = values(c, bitmapBytes(capacity));
        for (int k = 0; k < count; k++) {
          int r = rows.getAtIndex(ArrowLayout.INT32, k);
          Validity.set(out, k, Validity.isValid(v.values(), r));
          if (outValid != null) {
            Validity.set(outValid, k, Validity.isValid(inValid, r));
          }
        }
        return Vec.fixed(t, count, out, outValid);
      }
      case UTF8 -> {
        return probeUtf8(c, v, v, false, rows, count, outValid);
      }
      case DICTIONARY_UTF8 -> {
        Vec dict = Objects.requireNonNull(v.dictionary(), "dictionary vec without dictionary");
        if (types[c].kind() != DataType.Kind.DICTIONARY_UTF8) {
          return probeUtf8(c, v, dict, true, rows, count, outValid);
        }
        MemorySegment out = values(c, 4L * capacity);
        KERNELS.gatherInt32(v.values(), inValid, v.n(), rows, count, out, outValid);
        return new Vec(t, count, out, outValid, null, dict);
      }
      case INT64, DECIMAL, TIMESTAMP -> {
        MemorySegment out = values(c, 8L * capacity);
        KERNELS.gatherInt64(v.values(), inValid, v.n(), rows, count, out, outValid);
        return Vec.fixed(t, count, out, outValid);
      }
      case FLOAT64, FLOAT32 -> {
        MemorySegment out = values(c, 8L * capacity);
        KERNELS.gatherFloat64(v.values(), inValid, v.n(), rows, count, out, outValid);
        return Vec.fixed(t, count, out, outValid);
      }
      case INT8, INT16, INT32, DATE32 -> {
        MemorySegment out = values(c, 4L * capacity);
        KERNELS.gatherInt32(v.values(), inValid, v.n(), rows, count, out, outValid);
        return Vec.fixed(t, count, out, outValid);
      }
    }
    throw new AssertionError(t);
  }

  /** Gathers utf8 strings of {@code v} (through its dictionary {@code src} when decoding). */
  private Vec probeUtf8(
      int c,
      Vec v,
      Vec src,
      boolean decode,
      MemorySegment rows,
      int count,
      @Nullable MemorySegment outValid) {
    MemorySegment inValid = v.validity();
    MemorySegment srcOffsets = src.values();
    MemorySegment srcData = Objects.requireNonNull(src.data(), "utf8 vec without data");
    long total = 0;
    for (int k = 0; k < count; k++) {
      int r = rows.getAtIndex(ArrowLayout.INT32, k);
      if (Validity.isValid(inValid, r)) {
        int i = decode ? v.values().getAtIndex(ArrowLayout.INT32, r) : r;
        total +=
            srcOffsets.getAtIndex(ArrowLayout.INT32, i + 1L)
                - srcOffsets.getAtIndex(ArrowLayout.INT32, i);
      }
    }
    MemorySegment offsets = values(c, 4L * (capacity + 1));
    MemorySegment out = data(c, total);
    long at = 0;
    offsets.setAtIndex(ArrowLayout.INT32, 0, 0);
    for (int k = 0; k < count; k++) {
      int r = rows.getAtIndex(ArrowLayout.INT32, k);
      boolean valid = Validity.isValid(inValid, r);
      if (outValid != null) {
        Validity.set(outValid, k, valid);
      }
      if (valid) {
        int i = decode ? v.values().getAtIndex(ArrowLayout.INT32, r) : r;
        int from = srcOffsets.getAtIndex(ArrowLayout.INT32, i);
        int len = srcOffsets.getAtIndex(ArrowLayout.INT32, i + 1L) - from;
        MemorySegment.copy(srcData, from, out, at, len);
        at += len;
      }
      offsets.setAtIndex(ArrowLayout.INT32, k + 1L, (int) at);
    }
    return Vec.utf8(count, offsets, out, outValid);
  }

  /** Output column {@code c} as {@code count} nulls (the probe side of unmatched build rows). */
  Vec nulls(int c, int count) {
    DataType t = types[c];
    MemorySegment valid = validity(c);
    valid.asSlice(0, ArrowLayout.bitmapBytes(count)).fill((byte) 0);
    return switch (t.kind()) {
      case BOOL -> Vec.fixed(t, count, values(c, bitmapBytes(capacity)), valid);
      case UTF8 -> {
        MemorySegment offsets = values(c, 4L * (capacity + 1));
        offsets.asSlice(0, 4L * (count + 1)).fill((byte) 0);
        yield Vec.utf8(count, offsets, data(c, 8), valid);
      }
      case DICTIONARY_UTF8 ->
          throw new IllegalStateException("null probe columns of an outer join are decoded utf8");
      default -> Vec.fixed(t, count, values(c, 8L * capacity), valid);
    };
  }

  /**
   * Output column {@code c}: build rows {@code ids[0..count)} (int64 row ids {@code chunk << 16 |
   * row}; -1 = null) of the chunk columns {@code chunkCols}; {@code nullable} when some id is -1 or
   * some chunk column has a validity bitmap.
   */
  Vec build(int c, Vec[] chunkCols, MemorySegment ids, int count, boolean nullable) {
    DataType t = types[c];
    MemorySegment outValid = nullable ? validity(c) : null;
    switch (t.kind()) {
      case BOOL -> {
        MemorySegment out = values(c, bitmapBytes(capacity));
        for (int k = 0; k < count; k++) {
          long id = ids.getAtIndex(ArrowLayout.INT64, k);
          boolean value = false;
          boolean valid = false;
          if (id >= 0) {
            Vec src = chunkCols[chunk(id)];
            int r = row(id);
            valid = Validity.isValid(src.validity(), r);
            value = Validity.isValid(src.values(), r);
          }
          Validity.set(out, k, value);
          if (outValid != null) {
            Validity.set(outValid, k, valid);
          }
        }
        return Vec.fixed(t, count, out, outValid);
      }
      case UTF8 -> {
        return buildUtf8(c, chunkCols, ids, count, outValid);
      }
      default -> {
        boolean wide = t.kind().width() == 8;
        MemorySegment out = values(c, (wide ? 8L : 4L) * capacity);
        for (int k = 0; k < count; k++) {
          long id = ids.getAtIndex(ArrowLayout.INT64, k);
          boolean valid = false;
          if (id >= 0) {
            Vec src = chunkCols[chunk(id)];
            int r = row(id);
            valid = Validity.isValid(src.validity(), r);
            if (wide) {
              out.setAtIndex(ArrowLayout.INT64, k, src.values().getAtIndex(ArrowLayout.INT64, r));
            } else {
              out.setAtIndex(ArrowLayout.INT32, k, src.values().getAtIndex(ArrowLayout.INT32, r));
            }
          }
          if (outValid != null) {
            Validity.set(outValid, k, valid);
          }
        }
        if (t.kind() == DataType.Kind.DICTIONARY_UTF8) {
          return new Vec(t, count, out, outValid, null, buildDictionary(c, chunkCols));
        }
        return Vec.fixed(t, count, out, outValid);
      }
    }
  }

  /** The dictionary of build chunk columns {@code chunkCols} (one per column of the build). */
  private Vec buildDictionary(int c, Vec[] chunkCols) {
    if (chunkCols.length > 0) {
      return Objects.requireNonNull(chunkCols[0].dictionary(), "dictionary vec without dictionary");
    }
    // no build rows: every output row is null, and any dictionary does
    MemorySegment empty = data(c, 8).fill((byte) 0);
    return Vec.utf8(0, empty, empty, null);
  }

  private Vec buildUtf8(
      int c, Vec[] chunkCols, MemorySegment ids, int count, @Nullable MemorySegment outValid) {
    long total = 0;
    for (int k = 0; k < count; k++) {
      long id = ids.getAtIndex(ArrowLayout.INT64, k);
      if (id >= 0) {
        Vec src = chunkCols[chunk(id)];
        int r = row(id);
        if (Validity.isValid(src.validity(), r)) {
          total +=
              src.values().getAtIndex(ArrowLayout.INT32, r + 1L)
                  - src.values().getAtIndex(ArrowLayout.INT32, r);
        }
      }
    }
    MemorySegment offsets = values(c, 4L * (capacity + 1));
    MemorySegment out = data(c, total);
    long at = 0;
    offsets.setAtIndex(ArrowLayout.INT32, 0, 0);
    for (int k = 0; k < count; k++) {
      long id = ids.getAtIndex(ArrowLayout.INT64, k);
      boolean valid = false;
      if (id >= 0) {
        Vec src = chunkCols[chunk(id)];
        int r = row(id);
        valid = Validity.isValid(src.validity(), r);
        if (valid) {
          int from = src.values().getAtIndex(ArrowLayout.INT32, r);
          int len = src.values().getAtIndex(ArrowLayout.INT32, r + 1L) - from;
          MemorySegment.copy(
              Objects.requireNonNull(src.data(), "utf8 vec without data"), from, out, at, len);
          at += len;
        }
      }
      if (outValid != null) {
        Validity.set(outValid, k, valid);
      }
      offsets.setAtIndex(ArrowLayout.INT32, k + 1L, (int) at);
    }
    return Vec.utf8(count, offsets, out, outValid);
  }

  private static int chunk(long id) {
    return (int) (id >>> JoinBuildSink.ROW_BITS);
  }

  private static int row(long id) {
    return (int) (id & (JoinBuildSink.MAX_CHUNK_ROWS - 1));
  }
}
