package dev.amalgam.bench.kernels;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.SortKernels;
import dev.amalgam.kernels.SortKernels.KeyType;
import dev.amalgam.kernels.SortKernels.SortColumn;
import dev.amalgam.kernels.SortKernels.SortKey;
import dev.amalgam.kernels.Validity;
import dev.amalgam.kernels.reference.ScalarSortKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
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
 * Sort kernels on {@code rows} rows, the CPU kernels ({@code vector}) next to the scalar reference
 * (a boxed comparator sort).
 *
 * <p>{@code sortInt64}: stable sort of one int64 key, uniformly random over the full 64-bit range
 * (every bit varies, no nulls) into a permutation. {@code sortInt32Float64}: {@code ORDER BY a ASC,
 * b DESC} with {@code a} int32 in [0, 10000) (many duplicates) and {@code b} float64 prices with 1%
 * nulls (NULLS FIRST). {@code topN100}: the first 100 rows of {@code ORDER BY x DESC} over the
 * int64 column. Each invocation processes all {@code rows} rows; rows/s = ops/s * rows. Run with
 * {@code ./amalgam bench jmh SortBenchmark} (add {@code -p impl=vector} to skip the slow
 * reference).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SortBenchmark {
  /** Bytes each benchmark reads and writes per row (keys and validity in, permutation out). */
  public static final Map<String, Integer> BYTES_PER_ROW =
      Map.of("sortInt64", 8 + 4, "sortInt32Float64", 4 + 8 + 4, "topN100", 8);

  /** {@code vector} = {@link SortKernels#cpu()}, {@code scalar} = the reference. */
  @Param({"vector", "scalar"})
  public String impl;

  /** Rows per invocation. */
  @Param({"4194304"})
  public int rows;

  private SortKernels kernels;
  private Arena arena;
  private List<SortColumn> int64Asc;
  private List<SortColumn> int64Desc;
  private List<SortColumn> twoColumns;
  private MemorySegment perm;
  private MemorySegment top;
  private MemorySegment scratch;
  private MemorySegment topScratch;

  /** Generates the columns and allocates outputs and scratch. */
  @Setup(Level.Trial)
  @SuppressWarnings("MustBeClosedChecker") // closed in tearDown()
  public void setUp() {
    kernels = "scalar".equals(impl) ? new ScalarSortKernels() : SortKernels.cpu();
    arena = Arena.ofShared();
    SplittableRandom rnd = new SplittableRandom(42);
    MemorySegment longs = arena.allocate(8L * rows, 64);
    MemorySegment ints = arena.allocate(4L * rows, 64);
    MemorySegment doubles = arena.allocate(8L * rows, 64);
    MemorySegment validity = arena.allocate(ArrowLayout.paddedBitmapBytes(rows), 64);
    for (int i = 0; i < rows; i++) {
      longs.setAtIndex(ArrowLayout.INT64, i, rnd.nextLong());
      ints.setAtIndex(ArrowLayout.INT32, i, rnd.nextInt(10_000));
      doubles.setAtIndex(ArrowLayout.FLOAT64, i, Math.round(rnd.nextDouble(1, 1000) * 100) / 100.0);
      Validity.set(validity, i, rnd.nextInt(100) != 0);
    }
    int64Asc = List.of(SortColumn.fixed(SortKey.asc(KeyType.INT64), longs, null));
    int64Desc = List.of(SortColumn.fixed(SortKey.desc(KeyType.INT64), longs, null));
    twoColumns =
        List.of(
            SortColumn.fixed(SortKey.asc(KeyType.INT32), ints, null),
            SortColumn.fixed(SortKey.desc(KeyType.FLOAT64), doubles, validity));
    perm = arena.allocate(4L * rows, 64);
    top = arena.allocate(4L * 100, 64);
    long need =
        Math.max(
            kernels.sortScratchBytes(List.of(int64Asc.get(0).key()), rows),
            kernels.sortScratchBytes(twoColumns.stream().map(SortColumn::key).toList(), rows));
    scratch = arena.allocate(Math.max(1, need), 64);
    topScratch =
        arena.allocate(
            Math.max(1, kernels.topNScratchBytes(List.of(int64Desc.get(0).key()), rows, 100)), 64);
  }

  /** Frees the data. */
  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /** Stable sort of one int64 key. */
  @Benchmark
  public int sortInt64() {
    kernels.sort(int64Asc, rows, null, perm, scratch);
    return perm.getAtIndex(ArrowLayout.INT32, 0) + perm.getAtIndex(ArrowLayout.INT32, rows - 1);
  }

  /** Stable sort by (int32 ASC, float64 DESC NULLS FIRST). */
  @Benchmark
  public int sortInt32Float64() {
    kernels.sort(twoColumns, rows, null, perm, scratch);
    return perm.getAtIndex(ArrowLayout.INT32, 0) + perm.getAtIndex(ArrowLayout.INT32, rows - 1);
  }

  /** The first 100 rows by int64 DESC. */
  @Benchmark
  public int topN100() {
    int k = kernels.topN(int64Desc, rows, null, 100, top, topScratch);
    return top.getAtIndex(ArrowLayout.INT32, 0) + top.getAtIndex(ArrowLayout.INT32, k - 1);
  }
}
