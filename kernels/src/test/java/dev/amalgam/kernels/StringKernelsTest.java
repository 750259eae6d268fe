package dev.amalgam.kernels;

import static dev.amalgam.kernels.StringColumns.Column;
import static dev.amalgam.kernels.StringColumns.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.kernels.StringKernels.Op;
import dev.amalgam.kernels.reference.ScalarStringKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Known answers (SQL semantics, ill-formed UTF-8) and argument errors of the string kernels. */
final class StringKernelsTest {
  private static final List<StringKernels> BOTH =
      List.of(StringKernels.cpu(), new ScalarStringKernels());

  private static Column column(Arena arena, String... values) {
    byte[][] bytes = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = utf8(values[i]);
    }
    return StringColumns.column(arena, bytes, null, 0);
  }

  @Test
  void charLength_illFormedUtf8_countsEachBadByteAsOneCodePoint() {
    byte[][] values = {
      {(byte) 0xE2, (byte) 0x82}, // truncated euro sign
      {(byte) 0xC0, (byte) 0x80}, // overlong NUL
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // surrogate D800
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
      {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, // U+1F600, well-formed
      {'a', (byte) 0xE2, (byte) 0x82, (byte) 0xAC, (byte) 0x80}, // a, euro, stray continuation
      {(byte) 0xE2, (byte) 0x82, 'x'}, // cut short by an ASCII byte
    };
    int[] expected = {2, 2, 3, 4, 1, 3, 3};
    try (Arena arena = Arena.ofConfined()) {
      Column col = StringColumns.column(arena, values, null, 0);
      for (StringKernels k : BOTH) {
        MemorySegment out = StringColumns.ints(arena, values.length);
        k.charLength(col.offsets(), col.data(), null, null, values.length, out, null);
        assertThat(StringColumns.toInts(out, values.length))
            .as(k.getClass().getSimpleName())
            .containsExactly(expected);
      }
    }
  }

  @Test
  void substring_sqlSemantics_knownAnswers() {
    Object[][] cases = {
      {1L, 3L, "hel"},
      {0L, 3L, "he"},
      {-1L, 3L, "h"},
      {-3L, 3L, ""},
      {4L, 100L, "lo"},
      {6L, 1L, ""},
      {2L, Long.MAX_VALUE, "ello"},
      {3L, 0L, ""},
      {Long.MIN_VALUE, Long.MAX_VALUE, ""}
    };
    try (Arena arena = Arena.ofConfined()) {
      Column col = column(arena, "hello");
      for (StringKernels k : BOTH) {
        for (Object[] c : cases) {
          assertThat(substring(arena, k, col, (long) c[0], (long) c[1]))
              .as("%s substring(%s, %s)", k.getClass().getSimpleName(), c[0], c[1])
              .containsExactly((String) c[2]);
        }
      }
    }
  }

  @Test
  void substring_multiByte_countsCodePointsNotBytes() {
    try (Arena arena = Arena.ofConfined()) {
      Column col = column(arena, "h€llo😀", "😀😀é", "");
      for (StringKernels k : BOTH) {
        assertThat(substring(arena, k, col, 2, 3)).containsExactly("€ll", "😀é", "");
        assertThat(substring(arena, k, col, 6, 1)).containsExactly("😀", "", "");
      }
    }
  }

  private static String[] substring(
      Arena arena, StringKernels k, Column col, long start, long len) {
    int n = col.n();
    long size = k.substringSize(col.offsets(), col.data(), null, null, n, start, len);
    MemorySegment offsets = StringColumns.ints(arena, n + 1);
    MemorySegment data = arena.allocate(size, 1);
    long written =
        k.substring(col.offsets(), col.data(), null, null, n, start, len, offsets, data, null);
    assertThat(written).isEqualTo(size);
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      int s = offsets.getAtIndex(ArrowLayout.INT32, i);
      int e = offsets.getAtIndex(ArrowLayout.INT32, i + 1);
      out[i] =
          new String(data.asSlice(s, e - s).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
    return out;
  }

  @Test
  void compare_multiByte_ordersByCodePoint() {
    try (Arena arena = Arena.ofConfined()) {
      Column col = column(arena, "a", "b", "é", "€", "😀", "z", "", "ab");
      for (StringKernels k : BOTH) {
        MemorySegment out = StringColumns.ints(arena, col.n());
        int count =
            k.compare(col.offsets(), col.data(), null, null, col.n(), Op.GT, utf8("é"), out);
        assertThat(Selection.toArray(out, count)).containsExactly(3, 4);
        count = k.compare(col.offsets(), col.data(), null, null, col.n(), Op.LT, utf8("b"), out);
        assertThat(Selection.toArray(out, count)).containsExactly(0, 6, 7);
        count = k.compare(col.offsets(), col.data(), null, null, col.n(), Op.EQ, utf8(""), out);
        assertThat(Selection.toArray(out, count)).containsExactly(6);
      }
    }
  }

  @Test
  void compare_nullRows_neverSelected() {
    try (Arena arena = Arena.ofConfined()) {
      Column col =
          StringColumns.column(
              arena,
              new byte[][] {utf8("x"), utf8("x"), utf8("y")},
              new boolean[] {true, false, false},
              0);
      for (StringKernels k : BOTH) {
        MemorySegment out = StringColumns.ints(arena, 3);
        for (Op op : Op.values()) {
          int count =
              k.compare(col.offsets(), col.data(), col.validity(), null, 3, op, utf8("x"), out);
          assertThat(Selection.toArray(out, count))
              .as(op.toString())
              .containsExactly(op.test(0) ? new int[] {0} : new int[0]);
        }
        LikePattern any = LikePattern.compile("%");
        assertThat(k.like(col.offsets(), col.data(), col.validity(), null, 3, any, out)).isOne();
        assertThat(k.notLike(col.offsets(), col.data(), col.validity(), null, 3, any, out))
            .isZero();
      }
    }
  }

  @Test
  void selectByDictionary_indexOutsideDictionary_throwsKernelExceptionNamingRow() {
    // 5 rows: scalar; 40 rows: vector compare with one code (0b010) or a vector lookup (0b110)
    for (int[] nAndBits : new int[][] {{5, 0b010}, {40, 0b010}, {40, 0b110}}) {
      int n = nAndBits[0];
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment indices = StringColumns.ints(arena, n);
        MemorySegment bitmap = arena.allocate(1, 1);
        bitmap.fill((byte) nAndBits[1]);
        for (int i = 0; i < n; i++) {
          indices.setAtIndex(ArrowLayout.INT32, i, i % 3);
        }
        indices.setAtIndex(ArrowLayout.INT32, n - 2, 3);
        for (StringKernels k : BOTH) {
          assertThatThrownBy(
                  () ->
                      k.selectByDictionary(
                          indices, null, null, n, bitmap, 3, StringColumns.ints(arena, n)))
              .isInstanceOf(KernelException.class)
              .hasMessageContaining("row " + (n - 2))
              .hasMessageContaining("index 3 is outside the dictionary [0, 3)")
              .satisfies(e -> assertThat(((KernelException) e).row()).isEqualTo(n - 2));
        }
        // the same index in a null row is ignored
        MemorySegment validity = arena.allocate(ArrowLayout.bitmapBytes(n), 1);
        Validity.setAllValid(validity, n);
        Validity.set(validity, n - 2, false);
        for (StringKernels k : BOTH) {
          MemorySegment out = StringColumns.ints(arena, n);
          int count = k.selectByDictionary(indices, validity, null, n, bitmap, 3, out);
          java.util.List<Integer> expected = new java.util.ArrayList<>();
          for (int i = 0; i < n; i++) {
            if (i != n - 2 && ((nAndBits[1] >>> (i % 3)) & 1) != 0) {
              expected.add(i);
            }
          }
          assertThat(Selection.toArray(out, count))
              .containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
        }
      }
    }
  }

  @Test
  void kernels_badArguments_throwClearMessages() {
    StringKernels k = StringKernels.cpu();
    try (Arena arena = Arena.ofConfined()) {
      Column col = column(arena, "a", "b", "c");
      MemorySegment out = StringColumns.ints(arena, 3);
      LikePattern p = LikePattern.compile("%a%");
      assertThatThrownBy(
              () -> k.compare(col.offsets(), col.data(), null, null, -1, Op.EQ, utf8("a"), out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("compare: n must be >= 0; was -1");
      assertThatThrownBy(
              () ->
                  k.like(col.offsets(), col.data(), null, null, 3, p, StringColumns.ints(arena, 2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("like: out holds 2 int32s; needs n = 3");
      assertThatThrownBy(
              () ->
                  k.like(col.offsets(), col.data(), null, null, 4, p, StringColumns.ints(arena, 4)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("like: offsets hold 4 int32s; need 5 for 4 rows");
      assertThatThrownBy(() -> k.substringSize(col.offsets(), col.data(), null, null, 3, 1, -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("substringSize: negative substring length not allowed; was -1");
      assertThatThrownBy(
              () ->
                  k.substring(
                      col.offsets(),
                      col.data(),
                      null,
                      null,
                      3,
                      1,
                      5,
                      StringColumns.ints(arena, 4),
                      arena.allocate(2, 1),
                      null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("outData holds 2 bytes, too few at output row 2")
          .hasMessageContaining("substringSize");
      MemorySegment validity = arena.allocate(1, 1);
      Validity.setAllValid(validity, 3);
      assertThatThrownBy(
              () -> k.charLength(col.offsets(), col.data(), validity, null, 3, out, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("charLength: outValidity is null but the input has a validity bitmap");
      assertThatThrownBy(
              () ->
                  k.in(
                      col.offsets(),
                      col.data(),
                      null,
                      null,
                      3,
                      new byte[][] {utf8("a"), null},
                      out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("values[1] is null");
      assertThat(k.in(col.offsets(), col.data(), null, null, 3, new byte[0][], out)).isZero();
    }
  }
}
