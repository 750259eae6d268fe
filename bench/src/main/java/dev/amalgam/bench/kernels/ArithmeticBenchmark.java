package dev.amalgam.bench.kernels;

import dev.amalgam.kernels.AggregateKernels;
import dev.amalgam.kernels.ArithmeticKernels;
import dev.amalgam.kernels.ArithmeticOp;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.DatePart;
import dev.amalgam.kernels.DecimalType;
import dev.amalgam.kernels.Validity;
import dev.amalgam.kernels.reference.ScalarAggregateKernels;
import dev.amalgam.kernels.reference.ScalarArithmeticKernels;
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
 * Arithmetic, casts, dates, CASE select and ungrouped aggregates over {@code rows} rows (4 Mi by
 * default: 32 MiB per int64 column, larger than the caches), Vector API kernels ({@code vector})
 * next to the scalar references ({@code scalar}; their decimals use BigDecimal). One invocation
 * processes every row once; throughput is invocations per second, so rows/s = score * rows.
 *
 * <p>Data: int64 uniform in +-10^6, float64 in [0, 1000), 10% nulls where a method says "Nulls",
 * decimals as TPC-H prices (decimal(12,2) up to 100000.00) times discounts (decimal(4,2) up to
 * 0.10), dates from 1992 to 1998. Run with {@code ./amalgam bench jmh ArithmeticBenchmark} (add
 * {@code -p impl=vector} or {@code -p rows=65536} to narrow it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ArithmeticBenchmark {
  /** Bytes each method reads plus writes per row (validity bits ignored: at most 3/8 byte). */
  public static final Map<String, Integer> BYTES_PER_ROW =
      Map.ofEntries(
          Map.entry("addInt64", 24),
          Map.entry("addInt64Nulls", 24),
          Map.entry("multiplyInt64Constant", 16),
          Map.entry("divideInt64", 24),
          Map.entry("addFloat64", 24),
          Map.entry("multiplyDecimal", 24),
          Map.entry("castInt64ToFloat64", 16),
          Map.entry("extractYear", 8),
          Map.entry("selectInt64", 24),
          Map.entry("sumInt64", 8),
          Map.entry("sumInt64Nulls", 8),
          Map.entry("sumFloat64", 8),
          Map.entry("maxFloat64", 8));

  /** {@code vector}: the CPU kernels; {@code scalar}: the plain references. */
  @Param({"vector", "scalar"})
  public String impl;

  /** Rows per invocation. */
  @Param({"4194304"})
  public int rows;

  private ArithmeticKernels arith;
  private AggregateKernels agg;
  private Arena arena;
  private MemorySegment a;
  private MemorySegment b;
  private MemorySegment av;
  private MemorySegment bv;
  private MemorySegment fa;
  private MemorySegment fb;
  private MemorySegment price;
  private MemorySegment discount;
  private MemorySegment dates;
  private MemorySegment cond;
  private MemorySegment out;
  private MemorySegment outValidity;
  private static final DecimalType PRICE = DecimalType.of(12, 2);
  private static final DecimalType DISCOUNT = DecimalType.of(4, 2);

  /** Allocates and fills the columns. */
  @Setup(Level.Trial)
  @SuppressWarnings("MustBeClosedChecker") // closed in tearDown()
  public void setUp() {
    boolean vector =
        switch (impl) {
          case "vector" -> true;
          case "scalar" -> false;
          default ->
              throw new IllegalArgumentException("impl must be vector or scalar; was " + impl);
        };
    arith = vector ? ArithmeticKernels.cpu() : new ScalarArithmeticKernels();
    agg = vector ? AggregateKernels.cpu() : new ScalarAggregateKernels();
    arena = Arena.ofShared();
    SplittableRandom rnd = new SplittableRandom(42);
    a = arena.allocate(8L * rows, 64);
    b = arena.allocate(8L * rows, 64);
    fa = arena.allocate(8L * rows, 64);
    fb = arena.allocate(8L * rows, 64);
    price = arena.allocate(8L * rows, 64);
    discount = arena.allocate(8L * rows, 64);
    dates = arena.allocate(4L * rows, 64);
    out = arena.allocate(8L * rows, 64);
    long bitmap = ArrowLayout.paddedBitmapBytes(rows);
    av = arena.allocate(bitmap, 64);
    bv = arena.allocate(bitmap, 64);
    cond = arena.allocate(bitmap, 64);
    outValidity = arena.allocate(bitmap, 64);
    for (int i = 0; i < rows; i++) {
      a.setAtIndex(ArrowLayout.INT64, i, rnd.nextLong(-1_000_000, 1_000_001));
      long d = rnd.nextLong(-1_000_000, 1_000_001);
      b.setAtIndex(ArrowLayout.INT64, i, d == 0 ? 1 : d);
      fa.setAtIndex(ArrowLayout.FLOAT64, i, rnd.nextDouble(1000));
      fb.setAtIndex(ArrowLayout.FLOAT64, i, rnd.nextDouble(1000));
      price.setAtIndex(ArrowLayout.INT64, i, rnd.nextLong(100, 10_000_001));
      discount.setAtIndex(ArrowLayout.INT64, i, rnd.nextLong(0, 11));
      dates.setAtIndex(ArrowLayout.INT32, i, rnd.nextInt(8035, 10_591)); // 1992-01-01..1998-12-31
      Validity.set(av, i, rnd.nextInt(10) != 0);
      Validity.set(bv, i, rnd.nextInt(10) != 0);
      Validity.set(cond, i, rnd.nextBoolean());
    }
  }

  /** Frees the columns. */
  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /** int64 a + b, no nulls (checked overflow). */
  @Benchmark
  public MemorySegment addInt64() {
    arith.int64(ArithmeticOp.ADD, a, null, b, null, null, rows, out, null);
    return out;
  }

  /** int64 a + b with 10% nulls in each input. */
  @Benchmark
  public MemorySegment addInt64Nulls() {
    arith.int64(ArithmeticOp.ADD, a, av, b, bv, null, rows, out, outValidity);
    return out;
  }

  /** int64 a * 1000 (checked overflow). */
  @Benchmark
  public MemorySegment multiplyInt64Constant() {
    arith.int64(ArithmeticOp.MULTIPLY, a, null, 1000L, null, rows, out, null);
    return out;
  }

  /** int64 a / b. */
  @Benchmark
  public MemorySegment divideInt64() {
    arith.int64(ArithmeticOp.DIVIDE, a, null, b, null, null, rows, out, null);
    return out;
  }

  /** float64 a + b. */
  @Benchmark
  public MemorySegment addFloat64() {
    arith.float64(ArithmeticOp.ADD, fa, null, fb, null, null, rows, out, null);
    return out;
  }

  /** decimal(12,2) price * decimal(4,2) discount (checked against decimal(16,4)). */
  @Benchmark
  public MemorySegment multiplyDecimal() {
    arith.decimal(
        ArithmeticOp.MULTIPLY, PRICE, price, null, DISCOUNT, discount, null, null, rows, out, null);
    return out;
  }

  /** int64 to float64. */
  @Benchmark
  public MemorySegment castInt64ToFloat64() {
    arith.int64ToFloat64(a, null, null, rows, out, null);
    return out;
  }

  /** EXTRACT(YEAR FROM date32). */
  @Benchmark
  public MemorySegment extractYear() {
    arith.extract(DatePart.YEAR, dates, null, null, rows, out, null);
    return out;
  }

  /** CASE WHEN cond THEN a ELSE b END over int64 with 10% nulls in a and b. */
  @Benchmark
  public MemorySegment selectInt64() {
    arith.selectInt64(cond, null, a, av, b, bv, null, rows, out, outValidity);
    return out;
  }

  /** SUM(int64), exact. */
  @Benchmark
  public AggregateKernels.LongResult sumInt64() {
    return agg.sumInt64(a, null, null, rows);
  }

  /** SUM(int64) with 10% nulls. */
  @Benchmark
  public AggregateKernels.LongResult sumInt64Nulls() {
    return agg.sumInt64(a, av, null, rows);
  }

  /** SUM(float64). */
  @Benchmark
  public AggregateKernels.DoubleResult sumFloat64() {
    return agg.sumFloat64(fa, null, null, rows);
  }

  /** MAX(float64). */
  @Benchmark
  public AggregateKernels.DoubleResult maxFloat64() {
    return agg.maxFloat64(fa, null, null, rows);
  }
}
