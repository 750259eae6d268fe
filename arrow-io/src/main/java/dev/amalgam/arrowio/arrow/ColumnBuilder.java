package dev.amalgam.arrowio.arrow;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;

/**
 * Concatenates decoded columns of several batches into one chunk's buffers (the copying path: small
 * batches coalesced, stream input, converted or decompressed buffers). One thread.
 */
final class ColumnBuilder implements AutoCloseable {
  final DataType type;
  final GrowBuffer validity = new GrowBuffer(64);
  final GrowBuffer values = new GrowBuffer(1024);
  final @Nullable GrowBuffer data;
  int rows;
  long nulls;

  ColumnBuilder(DataType type) {
    this.type = type;
    this.data = type.kind() == DataType.Kind.UTF8 ? new GrowBuffer(1024) : null;
    if (data != null) {
      values.ensure(4);
      values.size(4); // offsets[0] = 0
    }
  }

  void append(Decoded d) {
    int n = d.rows();
    appendBits(validity, rows, n, d.validity());
    nulls += d.nullCount();
    switch (type.kind()) {
      case BOOL -> appendBits(values, rows, n, d.values());
      case UTF8 -> {
        GrowBuffer out = java.util.Objects.requireNonNull(data);
        MemorySegment o = d.values();
        int first = o.getAtIndex(ArrowLayout.INT32, 0);
        int last = o.getAtIndex(ArrowLayout.INT32, n);
        long base = out.size();
        if (base + (last - first) > Integer.MAX_VALUE - 64) {
          throw new IllegalArgumentException(
              "utf8 data of one row group exceeds 2 GiB; read smaller batches");
        }
        values.ensure(4L * n);
        MemorySegment raw = values.raw();
        long at = values.size();
        for (int i = 1; i <= n; i++) {
          raw.set(
              ArrowLayout.INT32,
              at + 4L * (i - 1),
              (int) (base + o.getAtIndex(ArrowLayout.INT32, i) - first));
        }
        values.size(at + 4L * n);
        out.append(java.util.Objects.requireNonNull(d.data()).asSlice(first, (long) last - first));
      }
      default -> values.append(d.values().asSlice(0, (long) type.kind().width() * n));
    }
    rows += n;
  }

  /** Appends n bits (all ones when src is null) at bit position {@code at}. */
  private static void appendBits(GrowBuffer dst, int at, int n, @Nullable MemorySegment src) {
    long endBytes = ArrowLayout.bitmapBytes((long) at + n);
    dst.ensure(Math.max(0, endBytes - dst.size()));
    MemorySegment raw = dst.raw();
    if ((at & 7) == 0) {
      long nb = ArrowLayout.bitmapBytes(n);
      if (src == null) {
        raw.asSlice(at >>> 3, nb).fill((byte) 0xFF);
      } else {
        MemorySegment.copy(src, 0, raw, at >>> 3, nb);
      }
      int tail = (at + n) & 7;
      if (tail != 0) {
        long lastByte = ((long) at + n) >>> 3;
        byte b = raw.get(ValueLayout.JAVA_BYTE, lastByte);
        raw.set(ValueLayout.JAVA_BYTE, lastByte, (byte) (b & ((1 << tail) - 1)));
      }
    } else {
      for (int i = 0; i < n; i++) {
        if (src == null || BatchDecoder.bit(src, i)) {
          long p = (long) at + i;
          byte b = raw.get(ValueLayout.JAVA_BYTE, p >>> 3);
          raw.set(ValueLayout.JAVA_BYTE, p >>> 3, (byte) (b | (1 << (p & 7))));
        }
      }
    }
    dst.size(endBytes);
  }

  void reset() {
    validity.reset();
    values.reset();
    if (data != null) {
      data.reset();
      values.ensure(4);
      values.size(4);
    }
    rows = 0;
    nulls = 0;
  }

  @Override
  public void close() {
    validity.close();
    values.close();
    if (data != null) {
      data.close();
    }
  }
}
