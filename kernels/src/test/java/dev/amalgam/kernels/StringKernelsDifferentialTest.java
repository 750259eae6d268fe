package dev.amalgam.kernels;

import static dev.amalgam.kernels.StringColumns.Alphabet;
import static dev.amalgam.kernels.StringColumns.Column;
import static dev.amalgam.kernels.StringColumns.DictColumn;
import static dev.amalgam.kernels.StringColumns.bits;
import static dev.amalgam.kernels.StringColumns.count;
import static dev.amalgam.kernels.StringColumns.ints;
import static dev.amalgam.kernels.StringColumns.toInts;
import static dev.amalgam.kernels.StringColumns.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.kernels.StringKernels.Op;
import dev.amalgam.kernels.reference.ScalarStringKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU string kernels against the scalar reference on random columns (ASCII, multi-byte UTF-8
 * and ill-formed UTF-8, with and without nulls and input selections), sizes swept across vector
 * widths and a 4 KiB page. Every case names its seed; rerun one with -Damalgam.test.seed=N.
 */
final class StringKernelsDifferentialTest {
  private static final StringKernels CPU = StringKernels.cpu();
  private static final StringKernels REF = new ScalarStringKernels();

  /** One randomized case. */
  record Case(int size, Alphabet alphabet, long seed) {
    @Override
    public String toString() {
      return "size=" + size + " " + alphabet + " seed=" + seed;
    }
  }

  static Stream<Case> cases() {
    int ints = IntVector.SPECIES_PREFERRED.length();
    int bytes = ByteVector.SPECIES_PREFERRED.length();
    int[] sizes = {0, 1, 2, ints - 1, ints, ints + 1, 2 * ints + 3, bytes - 1, bytes, bytes + 1};
    List<Case> out = new ArrayList<>();
    for (Alphabet a : Alphabet.values()) {
      for (int size : sizes) {
        out.add(new Case(size, a, StringColumns.BASE_SEED + 31L * size + a.ordinal()));
      }
      // one large case per alphabet (past a 4 KiB page for multi-byte text)
      int large = a == Alphabet.UTF8 ? 4099 : 1000;
      out.add(new Case(large, a, StringColumns.BASE_SEED + 31L * large + a.ordinal()));
    }
    return out.stream();
  }

  private static String describe(Case c, String what) {
    return c + " (-Damalgam.test.seed=" + StringColumns.BASE_SEED + ") " + what;
  }

  /** Constants for comparisons: some rows' values, their prefixes, and random strings. */
  private static List<byte[]> constants(Random rnd, Column col, Alphabet alphabet) {
    List<byte[]> out = new ArrayList<>();
    out.add(new byte[0]);
    for (int i = 0; i < 4 && col.n() > 0; i++) {
      byte[] v = col.values()[rnd.nextInt(col.n())];
      out.add(v);
      out.add(Arrays.copyOf(v, v.length / 2));
    }
    out.add(StringColumns.randomValue(rnd, alphabet));
    out.add(utf8("a"));
    return out;
  }

  /** Patterns of every kind, with escapes, plus random ones and ones cut from the data. */
  private static List<LikePattern> patterns(Random rnd, Column col) {
    List<LikePattern> out = new ArrayList<>();
    String[] fixed = {
      "",
      "%",
      "%%",
      "a",
      "a%",
      "%a",
      "%a%",
      "%ab%",
      "ab%",
      "%ab",
      "_",
      "__",
      "a_",
      "_a",
      "%_",
      "_%",
      "%_%",
      "a%b",
      "%a%b%",
      "a%b%",
      "%a%b",
      "é",
      "é%",
      "%€",
      "%😀%",
      "_é_",
      "%é_%",
      "%\\%%",
      "%\\_%",
      "a\\%b",
      "%a_%b_",
      "ab%ab",
      "%b%b%b%",
      "%__%",
      "😀%😀",
      "%€€%",
      "a%_b",
      "%aa%",
      "%abcabcab%"
    };
    for (String p : fixed) {
      out.add(LikePattern.compile(p, '\\'));
    }
    String[] tokens = {"a", "b", "é", "€", "😀", "%", "_", "\\%", "\\_", "\\\\", "ab"};
    for (int i = 0; i < 8; i++) {
      StringBuilder p = new StringBuilder();
      int len = rnd.nextInt(7);
      for (int j = 0; j < len; j++) {
        p.append(tokens[rnd.nextInt(tokens.length)]);
      }
      out.add(LikePattern.compile(p.toString(), '\\'));
    }
    // literals from the data: '%lit%', 'lit%', '%lit' (no escape, so % and _ in them are wild)
    for (int i = 0; i < 4 && col.n() > 0; i++) {
      byte[] v = col.values()[rnd.nextInt(col.n())];
      String s = new String(v, java.nio.charset.StandardCharsets.UTF_8);
      int from = s.isEmpty() ? 0 : rnd.nextInt(s.length());
      String lit = s.substring(from, Math.min(s.length(), from + 1 + rnd.nextInt(12)));
      if (!lit.isEmpty() && !Character.isSurrogate(lit.charAt(0))) {
        if (Character.isHighSurrogate(lit.charAt(lit.length() - 1))) {
          lit = lit.substring(0, lit.length() - 1);
        }
        out.add(LikePattern.compile("%" + lit + "%"));
        out.add(LikePattern.compile(lit + "%"));
        out.add(LikePattern.compile("%" + lit));
      }
    }
    return out;
  }

  /** Up to {@code k} random elements when the column is large (all of them when it is small). */
  private static <T> List<T> sample(List<T> all, int k, int size, Random rnd) {
    if (size <= 200 || all.size() <= k) {
      return all;
    }
    List<T> copy = new ArrayList<>(all);
    java.util.Collections.shuffle(copy, rnd);
    return copy.subList(0, k);
  }

  private static int[] select(Selector f, MemorySegment out, int n) {
    return toInts(out, f.run(out));
  }

  /** Runs a kernel into an output selection and returns its count. */
  private interface Selector {
    int run(MemorySegment out);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void compare_randomColumns_matchesReference(Case c) {
    Random rnd = new Random(c.seed());
    try (Arena arena = Arena.ofConfined()) {
      Column col = StringColumns.randomColumn(arena, rnd, c.size(), c.alphabet(), rnd.nextInt(3));
      for (boolean useSel : new boolean[] {false, true}) {
        MemorySegment sel = StringColumns.randomSelection(arena, rnd, c.size(), useSel);
        int n = sel == null ? c.size() : count(sel);
        MemorySegment a = ints(arena, n);
        MemorySegment b = ints(arena, n);
        for (byte[] k : constants(rnd, col, c.alphabet())) {
          for (Op op : Op.values()) {
            int[] got =
                select(
                    o -> CPU.compare(col.offsets(), col.data(), col.validity(), sel, n, op, k, o),
                    a,
                    n);
            int[] want =
                select(
                    o -> REF.compare(col.offsets(), col.data(), col.validity(), sel, n, op, k, o),
                    b,
                    n);
            assertThat(got)
                .as(describe(c, op + " '" + new String(k) + "' sel=" + useSel))
                .isEqualTo(want);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void compareColumns_randomColumns_matchesReference(Case c) {
    Random rnd = new Random(c.seed());
    try (Arena arena = Arena.ofConfined()) {
      Column x = StringColumns.randomColumn(arena, rnd, c.size(), c.alphabet(), rnd.nextInt(3));
      // b: half the rows copy a's value (so equality happens), the rest random
      byte[][] values = new byte[c.size()][];
      for (int i = 0; i < c.size(); i++) {
        values[i] =
            rnd.nextBoolean() ? x.values()[i] : StringColumns.randomValue(rnd, c.alphabet());
      }
      boolean[] valid = new boolean[c.size()];
      for (int i = 0; i < c.size(); i++) {
        valid[i] = rnd.nextInt(6) != 0;
      }
      Column y = StringColumns.column(arena, values, rnd.nextBoolean() ? valid : null, 3);
      for (boolean useSel : new boolean[] {false, true}) {
        MemorySegment sel = StringColumns.randomSelection(arena, rnd, c.size(), useSel);
        int n = sel == null ? c.size() : count(sel);
        for (Op op : Op.values()) {
          int[] got =
              select(
                  o ->
                      CPU.compareColumns(
                          x.offsets(),
                          x.data(),
                          x.validity(),
                          y.offsets(),
                          y.data(),
                          y.validity(),
                          sel,
                          n,
                          op,
                          o),
                  ints(arena, n),
                  n);
          int[] want =
              select(
                  o ->
                      REF.compareColumns(
                          x.offsets(),
                          x.data(),
                          x.validity(),
                          y.offsets(),
                          y.data(),
                          y.validity(),
                          sel,
                          n,
                          op,
                          o),
                  ints(arena, n),
                  n);
          assertThat(got).as(describe(c, op + " sel=" + useSel)).isEqualTo(want);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void likeAndNotLike_randomPatterns_matchReference(Case c) {
    Random rnd = new Random(c.seed());
    try (Arena arena = Arena.ofConfined()) {
      Column col = StringColumns.randomColumn(arena, rnd, c.size(), c.alphabet(), rnd.nextInt(3));
      List<LikePattern> patterns = sample(patterns(rnd, col), 24, c.size(), rnd);
      for (boolean useSel : new boolean[] {false, true}) {
        MemorySegment sel = StringColumns.randomSelection(arena, rnd, c.size(), useSel);
        int n = sel == null ? c.size() : count(sel);
        MemorySegment a = ints(arena, n);
        MemorySegment b = ints(arena, n);
        for (LikePattern p : patterns) {
          int[] got =
              select(o -> CPU.like(col.offsets(), col.data(), col.validity(), sel, n, p, o), a, n);
          int[] want =
              select(o -> REF.like(col.offsets(), col.data(), col.validity(), sel, n, p, o), b, n);
          assertThat(got).as(describe(c, p + " sel=" + useSel)).isEqualTo(want);
          got =
              select(
                  o -> CPU.notLike(col.offsets(), col.data(), col.validity(), sel, n, p, o), a, n);
          want =
              select(
                  o -> REF.notLike(col.offsets(), col.data(), col.validity(), sel, n, p, o), b, n);
          assertThat(got).as(describe(c, "NOT " + p + " sel=" + useSel)).isEqualTo(want);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void inAndBitmaps_randomColumns_matchReference(Case c) {
    Random rnd = new Random(c.seed());
    try (Arena arena = Arena.ofConfined()) {
      Column col = StringColumns.randomColumn(arena, rnd, c.size(), c.alphabet(), rnd.nextInt(3));
      List<byte[]> constants = constants(rnd, col, c.alphabet());
      byte[][] list =
          constants.subList(0, rnd.nextInt(constants.size() + 1)).toArray(byte[][]::new);
      for (boolean useSel : new boolean[] {false, true}) {
        MemorySegment sel = StringColumns.randomSelection(arena, rnd, c.size(), useSel);
        int n = sel == null ? c.size() : count(sel);
        int[] got =
            select(
                o -> CPU.in(col.offsets(), col.data(), col.validity(), sel, n, list, o),
                ints(arena, n),
                n);
        int[] want =
            select(
                o -> REF.in(col.offsets(), col.data(), col.validity(), sel, n, list, o),
                ints(arena, n),
                n);
        assertThat(got).as(describe(c, "IN of " + list.length + " sel=" + useSel)).isEqualTo(want);
      }
      int n = c.size();
      MemorySegment a = arena.allocate(ArrowLayout.bitmapBytes(n), 1);
      MemorySegment b = arena.allocate(ArrowLayout.bitmapBytes(n), 1);
      int ca = CPU.inBitmap(col.offsets(), col.data(), col.validity(), n, list, a);
      int cb = REF.inBitmap(col.offsets(), col.data(), col.validity(), n, list, b);
      assertThat(bits(a, n)).as(describe(c, "inBitmap")).isEqualTo(bits(b, n));
      assertThat(ca).isEqualTo(cb);
      for (byte[] k : sample(constants, 4, c.size(), rnd)) {
        for (Op op : Op.values()) {
          a.fill((byte) 0xFF);
          ca = CPU.compareBitmap(col.offsets(), col.data(), col.validity(), n, op, k, a);
          cb = REF.compareBitmap(col.offsets(), col.data(), col.validity(), n, op, k, b);
          assertThat(bits(a, n)).as(describe(c, "compareBitmap " + op)).isEqualTo(bits(b, n));
          assertThat(ca).isEqualTo(cb);
        }
      }
      for (LikePattern p : sample(patterns(rnd, col), 12, c.size(), rnd)) {
        ca = CPU.likeBitmap(col.offsets(), col.data(), col.validity(), n, p, a);
        cb = REF.likeBitmap(col.offsets(), col.data(), col.validity(), n, p, b);
        assertThat(bits(a, n)).as(describe(c, "likeBitmap " + p)).isEqualTo(bits(b, n));
        assertThat(ca).isEqualTo(cb);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void dictionaryKernels_randomDictionaries_matchReference(Case c) {
    Random rnd = new Random(c.seed());
    try (Arena arena = Arena.ofConfined()) {
      // small dictionaries (vector lookups) and ones past 32 x lanes entries (row-by-row lookups)
      int dictSize = rnd.nextInt(4) == 0 ? 513 + rnd.nextInt(100) : 1 + rnd.nextInt(40);
      Column dict = StringColumns.randomColumn(arena, rnd, dictSize, c.alphabet(), rnd.nextInt(3));
      DictColumn col =
          StringColumns.randomDictColumn(arena, rnd, c.size(), dict, rnd.nextBoolean());
      List<byte[]> constants = constants(rnd, dict, c.alphabet());
      byte[][] list =
          constants.subList(0, rnd.nextInt(constants.size() + 1)).toArray(byte[][]::new);
      // the predicates run on the dictionary, so sample them whatever the column size
      List<LikePattern> patterns = sample(patterns(rnd, dict), 10, Integer.MAX_VALUE, rnd);
      for (boolean useSel : new boolean[] {false, true}) {
        MemorySegment sel = StringColumns.randomSelection(arena, rnd, c.size(), useSel);
        int n = sel == null ? c.size() : count(sel);
        MemorySegment a = ints(arena, n);
        MemorySegment b = ints(arena, n);
        String where = " sel=" + useSel + " dictSize=" + dictSize;
        for (byte[] k : sample(constants, 3, Integer.MAX_VALUE, rnd)) {
          for (Op op : Op.values()) {
            int[] got =
                select(
                    o ->
                        CPU.dictionaryCompare(
                            col.indices(),
                            col.validity(),
                            sel,
                            n,
                            dict.offsets(),
                            dict.data(),
                            dict.validity(),
                            dictSize,
                            op,
                            k,
                            o),
                    a,
                    n);
            int[] want =
                select(
                    o ->
                        REF.dictionaryCompare(
                            col.indices(),
                            col.validity(),
                            sel,
                            n,
                            dict.offsets(),
                            dict.data(),
                            dict.validity(),
                            dictSize,
                            op,
                            k,
                            o),
                    b,
                    n);
            assertThat(got).as(describe(c, "dictionary " + op + where)).isEqualTo(want);
          }
        }
        for (LikePattern p : patterns) {
          int[] got =
              select(
                  o ->
                      CPU.dictionaryLike(
                          col.indices(),
                          col.validity(),
                          sel,
                          n,
                          dict.offsets(),
                          dict.data(),
                          dict.validity(),
                          dictSize,
                          p,
                          o),
                  a,
                  n);
          int[] want =
              select(
                  o ->
                      REF.dictionaryLike(
                          col.indices(),
                          col.validity(),
                          sel,
                          n,
                          dict.offsets(),
                          dict.data(),
                          dict.validity(),
                          dictSize,
                          p,
                          o),
                  b,
                  n);
          assertThat(got).as(describe(c, "dictionary " + p + where)).isEqualTo(want);
          got =
              select(
                  o ->
                      CPU.dictionaryNotLike(
                          col.indices(),
                          col.validity(),
                          sel,
                          n,
                          dict.offsets(),
                          dict.data(),
                          dict.validity(),
                          dictSize,
                          p,
                          o),
                  a,
                  n);
          want =
              select(
                  o ->
                      REF.dictionaryNotLike(
                          col.indices(),
                          col.validity(),
                          sel,
                          n,
                          dict.offsets(),
                          dict.data(),
                          dict.validity(),
                          dictSize,
                          p,
                          o),
                  b,
                  n);
          assertThat(got).as(describe(c, "dictionary NOT " + p + where)).isEqualTo(want);
        }
        int[] got =
            select(
                o ->
                    CPU.dictionaryIn(
                        col.indices(),
                        col.validity(),
                        sel,
                        n,
                        dict.offsets(),
                        dict.data(),
                        dict.validity(),
                        dictSize,
                        list,
                        o),
                a,
                n);
        int[] want =
            select(
                o ->
                    REF.dictionaryIn(
                        col.indices(),
                        col.validity(),
                        sel,
                        n,
                        dict.offsets(),
                        dict.data(),
                        dict.validity(),
                        dictSize,
                        list,
                        o),
                b,
                n);
        assertThat(got).as(describe(c, "dictionary IN" + where)).isEqualTo(want);
        // raw bitmaps: none, one, all and random entries set
        MemorySegment bm = arena.allocate(ArrowLayout.bitmapBytes(dictSize), 1);
        for (int mode = 0; mode < 4; mode++) {
          bm.fill((byte) 0);
          for (int d = 0; d < dictSize; d++) {
            boolean on =
                switch (mode) {
                  case 0 -> false;
                  case 1 -> d == dictSize / 2;
                  case 2 -> true;
                  default -> rnd.nextBoolean();
                };
            Validity.set(bm, d, on);
          }
          got =
              select(
                  o ->
                      CPU.selectByDictionary(
                          col.indices(), col.validity(), sel, n, bm, dictSize, o),
                  a,
                  n);
          want =
              select(
                  o ->
                      REF.selectByDictionary(
                          col.indices(), col.validity(), sel, n, bm, dictSize, o),
                  b,
                  n);
          assertThat(got)
              .as(describe(c, "selectByDictionary mode " + mode + where))
              .isEqualTo(want);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void lengthsAndSubstring_randomColumns_matchReference(Case c) {
    Random rnd = new Random(c.seed());
    try (Arena arena = Arena.ofConfined()) {
      Column col = StringColumns.randomColumn(arena, rnd, c.size(), c.alphabet(), rnd.nextInt(3));
      for (boolean useSel : new boolean[] {false, true}) {
        MemorySegment sel = StringColumns.randomSelection(arena, rnd, c.size(), useSel);
        int n = sel == null ? c.size() : count(sel);
        String where = " sel=" + useSel;
        MemorySegment a = ints(arena, n);
        MemorySegment b = ints(arena, n);
        MemorySegment va = arena.allocate(ArrowLayout.bitmapBytes(n), 1);
        MemorySegment vb = arena.allocate(ArrowLayout.bitmapBytes(n), 1);
        CPU.octetLength(col.offsets(), col.validity(), sel, n, a, va);
        REF.octetLength(col.offsets(), col.validity(), sel, n, b, vb);
        assertThat(toInts(a, n)).as(describe(c, "octetLength" + where)).isEqualTo(toInts(b, n));
        assertThat(bits(va, n)).as(describe(c, "octetLength validity")).isEqualTo(bits(vb, n));
        CPU.charLength(col.offsets(), col.data(), col.validity(), sel, n, a, va);
        REF.charLength(col.offsets(), col.data(), col.validity(), sel, n, b, vb);
        assertThat(toInts(a, n)).as(describe(c, "charLength" + where)).isEqualTo(toInts(b, n));
        assertThat(bits(va, n)).as(describe(c, "charLength validity")).isEqualTo(bits(vb, n));
        long[][] args = {
          {1, 3},
          {0, 3},
          {-2, 4},
          {2, Long.MAX_VALUE},
          {5, 0},
          {3, 1},
          {-5, 2},
          {Long.MIN_VALUE, 7},
          {Long.MAX_VALUE, 5},
          {1, Long.MAX_VALUE},
          {1 + rnd.nextInt(20), rnd.nextInt(30)}
        };
        for (long[] arg : args) {
          String what = "substring(" + arg[0] + ", " + arg[1] + ")" + where;
          long size =
              CPU.substringSize(col.offsets(), col.data(), col.validity(), sel, n, arg[0], arg[1]);
          long refSize =
              REF.substringSize(col.offsets(), col.data(), col.validity(), sel, n, arg[0], arg[1]);
          assertThat(size).as(describe(c, what + " size")).isEqualTo(refSize);
          MemorySegment oa = ints(arena, n + 1);
          MemorySegment ob = ints(arena, n + 1);
          MemorySegment da = arena.allocate(size, 1);
          MemorySegment db = arena.allocate(size, 1);
          long wa =
              CPU.substring(
                  col.offsets(), col.data(), col.validity(), sel, n, arg[0], arg[1], oa, da, va);
          long wb =
              REF.substring(
                  col.offsets(), col.data(), col.validity(), sel, n, arg[0], arg[1], ob, db, vb);
          assertThat(wa).as(describe(c, what)).isEqualTo(size).isEqualTo(wb);
          assertThat(toInts(oa, n + 1))
              .as(describe(c, what + " offsets"))
              .isEqualTo(toInts(ob, n + 1));
          assertThat(da.toArray(ValueLayout.JAVA_BYTE))
              .as(describe(c, what + " data"))
              .isEqualTo(db.toArray(ValueLayout.JAVA_BYTE));
          assertThat(bits(va, n)).as(describe(c, what + " validity")).isEqualTo(bits(vb, n));
        }
      }
    }
  }
}
