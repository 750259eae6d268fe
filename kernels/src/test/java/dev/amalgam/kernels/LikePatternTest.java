package dev.amalgam.kernels;

import static dev.amalgam.kernels.StringColumns.Column;
import static dev.amalgam.kernels.StringColumns.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.kernels.LikePattern.Kind;
import dev.amalgam.kernels.reference.ScalarStringKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** LIKE pattern compilation (kinds, escapes, errors) and known answers on both implementations. */
final class LikePatternTest {
  private static final StringKernels CPU = StringKernels.cpu();
  private static final StringKernels REF = new ScalarStringKernels();

  @ParameterizedTest(name = "''{0}'' -> {1} ''{2}''")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "\"\"|EXACT|\"\"",
        "abc|EXACT|abc",
        "abc%|PREFIX|abc",
        "abc%%|PREFIX|abc",
        "%abc|SUFFIX|abc",
        "%abc%|CONTAINS|abc",
        "%%abc%%%|CONTAINS|abc",
        "%|ANY|\"\"",
        "%%%|ANY|\"\"",
        "a_c|GENERAL|\"\"",
        "_|GENERAL|\"\"",
        "%_|GENERAL|\"\"",
        "_%|GENERAL|\"\"",
        "%a%b%|GENERAL|\"\"",
        "a%z|GENERAL|\"\"",
        "\\%%|PREFIX|%",
        "%\\_%|CONTAINS|_",
        "a\\\\b|EXACT|a\\b",
        "%é€😀%|CONTAINS|é€😀",
      })
  void compile_patterns_classifiedWithTheirLiteral(String pattern, Kind kind, String literal) {
    LikePattern p = LikePattern.compile(pattern, '\\');
    assertThat(p.kind()).as(p.toString()).isEqualTo(kind);
    assertThat(p.literal()).isEqualTo(utf8(literal));
    assertThat(p.pattern()).isEqualTo(pattern);
  }

  @Test
  void compile_withoutEscape_backslashIsLiteral() {
    LikePattern p = LikePattern.compile("a\\%");
    assertThat(p.kind()).isEqualTo(Kind.PREFIX);
    assertThat(p.literal()).isEqualTo(utf8("a\\"));
    assertThat(p.escapeChar()).isEqualTo(-1);
  }

  @Test
  void compile_patternEndingInEscape_throwsNamingPattern() {
    assertThatThrownBy(() -> LikePattern.compile("ab\\", '\\'))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ab\\'")
        .hasMessageContaining("ends with the escape character");
  }

  @Test
  void compile_wildcardAsEscape_throws() {
    assertThatThrownBy(() -> LikePattern.compile("a", '%'))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be a wildcard");
    assertThatThrownBy(() -> LikePattern.compile("a", '_'))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void compile_unpairedSurrogate_throwsNamingIndex() {
    assertThatThrownBy(() -> LikePattern.compile("ab\uD83D%"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired surrogate")
        .hasMessageContaining("index 2");
  }

  @Test
  void toString_showsPatternEscapeAndKind() {
    assertThat(LikePattern.compile("%a%", '!').toString())
        .isEqualTo("LIKE '%a%' ESCAPE '!' (CONTAINS)");
  }

  /** Rows selected by LIKE on both implementations (they must agree). */
  private static int[] like(String pattern, String... values) {
    return like(LikePattern.compile(pattern, '\\'), values);
  }

  private static int[] like(LikePattern p, String... values) {
    byte[][] bytes = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = utf8(values[i]);
    }
    return like(p, bytes);
  }

  private static int[] like(LikePattern p, byte[]... values) {
    try (Arena arena = Arena.ofConfined()) {
      Column col = StringColumns.column(arena, values, null, 0);
      MemorySegment a = StringColumns.ints(arena, values.length);
      MemorySegment b = StringColumns.ints(arena, values.length);
      int[] got =
          Selection.toArray(
              a, CPU.like(col.offsets(), col.data(), null, null, values.length, p, a));
      int[] want =
          Selection.toArray(
              b, REF.like(col.offsets(), col.data(), null, null, values.length, p, b));
      assertThat(got).as(p.toString()).isEqualTo(want);
      return got;
    }
  }

  @Test
  void like_underscoreOnMultiByteCharacters_matchesOneCodePoint() {
    String[] values = {"é", "€", "😀", "ab", "a", "", "e\u0301"};
    assertThat(like("_", values)).containsExactly(0, 1, 2, 4);
    assertThat(like("__", values)).containsExactly(3, 6);
    assertThat(like("_b", values)).containsExactly(3);
    assertThat(like("%_%", values)).containsExactly(0, 1, 2, 3, 4, 6);
  }

  @Test
  void like_escapedWildcards_matchLiterally() {
    String[] values = {"100%", "100", "1000", "a_b", "axb", "a\\b"};
    assertThat(like("100\\%", values)).containsExactly(0);
    assertThat(like("100%", values)).containsExactly(0, 1, 2);
    assertThat(like("a\\_b", values)).containsExactly(3);
    assertThat(like("a_b", values)).containsExactly(3, 4, 5);
    assertThat(like("a\\\\b", values)).containsExactly(5);
    assertThat(like(LikePattern.compile("a!_b", '!'), values)).containsExactly(3);
  }

  @Test
  void like_matchSpanningTwoRows_isNotSelected() {
    // the bytes "abcd" appear in the data across the boundary of rows 0 and 1 only
    assertThat(like("%abcd%", "xxab", "cdyy", "zabcdz")).containsExactly(2);
    assertThat(like("%b%c%", "xxab", "cdyy")).isEmpty();
  }

  @Test
  void like_literalAcrossVectorBoundaries_isFound() {
    String[] values = new String[130];
    for (int i = 0; i < values.length; i++) {
      values[i] = "x".repeat(i) + "needle" + "y".repeat(130 - i);
    }
    int[] all = new int[values.length];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    assertThat(like("%needle%", values)).containsExactly(all);
    assertThat(like("%ne_dle%", values)).containsExactly(all);
    assertThat(like("%needle%y", values)).containsExactly(java.util.Arrays.copyOf(all, 130));
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void like_pathologicalPattern_isLinearNotExponential() {
    String text = "a".repeat(20_000);
    LikePattern p = LikePattern.compile("%a%a%a%a%a%a%a%a%a%a%a%a%b");
    try (Arena arena = Arena.ofConfined()) {
      Column col = StringColumns.column(arena, new byte[][] {utf8(text)}, null, 0);
      MemorySegment out = StringColumns.ints(arena, 1);
      assertThat(CPU.like(col.offsets(), col.data(), null, null, 1, p, out)).isZero();
      assertThat(CPU.notLike(col.offsets(), col.data(), null, null, 1, p, out)).isOne();
    }
  }

  @Test
  void like_invalidUtf8_eachBadByteIsOneCodePoint() {
    LikePattern one = LikePattern.compile("_");
    LikePattern two = LikePattern.compile("__");
    byte[][] values = {
      {(byte) 0xFF},
      {(byte) 0xE2, (byte) 0x82},
      {(byte) 0xE2, (byte) 0x82, (byte) 0xAC},
      {(byte) 0x80}
    };
    assertThat(like(one, values)).containsExactly(0, 2, 3);
    assertThat(like(two, values)).containsExactly(1);
    assertThat(like(LikePattern.compile("%\u20AC"), values)).containsExactly(2);
  }
}
