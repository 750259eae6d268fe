package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.jspecify.annotations.Nullable;

/** CPU sort kernels: Vector API key encoding, scalar LSD radix passes. */
final class CpuSortKernels implements SortKernels {
  /*
   * Implementation notes.
   *
   * Packed keys. sort() and topN() never build the row-major normalized keys: they pack the same
   * order into "key words", struct-of-arrays longs compared as unsigned numbers, most significant
   * word first. Each key column is a bit field: an optional 1-bit null flag (only when the rows in
   * range hold both nulls and values), then its value encoded as in the normalized key (sign flip;
   * float total order with NaN and -0.0 canonicalized; utf8 as two parts, prefix bytes 0..7 and
   * bytes 8..14 plus min(length, 16); DESC inverted). sort() first runs one vector pass per column
   * that ORs (encoding ^ first valid encoding) over the valid rows and keeps only the span of bits
   * that vary, so an int32 in [0, 10000) costs 14 bits and a constant column none; topN() keeps
   * full widths (no pre-pass). Fields are laid out MSB-first and may straddle words. Encoding a
   * fixed-width column with no selection is a Vector API loop (validity blended in as a lane mask
   * from one bitmap byte per vector, fields shifted and ORed into the word arrays) with a scalar
   * tail; selections and utf8 are scalar. radixSort() reads row-major keys into words (big-endian
   * 8-byte slices; a scalar pass since rows are strided) and finds varying bits per word.
   *
   * Radix sort. Ranges of at least 128K rows first take one MSD pass on the top varying bits,
   * sized for buckets of about 16K rows, so that the rest of the work runs in cache; buckets
   * recurse (MSD again if still large, insertion sort up to 16 rows, else LSD). LSD sorts each
   * live word (least significant first) over the span of its varying bits in digits of at most 11
   * bits (8 below 16K rows), clipped at the top varying bit. Histograms are computed for all of a
   * word's digits before its passes (they do not depend on the order), and a digit whose rows all
   * fall in one bucket is skipped. A pass moves the row ids and only the words still needed: a
   * word is dead after its own last digit. On the last word, once at most 32 varying bits remain,
   * key and row id are packed into one long ((bits << 32) | row) and only that array moves. MSD
   * and LSD passes are stable and rows enter in input order, so ties keep input order.
   *
   * utf8 ties. A packed utf8 field decides the order unless both values are longer than 15 bytes
   * and share the prefix. sort() notes whether any value was that long; if so it walks adjacent
   * pairs of the result, finds runs whose first tie that is not fully decided is such a utf8 field,
   * and re-sorts each run with the full row comparator (binary string compare via
   * MemorySegment.mismatch), breaking remaining ties by row index, which keeps stability.
   *
   * Top-N. For limit << count a bounded max-heap of (key words, row) scans blocks of 1024 rows
   * encoded into scratch; a row enters only if it is strictly smaller than the heap's top (a later
   * row with an equal key is larger by stability; most rows are rejected on the first word), and
   * the heap is emptied from the back into the output. Larger limits run the full sort.
   *
   * Scatter passes, histograms and the heap are scalar: they are data-dependent loads and stores
   * that the Vector API cannot express efficiently (no conflict-free scatter into segments).
   */

  static final CpuSortKernels INSTANCE = new CpuSortKernels();

  private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
  private static final int L = LS.length();
  private static final VectorSpecies<Integer> IS_HALF =
      VectorSpecies.of(int.class, VectorShape.forBitSize(Math.max(64, LS.vectorBitSize() / 2)));
  private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
  private static final ValueLayout.OfLong BE64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfInt BE32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfLong W = ArrowLayout.INT64;
  private static final ValueLayout.OfInt I32 = ArrowLayout.INT32;
  private static final long CANONICAL_NAN = 0x7FF8_0000_0000_0000L;
  private static final int P = UTF8_PREFIX_BYTES;
  private static final int TOPN_BLOCK = 1024;
  private static final int INSERTION_MAX = 16;
  private static final int MSD_MIN = 1 << 17;
  private static final int MSD_BUCKET = 16_384;
  private static final int MSD_MAX_BITS = 12;

  private CpuSortKernels() {}

  // ---------------------------------------------------------------- public kernels

  @Override
  public void normalizeKeys(
      List<SortColumn> columns,
      int count,
      @Nullable MemorySegment selection,
      MemorySegment keysOut) {
    checkColumns(columns, count, selection);
    Objects.requireNonNull(keysOut, "keysOut is null");
    int width = SortKernels.keyWidth(keys(columns));
    checkSize("keysOut", keysOut, (long) count * width);
    int colOff = 0;
    for (SortColumn c : columns) {
      normalizeColumn(c, count, selection, keysOut, width, colOff);
      colOff += 1 + c.key().type().keyBytes();
    }
  }

  @Override
  public long radixSortScratchBytes(int keyWidth, int count) {
    checkArgument(keyWidth > 0, "keyWidth must be positive: %s", keyWidth);
    checkArgument(count >= 0, "count must be >= 0: %s", count);
    return Buffers.bytes((keyWidth + 7) / 8, count);
  }

  @Override
  public void radixSort(
      MemorySegment keys,
      int keyWidth,
      int count,
      MemorySegment permutationOut,
      MemorySegment scratch) {
    Objects.requireNonNull(keys, "keys is null");
    long scratchBytes = radixSortScratchBytes(keyWidth, count);
    checkSize("keys", keys, (long) count * keyWidth);
    checkSize("permutationOut", permutationOut, 4L * count);
    checkSize("scratch", scratch, scratchBytes);
    if (count == 0) {
      return;
    }
    int nw = (keyWidth + 7) / 8;
    Buffers b = new Buffers(scratch, nw, count);
    for (int i = 0; i < count; i++) {
      long base = (long) i * keyWidth;
      for (int j = 0; j < nw; j++) {
        b.wordA[j].setAtIndex(
            W, i, readBigEndian(keys, base + 8L * j, Math.min(8, keyWidth - 8 * j)));
      }
    }
    iota(b.idxA, count);
    long[] masks = new long[nw];
    for (int k = 0; k < nw; k++) {
      masks[k] = varyingWordBits(b.wordA[k], count);
    }
    MemorySegment sorted = sortRange(b, nw, masks, count) ? b.idxA : b.idxB;
    MemorySegment.copy(sorted, 0, permutationOut, 0, 4L * count);
  }

  @Override
  public long sortScratchBytes(List<SortKey> keys, int count) {
    checkArgument(count >= 0, "count must be >= 0: %s", count);
    return Buffers.bytes(maxWords(keys), count);
  }

  @Override
  public void sort(
      List<SortColumn> columns,
      int count,
      @Nullable MemorySegment selection,
      MemorySegment permutationOut,
      MemorySegment scratch) {
    checkColumns(columns, count, selection);
    checkSize("permutationOut", permutationOut, 4L * count);
    checkSize("scratch", scratch, sortScratchBytes(keys(columns), count));
    if (count == 0) {
      return;
    }
    MemorySegment sorted = sortInto(columns, count, selection, scratch);
    MemorySegment.copy(sorted, 0, permutationOut, 0, 4L * count);
  }

  @Override
  public long topNScratchBytes(List<SortKey> keys, int count, int limit) {
    checkArgument(count >= 0, "count must be >= 0: %s", count);
    checkArgument(limit >= 0, "limit must be >= 0: %s", limit);
    int k = Math.min(limit, count);
    if (k == 0) {
      return 0;
    }
    return useHeap(count, k)
        ? (long) TOPN_BLOCK * 8 * maxWords(keys)
        : sortScratchBytes(keys, count);
  }

  @Override
  public int topN(
      List<SortColumn> columns,
      int count,
      @Nullable MemorySegment selection,
      int limit,
      MemorySegment out,
      MemorySegment scratch) {
    checkColumns(columns, count, selection);
    checkArgument(limit >= 0, "limit must be >= 0: %s", limit);
    int k = Math.min(limit, count);
    checkSize("out", out, 4L * k);
    checkSize("scratch", scratch, topNScratchBytes(keys(columns), count, limit));
    if (k == 0) {
      return 0;
    }
    if (!useHeap(count, k)) {
      MemorySegment sorted = sortInto(columns, count, selection, scratch);
      MemorySegment.copy(sorted, 0, out, 0, 4L * k);
      return k;
    }
    new TopNHeap(columns, count, selection, k, scratch).run(out);
    return k;
  }

  // ---------------------------------------------------------------- argument checks

  private static void checkArgument(boolean ok, String format, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(format, value));
    }
  }

  private static void checkSize(String name, MemorySegment s, long need) {
    Objects.requireNonNull(s, () -> name + " is null");
    if (need < 0) {
      throw new IllegalArgumentException(name + ": negative size " + need);
    }
    if (s.byteSize() < need) {
      throw new IllegalArgumentException(
          name + " holds " + s.byteSize() + " bytes, needs at least " + need);
    }
  }

  private static void checkColumns(
      List<SortColumn> columns, int count, @Nullable MemorySegment selection) {
    Objects.requireNonNull(columns, "columns is null");
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("columns is empty: sort needs at least one key column");
    }
    checkArgument(count >= 0, "count must be >= 0: %s", count);
    int rows = count;
    if (selection != null) {
      checkSize("selection", selection, 4L * count);
      rows = count == 0 ? 0 : selection.getAtIndex(I32, count - 1) + 1;
      checkArgument(rows >= 0, "selection holds a negative row index: %s", rows - 1);
    }
    for (int c = 0; c < columns.size(); c++) {
      columns.get(c).checkRows(c, rows);
    }
  }

  private static List<SortKey> keys(List<SortColumn> columns) {
    return columns.stream().map(SortColumn::key).toList();
  }

  // ---------------------------------------------------------------- scalar encodings

  /** The ascending, null-free encoding of a fixed-width value: unsigned, right-aligned. */
  private static long encodeFixed(KeyType type, MemorySegment values, long row) {
    return switch (type) {
      case INT32, DATE32 -> (values.getAtIndex(I32, row) & 0xFFFF_FFFFL) ^ 0x8000_0000L;
      case INT64, TIMESTAMP, DECIMAL64 -> values.getAtIndex(W, row) ^ Long.MIN_VALUE;
      case FLOAT64 -> encodeDouble(values.getAtIndex(W, row));
      case UTF8 -> throw new IllegalStateException("utf8 is not fixed-width");
    };
  }

  /** Total-order bits of a float64 (raw bits in): NaN last, -0.0 == 0.0. */
  static long encodeDouble(long bits) {
    long b = bits;
    if ((b & Long.MAX_VALUE) > 0x7FF0_0000_0000_0000L) {
      b = CANONICAL_NAN;
    } else if (b == Long.MIN_VALUE) {
      b = 0;
    }
    return b ^ ((b >> 63) | Long.MIN_VALUE);
  }

  private static int utf8Length(SortColumn c, long row) {
    return c.values().getAtIndex(I32, row + 1) - c.values().getAtIndex(I32, row);
  }

  /** High 8 bytes of a utf8 normalized value (ascending). */
  private static long utf8High(MemorySegment data, long start, int len) {
    if (len >= 8) {
      return data.get(BE64, start);
    }
    long v = 0;
    for (int k = 0; k < len; k++) {
      v |= (data.get(ValueLayout.JAVA_BYTE, start + k) & 0xFFL) << (56 - 8 * k);
    }
    return v;
  }

  /** Low 8 bytes of a utf8 normalized value: bytes 8..14 then min(length, 16) (ascending). */
  private static long utf8Low(MemorySegment data, long start, int len) {
    if (len >= 16) {
      return (data.get(BE64, start + 8) & ~0xFFL) | (P + 1);
    }
    long v = Math.min(len, P + 1);
    for (int k = 8; k < Math.min(len, P); k++) {
      v |= (data.get(ValueLayout.JAVA_BYTE, start + k) & 0xFFL) << (56 - 8 * (k - 8));
    }
    return v;
  }

  private static boolean valid(@Nullable MemorySegment validity, long row) {
    return Validity.isValid(validity, row);
  }

  private static long readBigEndian(MemorySegment s, long off, int bytes) {
    if (off + 8 <= s.byteSize()) {
      long v = s.get(BE64, off);
      return bytes >= 8 ? v : v & (-1L << (8 * (8 - bytes)));
    }
    long v = 0;
    for (int k = 0; k < bytes; k++) {
      v |= (s.get(ValueLayout.JAVA_BYTE, off + k) & 0xFFL) << (56 - 8 * k);
    }
    return v;
  }

  private static void normalizeColumn(
      SortColumn c,
      int count,
      @Nullable MemorySegment sel,
      MemorySegment out,
      int width,
      int colOff) {
    KeyType type = c.key().type();
    boolean asc = c.key().ascending();
    byte validByte = (byte) (c.key().nullsFirst() ? 1 : 0);
    byte nullByte = (byte) (c.key().nullsFirst() ? 0 : 1);
    MemorySegment validity = c.validity();
    MemorySegment values = c.values();
    for (int k = 0; k < count; k++) {
      long row = sel == null ? k : sel.getAtIndex(I32, k);
      long base = (long) k * width + colOff;
      if (!valid(validity, row)) {
        out.set(ValueLayout.JAVA_BYTE, base, nullByte);
        out.asSlice(base + 1, type.keyBytes()).fill((byte) 0);
        continue;
      }
      out.set(ValueLayout.JAVA_BYTE, base, validByte);
      switch (type) {
        case INT32, DATE32 -> {
          int v = (int) encodeFixed(type, values, row);
          out.set(BE32, base + 1, asc ? v : ~v);
        }
        case INT64, TIMESTAMP, DECIMAL64, FLOAT64 -> {
          long v = encodeFixed(type, values, row);
          out.set(BE64, base + 1, asc ? v : ~v);
        }
        case UTF8 -> {
          MemorySegment data = Objects.requireNonNull(c.utf8Data());
          long start = values.getAtIndex(I32, row);
          int len = utf8Length(c, row);
          long hi = utf8High(data, start, len);
          long lo = utf8Low(data, start, len);
          out.set(BE64, base + 1, asc ? hi : ~hi);
          out.set(BE64, base + 9, asc ? lo : ~lo);
        }
      }
    }
  }

  // ---------------------------------------------------------------- packed key plan

  private static int valueBits(KeyType t) {
    return t.keyBytes() * 8;
  }

  private static long lowMask(int bits) {
    return bits >= 64 ? -1L : (1L << bits) - 1;
  }

  /** Words a packed key can need for these keys (every column with a null flag, full width). */
  private static int maxWords(List<SortKey> keys) {
    Objects.requireNonNull(keys, "keys is null");
    long bits = 0;
    for (SortKey k : keys) {
      bits += 1 + valueBits(k.type());
    }
    return (int) Math.max(1, (bits + 63) / 64);
  }

  /**
   * Where each column's fields sit in the packed key words. A column has a null flag (when its
   * nulls matter) and one value part (two for utf8: prefix bytes 0..7, then 8..14 and the length);
   * a part keeps {@code bits[c][p]} bits of its ascending-or-inverted encoding from bit {@code
   * low[c][p]} up, at bit {@code off[c][p]} of the packed key (MSB-first).
   */
  private static final class Plan {
    final List<SortColumn> columns;
    final int nwMax;
    final int words;
    final int[] nullOff;
    final int[][] off;
    final int[][] low;
    final int[][] bits;
    final int[] end;
    final long[] wordMask;
    final boolean anyTruncated;

    /**
     * With {@code compact}, one pre-pass per column finds the bits that vary among its valid rows
     * and keeps only their span; otherwise every part keeps its full width.
     */
    Plan(List<SortColumn> columns, int count, @Nullable MemorySegment sel, boolean compact) {
      this.columns = columns;
      int n = columns.size();
      nullOff = new int[n];
      off = new int[n][];
      low = new int[n][];
      bits = new int[n][];
      end = new int[n];
      int rows = sel == null ? count : (count == 0 ? 0 : sel.getAtIndex(I32, count - 1) + 1);
      int pos = 0;
      boolean truncated = false;
      for (int c = 0; c < n; c++) {
        SortColumn col = columns.get(c);
        KeyType type = col.key().type();
        MemorySegment validity = col.validity();
        long nulls = validity == null ? 0 : Validity.nullCount(validity, rows);
        nullOff[c] = nulls > 0 && (nulls < rows || !compact) ? pos++ : -1;
        int parts = type == KeyType.UTF8 ? 2 : 1;
        off[c] = new int[parts];
        low[c] = new int[parts];
        bits[c] = new int[parts];
        long[] masks = null;
        if (compact) {
          masks = new long[parts];
          truncated |= varyingBits(col, count, sel, masks);
        }
        for (int p = 0; p < parts; p++) {
          off[c][p] = pos;
          if (masks == null) {
            bits[c][p] = type == KeyType.UTF8 ? 64 : valueBits(type);
          } else if (masks[p] != 0) {
            low[c][p] = Long.numberOfTrailingZeros(masks[p]);
            bits[c][p] = 64 - Long.numberOfLeadingZeros(masks[p]) - low[c][p];
          }
          pos += bits[c][p];
        }
        end[c] = pos;
      }
      words = Math.max(1, (pos + 63) >>> 6);
      nwMax = maxWords(keys(columns));
      anyTruncated = truncated;
      wordMask = new long[words];
      for (int c = 0; c < n; c++) {
        if (nullOff[c] >= 0) {
          markBits(nullOff[c], 1);
        }
        for (int p = 0; p < off[c].length; p++) {
          markBits(off[c][p], bits[c][p]);
        }
      }
    }

    private void markBits(int at, int len) {
      for (int b = at; b < at + len; b++) {
        wordMask[b >>> 6] |= 1L << (63 - (b & 63));
      }
    }
  }

  /** The ascending encoding of fixed-width values {@code row .. row + L} as a vector. */
  private static LongVector encodeVector(KeyType type, MemorySegment values, long row) {
    return switch (type) {
      case INT32, DATE32 ->
          ((LongVector)
                  IntVector.fromMemorySegment(IS_HALF, values, row * 4, ArrowLayout.ORDER)
                      .convertShape(VectorOperators.I2L, LS, 0))
              .add(0x8000_0000L);
      case INT64, TIMESTAMP, DECIMAL64 ->
          LongVector.fromMemorySegment(LS, values, row * 8, ArrowLayout.ORDER)
              .lanewise(VectorOperators.XOR, Long.MIN_VALUE);
      case FLOAT64 -> {
        LongVector b = LongVector.fromMemorySegment(LS, values, row * 8, ArrowLayout.ORDER);
        VectorMask<Long> nan =
            b.and(Long.MAX_VALUE).compare(VectorOperators.GT, 0x7FF0_0000_0000_0000L);
        VectorMask<Long> negZero = b.compare(VectorOperators.EQ, Long.MIN_VALUE);
        b = b.blend(CANONICAL_NAN, nan).blend(0L, negZero);
        yield b.lanewise(VectorOperators.ASHR, 63)
            .or(Long.MIN_VALUE)
            .lanewise(VectorOperators.XOR, b);
      }
      case UTF8 -> throw new IllegalStateException("utf8 is not fixed-width");
    };
  }

  /** The validity of rows {@code row .. row + L} ({@code row} a multiple of L and of 8 / L). */
  private static VectorMask<Long> validLanes(MemorySegment validity, long row) {
    long bits = (validity.get(ValueLayout.JAVA_BYTE, row >>> 3) & 0xFFL) >>> (row & 7);
    return VectorMask.fromLong(LS, bits);
  }

  /**
   * ORs into {@code masks} (one per part) the bits of the ascending encoding that differ among the
   * valid rows; returns whether a utf8 value is longer than the prefix.
   */
  private static boolean varyingBits(
      SortColumn col, int count, @Nullable MemorySegment sel, long[] masks) {
    KeyType type = col.key().type();
    MemorySegment validity = col.validity();
    MemorySegment values = col.values();
    int first = 0;
    while (first < count && !valid(validity, sel == null ? first : sel.getAtIndex(I32, first))) {
      first++;
    }
    if (first == count) {
      return false;
    }
    long r0 = sel == null ? first : sel.getAtIndex(I32, first);
    if (type == KeyType.UTF8) {
      MemorySegment data = Objects.requireNonNull(col.utf8Data());
      long s0 = values.getAtIndex(I32, r0);
      int l0 = utf8Length(col, r0);
      long hi0 = utf8High(data, s0, l0);
      long lo0 = utf8Low(data, s0, l0);
      long mh = 0;
      long ml = 0;
      boolean truncated = false;
      for (int k = first; k < count; k++) {
        long row = sel == null ? k : sel.getAtIndex(I32, k);
        if (!valid(validity, row)) {
          continue;
        }
        long s = values.getAtIndex(I32, row);
        int l = utf8Length(col, row);
        truncated |= l > P;
        mh |= utf8High(data, s, l) ^ hi0;
        ml |= utf8Low(data, s, l) ^ lo0;
      }
      masks[0] = mh;
      masks[1] = ml;
      return truncated;
    }
    long ref = encodeFixed(type, values, r0);
    long m = 0;
    int k = 0;
    if (sel == null) {
      LongVector refV = LongVector.broadcast(LS, ref);
      LongVector acc = LongVector.zero(LS);
      LongVector zero = LongVector.zero(LS);
      int upper = LS.loopBound(count);
      for (; k < upper; k += L) {
        LongVector x = encodeVector(type, values, k).lanewise(VectorOperators.XOR, refV);
        if (validity != null) {
          x = zero.blend(x, validLanes(validity, k));
        }
        acc = acc.or(x);
      }
      m = acc.reduceLanes(VectorOperators.OR);
    }
    for (; k < count; k++) {
      long row = sel == null ? k : sel.getAtIndex(I32, k);
      if (valid(validity, row)) {
        m |= encodeFixed(type, values, row) ^ ref;
      }
    }
    masks[0] = m;
    return false;
  }

  private static void place(MemorySegment[] w, long pos, long v, int off, int bits) {
    int j = off >>> 6;
    int s = off & 63;
    if (s + bits <= 64) {
      w[j].setAtIndex(W, pos, w[j].getAtIndex(W, pos) | (v << (64 - s - bits)));
    } else {
      int over = s + bits - 64;
      w[j].setAtIndex(W, pos, w[j].getAtIndex(W, pos) | (v >>> over));
      w[j + 1].setAtIndex(W, pos, w[j + 1].getAtIndex(W, pos) | (v << (64 - over)));
    }
  }

  private static void placeVector(MemorySegment[] w, long pos, LongVector v, int off, int bits) {
    int j = off >>> 6;
    int s = off & 63;
    if (s + bits <= 64) {
      orInto(w[j], pos, v.lanewise(VectorOperators.LSHL, 64 - s - bits));
    } else {
      int over = s + bits - 64;
      orInto(w[j], pos, v.lanewise(VectorOperators.LSHR, over));
      orInto(w[j + 1], pos, v.lanewise(VectorOperators.LSHL, 64 - over));
    }
  }

  private static void orInto(MemorySegment w, long pos, LongVector v) {
    long byteOff = pos * 8;
    LongVector.fromMemorySegment(LS, w, byteOff, ArrowLayout.ORDER)
        .or(v)
        .intoMemorySegment(w, byteOff, ArrowLayout.ORDER);
  }

  /**
   * Encodes rows {@code from .. from+len} (positions into the selection, or rows) of every column
   * into the word arrays {@code w} (position 0 = {@code from}), which it zeroes first.
   */
  private static void encode(
      Plan plan, @Nullable MemorySegment sel, int from, int len, MemorySegment[] w) {
    for (int j = 0; j < plan.words; j++) {
      w[j].asSlice(0, 8L * len).fill((byte) 0);
    }
    for (int c = 0; c < plan.columns.size(); c++) {
      SortColumn col = plan.columns.get(c);
      int done = 0;
      if (sel == null && (from & 7) == 0 && col.key().type() != KeyType.UTF8) {
        done = encodeFixedVector(plan, c, from, len, w);
      }
      encodeScalar(plan, c, sel, from, done, len, w);
    }
  }

  private static int encodeFixedVector(Plan plan, int c, int from, int len, MemorySegment[] w) {
    SortColumn col = plan.columns.get(c);
    KeyType type = col.key().type();
    long flip = col.key().ascending() ? 0 : lowMask(valueBits(type));
    int low = plan.low[c][0];
    int bits = plan.bits[c][0];
    int off = plan.off[c][0];
    long keep = lowMask(bits);
    int nullOff = plan.nullOff[c];
    boolean nullsFirst = col.key().nullsFirst();
    MemorySegment values = col.values();
    MemorySegment validity = col.validity();
    if (bits == 0 && (validity == null || nullOff < 0)) {
      return len;
    }
    LongVector zero = LongVector.zero(LS);
    LongVector one = LongVector.broadcast(LS, 1L);
    int upper = LS.loopBound(len);
    for (int i = 0; i < upper; i += L) {
      long row = (long) from + i;
      LongVector v =
          encodeVector(type, values, row)
              .lanewise(VectorOperators.XOR, flip)
              .lanewise(VectorOperators.LSHR, low)
              .and(keep);
      if (validity != null) {
        VectorMask<Long> ok = validLanes(validity, row);
        v = zero.blend(v, ok);
        if (nullOff >= 0) {
          placeVector(w, i, nullsFirst ? zero.blend(one, ok) : one.blend(zero, ok), nullOff, 1);
        }
      }
      if (bits > 0) {
        placeVector(w, i, v, off, bits);
      }
    }
    return upper;
  }

  private static void encodeScalar(
      Plan plan,
      int c,
      @Nullable MemorySegment sel,
      int from,
      int start,
      int len,
      MemorySegment[] w) {
    SortColumn col = plan.columns.get(c);
    KeyType type = col.key().type();
    boolean asc = col.key().ascending();
    boolean nullsFirst = col.key().nullsFirst();
    int nullOff = plan.nullOff[c];
    int[] off = plan.off[c];
    int[] low = plan.low[c];
    int[] bits = plan.bits[c];
    MemorySegment validity = col.validity();
    MemorySegment values = col.values();
    long flip = asc ? 0 : lowMask(valueBits(type));
    for (int q = start; q < len; q++) {
      long row = sel == null ? (long) from + q : sel.getAtIndex(I32, (long) from + q);
      if (!valid(validity, row)) {
        if (nullOff >= 0 && !nullsFirst) {
          place(w, q, 1L, nullOff, 1);
        }
        continue;
      }
      if (nullOff >= 0 && nullsFirst) {
        place(w, q, 1L, nullOff, 1);
      }
      if (type == KeyType.UTF8) {
        MemorySegment data = Objects.requireNonNull(col.utf8Data());
        long s = values.getAtIndex(I32, row);
        int l = utf8Length(col, row);
        long hi = utf8High(data, s, l);
        long lo = utf8Low(data, s, l);
        if (!asc) {
          hi = ~hi;
          lo = ~lo;
        }
        if (bits[0] > 0) {
          place(w, q, (hi >>> low[0]) & lowMask(bits[0]), off[0], bits[0]);
        }
        if (bits[1] > 0) {
          place(w, q, (lo >>> low[1]) & lowMask(bits[1]), off[1], bits[1]);
        }
      } else if (bits[0] > 0) {
        long v = encodeFixed(type, values, row) ^ flip;
        place(w, q, (v >>> low[0]) & lowMask(bits[0]), off[0], bits[0]);
      }
    }
  }

  // ---------------------------------------------------------------- full row order (utf8 ties)

  /** The exact order of two rows by all key columns (no row-index tie-break). */
  private static int compareRows(List<SortColumn> cols, long a, long b) {
    for (SortColumn c : cols) {
      boolean va = valid(c.validity(), a);
      boolean vb = valid(c.validity(), b);
      if (va != vb) {
        return (va ? 1 : -1) * (c.key().nullsFirst() ? 1 : -1);
      }
      if (!va) {
        continue;
      }
      int r;
      if (c.key().type() == KeyType.UTF8) {
        r = compareUtf8(c, a, b);
      } else {
        KeyType t = c.key().type();
        r = Long.compareUnsigned(encodeFixed(t, c.values(), a), encodeFixed(t, c.values(), b));
      }
      if (r != 0) {
        return c.key().ascending() ? r : -r;
      }
    }
    return 0;
  }

  private static int compareUtf8(SortColumn c, long a, long b) {
    MemorySegment data = Objects.requireNonNull(c.utf8Data());
    long sa = c.values().getAtIndex(I32, a);
    long sb = c.values().getAtIndex(I32, b);
    int la = utf8Length(c, a);
    int lb = utf8Length(c, b);
    long m = MemorySegment.mismatch(data, sa, sa + la, data, sb, sb + lb);
    if (m < 0) {
      return 0;
    }
    if (m == la || m == lb) {
      return Integer.compare(la, lb);
    }
    return Integer.compare(
        data.get(ValueLayout.JAVA_BYTE, sa + m) & 0xFF,
        data.get(ValueLayout.JAVA_BYTE, sb + m) & 0xFF);
  }

  /**
   * True when adjacent sorted rows a, b may be out of order: every column before the first one that
   * tells them apart is equal, and one of those is a utf8 value longer than the prefix.
   */
  private static boolean suspect(List<SortColumn> cols, long a, long b) {
    for (SortColumn c : cols) {
      boolean va = valid(c.validity(), a);
      boolean vb = valid(c.validity(), b);
      if (va != vb) {
        return false;
      }
      if (!va) {
        continue;
      }
      if (c.key().type() == KeyType.UTF8) {
        int la = utf8Length(c, a);
        int lb = utf8Length(c, b);
        if (la > P && lb > P) {
          MemorySegment data = Objects.requireNonNull(c.utf8Data());
          long sa = c.values().getAtIndex(I32, a);
          long sb = c.values().getAtIndex(I32, b);
          if (MemorySegment.mismatch(data, sa, sa + P, data, sb, sb + P) < 0) {
            return true;
          }
        }
        if (compareUtf8(c, a, b) != 0) {
          return false;
        }
      } else {
        KeyType t = c.key().type();
        if (encodeFixed(t, c.values(), a) != encodeFixed(t, c.values(), b)) {
          return false;
        }
      }
    }
    return false;
  }

  /** Re-sorts the runs of {@code idx} whose packed keys tie on a truncated utf8 prefix. */
  private static void fixUtf8Ties(List<SortColumn> cols, MemorySegment idx, int n) {
    int r = 0;
    while (r < n - 1) {
      if (!suspect(cols, idx.getAtIndex(I32, r), idx.getAtIndex(I32, r + 1))) {
        r++;
        continue;
      }
      int start = r;
      while (r < n - 1 && suspect(cols, idx.getAtIndex(I32, r), idx.getAtIndex(I32, r + 1))) {
        r++;
      }
      Integer[] run = new Integer[r - start + 1];
      for (int k = 0; k < run.length; k++) {
        run[k] = idx.getAtIndex(I32, start + k);
      }
      Arrays.sort(
          run,
          (x, y) -> {
            int c = compareRows(cols, x, y);
            return c != 0 ? c : Integer.compare(x, y);
          });
      for (int k = 0; k < run.length; k++) {
        idx.setAtIndex(I32, start + k, run[k]);
      }
      r++;
    }
  }

  // ---------------------------------------------------------------- radix sort

  /** Scratch views: two banks of word arrays and two of row indices, n each. */
  private static final class Buffers {
    final MemorySegment[] wordA;
    final MemorySegment[] wordB;
    final MemorySegment idxA;
    final MemorySegment idxB;

    static long bytes(int words, int n) {
      return (long) n * (16L * words + 8);
    }

    Buffers(MemorySegment scratch, int words, int n) {
      long wb = 8L * n;
      wordA = new MemorySegment[words];
      wordB = new MemorySegment[words];
      for (int k = 0; k < words; k++) {
        wordA[k] = scratch.asSlice(k * wb, wb);
        wordB[k] = scratch.asSlice((words + k) * wb, wb);
      }
      idxA = scratch.asSlice(2 * words * wb, 4L * n);
      idxB = scratch.asSlice(2 * words * wb + 4L * n, 4L * n);
    }

    private Buffers(
        MemorySegment[] wordA, MemorySegment[] wordB, MemorySegment idxA, MemorySegment idxB) {
      this.wordA = wordA;
      this.wordB = wordB;
      this.idxA = idxA;
      this.idxB = idxB;
    }

    /** Rows {@code [start, start + len)} with the banks swapped (B becomes A). */
    Buffers swappedSlice(int start, int len) {
      MemorySegment[] a = new MemorySegment[wordA.length];
      MemorySegment[] b = new MemorySegment[wordA.length];
      for (int k = 0; k < a.length; k++) {
        a[k] = wordB[k].asSlice(8L * start, 8L * len);
        b[k] = wordA[k].asSlice(8L * start, 8L * len);
      }
      return new Buffers(
          a, b, idxB.asSlice(4L * start, 4L * len), idxA.asSlice(4L * start, 4L * len));
    }
  }

  private static MemorySegment sortInto(
      List<SortColumn> columns, int count, @Nullable MemorySegment sel, MemorySegment scratch) {
    Plan plan = new Plan(columns, count, sel, true);
    Buffers b = new Buffers(scratch, plan.nwMax, count);
    encode(plan, sel, 0, count, b.wordA);
    if (sel == null) {
      iota(b.idxA, count);
    } else {
      MemorySegment.copy(sel, 0, b.idxA, 0, 4L * count);
    }
    MemorySegment sorted = sortRange(b, plan.words, plan.wordMask, count) ? b.idxA : b.idxB;
    if (plan.anyTruncated) {
      fixUtf8Ties(columns, sorted, count);
    }
    return sorted;
  }

  private static void iota(MemorySegment idx, int n) {
    IntVector step = IntVector.zero(IS).addIndex(1);
    int il = IS.length();
    int upper = IS.loopBound(n);
    int i = 0;
    for (; i < upper; i += il) {
      step.add(i).intoMemorySegment(idx, 4L * i, ArrowLayout.ORDER);
    }
    for (; i < n; i++) {
      idx.setAtIndex(I32, i, i);
    }
  }

  /** The bits of {@code w[0..n)} that are not the same in every row. */
  private static long varyingWordBits(MemorySegment w, int n) {
    long first = w.getAtIndex(W, 0);
    LongVector f = LongVector.broadcast(LS, first);
    LongVector acc = LongVector.zero(LS);
    int upper = LS.loopBound(n);
    int i = 0;
    for (; i < upper; i += L) {
      acc =
          acc.or(
              LongVector.fromMemorySegment(LS, w, 8L * i, ArrowLayout.ORDER)
                  .lanewise(VectorOperators.XOR, f));
    }
    long m = acc.reduceLanes(VectorOperators.OR);
    for (; i < n; i++) {
      m |= w.getAtIndex(W, i) ^ first;
    }
    return m;
  }

  /**
   * Appends to {@code shifts}/{@code bits} digits of at most {@code maxBits} covering exactly the
   * span of {@code mask} (shifted up by {@code base}); returns the new digit count.
   */
  private static int addDigits(long mask, int base, int maxBits, int[] shifts, int[] bits, int at) {
    if (mask == 0) {
      return at;
    }
    int low = Long.numberOfTrailingZeros(mask);
    int span = 64 - Long.numberOfLeadingZeros(mask) - low;
    int passes = (span + maxBits - 1) / maxBits;
    int b = (span + passes - 1) / passes;
    for (int p = 0; p < passes; p++) {
      shifts[at] = base + low + p * b;
      bits[at++] = Math.min(b, span - p * b); // never past the top varying bit
    }
    return at;
  }

  /**
   * Stably sorts rows {@code [0, n)} of {@code b} by their packed words (row ids in {@code
   * b.idxA}); {@code masks} are the words' varying bits (a superset will do). Large ranges are
   * first split by their top bits (one MSD pass, so that each bucket's LSD passes run in cache),
   * tiny ones insertion-sorted. Returns true if the sorted row ids are in {@code b.idxA}, false if
   * in {@code b.idxB}.
   */
  private static boolean sortRange(Buffers b, int nw, long[] masks, int n) {
    if (n <= 1) {
      return true;
    }
    if (n <= INSERTION_MAX) {
      insertionSort(b, nw, masks, n);
      return true;
    }
    if (n < MSD_MIN) {
      return lsd(b, nw, masks, n);
    }
    int t0 = 0;
    while (t0 < nw && masks[t0] == 0) {
      t0++;
    }
    if (t0 == nw) {
      return true;
    }
    long mask = masks[t0];
    int top = 63 - Long.numberOfLeadingZeros(mask);
    int bucketBits = 64 - Long.numberOfLeadingZeros((n - 1) / MSD_BUCKET);
    int bits =
        Math.min(Math.min(MSD_MAX_BITS, bucketBits), top - Long.numberOfTrailingZeros(mask) + 1);
    int shift = top - bits + 1;
    long[] rest = masks.clone();
    rest[t0] = mask & lowMask(shift);
    int[] off = histograms(b.wordA[t0], n, new int[] {shift}, new int[] {bits}, 1)[0];
    if (off == null) {
      return sortRange(b, nw, rest, n);
    }
    int[] starts = off.clone();
    int moved = 0;
    MemorySegment[] src = new MemorySegment[nw];
    MemorySegment[] dst = new MemorySegment[nw];
    for (int k = t0; k < nw; k++) {
      if (masks[k] != 0) {
        src[moved] = b.wordA[k];
        dst[moved++] = b.wordB[k];
      }
    }
    scatter(
        b.wordA[t0], moved == 1, shift, (1 << bits) - 1, src, dst, moved, b.idxA, b.idxB, n, off);
    for (int r = 0; r < starts.length; r++) {
      int s = starts[r];
      int len = (r + 1 < starts.length ? starts[r + 1] : n) - s;
      if (len > 1) {
        Buffers sub = b.swappedSlice(s, len);
        if (!sortRange(sub, nw, rest, len)) {
          MemorySegment.copy(sub.idxB, 0, sub.idxA, 0, 4L * len);
        }
      }
    }
    return false;
  }

  /** Stable insertion sort of a few rows in bank A by their live words. */
  private static void insertionSort(Buffers b, int nw, long[] masks, int n) {
    int live = 0;
    MemorySegment[] w = new MemorySegment[nw];
    for (int k = 0; k < nw; k++) {
      if (masks[k] != 0) {
        w[live++] = b.wordA[k];
      }
    }
    long[] x = new long[live];
    for (int i = 1; i < n; i++) {
      for (int u = 0; u < live; u++) {
        x[u] = w[u].getAtIndex(W, i);
      }
      int row = b.idxA.getAtIndex(I32, i);
      int j = i - 1;
      while (j >= 0 && greater(w, live, j, x)) {
        for (int u = 0; u < live; u++) {
          w[u].setAtIndex(W, j + 1, w[u].getAtIndex(W, j));
        }
        b.idxA.setAtIndex(I32, j + 1, b.idxA.getAtIndex(I32, j));
        j--;
      }
      for (int u = 0; u < live; u++) {
        w[u].setAtIndex(W, j + 1, x[u]);
      }
      b.idxA.setAtIndex(I32, j + 1, row);
    }
  }

  private static boolean greater(MemorySegment[] w, int live, long j, long[] x) {
    for (int u = 0; u < live; u++) {
      int c = Long.compareUnsigned(w[u].getAtIndex(W, j), x[u]);
      if (c != 0) {
        return c > 0;
      }
    }
    return false;
  }

  /** LSD radix sort of rows {@code [0, n)} (see {@link #sortRange}); true if ids end in bank A. */
  private static boolean lsd(Buffers b, int nw, long[] m, int n) {
    int maxBits = n >= 16_384 ? 11 : 8;
    int liveCount = 0;
    int[] live = new int[nw];
    for (int k = 0; k < nw; k++) {
      if (m[k] != 0) {
        live[liveCount++] = k;
      }
    }
    MemorySegment curIdx = b.idxA;
    MemorySegment altIdx = b.idxB;
    boolean inA = true;
    if (liveCount == 0) {
      return true;
    }
    MemorySegment[] cur = new MemorySegment[liveCount];
    MemorySegment[] alt = new MemorySegment[liveCount];
    for (int t = 0; t < liveCount; t++) {
      cur[t] = b.wordA[live[t]];
      alt[t] = b.wordB[live[t]];
    }
    MemorySegment[] src = new MemorySegment[liveCount];
    MemorySegment[] dst = new MemorySegment[liveCount];
    for (int t = liveCount - 1; t >= 0; t--) {
      long mask = m[live[t]];
      // the last word switches to (bits << 32 | row) longs for its top 32 varying bits
      int narrowShift = 64;
      if (t == 0) {
        int top = 63 - Long.numberOfLeadingZeros(mask);
        narrowShift = Math.max(Long.numberOfTrailingZeros(mask), top - 31);
      }
      int[] shifts = new int[16];
      int[] bits = new int[16];
      int wide = addDigits(mask & lowMask(narrowShift), 0, maxBits, shifts, bits, 0);
      int digits =
          narrowShift < 64
              ? addDigits(mask >>> narrowShift, narrowShift, maxBits, shifts, bits, wide)
              : wide;
      int[][] off = histograms(cur[t], n, shifts, bits, digits);
      int lastActive = -1;
      for (int d = 0; d < digits; d++) {
        if (off[d] != null) {
          lastActive = d;
        }
      }
      for (int d = 0; d < wide; d++) {
        int[] o = off[d];
        if (o == null) {
          continue;
        }
        int moved = t;
        System.arraycopy(cur, 0, src, 0, t);
        System.arraycopy(alt, 0, dst, 0, t);
        boolean keyMoves = d < lastActive;
        if (keyMoves) {
          src[moved] = cur[t];
          dst[moved++] = alt[t];
        }
        scatter(
            cur[t], keyMoves, shifts[d], (1 << bits[d]) - 1, src, dst, moved, curIdx, altIdx, n, o);
        for (int u = 0; u < moved; u++) {
          MemorySegment s = cur[u];
          cur[u] = alt[u];
          alt[u] = s;
        }
        MemorySegment s = curIdx;
        curIdx = altIdx;
        altIdx = s;
        inA = !inA;
      }
      if (lastActive >= wide) {
        narrow(cur[0], alt[0], curIdx, altIdx, n, narrowShift, shifts, bits, off, wide, digits);
        return !inA;
      }
    }
    return inA;
  }

  /**
   * Exclusive prefix sums of each digit's histogram (one read pass for all), or null for a digit
   * whose rows all fall in one bucket.
   */
  private static int[] @Nullable [] histograms(
      MemorySegment w, int n, int[] shifts, int[] bits, int digits) {
    int[][] hist = new int[digits][];
    for (int d = 0; d < digits; d++) {
      int[] h = new int[1 << bits[d]];
      int s = shifts[d];
      int m = h.length - 1;
      for (int i = 0; i < n; i++) {
        h[(int) (w.getAtIndex(W, i) >>> s) & m]++;
      }
      hist[d] = h;
    }
    int[][] out = new int[digits][];
    for (int d = 0; d < digits; d++) {
      int[] h = hist[d];
      int sum = 0;
      boolean single = false;
      for (int r = 0; r < h.length; r++) {
        int c = h[r];
        single |= c == n;
        h[r] = sum;
        sum += c;
      }
      out[d] = single ? null : h;
    }
    return out;
  }

  /**
   * One LSD pass: rows move to their digit's bucket with their row id and the words still needed.
   */
  private static void scatter(
      MemorySegment key,
      boolean keyMoves,
      int shift,
      int mask,
      MemorySegment[] src,
      MemorySegment[] dst,
      int moved,
      MemorySegment srcIdx,
      MemorySegment dstIdx,
      int n,
      int[] off) {
    if (moved == 0) {
      for (int i = 0; i < n; i++) {
        int p = off[(int) (key.getAtIndex(W, i) >>> shift) & mask]++;
        dstIdx.setAtIndex(I32, p, srcIdx.getAtIndex(I32, i));
      }
    } else if (moved == 1 && keyMoves) { // src[0] is key
      MemorySegment d0 = dst[0];
      for (int i = 0; i < n; i++) {
        long w = key.getAtIndex(W, i);
        int p = off[(int) (w >>> shift) & mask]++;
        d0.setAtIndex(W, p, w);
        dstIdx.setAtIndex(I32, p, srcIdx.getAtIndex(I32, i));
      }
    } else if (moved == 1) {
      MemorySegment s0 = src[0];
      MemorySegment d0 = dst[0];
      for (int i = 0; i < n; i++) {
        int p = off[(int) (key.getAtIndex(W, i) >>> shift) & mask]++;
        d0.setAtIndex(W, p, s0.getAtIndex(W, i));
        dstIdx.setAtIndex(I32, p, srcIdx.getAtIndex(I32, i));
      }
    } else if (moved == 2) {
      MemorySegment s0 = src[0];
      MemorySegment s1 = src[1];
      MemorySegment d0 = dst[0];
      MemorySegment d1 = dst[1];
      for (int i = 0; i < n; i++) {
        int p = off[(int) (key.getAtIndex(W, i) >>> shift) & mask]++;
        d0.setAtIndex(W, p, s0.getAtIndex(W, i));
        d1.setAtIndex(W, p, s1.getAtIndex(W, i));
        dstIdx.setAtIndex(I32, p, srcIdx.getAtIndex(I32, i));
      }
    } else {
      for (int i = 0; i < n; i++) {
        int p = off[(int) (key.getAtIndex(W, i) >>> shift) & mask]++;
        for (int u = 0; u < moved; u++) {
          dst[u].setAtIndex(W, p, src[u].getAtIndex(W, i));
        }
        dstIdx.setAtIndex(I32, p, srcIdx.getAtIndex(I32, i));
      }
    }
  }

  /**
   * The last word's top varying bits (at most 32, from {@code shift} up) sorted as longs ((bits <<
   * 32) | row): builds them into {@code spare}, runs the digits {@code from .. to} (word shifts,
   * offsets already summed), and writes the row ids to {@code idxOut}.
   */
  private static void narrow(
      MemorySegment word,
      MemorySegment spare,
      MemorySegment idx,
      MemorySegment idxOut,
      int n,
      int shift,
      int[] shifts,
      int[] bits,
      int[] @Nullable [] off,
      int from,
      int to) {
    MemorySegment cur = spare;
    MemorySegment alt = word;
    long keep = 0xFFFF_FFFFL;
    int upper = LS.loopBound(n);
    int i = 0;
    for (; i < upper; i += L) {
      LongVector rows =
          ((LongVector)
                  IntVector.fromMemorySegment(IS_HALF, idx, 4L * i, ArrowLayout.ORDER)
                      .convertShape(VectorOperators.I2L, LS, 0))
              .and(keep);
      LongVector.fromMemorySegment(LS, word, 8L * i, ArrowLayout.ORDER)
          .lanewise(VectorOperators.LSHR, shift)
          .lanewise(VectorOperators.LSHL, 32)
          .or(rows)
          .intoMemorySegment(cur, 8L * i, ArrowLayout.ORDER);
    }
    for (; i < n; i++) {
      cur.setAtIndex(
          W, i, ((word.getAtIndex(W, i) >>> shift) << 32) | (idx.getAtIndex(I32, i) & keep));
    }
    for (int d = from; d < to; d++) {
      int[] o = off[d];
      if (o == null) {
        continue;
      }
      int s = 32 + shifts[d] - shift;
      int mask = (1 << bits[d]) - 1;
      for (int k = 0; k < n; k++) {
        long v = cur.getAtIndex(W, k);
        alt.setAtIndex(W, o[(int) (v >>> s) & mask]++, v);
      }
      MemorySegment t = cur;
      cur = alt;
      alt = t;
    }
    i = 0;
    for (; i < upper; i += L) {
      LongVector.fromMemorySegment(LS, cur, 8L * i, ArrowLayout.ORDER)
          .convertShape(VectorOperators.L2I, IS_HALF, 0)
          .intoMemorySegment(idxOut, 4L * i, ArrowLayout.ORDER);
    }
    for (; i < n; i++) {
      idxOut.setAtIndex(I32, i, (int) cur.getAtIndex(W, i));
    }
  }

  // ---------------------------------------------------------------- top-N

  private static boolean useHeap(int count, int k) {
    return k < count && (k <= 256 || (long) k * 32 <= count);
  }

  /** A bounded max-heap of the best k (packed key, row) pairs seen so far. */
  private static final class TopNHeap {
    private final List<SortColumn> columns;
    private final int count;
    private final @Nullable MemorySegment sel;
    private final int k;
    private final Plan plan;
    private final int nw;
    private final boolean hasUtf8;
    private final MemorySegment[] block;
    private final long[] keys;
    private final int[] rows;
    private final long[] cand;
    private int size;

    TopNHeap(
        List<SortColumn> columns,
        int count,
        @Nullable MemorySegment sel,
        int k,
        MemorySegment scratch) {
      this.columns = columns;
      this.count = count;
      this.sel = sel;
      this.k = k;
      this.plan = new Plan(columns, count, sel, false);
      this.nw = plan.words;
      this.hasUtf8 = columns.stream().anyMatch(c -> c.key().type() == KeyType.UTF8);
      this.block = new MemorySegment[nw];
      for (int j = 0; j < nw; j++) {
        block[j] = scratch.asSlice((long) j * TOPN_BLOCK * 8, (long) TOPN_BLOCK * 8);
      }
      this.keys = new long[k * nw];
      this.rows = new int[k];
      this.cand = new long[nw];
    }

    void run(MemorySegment out) {
      for (int from = 0; from < count; from += TOPN_BLOCK) {
        int len = Math.min(TOPN_BLOCK, count - from);
        encode(plan, sel, from, len, block);
        for (int q = 0; q < len; q++) {
          int row = sel == null ? from + q : sel.getAtIndex(I32, (long) from + q);
          if (size < k) {
            for (int j = 0; j < nw; j++) {
              keys[size * nw + j] = block[j].getAtIndex(W, q);
            }
            rows[size] = row;
            siftUp(size++);
            continue;
          }
          if (Long.compareUnsigned(block[0].getAtIndex(W, q), keys[0]) > 0) {
            continue; // decided by the first word (a utf8 field never ends inside it)
          }
          for (int j = 0; j < nw; j++) {
            cand[j] = block[j].getAtIndex(W, q);
          }
          if (compare(cand, 0, row, keys, 0, rows[0]) < 0) {
            System.arraycopy(cand, 0, keys, 0, nw);
            rows[0] = row;
            siftDown(0);
          }
        }
      }
      while (size > 0) {
        out.setAtIndex(I32, size - 1, rows[0]);
        size--;
        if (size > 0) {
          System.arraycopy(keys, size * nw, keys, 0, nw);
          rows[0] = rows[size];
          siftDown(0);
        }
      }
    }

    /** Order of (key a, row ra) and (key b, row rb), rows breaking ties. */
    private int compare(long[] a, int ao, int ra, long[] b, int bo, int rb) {
      int diffBit = nw * 64;
      int c = 0;
      for (int j = 0; j < nw; j++) {
        long x = a[ao + j];
        long y = b[bo + j];
        if (x != y) {
          diffBit = j * 64 + Long.numberOfLeadingZeros(x ^ y);
          c = Long.compareUnsigned(x, y);
          break;
        }
      }
      if (hasUtf8 && ambiguous(ra, rb, diffBit)) {
        c = compareRows(columns, ra, rb);
      }
      return c != 0 ? c : Integer.compare(ra, rb);
    }

    /**
     * True if the keys agree up to a utf8 column that is not decided by its packed prefix (both
     * values longer than the prefix) before bit {@code diffBit}, where they first differ.
     */
    private boolean ambiguous(int ra, int rb, int diffBit) {
      for (int c = 0; c < columns.size(); c++) {
        SortColumn col = columns.get(c);
        if (col.key().type() != KeyType.UTF8) {
          continue;
        }
        if (plan.end[c] > diffBit) {
          return false;
        }
        if (valid(col.validity(), ra)
            && valid(col.validity(), rb)
            && utf8Length(col, ra) > P
            && utf8Length(col, rb) > P) {
          return true;
        }
      }
      return false;
    }

    private void siftUp(int i) {
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (compare(keys, parent * nw, rows[parent], keys, i * nw, rows[i]) >= 0) {
          return;
        }
        swap(i, parent);
        i = parent;
      }
    }

    private void siftDown(int i) {
      while (true) {
        int l = 2 * i + 1;
        if (l >= size) {
          return;
        }
        int big = l;
        int r = l + 1;
        if (r < size && compare(keys, r * nw, rows[r], keys, l * nw, rows[l]) > 0) {
          big = r;
        }
        if (compare(keys, big * nw, rows[big], keys, i * nw, rows[i]) <= 0) {
          return;
        }
        swap(i, big);
        i = big;
      }
    }

    private void swap(int i, int j) {
      for (int u = 0; u < nw; u++) {
        long t = keys[i * nw + u];
        keys[i * nw + u] = keys[j * nw + u];
        keys[j * nw + u] = t;
      }
      int t = rows[i];
      rows[i] = rows[j];
      rows[j] = t;
    }
  }
}
