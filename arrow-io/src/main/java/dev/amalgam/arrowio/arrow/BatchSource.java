package dev.amalgam.arrowio.arrow;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.store.ColumnChunk;
import dev.amalgam.exec.store.Dictionary;
import dev.amalgam.exec.store.RowGroup;
import dev.amalgam.exec.store.TableData;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.memory.AccessMode;
import dev.amalgam.memory.Device;
import dev.amalgam.memory.Pin;
import dev.amalgam.memory.Region;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where batches to write or export come from: a table's row groups (its regions pinned on the host,
 * used in place where a buffer's pages are contiguous host memory) or a query result (built from
 * its values). Batches are made one at a time, on demand.
 */
abstract sealed class BatchSource permits BatchSource.OfTable, BatchSource.OfResult {
  abstract Schema schema();

  abstract int batchCount();

  /** Batch {@code i}; the caller closes it. */
  abstract HostBatch batch(int i);

  /** The dictionary of column {@code c} as a utf8 column, or null; the caller closes it. */
  abstract @Nullable HostBatch dictionary(int c);

  static BatchSource of(Table table, boolean shared) {
    return new OfTable(table.data(), shared);
  }

  static BatchSource of(Result result) {
    return new OfResult(result, OfResult.BATCH_ROWS);
  }

  /** A table's row groups, one batch each. */
  static final class OfTable extends BatchSource {
    private final TableData data;
    private final boolean shared;

    OfTable(TableData data, boolean shared) {
      this.data = data;
      this.shared = shared;
    }

    @Override
    Schema schema() {
      return data.schema();
    }

    @Override
    int batchCount() {
      return data.rowGroups().size();
    }

    @Override
    @SuppressWarnings("MustBeClosedChecker") // the batch owns the arena and pins
    HostBatch batch(int i) {
      RowGroup g = data.rowGroups().get(i);
      List<AutoCloseable> keep = new ArrayList<>();
      Arena arena = shared ? Arena.ofShared() : Arena.ofConfined();
      keep.add(arena);
      long[] copied = new long[1];
      try {
        HostBatch.Column[] cols = new HostBatch.Column[g.chunks().size()];
        for (int c = 0; c < cols.length; c++) {
          ColumnChunk ch = g.chunks().get(c);
          int rows = g.rows();
          long need =
              switch (ch.type().kind()) {
                case BOOL -> ArrowLayout.bitmapBytes(rows);
                case UTF8 -> 4L * (rows + 1);
                default -> (long) ch.type().kind().width() * rows;
              };
          MemorySegment values = view(ch.values(), 0, need, keep, arena, copied);
          Region vr = ch.validity();
          MemorySegment validity =
              vr == null ? null : view(vr, 0, ArrowLayout.bitmapBytes(rows), keep, arena, copied);
          MemorySegment dataSeg = null;
          Region dr = ch.data();
          if (dr != null) {
            int first = values.getAtIndex(ArrowLayout.INT32, 0);
            int last = values.getAtIndex(ArrowLayout.INT32, rows);
            dataSeg =
                last > first
                    ? view(dr, 0, last, keep, arena, copied)
                    : arena.allocate(8).asSlice(0, 0);
          }
          cols[c] = new HostBatch.Column(rows, ch.stats().nullCount(), validity, values, dataSeg);
        }
        return new HostBatch(g.rows(), cols, keep, copied[0]);
      } catch (RuntimeException e) {
        new HostBatch(0, new HostBatch.Column[0], keep, 0).close();
        throw e;
      }
    }

    @Override
    @SuppressWarnings("MustBeClosedChecker")
    @Nullable HostBatch dictionary(int c) {
      Dictionary d = data.dictionary(c);
      if (d == null) {
        return null;
      }
      List<AutoCloseable> keep = new ArrayList<>();
      Arena arena = shared ? Arena.ofShared() : Arena.ofConfined();
      keep.add(arena);
      long[] copied = new long[1];
      try {
        MemorySegment offsets = view(d.offsets(), 0, 4L * (d.size() + 1), keep, arena, copied);
        int bytes = offsets.getAtIndex(ArrowLayout.INT32, d.size());
        MemorySegment values =
            bytes > 0
                ? view(d.data(), 0, bytes, keep, arena, copied)
                : arena.allocate(8).asSlice(0, 0);
        HostBatch.Column col = new HostBatch.Column(d.size(), 0, null, offsets, values);
        return new HostBatch(d.size(), new HostBatch.Column[] {col}, keep, copied[0]);
      } catch (RuntimeException e) {
        new HostBatch(0, new HostBatch.Column[0], keep, 0).close();
        throw e;
      }
    }

    /**
     * Pins a range on the host: one segment when its pages are contiguous host memory (one page, or
     * a mapped region), else a copy.
     */
    private MemorySegment view(
        Region r, long offset, long length, List<AutoCloseable> keep, Arena arena, long[] copied) {
      if (length == 0) {
        return arena.allocate(8).asSlice(0, 0);
      }
      Device h = r.memory().host();
      Pin pin =
          shared
              ? r.pinShared(offset, length, h, AccessMode.READ)
              : r.pin(offset, length, h, AccessMode.READ);
      keep.add(pin);
      if (pin.chunkCount() == 1) {
        return pin.chunk(0);
      }
      long base = pin.chunk(0).address();
      boolean contiguous = true;
      for (int i = 1; i < pin.chunkCount() && contiguous; i++) {
        contiguous = pin.chunk(i).address() == base + (pin.chunkOffset(i) - offset);
      }
      if (contiguous) {
        return MemorySegment.ofAddress(base).reinterpret(length, arena, null);
      }
      MemorySegment copy = arena.allocate(length, 64);
      for (int i = 0; i < pin.chunkCount(); i++) {
        MemorySegment c = pin.chunk(i);
        MemorySegment.copy(c, 0, copy, pin.chunkOffset(i) - offset, c.byteSize());
      }
      copied[0] += length;
      return copy;
    }
  }

  /** A query result, in batches of a given number of rows. */
  static final class OfResult extends BatchSource {
    static final int BATCH_ROWS = 1 << 16;
    private final Result result;
    private final Schema schema;
    private final int batchRows;

    OfResult(Result result, int batchRows) {
      this.result = result;
      this.batchRows = Math.max(1, batchRows);
      List<Field> fields = new ArrayList<>();
      for (Field f : result.schema().fields()) {
        fields.add(
            f.type().kind() == DataType.Kind.DICTIONARY_UTF8
                ? new Field(f.name(), DataType.UTF8, f.nullable())
                : f);
      }
      this.schema = new Schema(fields);
    }

    @Override
    Schema schema() {
      return schema;
    }

    @Override
    int batchCount() {
      return (result.rowCount() + batchRows - 1) / batchRows;
    }

    @Override
    @Nullable HostBatch dictionary(int c) {
      return null;
    }

    @Override
    @SuppressWarnings("MustBeClosedChecker")
    HostBatch batch(int b) {
      int from = b * batchRows;
      int rows = Math.min(batchRows, result.rowCount() - from);
      Arena arena = Arena.ofShared();
      try {
        HostBatch.Column[] cols = new HostBatch.Column[schema.size()];
        for (int c = 0; c < cols.length; c++) {
          cols[c] = column(schema.field(c), c, from, rows, arena);
        }
        long bytes = 0;
        for (HostBatch.Column col : cols) {
          bytes += col.values().byteSize() + (col.data() == null ? 0 : col.data().byteSize());
        }
        return new HostBatch(rows, cols, List.of(arena), bytes);
      } catch (RuntimeException e) {
        arena.close();
        throw e;
      }
    }

    private HostBatch.Column column(Field f, int c, int from, int rows, Arena arena) {
      DataType t = f.type();
      MemorySegment validity = arena.allocate(Math.max(8, ArrowLayout.bitmapBytes(rows)), 8);
      long nulls = 0;
      for (int i = 0; i < rows; i++) {
        if (result.get(from + i, c) == null) {
          nulls++;
        } else {
          validity.set(
              ValueLayout.JAVA_BYTE,
              i >>> 3,
              (byte) (validity.get(ValueLayout.JAVA_BYTE, i >>> 3) | (1 << (i & 7))));
        }
      }
      MemorySegment valid = nulls == 0 ? null : validity.asSlice(0, ArrowLayout.bitmapBytes(rows));
      if (t.kind() == DataType.Kind.UTF8) {
        List<byte[]> bs = new ArrayList<>(rows);
        long total = 0;
        for (int i = 0; i < rows; i++) {
          Object v = result.get(from + i, c);
          byte[] x = v == null ? new byte[0] : v.toString().getBytes(StandardCharsets.UTF_8);
          bs.add(x);
          total += x.length;
        }
        if (total > Integer.MAX_VALUE - 64) {
          throw new IllegalArgumentException("column '" + f.name() + "': utf8 batch over 2 GiB");
        }
        MemorySegment offsets = arena.allocate(4L * (rows + 1), 8);
        MemorySegment data = arena.allocate(Math.max(8, total), 8).asSlice(0, total);
        long at = 0;
        for (int i = 0; i < rows; i++) {
          byte[] x = bs.get(i);
          MemorySegment.copy(x, 0, data, ValueLayout.JAVA_BYTE, at, x.length);
          at += x.length;
          offsets.setAtIndex(ArrowLayout.INT32, i + 1L, (int) at);
        }
        return new HostBatch.Column(rows, nulls, valid, offsets, data);
      }
      long bytes =
          t.kind() == DataType.Kind.BOOL
              ? ArrowLayout.bitmapBytes(rows)
              : (long) t.kind().width() * rows;
      MemorySegment v = arena.allocate(Math.max(8, bytes), 8).asSlice(0, bytes);
      for (int i = 0; i < rows; i++) {
        Object o = result.get(from + i, c);
        if (o == null) {
          continue;
        }
        switch (t.kind()) {
          case BOOL -> {
            if ((Boolean) o) {
              v.set(
                  ValueLayout.JAVA_BYTE,
                  i >>> 3,
                  (byte) (v.get(ValueLayout.JAVA_BYTE, i >>> 3) | (1 << (i & 7))));
            }
          }
          case INT8 -> v.set(ValueLayout.JAVA_BYTE, i, ((Number) o).byteValue());
          case INT16 -> v.setAtIndex(ArrowLayout.INT16, i, ((Number) o).shortValue());
          case INT32 -> v.setAtIndex(ArrowLayout.INT32, i, ((Number) o).intValue());
          case INT64 -> v.setAtIndex(ArrowLayout.INT64, i, ((Number) o).longValue());
          case FLOAT32 -> v.setAtIndex(ArrowLayout.FLOAT32, i, ((Number) o).floatValue());
          case FLOAT64 -> v.setAtIndex(ArrowLayout.FLOAT64, i, ((Number) o).doubleValue());
          case DECIMAL ->
              v.setAtIndex(
                  ArrowLayout.INT64,
                  i,
                  ((BigDecimal) o)
                      .setScale(t.scale(), RoundingMode.UNNECESSARY)
                      .unscaledValue()
                      .longValueExact());
          case DATE32 ->
              v.setAtIndex(ArrowLayout.INT32, i, Math.toIntExact(((LocalDate) o).toEpochDay()));
          case TIMESTAMP ->
              v.setAtIndex(
                  ArrowLayout.INT64, i, ChronoUnit.MICROS.between(Instant.EPOCH, (Instant) o));
          default -> throw new AssertionError(t);
        }
      }
      return new HostBatch.Column(rows, nulls, valid, v, null);
    }
  }
}
