package dev.amalgam.arrowio.arrow;

import dev.amalgam.kernels.ArrowLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.apache.arrow.flatbuf.BodyCompression;
import org.apache.arrow.flatbuf.BodyCompressionMethod;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flatbuf.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Turns a RecordBatch's metadata and body into columns in the engine's layout. Buffers that already
 * are that layout are returned as slices of the body (zero copy); compressed buffers are
 * decompressed and converted types are rewritten into the given arena. Every offset and length the
 * metadata gives is checked against the body and against what the column's rows need.
 */
final class BatchDecoder {
  /** Dictionary state the decoder asks about dictionary-encoded columns. */
  interface Dictionaries {
    /** Entries of the Arrow dictionary with this id now; -1 when none was read yet. */
    int size(long id);

    /** Arrow index to engine index for this id, or null when they are the same. */
    int @Nullable [] remap(long id);
  }

  private static final Dictionaries NO_DICTIONARIES =
      new Dictionaries() {
        @Override
        public int size(long id) {
          return -1;
        }

        @Override
        public int @Nullable [] remap(long id) {
          return null;
        }
      };

  private final String source;

  BatchDecoder(String source) {
    this.source = source;
  }

  /** Decodes the body of a dictionary batch: one utf8 column. */
  Decoded decodeDictionary(RecordBatch rb, MemorySegment body, long bodyOffset, Arena arena) {
    return decode(
        List.of(ArrowColumn.dictionaryValues()), rb, body, bodyOffset, arena, NO_DICTIONARIES)[0];
  }

  /**
   * Decodes a record batch.
   *
   * @param body the message body (a slice of a mapped file, or bytes read from a stream)
   * @param bodyOffset the body's byte offset in the source, for error messages
   * @param arena where decompressed or converted buffers go
   */
  Decoded[] decode(
      List<ArrowColumn> columns,
      RecordBatch rb,
      MemorySegment body,
      long bodyOffset,
      Arena arena,
      Dictionaries dictionaries) {
    long length = rb.length();
    if (length < 0 || length > Integer.MAX_VALUE - 64) {
      throw fail(bodyOffset, "record batch length " + length + " is out of range");
    }
    int n = (int) length;
    if (rb.nodesLength() != columns.size()) {
      throw fail(
          bodyOffset,
          "record batch has "
              + rb.nodesLength()
              + " field nodes for "
              + columns.size()
              + " columns (schema mismatch)");
    }
    int expectBuffers = 0;
    for (ArrowColumn c : columns) {
      expectBuffers += c.bufferCount();
    }
    if (rb.buffersLength() != expectBuffers) {
      throw fail(
          bodyOffset,
          "record batch has "
              + rb.buffersLength()
              + " buffers; the schema's columns need "
              + expectBuffers
              + " (schema mismatch)");
    }
    BodyCompression comp = rb.compression();
    int codec = -1;
    if (comp != null) {
      if (comp.method() != BodyCompressionMethod.BUFFER) {
        throw fail(bodyOffset, "unknown body compression method " + comp.method());
      }
      codec = comp.codec();
    }
    Decoded[] out = new Decoded[columns.size()];
    int b = 0;
    FieldNode node = new FieldNode();
    Buffer buf = new Buffer();
    for (int c = 0; c < columns.size(); c++) {
      ArrowColumn col = columns.get(c);
      rb.nodes(node, c);
      if (node.length() != length) {
        throw fail(
            bodyOffset,
            "column '" + col.name + "' has " + node.length() + " rows in a batch of " + length);
      }
      long nulls = node.nullCount();
      if (nulls < 0 || nulls > length) {
        throw fail(bodyOffset, "column '" + col.name + "' has null count " + nulls + " of " + n);
      }
      if (nulls > 0 && !col.nullable) {
        throw fail(
            bodyOffset,
            "column '" + col.name + "' is declared not null but holds " + nulls + " nulls");
      }
      MemorySegment[] raw = new MemorySegment[col.bufferCount()];
      long[] at = new long[raw.length];
      for (int j = 0; j < raw.length; j++) {
        rb.buffers(buf, b++);
        long off = buf.offset();
        long len = buf.length();
        if (off < 0 || len < 0 || off > body.byteSize() || len > body.byteSize() - off) {
          throw fail(
              bodyOffset + Math.max(0, off),
              "column '"
                  + col.name
                  + "' buffer "
                  + j
                  + " [offset "
                  + off
                  + ", length "
                  + len
                  + "] lies outside the body of "
                  + body.byteSize()
                  + " bytes");
        }
        at[j] = bodyOffset + off;
        raw[j] = body.asSlice(off, len);
        if (codec >= 0) {
          raw[j] = Codecs.decompress((byte) codec, raw[j], arena, limit(col, j, n), source, at[j]);
        }
      }
      out[c] = column(col, n, nulls, raw, at, codec < 0, arena, dictionaries);
    }
    return out;
  }

  private static long limit(ArrowColumn col, int j, int n) {
    if (j == 0) {
      return IpcLayout.pad(ArrowLayout.bitmapBytes(n), 64) + 64;
    }
    if (col.dictionary()) {
      return (long) col.indexWidth * n + 64;
    }
    return switch (col.physical) {
      case BOOL -> IpcLayout.pad(ArrowLayout.bitmapBytes(n), 64) + 64;
      case UTF8 -> j == 1 ? 4L * (n + 1) + 64 : Integer.MAX_VALUE - 64;
      case LARGE_UTF8 -> j == 1 ? 8L * (n + 1) + 64 : Integer.MAX_VALUE - 64;
      default -> (long) col.width * n + 64;
    };
  }

  private MemorySegment need(
      ArrowColumn col, MemorySegment s, long bytes, long offset, String what) {
    if (s.byteSize() < bytes) {
      throw fail(
          offset,
          "column '"
              + col.name
              + "' "
              + what
              + " buffer has "
              + s.byteSize()
              + " bytes; its rows need "
              + bytes);
    }
    return s.asSlice(0, bytes);
  }

  /** Decodes one column from its raw Arrow buffers (validity, values[, data]). */
  Decoded column(
      ArrowColumn col,
      int n,
      long nulls,
      MemorySegment[] raw,
      long[] at,
      boolean uncompressed,
      Arena arena,
      Dictionaries dictionaries) {
    MemorySegment validity =
        nulls == 0 ? null : need(col, raw[0], ArrowLayout.bitmapBytes(n), at[0], "validity");
    boolean inPlace = uncompressed && col.inPlace();
    if (col.dictionary()) {
      int size = dictionaries.size(col.dictionaryId);
      if (size < 0) {
        throw fail(
            at[1],
            "column '"
                + col.name
                + "' uses dictionary "
                + col.dictionaryId
                + " before any dictionary batch for it");
      }
      MemorySegment idx = need(col, raw[1], (long) col.indexWidth * n, at[1], "index");
      int[] remap = dictionaries.remap(col.dictionaryId);
      if (inPlace && remap == null) {
        return new Decoded(n, nulls, validity, idx, null, true);
      }
      MemorySegment out = arena.allocate(4L * Math.max(1, n), 64).asSlice(0, 4L * n);
      for (int i = 0; i < n; i++) {
        if (validity != null && !bit(validity, i)) {
          out.setAtIndex(ArrowLayout.INT32, i, 0);
          continue;
        }
        long v =
            switch (col.indexWidth) {
              case 1 ->
                  col.signed
                      ? idx.get(ValueLayout.JAVA_BYTE, i)
                      : idx.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
              case 2 ->
                  col.signed
                      ? idx.getAtIndex(ArrowLayout.INT16, i)
                      : idx.getAtIndex(ArrowLayout.INT16, i) & 0xFFFF;
              case 4 ->
                  col.signed
                      ? idx.getAtIndex(ArrowLayout.INT32, i)
                      : idx.getAtIndex(ArrowLayout.INT32, i) & 0xFFFFFFFFL;
              default -> idx.getAtIndex(ArrowLayout.INT64, i);
            };
        if (v < 0 || v >= size) {
          throw fail(
              at[1] + (long) i * col.indexWidth,
              "column '"
                  + col.name
                  + "' row "
                  + i
                  + ": dictionary index "
                  + v
                  + " outside the dictionary of "
                  + size
                  + " entries");
        }
        out.setAtIndex(ArrowLayout.INT32, i, remap == null ? (int) v : remap[(int) v]);
      }
      return new Decoded(n, nulls, validity, out, null, false);
    }
    switch (col.physical) {
      case BOOL -> {
        MemorySegment v = need(col, raw[1], ArrowLayout.bitmapBytes(n), at[1], "values");
        return new Decoded(n, nulls, validity, v, null, inPlace);
      }
      case UTF8 -> {
        MemorySegment offsets;
        if (n == 0 && raw[1].byteSize() == 0) {
          offsets = arena.allocate(4, 4);
        } else {
          offsets = need(col, raw[1], 4L * (n + 1), at[1], "offsets");
        }
        int first = offsets.getAtIndex(ArrowLayout.INT32, 0);
        int last = offsets.getAtIndex(ArrowLayout.INT32, n);
        if (first < 0 || last < first || last > raw[2].byteSize()) {
          throw fail(
              at[1],
              "column '"
                  + col.name
                  + "' offsets run from "
                  + first
                  + " to "
                  + last
                  + " over "
                  + raw[2].byteSize()
                  + " data bytes");
        }
        return new Decoded(n, nulls, validity, offsets, raw[2].asSlice(0, last), inPlace);
      }
      case LARGE_UTF8 -> {
        MemorySegment lo =
            n == 0 && raw[1].byteSize() == 0
                ? arena.allocate(8, 8)
                : need(col, raw[1], 8L * (n + 1), at[1], "offsets");
        long first = lo.getAtIndex(ArrowLayout.INT64, 0);
        long last = lo.getAtIndex(ArrowLayout.INT64, n);
        if (first < 0
            || last < first
            || last > raw[2].byteSize()
            || last - first > Integer.MAX_VALUE - 64) {
          throw fail(
              at[1],
              "column '"
                  + col.name
                  + "' offsets run from "
                  + first
                  + " to "
                  + last
                  + " over "
                  + raw[2].byteSize()
                  + " data bytes");
        }
        MemorySegment offsets = arena.allocate(4L * (n + 1), 64);
        long prev = first;
        for (int i = 0; i <= n; i++) {
          long o = lo.getAtIndex(ArrowLayout.INT64, i);
          if (o < prev || o > last) {
            throw fail(
                at[1] + 8L * i,
                "column '" + col.name + "' offset " + i + " = " + o + " is out of order");
          }
          prev = o;
          offsets.setAtIndex(ArrowLayout.INT32, i, (int) (o - first));
        }
        return new Decoded(n, nulls, validity, offsets, raw[2].asSlice(first, last - first), false);
      }
      default -> {
        MemorySegment v = need(col, raw[1], (long) col.width * n, at[1], "values");
        if (col.inPlace()) {
          return new Decoded(n, nulls, validity, v, null, inPlace); // in place, or decompressed
        }
        return new Decoded(
            n, nulls, validity, convert(col, n, v, validity, at[1], arena), null, false);
      }
    }
  }

  private MemorySegment convert(
      ArrowColumn col,
      int n,
      MemorySegment v,
      @Nullable MemorySegment validity,
      long at,
      Arena arena) {
    int outWidth = col.type.kind().width();
    MemorySegment out =
        arena.allocate((long) outWidth * Math.max(1, n), 64).asSlice(0, (long) outWidth * n);
    switch (col.physical) {
      case INT -> {
        for (int i = 0; i < n; i++) {
          switch (col.width) {
            case 1 ->
                out.setAtIndex(
                    ArrowLayout.INT16, i, (short) (v.get(ValueLayout.JAVA_BYTE, i) & 0xFF));
            case 2 ->
                out.setAtIndex(ArrowLayout.INT32, i, v.getAtIndex(ArrowLayout.INT16, i) & 0xFFFF);
            default ->
                out.setAtIndex(
                    ArrowLayout.INT64, i, v.getAtIndex(ArrowLayout.INT32, i) & 0xFFFFFFFFL);
          }
        }
      }
      case DECIMAL -> {
        if (col.width == 8) {
          MemorySegment.copy(v, 0, out, 0, 8L * n);
        } else {
          for (int i = 0; i < n; i++) {
            long lo = v.get(IpcLayout.LONG, 16L * i);
            long hi = v.get(IpcLayout.LONG, 16L * i + 8);
            if (hi != (lo >> 63) && (validity == null || bit(validity, i))) {
              throw fail(
                  at + 16L * i,
                  "column '"
                      + col.name
                      + "' row "
                      + i
                      + ": decimal128 value does not fit "
                      + col.type
                      + " (18 digits)");
            }
            out.setAtIndex(ArrowLayout.INT64, i, lo);
          }
        }
      }
      case DATE_MILLI -> {
        for (int i = 0; i < n; i++) {
          long days = Math.floorDiv(v.getAtIndex(ArrowLayout.INT64, i), 86_400_000L);
          if (days != (int) days && (validity == null || bit(validity, i))) {
            throw fail(at + 8L * i, "column '" + col.name + "' row " + i + ": date64 out of range");
          }
          out.setAtIndex(ArrowLayout.INT32, i, (int) days);
        }
      }
      case TIMESTAMP -> {
        for (int i = 0; i < n; i++) {
          long x = v.getAtIndex(ArrowLayout.INT64, i);
          long us;
          try {
            us =
                switch (col.unit) {
                  case TimeUnit.SECOND -> Math.multiplyExact(x, 1_000_000L);
                  case TimeUnit.MILLISECOND -> Math.multiplyExact(x, 1_000L);
                  case TimeUnit.NANOSECOND -> Math.floorDiv(x, 1_000L);
                  default -> x;
                };
          } catch (ArithmeticException e) {
            if (validity != null && !bit(validity, i)) {
              us = 0;
            } else {
              throw fail(
                  at + 8L * i,
                  "column '"
                      + col.name
                      + "' row "
                      + i
                      + ": timestamp "
                      + x
                      + " overflows microseconds");
            }
          }
          out.setAtIndex(ArrowLayout.INT64, i, us);
        }
      }
      default -> throw new AssertionError(col.physical);
    }
    return out;
  }

  static boolean bit(MemorySegment bitmap, long i) {
    return (bitmap.get(ValueLayout.JAVA_BYTE, i >>> 3) & (1 << (i & 7))) != 0;
  }

  private ArrowFormatException fail(long offset, String message) {
    return ArrowFormatException.at(source, offset, message);
  }
}
