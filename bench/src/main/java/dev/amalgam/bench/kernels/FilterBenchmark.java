package dev.amalgam.bench.kernels;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.CompareOp;
import dev.amalgam.kernels.FilterKernels;
import dev.amalgam.kernels.Validity;
import dev.amalgam.kernels.reference.ScalarFilterKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Filter kernels over columns larger than the caches: predicates to selection vectors and bitmaps,
 * selection logic, compaction and gather, for the Vector API implementation ({@code vector}) and
 * the scalar reference ({@code scalar}).
 *
 * <p>Data: int64 and float64 values uniform in [0, 10^6) and date32-like int32 in [0, 3650), so the
 * comparisons below keep about half the rows (unpredictable branches for a scalar loop); a validity
 * bitmap with 5% nulls where a method says "nulls". Each invocation processes {@code rows} rows
 * (or, for {@code andSelections}, {@code rows} input entries); {@link #BYTES_PER_ROW} gives the
 * bytes each method reads and writes per row. Run with {@code ./amalgam bench jmh FilterBenchmark}
 * (add {@code -p impl=vector} or {@code -p rows=1048576} to narrow it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FilterBenchmark {
  /**
   * Bytes read + written per row by each benchmark method, at the selectivities set up here
   * (selection outputs: 4 bytes per selected row; validity: 1/8 byte, rounded).
   */
  public static final Map<String, Integer> BYTES_PER_ROW =
      Map.ofEntries(
          Map.entry("compareInt64Select", 10), // 8 read + 4 * 0.5 written
          Map.entry("compareInt64SelectNulls", 10), // + 1/8 validity, 0.475 selected
          Map.entry("compareInt64Bitmap", 8), // 8 read + 1/8 written
          Map.entry("compareInt32Select", 6), // 4 read + 4 * 0.5 written
          Map.entry("compareFloat64Select", 10), // 8 read + 4 * 0.5 written
          Map.entry("betweenInt64Select", 9), // 8 read + 4 * 0.3 written
          Map.entry("inInt32Select", 4), // 4 read + 4 * 0.0014 written
          Map.entry("compareInt64WithSelection", 14), // 4 sel + 8 value read + 4 * 0.5 written
          Map.entry("bitmapToSelection", 2), // 1/8 read + 4 * 0.5 written
          Map.entry("andSelections", 5), // 4 read per entry + 4 * 0.25 written
          Map.entry("gatherInt64", 20)); // 4 index + 8 value read + 8 written

  /** Implementation: {@code vector} (FilterKernels.cpu()) or {@code scalar} (the reference). */
  @Param({"vector", "scalar"})
  public String impl;

  /** Rows per invocation; the default makes every column larger than the caches. */
  @Param({"4194304"})
  public int rows;

  private FilterKernels kernels;
  private Arena arena;
  private MemorySegment int64s;
  private MemorySegment int32s;
  private MemorySegment float64s;
  private MemorySegment validity;
  private MemorySegment wide; // 2 * rows int64 values
  private MemorySegment halfSelection; // rows entries of [0, 2 * rows)
  private int halfCount;
  private MemorySegment bitmap;
  private MemorySegment selA;
  private int selACount;
  private MemorySegment selB;
  private int selBCount;
  private MemorySegment permutation;
  private MemorySegment out;
  private MemorySegment outBitmap;
  private MemorySegment outValues;
  private final int[] dateList = {17, 400, 1234, 2000, 3001};

  /** Allocates and fills the columns. */
  @Setup(Level.Trial)
  @SuppressWarnings("MustBeClosedChecker") // closed in tearDown()
  public void setUp() {
    kernels = "scalar".equals(impl) ? new ScalarFilterKernels() : FilterKernels.cpu();
    arena = Arena.ofConfined();
    SplittableRandom random = new SplittableRandom(42);
    int64s = arena.allocate(8L * rows, 64);
    int32s = arena.allocate(4L * rows, 64);
    float64s = arena.allocate(8L * rows, 64);
    validity = arena.allocate(ArrowLayout.paddedBitmapBytes(rows), 64);
    bitmap = arena.allocate(ArrowLayout.paddedBitmapBytes(rows), 64);
    for (int i = 0; i < rows; i++) {
      int64s.setAtIndex(ArrowLayout.INT64, i, random.nextLong(1_000_000));
      int32s.setAtIndex(ArrowLayout.INT32, i, random.nextInt(3650));
      float64s.setAtIndex(ArrowLayout.FLOAT64, i, random.nextDouble() * 1_000_000);
      Validity.set(validity, i, random.nextInt(20) != 0);
      Validity.set(bitmap, i, random.nextBoolean());
    }
    wide = arena.allocate(16L * rows, 64);
    halfSelection = arena.allocate(8L * rows, 64);
    for (int i = 0; i < 2 * rows; i++) {
      wide.setAtIndex(ArrowLayout.INT64, i, random.nextLong(1_000_000));
    }
    for (int i = 0; i < rows; i++) { // one row of each pair: exactly rows entries, ascending
      halfSelection.setAtIndex(ArrowLayout.INT32, i, 2 * i + random.nextInt(2));
    }
    halfCount = rows;
    selA = arena.allocate(4L * rows, 64);
    selB = arena.allocate(4L * rows, 64);
    int a = 0;
    int b = 0;
    for (int i = 0; i < rows; i++) {
      if (random.nextBoolean()) {
        selA.setAtIndex(ArrowLayout.INT32, a++, i);
      }
      if (random.nextBoolean()) {
        selB.setAtIndex(ArrowLayout.INT32, b++, i);
      }
    }
    selACount = a;
    selBCount = b;
    permutation = arena.allocate(4L * rows, 64);
    for (int i = 0; i < rows; i++) {
      permutation.setAtIndex(ArrowLayout.INT32, i, i);
    }
    for (int i = rows - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = permutation.getAtIndex(ArrowLayout.INT32, i);
      permutation.setAtIndex(ArrowLayout.INT32, i, permutation.getAtIndex(ArrowLayout.INT32, j));
      permutation.setAtIndex(ArrowLayout.INT32, j, t);
    }
    out = arena.allocate(4L * rows, 64);
    outBitmap = arena.allocate(ArrowLayout.paddedBitmapBytes(rows), 64);
    outValues = arena.allocate(8L * rows, 64);
  }

  /** Frees the columns. */
  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /** int64 >= constant (half the rows), no nulls, no input selection: the scan target. */
  @Benchmark
  public int compareInt64Select() {
    return kernels.compareInt64(CompareOp.GE, int64s, null, 500_000, rows, null, 0, out);
  }

  /** The same with 5% nulls. */
  @Benchmark
  public int compareInt64SelectNulls() {
    return kernels.compareInt64(CompareOp.GE, int64s, validity, 500_000, rows, null, 0, out);
  }

  /** int64 >= constant into a bitmap. */
  @Benchmark
  public int compareInt64Bitmap() {
    return kernels.compareInt64Bitmap(CompareOp.GE, int64s, null, 500_000, rows, outBitmap);
  }

  /** date32 < constant (half the rows). */
  @Benchmark
  public int compareInt32Select() {
    return kernels.compareInt32(CompareOp.LT, int32s, null, 1825, rows, null, 0, out);
  }

  /** float64 > constant (half the rows). */
  @Benchmark
  public int compareFloat64Select() {
    return kernels.compareFloat64(CompareOp.GT, float64s, null, 500_000.0, rows, null, 0, out);
  }

  /** int64 BETWEEN (30% of the rows) with 5% nulls. */
  @Benchmark
  public int betweenInt64Select() {
    return kernels.betweenInt64(int64s, validity, 200_000, 499_999, rows, null, 0, out);
  }

  /** date32 IN (5 values). */
  @Benchmark
  public int inInt32Select() {
    return kernels.inInt32(int32s, null, dateList, rows, null, 0, out);
  }

  /** int64 >= constant over an input selection of rows entries (half of a 2 * rows column). */
  @Benchmark
  public int compareInt64WithSelection() {
    return kernels.compareInt64(
        CompareOp.GE, wide, null, 500_000, 2 * rows, halfSelection, halfCount, out);
  }

  /** A bitmap with half its bits set to a selection. */
  @Benchmark
  public int bitmapToSelection() {
    return kernels.bitmapToSelection(bitmap, rows, out);
  }

  /** Intersection of two random half-density selections of [0, rows) (rows entries in all). */
  @Benchmark
  public int andSelections() {
    return kernels.andSelections(selA, selACount, selB, selBCount, out);
  }

  /** int64 values and validity gathered by a random permutation. */
  @Benchmark
  public int gatherInt64() {
    return kernels.gatherInt64(int64s, validity, rows, permutation, rows, outValues, outBitmap);
  }
}
