package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.store.ChunkStats;
import dev.amalgam.exec.store.ColumnChunk;
import dev.amalgam.exec.store.Dictionary;
import dev.amalgam.exec.store.RowGroup;
import dev.amalgam.exec.store.TableData;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.CompareOp;
import dev.amalgam.memory.AccessMode;
import dev.amalgam.memory.Device;
import dev.amalgam.memory.PageInfo;
import dev.amalgam.memory.Pin;
import dev.amalgam.memory.Region;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Scans a table: projects columns, skips row groups whose min/max statistics rule the pushed-down
 * filter out, pins each morsel's buffers on the worker's device (zero copy where a buffer range
 * lies in one page; staged into scratch where utf8 data or offsets straddle pages), widens narrow
 * types to their compute types, and applies the pushed-down filter.
 */
public final class TableScan implements Source {
  private final TableData table;
  private final int[] columns;
  private final @Nullable BoundExpr filter;
  private final List<Device> members;
  private final OpStats stats = new OpStats();
  private final LongAdder stagedBytes = new LongAdder();
  private final LongAdder skippedGroups = new LongAdder();
  private final int scanRows;

  /**
   * A scan of {@code columns} (table column indices; the batch has them in this order) with an
   * optional filter over the projected columns.
   */
  public TableScan(
      TableData table, int[] columns, @Nullable BoundExpr filter, List<Device> members) {
    this.table = table;
    this.columns = columns.clone();
    this.filter = filter;
    this.members = List.copyOf(members);
    int m = table.morselRows();
    long pageRows = Math.min(1L << 20, pageSize(table) / 8);
    this.scanRows = (int) Math.max(m, pageRows / m * m);
  }

  private static long pageSize(TableData table) {
    return table.rowGroups().isEmpty()
        ? table.morselRows() * 8L
        : table.rowGroups().get(0).chunks().get(0).values().memory().pageSize();
  }

  /** The table. */
  public TableData table() {
    return table;
  }

  /** Bytes staged into scratch because a range straddled pages. */
  public long stagedBytes() {
    return stagedBytes.sum();
  }

  /** Row groups skipped by statistics in the last {@link #morsels} call. */
  public long skippedRowGroups() {
    return skippedGroups.sum();
  }

  @Override
  public String describe() {
    List<String> names = new ArrayList<>();
    for (int c : columns) {
      names.add(table.schema().field(c).name());
    }
    return "Scan "
        + table.name()
        + " ["
        + String.join(", ", names)
        + "]"
        + (filter == null ? "" : " filter " + filter)
        + " ("
        + table.rowGroups().size()
        + " row groups, "
        + table.placement()
        + ")";
  }

  @Override
  public OpStats stats() {
    return stats;
  }

  @Override
  public List<Morsel> morsels(QueryContext query) {
    List<Morsel> out = new ArrayList<>();
    int m = scanRows;
    for (RowGroup g : table.rowGroups()) {
      if (filter != null && skip(g, filter)) {
        skippedGroups.increment();
        continue;
      }
      for (int k = 0, start = 0; start < g.rows(); k++, start += m) {
        int rows = Math.min(m, g.rows() - start);
        out.add(new Morsel(g.index(), k, start, rows, bytes(g, rows), home(g, start)));
      }
    }
    return out;
  }

  private long bytes(RowGroup g, int rows) {
    long b = 0;
    for (int c : columns) {
      ColumnChunk ch = g.chunks().get(c);
      int w = ch.type().kind().width();
      b +=
          w == 0
              ? (ch.type().kind() == DataType.Kind.UTF8 ? 4L * rows : rows / 8)
              : (long) w * rows;
      if (ch.data() != null && g.rows() > 0) {
        b += ch.data().size() * rows / g.rows();
      }
    }
    return b;
  }

  private @Nullable Device home(RowGroup g, int start) {
    if (columns.length == 0) {
      return g.homes().size() == 1 ? g.homes().get(0) : null;
    }
    ColumnChunk ch = g.chunks().get(columns[0]);
    long width = Math.max(1, ch.type().kind().width());
    long offset = ch.type().kind() == DataType.Kind.BOOL ? start / 8 : start * width;
    long pageSize = ch.values().memory().pageSize();
    PageInfo page =
        ch.values().page((int) Math.min(ch.values().pageCount() - 1, offset / pageSize));
    Device found = null;
    for (Device d : members) {
      if (page.current().contains(d.name())) {
        if (found != null) {
          return null;
        }
        found = d;
      }
    }
    if (found != null) {
      return found;
    }
    return g.homes().size() == 1 && members.contains(g.homes().get(0)) ? g.homes().get(0) : null;
  }

  @Override
  public void prefetch(Morsel morsel, Device device) {
    RowGroup g = table.rowGroups().get(morsel.source());
    for (int c : columns) {
      ColumnChunk ch = g.chunks().get(c);
      Range r = valueRange(ch, morsel.startRow(), morsel.rows());
      ch.values().prefetch(r.offset, r.length, device);
      Region v = ch.validity();
      if (v != null) {
        Range vr = bitmapRange(v, morsel.startRow(), morsel.rows());
        v.prefetch(vr.offset, vr.length, device);
      }
    }
  }

  private record Range(long offset, long length) {}

  private static Range bitmapRange(Region r, int start, int rows) {
    long off = start >>> 3;
    long len = Math.min(((rows + 63L) >>> 6) << 3, r.size() - off);
    return new Range(off, Math.max(1, len));
  }

  private static Range valueRange(ColumnChunk ch, int start, int rows) {
    return switch (ch.type().kind()) {
      case BOOL -> bitmapRange(ch.values(), start, rows);
      case UTF8 -> new Range(4L * start, 4L * (rows + 1));
      default -> {
        int w = ch.type().kind().width();
        yield new Range((long) w * start, Math.max(1, (long) w * rows));
      }
    };
  }

  /**
   * Pins the morsel's pages (a page of 8-byte values: up to four batches of {@link
   * TableData#morselRows()} rows) for as long as its batches are pushed, so that none of them is
   * evicted between two batches of the same page; each batch's scratch is freed after its push.
   */
  @Override
  public void push(Morsel morsel, Worker worker, Op head) {
    RowGroup g = table.rowGroups().get(morsel.source());
    int batch = table.morselRows();
    if (morsel.rows() > batch) {
      for (int c : columns) {
        ColumnChunk ch = g.chunks().get(c);
        Range r = valueRange(ch, morsel.startRow(), morsel.rows());
        worker.hold(ch.values().pin(r.offset, r.length, worker.device(), AccessMode.READ));
        Region v = ch.validity();
        if (v != null) {
          Range vr = bitmapRange(v, morsel.startRow(), morsel.rows());
          worker.hold(v.pin(vr.offset, vr.length, worker.device(), AccessMode.READ));
        }
      }
    }
    for (int from = 0; from < morsel.rows() && !head.done(); from += batch) {
      int rows = Math.min(batch, morsel.rows() - from);
      head.push(read(g, morsel.startRow() + from, rows, worker));
      worker.scratch().reset();
    }
  }

  @Override
  public Batch read(Morsel morsel, Worker worker) {
    return read(table.rowGroups().get(morsel.source()), morsel.startRow(), morsel.rows(), worker);
  }

  private Batch read(RowGroup g, int start, int rows, Worker worker) {
    long t0 = System.nanoTime();
    Vec[] vecs = new Vec[columns.length];
    for (int i = 0; i < columns.length; i++) {
      ColumnChunk ch = g.chunks().get(columns[i]);
      vecs[i] = readColumn(ch, table.dictionary(columns[i]), start, rows, worker);
    }
    Batch b = Batch.dense(vecs, rows);
    if (filter != null) {
      MemorySegment sel = worker.scratch().allocate(4L * Math.max(1, rows));
      int count = ExprEvaluator.filter(filter, b, worker.scratch(), sel);
      b = b.withSelection(sel, count);
    }
    stats.record(rows, b.count(), System.nanoTime() - t0);
    return b;
  }

  private Vec readColumn(
      ColumnChunk ch, @Nullable Dictionary dict, int start, int rows, Worker worker) {
    DataType t = ch.type();
    MemorySegment validity = null;
    Region vr = ch.validity();
    if (vr != null) {
      Range r = bitmapRange(vr, start, rows);
      validity = view(vr, r.offset, r.length, worker);
    }
    Range r = valueRange(ch, start, rows);
    Scratch s = worker.scratch();
    switch (t.kind()) {
      case UTF8 -> {
        MemorySegment offsets = view(ch.values(), r.offset, r.length, worker);
        int first = offsets.getAtIndex(ArrowLayout.INT32, 0);
        int last = offsets.getAtIndex(ArrowLayout.INT32, rows);
        MemorySegment rebased = s.allocate(4L * (rows + 1));
        for (int i = 0; i <= rows; i++) {
          rebased.setAtIndex(
              ArrowLayout.INT32, i, offsets.getAtIndex(ArrowLayout.INT32, i) - first);
        }
        Region dataRegion = ch.data();
        MemorySegment data =
            last > first && dataRegion != null
                ? view(dataRegion, first, (long) last - first, worker)
                : s.allocate(8);
        return Vec.utf8(rows, rebased, data, validity);
      }
      case DICTIONARY_UTF8 -> {
        MemorySegment indices = view(ch.values(), r.offset, r.length, worker);
        if (dict == null) {
          throw new IllegalStateException("dictionary column without a dictionary");
        }
        MemorySegment dOffsets = view(dict.offsets(), 0, dict.offsets().size(), worker);
        int dataBytes = dOffsets.getAtIndex(ArrowLayout.INT32, dict.size());
        MemorySegment dData =
            dataBytes > 0 ? view(dict.data(), 0, dataBytes, worker) : s.allocate(8);
        Vec d = Vec.utf8(dict.size(), dOffsets, dData, null);
        return new Vec(t, rows, indices, validity, null, d);
      }
      case INT8 -> {
        MemorySegment src = view(ch.values(), r.offset, r.length, worker);
        MemorySegment out = s.allocate(4L * rows);
        for (int i = 0; i < rows; i++) {
          out.setAtIndex(ArrowLayout.INT32, i, src.get(ValueLayout.JAVA_BYTE, i));
        }
        return Vec.fixed(DataType.INT32, rows, out, validity);
      }
      case INT16 -> {
        MemorySegment src = view(ch.values(), r.offset, r.length, worker);
        MemorySegment out = s.allocate(4L * rows);
        for (int i = 0; i < rows; i++) {
          out.setAtIndex(ArrowLayout.INT32, i, src.getAtIndex(ArrowLayout.INT16, i));
        }
        return Vec.fixed(DataType.INT32, rows, out, validity);
      }
      case FLOAT32 -> {
        MemorySegment src = view(ch.values(), r.offset, r.length, worker);
        MemorySegment out = s.allocate(8L * rows);
        for (int i = 0; i < rows; i++) {
          out.setAtIndex(ArrowLayout.FLOAT64, i, src.getAtIndex(ArrowLayout.FLOAT32, i));
        }
        return Vec.fixed(DataType.FLOAT64, rows, out, validity);
      }
      default -> {
        MemorySegment values = view(ch.values(), r.offset, r.length, worker);
        return Vec.fixed(t, rows, values, validity);
      }
    }
  }

  /** Pins a range on the worker's device; one segment, staged into scratch if it spans pages. */
  private MemorySegment view(Region region, long offset, long length, Worker worker) {
    Pin pin = region.pin(offset, length, worker.device(), AccessMode.READ);
    worker.hold(pin);
    if (pin.chunkCount() == 1) {
      return pin.chunk(0);
    }
    MemorySegment staged = worker.scratch().allocate(length);
    for (int i = 0; i < pin.chunkCount(); i++) {
      MemorySegment c = pin.chunk(i);
      MemorySegment.copy(c, 0, staged, pin.chunkOffset(i) - offset, c.byteSize());
    }
    stagedBytes.add(length);
    return staged;
  }

  // ---- row-group skipping -------------------------------------------------------------------

  private boolean skip(RowGroup g, BoundExpr e) {
    return switch (e) {
      case BoundExpr.AndOr a when a.isAnd() -> a.terms().stream().anyMatch(t -> skip(g, t));
      case BoundExpr.AndOr a -> a.terms().stream().allMatch(t -> skip(g, t));
      case BoundExpr.Cmp c
          when c.left() instanceof BoundExpr.ColumnRef col
              && c.right() instanceof BoundExpr.Const k
              && k.value() != null ->
          impossible(stats(g, col), c.op(), k, k);
      case BoundExpr.Between b
          when b.operand() instanceof BoundExpr.ColumnRef col
              && b.low() instanceof BoundExpr.Const lo
              && b.high() instanceof BoundExpr.Const hi
              && lo.value() != null
              && hi.value() != null ->
          impossible(stats(g, col), CompareOp.GE, lo, lo)
              || impossible(stats(g, col), CompareOp.LE, hi, hi);
      case BoundExpr.InList in
          when !in.negated() && in.operand() instanceof BoundExpr.ColumnRef col ->
          in.values().stream()
              .allMatch(k -> k.value() != null && impossible(stats(g, col), CompareOp.EQ, k, k));
      default -> false;
    };
  }

  private ChunkStats stats(RowGroup g, BoundExpr.ColumnRef col) {
    return g.chunks().get(columns[col.index()]).stats();
  }

  private static boolean impossible(ChunkStats s, CompareOp op, BoundExpr.Const k, Object unused) {
    if (s.nullCount() == s.rows()) {
      return true;
    }
    if (!s.hasMinMax()) {
      return false;
    }
    Object v = k.value();
    double min;
    double max;
    double x;
    if (v instanceof Double d) {
      if (d.isNaN()) {
        return false;
      }
      x = d;
      min = s.minDouble();
      max = s.maxDouble();
      if (k.type().kind() != DataType.Kind.FLOAT64) {
        return false;
      }
    } else if (v instanceof Long || v instanceof Integer) {
      long lx = ((Number) v).longValue();
      long lmin = s.minLong();
      long lmax = s.maxLong();
      return switch (op) {
        case EQ -> lx < lmin || lx > lmax;
        case LT -> lmin >= lx;
        case LE -> lmin > lx;
        case GT -> lmax <= lx;
        case GE -> lmax < lx;
        case NE -> lmin == lmax && lmin == lx;
      };
    } else {
      return false;
    }
    return switch (op) {
      case EQ -> x < min || x > max;
      case LT -> min >= x;
      case LE -> min > x;
      case GT -> max <= x;
      case GE -> max < x;
      case NE -> false;
    };
  }

  @Override
  public String toString() {
    return describe()
        + " columns "
        + java.util.Arrays.stream(columns)
            .mapToObj(Integer::toString)
            .collect(Collectors.joining(","));
  }
}
