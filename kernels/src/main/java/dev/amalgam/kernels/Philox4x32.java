package dev.amalgam.kernels;

/**
 * Philox4x32-10, the counter-based random number generator of Salmon, Moraes, Dror and Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3" (SC'11; Random123), and the stream layout the
 * finance kernels draw from.
 *
 * <p>A block is a pure function of a 128-bit counter and a 64-bit key: {@code block(counter, key)}
 * gives four 32-bit words. Nothing is stateful, so any device can compute any part of a stream and
 * the result does not depend on how the work was split.
 *
 * <pre>
 *  stream layout (seed, stream, index): value `index` of stream `stream` under key `seed`
 *    key     = (k0, k1)         = (low 32 bits of seed, high 32 bits of seed)
 *    block b = index / 2        counter = (c0, c1, c2, c3) = (lo(b), hi(b), lo(stream), hi(stream))
 *    words   = philox4x32_10(counter, key) = (w0, w1, w2, w3)
 *    bits    = index even ? (w1 : w0) : (w3 : w2)          64 bits, high word first
 *    uniform = (2 * (bits >>> 12) + 1) * 2^-53             the 52 high bits, centred
 *    normal  = Phi^-1(uniform)                              FinanceMath.normInvCdf (AS241)
 * </pre>
 *
 * Uniforms lie on the grid {@code (2m + 1) 2^-53}, {@code 0 <= m < 2^52}: strictly inside (0, 1)
 * (from 2^-53 to 1 - 2^-53), exactly representable, and symmetric ({@code 1 - u} is again on the
 * grid), so normals are symmetric too and lie within about ±8.2.
 */
public final class Philox4x32 {
  private Philox4x32() {}

  /** First Philox multiplier. */
  static final long M0 = 0xD2511F53L;

  /** Second Philox multiplier. */
  static final long M1 = 0xCD9E8D57L;

  /** First Weyl key increment (golden ratio). */
  static final int W0 = 0x9E3779B9;

  /** Second Weyl key increment (sqrt(3) - 1). */
  static final int W1 = 0xBB67AE85;

  /** Rounds of Philox4x32-10. */
  public static final int ROUNDS = 10;

  /** Philox4x32-10 of a 4-word counter and a 2-word key: four 32-bit output words. */
  public static int[] block(int[] counter, int[] key) {
    if (counter.length != 4 || key.length != 2) {
      throw new IllegalArgumentException(
          "counter must have 4 words and key 2, got " + counter.length + " and " + key.length);
    }
    int[] out = new int[4];
    block(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out);
    return out;
  }

  /** Philox4x32-10 of counter (c0..c3) and key (k0, k1), written to {@code out[0..3]}. */
  public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
    int x0 = c0;
    int x1 = c1;
    int x2 = c2;
    int x3 = c3;
    int y0 = k0;
    int y1 = k1;
    for (int round = 0; round < ROUNDS; round++) {
      if (round > 0) {
        y0 += W0;
        y1 += W1;
      }
      long p0 = M0 * Integer.toUnsignedLong(x0);
      long p1 = M1 * Integer.toUnsignedLong(x2);
      int n0 = (int) (p1 >>> 32) ^ x1 ^ y0;
      int n1 = (int) p1;
      int n2 = (int) (p0 >>> 32) ^ x3 ^ y1;
      int n3 = (int) p0;
      x0 = n0;
      x1 = n1;
      x2 = n2;
      x3 = n3;
    }
    out[0] = x0;
    out[1] = x1;
    out[2] = x2;
    out[3] = x3;
  }

  /** The 64 random bits of value {@code index} of stream {@code stream} under key {@code seed}. */
  public static long bits(long seed, long stream, long index) {
    int[] w = new int[4];
    long b = index >>> 1;
    block(
        (int) b,
        (int) (b >>> 32),
        (int) stream,
        (int) (stream >>> 32),
        (int) seed,
        (int) (seed >>> 32),
        w);
    int j = (int) (index & 1) << 1;
    return ((long) w[j + 1] << 32) | Integer.toUnsignedLong(w[j]);
  }

  /** Maps 64 random bits to the uniform {@code (2 * (bits >>> 12) + 1) * 2^-53} in (0, 1). */
  public static double toUniform(long bits) {
    return (double) (((bits >>> 12) << 1) | 1L) * 0x1p-53;
  }

  /** Uniform value {@code index} of stream {@code stream} under key {@code seed}, in (0, 1). */
  public static double uniform(long seed, long stream, long index) {
    return toUniform(bits(seed, stream, index));
  }

  /** Standard normal value {@code index} of a stream: {@code Phi^-1(uniform(...))}. */
  public static double normal(long seed, long stream, long index) {
    return FinanceMath.normInvCdf(uniform(seed, stream, index));
  }
}
