package dev.amalgam.kernels.reference;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.SortKernels;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Plain scalar reference of {@link SortKernels}: boxed row indices sorted by a comparator (Java's
 * stable merge sort), byte-at-a-time key normalization. For differential tests and benchmarks only.
 */
public final class ScalarSortKernels implements SortKernels {
  /** Creates the reference (stateless). */
  public ScalarSortKernels() {}

  @Override
  public void normalizeKeys(
      List<SortColumn> columns,
      int count,
      @Nullable MemorySegment selection,
      MemorySegment keysOut) {
    check(columns, count, selection);
    int width = SortKernels.keyWidth(columns.stream().map(SortColumn::key).toList());
    need("keysOut", keysOut, (long) count * width);
    for (int k = 0; k < count; k++) {
      int row = row(selection, k);
      long at = (long) k * width;
      for (SortColumn c : columns) {
        byte[] value = valueBytes(c, row);
        boolean isNull = value == null;
        boolean nullFirstByte = c.key().nullsFirst() ? isNull : !isNull;
        keysOut.set(ValueLayout.JAVA_BYTE, at, (byte) (nullFirstByte ? 0 : 1));
        for (int b = 0; b < c.key().type().keyBytes(); b++) {
          byte v = 0;
          if (value != null) {
            v = c.key().ascending() ? value[b] : (byte) ~value[b];
          }
          keysOut.set(ValueLayout.JAVA_BYTE, at + 1 + b, v);
        }
        at += 1 + c.key().type().keyBytes();
      }
    }
  }

  @Override
  public long radixSortScratchBytes(int keyWidth, int count) {
    return 0;
  }

  @Override
  public void radixSort(
      MemorySegment keys,
      int keyWidth,
      int count,
      MemorySegment permutationOut,
      MemorySegment scratch) {
    if (keyWidth <= 0 || count < 0) {
      throw new IllegalArgumentException("keyWidth " + keyWidth + ", count " + count);
    }
    need("keys", keys, (long) count * keyWidth);
    need("permutationOut", permutationOut, 4L * count);
    List<Integer> order = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      order.add(k);
    }
    order.sort(
        (a, b) -> {
          for (int i = 0; i < keyWidth; i++) {
            int x = keys.get(ValueLayout.JAVA_BYTE, (long) a * keyWidth + i) & 0xFF;
            int y = keys.get(ValueLayout.JAVA_BYTE, (long) b * keyWidth + i) & 0xFF;
            if (x != y) {
              return Integer.compare(x, y);
            }
          }
          return 0;
        });
    write(order, count, permutationOut);
  }

  @Override
  public long sortScratchBytes(List<SortKey> keys, int count) {
    return 0;
  }

  @Override
  public void sort(
      List<SortColumn> columns,
      int count,
      @Nullable MemorySegment selection,
      MemorySegment permutationOut,
      MemorySegment scratch) {
    check(columns, count, selection);
    need("permutationOut", permutationOut, 4L * count);
    write(sorted(columns, count, selection), count, permutationOut);
  }

  @Override
  public long topNScratchBytes(List<SortKey> keys, int count, int limit) {
    return 0;
  }

  @Override
  public int topN(
      List<SortColumn> columns,
      int count,
      @Nullable MemorySegment selection,
      int limit,
      MemorySegment out,
      MemorySegment scratch) {
    check(columns, count, selection);
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0: " + limit);
    }
    int k = Math.min(limit, count);
    need("out", out, 4L * k);
    write(sorted(columns, count, selection), k, out);
    return k;
  }

  private static List<Integer> sorted(
      List<SortColumn> columns, int count, @Nullable MemorySegment selection) {
    List<Integer> rows = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      rows.add(row(selection, k));
    }
    Comparator<Integer> order = (a, b) -> 0;
    for (SortColumn c : columns) {
      order = order.thenComparing((a, b) -> compare(c, a, b));
    }
    rows.sort(order);
    return rows;
  }

  /** SQL order of one column: nulls per NULLS FIRST/LAST, then the value, reversed for DESC. */
  private static int compare(SortColumn c, int a, int b) {
    boolean na = !Validity.isValid(c.validity(), a);
    boolean nb = !Validity.isValid(c.validity(), b);
    if (na || nb) {
      if (na && nb) {
        return 0;
      }
      return na == c.key().nullsFirst() ? -1 : 1;
    }
    MemorySegment v = c.values();
    int r =
        switch (c.key().type()) {
          case INT32, DATE32 -> Integer.compare(ArrowLayout.int32(v, a), ArrowLayout.int32(v, b));
          case INT64, TIMESTAMP, DECIMAL64 ->
              Long.compare(ArrowLayout.int64(v, a), ArrowLayout.int64(v, b));
          case FLOAT64 ->
              Double.compare(
                  canonical(ArrowLayout.float64(v, a)), canonical(ArrowLayout.float64(v, b)));
          case UTF8 -> java.util.Arrays.compareUnsigned(utf8(c, a), utf8(c, b));
        };
    return c.key().ascending() ? r : -r;
  }

  private static double canonical(double d) {
    return d == 0.0 ? 0.0 : d; // -0.0 == 0.0; Double.compare already puts every NaN last
  }

  private static byte[] utf8(SortColumn c, int row) {
    int start = ArrowLayout.int32(c.values(), row);
    int end = ArrowLayout.int32(c.values(), row + 1);
    return Objects.requireNonNull(c.utf8Data())
        .asSlice(start, end - start)
        .toArray(ValueLayout.JAVA_BYTE);
  }

  /** The ascending value bytes of a normalized key, or null for a null row. */
  private static byte @Nullable [] valueBytes(SortColumn c, int row) {
    if (!Validity.isValid(c.validity(), row)) {
      return null;
    }
    MemorySegment v = c.values();
    return switch (c.key().type()) {
      case INT32, DATE32 -> bigEndian(ArrowLayout.int32(v, row) ^ 0x8000_0000L, 4);
      case INT64, TIMESTAMP, DECIMAL64 -> bigEndian(ArrowLayout.int64(v, row) ^ Long.MIN_VALUE, 8);
      case FLOAT64 -> {
        double d = canonical(ArrowLayout.float64(v, row));
        long bits = Double.doubleToLongBits(d); // collapses every NaN to 0x7ff8...
        yield bigEndian(bits < 0 ? ~bits : bits ^ Long.MIN_VALUE, 8);
      }
      case UTF8 -> {
        byte[] s = utf8(c, row);
        byte[] out = new byte[SortKernels.UTF8_PREFIX_BYTES + 1];
        System.arraycopy(s, 0, out, 0, Math.min(s.length, SortKernels.UTF8_PREFIX_BYTES));
        out[SortKernels.UTF8_PREFIX_BYTES] =
            (byte) Math.min(s.length, SortKernels.UTF8_PREFIX_BYTES + 1);
        yield out;
      }
    };
  }

  private static byte[] bigEndian(long v, int bytes) {
    byte[] out = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      out[i] = (byte) (v >>> (8 * (bytes - 1 - i)));
    }
    return out;
  }

  private static int row(@Nullable MemorySegment selection, int k) {
    return selection == null ? k : selection.getAtIndex(ArrowLayout.INT32, k);
  }

  private static void write(List<Integer> rows, int k, MemorySegment out) {
    for (int i = 0; i < k; i++) {
      out.setAtIndex(ArrowLayout.INT32, i, rows.get(i));
    }
  }

  private static void need(String name, MemorySegment s, long bytes) {
    Objects.requireNonNull(s, name + " is null");
    if (s.byteSize() < bytes) {
      throw new IllegalArgumentException(
          name + " holds " + s.byteSize() + " bytes, needs at least " + bytes);
    }
  }

  private static void check(List<SortColumn> columns, int count, @Nullable MemorySegment sel) {
    Objects.requireNonNull(columns, "columns is null");
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("columns is empty");
    }
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0: " + count);
    }
    int rows = count;
    if (sel != null) {
      need("selection", sel, 4L * count);
      rows = count == 0 ? 0 : row(sel, count - 1) + 1;
    }
    for (int c = 0; c < columns.size(); c++) {
      columns.get(c).checkRows(c, rows);
    }
  }
}
