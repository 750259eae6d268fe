package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.jspecify.annotations.Nullable;

/** {@link FinanceKernels} on the CPU with the Vector API. */
final class CpuFinanceKernels implements FinanceKernels {
  /*
   * Implementation notes.
   *
   * Determinism. Every lane runs exactly the operation sequence of the scalar definitions in
   * FinanceMath (exp, log, normCdf, normInvCdf) and of bsRow below, using only operations that
   * IEEE 754 specifies exactly (add, sub, mul, div, sqrt, fma, compare, blend, bit moves). The
   * Vector API's EXP/LOG (SVML on x86, a scalar fallback elsewhere) are never used: they may
   * differ in the last bit from one platform to the next, and are slow where SVML is missing. The
   * scalar tails call the scalar definitions, so a row's result does not depend on whether it fell
   * in a vector or in a tail, and Philox streams are identical to Philox4x32.
   *
   * Block pipeline. A kernel walks its rows in blocks of BLOCK: the block's inputs are copied
   * (dense) or gathered (selection) into heap arrays that stay in L1, a few compact vector loops
   * ("stages") run over those arrays, and the outputs are copied or scattered back. Why stages:
   * a Vector API value that crosses a call C2 does not inline is boxed (an allocation per op, an
   * order of magnitude slower), and C2 stops inlining our methods once a compilation passes its
   * node budget (NodeCountInliningCutoff), which the math of one Black-Scholes row exceeds many
   * times over. The JDK's own vector methods are force-inlined regardless. So a stage calls
   * nothing but the Vector API, exp and log each live in exactly one stage fed through arrays,
   * and whether a stage is itself inlined into its caller does not matter (only arrays cross).
   * Black-Scholes: prepareA -> log(S/K), exp(-rT), exp(-qT) -> prepareB (d1, w d1, w d2) ->
   * exp(-d1^2/2), exp(-d2^2/2) -> Cody ratio and Phi for w d1 and w d2 -> finish (the density
   * reuses exp(-d1^2/2)).
   *
   * Nulls and selections. Null rows are computed like the others (garbage in, garbage out, no
   * traps) and their outputs are set to 0.0 in the block arrays before the store, so the dense and
   * the selection paths differ only in how a block is loaded and stored.
   *
   * Branch-free regions. Cody's erfc and AS241 each have three regions. A vector computes the
   * numerator and denominator of every region some lane needs (a region no lane needs is skipped
   * with anyTrue, which changes no lane's value), blends them per lane and divides once.
   *
   * Philox. A LongVector holds one 32-bit word per 64-bit lane, so that the 32 x 32 -> 64-bit
   * products of a round are exact lane-wise multiplies; lanes are consecutive blocks of the
   * stream. Block b gives values 2b and 2b + 1, which are zipped back into stream order.
   *
   * GBM. Normals for a block of scenarios are generated into a heap buffer; the lower-triangular
   * matrix-vector product (a few fma per underlying) is scalar; exp and the price update are
   * vectorised over the block (scenario-major, contiguous).
   */

  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
  private static final int LANES = D.length();
  private static final long LANE_MASK = LANES >= 64 ? -1L : (1L << LANES) - 1;
  private static final ValueLayout.OfDouble F64 = ArrowLayout.FLOAT64;
  private static final ValueLayout.OfInt I32 = ArrowLayout.INT32;

  /** Rows per block: a multiple of 2 * LANES for every shape up to 2048 bits. */
  private static final int BLOCK = 256;

  private static final long MASK32 = 0xFFFFFFFFL;
  private static final long ONE_BITS = 0x3FF0000000000000L;
  private static final double SHIFT = 0x1.8p52;
  private static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
  private static final VectorShuffle<Double> ZIP0 = VectorShuffle.makeZip(D, 0);
  private static final VectorShuffle<Double> ZIP1 = VectorShuffle.makeZip(D, 1);

  /** The one instance (declared after the constants it needs). */
  static final CpuFinanceKernels INSTANCE = new CpuFinanceKernels();

  private CpuFinanceKernels() {
    if (D.length() != L.length()) {
      throw new IllegalStateException("double and long preferred species differ: " + D + ", " + L);
    }
  }

  // ---------------------------------------------------------------- normal distribution

  @Override
  public void normCdf(
      MemorySegment x,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    unary(false, x, validity, n, sel, out);
  }

  @Override
  public void normInvCdf(
      MemorySegment p,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    unary(true, p, validity, n, sel, out);
  }

  private static void unary(
      boolean inverse,
      MemorySegment in,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out) {
    String kernel = inverse ? "normInvCdf" : "normCdf";
    long rows = FinanceChecks.rows(kernel, n, sel);
    FinanceChecks.column(kernel, inverse ? "p" : "x", in, rows);
    FinanceChecks.bitmap(kernel, "validity", validity, rows);
    FinanceChecks.column(kernel, "out", out, rows);
    int cap = Math.min(BLOCK, n);
    double[] x = new double[cap];
    double[] y = new double[cap];
    double[][] tmp = new double[4][cap];
    int[] nulls = new int[cap];
    for (int k0 = 0; k0 < n; k0 += BLOCK) {
      int c = Math.min(BLOCK, n - k0);
      load(in, sel, k0, c, x);
      if (inverse) {
        invCdfBlock(x, y, c, tmp);
      } else {
        cdfBlock(x, y, c, tmp);
      }
      int nullCount = nullRows(validity, sel, k0, c, nulls);
      for (int j = 0; j < nullCount; j++) {
        y[nulls[j]] = 0.0;
      }
      store(y, out, sel, k0, c);
    }
  }

  // ---------------------------------------------------------------- Black-Scholes

  /** Per-call arrays of one block. */
  private static final class BsBlock {
    final double[] s;
    final double[] k;
    final double[] t;
    final double[] v;
    final double[] r;
    final double[] q;
    final long[] calls;
    final double[] w;
    final double[] bad;
    final double[] sqrtT;
    final double[] sd;
    final double[] sk;
    final double[] lsk;
    final double[] nrt;
    final double[] dfR;
    final double[] nqt;
    final double[] dfQ;
    final double[] sq;
    final double[] kr;
    final double[] d1;
    final double[] x1;
    final double[] x2;
    final double[] n1;
    final double[] n2;
    final double[] l1;
    final double[] arg1;
    final double[] e1;
    final double[] l2;
    final double[] arg2;
    final double[] e2;
    final double[] ratio;
    final double[][] out = new double[6][];
    final int[] nulls;

    BsBlock(int cap, GreekColumns o) {
      s = new double[cap];
      k = new double[cap];
      t = new double[cap];
      v = new double[cap];
      r = new double[cap];
      q = new double[cap];
      calls = new long[(cap + 63) >>> 6];
      w = new double[cap];
      bad = new double[cap];
      sqrtT = new double[cap];
      sd = new double[cap];
      sk = new double[cap];
      lsk = new double[cap];
      nrt = new double[cap];
      dfR = new double[cap];
      nqt = new double[cap];
      dfQ = new double[cap];
      sq = new double[cap];
      kr = new double[cap];
      d1 = new double[cap];
      x1 = new double[cap];
      x2 = new double[cap];
      n1 = new double[cap];
      n2 = new double[cap];
      l1 = new double[cap];
      arg1 = new double[cap];
      e1 = new double[cap];
      l2 = new double[cap];
      arg2 = new double[cap];
      e2 = new double[cap];
      ratio = new double[cap];
      nulls = new int[cap];
      MemorySegment[] dst = outputs(o);
      for (int m = 0; m < 6; m++) {
        if (dst[m] != null) {
          out[m] = new double[cap];
        }
      }
    }
  }

  private static @Nullable MemorySegment[] outputs(GreekColumns o) {
    return new @Nullable MemorySegment[] {
      o.price(), o.delta(), o.gamma(), o.vega(), o.theta(), o.rho()
    };
  }

  @Override
  public void blackScholes(
      OptionColumns options,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      GreekColumns out) {
    String kernel = "blackScholes";
    long rows = FinanceChecks.rows(kernel, n, sel);
    FinanceChecks.column(kernel, "spot", options.spot(), rows);
    FinanceChecks.column(kernel, "strike", options.strike(), rows);
    FinanceChecks.column(kernel, "expiry", options.expiry(), rows);
    FinanceChecks.column(kernel, "vol", options.vol(), rows);
    FinanceChecks.column(kernel, "rate", options.rate(), rows);
    FinanceChecks.columnIfPresent(kernel, "dividend", options.dividend(), rows);
    FinanceChecks.bitmap(kernel, "isCall", options.isCall(), rows);
    FinanceChecks.bitmap(kernel, "validity", validity, rows);
    FinanceChecks.columnIfPresent(kernel, "price", out.price(), rows);
    FinanceChecks.columnIfPresent(kernel, "delta", out.delta(), rows);
    FinanceChecks.columnIfPresent(kernel, "gamma", out.gamma(), rows);
    FinanceChecks.columnIfPresent(kernel, "vega", out.vega(), rows);
    FinanceChecks.columnIfPresent(kernel, "theta", out.theta(), rows);
    FinanceChecks.columnIfPresent(kernel, "rho", out.rho(), rows);
    BsBlock b = new BsBlock(Math.min(BLOCK, n), out);
    MemorySegment dividend = options.dividend();
    MemorySegment isCall = options.isCall();
    @Nullable MemorySegment[] dst = outputs(out);
    boolean needN = b.out[0] != null || b.out[1] != null || b.out[4] != null || b.out[5] != null;
    double[] res = new double[6];
    if (dividend == null) {
      Arrays.fill(b.dfQ, 1.0);
    }
    for (int k0 = 0; k0 < n; k0 += BLOCK) {
      int c = Math.min(BLOCK, n - k0);
      load(options.spot(), sel, k0, c, b.s);
      load(options.strike(), sel, k0, c, b.k);
      load(options.expiry(), sel, k0, c, b.t);
      load(options.vol(), sel, k0, c, b.v);
      load(options.rate(), sel, k0, c, b.r);
      if (dividend != null) {
        load(dividend, sel, k0, c, b.q);
      }
      if (isCall == null) {
        Arrays.fill(b.calls, options.allCalls() ? -1L : 0L);
      } else {
        loadBits(isCall, sel, k0, c, b.calls);
      }
      int vb = D.loopBound(c);
      bsPrepareA(b, vb, dividend != null);
      logStage(b.sk, b.lsk, vb);
      expStage(b.nrt, b.dfR, vb);
      if (dividend != null) {
        expStage(b.nqt, b.dfQ, vb);
      }
      bsPrepareB(b, vb);
      halfSquareStage(b.d1, b.l1, b.arg1, vb);
      expStage(b.arg1, b.e1, vb);
      if (needN) {
        halfSquareStage(b.x2, b.l2, b.arg2, vb);
        expStage(b.arg2, b.e2, vb);
        cdfRatioStage(b.x1, b.ratio, vb);
        cdfFinishStage(b.x1, b.ratio, b.e1, b.l1, b.n1, vb);
        cdfRatioStage(b.x2, b.ratio, vb);
        cdfFinishStage(b.x2, b.ratio, b.e2, b.l2, b.n2, vb);
      }
      bsFinish(b, vb);
      for (int j = vb; j < c; j++) {
        boolean call = (b.calls[j >>> 6] & (1L << j)) != 0;
        bsRow(
            b.s[j],
            b.k[j],
            b.t[j],
            b.v[j],
            b.r[j],
            b.q[j],
            dividend != null,
            call ? 1.0 : -1.0,
            res);
        for (int m = 0; m < 6; m++) {
          if (b.out[m] != null) {
            b.out[m][j] = res[m];
          }
        }
      }
      int nullCount = nullRows(validity, sel, k0, c, b.nulls);
      for (int m = 0; m < 6; m++) {
        double[] o = b.out[m];
        MemorySegment d = dst[m];
        if (o != null && d != null) {
          for (int j = 0; j < nullCount; j++) {
            o[b.nulls[j]] = 0.0;
          }
          store(o, d, sel, k0, c);
        }
      }
    }
  }

  /** Vector rows [0, vb): w, validity of the inputs, sqrt T, sd and the arguments of log, exp. */
  private static void bsPrepareA(BsBlock b, int vb, boolean hasDividend) {
    DoubleVector one = DoubleVector.broadcast(D, 1.0);
    DoubleVector minusOne = DoubleVector.broadcast(D, -1.0);
    DoubleVector zero = DoubleVector.zero(D);
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector s = DoubleVector.fromArray(D, b.s, i);
      DoubleVector k = DoubleVector.fromArray(D, b.k, i);
      DoubleVector t = DoubleVector.fromArray(D, b.t, i);
      DoubleVector v = DoubleVector.fromArray(D, b.v, i);
      DoubleVector r = DoubleVector.fromArray(D, b.r, i);
      DoubleVector q = hasDividend ? DoubleVector.fromArray(D, b.q, i) : zero;
      VectorMask<Double> call = VectorMask.fromLong(D, (b.calls[i >>> 6] >>> (i & 63)) & LANE_MASK);
      minusOne.blend(one, call).intoArray(b.w, i);
      VectorMask<Double> ok =
          s.compare(VectorOperators.GT, 0.0)
              .and(s.compare(VectorOperators.LT, Double.POSITIVE_INFINITY))
              .and(k.compare(VectorOperators.GT, 0.0))
              .and(k.compare(VectorOperators.LT, Double.POSITIVE_INFINITY))
              .and(t.compare(VectorOperators.GE, 0.0))
              .and(t.compare(VectorOperators.LT, Double.POSITIVE_INFINITY))
              .and(v.compare(VectorOperators.GE, 0.0))
              .and(v.compare(VectorOperators.LT, Double.POSITIVE_INFINITY))
              .and(r.sub(r).compare(VectorOperators.EQ, 0.0))
              .and(q.sub(q).compare(VectorOperators.EQ, 0.0));
      zero.blend(one, ok.not()).intoArray(b.bad, i);
      DoubleVector sqrtT = t.sqrt();
      sqrtT.intoArray(b.sqrtT, i);
      v.mul(sqrtT).add(0.0).intoArray(b.sd, i);
      s.div(k).intoArray(b.sk, i);
      r.mul(t).neg().intoArray(b.nrt, i);
      q.mul(t).neg().intoArray(b.nqt, i);
    }
  }

  /** Vector rows [0, vb): d1, w d1, w d2 and the discounted spot and strike. */
  private static void bsPrepareB(BsBlock b, int vb) {
    DoubleVector zero = DoubleVector.zero(D);
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector t = DoubleVector.fromArray(D, b.t, i);
      DoubleVector r = DoubleVector.fromArray(D, b.r, i);
      DoubleVector q = DoubleVector.fromArray(D, b.q, i);
      DoubleVector sd = DoubleVector.fromArray(D, b.sd, i);
      DoubleVector w = DoubleVector.fromArray(D, b.w, i);
      DoubleVector m = r.sub(q).fma(t, DoubleVector.fromArray(D, b.lsk, i));
      DoubleVector d1 = m.div(sd).add(sd.mul(0.5));
      d1 =
          d1.blend(
              zero, sd.compare(VectorOperators.EQ, 0.0).and(m.compare(VectorOperators.EQ, 0.0)));
      d1.intoArray(b.d1, i);
      w.mul(d1).intoArray(b.x1, i);
      w.mul(d1.sub(sd)).intoArray(b.x2, i);
      DoubleVector.fromArray(D, b.s, i).mul(DoubleVector.fromArray(D, b.dfQ, i)).intoArray(b.sq, i);
      DoubleVector.fromArray(D, b.k, i).mul(DoubleVector.fromArray(D, b.dfR, i)).intoArray(b.kr, i);
    }
  }

  /** Vector rows [0, vb): the requested outputs from the prepared arrays (pdf from e1, l1). */
  private static void bsFinish(BsBlock b, int vb) {
    DoubleVector zero = DoubleVector.zero(D);
    double[] price = b.out[0];
    double[] delta = b.out[1];
    double[] gamma = b.out[2];
    double[] vega = b.out[3];
    double[] theta = b.out[4];
    double[] rho = b.out[5];
    for (int i = 0; i < vb; i += LANES) {
      VectorMask<Double> bad = DoubleVector.fromArray(D, b.bad, i).compare(VectorOperators.NE, 0.0);
      VectorMask<Double> flat = DoubleVector.fromArray(D, b.sd, i).compare(VectorOperators.LE, 0.0);
      DoubleVector w = DoubleVector.fromArray(D, b.w, i);
      DoubleVector sq = DoubleVector.fromArray(D, b.sq, i);
      DoubleVector kr = DoubleVector.fromArray(D, b.kr, i);
      DoubleVector n1 = DoubleVector.fromArray(D, b.n1, i);
      DoubleVector n2 = DoubleVector.fromArray(D, b.n2, i);
      DoubleVector e1 = DoubleVector.fromArray(D, b.e1, i);
      DoubleVector pdf =
          e1.fma(DoubleVector.fromArray(D, b.l1, i).mul(-0.5), e1).mul(FinanceMath.INV_SQRT_2PI);
      if (price != null) {
        DoubleVector p = w.mul(sq.mul(n1).sub(kr.mul(n2)));
        p.blend(zero, p.compare(VectorOperators.LT, 0.0))
            .blend(Double.NaN, bad)
            .intoArray(price, i);
      }
      if (delta != null) {
        w.mul(DoubleVector.fromArray(D, b.dfQ, i))
            .mul(n1)
            .blend(Double.NaN, bad)
            .intoArray(delta, i);
      }
      if (gamma != null) {
        DoubleVector s = DoubleVector.fromArray(D, b.s, i);
        DoubleVector sd = DoubleVector.fromArray(D, b.sd, i);
        DoubleVector.fromArray(D, b.dfQ, i)
            .mul(pdf)
            .div(s.mul(sd))
            .blend(zero, flat)
            .blend(Double.NaN, bad)
            .intoArray(gamma, i);
      }
      if (vega != null) {
        sq.mul(pdf)
            .mul(DoubleVector.fromArray(D, b.sqrtT, i))
            .blend(zero, flat)
            .blend(Double.NaN, bad)
            .intoArray(vega, i);
      }
      if (theta != null) {
        DoubleVector q = DoubleVector.fromArray(D, b.q, i);
        DoubleVector r = DoubleVector.fromArray(D, b.r, i);
        DoubleVector v = DoubleVector.fromArray(D, b.v, i);
        DoubleVector sqrtT = DoubleVector.fromArray(D, b.sqrtT, i);
        DoubleVector carry = q.mul(sq).mul(n1).sub(r.mul(kr).mul(n2));
        DoubleVector volTerm = sq.mul(pdf).mul(v).div(sqrtT.mul(2.0)).blend(zero, flat);
        w.mul(carry).sub(volTerm).blend(Double.NaN, bad).intoArray(theta, i);
      }
      if (rho != null) {
        w.mul(DoubleVector.fromArray(D, b.t, i))
            .mul(kr)
            .mul(n2)
            .blend(Double.NaN, bad)
            .intoArray(rho, i);
      }
    }
  }

  /**
   * One option, the scalar twin of bsPrepare, cdf, pdf and bsFinish (same operations in the same
   * order); writes price, delta, gamma, vega, theta, rho into {@code res}.
   */
  static void bsRow(
      double s,
      double k,
      double t,
      double v,
      double r,
      double q,
      boolean hasDividend,
      double w,
      double[] res) {
    boolean ok =
        s > 0.0
            && s < Double.POSITIVE_INFINITY
            && k > 0.0
            && k < Double.POSITIVE_INFINITY
            && t >= 0.0
            && t < Double.POSITIVE_INFINITY
            && v >= 0.0
            && v < Double.POSITIVE_INFINITY
            && Double.isFinite(r)
            && Double.isFinite(q);
    if (!ok) {
      Arrays.fill(res, Double.NaN);
      return;
    }
    double sqrtT = Math.sqrt(t);
    double sd = v * sqrtT + 0.0;
    double dfR = FinanceMath.exp(-(r * t));
    double dfQ = hasDividend ? FinanceMath.exp(-(q * t)) : 1.0;
    double m = Math.fma(r - q, t, FinanceMath.log(s / k));
    double d1 = m / sd + sd * 0.5;
    if (sd == 0.0 && m == 0.0) {
      d1 = 0.0;
    }
    double sq = s * dfQ;
    double kr = k * dfR;
    double n1 = FinanceMath.normCdf(w * d1);
    double n2 = FinanceMath.normCdf(w * (d1 - sd));
    boolean flat = sd <= 0.0;
    double pdf = FinanceMath.normPdf(d1);
    double p = w * (sq * n1 - kr * n2);
    res[0] = p < 0.0 ? 0.0 : p;
    res[1] = w * dfQ * n1;
    res[2] = flat ? 0.0 : dfQ * pdf / (s * sd);
    res[3] = flat ? 0.0 : sq * pdf * sqrtT;
    double carry = q * sq * n1 - r * kr * n2;
    double volTerm = flat ? 0.0 : sq * pdf * v / (sqrtT * 2.0);
    res[4] = w * carry - volTerm;
    res[5] = w * t * kr * n2;
  }

  // ---------------------------------------------------------------- Philox streams

  @Override
  public void uniforms(long seed, long stream, long first, MemorySegment out, int n) {
    FinanceChecks.count("uniforms", "n", n);
    FinanceChecks.column("uniforms", "out", out, n);
    fill(false, seed, stream, first, out, n);
  }

  @Override
  public void normals(long seed, long stream, long first, MemorySegment out, int n) {
    FinanceChecks.count("normals", "n", n);
    FinanceChecks.column("normals", "out", out, n);
    fill(true, seed, stream, first, out, n);
  }

  /** out[k] = uniform or normal (seed, stream, first + k), k in [0, n). */
  private static void fill(
      boolean normal, long seed, long stream, long first, MemorySegment out, int n) {
    int k = 0;
    if (n > 0 && (first & 1) != 0) {
      out.setAtIndex(F64, 0, scalarValue(normal, seed, stream, first));
      k = 1;
    }
    long[] keys = keySchedule(seed);
    double[] u = new double[Math.min(BLOCK, n)];
    double[] z = normal ? new double[u.length] : u;
    double[][] tmp = new double[2][normal ? u.length : 0];
    for (; k < n; k += BLOCK) {
      int c = Math.min(BLOCK, n - k);
      fillBlock(normal, keys, seed, stream, first + k, u, z, tmp, c);
      MemorySegment.copy(z, 0, out, F64, (long) k << 3, c);
    }
  }

  /** z[j] = uniform or normal (first + j), j in [0, c); first is even. */
  private static void fillBlock(
      boolean normal,
      long[] keys,
      long seed,
      long stream,
      long first,
      double[] u,
      double[] z,
      double[][] tmp,
      int c) {
    int vb = philoxStage(keys, stream, first, u, c);
    if (normal) {
      invCdfBlock(u, z, vb, tmp);
    }
    for (int j = vb; j < c; j++) {
      z[j] = scalarValue(normal, seed, stream, first + j);
    }
  }

  private static long[] keySchedule(long seed) {
    long[] keys = new long[2 * Philox4x32.ROUNDS];
    int k0 = (int) seed;
    int k1 = (int) (seed >>> 32);
    for (int round = 0; round < Philox4x32.ROUNDS; round++) {
      keys[2 * round] = Integer.toUnsignedLong(k0);
      keys[2 * round + 1] = Integer.toUnsignedLong(k1);
      k0 += Philox4x32.W0;
      k1 += Philox4x32.W1;
    }
    return keys;
  }

  /**
   * Uniforms (first + j) for j in [0, vb) into u, vb the largest multiple of 2 * LANES <= c; first
   * is even. Returns vb.
   */
  private static int philoxStage(long[] keys, long stream, long first, double[] u, int c) {
    LongVector twoIota = LongVector.zero(L).addIndex(2);
    LongVector c2 = LongVector.broadcast(L, stream & MASK32);
    LongVector c3 = LongVector.broadcast(L, stream >>> 32);
    int step = 2 * LANES;
    int j = 0;
    for (; j + step <= c; j += step) {
      LongVector b = twoIota.add(first + j).lanewise(VectorOperators.LSHR, 1);
      LongVector x0 = b.and(MASK32);
      LongVector x1 = b.lanewise(VectorOperators.LSHR, 32);
      LongVector x2 = c2;
      LongVector x3 = c3;
      for (int round = 0; round < Philox4x32.ROUNDS; round++) {
        LongVector p0 = x0.mul(Philox4x32.M0);
        LongVector p1 = x2.mul(Philox4x32.M1);
        x0 =
            p1.lanewise(VectorOperators.LSHR, 32)
                .lanewise(VectorOperators.XOR, x1)
                .lanewise(VectorOperators.XOR, keys[2 * round]);
        x2 =
            p0.lanewise(VectorOperators.LSHR, 32)
                .lanewise(VectorOperators.XOR, x3)
                .lanewise(VectorOperators.XOR, keys[2 * round + 1]);
        x1 = p1.and(MASK32);
        x3 = p0.and(MASK32);
      }
      // (2 (bits >>> 12) + 1) 2^-53 for bits = hi:lo, exactly, as (1 + m 2^-52) - 1 + 2^-53
      DoubleVector u0 =
          ((DoubleVector)
                  x1.lanewise(VectorOperators.LSHL, 20)
                      .or(x0.lanewise(VectorOperators.LSHR, 12))
                      .or(ONE_BITS)
                      .reinterpretAsDoubles())
              .sub(1.0)
              .add(0x1p-53);
      DoubleVector u1 =
          ((DoubleVector)
                  x3.lanewise(VectorOperators.LSHL, 20)
                      .or(x2.lanewise(VectorOperators.LSHR, 12))
                      .or(ONE_BITS)
                      .reinterpretAsDoubles())
              .sub(1.0)
              .add(0x1p-53);
      u0.rearrange(ZIP0, u1).intoArray(u, j);
      u0.rearrange(ZIP1, u1).intoArray(u, j + LANES);
    }
    return j;
  }

  private static double scalarValue(boolean normal, long seed, long stream, long index) {
    return normal
        ? Philox4x32.normal(seed, stream, index)
        : Philox4x32.uniform(seed, stream, index);
  }

  // ---------------------------------------------------------------- GBM and Cholesky

  @Override
  public void gbmStep(
      MemorySegment prices,
      int scenarios,
      int underlyings,
      MemorySegment drift,
      MemorySegment vol,
      double dt,
      @Nullable MemorySegment cholesky,
      long seed,
      long stream,
      long firstScenario) {
    String kernel = "gbmStep";
    FinanceChecks.count(kernel, "scenarios", scenarios);
    if (underlyings < 1) {
      throw new IllegalArgumentException("gbmStep: underlyings must be >= 1, got " + underlyings);
    }
    if (!(dt >= 0.0 && dt < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("gbmStep: dt must be finite and >= 0, got " + dt);
    }
    int u = underlyings;
    FinanceChecks.column(kernel, "prices", prices, (long) scenarios * u);
    FinanceChecks.column(kernel, "drift", drift, u);
    FinanceChecks.column(kernel, "vol", vol, u);
    if (cholesky != null) {
      FinanceChecks.column(kernel, "cholesky", cholesky, (long) u * u);
    }
    double[] a = new double[u];
    double[] b = new double[u];
    double sqrtDt = Math.sqrt(dt);
    for (int j = 0; j < u; j++) {
      double sigma = vol.getAtIndex(F64, j);
      a[j] = (drift.getAtIndex(F64, j) - 0.5 * sigma * sigma) * dt;
      b[j] = sigma * sqrtDt;
    }
    double[] l = cholesky == null ? null : cholesky.asSlice(0, 8L * u * u).toArray(F64);
    long[] keys = keySchedule(seed);
    int per = Math.max(1, BLOCK / u);
    double[] uni = new double[per * u];
    double[] z = new double[per * u];
    double[] x = new double[per * u];
    double[] price = new double[per * u];
    double[][] tmp = new double[2][Math.min(BLOCK, per * u)];
    double[] e = new double[per * u];
    for (int s0 = 0; s0 < scenarios; s0 += per) {
      int c = Math.min(per, scenarios - s0);
      int m = c * u;
      long index = (firstScenario + s0) * u;
      int start = 0;
      if ((index & 1) != 0) {
        z[0] = Philox4x32.normal(seed, stream, index);
        start = 1;
      }
      for (int j0 = start; j0 < m; j0 += BLOCK) {
        int cc = Math.min(BLOCK, m - j0);
        fillBlock(true, keys, seed, stream, index + j0, uni, x, tmp, cc);
        System.arraycopy(x, 0, z, j0, cc);
      }
      for (int s = 0; s < c; s++) {
        int row = s * u;
        for (int j = 0; j < u; j++) {
          double w;
          if (l == null) {
            w = z[row + j];
          } else {
            w = 0.0;
            for (int kk = 0; kk <= j; kk++) {
              w = Math.fma(l[j * u + kk], z[row + kk], w);
            }
          }
          x[row + j] = Math.fma(b[j], w, a[j]);
        }
      }
      long off = ((long) s0 * u) << 3;
      MemorySegment.copy(prices, F64, off, price, 0, m);
      int vb = D.loopBound(m);
      expStage(x, e, vb);
      for (int i = 0; i < vb; i++) {
        price[i] = price[i] * e[i];
      }
      for (int i = vb; i < m; i++) {
        price[i] = price[i] * FinanceMath.exp(x[i]);
      }
      MemorySegment.copy(price, 0, prices, F64, off, m);
    }
  }

  @Override
  public void cholesky(MemorySegment matrix, int dim, MemorySegment out) {
    FinanceChecks.count("cholesky", "dim", dim);
    FinanceChecks.column("cholesky", "matrix", matrix, (long) dim * dim);
    FinanceChecks.column("cholesky", "out", out, (long) dim * dim);
    double[] a = matrix.asSlice(0, 8L * dim * dim).toArray(F64);
    double[] l = choleskyFactor(a, dim);
    MemorySegment.copy(l, 0, out, F64, 0, l.length);
  }

  // ---------------------------------------------------------------- vector stages

  /*
   * Every stage is one loop over the full vectors [0, vb) of block arrays and calls nothing but
   * the Vector API (whose methods the JDK force-inlines): a method of ours that takes or returns
   * a vector could be refused inlining once C2's node budget is spent, and its vectors would then
   * be boxed on every call. Whether a stage itself is inlined into its caller does not matter,
   * since only arrays cross that call. exp and log therefore each live in exactly one stage and
   * are fed through arrays.
   */

  /** y = Phi(x) on [0, c): four stages and the scalar tail; t holds four scratch arrays. */
  static void cdfBlock(double[] x, double[] y, int c, double[][] t) {
    int vb = D.loopBound(c);
    halfSquareStage(x, t[0], t[1], vb);
    expStage(t[1], t[2], vb);
    cdfRatioStage(x, t[3], vb);
    cdfFinishStage(x, t[3], t[2], t[0], y, vb);
    for (int j = vb; j < c; j++) {
      y[j] = FinanceMath.normCdf(x[j]);
    }
  }

  /** y = Phi^-1(p) on [0, c): three stages and the scalar tail; t holds two scratch arrays. */
  static void invCdfBlock(double[] p, double[] y, int c, double[][] t) {
    int vb = D.loopBound(c);
    invCentralStage(p, y, t[0], vb);
    logStage(t[0], t[1], vb);
    invTailStage(p, t[1], y, vb);
    for (int j = vb; j < c; j++) {
      y[j] = FinanceMath.normInvCdf(p[j]);
    }
  }

  /** y = exp(x) (FinanceMath.exp) on [0, vb). */
  static void expStage(double[] x, double[] y, int vb) {
    double[] c = FinanceMath.EXP_P;
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector xv = DoubleVector.fromArray(D, x, i);
      DoubleVector xc =
          xv.blend(FinanceMath.EXP_MIN, xv.compare(VectorOperators.LT, FinanceMath.EXP_MIN))
              .blend(FinanceMath.EXP_MAX, xv.compare(VectorOperators.GT, FinanceMath.EXP_MAX));
      DoubleVector t = xc.fma(FinanceMath.INV_LN2, SHIFT);
      DoubleVector kd = t.sub(SHIFT);
      LongVector k = ((LongVector) t.viewAsIntegralLanes()).sub(SHIFT_BITS);
      DoubleVector r = kd.fma(DoubleVector.broadcast(D, -FinanceMath.LN2_HI), xc);
      r = kd.fma(DoubleVector.broadcast(D, -FinanceMath.LN2_LO), r);
      DoubleVector p = DoubleVector.broadcast(D, c[0]);
      p = p.fma(r, DoubleVector.broadcast(D, c[1]));
      p = p.fma(r, DoubleVector.broadcast(D, c[2]));
      p = p.fma(r, DoubleVector.broadcast(D, c[3]));
      p = p.fma(r, DoubleVector.broadcast(D, c[4]));
      p = p.fma(r, DoubleVector.broadcast(D, c[5]));
      p = p.fma(r, DoubleVector.broadcast(D, c[6]));
      p = p.fma(r, DoubleVector.broadcast(D, c[7]));
      p = p.fma(r, DoubleVector.broadcast(D, c[8]));
      p = p.fma(r, DoubleVector.broadcast(D, c[9]));
      p = p.fma(r, DoubleVector.broadcast(D, c[10]));
      p = p.fma(r, DoubleVector.broadcast(D, c[11]));
      DoubleVector e = r.mul(r).fma(p, r).add(1.0);
      LongVector k1 = k.lanewise(VectorOperators.ASHR, 1);
      LongVector k2 = k.sub(k1);
      DoubleVector s1 =
          (DoubleVector) k1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
      DoubleVector s2 =
          (DoubleVector) k2.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
      e.mul(s1).mul(s2).intoArray(y, i);
    }
  }

  /** y = log(x) (FinanceMath.log) on [0, vb). */
  private static void logStage(double[] x, double[] y, int vb) {
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector xv = DoubleVector.fromArray(D, x, i);
      VectorMask<Double> sub = xv.compare(VectorOperators.LT, Double.MIN_NORMAL);
      LongVector ix = (LongVector) xv.blend(xv.mul(FinanceMath.TWO54), sub).viewAsIntegralLanes();
      LongVector tmp = ix.sub(FinanceMath.LOG_OFF);
      LongVector k =
          tmp.lanewise(VectorOperators.ASHR, 52).lanewise(VectorOperators.SUB, 54, sub.cast(L));
      DoubleVector f =
          ((DoubleVector) ix.sub(tmp.and(FinanceMath.EXP_MASK)).reinterpretAsDoubles()).sub(1.0);
      DoubleVector hfsq = f.mul(0.5).mul(f);
      DoubleVector s = f.div(f.add(2.0));
      DoubleVector zz = s.mul(s);
      DoubleVector w = zz.mul(zz);
      DoubleVector t1 =
          w.mul(
              w.fma(
                  w.fma(FinanceMath.LG6, FinanceMath.LG4),
                  DoubleVector.broadcast(D, FinanceMath.LG2)));
      DoubleVector t2 =
          zz.mul(
              w.fma(
                  w.fma(
                      w.fma(FinanceMath.LG7, FinanceMath.LG5),
                      DoubleVector.broadcast(D, FinanceMath.LG3)),
                  DoubleVector.broadcast(D, FinanceMath.LG1)));
      DoubleVector dk = (DoubleVector) k.convert(VectorOperators.L2D, 0);
      DoubleVector inner = dk.neg().fma(DoubleVector.broadcast(D, FinanceMath.LN2_LO), hfsq);
      DoubleVector mid = s.neg().fma(hfsq.add(t2.add(t1)), inner);
      DoubleVector res = dk.fma(DoubleVector.broadcast(D, FinanceMath.LN2_HI), f.sub(mid));
      VectorMask<Double> positive = xv.compare(VectorOperators.GT, 0.0);
      VectorMask<Double> inf = xv.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY);
      if (!positive.allTrue() || inf.anyTrue()) {
        res =
            res.blend(Double.NaN, positive.not())
                .blend(Double.NEGATIVE_INFINITY, xv.compare(VectorOperators.EQ, 0.0))
                .blend(Double.POSITIVE_INFINITY, inf);
      }
      res.intoArray(y, i);
    }
  }

  /**
   * For a = min(|x|, 40): l = the rounding error of a^2 (fma) and arg = -a^2 / 2, so that exp(arg)
   * (1 - l / 2) = exp(-x^2 / 2) as in FinanceMath.expNegHalfSquare.
   */
  static void halfSquareStage(double[] x, double[] l, double[] arg, int vb) {
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector a = DoubleVector.fromArray(D, x, i).abs();
      a = a.blend(FinanceMath.CDF_CLAMP, a.compare(VectorOperators.GT, FinanceMath.CDF_CLAMP));
      DoubleVector h = a.mul(a);
      a.fma(a, h.neg()).intoArray(l, i);
      h.mul(-0.5).intoArray(arg, i);
    }
  }

  /** Cody's rational for each lane's region: erf(z) / z or erfc(z) exp(z^2), z = |x| / sqrt 2. */
  static void cdfRatioStage(double[] x, double[] ratio, int vb) {
    double[] c = FinanceMath.C;
    double[] d = FinanceMath.D;
    double[] p = FinanceMath.P;
    double[] q = FinanceMath.Q;
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector xv = DoubleVector.fromArray(D, x, i);
      DoubleVector a = xv.abs();
      a = a.blend(FinanceMath.CDF_CLAMP, a.compare(VectorOperators.GT, FinanceMath.CDF_CLAMP));
      DoubleVector z = a.mul(FinanceMath.INV_SQRT2);
      VectorMask<Double> r1 = z.compare(VectorOperators.LE, FinanceMath.THRESH);
      VectorMask<Double> le4 = z.compare(VectorOperators.LE, 4.0);
      DoubleVector num = DoubleVector.zero(D);
      DoubleVector den = DoubleVector.broadcast(D, 1.0);
      if (r1.anyTrue()) {
        DoubleVector xs = xv.mul(FinanceMath.INV_SQRT2);
        DoubleVector y = xs.mul(xs);
        DoubleVector n1 =
            y.fma(FinanceMath.A5, FinanceMath.A1)
                .fma(y, DoubleVector.broadcast(D, FinanceMath.A2))
                .fma(y, DoubleVector.broadcast(D, FinanceMath.A3))
                .fma(y, DoubleVector.broadcast(D, FinanceMath.A4));
        DoubleVector d1 =
            y.add(FinanceMath.B1)
                .fma(y, DoubleVector.broadcast(D, FinanceMath.B2))
                .fma(y, DoubleVector.broadcast(D, FinanceMath.B3))
                .fma(y, DoubleVector.broadcast(D, FinanceMath.B4));
        num = num.blend(n1, r1);
        den = den.blend(d1, r1);
      }
      VectorMask<Double> r2 = r1.not().and(le4);
      if (r2.anyTrue()) {
        DoubleVector n2 = DoubleVector.broadcast(D, c[0]);
        DoubleVector d2 = DoubleVector.broadcast(D, d[0]);
        for (int j = 1; j < 9; j++) {
          n2 = n2.fma(z, DoubleVector.broadcast(D, c[j]));
          d2 = d2.fma(z, DoubleVector.broadcast(D, d[j]));
        }
        num = num.blend(n2, r2);
        den = den.blend(d2, r2);
      }
      VectorMask<Double> r3 = le4.not();
      if (r3.anyTrue()) {
        DoubleVector s = z.mul(z);
        DoubleVector n3 = DoubleVector.broadcast(D, p[0]);
        DoubleVector d3 = DoubleVector.broadcast(D, q[0]);
        for (int j = 1; j < 6; j++) {
          n3 = n3.fma(s, DoubleVector.broadcast(D, p[j]));
          d3 = d3.fma(s, DoubleVector.broadcast(D, q[j]));
        }
        DoubleVector sd = s.mul(d3);
        num = num.blend(sd.fma(DoubleVector.broadcast(D, FinanceMath.SQRPI), n3.neg()), r3);
        den = den.blend(sd.mul(z), r3);
      }
      num.div(den).intoArray(ratio, i);
    }
  }

  /**
   * Phi from the region ratio and e = exp(-a^2/2) (before the fma correction by l): 1/2 + erf / 2
   * in the centre, g ratio / 2 in the lower tail and 1 - g ratio / 2 in the upper.
   */
  static void cdfFinishStage(
      double[] x, double[] ratio, double[] e, double[] l, double[] y, int vb) {
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector xv = DoubleVector.fromArray(D, x, i);
      DoubleVector rv = DoubleVector.fromArray(D, ratio, i);
      DoubleVector a = xv.abs();
      a = a.blend(FinanceMath.CDF_CLAMP, a.compare(VectorOperators.GT, FinanceMath.CDF_CLAMP));
      VectorMask<Double> r1 =
          a.mul(FinanceMath.INV_SQRT2).compare(VectorOperators.LE, FinanceMath.THRESH);
      DoubleVector phi1 = xv.mul(FinanceMath.INV_SQRT2).mul(rv).mul(0.5).add(0.5);
      DoubleVector ev = DoubleVector.fromArray(D, e, i);
      DoubleVector g = ev.fma(DoubleVector.fromArray(D, l, i).mul(-0.5), ev);
      DoubleVector tail = g.mul(0.5).mul(rv);
      DoubleVector.broadcast(D, 1.0)
          .sub(tail)
          .blend(tail, xv.compare(VectorOperators.LT, 0.0))
          .blend(phi1, r1)
          .intoArray(y, i);
    }
  }

  /**
   * AS241's central region, y = q A(r) / B(r) where |q| = |p - 1/2| <= 0.425 (other lanes: junk),
   * and the tail's argument pm = min(p, 1 - p) for the log stage.
   */
  private static void invCentralStage(double[] p, double[] y, double[] pm, int vb) {
    double[] a = FinanceMath.AS_A;
    double[] b = FinanceMath.AS_B;
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector pv = DoubleVector.fromArray(D, p, i);
      DoubleVector q = pv.sub(0.5);
      DoubleVector.broadcast(D, 1.0)
          .sub(pv)
          .blend(pv, q.compare(VectorOperators.LT, 0.0))
          .intoArray(pm, i);
      VectorMask<Double> central = q.abs().compare(VectorOperators.LE, FinanceMath.AS_SPLIT1);
      if (central.anyTrue()) {
        DoubleVector r = DoubleVector.broadcast(D, FinanceMath.AS_CONST1).sub(q.mul(q));
        DoubleVector num = DoubleVector.broadcast(D, a[0]);
        DoubleVector den = DoubleVector.broadcast(D, b[0]);
        for (int j = 1; j < 8; j++) {
          num = num.fma(r, DoubleVector.broadcast(D, a[j]));
          den = den.fma(r, DoubleVector.broadcast(D, b[j]));
        }
        q.mul(num.div(den)).intoArray(y, i);
      }
    }
  }

  /** AS241's tails from lg = log(min(p, 1 - p)), merged into y, and the special cases. */
  private static void invTailStage(double[] p, double[] lg, double[] y, int vb) {
    double[] c = FinanceMath.AS_C;
    double[] d = FinanceMath.AS_D;
    double[] e = FinanceMath.AS_E;
    double[] f = FinanceMath.AS_F;
    for (int i = 0; i < vb; i += LANES) {
      DoubleVector pv = DoubleVector.fromArray(D, p, i);
      DoubleVector q = pv.sub(0.5);
      VectorMask<Double> tail = q.abs().compare(VectorOperators.LE, FinanceMath.AS_SPLIT1).not();
      VectorMask<Double> inside =
          pv.compare(VectorOperators.GT, 0.0).and(pv.compare(VectorOperators.LT, 1.0));
      if (!tail.anyTrue() && inside.allTrue()) {
        continue;
      }
      DoubleVector res = DoubleVector.fromArray(D, y, i);
      if (tail.anyTrue()) {
        DoubleVector r = DoubleVector.fromArray(D, lg, i).neg().sqrt();
        VectorMask<Double> lo = r.compare(VectorOperators.LE, FinanceMath.AS_SPLIT2);
        VectorMask<Double> tailLo = tail.and(lo);
        VectorMask<Double> tailHi = tail.and(lo.not());
        DoubleVector num = DoubleVector.zero(D);
        DoubleVector den = DoubleVector.broadcast(D, 1.0);
        if (tailLo.anyTrue()) {
          DoubleVector x = r.sub(FinanceMath.AS_CONST2);
          DoubleVector n1 = DoubleVector.broadcast(D, c[0]);
          DoubleVector d1 = DoubleVector.broadcast(D, d[0]);
          for (int j = 1; j < 8; j++) {
            n1 = n1.fma(x, DoubleVector.broadcast(D, c[j]));
            d1 = d1.fma(x, DoubleVector.broadcast(D, d[j]));
          }
          num = num.blend(n1, tailLo);
          den = den.blend(d1, tailLo);
        }
        if (tailHi.anyTrue()) {
          DoubleVector x = r.sub(FinanceMath.AS_SPLIT2);
          DoubleVector n2 = DoubleVector.broadcast(D, e[0]);
          DoubleVector d2 = DoubleVector.broadcast(D, f[0]);
          for (int j = 1; j < 8; j++) {
            n2 = n2.fma(x, DoubleVector.broadcast(D, e[j]));
            d2 = d2.fma(x, DoubleVector.broadcast(D, f[j]));
          }
          num = num.blend(n2, tailHi);
          den = den.blend(d2, tailHi);
        }
        DoubleVector ratio = num.div(den);
        res = res.blend(ratio.blend(ratio.neg(), q.compare(VectorOperators.LT, 0.0)), tail);
      }
      if (!inside.allTrue()) {
        res =
            res.blend(Double.NaN, inside.not())
                .blend(Double.NEGATIVE_INFINITY, pv.compare(VectorOperators.EQ, 0.0))
                .blend(Double.POSITIVE_INFINITY, pv.compare(VectorOperators.EQ, 1.0));
      }
      res.intoArray(y, i);
    }
  }

  // ---------------------------------------------------------------- blocks, bitmaps

  /** dst[j] = src[row(k0 + j)] for j in [0, c): a bulk copy without a selection. */
  private static void load(
      MemorySegment src, @Nullable MemorySegment sel, int k0, int c, double[] dst) {
    if (sel == null) {
      MemorySegment.copy(src, F64, (long) k0 << 3, dst, 0, c);
    } else {
      for (int j = 0; j < c; j++) {
        dst[j] = src.getAtIndex(F64, sel.getAtIndex(I32, k0 + j));
      }
    }
  }

  /** out[row(k0 + j)] = src[j] for j in [0, c). */
  private static void store(
      double[] src, MemorySegment out, @Nullable MemorySegment sel, int k0, int c) {
    if (sel == null) {
      MemorySegment.copy(src, 0, out, F64, (long) k0 << 3, c);
    } else {
      for (int j = 0; j < c; j++) {
        out.setAtIndex(F64, sel.getAtIndex(I32, k0 + j), src[j]);
      }
    }
  }

  /** Bit j of words = bit row(k0 + j) of the bitmap, j in [0, c); k0 is a multiple of 64. */
  private static void loadBits(
      MemorySegment bitmap, @Nullable MemorySegment sel, int k0, int c, long[] words) {
    Arrays.fill(words, 0L);
    if (sel == null) {
      long base = (long) k0 >>> 3;
      int bytes = (c + 7) >>> 3;
      int w = 0;
      for (; 8 * w + 8 <= bytes; w++) {
        words[w] = bitmap.get(ArrowLayout.INT64, base + 8L * w);
      }
      for (int b = 8 * w; b < bytes; b++) {
        words[w] |= (bitmap.get(ValueLayout.JAVA_BYTE, base + b) & 0xFFL) << ((b & 7) << 3);
      }
      return;
    }
    for (int j = 0; j < c; j++) {
      int row = sel.getAtIndex(I32, k0 + j);
      if ((bitmap.get(ValueLayout.JAVA_BYTE, row >>> 3) & (1 << (row & 7))) != 0) {
        words[j >>> 6] |= 1L << j;
      }
    }
  }

  /** The positions j in [0, c) whose row(k0 + j) is null, into nulls; returns how many. */
  private static int nullRows(
      @Nullable MemorySegment validity, @Nullable MemorySegment sel, int k0, int c, int[] nulls) {
    if (validity == null) {
      return 0;
    }
    int count = 0;
    if (sel == null) {
      int j = 0;
      while (j < c) {
        long row = (long) k0 + j;
        if ((row & 7) == 0
            && j + 8 <= c
            && validity.get(ValueLayout.JAVA_BYTE, row >>> 3) == (byte) 0xFF) {
          j += 8;
          continue;
        }
        if (!Validity.isValid(validity, row)) {
          nulls[count++] = j;
        }
        j++;
      }
    } else {
      for (int j = 0; j < c; j++) {
        if (!Validity.isValid(validity, sel.getAtIndex(I32, k0 + j))) {
          nulls[count++] = j;
        }
      }
    }
    return count;
  }

  // ---------------------------------------------------------------- Cholesky and checks

  /**
   * Cholesky-Banachiewicz on a row-major copy: L[i][j] = (A[i][j] - sum_k L[i][k] L[j][k]) /
   * L[j][j]. A pivot within tol = 1e-12 max|A_ii| of zero makes a zero column (semi-definite); a
   * pivot below -tol, a non-zero entry over a zero pivot, an asymmetry above tol or a non-finite
   * entry is an error naming the row and column.
   */
  static double[] choleskyFactor(double[] a, int dim) {
    double scale = 0.0;
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < dim; j++) {
        double v = a[i * dim + j];
        if (!Double.isFinite(v)) {
          throw KernelException.invalid(
              "cholesky", i, "matrix entry at row " + i + ", column " + j + " is " + v);
        }
      }
      scale = Math.max(scale, Math.abs(a[i * dim + i]));
    }
    double tol = 1e-12 * scale;
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < i; j++) {
        double x = a[i * dim + j];
        double y = a[j * dim + i];
        if (Math.abs(x - y) > tol) {
          throw KernelException.invalid(
              "cholesky",
              i,
              "matrix is not symmetric: row "
                  + i
                  + ", column "
                  + j
                  + " is "
                  + x
                  + " but row "
                  + j
                  + ", column "
                  + i
                  + " is "
                  + y);
        }
      }
    }
    double[] l = new double[dim * dim];
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = a[i * dim + j];
        for (int k = 0; k < j; k++) {
          sum -= l[i * dim + k] * l[j * dim + k];
        }
        if (i == j) {
          if (sum < -tol) {
            throw KernelException.invalid(
                "cholesky",
                i,
                "matrix is not positive semi-definite: pivot at row "
                    + i
                    + ", column "
                    + i
                    + " is "
                    + sum);
          }
          l[i * dim + i] = sum > tol ? Math.sqrt(sum) : 0.0;
        } else {
          double pivot = l[j * dim + j];
          if (pivot > 0.0) {
            l[i * dim + j] = sum / pivot;
          } else if (Math.abs(sum) <= tol) {
            l[i * dim + j] = 0.0;
          } else {
            throw KernelException.invalid(
                "cholesky",
                i,
                "matrix is not positive semi-definite: row "
                    + i
                    + ", column "
                    + j
                    + " is "
                    + sum
                    + " over a zero pivot in column "
                    + j);
          }
        }
      }
    }
    return l;
  }

  /** Argument checks shared by the finance kernels: IllegalArgumentException naming the value. */
  static final class FinanceChecks {
    private FinanceChecks() {}

    static void count(String kernel, String name, int value) {
      if (value < 0) {
        throw new IllegalArgumentException(kernel + ": " + name + " must be >= 0, got " + value);
      }
    }

    /** Checks n and the selection; returns the number of rows the inputs must hold. */
    static long rows(String kernel, int n, @Nullable MemorySegment sel) {
      count(kernel, "n", n);
      if (sel == null || n == 0) {
        return n;
      }
      if (sel.byteSize() < Selection.bytes(n)) {
        throw new IllegalArgumentException(
            kernel
                + ": sel has "
                + sel.byteSize()
                + " bytes, needs "
                + Selection.bytes(n)
                + " for "
                + n
                + " rows");
      }
      int last = sel.getAtIndex(ArrowLayout.INT32, n - 1);
      if (last < 0) {
        throw new IllegalArgumentException(kernel + ": sel[" + (n - 1) + "] is negative: " + last);
      }
      return (long) last + 1;
    }

    static void column(String kernel, String name, MemorySegment seg, long rows) {
      if (seg.byteSize() < 8 * rows) {
        throw new IllegalArgumentException(
            kernel
                + ": "
                + name
                + " has "
                + seg.byteSize()
                + " bytes, needs "
                + 8 * rows
                + " for "
                + rows
                + " float64 rows");
      }
    }

    static void columnIfPresent(
        String kernel, String name, @Nullable MemorySegment seg, long rows) {
      if (seg != null) {
        column(kernel, name, seg, rows);
      }
    }

    static void bitmap(String kernel, String name, @Nullable MemorySegment seg, long rows) {
      if (seg != null && seg.byteSize() < ArrowLayout.bitmapBytes(rows)) {
        throw new IllegalArgumentException(
            kernel
                + ": "
                + name
                + " bitmap has "
                + seg.byteSize()
                + " bytes, needs "
                + ArrowLayout.bitmapBytes(rows)
                + " for "
                + rows
                + " rows");
      }
    }
  }
}
