package dev.amalgam.bench.kernels;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.LikePattern;
import dev.amalgam.kernels.StringKernels;
import dev.amalgam.kernels.Validity;
import dev.amalgam.kernels.reference.ScalarStringKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
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
 * String kernels over {@code rows} TPC-H-comment-like strings (words from the TPC-H text grammar,
 * 19 to 78 bytes, 5% nulls, about 200 MB at the default size, far larger than the caches) and a
 * dictionary-encoded column of the 150 TPC-H part types; one invocation processes every row.
 *
 * <p>{@code likeContains}: LIKE '%special%' (one scan of the data buffer). {@code likeGeneral}:
 * LIKE '%special%requests%' (TPC-H Q13). {@code likePrefix}: LIKE 'furiously%'. {@code
 * equalsConstant}: = a constant 48-byte comment (lengths compared in vectors first). {@code
 * dictionaryEquals}: p_type = 'PROMO BRUSHED STEEL' on the indices. {@code dictionaryLike}: p_type
 * LIKE 'PROMO%' (TPC-H Q14). {@code charLength}: char_length into an int32 column. Scores are
 * invocations per second; rows/s = score x rows. Run with {@code ./amalgam bench jmh
 * StringBenchmark} (add {@code -p rows=1048576} for a smaller run).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StringBenchmark {

  /** Mean bytes of a comment: lengths are uniform in [19, 78]. */
  private static final int COMMENT_BYTES = 49;

  /**
   * Bytes each benchmark reads and writes per row: offsets (4) and the comment bytes (49) for the
   * scans, only the offsets for equality (a byte compare is needed for about 1 row in 60), the
   * indices (4) for dictionaries, plus the int32 output of charLength; selection writes are below
   * one byte per row at these selectivities.
   */
  public static final Map<String, Integer> BYTES_PER_ROW =
      Map.of(
          "likeContains", 4 + COMMENT_BYTES,
          "likeGeneral", 4 + COMMENT_BYTES,
          "likePrefix", 4 + COMMENT_BYTES,
          "equalsConstant", 4,
          "dictionaryEquals", 4,
          "dictionaryLike", 4,
          "charLength", 4 + COMMENT_BYTES + 4);

  /** {@code vector}: {@link StringKernels#cpu()}; {@code scalar}: the scalar reference. */
  @Param({"vector", "scalar"})
  public String impl;

  /** Rows per invocation. */
  @Param({"4194304"})
  public int rows;

  private static final String[] WORDS = {
    "furiously",
    "special",
    "requests",
    "pending",
    "deposits",
    "carefully",
    "final",
    "accounts",
    "ironic",
    "packages",
    "blithely",
    "regular",
    "instructions",
    "quickly",
    "express",
    "theodolites",
    "slyly",
    "bold",
    "foxes",
    "unusual",
    "pinto",
    "beans",
    "sleep",
    "haggle",
    "among",
    "the",
    "across",
    "even",
    "dependencies",
    "wake",
    "nag",
    "according",
    "to",
    "platelets",
    "asymptotes",
    "courts",
    "cajole",
    "boost",
    "dolphins",
    "excuses",
    "ideas",
    "silent",
    "quiet",
    "fluffily",
    "about",
    "above",
    "after",
    "along",
    "integrate",
    "detect",
    "use",
    "are",
    "thinly",
    "idly",
    "busy",
    "ruthless",
    "permanent",
    "doggedly",
    "frays",
    "warhorses",
    "epitaphs",
    "pearls",
    "tithes",
    "gifts",
    "sheaves",
    "sentiments",
    "decoys",
    "realms",
    "grouches",
    "escapades",
  };

  private static final String[] TYPE_1 = {
    "STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"
  };
  private static final String[] TYPE_2 = {"ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"};
  private static final String[] TYPE_3 = {"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"};

  private StringKernels kernels;
  private Arena arena;
  private MemorySegment offsets;
  private MemorySegment data;
  private MemorySegment validity;
  private MemorySegment out;
  private MemorySegment outValidity;
  private MemorySegment indices;
  private MemorySegment indexValidity;
  private MemorySegment dictOffsets;
  private MemorySegment dictData;
  private int dictSize;
  private byte[] constant;
  private LikePattern contains;
  private LikePattern general;
  private LikePattern prefix;
  private LikePattern dictPrefix;
  private byte[] dictConstant;

  /** Generates the columns (seeded, the same for both implementations). */
  @Setup(Level.Trial)
  @SuppressWarnings("MustBeClosedChecker") // closed in tearDown()
  public void setUp() {
    kernels =
        switch (impl) {
          case "vector" -> StringKernels.cpu();
          case "scalar" -> new ScalarStringKernels();
          default -> throw new IllegalArgumentException("impl must be vector or scalar: " + impl);
        };
    arena = Arena.ofShared();
    SplittableRandom rnd = new SplittableRandom(42);
    byte[][] words = new byte[WORDS.length][];
    for (int i = 0; i < WORDS.length; i++) {
      words[i] = WORDS[i].getBytes(StandardCharsets.UTF_8);
    }
    offsets = arena.allocate(4L * (rows + 1), 64);
    data = arena.allocate((long) rows * 78 + 64, 64);
    validity = arena.allocate(ArrowLayout.paddedBitmapBytes(rows), 64);
    byte[] row = new byte[78 + 16];
    long pos = 0;
    for (int i = 0; i < rows; i++) {
      offsets.setAtIndex(ArrowLayout.INT32, i, (int) pos);
      int target = 19 + rnd.nextInt(60);
      int len = 0;
      while (len < target) {
        byte[] w = words[rnd.nextInt(words.length)];
        int take = Math.min(w.length, target - len);
        System.arraycopy(w, 0, row, len, take);
        len += take;
        if (len < target) {
          row[len++] = ' ';
        }
      }
      MemorySegment.copy(row, 0, data, ValueLayout.JAVA_BYTE, pos, len);
      pos += len;
      Validity.set(validity, i, rnd.nextInt(20) != 0);
    }
    offsets.setAtIndex(ArrowLayout.INT32, rows, (int) pos);
    int c = rows / 2;
    int cs = offsets.getAtIndex(ArrowLayout.INT32, c);
    constant =
        data.asSlice(cs, offsets.getAtIndex(ArrowLayout.INT32, c + 1) - cs)
            .toArray(ValueLayout.JAVA_BYTE);
    out = arena.allocate(4L * rows, 64);
    outValidity = arena.allocate(ArrowLayout.paddedBitmapBytes(rows), 64);
    contains = LikePattern.compile("%special%");
    general = LikePattern.compile("%special%requests%");
    prefix = LikePattern.compile("furiously%");

    dictSize = TYPE_1.length * TYPE_2.length * TYPE_3.length;
    dictOffsets = arena.allocate(4L * (dictSize + 1), 64);
    dictData = arena.allocate(32L * dictSize, 64);
    long dpos = 0;
    int d = 0;
    for (String a : TYPE_1) {
      for (String b : TYPE_2) {
        for (String t : TYPE_3) {
          byte[] v = (a + " " + b + " " + t).getBytes(StandardCharsets.UTF_8);
          dictOffsets.setAtIndex(ArrowLayout.INT32, d++, (int) dpos);
          MemorySegment.copy(v, 0, dictData, ValueLayout.JAVA_BYTE, dpos, v.length);
          dpos += v.length;
        }
      }
    }
    dictOffsets.setAtIndex(ArrowLayout.INT32, dictSize, (int) dpos);
    indices = arena.allocate(4L * rows, 64);
    indexValidity = arena.allocate(ArrowLayout.paddedBitmapBytes(rows), 64);
    for (int i = 0; i < rows; i++) {
      indices.setAtIndex(ArrowLayout.INT32, i, rnd.nextInt(dictSize));
      Validity.set(indexValidity, i, rnd.nextInt(50) != 0);
    }
    dictConstant = "PROMO BRUSHED STEEL".getBytes(StandardCharsets.UTF_8);
    dictPrefix = LikePattern.compile("PROMO%");
  }

  /** Frees the columns. */
  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /** LIKE '%special%'. */
  @Benchmark
  public int likeContains() {
    return kernels.like(offsets, data, validity, null, rows, contains, out);
  }

  /** LIKE '%special%requests%'. */
  @Benchmark
  public int likeGeneral() {
    return kernels.like(offsets, data, validity, null, rows, general, out);
  }

  /** LIKE 'furiously%'. */
  @Benchmark
  public int likePrefix() {
    return kernels.like(offsets, data, validity, null, rows, prefix, out);
  }

  /** = a constant comment. */
  @Benchmark
  public int equalsConstant() {
    return kernels.compare(offsets, data, validity, null, rows, StringKernels.Op.EQ, constant, out);
  }

  /** p_type = 'PROMO BRUSHED STEEL' on dictionary indices. */
  @Benchmark
  public int dictionaryEquals() {
    return kernels.dictionaryCompare(
        indices,
        indexValidity,
        null,
        rows,
        dictOffsets,
        dictData,
        null,
        dictSize,
        StringKernels.Op.EQ,
        dictConstant,
        out);
  }

  /** p_type LIKE 'PROMO%' on dictionary indices. */
  @Benchmark
  public int dictionaryLike() {
    return kernels.dictionaryLike(
        indices, indexValidity, null, rows, dictOffsets, dictData, null, dictSize, dictPrefix, out);
  }

  /** char_length into an int32 column. */
  @Benchmark
  public int charLength() {
    kernels.charLength(offsets, data, validity, null, rows, out, outValidity);
    return out.getAtIndex(ArrowLayout.INT32, rows - 1);
  }
}
