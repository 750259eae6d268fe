package dev.amalgam.arrowio.arrow;

import static dev.amalgam.arrowio.arrow.CDataLayout.*;

import dev.amalgam.exec.Engine;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.memory.ResourceTracker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Imports an Arrow C Data Interface stream into an engine table. Each ArrowArray is moved into
 * memory of ours; its buffers that are the engine's layout become read-only regions over the
 * foreign memory (no copy), and the array's {@code release} is called when the last of those
 * regions is freed (when the table is dropped) — or right after its rows were copied, for batches
 * that had to be copied (converted types, batches shorter than a morsel).
 */
final class CDataImport {
  private CDataImport() {}

  /** One imported ArrowArray, released once its last holder lets go. */
  private static final class Imported implements ResourceTracker.Tracked {
    final Arena arena = Arena.ofShared();
    final MemorySegment array;
    final AtomicInteger refs = new AtomicInteger(1);
    final String what;

    Imported(MemorySegment foreign, String what) {
      this.what = what;
      this.array = arena.allocate(ARRAY);
      MemorySegment.copy(foreign.reinterpret(ARRAY.byteSize()), 0, array, 0, ARRAY.byteSize());
      foreign.reinterpret(ARRAY.byteSize()).set(PTR, A_RELEASE, MemorySegment.NULL); // moved
      ResourceTracker.register(this);
    }

    Runnable retain() {
      refs.incrementAndGet();
      java.util.concurrent.atomic.AtomicBoolean once =
          new java.util.concurrent.atomic.AtomicBoolean();
      return () -> {
        if (once.compareAndSet(false, true)) {
          release();
        }
      };
    }

    void release() {
      if (refs.decrementAndGet() == 0) {
        try {
          callRelease(array, A_RELEASE);
        } finally {
          ResourceTracker.unregister(this);
          arena.close();
        }
      }
    }

    @Override
    public String describe() {
      return "imported C data array (" + what + ")";
    }

    @Override
    public List<String> leaks() {
      return List.of();
    }
  }

  static void callRelease(MemorySegment struct, long relOff) {
    MemorySegment fn = struct.get(PTR, relOff);
    if (fn.address() != 0) {
      try {
        CDataLayout.CALL_RELEASE.invokeExact(fn, struct);
      } catch (Throwable e) {
        throw new IllegalStateException("release callback failed: " + e, e);
      }
    }
  }

  private static String string(MemorySegment p) {
    return p.address() == 0 ? "" : p.reinterpret(1 << 16).getString(0);
  }

  static ArrowLoad read(Engine engine, MemorySegment streamPtr, String source, String name) {
    if (engine.hasTable(name)) {
      throw new IllegalArgumentException("table '" + name + "' already exists");
    }
    MemorySegment stream = streamPtr.reinterpret(STREAM.byteSize());
    if (stream.get(PTR, T_RELEASE).address() == 0) {
      throw ArrowFormatException.at(source, -1, "the ArrowArrayStream is already released");
    }
    try (Arena scratch = Arena.ofConfined()) {
      MemorySegment schema = scratch.allocate(SCHEMA);
      check(stream, call(stream, T_GET_SCHEMA, schema), source, "get_schema");
      List<ArrowColumn> columns;
      try {
        columns = columns(schema, source);
      } finally {
        callRelease(schema, S_RELEASE);
      }
      BatchDecoder decoder = new BatchDecoder(source);
      DictionaryState dicts = new DictionaryState(source);
      int batches = 0;
      Imported[] current = new Imported[1];
      TableAssembler.InPlace wrap =
          (seg, consumer) -> engine.memory().mapReadOnly(seg, consumer, current[0].retain());
      try (TableAssembler out = new TableAssembler(engine, name, columns, wrap, false)) {
        for (ArrowColumn c : columns) {
          if (!c.inPlace()) {
            out.note("column '" + c.name + "' converted: " + c.conversion());
          }
        }
        while (true) {
          MemorySegment next = scratch.allocate(ARRAY);
          check(stream, call(stream, T_GET_NEXT, next), source, "get_next");
          if (next.get(PTR, A_RELEASE).address() == 0) {
            break;
          }
          Imported im = new Imported(next, source + " batch " + batches);
          current[0] = im;
          try (Arena conv = Arena.ofConfined()) {
            batch(im.array, columns, decoder, dicts, conv, source, batches, out);
          } finally {
            im.release(); // the importer's reference; mapped regions hold theirs
          }
          batches++;
        }
        ArrowLoad load = out.finish(dicts, batches);
        return load;
      }
    } finally {
      callRelease(stream, T_RELEASE);
    }
  }

  private static int call(MemorySegment stream, long fnOff, MemorySegment out) {
    MemorySegment fn = stream.get(PTR, fnOff);
    try {
      return (int) CDataLayout.CALL_GET.invokeExact(fn, stream, out);
    } catch (Throwable e) {
      throw new IllegalStateException("stream callback failed: " + e, e);
    }
  }

  private static void check(MemorySegment stream, int rc, String source, String what) {
    if (rc == 0) {
      return;
    }
    String msg = "";
    MemorySegment fn = stream.get(PTR, T_GET_LAST_ERROR);
    if (fn.address() != 0) {
      try {
        msg = string((MemorySegment) CDataLayout.CALL_LAST_ERROR.invokeExact(fn, stream));
      } catch (Throwable e) {
        msg = "(get_last_error failed: " + e + ")";
      }
    }
    throw ArrowFormatException.at(source, -1, what + " failed with error " + rc + ": " + msg);
  }

  private static List<ArrowColumn> columns(MemorySegment schema, String source) {
    String format = string(schema.get(PTR, S_FORMAT));
    if (!format.equals("+s")) {
      throw ArrowFormatException.at(
          source, -1, "stream schema has format '" + format + "'; expected a struct (+s)");
    }
    long n = schema.get(I64, S_N_CHILDREN);
    if (n <= 0 || n > 100_000) {
      throw ArrowFormatException.at(source, -1, "stream schema has " + n + " columns");
    }
    MemorySegment children = schema.get(PTR, S_CHILDREN).reinterpret(8 * n);
    List<ArrowColumn> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      MemorySegment c = children.getAtIndex(PTR, i).reinterpret(SCHEMA.byteSize());
      String f = string(c.get(PTR, S_FORMAT));
      if (c.get(I64, S_N_CHILDREN) != 0) {
        throw ArrowFormatException.at(
            source, -1, "column " + i + ": nested format '" + f + "' not supported");
      }
      MemorySegment d = c.get(PTR, S_DICTIONARY);
      String df =
          d.address() == 0 ? null : string(d.reinterpret(SCHEMA.byteSize()).get(PTR, S_FORMAT));
      String name = string(c.get(PTR, S_NAME));
      boolean nullable = (c.get(I64, S_FLAGS) & FLAG_NULLABLE) != 0;
      out.add(
          ArrowColumn.ofFormat(name.isEmpty() ? "column" + i : name, nullable, f, df, i, source));
    }
    return out;
  }

  /** Decodes one imported array and adds it to the table. */
  private static void batch(
      MemorySegment a,
      List<ArrowColumn> columns,
      BatchDecoder decoder,
      DictionaryState dicts,
      Arena conv,
      String source,
      int index,
      TableAssembler out) {
    long length = a.get(I64, A_LENGTH);
    if (a.get(I64, A_N_CHILDREN) != columns.size()
        || length < 0
        || length > Integer.MAX_VALUE - 64) {
      throw ArrowFormatException.at(
          source,
          -1,
          "batch " + index + ": " + a.get(I64, A_N_CHILDREN) + " children, length " + length);
    }
    if (a.get(I64, A_OFFSET) != 0) {
      throw ArrowFormatException.at(
          source, -1, "batch " + index + ": struct offset is not supported");
    }
    int n = (int) length;
    MemorySegment children = a.get(PTR, A_CHILDREN).reinterpret(8L * columns.size());
    Decoded[] batch = new Decoded[columns.size()];
    for (int c = 0; c < batch.length; c++) {
      ArrowColumn col = columns.get(c);
      MemorySegment ch = children.getAtIndex(PTR, c).reinterpret(ARRAY.byteSize());
      if (col.dictionary()) {
        MemorySegment d = ch.get(PTR, A_DICTIONARY);
        if (d.address() == 0) {
          throw ArrowFormatException.at(source, -1, "column '" + col.name + "' has no dictionary");
        }
        MemorySegment dict = d.reinterpret(ARRAY.byteSize());
        ArrowColumn dc = ArrowColumn.dictionaryValues();
        Decoded dd = column(dict, dc, decoder, dicts, conv, source);
        if (!dicts.matches(col.dictionaryId, dd)) {
          dicts.add(col.dictionaryId, dd, false, -1); // copied into the engine's dictionary
        }
      }
      if (ch.get(I64, A_LENGTH) != n) {
        throw ArrowFormatException.at(
            source,
            -1,
            "batch "
                + index
                + " column '"
                + col.name
                + "' has "
                + ch.get(I64, A_LENGTH)
                + " rows of "
                + n);
      }
      batch[c] = column(ch, col, decoder, dicts, conv, source);
    }
    out.add(batch);
  }

  private static Decoded column(
      MemorySegment ch,
      ArrowColumn col,
      BatchDecoder decoder,
      DictionaryState dicts,
      Arena conv,
      String source) {
    long n = ch.get(I64, A_LENGTH);
    if (n < 0 || n > Integer.MAX_VALUE - 64) {
      throw ArrowFormatException.at(source, -1, "column '" + col.name + "' length " + n);
    }
    if (ch.get(I64, A_OFFSET) != 0) {
      throw ArrowFormatException.at(
          source, -1, "column '" + col.name + "': arrays with a non-zero offset are not supported");
    }
    int k = col.bufferCount();
    if (ch.get(I64, A_N_BUFFERS) != k) {
      throw ArrowFormatException.at(
          source,
          -1,
          "column '" + col.name + "' has " + ch.get(I64, A_N_BUFFERS) + " buffers; expected " + k);
    }
    MemorySegment ptrs = ch.get(PTR, A_BUFFERS).reinterpret(8L * k);
    MemorySegment[] raw = new MemorySegment[k];
    int rows = (int) n;
    long bitmap = ArrowLayout.bitmapBytes(rows);
    MemorySegment vp = ptrs.getAtIndex(PTR, 0);
    raw[0] = vp.address() == 0 ? MemorySegment.NULL.reinterpret(0) : vp.reinterpret(bitmap);
    long width = col.dictionary() ? col.indexWidth : col.width;
    long valueBytes =
        switch (col.physical) {
          case BOOL -> bitmap;
          case UTF8 -> col.dictionary() ? width * rows : 4L * (rows + 1);
          case LARGE_UTF8 -> 8L * (rows + 1);
          default -> width * rows;
        };
    MemorySegment p1 = ptrs.getAtIndex(PTR, 1);
    raw[1] =
        valueBytes == 0 || p1.address() == 0
            ? MemorySegment.NULL.reinterpret(0)
            : p1.reinterpret(valueBytes);
    if (k == 3) {
      long dataBytes = 0;
      if (raw[1].byteSize() > 0) {
        dataBytes =
            col.physical == ArrowColumn.Physical.LARGE_UTF8
                ? raw[1].getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, rows)
                : raw[1].getAtIndex(ArrowLayout.INT32, rows);
      }
      MemorySegment p2 = ptrs.getAtIndex(PTR, 2);
      raw[2] =
          dataBytes <= 0 || p2.address() == 0
              ? MemorySegment.NULL.reinterpret(0)
              : p2.reinterpret(dataBytes);
    }
    long nulls = ch.get(I64, A_NULL_COUNT);
    if (raw[0].byteSize() == 0) {
      nulls = 0;
    } else if (nulls < 0) {
      nulls = 0;
      for (int i = 0; i < rows; i++) {
        if (!BatchDecoder.bit(raw[0], i)) {
          nulls++;
        }
      }
    }
    long[] at = new long[k];
    java.util.Arrays.fill(at, -1);
    return decoder.column(col, rows, nulls, raw, at, true, conv, dicts);
  }
}
