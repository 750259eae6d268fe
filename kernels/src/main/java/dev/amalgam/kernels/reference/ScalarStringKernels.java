package dev.amalgam.kernels.reference;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.KernelException;
import dev.amalgam.kernels.LikePattern;
import dev.amalgam.kernels.Selection;
import dev.amalgam.kernels.StringKernels;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Plain scalar reference of {@link StringKernels}: one row at a time, values copied to byte arrays,
 * LIKE by dynamic programming over decoded code points. For tests and benchmarks only.
 */
public final class ScalarStringKernels implements StringKernels {

  /** Marks a byte of an ill-formed UTF-8 sequence: above every Unicode code point. */
  private static final int INVALID_BASE = 0x110000;

  private static final int ANY = -1;
  private static final int ONE = -2;

  /** Creates the reference implementation. */
  public ScalarStringKernels() {}

  /** A per-row test on a value's bytes. */
  private interface Predicate {
    boolean test(byte[] value);
  }

  // ---- helpers ----

  private static byte[] value(MemorySegment offsets, MemorySegment data, int row) {
    int start = offsets.getAtIndex(ArrowLayout.INT32, row);
    int end = offsets.getAtIndex(ArrowLayout.INT32, row + 1);
    return data.asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE);
  }

  private static void checkN(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0; was " + n);
    }
  }

  private static int select(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      Predicate predicate,
      MemorySegment out) {
    checkN(n);
    int count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(validity, row) && predicate.test(value(offsets, data, row))) {
        out.setAtIndex(ArrowLayout.INT32, count++, row);
      }
    }
    return count;
  }

  private static int bitmap(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      Predicate predicate,
      MemorySegment outBitmap) {
    checkN(n);
    outBitmap.asSlice(0, ArrowLayout.bitmapBytes(n)).fill((byte) 0);
    int count = 0;
    for (int row = 0; row < n; row++) {
      boolean hit = Validity.isValid(validity, row) && predicate.test(value(offsets, data, row));
      Validity.set(outBitmap, row, hit);
      count += hit ? 1 : 0;
    }
    return count;
  }

  private static int dictionarySelect(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictOffsets,
      MemorySegment dictData,
      @Nullable MemorySegment dictValidity,
      int dictSize,
      Predicate predicate,
      MemorySegment out) {
    checkN(n);
    int count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (!Validity.isValid(validity, row)) {
        continue;
      }
      int idx = checkedIndex(indices, row, dictSize);
      if (Validity.isValid(dictValidity, idx)
          && predicate.test(value(dictOffsets, dictData, idx))) {
        out.setAtIndex(ArrowLayout.INT32, count++, row);
      }
    }
    return count;
  }

  private static int checkedIndex(MemorySegment indices, int row, int dictSize) {
    int idx = indices.getAtIndex(ArrowLayout.INT32, row);
    if (idx < 0 || idx >= dictSize) {
      throw KernelException.invalid(
          "dictionary lookup",
          row,
          "index " + idx + " is outside the dictionary [0, " + dictSize + ")");
    }
    return idx;
  }

  private static Predicate compareWith(Op op, byte[] constant) {
    return v -> op.test(Integer.signum(Arrays.compareUnsigned(v, constant)));
  }

  private static Predicate likeOf(LikePattern pattern, boolean negate) {
    int[] tokens = tokens(pattern);
    return v -> likeMatches(codePoints(v), tokens) != negate;
  }

  private static Predicate inOf(byte[][] values) {
    return v -> {
      for (byte[] x : values) {
        if (Arrays.equals(v, x)) {
          return true;
        }
      }
      return false;
    };
  }

  /** The pattern's tokens: a code point, ANY for '%' or ONE for '_'. */
  private static int[] tokens(LikePattern pattern) {
    String p = pattern.pattern();
    int escape = pattern.escapeChar();
    List<Integer> out = new ArrayList<>();
    int i = 0;
    while (i < p.length()) {
      int cp = p.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == escape) {
        int lit = p.codePointAt(i);
        i += Character.charCount(lit);
        out.add(lit);
      } else if (cp == '%') {
        out.add(ANY);
      } else if (cp == '_') {
        out.add(ONE);
      } else {
        out.add(cp);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** LIKE by dynamic programming: match[j] = text[0, i) matches tokens[0, j). */
  private static boolean likeMatches(int[] text, int[] tokens) {
    boolean[] prev = new boolean[tokens.length + 1];
    boolean[] cur = new boolean[tokens.length + 1];
    prev[0] = true;
    for (int j = 1; j <= tokens.length; j++) {
      prev[j] = prev[j - 1] && tokens[j - 1] == ANY;
    }
    for (int c : text) {
      cur[0] = false;
      for (int j = 1; j <= tokens.length; j++) {
        int t = tokens[j - 1];
        if (t == ANY) {
          cur[j] = cur[j - 1] || prev[j];
        } else {
          cur[j] = prev[j - 1] && (t == ONE || t == c);
        }
      }
      boolean[] swap = prev;
      prev = cur;
      cur = swap;
    }
    return prev[tokens.length];
  }

  /**
   * Length of the well-formed UTF-8 sequence at {@code i} (Unicode Table 3-7), or 1 when the bytes
   * there are ill-formed.
   */
  private static int sequenceLength(byte[] b, int i) {
    int b0 = b[i] & 0xFF;
    if (b0 <= 0x7F) {
      return 1;
    }
    int[][] rows = {
      // lead lo, lead hi, second byte lo, hi, total length
      {0xC2, 0xDF, 0x80, 0xBF, 2},
      {0xE0, 0xE0, 0xA0, 0xBF, 3},
      {0xE1, 0xEC, 0x80, 0xBF, 3},
      {0xED, 0xED, 0x80, 0x9F, 3},
      {0xEE, 0xEF, 0x80, 0xBF, 3},
      {0xF0, 0xF0, 0x90, 0xBF, 4},
      {0xF1, 0xF3, 0x80, 0xBF, 4},
      {0xF4, 0xF4, 0x80, 0x8F, 4},
    };
    for (int[] r : rows) {
      if (b0 >= r[0] && b0 <= r[1]) {
        int len = r[4];
        if (i + len > b.length) {
          return 1;
        }
        int b1 = b[i + 1] & 0xFF;
        if (b1 < r[2] || b1 > r[3]) {
          return 1;
        }
        for (int j = 2; j < len; j++) {
          int bj = b[i + j] & 0xFF;
          if (bj < 0x80 || bj > 0xBF) {
            return 1;
          }
        }
        return len;
      }
    }
    return 1;
  }

  /** Code points of a value; a byte of an ill-formed sequence becomes INVALID_BASE + byte. */
  private static int[] codePoints(byte[] b) {
    List<Integer> cps = new ArrayList<>();
    int i = 0;
    while (i < b.length) {
      int len = sequenceLength(b, i);
      int b0 = b[i] & 0xFF;
      int cp;
      if (len == 1) {
        cp = b0 <= 0x7F ? b0 : INVALID_BASE + b0;
      } else if (len == 2) {
        cp = ((b0 & 0x1F) << 6) | (b[i + 1] & 0x3F);
      } else if (len == 3) {
        cp = ((b0 & 0x0F) << 12) | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F);
      } else {
        cp =
            ((b0 & 0x07) << 18)
                | ((b[i + 1] & 0x3F) << 12)
                | ((b[i + 2] & 0x3F) << 6)
                | (b[i + 3] & 0x3F);
      }
      cps.add(cp);
      i += len;
    }
    return cps.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Byte offset where each code point starts, plus the length at the end. */
  private static int[] boundaries(byte[] b) {
    List<Integer> out = new ArrayList<>();
    int i = 0;
    while (i < b.length) {
      out.add(i);
      i += sequenceLength(b, i);
    }
    out.add(b.length);
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private static void writeValidity(
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      @Nullable MemorySegment outValidity) {
    if (outValidity == null) {
      if (validity != null) {
        throw new IllegalArgumentException("outValidity is null but the input has nulls");
      }
      return;
    }
    for (int k = 0; k < n; k++) {
      Validity.set(outValidity, k, Validity.isValid(validity, Selection.row(sel, k)));
    }
  }

  // ---- comparisons ----

  @Override
  public int compare(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      Op op,
      byte[] constant,
      MemorySegment out) {
    return select(offsets, data, validity, sel, n, compareWith(op, constant), out);
  }

  @Override
  public int compareColumns(
      MemorySegment aOffsets,
      MemorySegment aData,
      @Nullable MemorySegment aValidity,
      MemorySegment bOffsets,
      MemorySegment bData,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      Op op,
      MemorySegment out) {
    checkN(n);
    int count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(aValidity, row) && Validity.isValid(bValidity, row)) {
        byte[] a = value(aOffsets, aData, row);
        byte[] b = value(bOffsets, bData, row);
        if (op.test(Integer.signum(Arrays.compareUnsigned(a, b)))) {
          out.setAtIndex(ArrowLayout.INT32, count++, row);
        }
      }
    }
    return count;
  }

  // ---- LIKE and IN ----

  @Override
  public int like(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      LikePattern pattern,
      MemorySegment out) {
    return select(offsets, data, validity, sel, n, likeOf(pattern, false), out);
  }

  @Override
  public int notLike(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      LikePattern pattern,
      MemorySegment out) {
    return select(offsets, data, validity, sel, n, likeOf(pattern, true), out);
  }

  @Override
  public int in(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      byte[][] values,
      MemorySegment out) {
    return select(offsets, data, validity, sel, n, inOf(values), out);
  }

  // ---- bitmaps and dictionaries ----

  @Override
  public int compareBitmap(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      Op op,
      byte[] constant,
      MemorySegment outBitmap) {
    return bitmap(offsets, data, validity, n, compareWith(op, constant), outBitmap);
  }

  @Override
  public int likeBitmap(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      LikePattern pattern,
      MemorySegment outBitmap) {
    return bitmap(offsets, data, validity, n, likeOf(pattern, false), outBitmap);
  }

  @Override
  public int inBitmap(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      byte[][] values,
      MemorySegment outBitmap) {
    return bitmap(offsets, data, validity, n, inOf(values), outBitmap);
  }

  @Override
  public int selectByDictionary(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictBitmap,
      int dictSize,
      MemorySegment out) {
    checkN(n);
    int count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(validity, row)
          && Validity.isValid(dictBitmap, checkedIndex(indices, row, dictSize))) {
        out.setAtIndex(ArrowLayout.INT32, count++, row);
      }
    }
    return count;
  }

  @Override
  public int dictionaryCompare(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictOffsets,
      MemorySegment dictData,
      @Nullable MemorySegment dictValidity,
      int dictSize,
      Op op,
      byte[] constant,
      MemorySegment out) {
    return dictionarySelect(
        indices,
        validity,
        sel,
        n,
        dictOffsets,
        dictData,
        dictValidity,
        dictSize,
        compareWith(op, constant),
        out);
  }

  @Override
  public int dictionaryLike(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictOffsets,
      MemorySegment dictData,
      @Nullable MemorySegment dictValidity,
      int dictSize,
      LikePattern pattern,
      MemorySegment out) {
    return dictionarySelect(
        indices,
        validity,
        sel,
        n,
        dictOffsets,
        dictData,
        dictValidity,
        dictSize,
        likeOf(pattern, false),
        out);
  }

  @Override
  public int dictionaryNotLike(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictOffsets,
      MemorySegment dictData,
      @Nullable MemorySegment dictValidity,
      int dictSize,
      LikePattern pattern,
      MemorySegment out) {
    return dictionarySelect(
        indices,
        validity,
        sel,
        n,
        dictOffsets,
        dictData,
        dictValidity,
        dictSize,
        likeOf(pattern, true),
        out);
  }

  @Override
  public int dictionaryIn(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictOffsets,
      MemorySegment dictData,
      @Nullable MemorySegment dictValidity,
      int dictSize,
      byte[][] values,
      MemorySegment out) {
    return dictionarySelect(
        indices,
        validity,
        sel,
        n,
        dictOffsets,
        dictData,
        dictValidity,
        dictSize,
        inOf(values),
        out);
  }

  // ---- lengths and substring ----

  @Override
  public void octetLength(
      MemorySegment offsets,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    checkN(n);
    writeValidity(validity, sel, n, outValidity);
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      int len = 0;
      if (Validity.isValid(validity, row)) {
        len =
            offsets.getAtIndex(ArrowLayout.INT32, row + 1)
                - offsets.getAtIndex(ArrowLayout.INT32, row);
      }
      out.setAtIndex(ArrowLayout.INT32, k, len);
    }
  }

  @Override
  public void charLength(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    checkN(n);
    writeValidity(validity, sel, n, outValidity);
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      int len = 0;
      if (Validity.isValid(validity, row)) {
        len = codePoints(value(offsets, data, row)).length;
      }
      out.setAtIndex(ArrowLayout.INT32, k, len);
    }
  }

  /** The substring of one value: bytes of code points [start, start + length), 1-based. */
  private static byte[] substringOf(byte[] v, long start, long length) {
    if (length < 0) {
      throw new IllegalArgumentException("negative substring length not allowed; was " + length);
    }
    int[] bounds = boundaries(v);
    long cps = bounds.length - 1;
    long to;
    try {
      to = Math.addExact(start, length);
    } catch (ArithmeticException overflow) {
      to = Long.MAX_VALUE;
    }
    long first = Math.clamp(start, 1, cps + 1);
    long last = Math.clamp(to, 1, cps + 1);
    if (last <= first) {
      return new byte[0];
    }
    return Arrays.copyOfRange(v, bounds[(int) first - 1], bounds[(int) last - 1]);
  }

  @Override
  public long substringSize(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      long start,
      long length) {
    checkN(n);
    if (length < 0) {
      throw new IllegalArgumentException("negative substring length not allowed; was " + length);
    }
    long size = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(validity, row)) {
        size += substringOf(value(offsets, data, row), start, length).length;
      }
    }
    return size;
  }

  @Override
  public long substring(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      long start,
      long length,
      MemorySegment outOffsets,
      MemorySegment outData,
      @Nullable MemorySegment outValidity) {
    checkN(n);
    if (length < 0) {
      throw new IllegalArgumentException("negative substring length not allowed; was " + length);
    }
    writeValidity(validity, sel, n, outValidity);
    int pos = 0;
    outOffsets.setAtIndex(ArrowLayout.INT32, 0, 0);
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (Validity.isValid(validity, row)) {
        byte[] sub = substringOf(value(offsets, data, row), start, length);
        MemorySegment.copy(sub, 0, outData, ValueLayout.JAVA_BYTE, pos, sub.length);
        pos += sub.length;
      }
      outOffsets.setAtIndex(ArrowLayout.INT32, k + 1, pos);
    }
    return pos;
  }
}
