package dev.amalgam.exec.store;

import dev.amalgam.exec.DataType;
import java.util.Arrays;

/** The heap buffer of one column of the row group being built. One thread at a time. */
final class ColumnAccumulator {
  final DataType type;
  long[] longs = new long[0];
  double[] doubles = new double[0];
  long[] nullBits = new long[0];
  byte[] data = new byte[0];
  int[] offsets = new int[] {0};
  int size;
  int nulls;
  long dataBytes;

  ColumnAccumulator(DataType type) {
    this.type = type;
  }

  private boolean usesDoubles() {
    return type.kind() == DataType.Kind.FLOAT32 || type.kind() == DataType.Kind.FLOAT64;
  }

  private void grow() {
    growTo(Math.max(16, size * 2));
  }

  private void growTo(int cap) {
    if (type.kind() == DataType.Kind.UTF8) {
      offsets = Arrays.copyOf(offsets, cap + 1);
    } else if (usesDoubles()) {
      doubles = Arrays.copyOf(doubles, cap);
    } else {
      longs = Arrays.copyOf(longs, cap);
    }
    nullBits = Arrays.copyOf(nullBits, (cap + 63) >>> 6);
  }

  private int capacity() {
    if (type.kind() == DataType.Kind.UTF8) {
      return offsets.length - 1;
    }
    return usesDoubles() ? doubles.length : longs.length;
  }

  void appendNull() {
    if (size == capacity()) {
      grow();
    }
    nullBits[size >>> 6] |= 1L << (size & 63);
    nulls++;
    if (type.kind() == DataType.Kind.UTF8) {
      offsets[size + 1] = offsets[size];
    }
    size++;
  }

  boolean isNull(int i) {
    return (nullBits[i >>> 6] & (1L << (i & 63))) != 0;
  }

  void appendLong(long v) {
    if (size == capacity()) {
      grow();
    }
    longs[size++] = v;
  }

  void appendDouble(double v) {
    if (size == capacity()) {
      grow();
    }
    doubles[size++] = v;
  }

  void appendBytes(byte[] b) {
    if (size == capacity()) {
      grow();
    }
    long end = (long) offsets[size] + b.length;
    if (end > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "utf8 data of one row group exceeds 2 GiB; use smaller row groups");
    }
    if (end > data.length) {
      data =
          Arrays.copyOf(
              data, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(end, 2L * data.length + 64)));
    }
    System.arraycopy(b, 0, data, offsets[size], b.length);
    offsets[size + 1] = (int) end;
    dataBytes = end;
    size++;
  }

  /** Makes room for {@code extra} more rows. */
  void ensureRoom(int extra) {
    long needed = (long) size + extra;
    if (needed > capacity()) {
      growTo((int) Math.min(Integer.MAX_VALUE - 16, Math.max(needed, Math.max(16L, 2L * size))));
    }
  }

  /** Appends {@code n} int64 values of {@code src} from {@code from}, none null. */
  void appendLongs(long[] src, int from, int n) {
    ensureRoom(n);
    System.arraycopy(src, from, longs, size, n);
    size += n;
  }

  /** Appends {@code n} float64 values of {@code src} from {@code from}, none null. */
  void appendDoubles(double[] src, int from, int n) {
    ensureRoom(n);
    System.arraycopy(src, from, doubles, size, n);
    size += n;
  }

  /** Appends {@code n} strings {@code from..from+n} of offsets over {@code src}, none null. */
  void appendUtf8(int[] offs, byte[] src, int from, int n) {
    ensureRoom(n);
    int start = offs[from];
    int len = offs[from + n] - start;
    long end = (long) offsets[size] + len;
    if (end > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "utf8 data of one row group exceeds 2 GiB; use smaller row groups");
    }
    if (end > data.length) {
      data =
          Arrays.copyOf(
              data, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(end, 2L * data.length + 64)));
    }
    System.arraycopy(src, start, data, offsets[size], len);
    int shift = offsets[size] - start;
    for (int i = 1; i <= n; i++) {
      offsets[size + i] = offs[from + i] + shift;
    }
    size += n;
    dataBytes = end;
  }

  /** Marks the already appended row {@code i} null. */
  void markNull(int i) {
    long bit = 1L << (i & 63);
    if ((nullBits[i >>> 6] & bit) == 0) {
      nullBits[i >>> 6] |= bit;
      nulls++;
    }
  }

  void reset() {
    size = 0;
    nulls = 0;
    dataBytes = 0;
    Arrays.fill(nullBits, 0L);
    offsets[0] = 0;
  }
}
