package dev.amalgam.arrowio.csv;

import dev.amalgam.exec.ColumnValues;
import java.util.Arrays;

/** One column of a parsed block on the heap, in the shape {@link ColumnValues} takes. */
final class ColumnBuffer {
  final ColumnValues.Shape shape;
  long[] longs;
  double[] doubles;
  int[] offsets;
  byte[] data;
  long[] nulls;
  int size;
  boolean anyNull;

  ColumnBuffer(ColumnValues.Shape shape, int capacity) {
    this.shape = shape;
    int cap = Math.max(16, capacity);
    longs = shape == ColumnValues.Shape.LONGS ? new long[cap] : new long[0];
    doubles = shape == ColumnValues.Shape.DOUBLES ? new double[cap] : new double[0];
    offsets = shape == ColumnValues.Shape.UTF8 ? new int[cap + 1] : new int[1];
    data = new byte[shape == ColumnValues.Shape.UTF8 ? Math.max(64, cap * 8) : 0];
    nulls = new long[(cap + 63) >>> 6];
  }

  private int capacity() {
    return switch (shape) {
      case LONGS -> longs.length;
      case DOUBLES -> doubles.length;
      case UTF8 -> offsets.length - 1;
    };
  }

  private void grow() {
    int cap = capacity() * 2;
    switch (shape) {
      case LONGS -> longs = Arrays.copyOf(longs, cap);
      case DOUBLES -> doubles = Arrays.copyOf(doubles, cap);
      case UTF8 -> offsets = Arrays.copyOf(offsets, cap + 1);
    }
    nulls = Arrays.copyOf(nulls, (cap + 63) >>> 6);
  }

  void addLong(long v) {
    if (size == capacity()) {
      grow();
    }
    longs[size++] = v;
  }

  void addDouble(double v) {
    if (size == capacity()) {
      grow();
    }
    doubles[size++] = v;
  }

  void addBytes(byte[] a, int off, int len) {
    if (size == capacity()) {
      grow();
    }
    int at = offsets[size];
    if ((long) at + len > data.length) {
      long want = Math.max((long) at + len, 2L * data.length);
      if (want > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("string data of one block exceeds 2 GiB");
      }
      data = Arrays.copyOf(data, (int) want);
    }
    System.arraycopy(a, off, data, at, len);
    offsets[size + 1] = at + len;
    size++;
  }

  void addNull() {
    if (size == capacity()) {
      grow();
    }
    nulls[size >>> 6] |= 1L << (size & 63);
    anyNull = true;
    if (shape == ColumnValues.Shape.UTF8) {
      offsets[size + 1] = offsets[size];
    } else if (shape == ColumnValues.Shape.LONGS) {
      longs[size] = 0;
    } else {
      doubles[size] = 0;
    }
    size++;
  }

  /** Drops the rows from {@code rows} on (a row that turned out bad). */
  void truncate(int rows) {
    while (size > rows) {
      size--;
      nulls[size >>> 6] &= ~(1L << (size & 63));
    }
  }

  ColumnValues values() {
    long[] n = anyNull ? nulls : null;
    return switch (shape) {
      case LONGS -> ColumnValues.ofLongs(longs, size, n);
      case DOUBLES -> ColumnValues.ofDoubles(doubles, size, n);
      case UTF8 -> ColumnValues.ofUtf8(offsets, data, size, n);
    };
  }
}
