package dev.amalgam.kernels;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A compiled SQL LIKE pattern: {@code %} matches any sequence of code points (also none), {@code _}
 * exactly one code point (not one byte), an optional escape character makes the next character
 * literal, and every other character matches itself (case-sensitive, byte for byte in UTF-8).
 *
 * <p>Compiling classifies the pattern so that kernels can take a fast path:
 *
 * <pre>
 *   kind       example          test on a row's bytes
 *   ANY        %  %%            every non-null row
 *   EXACT      abc              bytes equal 'abc'
 *   PREFIX     abc%             starts with 'abc'
 *   SUFFIX     %abc             ends with 'abc'
 *   CONTAINS   %abc%            contains 'abc'
 *   GENERAL    a_c  %a%b%  ab%yz  greedy segment matcher (no backtracking blow-up)
 * </pre>
 *
 * Runs of {@code %} collapse into one, and {@code %_} is rewritten as the equivalent {@code _%}, so
 * that after the first {@code %} every segment between wildcards begins with a literal. Immutable
 * and thread-safe.
 */
public final class LikePattern {

  /** What a pattern tests, from cheapest to most general. */
  public enum Kind {
    /** Matches every non-null string ({@code %}). */
    ANY,
    /** Equality with the literal (no wildcards). */
    EXACT,
    /** Starts with the literal ({@code abc%}). */
    PREFIX,
    /** Ends with the literal ({@code %abc}). */
    SUFFIX,
    /** Contains the literal ({@code %abc%}). */
    CONTAINS,
    /** Anything else: {@code _} wildcards or several {@code %}-separated literals. */
    GENERAL
  }

  /**
   * A part of the pattern between two {@code %}: {@code skips[0] lits[0] skips[1] ... lits[k-1]
   * skips[k]}, where {@code skips[j]} counts {@code _} wildcards (code points to skip) and {@code
   * lits[j]} are UTF-8 literal bytes.
   */
  static final class Segment {
    final byte[][] lits;
    final int[] skips;
    final int codePoints;

    Segment(byte[][] lits, int[] skips, int codePoints) {
      this.lits = lits;
      this.skips = skips;
      this.codePoints = codePoints;
    }

    boolean isEmpty() {
      return lits.length == 0 && skips[0] == 0;
    }

    /** True when the segment is one literal run without {@code _}. */
    boolean isPureLiteral() {
      return lits.length == 1 && skips[0] == 0 && skips[1] == 0;
    }
  }

  private static final int ANY_TOKEN = -1;
  private static final int ONE_TOKEN = -2;
  private static final byte[] NO_BYTES = new byte[0];

  private final String pattern;
  private final int escape;
  private final Kind kind;
  private final byte[] literal;

  /** Segments separated by {@code %}; the first is anchored at the start of the string. */
  final Segment[] segments;

  private LikePattern(String pattern, int escape, Kind kind, byte[] literal, Segment[] segments) {
    this.pattern = pattern;
    this.escape = escape;
    this.kind = kind;
    this.literal = literal;
    this.segments = segments;
  }

  /** Compiles a pattern without an escape character. */
  public static LikePattern compile(String pattern) {
    return compile(pattern, -1);
  }

  /**
   * Compiles a pattern whose {@code escape} character makes the next character literal ({@code
   * ESCAPE '\'}); throws {@link IllegalArgumentException} for a pattern ending in the escape.
   */
  public static LikePattern compile(String pattern, char escape) {
    if (escape == '%' || escape == '_') {
      throw new IllegalArgumentException(
          "LIKE escape character must not be a wildcard; was '" + escape + "'");
    }
    if (Character.isSurrogate(escape)) {
      throw new IllegalArgumentException(
          "LIKE escape character must be one BMP character; was U+" + hex(escape));
    }
    return compile(pattern, (int) escape);
  }

  private static LikePattern compile(String pattern, int escape) {
    Objects.requireNonNull(pattern, "pattern is null");
    List<Integer> tokens = new ArrayList<>();
    for (int i = 0; i < pattern.length(); ) {
      int cp = pattern.codePointAt(i);
      int width = Character.charCount(cp);
      if (Character.isSurrogate((char) cp) && width == 1) {
        throw new IllegalArgumentException(
            "LIKE pattern has an unpaired surrogate U+" + hex(cp) + " at index " + i);
      }
      if (cp == escape) {
        int next = i + width;
        if (next >= pattern.length()) {
          throw new IllegalArgumentException(
              "LIKE pattern '"
                  + pattern
                  + "' ends with the escape character '"
                  + (char) escape
                  + "' at index "
                  + i);
        }
        int lit = pattern.codePointAt(next);
        if (Character.isSurrogate((char) lit) && Character.charCount(lit) == 1) {
          throw new IllegalArgumentException(
              "LIKE pattern has an unpaired surrogate U+" + hex(lit) + " at index " + next);
        }
        tokens.add(lit);
        i = next + Character.charCount(lit);
        continue;
      }
      tokens.add(cp == '%' ? ANY_TOKEN : cp == '_' ? ONE_TOKEN : cp);
      i += width;
    }
    List<Integer> norm = normalize(tokens);
    List<Segment> segments = new ArrayList<>();
    int from = 0;
    for (int i = 0; i <= norm.size(); i++) {
      if (i == norm.size() || norm.get(i) == ANY_TOKEN) {
        segments.add(segment(norm.subList(from, i)));
        from = i + 1;
      }
    }
    Segment[] segs = segments.toArray(new Segment[0]);
    Kind kind = Kind.GENERAL;
    byte[] literal = NO_BYTES;
    int k = segs.length - 1;
    if (k == 0 && (segs[0].isEmpty() || segs[0].isPureLiteral())) {
      kind = Kind.EXACT;
      literal = segs[0].isEmpty() ? NO_BYTES : segs[0].lits[0];
    } else if (k == 1 && segs[0].isEmpty() && segs[1].isEmpty()) {
      kind = Kind.ANY;
    } else if (k == 1 && segs[0].isPureLiteral() && segs[1].isEmpty()) {
      kind = Kind.PREFIX;
      literal = segs[0].lits[0];
    } else if (k == 1 && segs[0].isEmpty() && segs[1].isPureLiteral()) {
      kind = Kind.SUFFIX;
      literal = segs[1].lits[0];
    } else if (k == 2 && segs[0].isEmpty() && segs[1].isPureLiteral() && segs[2].isEmpty()) {
      kind = Kind.CONTAINS;
      literal = segs[1].lits[0];
    }
    return new LikePattern(pattern, escape, kind, literal, segs);
  }

  /** Collapses runs of {@code %} and moves {@code _} in front of a preceding {@code %}. */
  private static List<Integer> normalize(List<Integer> tokens) {
    List<Integer> out = new ArrayList<>(tokens.size());
    for (int t : tokens) {
      boolean afterAny = !out.isEmpty() && out.getLast() == ANY_TOKEN;
      if (t == ANY_TOKEN) {
        if (!afterAny) {
          out.add(t);
        }
      } else if (t == ONE_TOKEN && afterAny) {
        out.add(out.size() - 1, t);
      } else {
        out.add(t);
      }
    }
    return out;
  }

  private static Segment segment(List<Integer> tokens) {
    List<byte[]> lits = new ArrayList<>();
    List<Integer> skips = new ArrayList<>();
    StringBuilder run = new StringBuilder();
    int skip = 0;
    for (int t : tokens) {
      if (t == ONE_TOKEN) {
        if (!run.isEmpty()) {
          skips.add(skip);
          lits.add(run.toString().getBytes(StandardCharsets.UTF_8));
          run.setLength(0);
          skip = 0;
        }
        skip++;
      } else {
        run.appendCodePoint(t);
      }
    }
    if (!run.isEmpty()) {
      skips.add(skip);
      lits.add(run.toString().getBytes(StandardCharsets.UTF_8));
      skip = 0;
    }
    skips.add(skip);
    int[] skipArray = skips.stream().mapToInt(Integer::intValue).toArray();
    return new Segment(lits.toArray(new byte[0][]), skipArray, tokens.size());
  }

  private static String hex(int cp) {
    return String.format("%04X", cp);
  }

  /** The pattern as given. */
  public String pattern() {
    return pattern;
  }

  /** The escape character, or -1 when the pattern has none. */
  public int escapeChar() {
    return escape;
  }

  /** The fast path this pattern takes. */
  public Kind kind() {
    return kind;
  }

  /**
   * The UTF-8 literal an {@code EXACT}, {@code PREFIX}, {@code SUFFIX} or {@code CONTAINS} pattern
   * tests (a copy); empty for {@code ANY} and {@code GENERAL}.
   */
  public byte[] literal() {
    return literal.clone();
  }

  /** The literal without a copy, for kernels of this package. */
  byte[] literalBytes() {
    return literal;
  }

  @Override
  public String toString() {
    return "LIKE '"
        + pattern
        + "'"
        + (escape >= 0 ? " ESCAPE '" + (char) escape + "'" : "")
        + " ("
        + kind
        + ")";
  }
}
