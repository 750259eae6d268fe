package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.Validity;
import dev.amalgam.memory.NativeArena;
import dev.amalgam.memory.pool.MemoryConsumer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A materialized, dense batch that owns its memory: the rows an operator keeps (a hash-join build
 * side, a sort's input, an aggregation's output, a query's result) copied out of pinned pages and
 * scratch. Off-heap host memory, reserved against a consumer before it is allocated; dictionary
 * columns are decoded to utf8.
 */
public final class Chunk implements AutoCloseable {
  private final Vec[] columns;
  private final int rows;
  private final Arena arena;
  private final MemoryConsumer consumer;
  private final long reserved;
  private boolean closed;

  private Chunk(Vec[] columns, int rows, Arena arena, MemoryConsumer consumer, long reserved) {
    this.columns = columns;
    this.rows = rows;
    this.arena = arena;
    this.consumer = consumer;
    this.reserved = reserved;
  }

  /** The columns ({@link #rows()} rows each). */
  public Vec[] columns() {
    return columns;
  }

  /** Column {@code i}. */
  public Vec column(int i) {
    return columns[i];
  }

  /** Rows. */
  public int rows() {
    return rows;
  }

  /** Bytes reserved. */
  public long bytes() {
    return reserved;
  }

  /** This chunk as a batch (valid until the chunk is closed). */
  public Batch asBatch() {
    return Batch.dense(columns, rows);
  }

  /** Copies the live rows of {@code batch} into a new chunk charged to {@code consumer}. */
  @SuppressWarnings("MustBeClosedChecker") // the chunk owns the arena and closes it in close()
  public static Chunk copyOf(Batch batch, MemoryConsumer consumer) {
    int n = batch.count();
    long bytes = 0;
    for (Vec v : batch.columns()) {
      bytes += bytesFor(v, batch, n);
    }
    consumer.reserve(bytes);
    Arena arena = NativeArena.open(); // closing a shared arena stops every thread
    try {
      Vec[] out = new Vec[batch.width()];
      for (int c = 0; c < out.length; c++) {
        out[c] = copyColumn(batch.column(c), batch, n, arena);
      }
      return new Chunk(out, n, arena, consumer, bytes);
    } catch (RuntimeException | Error e) {
      arena.close();
      consumer.release(bytes);
      throw e;
    }
  }

  /**
   * A chunk of freshly allocated columns of the given compute types, for operators that write their
   * output directly (utf8 columns get {@code utf8Bytes[c]} data bytes).
   */
  @SuppressWarnings("MustBeClosedChecker") // the chunk owns the arena and closes it in close()
  public static Chunk allocate(
      DataType[] types, int rows, long[] utf8Bytes, boolean[] nullable, MemoryConsumer consumer) {
    long bytes = 0;
    for (int c = 0; c < types.length; c++) {
      bytes += valueBytes(types[c], rows) + (nullable[c] ? bitmap(rows) : 0) + utf8Bytes[c];
    }
    consumer.reserve(bytes);
    Arena arena = NativeArena.open(); // closing a shared arena stops every thread
    Vec[] out = new Vec[types.length];
    try {
      for (int c = 0; c < types.length; c++) {
        DataType t = types[c];
        MemorySegment values = arena.allocate(Math.max(8, valueBytes(t, rows)), 64);
        MemorySegment validity = nullable[c] ? arena.allocate(bitmap(rows), 64) : null;
        MemorySegment data =
            t.kind() == DataType.Kind.UTF8 ? arena.allocate(Math.max(8, utf8Bytes[c]), 64) : null;
        out[c] = new Vec(t, rows, values, validity, data, null);
      }
    } catch (RuntimeException | Error e) {
      arena.close();
      consumer.release(bytes);
      throw e;
    }
    return new Chunk(out, rows, arena, consumer, bytes);
  }

  private static long bitmap(int rows) {
    return ArrowLayout.paddedBitmapBytes(rows) + 8;
  }

  private static long valueBytes(DataType t, int rows) {
    return switch (t.kind()) {
      case BOOL -> bitmap(rows);
      case UTF8, DICTIONARY_UTF8 -> 4L * (rows + 1);
      case INT8, INT16, INT32, DATE32 -> 4L * rows;
      default -> 8L * rows;
    };
  }

  private static long bytesFor(Vec v, Batch b, int n) {
    long bytes = valueBytes(v.type(), n) + (v.validity() != null ? bitmap(n) : 0);
    if (v.type().isString()) {
      long data = 0;
      for (int k = 0; k < n; k++) {
        data += stringLength(v, b.row(k));
      }
      bytes += data;
    }
    return bytes;
  }

  private static int stringLength(Vec v, int row) {
    if (v.isNull(row)) {
      return 0;
    }
    Vec d = v.dictionary();
    if (d != null) {
      int idx = v.values().getAtIndex(ArrowLayout.INT32, row);
      return d.values().getAtIndex(ArrowLayout.INT32, idx + 1L)
          - d.values().getAtIndex(ArrowLayout.INT32, idx);
    }
    return v.values().getAtIndex(ArrowLayout.INT32, row + 1L)
        - v.values().getAtIndex(ArrowLayout.INT32, row);
  }

  private static Vec copyColumn(Vec v, Batch b, int n, Arena arena) {
    MemorySegment validity = null;
    MemorySegment sel = b.sel();
    if (v.validity() != null) {
      validity = arena.allocate(bitmap(n), 64);
      for (int k = 0; k < n; k++) {
        if (Validity.isValid(v.validity(), b.row(k))) {
          Validity.set(validity, k, true);
        }
      }
    }
    DataType t = v.type();
    switch (t.kind()) {
      case BOOL -> {
        MemorySegment out = arena.allocate(bitmap(n), 64);
        for (int k = 0; k < n; k++) {
          if (Validity.isValid(v.values(), b.row(k))) {
            Validity.set(out, k, true);
          }
        }
        return Vec.fixed(t, n, out, validity);
      }
      case UTF8, DICTIONARY_UTF8 -> {
        long total = 0;
        for (int k = 0; k < n; k++) {
          total += stringLength(v, b.row(k));
        }
        MemorySegment offsets = arena.allocate(4L * (n + 1), 64);
        MemorySegment data = arena.allocate(Math.max(8, total), 64);
        Vec src = v.dictionary() != null ? v.dictionary() : v;
        MemorySegment srcData = src.data();
        if (srcData == null) {
          throw new IllegalStateException("utf8 vec without data");
        }
        long at = 0;
        for (int k = 0; k < n; k++) {
          int row = b.row(k);
          if (v.isNull(row)) {
            offsets.setAtIndex(ArrowLayout.INT32, k + 1L, (int) at);
            continue;
          }
          int idx = v.dictionary() != null ? v.values().getAtIndex(ArrowLayout.INT32, row) : row;
          int from = src.values().getAtIndex(ArrowLayout.INT32, idx);
          int len = src.values().getAtIndex(ArrowLayout.INT32, idx + 1L) - from;
          MemorySegment.copy(srcData, from, data, at, len);
          at += len;
          offsets.setAtIndex(ArrowLayout.INT32, k + 1L, (int) at);
        }
        return Vec.utf8(n, offsets, data, validity);
      }
      default -> {
        int w = t.kind().width() == 8 ? 8 : 4;
        MemorySegment out = arena.allocate(Math.max(8, (long) w * n), 64);
        if (sel == null) {
          MemorySegment.copy(v.values(), 0, out, 0, (long) w * n);
        } else if (w == 8) {
          for (int k = 0; k < n; k++) {
            out.setAtIndex(
                ArrowLayout.INT64,
                k,
                v.values().getAtIndex(ArrowLayout.INT64, sel.getAtIndex(ArrowLayout.INT32, k)));
          }
        } else {
          for (int k = 0; k < n; k++) {
            out.setAtIndex(
                ArrowLayout.INT32,
                k,
                v.values().getAtIndex(ArrowLayout.INT32, sel.getAtIndex(ArrowLayout.INT32, k)));
          }
        }
        return Vec.fixed(t, n, out, validity);
      }
    }
  }

  /**
   * Rows {@code rows[from .. from + count)} of {@code source} (a selection into its rows) as a new
   * chunk charged to {@code consumer}, in that order.
   */
  public static Chunk gather(
      Chunk source, MemorySegment rows, int from, int count, MemoryConsumer consumer) {
    MemorySegment sel = rows.asSlice(4L * from, 4L * count);
    return copyOf(new Batch(source.columns, source.rows, sel, count), consumer);
  }

  /**
   * All rows of {@code chunks} (same column types) as one new chunk charged to {@code consumer}.
   */
  @SuppressWarnings("MustBeClosedChecker") // the chunk owns the arena and closes it in close()
  public static Chunk concat(List<Chunk> chunks, DataType[] types, MemoryConsumer consumer) {
    long total = 0;
    long[] utf8 = new long[types.length];
    boolean[] nullable = new boolean[types.length];
    for (Chunk c : chunks) {
      total += c.rows;
      for (int i = 0; i < types.length; i++) {
        Vec v = c.columns[i];
        nullable[i] |= v.validity() != null;
        if (types[i].kind() == DataType.Kind.UTF8) {
          utf8[i] += v.values().getAtIndex(ArrowLayout.INT32, c.rows);
        }
      }
    }
    if (total > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("cannot hold " + total + " rows in one chunk");
    }
    int n = (int) total;
    Chunk out = allocate(types, n, utf8, nullable, consumer);
    try {
      int at = 0;
      long[] dataAt = new long[types.length];
      for (Chunk c : chunks) {
        for (int i = 0; i < types.length; i++) {
          appendColumn(c.columns[i], c.rows, out.columns[i], at, dataAt, i);
        }
        at += c.rows;
      }
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  private static void appendColumn(Vec src, int rows, Vec dst, int at, long[] dataAt, int col) {
    MemorySegment dv = dst.validity();
    if (dv != null) {
      for (int r = 0; r < rows; r++) {
        if (Validity.isValid(src.validity(), r)) {
          Validity.set(dv, at + r, true);
        }
      }
    }
    DataType t = dst.type();
    switch (t.kind()) {
      case BOOL -> {
        for (int r = 0; r < rows; r++) {
          if (Validity.isValid(src.values(), r)) {
            Validity.set(dst.values(), at + r, true);
          }
        }
      }
      case UTF8 -> {
        int bytes = src.values().getAtIndex(ArrowLayout.INT32, rows);
        long base = dataAt[col];
        MemorySegment.copy(
            java.util.Objects.requireNonNull(src.data()),
            0,
            java.util.Objects.requireNonNull(dst.data()),
            base,
            bytes);
        for (int r = 1; r <= rows; r++) {
          dst.values()
              .setAtIndex(
                  ArrowLayout.INT32,
                  (long) at + r,
                  (int) (base + src.values().getAtIndex(ArrowLayout.INT32, r)));
        }
        dataAt[col] = base + bytes;
      }
      default -> {
        int w = t.kind().width() == 8 ? 8 : 4;
        MemorySegment.copy(src.values(), 0, dst.values(), (long) w * at, (long) w * rows);
      }
    }
  }

  /**
   * A new chunk of {@code count} rows where row {@code i} is row {@code rows[i]} of {@code
   * sources[i]} (chunks of the same column types), charged to {@code consumer}.
   */
  public static Chunk fromRows(
      DataType[] types, Chunk[] sources, int[] rows, int count, MemoryConsumer consumer) {
    long[] utf8 = new long[types.length];
    boolean[] nullable = new boolean[types.length];
    for (int i = 0; i < count; i++) {
      Chunk src = sources[i];
      for (int c = 0; c < types.length; c++) {
        Vec v = src.columns[c];
        nullable[c] |= v.validity() != null;
        if (types[c].kind() == DataType.Kind.UTF8) {
          utf8[c] += stringLength(v, rows[i]);
        }
      }
    }
    Chunk out = allocate(types, count, utf8, nullable, consumer);
    try {
      for (int c = 0; c < types.length; c++) {
        Vec dst = out.columns[c];
        long at = 0;
        for (int i = 0; i < count; i++) {
          Vec v = sources[i].columns[c];
          int r = rows[i];
          MemorySegment dv = dst.validity();
          if (dv != null && Validity.isValid(v.validity(), r)) {
            Validity.set(dv, i, true);
          }
          switch (types[c].kind()) {
            case BOOL -> {
              if (Validity.isValid(v.values(), r)) {
                Validity.set(dst.values(), i, true);
              }
            }
            case UTF8 -> {
              int len = stringLength(v, r);
              if (len > 0) {
                int from = v.values().getAtIndex(ArrowLayout.INT32, r);
                MemorySegment.copy(
                    java.util.Objects.requireNonNull(v.data()),
                    from,
                    java.util.Objects.requireNonNull(dst.data()),
                    at,
                    len);
              }
              at += len;
              dst.values().setAtIndex(ArrowLayout.INT32, i + 1L, (int) at);
            }
            default -> {
              if (types[c].kind().width() == 8) {
                dst.values()
                    .setAtIndex(ArrowLayout.INT64, i, v.values().getAtIndex(ArrowLayout.INT64, r));
              } else {
                dst.values()
                    .setAtIndex(ArrowLayout.INT32, i, v.values().getAtIndex(ArrowLayout.INT32, r));
              }
            }
          }
        }
      }
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /** Frees the memory and releases the reservation. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    arena.close();
    consumer.release(reserved);
  }
}
