package dev.amalgam.kernels.reference;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.CompareOp;
import dev.amalgam.kernels.FilterKernels;
import dev.amalgam.kernels.Selection;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import org.jspecify.annotations.Nullable;

/**
 * Plain scalar reference of {@link FilterKernels}, one row at a time, used only by differential
 * tests and benchmarks.
 */
public final class ScalarFilterKernels implements FilterKernels {

  /** A predicate over one row index (validity included). */
  @FunctionalInterface
  private interface RowPredicate {
    boolean test(int row);
  }

  private static int select(
      RowPredicate p, int n, @Nullable MemorySegment sel, int selCount, MemorySegment out) {
    int rows = sel == null ? n : selCount;
    int count = 0;
    for (int k = 0; k < rows; k++) {
      int row = Selection.row(sel, k);
      if (p.test(row)) {
        out.setAtIndex(ArrowLayout.INT32, count++, row);
      }
    }
    return count;
  }

  private static int bitmap(RowPredicate p, int n, MemorySegment outBitmap) {
    outBitmap.asSlice(0, ArrowLayout.bitmapBytes(n)).fill((byte) 0);
    int count = 0;
    for (int i = 0; i < n; i++) {
      boolean bit = p.test(i);
      Validity.set(outBitmap, i, bit);
      count += bit ? 1 : 0;
    }
    return count;
  }

  private static boolean valid(@Nullable MemorySegment validity, int row) {
    return Validity.isValid(validity, row);
  }

  private static int i32(MemorySegment s, int row) {
    return ArrowLayout.int32(s, row);
  }

  private static long i64(MemorySegment s, int row) {
    return ArrowLayout.int64(s, row);
  }

  private static double f64(MemorySegment s, int row) {
    return ArrowLayout.float64(s, row);
  }

  private static RowPredicate cmpI32(
      CompareOp op, MemorySegment v, @Nullable MemorySegment valid, int c) {
    return r -> valid(valid, r) && op.holds(Integer.compare(i32(v, r), c));
  }

  private static RowPredicate cmpI64(
      CompareOp op, MemorySegment v, @Nullable MemorySegment valid, long c) {
    return r -> valid(valid, r) && op.holds(Long.compare(i64(v, r), c));
  }

  private static RowPredicate cmpF64(
      CompareOp op, MemorySegment v, @Nullable MemorySegment valid, double c) {
    return r -> valid(valid, r) && op.holds(CompareOp.compareSql(f64(v, r), c));
  }

  private static RowPredicate colsI32(
      CompareOp op,
      MemorySegment l,
      @Nullable MemorySegment lv,
      MemorySegment rt,
      @Nullable MemorySegment rv) {
    return r -> valid(lv, r) && valid(rv, r) && op.holds(Integer.compare(i32(l, r), i32(rt, r)));
  }

  private static RowPredicate colsI64(
      CompareOp op,
      MemorySegment l,
      @Nullable MemorySegment lv,
      MemorySegment rt,
      @Nullable MemorySegment rv) {
    return r -> valid(lv, r) && valid(rv, r) && op.holds(Long.compare(i64(l, r), i64(rt, r)));
  }

  private static RowPredicate colsF64(
      CompareOp op,
      MemorySegment l,
      @Nullable MemorySegment lv,
      MemorySegment rt,
      @Nullable MemorySegment rv) {
    return r ->
        valid(lv, r) && valid(rv, r) && op.holds(CompareOp.compareSql(f64(l, r), f64(rt, r)));
  }

  private static RowPredicate betweenI32(
      MemorySegment v, @Nullable MemorySegment valid, int lo, int hi) {
    return r -> valid(valid, r) && lo <= i32(v, r) && i32(v, r) <= hi;
  }

  private static RowPredicate betweenI64(
      MemorySegment v, @Nullable MemorySegment valid, long lo, long hi) {
    return r -> valid(valid, r) && lo <= i64(v, r) && i64(v, r) <= hi;
  }

  private static RowPredicate betweenF64(
      MemorySegment v, @Nullable MemorySegment valid, double lo, double hi) {
    return r ->
        valid(valid, r)
            && CompareOp.compareSql(lo, f64(v, r)) <= 0
            && CompareOp.compareSql(f64(v, r), hi) <= 0;
  }

  private static RowPredicate inI32(MemorySegment v, @Nullable MemorySegment valid, int[] list) {
    int[] copy = list.clone();
    return r -> {
      if (!valid(valid, r)) {
        return false;
      }
      for (int x : copy) {
        if (x == i32(v, r)) {
          return true;
        }
      }
      return false;
    };
  }

  private static RowPredicate inI64(MemorySegment v, @Nullable MemorySegment valid, long[] list) {
    long[] copy = list.clone();
    return r -> {
      if (!valid(valid, r)) {
        return false;
      }
      for (long x : copy) {
        if (x == i64(v, r)) {
          return true;
        }
      }
      return false;
    };
  }

  private static RowPredicate inF64(MemorySegment v, @Nullable MemorySegment valid, double[] list) {
    double[] copy = list.clone();
    return r -> {
      if (!valid(valid, r)) {
        return false;
      }
      for (double x : copy) {
        if (CompareOp.compareSql(x, f64(v, r)) == 0) {
          return true;
        }
      }
      return false;
    };
  }

  @Override
  public int compareInt32(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      int constant,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(cmpI32(op, values, validity, constant), n, sel, selCount, out);
  }

  @Override
  public int compareInt64(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      long constant,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(cmpI64(op, values, validity, constant), n, sel, selCount, out);
  }

  @Override
  public int compareFloat64(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      double constant,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(cmpF64(op, values, validity, constant), n, sel, selCount, out);
  }

  @Override
  public int compareInt32Columns(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(colsI32(op, left, leftValidity, right, rightValidity), n, sel, selCount, out);
  }

  @Override
  public int compareInt64Columns(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(colsI64(op, left, leftValidity, right, rightValidity), n, sel, selCount, out);
  }

  @Override
  public int compareFloat64Columns(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(colsF64(op, left, leftValidity, right, rightValidity), n, sel, selCount, out);
  }

  @Override
  public int betweenInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int low,
      int high,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(betweenI32(values, validity, low, high), n, sel, selCount, out);
  }

  @Override
  public int betweenInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long low,
      long high,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(betweenI64(values, validity, low, high), n, sel, selCount, out);
  }

  @Override
  public int betweenFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double low,
      double high,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(betweenF64(values, validity, low, high), n, sel, selCount, out);
  }

  @Override
  public int inInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int[] list,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(inI32(values, validity, list), n, sel, selCount, out);
  }

  @Override
  public int inInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long[] list,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(inI64(values, validity, list), n, sel, selCount, out);
  }

  @Override
  public int inFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double[] list,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(inF64(values, validity, list), n, sel, selCount, out);
  }

  @Override
  public int isNull(
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(r -> !valid(validity, r), n, sel, selCount, out);
  }

  @Override
  public int isNotNull(
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      MemorySegment out) {
    return select(r -> valid(validity, r), n, sel, selCount, out);
  }

  @Override
  public int compareInt32Bitmap(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      int constant,
      int n,
      MemorySegment outBitmap) {
    return bitmap(cmpI32(op, values, validity, constant), n, outBitmap);
  }

  @Override
  public int compareInt64Bitmap(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      long constant,
      int n,
      MemorySegment outBitmap) {
    return bitmap(cmpI64(op, values, validity, constant), n, outBitmap);
  }

  @Override
  public int compareFloat64Bitmap(
      CompareOp op,
      MemorySegment values,
      @Nullable MemorySegment validity,
      double constant,
      int n,
      MemorySegment outBitmap) {
    return bitmap(cmpF64(op, values, validity, constant), n, outBitmap);
  }

  @Override
  public int compareInt32ColumnsBitmap(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      MemorySegment outBitmap) {
    return bitmap(colsI32(op, left, leftValidity, right, rightValidity), n, outBitmap);
  }

  @Override
  public int compareInt64ColumnsBitmap(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      MemorySegment outBitmap) {
    return bitmap(colsI64(op, left, leftValidity, right, rightValidity), n, outBitmap);
  }

  @Override
  public int compareFloat64ColumnsBitmap(
      CompareOp op,
      MemorySegment left,
      @Nullable MemorySegment leftValidity,
      MemorySegment right,
      @Nullable MemorySegment rightValidity,
      int n,
      MemorySegment outBitmap) {
    return bitmap(colsF64(op, left, leftValidity, right, rightValidity), n, outBitmap);
  }

  @Override
  public int betweenInt32Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int low,
      int high,
      int n,
      MemorySegment outBitmap) {
    return bitmap(betweenI32(values, validity, low, high), n, outBitmap);
  }

  @Override
  public int betweenInt64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long low,
      long high,
      int n,
      MemorySegment outBitmap) {
    return bitmap(betweenI64(values, validity, low, high), n, outBitmap);
  }

  @Override
  public int betweenFloat64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double low,
      double high,
      int n,
      MemorySegment outBitmap) {
    return bitmap(betweenF64(values, validity, low, high), n, outBitmap);
  }

  @Override
  public int inInt32Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int[] list,
      int n,
      MemorySegment outBitmap) {
    return bitmap(inI32(values, validity, list), n, outBitmap);
  }

  @Override
  public int inInt64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      long[] list,
      int n,
      MemorySegment outBitmap) {
    return bitmap(inI64(values, validity, list), n, outBitmap);
  }

  @Override
  public int inFloat64Bitmap(
      MemorySegment values,
      @Nullable MemorySegment validity,
      double[] list,
      int n,
      MemorySegment outBitmap) {
    return bitmap(inF64(values, validity, list), n, outBitmap);
  }

  @Override
  public int isNullBitmap(@Nullable MemorySegment validity, int n, MemorySegment outBitmap) {
    return bitmap(r -> !valid(validity, r), n, outBitmap);
  }

  @Override
  public int isNotNullBitmap(@Nullable MemorySegment validity, int n, MemorySegment outBitmap) {
    return bitmap(r -> valid(validity, r), n, outBitmap);
  }

  @Override
  public int andSelections(
      MemorySegment a, int aCount, MemorySegment b, int bCount, MemorySegment out) {
    BitSet inB = rows(b, bCount);
    int count = 0;
    for (int i = 0; i < aCount; i++) {
      int row = ArrowLayout.int32(a, i);
      if (inB.get(row)) {
        out.setAtIndex(ArrowLayout.INT32, count++, row);
      }
    }
    return count;
  }

  @Override
  public int orSelections(
      MemorySegment a, int aCount, MemorySegment b, int bCount, int n, MemorySegment out) {
    BitSet union = rows(a, aCount);
    union.or(rows(b, bCount));
    int count = 0;
    for (int row = union.nextSetBit(0); row >= 0; row = union.nextSetBit(row + 1)) {
      out.setAtIndex(ArrowLayout.INT32, count++, row);
    }
    return count;
  }

  @Override
  public int notSelection(
      MemorySegment sel,
      int selCount,
      int n,
      @Nullable MemorySegment within,
      int withinCount,
      MemorySegment out) {
    BitSet excluded = rows(sel, selCount);
    int rows = within == null ? n : withinCount;
    int count = 0;
    for (int k = 0; k < rows; k++) {
      int row = Selection.row(within, k);
      if (!excluded.get(row)) {
        out.setAtIndex(ArrowLayout.INT32, count++, row);
      }
    }
    return count;
  }

  private static BitSet rows(MemorySegment sel, int count) {
    BitSet rows = new BitSet();
    for (int i = 0; i < count; i++) {
      rows.set(ArrowLayout.int32(sel, i));
    }
    return rows;
  }

  @Override
  public int andBitmaps(MemorySegment a, MemorySegment b, int n, MemorySegment outBitmap) {
    return bitmapAliased(a, b, n, outBitmap, 0);
  }

  @Override
  public int orBitmaps(MemorySegment a, MemorySegment b, int n, MemorySegment outBitmap) {
    return bitmapAliased(a, b, n, outBitmap, 1);
  }

  @Override
  public int andNotBitmaps(MemorySegment a, MemorySegment b, int n, MemorySegment outBitmap) {
    return bitmapAliased(a, b, n, outBitmap, 2);
  }

  /** Two-input bitmap op safe when outBitmap aliases an input: reads every bit first. */
  private static int bitmapAliased(
      MemorySegment a, MemorySegment b, int n, MemorySegment outBitmap, int kind) {
    boolean[] bits = new boolean[n];
    for (int i = 0; i < n; i++) {
      boolean x = Validity.isValid(a, i);
      boolean y = Validity.isValid(b, i);
      bits[i] =
          switch (kind) {
            case 0 -> x && y;
            case 1 -> x || y;
            default -> x && !y;
          };
    }
    return bitmap(r -> bits[r], n, outBitmap);
  }

  @Override
  public int notBitmap(MemorySegment a, int n, MemorySegment outBitmap) {
    boolean[] bits = new boolean[n];
    for (int i = 0; i < n; i++) {
      bits[i] = !Validity.isValid(a, i);
    }
    return bitmap(r -> bits[r], n, outBitmap);
  }

  @Override
  public int countBits(MemorySegment bitmap, int n) {
    int count = 0;
    for (int i = 0; i < n; i++) {
      count += Validity.isValid(bitmap, i) ? 1 : 0;
    }
    return count;
  }

  @Override
  public int bitmapToSelection(MemorySegment bitmap, int n, MemorySegment out) {
    return select(r -> Validity.isValid(bitmap, r), n, null, 0, out);
  }

  @Override
  public int selectionToBitmap(MemorySegment sel, int selCount, int n, MemorySegment outBitmap) {
    outBitmap.asSlice(0, ArrowLayout.bitmapBytes(n)).fill((byte) 0);
    for (int k = 0; k < selCount; k++) {
      Validity.set(outBitmap, ArrowLayout.int32(sel, k), true);
    }
    return selCount;
  }

  @Override
  public int gatherInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    return gather(values, validity, indices, count, outValues, outValidity, ArrowLayout.INT32);
  }

  @Override
  public int gatherInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    return gather(values, validity, indices, count, outValues, outValidity, ArrowLayout.INT64);
  }

  @Override
  public int gatherFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    // bit-exact: move the float64 bits as int64
    return gather(values, validity, indices, count, outValues, outValidity, ArrowLayout.INT64);
  }

  private static int gather(
      MemorySegment values,
      @Nullable MemorySegment validity,
      MemorySegment indices,
      int count,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity,
      ValueLayout width) {
    long w = width.byteSize();
    if (outValidity != null) {
      outValidity.asSlice(0, ArrowLayout.bitmapBytes(count)).fill((byte) 0);
    }
    int nulls = 0;
    for (int k = 0; k < count; k++) {
      int row = ArrowLayout.int32(indices, k);
      MemorySegment.copy(values, row * w, outValues, k * w, w);
      boolean ok = valid(validity, row);
      nulls += ok ? 0 : 1;
      if (outValidity != null) {
        Validity.set(outValidity, k, ok);
      }
    }
    return nulls;
  }

  @Override
  public void scatterInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      int outRows,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    scatter(values, validity, count, indices, outValues, outValidity, 4);
  }

  @Override
  public void scatterInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      int outRows,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    scatter(values, validity, count, indices, outValues, outValidity, 8);
  }

  @Override
  public void scatterFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      int outRows,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity) {
    scatter(values, validity, count, indices, outValues, outValidity, 8);
  }

  private static void scatter(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int count,
      MemorySegment indices,
      MemorySegment outValues,
      @Nullable MemorySegment outValidity,
      long w) {
    for (int k = 0; k < count; k++) {
      int row = ArrowLayout.int32(indices, k);
      MemorySegment.copy(values, k * w, outValues, row * w, w);
      if (outValidity != null) {
        Validity.set(outValidity, row, valid(validity, k));
      }
    }
  }
}
