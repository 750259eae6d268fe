package dev.amalgam.bench.kernels;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.GroupByHashTable;
import dev.amalgam.kernels.GroupByHashTable.Agg;
import dev.amalgam.kernels.GroupByHashTable.ValueColumn;
import dev.amalgam.kernels.GroupByHashTable.ValueType;
import dev.amalgam.kernels.HashKernels;
import dev.amalgam.kernels.JoinHashTable;
import dev.amalgam.kernels.KeyColumn;
import dev.amalgam.kernels.KeyType;
import dev.amalgam.kernels.Validity;
import dev.amalgam.kernels.reference.ScalarGroupByHashTable;
import dev.amalgam.kernels.reference.ScalarHashKernels;
import dev.amalgam.kernels.reference.ScalarJoinHashTable;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * Hashing and hash tables over {@code rows} rows (4M: larger than the caches), the CPU kernels
 * ({@code impl=vector}) next to their scalar references ({@code impl=scalar}: row-at-a-time hashing
 * and the {@link java.util.HashMap}-based tables).
 *
 * <p>{@code hashInt64}: hash an int64 column. {@code hashUtf8}: hash a utf8 column (8 to 24 bytes
 * per string). {@code groupBy1000}: {@code SELECT k, SUM(v), COUNT(*) GROUP BY k} with 1,000
 * distinct random int64 keys and 1% null values, into a fresh table per invocation. {@code
 * joinProbeUnique}: probe 4M int64 keys (about half of them hit) against 1M unique build keys.
 * Throughput is invocations per second; multiply by {@code rows} for rows/s. Run with {@code
 * ./amalgam bench jmh HashBenchmark} (add {@code -p impl=vector} for the CPU kernels only).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HashBenchmark {
  /** Bytes read plus written per row, per benchmark method. */
  public static final Map<String, Integer> BYTES_PER_ROW =
      Map.of("hashInt64", 16, "hashUtf8", 28, "groupBy1000", 16, "joinProbeUnique", 14);

  private static final int GROUPS = 1000;
  private static final int BUILD_ROWS = 1 << 20;

  /** {@code vector}: the CPU kernels; {@code scalar}: the references. */
  @Param({"vector", "scalar"})
  public String impl;

  /** Rows per invocation. */
  @Param({"4194304"})
  public int rows;

  private Arena arena;
  private MemoryPool pool;
  private MemoryConsumer consumer;
  private HashKernels hash;
  private MemorySegment longs;
  private MemorySegment offsets;
  private MemorySegment data;
  private MemorySegment out;
  private MemorySegment keys;
  private MemorySegment values;
  private MemorySegment valuesValidity;
  private MemorySegment probeKeys;
  private MemorySegment probeRows;
  private MemorySegment buildRows;
  private JoinHashTable join;

  /** Generates the data and builds the join table. */
  @Setup(Level.Trial)
  @SuppressWarnings("MustBeClosedChecker") // closed in tearDown()
  public void setUp() {
    arena = Arena.ofShared();
    pool = MemoryPool.create("hash-bench", 8L << 30);
    consumer = pool.consumer("hash-bench");
    boolean vector = impl.equals("vector");
    hash = vector ? HashKernels.cpu() : new ScalarHashKernels();
    SplittableRandom rnd = new SplittableRandom(42);
    long n = rows;
    longs = arena.allocate(8 * n, 64);
    out = arena.allocate(8 * n, 64);
    for (long i = 0; i < n; i++) {
      longs.setAtIndex(ArrowLayout.INT64, i, rnd.nextLong());
    }
    offsets = arena.allocate(4 * (n + 1), 64);
    data = arena.allocate(24 * n, 64);
    int at = 0;
    for (long i = 0; i < n; i++) {
      int len = 8 + rnd.nextInt(17);
      for (int b = 0; b < len; b++) {
        data.set(ValueLayout.JAVA_BYTE, at + b, (byte) ('a' + rnd.nextInt(26)));
      }
      at += len;
      offsets.setAtIndex(ArrowLayout.INT32, i + 1, at);
    }
    long[] domain = new long[GROUPS];
    for (int g = 0; g < GROUPS; g++) {
      domain[g] = rnd.nextLong();
    }
    keys = arena.allocate(8 * n, 64);
    values = arena.allocate(8 * n, 64);
    valuesValidity = arena.allocate(ArrowLayout.paddedBitmapBytes(n), 64);
    for (long i = 0; i < n; i++) {
      keys.setAtIndex(ArrowLayout.INT64, i, domain[rnd.nextInt(GROUPS)]);
      values.setAtIndex(ArrowLayout.INT64, i, rnd.nextInt(1_000_000));
      Validity.set(valuesValidity, i, rnd.nextInt(100) != 0);
    }
    MemorySegment build = arena.allocate(8L * BUILD_ROWS, 64);
    for (long i = 0; i < BUILD_ROWS; i++) {
      build.setAtIndex(ArrowLayout.INT64, i, i * 2);
    }
    probeKeys = arena.allocate(8 * n, 64);
    for (long i = 0; i < n; i++) {
      probeKeys.setAtIndex(ArrowLayout.INT64, i, rnd.nextLong(4L * BUILD_ROWS));
    }
    probeRows = arena.allocate(4 * n, 64);
    buildRows = arena.allocate(8 * n, 64);
    join =
        vector
            ? JoinHashTable.builder()
                .keys(KeyType.INT64)
                .initialCapacity(BUILD_ROWS)
                .consumer(consumer)
                .build()
            : new ScalarJoinHashTable(List.of(KeyType.INT64));
    join.add(List.of(KeyColumn.int64(build, null)), BUILD_ROWS, null, 0);
  }

  /** Frees everything. */
  @TearDown(Level.Trial)
  public void tearDown() {
    join.close();
    consumer.close();
    pool.close();
    arena.close();
  }

  /** Hashes an int64 column. */
  @Benchmark
  public long hashInt64() {
    hash.hashInt64(longs, null, rows, null, out);
    return out.getAtIndex(ArrowLayout.INT64, rows - 1);
  }

  /** Hashes a utf8 column. */
  @Benchmark
  public long hashUtf8() {
    hash.hashUtf8(offsets, data, null, rows, null, out);
    return out.getAtIndex(ArrowLayout.INT64, rows - 1);
  }

  /** SUM(v), COUNT(*) GROUP BY k over 1,000 groups, into a fresh table. */
  @Benchmark
  public long groupBy1000() {
    try (GroupByHashTable table =
        impl.equals("vector")
            ? GroupByHashTable.builder()
                .keys(KeyType.INT64)
                .aggregates(Agg.sum(0, ValueType.INT64), Agg.countStar())
                .consumer(consumer)
                .build()
            : new ScalarGroupByHashTable(
                List.of(KeyType.INT64), List.of(Agg.sum(0, ValueType.INT64), Agg.countStar()))) {
      table.add(
          List.of(KeyColumn.int64(keys, null)),
          List.of(ValueColumn.int64(values, valuesValidity)),
          rows,
          null);
      return table.groupCount() + table.resultLong(0, 0) + table.resultLong(0, 1);
    }
  }

  /** Probes unique build keys; about half of the probe rows match. */
  @Benchmark
  public int joinProbeUnique() {
    return join.probeUnique(
        List.of(KeyColumn.int64(probeKeys, null)), rows, null, probeRows, buildRows);
  }
}
