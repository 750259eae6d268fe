package dev.amalgam.kernels;

import static dev.amalgam.kernels.ArrowLayout.FLOAT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.kernels.FinanceKernels.GreekColumns;
import dev.amalgam.kernels.FinanceKernels.OptionColumns;
import dev.amalgam.kernels.reference.ScalarFinanceKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.DoubleVector;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Differential tests of {@link FinanceKernels#cpu()} against {@link ScalarFinanceKernels}: random
 * inputs with nulls and special values, sizes across vector and block boundaries, with and without
 * selections. Run with {@code -Damalgam.test.seed=N} to repeat a failing seed.
 */
final class FinanceKernelsTest {
  private static final int LANES = DoubleVector.SPECIES_PREFERRED.length();
  private static final int[] SIZES = {
    0, 1, LANES - 1, LANES, LANES + 1, 2 * LANES + 3, 255, 256, 257, 1000, 4099
  };
  private static final long SEED = Long.getLong("amalgam.test.seed", System.nanoTime());

  private final FinanceKernels cpu = FinanceKernels.cpu();
  private final FinanceKernels ref = new ScalarFinanceKernels();

  // ------------------------------------------------------------------ normal distribution

  @Test
  void normCdf_randomInputsAllSizes_matchesReferenceAndScalarDefinition() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int n : SIZES) {
      for (boolean nulls : new boolean[] {false, true}) {
        for (boolean selected : new boolean[] {false, true}) {
          try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = column(arena, n, i -> cdfInput(rnd));
            MemorySegment valid = nulls ? validity(arena, n, rnd) : null;
            Sel sel = selected ? selection(arena, n, rnd) : Sel.all(n);
            MemorySegment got = filled(arena, n, -7.0);
            MemorySegment want = filled(arena, n, -7.0);
            cpu.normCdf(x, valid, sel.count, sel.seg, got);
            ref.normCdf(x, valid, sel.count, sel.seg, want);
            for (int i = 0; i < n; i++) {
              double xi = x.getAtIndex(FLOAT64, i);
              double g = got.getAtIndex(FLOAT64, i);
              double w = want.getAtIndex(FLOAT64, i);
              String where = where(n, i, "x=" + xi);
              if (!sel.contains(i)) {
                assertThat(g).as(where + " (not selected: untouched)").isEqualTo(-7.0);
              } else if (!Validity.isValid(valid, i)) {
                assertThat(g).as(where + " (null)").isEqualTo(0.0);
              } else {
                assertThat(bits(g)).as(where).isEqualTo(bits(FinanceMath.normCdf(xi)));
                assertClose(g, w, 1e-15 * (4 + Math.min(xi * xi, 1600)), 1e-300, where);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void normInvCdf_randomInputsAllSizes_matchesReferenceAndScalarDefinition() {
    SplittableRandom rnd = new SplittableRandom(SEED + 1);
    for (int n : SIZES) {
      for (boolean nulls : new boolean[] {false, true}) {
        for (boolean selected : new boolean[] {false, true}) {
          try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = column(arena, n, i -> probability(rnd));
            MemorySegment valid = nulls ? validity(arena, n, rnd) : null;
            Sel sel = selected ? selection(arena, n, rnd) : Sel.all(n);
            MemorySegment got = filled(arena, n, -7.0);
            MemorySegment want = filled(arena, n, -7.0);
            cpu.normInvCdf(p, valid, sel.count, sel.seg, got);
            ref.normInvCdf(p, valid, sel.count, sel.seg, want);
            for (int i = 0; i < n; i++) {
              double pi = p.getAtIndex(FLOAT64, i);
              double g = got.getAtIndex(FLOAT64, i);
              String where = where(n, i, "p=" + pi);
              if (!sel.contains(i)) {
                assertThat(g).as(where + " (not selected: untouched)").isEqualTo(-7.0);
              } else if (!Validity.isValid(valid, i)) {
                assertThat(g).as(where + " (null)").isEqualTo(0.0);
              } else {
                assertThat(bits(g)).as(where).isEqualTo(bits(FinanceMath.normInvCdf(pi)));
                assertClose(g, want.getAtIndex(FLOAT64, i), 4e-15, 0.0, where);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void normCdf_rowInVectorOrTail_sameBits() {
    SplittableRandom rnd = new SplittableRandom(SEED + 2);
    int n = 1000;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment x = column(arena, n, i -> cdfInput(rnd));
      MemorySegment p = column(arena, n, i -> probability(rnd));
      MemorySegment all = arena.allocate(8L * n);
      MemorySegment allInv = arena.allocate(8L * n);
      cpu.normCdf(x, null, n, null, all);
      cpu.normInvCdf(p, null, n, null, allInv);
      MemorySegment one = arena.allocate(8);
      for (int i = 0; i < n; i += 7) {
        cpu.normCdf(x.asSlice(8L * i), null, 1, null, one);
        assertThat(bits(one.getAtIndex(FLOAT64, 0)))
            .as(where(n, i, "cdf"))
            .isEqualTo(bits(all.getAtIndex(FLOAT64, i)));
        cpu.normInvCdf(p.asSlice(8L * i), null, 1, null, one);
        assertThat(bits(one.getAtIndex(FLOAT64, 0)))
            .as(where(n, i, "inverse cdf"))
            .isEqualTo(bits(allInv.getAtIndex(FLOAT64, i)));
      }
    }
  }

  // ------------------------------------------------------------------ Black-Scholes

  @Test
  void blackScholes_randomOptionsAllSizes_matchesReference() {
    SplittableRandom rnd = new SplittableRandom(SEED + 3);
    for (int n : SIZES) {
      for (int variant = 0; variant < 4; variant++) {
        boolean nulls = (variant & 1) != 0;
        boolean selected = (variant & 2) != 0;
        try (Arena arena = Arena.ofConfined()) {
          Options o = options(arena, n, rnd, variant != 0, variant == 3);
          MemorySegment valid = nulls ? validity(arena, n, rnd) : null;
          Sel sel = selected ? selection(arena, n, rnd) : Sel.all(n);
          MemorySegment[] got = new MemorySegment[6];
          MemorySegment[] want = new MemorySegment[6];
          for (int m = 0; m < 6; m++) {
            got[m] = filled(arena, n, -7.0);
            want[m] = filled(arena, n, -7.0);
          }
          cpu.blackScholes(o.columns, valid, sel.count, sel.seg, greeks(got));
          ref.blackScholes(o.columns, valid, sel.count, sel.seg, greeks(want));
          double[] res = new double[6];
          for (int i = 0; i < n; i++) {
            double s = o.columns.spot().getAtIndex(FLOAT64, i);
            double k = o.columns.strike().getAtIndex(FLOAT64, i);
            String where = where(n, i, o.describe(i));
            boolean call =
                o.columns.isCall() == null
                    ? o.columns.allCalls()
                    : Validity.isValid(o.columns.isCall(), i);
            CpuFinanceKernels.bsRow(
                s,
                k,
                o.columns.expiry().getAtIndex(FLOAT64, i),
                o.columns.vol().getAtIndex(FLOAT64, i),
                o.columns.rate().getAtIndex(FLOAT64, i),
                o.columns.dividend() == null ? 0.0 : o.columns.dividend().getAtIndex(FLOAT64, i),
                o.columns.dividend() != null,
                call ? 1.0 : -1.0,
                res);
            for (int m = 0; m < 6; m++) {
              double g = got[m].getAtIndex(FLOAT64, i);
              double w = want[m].getAtIndex(FLOAT64, i);
              String what = where + " " + MEASURES[m];
              if (!sel.contains(i)) {
                assertThat(g).as(what + " (not selected: untouched)").isEqualTo(-7.0);
              } else if (!Validity.isValid(valid, i)) {
                assertThat(g).as(what + " (null)").isEqualTo(0.0);
              } else {
                assertThat(bits(g)).as(what + " vs scalar twin").isEqualTo(bits(res[m]));
                double scale = Double.isFinite(s + k) ? 1 + s + k : 1;
                assertClose(g, w, 1e-12, 1e-13 * scale, what);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void blackScholes_priceOnlyAndSubsets_equalAllGreeksRun() {
    SplittableRandom rnd = new SplittableRandom(SEED + 4);
    int n = 777;
    try (Arena arena = Arena.ofConfined()) {
      Options o = options(arena, n, rnd, true, true);
      MemorySegment[] all = new MemorySegment[6];
      for (int m = 0; m < 6; m++) {
        all[m] = arena.allocate(8L * n);
      }
      cpu.blackScholes(o.columns, null, n, null, greeks(all));
      for (int m = 0; m < 6; m++) {
        MemorySegment only = arena.allocate(8L * n);
        MemorySegment[] outs = new MemorySegment[6];
        outs[m] = only;
        cpu.blackScholes(
            o.columns,
            null,
            n,
            null,
            new GreekColumns(outs[0], outs[1], outs[2], outs[3], outs[4], outs[5]));
        assertThat(only.toArray(ValueLayout.JAVA_LONG))
            .as("%s alone, seed %d", MEASURES[m], SEED)
            .isEqualTo(all[m].toArray(ValueLayout.JAVA_LONG));
      }
    }
  }

  // ------------------------------------------------------------------ random streams

  @Test
  void uniformsAndNormals_anyOffsetAndSize_bitIdenticalToReference() {
    SplittableRandom rnd = new SplittableRandom(SEED + 5);
    for (int n : SIZES) {
      for (long first : new long[] {0, 1, 2, 3, 1L << 40, -3L, rnd.nextLong()}) {
        long seed = rnd.nextLong();
        long stream = rnd.nextLong();
        try (Arena arena = Arena.ofConfined()) {
          MemorySegment got = arena.allocate(8L * n + 8);
          MemorySegment want = arena.allocate(8L * n + 8);
          cpu.uniforms(seed, stream, first, got, n);
          ref.uniforms(seed, stream, first, want, n);
          assertSameBits(got, want, n, "uniforms first=" + first);
          cpu.normals(seed, stream, first, got, n);
          ref.normals(seed, stream, first, want, n);
          assertSameBits(got, want, n, "normals first=" + first);
        }
      }
    }
  }

  @Test
  void normals_splitAtAnyPoint_sameStream() {
    int n = 1000;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment whole = arena.allocate(8L * n);
      cpu.normals(SEED, 9, 100, whole, n);
      for (int cut : new int[] {1, 7, LANES, 2 * LANES + 1, 333, 999}) {
        MemorySegment parts = arena.allocate(8L * n);
        cpu.normals(SEED, 9, 100, parts, cut);
        cpu.normals(SEED, 9, 100 + cut, parts.asSlice(8L * cut), n - cut);
        assertSameBits(parts, whole, n, "cut at " + cut);
      }
    }
  }

  // ------------------------------------------------------------------ GBM and Cholesky

  @Test
  void gbmStep_randomMarkets_bitIdenticalToReference() {
    SplittableRandom rnd = new SplittableRandom(SEED + 6);
    for (int u : new int[] {1, 2, 3, 7}) {
      for (int scenarios : new int[] {0, 1, LANES + 1, 100, 1001}) {
        for (boolean correlated : new boolean[] {false, true}) {
          try (Arena arena = Arena.ofConfined()) {
            int values = scenarios * u;
            MemorySegment drift = column(arena, u, i -> 0.1 * rnd.nextDouble() - 0.02);
            MemorySegment vol = column(arena, u, i -> 0.05 + 0.5 * rnd.nextDouble());
            MemorySegment l = correlated ? randomCholesky(arena, u, rnd) : null;
            MemorySegment got = column(arena, values, i -> 50 + 100 * rnd.nextDouble());
            MemorySegment want = arena.allocate(Math.max(8L, 8L * values));
            MemorySegment.copy(got, 0, want, 0, 8L * values);
            long first = rnd.nextInt(1000);
            long seed = rnd.nextLong();
            for (int step = 0; step < 3; step++) {
              cpu.gbmStep(got, scenarios, u, drift, vol, 1.0 / 52, l, seed, step, first);
              ref.gbmStep(want, scenarios, u, drift, vol, 1.0 / 52, l, seed, step, first);
            }
            assertSameBits(
                got, want, values, "u=" + u + " scenarios=" + scenarios + " first=" + first);
          }
        }
      }
    }
  }

  @Test
  void cholesky_randomPositiveDefinite_matchesReferenceAndReproducesMatrix() {
    SplittableRandom rnd = new SplittableRandom(SEED + 7);
    for (int dim : new int[] {0, 1, 2, 5, 17}) {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment a = randomCovariance(arena, dim, rnd);
        MemorySegment got = arena.allocate(Math.max(8L, 8L * dim * dim));
        MemorySegment want = arena.allocate(Math.max(8L, 8L * dim * dim));
        cpu.cholesky(a, dim, got);
        ref.cholesky(a, dim, want);
        assertSameBits(got, want, dim * dim, "dim " + dim);
        for (int i = 0; i < dim; i++) {
          for (int j = 0; j < dim; j++) {
            double sum = 0;
            for (int k = 0; k < dim; k++) {
              sum += got.getAtIndex(FLOAT64, i * dim + k) * got.getAtIndex(FLOAT64, j * dim + k);
            }
            double aij = a.getAtIndex(FLOAT64, i * dim + j);
            assertThat(sum).as("(L L^T)[%d][%d], seed %d", i, j, SEED).isCloseTo(aij, tol(1e-12));
            if (j > i) {
              assertThat(got.getAtIndex(FLOAT64, i * dim + j)).isEqualTo(0.0);
            }
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ errors

  @Test
  void kernels_badArguments_throwNamingTheArgument() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment small = arena.allocate(8 * 4);
      MemorySegment big = arena.allocate(8 * 64);
      assertThatThrownBy(() -> cpu.normCdf(big, null, -1, null, big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("n must be >= 0, got -1");
      assertThatThrownBy(() -> cpu.normCdf(small, null, 10, null, big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("normCdf: x has 32 bytes, needs 80");
      assertThatThrownBy(() -> cpu.normInvCdf(big, null, 10, null, small))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("normInvCdf: out has 32 bytes");
      assertThatThrownBy(() -> cpu.normCdf(big, arena.allocate(1), 10, null, big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("validity bitmap has 1 bytes, needs 2");
      MemorySegment sel = arena.allocate(8);
      sel.setAtIndex(ArrowLayout.INT32, 0, 0);
      sel.setAtIndex(ArrowLayout.INT32, 1, 40);
      assertThatThrownBy(() -> cpu.normCdf(small, null, 2, sel, big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("x has 32 bytes, needs 328 for 41 float64 rows");
      assertThatThrownBy(() -> cpu.normCdf(big, null, 3, sel, big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sel has 8 bytes, needs 12");
      OptionColumns o = OptionColumns.calls(big, big, big, small, big);
      assertThatThrownBy(() -> cpu.blackScholes(o, null, 10, null, GreekColumns.priceOnly(big)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("blackScholes: vol has 32 bytes");
      OptionColumns ok = OptionColumns.calls(big, big, big, big, big);
      assertThatThrownBy(() -> cpu.blackScholes(ok, null, 10, null, GreekColumns.priceOnly(small)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("blackScholes: price has 32 bytes");
      assertThatThrownBy(() -> new GreekColumns(null, null, null, null, null, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no Black-Scholes output requested");
      assertThatThrownBy(() -> cpu.uniforms(1, 2, 3, small, 5))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("uniforms: out has 32 bytes, needs 40");
      assertThatThrownBy(() -> cpu.normals(1, 2, 3, big, -2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("normals: n must be >= 0, got -2");
      assertThatThrownBy(() -> cpu.gbmStep(big, 2, 0, big, big, 0.1, null, 1, 0, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("underlyings must be >= 1, got 0");
      assertThatThrownBy(() -> cpu.gbmStep(big, 2, 2, big, big, -0.1, null, 1, 0, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dt must be finite and >= 0, got -0.1");
      assertThatThrownBy(() -> cpu.gbmStep(big, 2, 2, big, big, Double.NaN, null, 1, 0, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("got NaN");
      assertThatThrownBy(() -> cpu.gbmStep(small, 3, 2, big, big, 0.1, null, 1, 0, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gbmStep: prices has 32 bytes, needs 48");
      assertThatThrownBy(() -> cpu.gbmStep(big, 3, 3, big, big, 0.1, small, 1, 0, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gbmStep: cholesky has 32 bytes, needs 72");
      assertThatThrownBy(() -> cpu.cholesky(small, 3, big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cholesky: matrix has 32 bytes, needs 72");
    }
  }

  // ------------------------------------------------------------------ helpers

  static final String[] MEASURES = {"price", "delta", "gamma", "vega", "theta", "rho"};

  /** A selection over [0, n): its segment (null = all rows) and count. */
  record Sel(@Nullable MemorySegment seg, int count, boolean[] member) {
    static Sel all(int n) {
      boolean[] member = new boolean[n];
      java.util.Arrays.fill(member, true);
      return new Sel(null, n, member);
    }

    boolean contains(int row) {
      return member[row];
    }
  }

  /** A Black-Scholes input set and a description of row i for failure messages. */
  record Options(OptionColumns columns) {
    String describe(int i) {
      return "S="
          + columns.spot().getAtIndex(FLOAT64, i)
          + " K="
          + columns.strike().getAtIndex(FLOAT64, i)
          + " T="
          + columns.expiry().getAtIndex(FLOAT64, i)
          + " vol="
          + columns.vol().getAtIndex(FLOAT64, i)
          + " r="
          + columns.rate().getAtIndex(FLOAT64, i)
          + (columns.dividend() == null ? "" : " q=" + columns.dividend().getAtIndex(FLOAT64, i));
    }
  }

  static Options options(
      Arena arena, int n, SplittableRandom rnd, boolean perRowType, boolean dividend) {
    MemorySegment s = column(arena, n, i -> 100 * Math.exp(0.3 * gaussian(rnd)));
    MemorySegment k = column(arena, n, i -> 100 * (0.5 + rnd.nextDouble()));
    MemorySegment t = column(arena, n, i -> rnd.nextInt(20) == 0 ? 0.0 : 3 * rnd.nextDouble());
    MemorySegment v = column(arena, n, i -> rnd.nextInt(20) == 0 ? 0.0 : rnd.nextDouble());
    MemorySegment r = column(arena, n, i -> 0.1 * rnd.nextDouble() - 0.02);
    // invalid and extreme values; no vol or T so large that vol^2 T overflows (the reference's
    // textbook d1 turns into inf / inf there, the kernel's does not)
    double[] bad = {Double.NaN, -1.0, 0.0, Double.POSITIVE_INFINITY, -0.0, Double.MIN_VALUE};
    double[] extreme = {1e-300, 1e300};
    MemorySegment[] cols = {s, k, t, v, r};
    for (int i = 0; i < n; i++) {
      if (rnd.nextInt(40) == 0) {
        int c = rnd.nextInt(5);
        double value =
            c < 2 && rnd.nextBoolean()
                ? extreme[rnd.nextInt(extreme.length)]
                : bad[rnd.nextInt(bad.length)];
        cols[c].setAtIndex(FLOAT64, i, value);
      }
    }
    MemorySegment type = perRowType ? validity(arena, n, rnd) : null;
    OptionColumns c =
        type == null
            ? (rnd.nextBoolean()
                ? OptionColumns.calls(s, k, t, v, r)
                : OptionColumns.puts(s, k, t, v, r))
            : OptionColumns.of(s, k, t, v, r, type);
    if (dividend) {
      c = c.withDividend(column(arena, n, i -> 0.05 * rnd.nextDouble()));
    }
    return new Options(c);
  }

  static GreekColumns greeks(MemorySegment[] m) {
    return GreekColumns.all(m[0], m[1], m[2], m[3], m[4], m[5]);
  }

  static double cdfInput(SplittableRandom rnd) {
    return switch (rnd.nextInt(10)) {
      case 0 -> {
        double[] special = {
          Double.NaN,
          Double.POSITIVE_INFINITY,
          Double.NEGATIVE_INFINITY,
          0.0,
          -0.0,
          Double.MIN_VALUE,
          -Double.MAX_VALUE,
          Double.MAX_VALUE,
          -40.0,
          -38.5,
          0.46875 * Math.sqrt(2),
          4 * Math.sqrt(2),
          -4 * Math.sqrt(2)
        };
        yield special[rnd.nextInt(special.length)];
      }
      case 1 -> -45 * rnd.nextDouble();
      case 2 -> 12 * rnd.nextDouble() - 6;
      default -> 3 * gaussian(rnd);
    };
  }

  static double probability(SplittableRandom rnd) {
    return switch (rnd.nextInt(10)) {
      case 0 -> {
        double[] special = {
          0.0,
          1.0,
          -0.0,
          -0.5,
          1.5,
          Double.NaN,
          Double.MIN_VALUE,
          Double.MIN_NORMAL,
          0.075,
          0.925,
          0.5,
          Math.nextDown(1.0),
          Double.POSITIVE_INFINITY
        };
        yield special[rnd.nextInt(special.length)];
      }
      case 1 -> Math.pow(10, -300 * rnd.nextDouble());
      case 2 -> 1 - Math.pow(10, -16 * rnd.nextDouble());
      default -> rnd.nextDouble();
    };
  }

  static double gaussian(SplittableRandom rnd) {
    double u = rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
  }

  interface Gen {
    double at(int i);
  }

  static MemorySegment column(Arena arena, int n, Gen gen) {
    MemorySegment s = arena.allocate(Math.max(8L, 8L * n));
    for (int i = 0; i < n; i++) {
      s.setAtIndex(FLOAT64, i, gen.at(i));
    }
    return s;
  }

  static MemorySegment filled(Arena arena, int n, double v) {
    return column(arena, n, i -> v);
  }

  /** A random bitmap with about 15% zeros. */
  static MemorySegment validity(Arena arena, int n, SplittableRandom rnd) {
    MemorySegment bitmap = arena.allocate(ArrowLayout.paddedBitmapBytes(Math.max(n, 1)));
    for (int i = 0; i < n; i++) {
      Validity.set(bitmap, i, rnd.nextInt(100) >= 15);
    }
    return bitmap;
  }

  static Sel selection(Arena arena, int n, SplittableRandom rnd) {
    List<Integer> rows = new ArrayList<>();
    boolean[] member = new boolean[n];
    for (int i = 0; i < n; i++) {
      if (rnd.nextInt(3) != 0) {
        rows.add(i);
        member[i] = true;
      }
    }
    MemorySegment seg = arena.allocate(Math.max(4L, 4L * rows.size()));
    for (int k = 0; k < rows.size(); k++) {
      seg.setAtIndex(ArrowLayout.INT32, k, rows.get(k));
    }
    return new Sel(seg, rows.size(), member);
  }

  static MemorySegment randomCovariance(Arena arena, int dim, SplittableRandom rnd) {
    double[] g = new double[dim * dim];
    for (int i = 0; i < g.length; i++) {
      g[i] = gaussian(rnd);
    }
    MemorySegment a = arena.allocate(Math.max(8L, 8L * dim * dim));
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = i == j ? 0.5 : 0.0;
        for (int k = 0; k < dim; k++) {
          sum += g[i * dim + k] * g[j * dim + k];
        }
        a.setAtIndex(FLOAT64, i * dim + j, sum);
        a.setAtIndex(FLOAT64, j * dim + i, sum);
      }
    }
    return a;
  }

  static MemorySegment randomCholesky(Arena arena, int dim, SplittableRandom rnd) {
    MemorySegment a = randomCovariance(arena, dim, rnd);
    MemorySegment l = arena.allocate(8L * dim * dim);
    FinanceKernels.cpu().cholesky(a, dim, l);
    return l;
  }

  static long bits(double v) {
    return Double.doubleToLongBits(v);
  }

  static org.assertj.core.data.Offset<Double> tol(double v) {
    return org.assertj.core.data.Offset.offset(v);
  }

  static String where(int n, int i, String what) {
    return "n=" + n + " row " + i + " " + what + " (seed " + SEED + ")";
  }

  static void assertSameBits(MemorySegment got, MemorySegment want, int n, String what) {
    for (int i = 0; i < n; i++) {
      assertThat(bits(got.getAtIndex(FLOAT64, i)))
          .as(
              "%s, value %d: %s vs %s (seed %d)",
              what, i, got.getAtIndex(FLOAT64, i), want.getAtIndex(FLOAT64, i), SEED)
          .isEqualTo(bits(want.getAtIndex(FLOAT64, i)));
    }
  }

  /** |got - want| <= rel |want| + abs, NaN only against NaN, infinities exactly. */
  static void assertClose(double got, double want, double rel, double abs, String what) {
    if (Double.isNaN(want)) {
      assertThat(got).as(what).isNaN();
      return;
    }
    if (Double.isInfinite(want)) {
      assertThat(got).as(what).isEqualTo(want);
      return;
    }
    assertThat(Math.abs(got - want))
        .as("%s: got %s, reference %s", what, got, want)
        .isLessThanOrEqualTo(rel * Math.abs(want) + abs);
  }
}
