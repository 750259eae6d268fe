package dev.amalgam.kernels;

import static dev.amalgam.kernels.FilterTestData.SIZES;
import static dev.amalgam.kernels.FilterTestData.bytes;
import static dev.amalgam.kernels.FilterTestData.context;
import static dev.amalgam.kernels.FilterTestData.entries;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.kernels.reference.ScalarFilterKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The CPU filter kernels against their scalar reference on random inputs with nulls, sizes swept
 * across vector widths and 64-row words, with and without input selections.
 */
final class FilterKernelsDifferentialTest {
  private static final FilterKernels CPU = FilterKernels.cpu();
  private static final FilterKernels REF = new ScalarFilterKernels();

  /** A selection-output call of one kernel. */
  @FunctionalInterface
  private interface SelectCall {
    int run(FilterKernels k, @Nullable MemorySegment sel, int selCount, MemorySegment out);
  }

  /** A bitmap-output call of one kernel. */
  @FunctionalInterface
  private interface BitmapCall {
    int run(FilterKernels k, MemorySegment outBitmap);
  }

  private static void checkSelect(FilterTestData data, String what, int n, SelectCall call) {
    compareSelect(data, what + " sel=none", n, null, 0, call);
    int[] rows = data.subset(n, data.density());
    compareSelect(data, what + " sel=" + rows.length, n, data.ints(rows), rows.length, call);
  }

  private static void compareSelect(
      FilterTestData data,
      String what,
      int n,
      @Nullable MemorySegment sel,
      int selCount,
      SelectCall call) {
    int rows = sel == null ? n : selCount;
    MemorySegment cpuOut = data.selectionOut(rows);
    MemorySegment refOut = data.selectionOut(rows);
    int cpu = call.run(CPU, sel, selCount, cpuOut);
    int ref = call.run(REF, sel, selCount, refOut);
    assertThat(entries(cpuOut, cpu))
        .as(context(what + " n=" + n))
        .containsExactly(entries(refOut, ref));
  }

  private static void checkBitmap(FilterTestData data, String what, int n, BitmapCall call) {
    MemorySegment cpuOut = data.bitmapOut(n);
    MemorySegment refOut = data.bitmapOut(n);
    int cpu = call.run(CPU, cpuOut);
    int ref = call.run(REF, refOut);
    assertThat(bytes(cpuOut, n)).as(context(what + " bitmap n=" + n)).isEqualTo(bytes(refOut, n));
    assertThat(cpu).as(context(what + " bitmap count n=" + n)).isEqualTo(ref);
  }

  @Test
  void compare_randomConstants_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED));
      for (int n : SIZES) {
        MemorySegment i32 = d.int32s(n);
        MemorySegment i64 = d.int64s(n);
        MemorySegment f64 = d.float64s(n);
        for (CompareOp op : CompareOp.values()) {
          MemorySegment v = d.maybeValidity(n);
          int c32 = d.int32();
          long c64 = d.int64();
          double cf = d.float64();
          String w = op + " nulls=" + (v != null);
          checkSelect(
              d,
              "int32 " + w + " " + c32,
              n,
              (k, s, sc, o) -> k.compareInt32(op, i32, v, c32, n, s, sc, o));
          checkSelect(
              d,
              "int64 " + w + " " + c64,
              n,
              (k, s, sc, o) -> k.compareInt64(op, i64, v, c64, n, s, sc, o));
          checkSelect(
              d,
              "float64 " + w + " " + cf,
              n,
              (k, s, sc, o) -> k.compareFloat64(op, f64, v, cf, n, s, sc, o));
          checkBitmap(d, "int32 " + w, n, (k, o) -> k.compareInt32Bitmap(op, i32, v, c32, n, o));
          checkBitmap(d, "int64 " + w, n, (k, o) -> k.compareInt64Bitmap(op, i64, v, c64, n, o));
          checkBitmap(d, "float64 " + w, n, (k, o) -> k.compareFloat64Bitmap(op, f64, v, cf, n, o));
        }
      }
    }
  }

  @Test
  void compareColumns_randomColumns_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED + 1));
      for (int n : SIZES) {
        MemorySegment a32 = d.int32s(n);
        MemorySegment b32 = d.int32s(n);
        MemorySegment a64 = d.int64s(n);
        MemorySegment b64 = d.int64s(n);
        MemorySegment af = d.float64s(n);
        MemorySegment bf = d.float64s(n);
        for (CompareOp op : CompareOp.values()) {
          MemorySegment va = d.maybeValidity(n);
          MemorySegment vb = d.maybeValidity(n);
          String w = op + " nulls=" + (va != null) + "/" + (vb != null);
          checkSelect(
              d,
              "int32 cols " + w,
              n,
              (k, s, sc, o) -> k.compareInt32Columns(op, a32, va, b32, vb, n, s, sc, o));
          checkSelect(
              d,
              "int64 cols " + w,
              n,
              (k, s, sc, o) -> k.compareInt64Columns(op, a64, va, b64, vb, n, s, sc, o));
          checkSelect(
              d,
              "float64 cols " + w,
              n,
              (k, s, sc, o) -> k.compareFloat64Columns(op, af, va, bf, vb, n, s, sc, o));
          checkBitmap(
              d,
              "int32 cols " + w,
              n,
              (k, o) -> k.compareInt32ColumnsBitmap(op, a32, va, b32, vb, n, o));
          checkBitmap(
              d,
              "int64 cols " + w,
              n,
              (k, o) -> k.compareInt64ColumnsBitmap(op, a64, va, b64, vb, n, o));
          checkBitmap(
              d,
              "float64 cols " + w,
              n,
              (k, o) -> k.compareFloat64ColumnsBitmap(op, af, va, bf, vb, n, o));
        }
      }
    }
  }

  @Test
  void between_randomBounds_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED + 2));
      for (int n : SIZES) {
        MemorySegment i32 = d.int32s(n);
        MemorySegment i64 = d.int64s(n);
        MemorySegment f64 = d.float64s(n);
        for (int round = 0; round < 4; round++) {
          MemorySegment v = d.maybeValidity(n);
          int lo32 = d.int32();
          int hi32 = round == 0 ? lo32 : d.int32();
          long lo64 = d.int64();
          long hi64 = round == 0 ? lo64 : d.int64();
          double lof = d.float64();
          double hif = round == 0 ? lof : d.float64();
          String w = " nulls=" + (v != null);
          checkSelect(
              d,
              "int32 between " + lo32 + " and " + hi32 + w,
              n,
              (k, s, sc, o) -> k.betweenInt32(i32, v, lo32, hi32, n, s, sc, o));
          checkSelect(
              d,
              "int64 between " + lo64 + " and " + hi64 + w,
              n,
              (k, s, sc, o) -> k.betweenInt64(i64, v, lo64, hi64, n, s, sc, o));
          checkSelect(
              d,
              "float64 between " + lof + " and " + hif + w,
              n,
              (k, s, sc, o) -> k.betweenFloat64(f64, v, lof, hif, n, s, sc, o));
          checkBitmap(
              d, "int32 between" + w, n, (k, o) -> k.betweenInt32Bitmap(i32, v, lo32, hi32, n, o));
          checkBitmap(
              d, "int64 between" + w, n, (k, o) -> k.betweenInt64Bitmap(i64, v, lo64, hi64, n, o));
          checkBitmap(
              d,
              "float64 between " + lof + " and " + hif + w,
              n,
              (k, o) -> k.betweenFloat64Bitmap(f64, v, lof, hif, n, o));
        }
      }
    }
  }

  @Test
  void in_smallAndLargeLists_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED + 3));
      int[] lengths = {0, 1, 3, CpuFilterKernels.SMALL_IN, CpuFilterKernels.SMALL_IN + 1, 40};
      for (int n : SIZES) {
        MemorySegment i32 = d.int32s(n);
        MemorySegment i64 = d.int64s(n);
        MemorySegment f64 = d.float64s(n);
        for (int len : lengths) {
          MemorySegment v = d.maybeValidity(n);
          int[] l32 = new int[len];
          long[] l64 = new long[len];
          double[] lf = new double[len];
          for (int t = 0; t < len; t++) {
            // wider than the data's domain, so long lists stay long after removing duplicates
            l32[t] = d.random().nextInt(4) == 0 ? d.int32() : d.random().nextInt(81) - 40;
            l64[t] = d.random().nextInt(4) == 0 ? d.int64() : d.random().nextInt(81) - 40;
            lf[t] = d.random().nextInt(4) == 0 ? d.float64() : (d.random().nextInt(81) - 40) / 2.0;
          }
          String w = " len=" + len + " nulls=" + (v != null);
          checkSelect(d, "int32 in" + w, n, (k, s, sc, o) -> k.inInt32(i32, v, l32, n, s, sc, o));
          checkSelect(d, "int64 in" + w, n, (k, s, sc, o) -> k.inInt64(i64, v, l64, n, s, sc, o));
          checkSelect(
              d, "float64 in" + w, n, (k, s, sc, o) -> k.inFloat64(f64, v, lf, n, s, sc, o));
          checkBitmap(d, "int32 in" + w, n, (k, o) -> k.inInt32Bitmap(i32, v, l32, n, o));
          checkBitmap(d, "int64 in" + w, n, (k, o) -> k.inInt64Bitmap(i64, v, l64, n, o));
          checkBitmap(d, "float64 in" + w, n, (k, o) -> k.inFloat64Bitmap(f64, v, lf, n, o));
        }
      }
    }
  }

  @Test
  void isNull_randomValidity_matchesReference() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED + 4));
      for (int n : SIZES) {
        for (int round = 0; round < 3; round++) {
          MemorySegment v = round == 0 ? null : d.validity(n, d.density());
          String w = " nulls=" + (v != null);
          checkSelect(d, "isNull" + w, n, (k, s, sc, o) -> k.isNull(v, n, s, sc, o));
          checkSelect(d, "isNotNull" + w, n, (k, s, sc, o) -> k.isNotNull(v, n, s, sc, o));
          checkBitmap(d, "isNull" + w, n, (k, o) -> k.isNullBitmap(v, n, o));
          checkBitmap(d, "isNotNull" + w, n, (k, o) -> k.isNotNullBitmap(v, n, o));
        }
      }
    }
  }

  @Test
  void selectionLogic_randomSelections_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED + 5));
      for (int n : SIZES) {
        for (int round = 0; round < 4; round++) {
          int[] ra = d.subset(n, d.density());
          int[] rb = d.subset(n, d.density());
          int[] rw = d.subset(n, d.density());
          MemorySegment a = d.ints(ra);
          MemorySegment b = d.ints(rb);
          MemorySegment within = d.ints(rw);
          String w = " |a|=" + ra.length + " |b|=" + rb.length + " |w|=" + rw.length;
          compareSelect(
              d,
              "and" + w,
              Math.min(ra.length, rb.length),
              null,
              0,
              (k, s, sc, o) -> k.andSelections(a, ra.length, b, rb.length, o));
          compareSelect(
              d,
              "or" + w,
              Math.min(n, ra.length + rb.length),
              null,
              0,
              (k, s, sc, o) -> k.orSelections(a, ra.length, b, rb.length, n, o));
          compareSelect(
              d,
              "not" + w,
              n,
              null,
              0,
              (k, s, sc, o) -> k.notSelection(a, ra.length, n, null, 0, o));
          compareSelect(
              d,
              "not within" + w,
              rw.length,
              null,
              0,
              (k, s, sc, o) -> k.notSelection(a, ra.length, n, within, rw.length, o));
        }
      }
    }
  }

  @Test
  void bitmapLogic_randomBitmaps_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED + 6));
      int[] sizes = {0, 1, 7, 8, 9, 63, 64, 65, 511, 512, 513, 520, 1000, 4099};
      for (int n : sizes) {
        MemorySegment a = d.bitmap(n, d.density());
        MemorySegment b = d.bitmap(n, d.density());
        checkBitmap(d, "and", n, (k, o) -> k.andBitmaps(a, b, n, o));
        checkBitmap(d, "or", n, (k, o) -> k.orBitmaps(a, b, n, o));
        checkBitmap(d, "andNot", n, (k, o) -> k.andNotBitmaps(a, b, n, o));
        checkBitmap(d, "not", n, (k, o) -> k.notBitmap(a, n, o));
        assertThat(CPU.countBits(a, n)).as(context("count n=" + n)).isEqualTo(REF.countBits(a, n));
      }
    }
  }

  @Test
  void compaction_randomBitmapsAndSelections_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED + 7));
      for (int n : SIZES) {
        for (int round = 0; round < 3; round++) {
          MemorySegment bitmap = d.bitmap(n, d.density());
          compareSelect(
              d,
              "bitmapToSelection",
              n,
              null,
              0,
              (k, s, sc, o) -> k.bitmapToSelection(bitmap, n, o));
          int[] rows = d.subset(n, d.density());
          MemorySegment sel = d.ints(rows);
          checkBitmap(
              d, "selectionToBitmap", n, (k, o) -> k.selectionToBitmap(sel, rows.length, n, o));
        }
      }
    }
  }

  @Test
  void gatherScatter_randomIndices_matchReference() {
    try (Arena arena = Arena.ofConfined()) {
      FilterTestData d = new FilterTestData(arena, new Random(FilterTestData.SEED + 8));
      for (int n : SIZES) {
        MemorySegment i32 = d.int32s(n);
        MemorySegment i64 = d.int64s(n);
        MemorySegment f64 = d.float64s(n);
        MemorySegment v = d.maybeValidity(n);
        int[] perm = d.permutation(n);
        int[] subset = d.subset(n, d.density());
        for (int[] idx : new int[][] {perm, subset}) {
          MemorySegment indices = d.ints(idx);
          int count = idx.length;
          String w = " count=" + count + " n=" + n + " nulls=" + (v != null);
          for (int width : new int[] {4, 8, 8}) {
            MemorySegment values = width == 4 ? i32 : (d.random().nextBoolean() ? i64 : f64);
            MemorySegment[] outs = new MemorySegment[4];
            int[] nulls = new int[2];
            for (int impl = 0; impl < 2; impl++) {
              FilterKernels k = impl == 0 ? CPU : REF;
              MemorySegment ov = d.garbage((long) width * count);
              MemorySegment ob = d.bitmapOut(count);
              nulls[impl] =
                  width == 4
                      ? k.gatherInt32(values, v, n, indices, count, ov, ob)
                      : values == i64
                          ? k.gatherInt64(values, v, n, indices, count, ov, ob)
                          : k.gatherFloat64(values, v, n, indices, count, ov, ob);
              outs[impl * 2] = ov;
              outs[impl * 2 + 1] = ob;
            }
            assertThat(bytes8(outs[0])).as(context("gather values" + w)).isEqualTo(bytes8(outs[2]));
            assertThat(bytes(outs[1], count))
                .as(context("gather validity" + w))
                .isEqualTo(bytes(outs[3], count));
            assertThat(nulls[0]).as(context("gather nulls" + w)).isEqualTo(nulls[1]);

            // scatter the gathered rows back into a copy of garbage-filled outputs
            MemorySegment gathered = outs[2];
            MemorySegment gatheredValid = outs[3];
            MemorySegment[] back = new MemorySegment[4];
            for (int impl = 0; impl < 2; impl++) {
              FilterKernels k = impl == 0 ? CPU : REF;
              MemorySegment ov = d.garbage((long) width * n);
              MemorySegment ob = d.bitmapOut(n);
              if (width == 4) {
                k.scatterInt32(gathered, gatheredValid, count, indices, n, ov, ob);
              } else if (values == i64) {
                k.scatterInt64(gathered, gatheredValid, count, indices, n, ov, ob);
              } else {
                k.scatterFloat64(gathered, gatheredValid, count, indices, n, ov, ob);
              }
              back[impl * 2] = ov;
              back[impl * 2 + 1] = ob;
            }
            assertThat(bytes8(back[0]))
                .as(context("scatter values" + w))
                .isEqualTo(bytes8(back[2]));
            assertThat(bytes(back[1], n))
                .as(context("scatter validity" + w))
                .isEqualTo(bytes(back[3], n));
          }
        }
      }
    }
  }

  private static byte[] bytes8(MemorySegment s) {
    return s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
  }
}
