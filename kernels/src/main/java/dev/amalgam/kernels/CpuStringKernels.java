package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.jspecify.annotations.Nullable;

/** CPU string kernels: Vector API scans with scalar per-row verification. */
final class CpuStringKernels implements StringKernels {
  static final CpuStringKernels INSTANCE = new CpuStringKernels();

  /*
   * Implementation notes.
   *
   * Strings are variable-length, so most per-row work is scalar; the vectors go where many bytes
   * or many rows are tested at once:
   *
   *  - Equality with a constant, no input selection: 16 rows at a time the lengths
   *    offsets[i+1] - offsets[i] are compared with the constant's length in an IntVector; only the
   *    rows whose length matches (and that are valid) have their bytes compared, first one masked
   *    word inline (a short loop, so that the cache misses of sparse candidates overlap). Byte
   *    compares (equalBytes, compareBytes) take 64 bytes at a time with ByteVector, then 8-byte
   *    words, and finish with one masked word when 8 bytes can be read without leaving the
   *    segment: reading past the end of a row into the next row's bytes is harmless, reading past
   *    the segment is not. Constants and literals are copied into heap segments padded with 8
   *    zero bytes for the same reason. Ordering reads words big-endian so that an unsigned long
   *    compare is the lexicographic byte compare.
   *  - LIKE '%lit%' without a selection scans the whole data buffer once instead of row by row
   *    (the filter of Mula's SIMD substring search): ByteVectors at p, p + 1 and p + len - 1 are
   *    compared with the literal's first, second and last bytes (in text, common letters make the
   *    first and last bytes alone a weak filter; the second byte removes most false candidates
   *    and their unpredictable branches), each candidate is
   *    verified, mapped to its row by a galloping search over the offsets, rejected when it
   *    crosses the row's end, and after a hit the scan jumps to the next row. Null rows' bytes may
   *    match; the hit is then dropped. With a selection, the same search runs inside each row
   *    (indexOf), loading past the row end and masking the candidates beyond it. A GENERAL
   *    pattern without a selection uses the same scan for its longest literal (every matching row
   *    contains it) and runs the full matcher only on the rows where it is found.
   *  - PREFIX / SUFFIX compare the literal at the row's start / end; EXACT is equality.
   *  - GENERAL patterns are split at '%' into segments (LikePattern): the first segment must match
   *    at the row start, each middle segment is found leftmost (indexOf of its first literal, then
   *    the rest verified), the last must end at the row end. Every segment spans a fixed number of
   *    code points, so the leftmost match of a segment also ends first, and greedy is exact: the
   *    cost is O(row length x segment length), never exponential.
   *  - Code points: '_', char_length and substring decode UTF-8 with one rule for ill-formed input:
   *    a lead byte with the continuation bytes Unicode allows for it (Table 3-7: no overlongs, no
   *    surrogates, nothing above U+10FFFF) inside the row is one code point; any other byte is one
   *    code point by itself. A non-continuation byte is therefore always a code point boundary, so
   *    a literal found by byte search starts on a boundary and byte matching agrees with code point
   *    matching. Eight ASCII bytes (no high bit in a word) are skipped at a time; without a
   *    selection the whole data range is first checked for ASCII with ByteVectors, and then
   *    char_length is octet_length and substring works on bytes.
   *  - Dictionaries: a predicate is evaluated once per dictionary entry into a bitmap (heap memory,
   *    dictionary-sized); when at most one entry matches (equality) or all do, the indices are
   *    compared in IntVectors and row numbers compressed into the selection; for dictionaries of
   *    up to 32 x lanes entries (512 with AVX-512) the bitmap sits in one IntVector and each lane
   *    fetches its word with a lane permute (selectFrom); larger ones look up bits row by row.
   *    Indices of valid rows are range-checked (KernelException names the row).
   *  - Selections are written branch-free (store the row, advance by the predicate) or with
   *    IntVector.compress; a full-vector store at the count is in bounds because count <= row.
   */

  private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ArrowLayout.ORDER;
  private static final ValueLayout.OfLong WORD = ArrowLayout.INT64;
  private static final ValueLayout.OfLong WORD_BE =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final int PAD = 8;

  private CpuStringKernels() {}

  // ------------------------------------------------------------------------------------------
  // comparisons

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
    Objects.requireNonNull(op, "op is null");
    Objects.requireNonNull(constant, "constant is null");
    checkColumn("compare", offsets, validity, sel, n);
    checkSelectionOut("compare", out, n);
    return compareUnchecked(offsets, data, validity, sel, n, op, constant, out);
  }

  private static int compareUnchecked(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      Op op,
      byte[] constant,
      MemorySegment out) {
    MemorySegment c = padded(constant);
    int len = constant.length;
    if (op == Op.EQ || op == Op.NE) {
      boolean negate = op == Op.NE;
      if (sel == null) {
        return equalsDense(offsets, data, validity, n, c, len, negate, out);
      }
      int count = 0;
      for (int k = 0; k < n; k++) {
        int row = sel.getAtIndex(ArrowLayout.INT32, k);
        if (Validity.isValid(validity, row)) {
          long s = off(offsets, row);
          long e = off(offsets, row + 1);
          boolean eq = e - s == len && equalBytes(data, s, c, 0, len);
          out.setAtIndex(ArrowLayout.INT32, count, row);
          count += eq != negate ? 1 : 0;
        }
      }
      return count;
    }
    int count = 0;
    for (int k = 0; k < n; k++) {
      int row = sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
      if (Validity.isValid(validity, row)) {
        long s = off(offsets, row);
        long e = off(offsets, row + 1);
        int cmp = compareBytes(data, s, e - s, c, 0, len);
        out.setAtIndex(ArrowLayout.INT32, count, row);
        count += op.test(cmp) ? 1 : 0;
      }
    }
    return count;
  }

  /** Equality (or inequality) with a constant over rows [0, n): lengths first, in IntVectors. */
  private static int equalsDense(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment c,
      int len,
      boolean negate,
      MemorySegment out) {
    int lanes = INTS.length();
    int count = 0;
    int i = 0;
    // the constant's first word, masked to its length: most candidates fail on it
    long head = c.get(WORD, 0);
    long headMask = len >= 8 ? -1L : (1L << (8 * len)) - 1;
    long wordEnd = data.byteSize() - 8;
    for (; i + lanes <= n; i += lanes) {
      IntVector s = IntVector.fromMemorySegment(INTS, offsets, 4L * i, ORDER);
      IntVector e = IntVector.fromMemorySegment(INTS, offsets, 4L * (i + 1), ORDER);
      long lenEq = e.sub(s).eq(len).toLong();
      long valid = validBits(validity, i, lanes);
      if (!negate) {
        long m = lenEq & valid;
        while (m != 0) {
          int row = i + Long.numberOfTrailingZeros(m);
          long start = off(offsets, row);
          boolean eq =
              start <= wordEnd
                  ? ((data.get(WORD, start) ^ head) & headMask) == 0
                      && (len <= 8 || equalBytes(data, start + 8, c, 8, len - 8))
                  : equalBytes(data, start, c, 0, len);
          out.setAtIndex(ArrowLayout.INT32, count, row);
          count += eq ? 1 : 0;
          m &= m - 1;
        }
      } else {
        long m = valid;
        while (m != 0) {
          int j = Long.numberOfTrailingZeros(m);
          int row = i + j;
          boolean ne = ((lenEq >>> j) & 1) == 0 || !equalBytes(data, off(offsets, row), c, 0, len);
          out.setAtIndex(ArrowLayout.INT32, count, row);
          count += ne ? 1 : 0;
          m &= m - 1;
        }
      }
    }
    for (; i < n; i++) {
      if (Validity.isValid(validity, i)) {
        long s = off(offsets, i);
        long e = off(offsets, i + 1);
        boolean eq = e - s == len && equalBytes(data, s, c, 0, len);
        out.setAtIndex(ArrowLayout.INT32, count, i);
        count += eq != negate ? 1 : 0;
      }
    }
    return count;
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
    Objects.requireNonNull(op, "op is null");
    checkColumn("compareColumns (a)", aOffsets, aValidity, sel, n);
    checkColumn("compareColumns (b)", bOffsets, bValidity, sel, n);
    checkSelectionOut("compareColumns", out, n);
    boolean equality = op == Op.EQ || op == Op.NE;
    boolean negate = op == Op.NE;
    int count = 0;
    for (int k = 0; k < n; k++) {
      int row = sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
      if (Validity.isValid(aValidity, row) && Validity.isValid(bValidity, row)) {
        long as = off(aOffsets, row);
        long alen = off(aOffsets, row + 1) - as;
        long bs = off(bOffsets, row);
        long blen = off(bOffsets, row + 1) - bs;
        boolean hit;
        if (equality) {
          hit = (alen == blen && equalBytes(aData, as, bData, bs, alen)) != negate;
        } else {
          hit = op.test(compareBytes(aData, as, alen, bData, bs, blen));
        }
        out.setAtIndex(ArrowLayout.INT32, count, row);
        count += hit ? 1 : 0;
      }
    }
    return count;
  }

  // ------------------------------------------------------------------------------------------
  // LIKE

  @Override
  public int like(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      LikePattern pattern,
      MemorySegment out) {
    Objects.requireNonNull(pattern, "pattern is null");
    checkColumn("like", offsets, validity, sel, n);
    checkSelectionOut("like", out, n);
    return likeUnchecked(offsets, data, validity, sel, n, pattern, false, out);
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
    Objects.requireNonNull(pattern, "pattern is null");
    checkColumn("notLike", offsets, validity, sel, n);
    checkSelectionOut("notLike", out, n);
    return likeUnchecked(offsets, data, validity, sel, n, pattern, true, out);
  }

  private static int likeUnchecked(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      LikePattern pattern,
      boolean negate,
      MemorySegment out) {
    LikePattern.Kind kind = pattern.kind();
    byte[] literal = pattern.literalBytes();
    switch (kind) {
      case ANY -> {
        return negate ? 0 : selectValid(validity, sel, n, out);
      }
      case EXACT -> {
        return compareUnchecked(
            offsets, data, validity, sel, n, negate ? Op.NE : Op.EQ, literal, out);
      }
      case CONTAINS -> {
        if (sel == null) {
          return scanDense(offsets, data, validity, n, padded(literal), literal, null, negate, out);
        }
      }
      default -> {}
    }
    MemorySegment lit = padded(literal);
    int len = literal.length;
    Matcher matcher = kind == LikePattern.Kind.GENERAL ? new Matcher(pattern) : null;
    if (matcher != null && sel == null) {
      byte[] required = matcher.longestLiteral();
      if (required.length >= 2) {
        return scanDense(
            offsets, data, validity, n, padded(required), required, matcher, negate, out);
      }
    }
    int count = 0;
    for (int k = 0; k < n; k++) {
      int row = sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
      if (!Validity.isValid(validity, row)) {
        continue;
      }
      long s = off(offsets, row);
      long e = off(offsets, row + 1);
      boolean hit =
          switch (kind) {
            case PREFIX -> e - s >= len && equalBytes(data, s, lit, 0, len);
            case SUFFIX -> e - s >= len && equalBytes(data, e - len, lit, 0, len);
            case CONTAINS -> indexOf(data, s, e, literal, lit) >= 0;
            default -> Objects.requireNonNull(matcher).matches(data, s, e);
          };
      out.setAtIndex(ArrowLayout.INT32, count, row);
      count += hit != negate ? 1 : 0;
    }
    return count;
  }

  /**
   * LIKE over rows [0, n) by one scan of the whole data buffer for a literal every matching row
   * contains: a row holding it matches when {@code verify} is null (LIKE '%lit%') or accepts the
   * row; rows without it do not match.
   */
  private static int scanDense(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment lit,
      byte[] literal,
      @Nullable Matcher verify,
      boolean negate,
      MemorySegment out) {
    if (n == 0) {
      return 0;
    }
    int len = literal.length;
    long limit = off(offsets, n);
    long p = off(offsets, 0);
    int row = 0;
    int count = 0;
    int nextEmit = 0;
    while (true) {
      long q = indexOf(data, p, limit, literal, lit);
      if (q < 0) {
        break;
      }
      row = rowOf(offsets, row, n, q);
      long rowEnd = off(offsets, row + 1);
      if (q + len > rowEnd) {
        p = q + 1;
        continue;
      }
      if (verify == null || verify.matches(data, off(offsets, row), rowEnd)) {
        if (negate) {
          count = emitValid(validity, nextEmit, row, out, count);
          nextEmit = row + 1;
        } else if (Validity.isValid(validity, row)) {
          out.setAtIndex(ArrowLayout.INT32, count++, row);
        }
      }
      p = rowEnd;
      row++;
      if (row >= n) {
        break;
      }
    }
    if (negate) {
      count = emitValid(validity, nextEmit, n, out, count);
    }
    return count;
  }

  /** The row r >= from whose bytes hold position q: offsets[r] <= q < offsets[r + 1]. */
  private static int rowOf(MemorySegment offsets, int from, int n, long q) {
    int r = from;
    for (int step = 0; step < 4; step++) {
      if (off(offsets, r + 1) > q) {
        return r;
      }
      r++;
    }
    // Gallop, then binary search for the first r with offsets[r + 1] > q.
    int lo = r;
    int stride = 8;
    int hi = lo;
    while (true) {
      long probe = Math.min((long) lo + stride, n - 1L);
      hi = (int) probe;
      if (off(offsets, hi + 1) > q || hi == n - 1) {
        break;
      }
      lo = hi + 1;
      stride <<= 1;
    }
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (off(offsets, mid + 1) > q) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Appends the valid rows of [from, to) to the selection. */
  private static int emitValid(
      @Nullable MemorySegment validity, int from, int to, MemorySegment out, int count) {
    for (int r = from; r < to; r++) {
      out.setAtIndex(ArrowLayout.INT32, count, r);
      count += Validity.isValid(validity, r) ? 1 : 0;
    }
    return count;
  }

  /** Selects every valid row (of the selection, or of [0, n)). */
  private static int selectValid(
      @Nullable MemorySegment validity, @Nullable MemorySegment sel, int n, MemorySegment out) {
    int count = 0;
    if (sel != null) {
      for (int k = 0; k < n; k++) {
        int row = sel.getAtIndex(ArrowLayout.INT32, k);
        out.setAtIndex(ArrowLayout.INT32, count, row);
        count += Validity.isValid(validity, row) ? 1 : 0;
      }
      return count;
    }
    int lanes = INTS.length();
    IntVector iota = IntVector.zero(INTS).addIndex(1);
    int i = 0;
    for (; i + lanes <= n; i += lanes) {
      VectorMask<Integer> m = VectorMask.fromLong(INTS, validBits(validity, i, lanes));
      iota.add(i).compress(m).intoMemorySegment(out, 4L * count, ORDER);
      count += m.trueCount();
    }
    return emitValid(validity, i, n, out, count);
  }

  /**
   * First position q in [from, end - lit.length] where the literal's bytes start, or -1. Reads up
   * to a vector past {@code end} while inside the segment; candidates beyond are masked.
   */
  static long indexOf(MemorySegment data, long from, long end, byte[] literal, MemorySegment lit) {
    int len = literal.length;
    long last = end - len;
    if (last < from) {
      return -1;
    }
    if (len == 0) {
      return from;
    }
    byte first = literal[0];
    byte second = literal[len >= 3 ? 1 : 0];
    byte lastByte = literal[len - 1];
    int lanes = BYTES.length();
    long size = data.byteSize();
    long p = from;
    while (p <= last && p + len - 1 + lanes <= size) {
      ByteVector head = ByteVector.fromMemorySegment(BYTES, data, p, ORDER);
      ByteVector tail = ByteVector.fromMemorySegment(BYTES, data, p + len - 1, ORDER);
      VectorMask<Byte> candidates = head.eq(first).and(tail.eq(lastByte));
      if (len >= 3) {
        ByteVector next = ByteVector.fromMemorySegment(BYTES, data, p + 1, ORDER);
        candidates = candidates.and(next.eq(second));
      }
      long m = candidates.toLong();
      long span = last - p;
      if (span < 63) {
        m &= (2L << span) - 1;
      }
      while (m != 0) {
        long q = p + Long.numberOfTrailingZeros(m);
        if (len <= 2 || equalBytes(data, q + 1, lit, 1, len - 2)) {
          return q;
        }
        m &= m - 1;
      }
      p += lanes;
    }
    for (; p <= last; p++) {
      if (data.get(ValueLayout.JAVA_BYTE, p) == first && equalBytes(data, p, lit, 0, len)) {
        return p;
      }
    }
    return -1;
  }

  /** The general matcher of one pattern, with its literals in padded heap segments. */
  private static final class Matcher {
    private final LikePattern.Segment[] segments;
    private final MemorySegment[][] lits;

    Matcher(LikePattern pattern) {
      this.segments = pattern.segments;
      this.lits = new MemorySegment[segments.length][];
      for (int i = 0; i < segments.length; i++) {
        byte[][] l = segments[i].lits;
        lits[i] = new MemorySegment[l.length];
        for (int j = 0; j < l.length; j++) {
          lits[i][j] = padded(l[j]);
        }
      }
    }

    /** The longest literal of the pattern (every matching string contains it), or none. */
    byte[] longestLiteral() {
      byte[] best = new byte[0];
      for (LikePattern.Segment g : segments) {
        for (byte[] l : g.lits) {
          if (l.length > best.length) {
            best = l;
          }
        }
      }
      return best;
    }

    boolean matches(MemorySegment data, long s, long e) {
      int last = segments.length - 1;
      long pos = matchAt(0, 0, data, s, e);
      if (pos < 0) {
        return false;
      }
      if (last == 0) {
        return pos == e;
      }
      for (int i = 1; i < last; i++) {
        pos = find(i, data, pos, e);
        if (pos < 0) {
          return false;
        }
      }
      LikePattern.Segment tail = segments[last];
      if (tail.isEmpty()) {
        return true;
      }
      if (tail.isPureLiteral()) {
        int len = tail.lits[0].length;
        long t = e - len;
        return t >= pos && equalBytes(data, t, lits[last][0], 0, len);
      }
      long cps = countCodePoints(data, pos, e);
      if (cps < tail.codePoints) {
        return false;
      }
      long t = skipCodePoints(data, pos, e, cps - tail.codePoints);
      return matchAt(last, 0, data, t, e) == e;
    }

    /**
     * Matches segment {@code seg} from its literal {@code firstLit} (its preceding skip included)
     * at {@code p}; returns the end of the match or -1.
     */
    private long matchAt(int seg, int firstLit, MemorySegment data, long p, long e) {
      LikePattern.Segment g = segments[seg];
      for (int j = firstLit; ; j++) {
        p = skipCodePoints(data, p, e, g.skips[j]);
        if (p < 0) {
          return -1;
        }
        if (j == g.lits.length) {
          return p;
        }
        int len = g.lits[j].length;
        if (p + len > e || !equalBytes(data, p, lits[seg][j], 0, len)) {
          return -1;
        }
        p += len;
      }
    }

    /** Leftmost match of a middle segment (it begins with a literal) at or after pos: its end. */
    private long find(int seg, MemorySegment data, long pos, long e) {
      LikePattern.Segment g = segments[seg];
      byte[] first = g.lits[0];
      while (true) {
        long q = indexOf(data, pos, e, first, lits[seg][0]);
        if (q < 0) {
          return -1;
        }
        long end = matchAt(seg, 1, data, q + first.length, e);
        if (end >= 0) {
          return end;
        }
        pos = q + 1;
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // IN

  @Override
  public int in(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      byte[][] values,
      MemorySegment out) {
    checkColumn("in", offsets, validity, sel, n);
    checkSelectionOut("in", out, n);
    return inUnchecked(offsets, data, validity, sel, n, new ValueSet(values), out);
  }

  private static int inUnchecked(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      ValueSet set,
      MemorySegment out) {
    int count = 0;
    for (int k = 0; k < n; k++) {
      int row = sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
      if (Validity.isValid(validity, row)) {
        long s = off(offsets, row);
        long e = off(offsets, row + 1);
        out.setAtIndex(ArrowLayout.INT32, count, row);
        count += set.contains(data, s, e - s) ? 1 : 0;
      }
    }
    return count;
  }

  /** An open-addressing hash set of byte strings held in padded heap segments. */
  private static final class ValueSet {
    private final MemorySegment[] values;
    private final int[] table;
    private final int mask;

    ValueSet(byte[][] vals) {
      Objects.requireNonNull(vals, "values is null");
      values = new MemorySegment[vals.length];
      int capacity = Integer.highestOneBit(Math.max(4, vals.length * 2 + 1)) << 1;
      table = new int[capacity];
      mask = capacity - 1;
      for (int i = 0; i < vals.length; i++) {
        byte[] v = vals[i];
        if (v == null) {
          throw new IllegalArgumentException("values[" + i + "] is null (drop NULLs from IN)");
        }
        MemorySegment seg = padded(v);
        values[i] = seg;
        int slot = hash(seg, 0, v.length) & mask;
        while (table[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        table[slot] = i + 1;
      }
    }

    boolean contains(MemorySegment data, long s, long len) {
      if (values.length == 0) {
        return false;
      }
      int slot = hash(data, s, len) & mask;
      while (true) {
        int v = table[slot];
        if (v == 0) {
          return false;
        }
        MemorySegment seg = values[v - 1];
        if (seg.byteSize() - PAD == len && equalBytes(data, s, seg, 0, len)) {
          return true;
        }
        slot = (slot + 1) & mask;
      }
    }

    private static int hash(MemorySegment seg, long s, long len) {
      long h = len * 0x9E3779B97F4A7C15L;
      long i = 0;
      for (; i + 8 <= len; i += 8) {
        h = Long.rotateLeft((h ^ seg.get(WORD, s + i)) * 0x9E3779B97F4A7C15L, 29);
      }
      for (; i < len; i++) {
        h = (h ^ (seg.get(ValueLayout.JAVA_BYTE, s + i) & 0xFFL)) * 0x100000001B3L;
      }
      h ^= h >>> 32;
      h *= 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 29));
    }
  }

  // ------------------------------------------------------------------------------------------
  // bitmaps and dictionaries

  @Override
  public int compareBitmap(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      Op op,
      byte[] constant,
      MemorySegment outBitmap) {
    Objects.requireNonNull(op, "op is null");
    Objects.requireNonNull(constant, "constant is null");
    checkColumn("compareBitmap", offsets, validity, null, n);
    checkBitmapOut("compareBitmap", outBitmap, n);
    MemorySegment scratch = NativeScratch.get(NativeScratch.STRING_SLOT, 4L * Math.max(1, n));
    int count = compareUnchecked(offsets, data, validity, null, n, op, constant, scratch);
    return toBitmap(scratch, count, n, outBitmap);
  }

  @Override
  public int likeBitmap(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      LikePattern pattern,
      MemorySegment outBitmap) {
    Objects.requireNonNull(pattern, "pattern is null");
    checkColumn("likeBitmap", offsets, validity, null, n);
    checkBitmapOut("likeBitmap", outBitmap, n);
    MemorySegment scratch = NativeScratch.get(NativeScratch.STRING_SLOT, 4L * Math.max(1, n));
    int count = likeUnchecked(offsets, data, validity, null, n, pattern, false, scratch);
    return toBitmap(scratch, count, n, outBitmap);
  }

  @Override
  public int inBitmap(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      byte[][] values,
      MemorySegment outBitmap) {
    checkColumn("inBitmap", offsets, validity, null, n);
    checkBitmapOut("inBitmap", outBitmap, n);
    MemorySegment scratch = NativeScratch.get(NativeScratch.STRING_SLOT, 4L * Math.max(1, n));
    int count = inUnchecked(offsets, data, validity, null, n, new ValueSet(values), scratch);
    return toBitmap(scratch, count, n, outBitmap);
  }

  /** Writes the bitmap of a selection over rows [0, n); returns the number of bits set. */
  private static int toBitmap(MemorySegment selection, int count, int n, MemorySegment bitmap) {
    long[] words = new long[(n + 63) >>> 6];
    for (int k = 0; k < count; k++) {
      int row = selection.getAtIndex(ArrowLayout.INT32, k);
      words[row >>> 6] |= 1L << row;
    }
    copyWords(words, bitmap, ArrowLayout.bitmapBytes(n));
    return count;
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
    checkIndices("selectByDictionary", indices, validity, sel, n);
    checkSelectionOut("selectByDictionary", out, n);
    if (dictSize < 0) {
      throw new IllegalArgumentException(
          "selectByDictionary: dictSize must be >= 0; was " + dictSize);
    }
    checkBitmapOut("selectByDictionary", dictBitmap, dictSize);
    return selectByDictionaryUnchecked(indices, validity, sel, n, dictBitmap, dictSize, out);
  }

  private static int selectByDictionaryUnchecked(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictBitmap,
      int dictSize,
      MemorySegment out) {
    int matches = 0;
    int code = -1;
    for (int d = 0; d < dictSize; d++) {
      if (Validity.isValid(dictBitmap, d)) {
        matches++;
        code = d;
      }
    }
    if (sel == null && (matches <= 1 || matches == dictSize)) {
      return selectCodeDense(indices, validity, n, code, matches == dictSize, dictSize, out);
    }
    if (sel == null && dictSize <= 32 * INTS.length()) {
      return selectBitsDense(indices, validity, n, dictBitmap, dictSize, out);
    }
    int count = 0;
    for (int k = 0; k < n; k++) {
      int row = sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
      if (Validity.isValid(validity, row)) {
        int idx = indices.getAtIndex(ArrowLayout.INT32, row);
        if (Integer.compareUnsigned(idx, dictSize) >= 0) {
          throw badIndex(row, idx, dictSize);
        }
        int bit = (dictBitmap.get(ValueLayout.JAVA_BYTE, idx >>> 3) >>> (idx & 7)) & 1;
        out.setAtIndex(ArrowLayout.INT32, count, row);
        count += bit;
      }
    }
    return count;
  }

  /** Rows [0, n) whose index equals {@code code} (or every valid row when {@code all}). */
  private static int selectCodeDense(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      int n,
      int code,
      boolean all,
      int dictSize,
      MemorySegment out) {
    int lanes = INTS.length();
    IntVector iota = IntVector.zero(INTS).addIndex(1);
    int count = 0;
    int i = 0;
    for (; i + lanes <= n; i += lanes) {
      IntVector v = IntVector.fromMemorySegment(INTS, indices, 4L * i, ORDER);
      VectorMask<Integer> valid = VectorMask.fromLong(INTS, validBits(validity, i, lanes));
      VectorMask<Integer> bad = v.compare(VectorOperators.UGE, dictSize).and(valid);
      if (bad.anyTrue()) {
        int row = i + bad.firstTrue();
        throw badIndex(row, indices.getAtIndex(ArrowLayout.INT32, row), dictSize);
      }
      VectorMask<Integer> hit = all ? valid : v.eq(code).and(valid);
      iota.add(i).compress(hit).intoMemorySegment(out, 4L * count, ORDER);
      count += hit.trueCount();
    }
    for (; i < n; i++) {
      if (Validity.isValid(validity, i)) {
        int idx = indices.getAtIndex(ArrowLayout.INT32, i);
        if (Integer.compareUnsigned(idx, dictSize) >= 0) {
          throw badIndex(i, idx, dictSize);
        }
        out.setAtIndex(ArrowLayout.INT32, count, i);
        count += all || idx == code ? 1 : 0;
      }
    }
    return count;
  }

  /**
   * Rows [0, n) whose index has its bit set, for dictionaries of at most 32 x lanes entries: the
   * bitmap's int32 words sit in one IntVector, each lane picks its word (selectFrom) and shifts.
   */
  private static int selectBitsDense(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      int n,
      MemorySegment dictBitmap,
      int dictSize,
      MemorySegment out) {
    int lanes = INTS.length();
    int[] words = new int[lanes];
    for (int d = 0; d < dictSize; d++) {
      if (Validity.isValid(dictBitmap, d)) {
        words[d >>> 5] |= 1 << (d & 31);
      }
    }
    IntVector table = IntVector.fromArray(INTS, words, 0);
    IntVector iota = IntVector.zero(INTS).addIndex(1);
    int count = 0;
    int i = 0;
    for (; i + lanes <= n; i += lanes) {
      IntVector v = IntVector.fromMemorySegment(INTS, indices, 4L * i, ORDER);
      VectorMask<Integer> valid = VectorMask.fromLong(INTS, validBits(validity, i, lanes));
      VectorMask<Integer> bad = v.compare(VectorOperators.UGE, dictSize).and(valid);
      if (bad.anyTrue()) {
        int row = i + bad.firstTrue();
        throw badIndex(row, indices.getAtIndex(ArrowLayout.INT32, row), dictSize);
      }
      IntVector safe = v.blend(0, valid.not());
      IntVector word = safe.lanewise(VectorOperators.LSHR, 5).selectFrom(table);
      VectorMask<Integer> hit =
          word.lanewise(VectorOperators.LSHR, safe.and(31)).and(1).eq(1).and(valid);
      iota.add(i).compress(hit).intoMemorySegment(out, 4L * count, ORDER);
      count += hit.trueCount();
    }
    for (; i < n; i++) {
      if (Validity.isValid(validity, i)) {
        int idx = indices.getAtIndex(ArrowLayout.INT32, i);
        if (Integer.compareUnsigned(idx, dictSize) >= 0) {
          throw badIndex(i, idx, dictSize);
        }
        out.setAtIndex(ArrowLayout.INT32, count, i);
        count += (words[idx >>> 5] >>> (idx & 31)) & 1;
      }
    }
    return count;
  }

  private static KernelException badIndex(int row, int idx, int dictSize) {
    return KernelException.invalid(
        "dictionary lookup",
        row,
        "index " + idx + " is outside the dictionary [0, " + dictSize + ")");
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
    Objects.requireNonNull(op, "op is null");
    Objects.requireNonNull(constant, "constant is null");
    checkIndices("dictionaryCompare", indices, validity, sel, n);
    checkColumn("dictionaryCompare (dictionary)", dictOffsets, dictValidity, null, dictSize);
    checkSelectionOut("dictionaryCompare", out, n);
    MemorySegment scratch =
        NativeScratch.get(NativeScratch.STRING_SLOT, 4L * Math.max(1, dictSize));
    int count =
        compareUnchecked(
            dictOffsets, dictData, dictValidity, null, dictSize, op, constant, scratch);
    return selectByEntries(indices, validity, sel, n, scratch, count, dictSize, out);
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
    return dictionaryLike(
        "dictionaryLike",
        indices,
        validity,
        sel,
        n,
        dictOffsets,
        dictData,
        dictValidity,
        dictSize,
        pattern,
        false,
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
    return dictionaryLike(
        "dictionaryNotLike",
        indices,
        validity,
        sel,
        n,
        dictOffsets,
        dictData,
        dictValidity,
        dictSize,
        pattern,
        true,
        out);
  }

  private static int dictionaryLike(
      String kernel,
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment dictOffsets,
      MemorySegment dictData,
      @Nullable MemorySegment dictValidity,
      int dictSize,
      LikePattern pattern,
      boolean negate,
      MemorySegment out) {
    Objects.requireNonNull(pattern, "pattern is null");
    checkIndices(kernel, indices, validity, sel, n);
    checkColumn(kernel + " (dictionary)", dictOffsets, dictValidity, null, dictSize);
    checkSelectionOut(kernel, out, n);
    MemorySegment scratch =
        NativeScratch.get(NativeScratch.STRING_SLOT, 4L * Math.max(1, dictSize));
    int count =
        likeUnchecked(
            dictOffsets, dictData, dictValidity, null, dictSize, pattern, negate, scratch);
    return selectByEntries(indices, validity, sel, n, scratch, count, dictSize, out);
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
    checkIndices("dictionaryIn", indices, validity, sel, n);
    checkColumn("dictionaryIn (dictionary)", dictOffsets, dictValidity, null, dictSize);
    checkSelectionOut("dictionaryIn", out, n);
    MemorySegment scratch =
        NativeScratch.get(NativeScratch.STRING_SLOT, 4L * Math.max(1, dictSize));
    int count =
        inUnchecked(
            dictOffsets, dictData, dictValidity, null, dictSize, new ValueSet(values), scratch);
    return selectByEntries(indices, validity, sel, n, scratch, count, dictSize, out);
  }

  /** Selects the rows whose index is one of the {@code count} selected dictionary entries. */
  private static int selectByEntries(
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment entries,
      int count,
      int dictSize,
      MemorySegment out) {
    MemorySegment bitmap =
        NativeScratch.get(NativeScratch.DICTIONARY_BITMAP_SLOT, 8L * ((dictSize + 63) >>> 6));
    toBitmap(entries, count, dictSize, bitmap);
    return selectByDictionaryUnchecked(indices, validity, sel, n, bitmap, dictSize, out);
  }

  // ------------------------------------------------------------------------------------------
  // lengths and substring

  @Override
  public void octetLength(
      MemorySegment offsets,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    checkColumn("octetLength", offsets, validity, sel, n);
    checkRowOut("octetLength", out, outValidity, validity, n);
    if (sel == null) {
      octetLengthDense(offsets, validity, n, out);
    } else {
      for (int k = 0; k < n; k++) {
        int row = sel.getAtIndex(ArrowLayout.INT32, k);
        int len = Validity.isValid(validity, row) ? off(offsets, row + 1) - off(offsets, row) : 0;
        out.setAtIndex(ArrowLayout.INT32, k, len);
      }
    }
    writeValidity(validity, sel, n, outValidity);
  }

  private static void octetLengthDense(
      MemorySegment offsets, @Nullable MemorySegment validity, int n, MemorySegment out) {
    int lanes = INTS.length();
    int i = 0;
    for (; i + lanes <= n; i += lanes) {
      IntVector s = IntVector.fromMemorySegment(INTS, offsets, 4L * i, ORDER);
      IntVector e = IntVector.fromMemorySegment(INTS, offsets, 4L * (i + 1), ORDER);
      IntVector len = e.sub(s);
      if (validity != null) {
        VectorMask<Integer> valid = VectorMask.fromLong(INTS, validBits(validity, i, lanes));
        len = IntVector.zero(INTS).blend(len, valid);
      }
      len.intoMemorySegment(out, 4L * i, ORDER);
    }
    for (; i < n; i++) {
      int len = Validity.isValid(validity, i) ? off(offsets, i + 1) - off(offsets, i) : 0;
      out.setAtIndex(ArrowLayout.INT32, i, len);
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
    checkColumn("charLength", offsets, validity, sel, n);
    checkRowOut("charLength", out, outValidity, validity, n);
    if (sel == null && n > 0 && isAscii(data, off(offsets, 0), off(offsets, n))) {
      octetLengthDense(offsets, validity, n, out);
    } else {
      for (int k = 0; k < n; k++) {
        int row = sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
        int len = 0;
        if (Validity.isValid(validity, row)) {
          len = (int) countCodePoints(data, off(offsets, row), off(offsets, row + 1));
        }
        out.setAtIndex(ArrowLayout.INT32, k, len);
      }
    }
    writeValidity(validity, sel, n, outValidity);
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
    checkColumn("substringSize", offsets, validity, sel, n);
    checkLength("substringSize", length);
    return substring(offsets, data, validity, sel, n, start, length, null, null);
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
    checkColumn("substring", offsets, validity, sel, n);
    checkLength("substring", length);
    Objects.requireNonNull(outOffsets, "outOffsets is null");
    Objects.requireNonNull(outData, "outData is null");
    if (outOffsets.byteSize() < 4L * (n + 1L)) {
      throw new IllegalArgumentException(
          "substring: outOffsets holds "
              + outOffsets.byteSize()
              + " bytes; needs "
              + 4L * (n + 1L)
              + " for "
              + n
              + " rows");
    }
    checkValidityOut("substring", outValidity, validity, n);
    long written = substring(offsets, data, validity, sel, n, start, length, outOffsets, outData);
    writeValidity(validity, sel, n, outValidity);
    return written;
  }

  /** Computes (and, with outputs, writes) the substrings; returns the bytes. */
  private static long substring(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      long start,
      long length,
      @Nullable MemorySegment outOffsets,
      @Nullable MemorySegment outData) {
    long from = Math.max(start, 1);
    long to = start > 0 && length > Long.MAX_VALUE - start ? Long.MAX_VALUE : start + length;
    long skip = from - 1;
    long take = to <= from ? 0 : to - from;
    boolean ascii = sel == null && n > 0 && isAscii(data, off(offsets, 0), off(offsets, n));
    long pos = 0;
    long capacity = outData == null ? Long.MAX_VALUE : outData.byteSize();
    if (outOffsets != null) {
      outOffsets.setAtIndex(ArrowLayout.INT32, 0, 0);
    }
    for (int k = 0; k < n; k++) {
      int row = sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
      if (Validity.isValid(validity, row) && take > 0) {
        long s = off(offsets, row);
        long e = off(offsets, row + 1);
        long bs;
        long be;
        if (ascii) {
          bs = s + Math.min(skip, e - s);
          be = bs + Math.min(take, e - bs);
        } else {
          bs = skipClamped(data, s, e, skip);
          be = skipClamped(data, bs, e, take);
        }
        long len = be - bs;
        if (outData != null && len > 0) {
          if (pos + len > capacity) {
            throw new IllegalArgumentException(
                "substring: outData holds "
                    + capacity
                    + " bytes, too few at output row "
                    + k
                    + " (call substringSize first)");
          }
          MemorySegment.copy(data, bs, outData, pos, len);
        }
        pos += len;
      }
      if (outOffsets != null) {
        if (pos > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(
              "substring: output exceeds int32 offsets at output row " + k);
        }
        outOffsets.setAtIndex(ArrowLayout.INT32, k + 1, (int) pos);
      }
    }
    return pos;
  }

  private static void checkLength(String kernel, long length) {
    if (length < 0) {
      throw new IllegalArgumentException(
          kernel + ": negative substring length not allowed; was " + length);
    }
  }

  /** Writes the output validity (dense over the selection). */
  private static void writeValidity(
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      @Nullable MemorySegment outValidity) {
    if (outValidity == null) {
      return;
    }
    if (validity == null) {
      Validity.setAllValid(outValidity, n);
      return;
    }
    if (sel == null) {
      MemorySegment.copy(validity, 0, outValidity, 0, ArrowLayout.bitmapBytes(n));
      return;
    }
    int acc = 0;
    for (int k = 0; k < n; k++) {
      if (Validity.isValid(validity, sel.getAtIndex(ArrowLayout.INT32, k))) {
        acc |= 1 << (k & 7);
      }
      if ((k & 7) == 7 || k == n - 1) {
        outValidity.set(ValueLayout.JAVA_BYTE, k >>> 3, (byte) acc);
        acc = 0;
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // bytes and code points

  /** Whether data[from, to) is all ASCII (no byte with its high bit set). */
  static boolean isAscii(MemorySegment data, long from, long to) {
    int lanes = BYTES.length();
    long p = from;
    while (p + 8L * lanes <= to) {
      ByteVector acc = ByteVector.fromMemorySegment(BYTES, data, p, ORDER);
      for (int j = 1; j < 8; j++) {
        acc = acc.or(ByteVector.fromMemorySegment(BYTES, data, p + (long) j * lanes, ORDER));
      }
      if (acc.lt((byte) 0).anyTrue()) {
        return false;
      }
      p += 8L * lanes;
    }
    for (; p + 8 <= to; p += 8) {
      if ((data.get(WORD, p) & HIGH_BITS) != 0) {
        return false;
      }
    }
    for (; p < to; p++) {
      if (data.get(ValueLayout.JAVA_BYTE, p) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Bytes of the code point whose lead byte {@code b0 >= 0x80} is at p (1 when ill-formed). */
  static int sequenceLength(MemorySegment data, long p, long e, int b0) {
    if (b0 < 0xC2) {
      return 1;
    }
    if (b0 < 0xE0) {
      return p + 1 < e && isContinuation(data, p + 1) ? 2 : 1;
    }
    if (b0 < 0xF0) {
      if (p + 2 >= e) {
        return 1;
      }
      int b1 = data.get(ValueLayout.JAVA_BYTE, p + 1) & 0xFF;
      int lo = b0 == 0xE0 ? 0xA0 : 0x80;
      int hi = b0 == 0xED ? 0x9F : 0xBF;
      return b1 >= lo && b1 <= hi && isContinuation(data, p + 2) ? 3 : 1;
    }
    if (b0 < 0xF5) {
      if (p + 3 >= e) {
        return 1;
      }
      int b1 = data.get(ValueLayout.JAVA_BYTE, p + 1) & 0xFF;
      int lo = b0 == 0xF0 ? 0x90 : 0x80;
      int hi = b0 == 0xF4 ? 0x8F : 0xBF;
      return b1 >= lo && b1 <= hi && isContinuation(data, p + 2) && isContinuation(data, p + 3)
          ? 4
          : 1;
    }
    return 1;
  }

  private static boolean isContinuation(MemorySegment data, long p) {
    return (data.get(ValueLayout.JAVA_BYTE, p) & 0xC0) == 0x80;
  }

  /** Code points in data[p, e). */
  static long countCodePoints(MemorySegment data, long p, long e) {
    long count = 0;
    while (p < e) {
      if (p + 8 <= e && (data.get(WORD, p) & HIGH_BITS) == 0) {
        p += 8;
        count += 8;
        continue;
      }
      int b = data.get(ValueLayout.JAVA_BYTE, p) & 0xFF;
      p += b < 0x80 ? 1 : sequenceLength(data, p, e, b);
      count++;
    }
    return count;
  }

  /** The position {@code count} code points after p, or -1 when data[p, e) has fewer. */
  static long skipCodePoints(MemorySegment data, long p, long e, long count) {
    while (count > 0) {
      if (p >= e) {
        return -1;
      }
      if (count >= 8 && p + 8 <= e && (data.get(WORD, p) & HIGH_BITS) == 0) {
        p += 8;
        count -= 8;
        continue;
      }
      int b = data.get(ValueLayout.JAVA_BYTE, p) & 0xFF;
      p += b < 0x80 ? 1 : sequenceLength(data, p, e, b);
      count--;
    }
    return p;
  }

  /** The position {@code count} code points after p, or e when data[p, e) has fewer. */
  private static long skipClamped(MemorySegment data, long p, long e, long count) {
    long q = skipCodePoints(data, p, e, count);
    return q < 0 ? e : q;
  }

  /** Whether a[as, as + len) equals b[bs, bs + len). */
  static boolean equalBytes(MemorySegment a, long as, MemorySegment b, long bs, long len) {
    long i = 0;
    int lanes = BYTES.length();
    for (; i + lanes <= len; i += lanes) {
      ByteVector x = ByteVector.fromMemorySegment(BYTES, a, as + i, ORDER);
      ByteVector y = ByteVector.fromMemorySegment(BYTES, b, bs + i, ORDER);
      if (x.compare(VectorOperators.NE, y).anyTrue()) {
        return false;
      }
    }
    for (; i + 8 <= len; i += 8) {
      if (a.get(WORD, as + i) != b.get(WORD, bs + i)) {
        return false;
      }
    }
    if (i == len) {
      return true;
    }
    if (as + i + 8 <= a.byteSize() && bs + i + 8 <= b.byteSize()) {
      long mask = -1L >>> (64 - 8 * (len - i));
      return ((a.get(WORD, as + i) ^ b.get(WORD, bs + i)) & mask) == 0;
    }
    for (; i < len; i++) {
      if (a.get(ValueLayout.JAVA_BYTE, as + i) != b.get(ValueLayout.JAVA_BYTE, bs + i)) {
        return false;
      }
    }
    return true;
  }

  /** Unsigned lexicographic compare of a[as, as + alen) and b[bs, bs + blen). */
  static int compareBytes(
      MemorySegment a, long as, long alen, MemorySegment b, long bs, long blen) {
    long min = Math.min(alen, blen);
    long i = 0;
    int lanes = BYTES.length();
    for (; i + lanes <= min; i += lanes) {
      ByteVector x = ByteVector.fromMemorySegment(BYTES, a, as + i, ORDER);
      ByteVector y = ByteVector.fromMemorySegment(BYTES, b, bs + i, ORDER);
      VectorMask<Byte> ne = x.compare(VectorOperators.NE, y);
      if (ne.anyTrue()) {
        long j = i + ne.firstTrue();
        return Integer.compare(
            a.get(ValueLayout.JAVA_BYTE, as + j) & 0xFF,
            b.get(ValueLayout.JAVA_BYTE, bs + j) & 0xFF);
      }
    }
    for (; i + 8 <= min; i += 8) {
      long x = a.get(WORD_BE, as + i);
      long y = b.get(WORD_BE, bs + i);
      if (x != y) {
        return Long.compareUnsigned(x, y);
      }
    }
    if (i < min && as + i + 8 <= a.byteSize() && bs + i + 8 <= b.byteSize()) {
      long mask = -1L << (64 - 8 * (min - i));
      long x = a.get(WORD_BE, as + i) & mask;
      long y = b.get(WORD_BE, bs + i) & mask;
      if (x != y) {
        return Long.compareUnsigned(x, y);
      }
      i = min;
    }
    for (; i < min; i++) {
      int x = a.get(ValueLayout.JAVA_BYTE, as + i) & 0xFF;
      int y = b.get(ValueLayout.JAVA_BYTE, bs + i) & 0xFF;
      if (x != y) {
        return x < y ? -1 : 1;
      }
    }
    return Long.compare(alen, blen);
  }

  /**
   * A native segment of the bytes followed by 8 zero bytes (so that a word read never leaves it).
   * Native, not a heap segment: heap segments reaching the accessors the column kernels use make
   * those accessors polymorphic for the whole process (see {@link NativeScratch}).
   */
  static MemorySegment padded(byte[] bytes) {
    return NativeScratch.copyOf(bytes, PAD);
  }

  /** Copies the first {@code bytes} bytes of {@code words} (little-endian) into {@code out}. */
  private static void copyWords(long[] words, MemorySegment out, long bytes) {
    int whole = (int) (bytes >>> 3);
    MemorySegment.copy(words, 0, out, ArrowLayout.INT64, 0, whole);
    for (long b = (long) whole << 3; b < bytes; b++) {
      out.set(ValueLayout.JAVA_BYTE, b, (byte) (words[whole] >>> ((b & 7) << 3)));
    }
  }

  private static int off(MemorySegment offsets, long i) {
    return offsets.getAtIndex(ArrowLayout.INT32, i);
  }

  /** Validity bits of rows [i, i + lanes) as bits 0.. of a long; all ones without a bitmap. */
  private static long validBits(@Nullable MemorySegment validity, int i, int lanes) {
    long all = lanes == 64 ? -1L : (1L << lanes) - 1;
    if (validity == null) {
      return all;
    }
    long at = i >>> 3;
    long size = validity.byteSize();
    long w;
    if (at + 8 <= size) {
      w = validity.get(WORD, at);
    } else {
      w = 0;
      for (long b = at; b < size && b < at + 8; b++) {
        w |= (validity.get(ValueLayout.JAVA_BYTE, b) & 0xFFL) << (8 * (b - at));
      }
    }
    return (w >>> (i & 7)) & all;
  }

  // ------------------------------------------------------------------------------------------
  // argument checks

  /** Checks n, the selection and that offsets and validity cover the rows used. */
  private static void checkColumn(
      String kernel,
      MemorySegment offsets,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n) {
    Objects.requireNonNull(offsets, "offsets is null");
    if (n < 0) {
      throw new IllegalArgumentException(kernel + ": n must be >= 0; was " + n);
    }
    long rows = n;
    if (sel != null) {
      if (sel.byteSize() < 4L * n) {
        throw new IllegalArgumentException(
            kernel + ": sel holds " + sel.byteSize() / 4 + " int32s; needs n = " + n);
      }
      rows = n == 0 ? 0 : sel.getAtIndex(ArrowLayout.INT32, n - 1) + 1L;
      if (n > 0 && sel.getAtIndex(ArrowLayout.INT32, 0) < 0) {
        throw new IllegalArgumentException(
            kernel + ": sel[0] is negative: " + sel.getAtIndex(ArrowLayout.INT32, 0));
      }
    }
    if (offsets.byteSize() < 4L * (rows + 1)) {
      throw new IllegalArgumentException(
          kernel
              + ": offsets hold "
              + offsets.byteSize() / 4
              + " int32s; need "
              + (rows + 1)
              + " for "
              + rows
              + " rows");
    }
    if (validity != null && validity.byteSize() < ArrowLayout.bitmapBytes(rows)) {
      throw new IllegalArgumentException(
          kernel
              + ": validity holds "
              + validity.byteSize()
              + " bytes; needs "
              + ArrowLayout.bitmapBytes(rows)
              + " for "
              + rows
              + " rows");
    }
  }

  private static void checkIndices(
      String kernel,
      MemorySegment indices,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n) {
    Objects.requireNonNull(indices, "indices is null");
    if (n < 0) {
      throw new IllegalArgumentException(kernel + ": n must be >= 0; was " + n);
    }
    long rows = n;
    if (sel != null) {
      if (sel.byteSize() < 4L * n) {
        throw new IllegalArgumentException(
            kernel + ": sel holds " + sel.byteSize() / 4 + " int32s; needs n = " + n);
      }
      rows = n == 0 ? 0 : sel.getAtIndex(ArrowLayout.INT32, n - 1) + 1L;
    }
    if (indices.byteSize() < 4L * rows) {
      throw new IllegalArgumentException(
          kernel + ": indices hold " + indices.byteSize() / 4 + " int32s; need " + rows);
    }
    if (validity != null && validity.byteSize() < ArrowLayout.bitmapBytes(rows)) {
      throw new IllegalArgumentException(
          kernel
              + ": validity holds "
              + validity.byteSize()
              + " bytes; needs "
              + ArrowLayout.bitmapBytes(rows));
    }
  }

  private static void checkSelectionOut(String kernel, MemorySegment out, int n) {
    Objects.requireNonNull(out, "out is null");
    if (out.byteSize() < Selection.bytes(n)) {
      throw new IllegalArgumentException(
          kernel + ": out holds " + out.byteSize() / 4 + " int32s; needs n = " + n);
    }
  }

  private static void checkBitmapOut(String kernel, MemorySegment bitmap, int rows) {
    Objects.requireNonNull(bitmap, "bitmap is null");
    if (bitmap.byteSize() < ArrowLayout.bitmapBytes(rows)) {
      throw new IllegalArgumentException(
          kernel
              + ": bitmap holds "
              + bitmap.byteSize()
              + " bytes; needs "
              + ArrowLayout.bitmapBytes(rows)
              + " for "
              + rows
              + " rows");
    }
  }

  private static void checkRowOut(
      String kernel,
      MemorySegment out,
      @Nullable MemorySegment outValidity,
      @Nullable MemorySegment validity,
      int n) {
    Objects.requireNonNull(out, "out is null");
    if (out.byteSize() < 4L * n) {
      throw new IllegalArgumentException(
          kernel + ": out holds " + out.byteSize() / 4 + " int32s; needs n = " + n);
    }
    checkValidityOut(kernel, outValidity, validity, n);
  }

  private static void checkValidityOut(
      String kernel, @Nullable MemorySegment outValidity, @Nullable MemorySegment validity, int n) {
    if (outValidity == null) {
      if (validity != null) {
        throw new IllegalArgumentException(
            kernel + ": outValidity is null but the input has a validity bitmap");
      }
      return;
    }
    if (outValidity.byteSize() < ArrowLayout.bitmapBytes(n)) {
      throw new IllegalArgumentException(
          kernel
              + ": outValidity holds "
              + outValidity.byteSize()
              + " bytes; needs "
              + ArrowLayout.bitmapBytes(n));
    }
  }
}
