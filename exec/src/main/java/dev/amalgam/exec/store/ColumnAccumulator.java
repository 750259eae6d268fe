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
    int cap = Math.max(16, size * 2);
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

  void reset() {
    size = 0;
    nulls = 0;
    dataBytes = 0;
    Arrays.fill(nullBits, 0L);
    offsets[0] = 0;
  }
}
