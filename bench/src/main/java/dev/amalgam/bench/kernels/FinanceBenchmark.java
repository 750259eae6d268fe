package dev.amalgam.bench.kernels;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.FinanceKernels;
import dev.amalgam.kernels.FinanceKernels.GreekColumns;
import dev.amalgam.kernels.FinanceKernels.OptionColumns;
import dev.amalgam.kernels.Validity;
import dev.amalgam.kernels.reference.ScalarFinanceKernels;
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
 * Finance kernels on one thread, each invocation over {@code rows} rows: the normal CDF and its
 * inverse, Black-Scholes price only and price with all five Greeks (a book of calls and puts: spot
 * lognormal around 100, strikes 50%-150%, expiries 1 week to 3 years, vols 5%-80%, rates 0-8%, 1%
 * null rows), Philox4x32-10 uniforms and normals, and a correlated GBM step of 8 underlyings
 * ({@code rows} prices = rows / 8 scenarios). One op = {@code rows} rows, so rows/s = ops/s x rows.
 * The target is Black-Scholes >= 50 M options/s per core.
 *
 * <p>Run with {@code ./amalgam bench jmh FinanceBenchmark} (add {@code -p impl=vector} for the
 * Vector API kernels only).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FinanceBenchmark {
  /** Bytes read plus written per row by each benchmark (float64 in and out, bitmaps rounded). */
  public static final Map<String, Integer> BYTES_PER_ROW =
      Map.of(
          "normCdf", 16,
          "normInvCdf", 16,
          "blackScholesPrice", 48,
          "blackScholesGreeks", 88,
          "uniforms", 8,
          "normals", 8,
          "gbmStep", 16);

  private static final int UNDERLYINGS = 8;

  /** vector = {@link FinanceKernels#cpu()}, scalar = {@link ScalarFinanceKernels}. */
  @Param({"vector", "scalar"})
  public String impl;

  /** Rows per invocation (options, values, or prices). */
  @Param({"1048576"})
  public int rows;

  private Arena arena;
  private FinanceKernels kernels;
  private MemorySegment x;
  private MemorySegment p;
  private MemorySegment validity;
  private OptionColumns options;
  private GreekColumns price;
  private GreekColumns greeks;
  private MemorySegment priceOut;
  private MemorySegment rhoOut;
  private MemorySegment out;
  private MemorySegment prices;
  private MemorySegment drift;
  private MemorySegment vol;
  private MemorySegment cholesky;
  private long step;

  /** Allocates and fills the inputs. */
  @Setup(Level.Trial)
  @SuppressWarnings("MustBeClosedChecker") // closed in tearDown()
  public void setUp() {
    kernels = "vector".equals(impl) ? FinanceKernels.cpu() : new ScalarFinanceKernels();
    arena = Arena.ofShared();
    SplittableRandom rnd = new SplittableRandom(42);
    x = column(rows);
    p = column(rows);
    MemorySegment spot = column(rows);
    MemorySegment strike = column(rows);
    MemorySegment expiry = column(rows);
    MemorySegment sigma = column(rows);
    MemorySegment rate = column(rows);
    validity = arena.allocate(ArrowLayout.paddedBitmapBytes(rows), 64);
    MemorySegment isCall = arena.allocate(ArrowLayout.paddedBitmapBytes(rows), 64);
    for (int i = 0; i < rows; i++) {
      double g = gaussian(rnd);
      x.setAtIndex(ArrowLayout.FLOAT64, i, 2 * g);
      p.setAtIndex(ArrowLayout.FLOAT64, i, rnd.nextDouble());
      spot.setAtIndex(ArrowLayout.FLOAT64, i, 100 * Math.exp(0.25 * g));
      strike.setAtIndex(ArrowLayout.FLOAT64, i, 50 + 100 * rnd.nextDouble());
      expiry.setAtIndex(ArrowLayout.FLOAT64, i, 1.0 / 52 + 3 * rnd.nextDouble());
      sigma.setAtIndex(ArrowLayout.FLOAT64, i, 0.05 + 0.75 * rnd.nextDouble());
      rate.setAtIndex(ArrowLayout.FLOAT64, i, 0.08 * rnd.nextDouble());
      Validity.set(validity, i, rnd.nextInt(100) != 0);
      Validity.set(isCall, i, rnd.nextBoolean());
    }
    options = OptionColumns.of(spot, strike, expiry, sigma, rate, isCall);
    priceOut = column(rows);
    rhoOut = column(rows);
    price = GreekColumns.priceOnly(priceOut);
    greeks =
        GreekColumns.all(
            column(rows), column(rows), column(rows), column(rows), column(rows), rhoOut);
    out = column(rows);
    prices = column(rows);
    for (int i = 0; i < rows; i++) {
      prices.setAtIndex(ArrowLayout.FLOAT64, i, 100.0);
    }
    drift = column(UNDERLYINGS);
    vol = column(UNDERLYINGS);
    MemorySegment cov = column(UNDERLYINGS * UNDERLYINGS);
    for (int i = 0; i < UNDERLYINGS; i++) {
      drift.setAtIndex(ArrowLayout.FLOAT64, i, 0.05);
      vol.setAtIndex(ArrowLayout.FLOAT64, i, 0.1 + 0.05 * i);
      for (int j = 0; j < UNDERLYINGS; j++) {
        cov.setAtIndex(ArrowLayout.FLOAT64, i * UNDERLYINGS + j, i == j ? 1.0 : 0.5);
      }
    }
    cholesky = column(UNDERLYINGS * UNDERLYINGS);
    FinanceKernels.cpu().cholesky(cov, UNDERLYINGS, cholesky);
  }

  /** Frees the inputs. */
  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /** Phi(x) for 2 N(0, 1) inputs, 1% nulls. */
  @Benchmark
  public double normCdf() {
    kernels.normCdf(x, validity, rows, null, out);
    return out.getAtIndex(ArrowLayout.FLOAT64, rows - 1);
  }

  /** Phi^-1(p) for uniform p, 1% nulls. */
  @Benchmark
  public double normInvCdf() {
    kernels.normInvCdf(p, validity, rows, null, out);
    return out.getAtIndex(ArrowLayout.FLOAT64, rows - 1);
  }

  /** Black-Scholes price of calls and puts, 1% nulls. */
  @Benchmark
  public double blackScholesPrice() {
    kernels.blackScholes(options, validity, rows, null, price);
    return priceOut.getAtIndex(ArrowLayout.FLOAT64, rows - 1);
  }

  /** Black-Scholes price, delta, gamma, vega, theta and rho, 1% nulls. */
  @Benchmark
  public double blackScholesGreeks() {
    kernels.blackScholes(options, validity, rows, null, greeks);
    return rhoOut.getAtIndex(ArrowLayout.FLOAT64, rows - 1);
  }

  /** Philox4x32-10 uniforms in (0, 1). */
  @Benchmark
  public double uniforms() {
    kernels.uniforms(42, step++, 0, out, rows);
    return out.getAtIndex(ArrowLayout.FLOAT64, rows - 1);
  }

  /** Philox4x32-10 standard normals (AS241 inverse CDF). */
  @Benchmark
  public double normals() {
    kernels.normals(42, step++, 0, out, rows);
    return out.getAtIndex(ArrowLayout.FLOAT64, rows - 1);
  }

  /** One correlated GBM step of rows / 8 scenarios x 8 underlyings. */
  @Benchmark
  public double gbmStep() {
    kernels.gbmStep(
        prices, rows / UNDERLYINGS, UNDERLYINGS, drift, vol, 1.0 / 252, cholesky, 42, step++, 0);
    return prices.getAtIndex(ArrowLayout.FLOAT64, rows - 1);
  }

  private MemorySegment column(int n) {
    return arena.allocate(8L * n, 64);
  }

  private static double gaussian(SplittableRandom rnd) {
    return Math.sqrt(-2 * Math.log1p(-rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }
}
