package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.SortKernels;
import dev.amalgam.kernels.SortKernels.SortColumn;
import dev.amalgam.kernels.SortKernels.SortKey;
import dev.amalgam.kernels.Validity;
import dev.amalgam.memory.pool.MemoryConsumer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * ORDER BY (and top-N with a limit): each worker materializes its batches; at the end the chunks
 * are concatenated, the kernels' radix sort (or top-N) computes the order over the key columns, and
 * the rows are written out in that order as chunks for an ordered source.
 *
 * <p><b>Spilling.</b> A worker whose kept rows pass its share of the query's working memory (a
 * twelfth of the limit split between the workers: sorting a run needs about four times its bytes)
 * sorts them into a run (its first {@code limit} rows for a top-N) and writes the run to a {@link
 * SpillStore} (unified memory: host, then the spill file). If anything spilled, the rows still in
 * memory become a run too and the runs are merged, one chunk of each in memory at a time.
 */
public final class SortSink implements Sink, AutoCloseable {
  private static final int OUT_ROWS = 65536;

  /** One sort key: an input column and its direction. */
  public record Key(int column, boolean ascending, boolean nullsFirst) {}

  private final List<Key> keys;
  private final DataType[] types;
  private final long limit;
  private final OpStats stats = new OpStats();
  private final List<Chunk> inputs = new ArrayList<>();
  private final List<Chunk> output = new ArrayList<>();
  private final AtomicInteger locals = new AtomicInteger();
  private final AtomicLong spilledRows = new AtomicLong();
  private volatile @Nullable SpillStore runs;

  /**
   * A sort of rows of {@code types} (compute types, dictionaries decoded) by {@code keys}, keeping
   * the first {@code limit} rows ({@code Long.MAX_VALUE}: all).
   */
  public SortSink(List<Key> keys, DataType[] types, long limit) {
    this.keys = List.copyOf(keys);
    this.types = new DataType[types.length];
    for (int i = 0; i < types.length; i++) {
      this.types[i] = types[i].kind() == DataType.Kind.DICTIONARY_UTF8 ? DataType.UTF8 : types[i];
    }
    this.limit = limit;
    for (Key k : keys) {
      sortType(this.types[k.column()]);
    }
  }

  private static SortKernels.KeyType sortType(DataType t) {
    return switch (t.kind()) {
      case INT32, INT8, INT16 -> SortKernels.KeyType.INT32;
      case DATE32 -> SortKernels.KeyType.DATE32;
      case INT64 -> SortKernels.KeyType.INT64;
      case TIMESTAMP -> SortKernels.KeyType.TIMESTAMP;
      case DECIMAL -> SortKernels.KeyType.DECIMAL64;
      case FLOAT64, FLOAT32 -> SortKernels.KeyType.FLOAT64;
      case UTF8, DICTIONARY_UTF8 -> SortKernels.KeyType.UTF8;
      case BOOL -> throw new IllegalArgumentException("cannot sort by a bool column");
    };
  }

  private final class Local extends Op {
    final Worker worker;
    final List<Chunk> mine = new ArrayList<>();
    long bytes;

    Local(Worker worker) {
      super(null);
      this.worker = worker;
    }

    @Override
    public void push(Batch b) {
      long t0 = System.nanoTime();
      if (b.count() > 0) {
        Chunk c = Chunk.copyOf(b, worker.query().stateConsumer());
        mine.add(c);
        bytes += c.bytes();
        QueryContext q = worker.query();
        if (bytes > q.operatorLimit() / (12L * Math.max(1, locals.get()))) {
          spillRun(mine, q);
          mine.clear();
          bytes = 0;
        }
      }
      stats.record(b.count(), 0, System.nanoTime() - t0);
    }
  }

  @Override
  public Op createLocal(Worker worker) {
    locals.incrementAndGet();
    return new Local(worker);
  }

  @Override
  public void combine(Op local) {
    inputs.addAll(((Local) local).mine);
    ((Local) local).mine.clear();
  }

  @Override
  public void discard(Op local) {
    for (Chunk c : ((Local) local).mine) {
      c.close();
    }
    ((Local) local).mine.clear();
  }

  private SpillStore store(QueryContext q) {
    SpillStore s = runs;
    if (s == null) {
      synchronized (this) {
        s = runs;
        if (s == null) {
          s = new SpillStore(q.memory(), types, 0, q.name() + " sort spill");
          runs = s;
        }
      }
    }
    return s;
  }

  /** Sorts {@code chunks} (closing them) into a run in the spill store. */
  private void spillRun(List<Chunk> chunks, QueryContext q) {
    List<Chunk> sorted = sort(chunks, q, q.resultConsumer());
    try {
      SpillStore s = store(q);
      int run = s.newPartition();
      for (Chunk c : sorted) {
        s.append(run, c);
        spilledRows.addAndGet(c.rows());
      }
    } finally {
      for (Chunk c : sorted) {
        c.close();
      }
    }
  }

  @Override
  public void finish(QueryContext query) {
    long t0 = System.nanoTime();
    SpillStore s = runs;
    if (s == null) {
      output.addAll(sort(new ArrayList<>(inputs), query, query.resultConsumer()));
      inputs.clear();
    } else {
      if (!inputs.isEmpty()) {
        spillRun(new ArrayList<>(inputs), query);
        inputs.clear();
      }
      merge(s, query);
    }
    long rows = 0;
    for (Chunk c : output) {
      rows += c.rows();
    }
    stats.record(0, rows, System.nanoTime() - t0);
  }

  /** Sorts the rows of {@code chunks} (closed here) into new chunks charged to {@code out}. */
  private List<Chunk> sort(List<Chunk> chunks, QueryContext query, MemoryConsumer out) {
    List<Chunk> result = new ArrayList<>();
    try (Chunk all = Chunk.concat(chunks, types, query.stateConsumer())) {
      for (Chunk c : chunks) {
        c.close();
      }
      int n = all.rows();
      List<SortColumn> cols = new ArrayList<>();
      for (Key k : keys) {
        Vec v = all.column(k.column());
        SortKey sk = new SortKey(sortType(types[k.column()]), k.ascending(), k.nullsFirst());
        cols.add(
            sk.type() == SortKernels.KeyType.UTF8
                ? SortColumn.utf8(sk, v.values(), Objects.requireNonNull(v.data()), v.validity())
                : SortColumn.fixed(sk, v.values(), v.validity()));
      }
      List<SortKey> sortKeys = cols.stream().map(SortColumn::key).toList();
      int keep = (int) Math.min(limit, n);
      boolean topN = keep < n;
      long scratchBytes =
          topN
              ? SortKernels.cpu().topNScratchBytes(sortKeys, n, keep)
              : SortKernels.cpu().sortScratchBytes(sortKeys, n);
      long permBytes = 4L * Math.max(1, n);
      query.stateConsumer().reserve(scratchBytes + permBytes);
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment perm = arena.allocate(permBytes, 64);
        MemorySegment scratch = arena.allocate(Math.max(8, scratchBytes), 64);
        if (n > 0) {
          if (topN) {
            keep = SortKernels.cpu().topN(cols, n, null, keep, perm, scratch);
          } else {
            SortKernels.cpu().sort(cols, n, null, perm, scratch);
          }
        }
        for (int from = 0; from < keep; from += OUT_ROWS) {
          result.add(Chunk.gather(all, perm, from, Math.min(OUT_ROWS, keep - from), out));
        }
      } finally {
        query.stateConsumer().release(scratchBytes + permBytes);
      }
      return result;
    } catch (RuntimeException e) {
      for (Chunk c : result) {
        c.close();
      }
      throw e;
    }
  }

  // ---- merging spilled runs ------------------------------------------------------------------

  private final class Cursor {
    final int run;
    int next;
    @Nullable Chunk chunk;
    int row;

    Cursor(int run) {
      this.run = run;
    }

    Chunk chunk() {
      return Objects.requireNonNull(chunk);
    }
  }

  private void merge(SpillStore s, QueryContext q) {
    MemoryConsumer c = q.resultConsumer();
    PriorityQueue<Cursor> heap =
        new PriorityQueue<>(
            (a, b) -> {
              int cmp = compareRows(a.chunk(), a.row, b.chunk(), b.row);
              return cmp != 0 ? cmp : Integer.compare(a.run, b.run);
            });
    List<Chunk> retired = new ArrayList<>();
    List<Cursor> all = new ArrayList<>();
    try {
      for (int r = 0; r < s.partitionCount(); r++) {
        Cursor cur = new Cursor(r);
        all.add(cur);
        if (advanceChunk(s, cur, c)) {
          heap.add(cur);
        }
      }
      Chunk[] src = new Chunk[OUT_ROWS];
      int[] rows = new int[OUT_ROWS];
      int pending = 0;
      long emitted = 0;
      while (!heap.isEmpty() && emitted < limit) {
        Cursor cur = heap.poll();
        src[pending] = cur.chunk();
        rows[pending++] = cur.row;
        emitted++;
        cur.row++;
        if (cur.row == cur.chunk().rows()) {
          retired.add(cur.chunk());
          cur.chunk = null;
          if (!advanceChunk(s, cur, c)) {
            cur = null;
          }
        }
        if (cur != null) {
          heap.add(cur);
        }
        if (pending == OUT_ROWS) {
          output.add(Chunk.fromRows(types, src, rows, pending, c));
          pending = 0;
          java.util.Arrays.fill(src, null);
          for (Chunk r : retired) {
            r.close();
          }
          retired.clear();
        }
      }
      if (pending > 0) {
        output.add(Chunk.fromRows(types, src, rows, pending, c));
      }
    } finally {
      for (Chunk r : retired) {
        r.close();
      }
      for (Cursor cur : all) {
        if (cur.chunk != null) {
          cur.chunk.close();
        }
      }
      s.close();
    }
  }

  private static boolean advanceChunk(SpillStore s, Cursor cur, MemoryConsumer c) {
    while (cur.next < s.chunks(cur.run)) {
      Chunk chunk = s.read(cur.run, cur.next++, c);
      if (chunk.rows() > 0) {
        cur.chunk = chunk;
        cur.row = 0;
        return true;
      }
      chunk.close();
    }
    return false;
  }

  /** Compares row {@code i} of {@code a} with row {@code j} of {@code b} by the sort keys. */
  private int compareRows(Chunk a, int i, Chunk b, int j) {
    for (Key k : keys) {
      Vec x = a.column(k.column());
      Vec y = b.column(k.column());
      boolean xn = !Validity.isValid(x.validity(), i);
      boolean yn = !Validity.isValid(y.validity(), j);
      if (xn || yn) {
        if (xn && yn) {
          continue;
        }
        return xn == k.nullsFirst() ? -1 : 1;
      }
      int cmp =
          switch (types[k.column()].kind()) {
            case INT8, INT16, INT32, DATE32 ->
                Integer.compare(
                    x.values().getAtIndex(ArrowLayout.INT32, i),
                    y.values().getAtIndex(ArrowLayout.INT32, j));
            case FLOAT32, FLOAT64 -> {
              double p = x.values().getAtIndex(ArrowLayout.FLOAT64, i);
              double q = y.values().getAtIndex(ArrowLayout.FLOAT64, j);
              yield p == q ? 0 : Double.compare(p, q);
            }
            case UTF8, DICTIONARY_UTF8 -> compareUtf8(x, i, y, j);
            default ->
                Long.compare(
                    x.values().getAtIndex(ArrowLayout.INT64, i),
                    y.values().getAtIndex(ArrowLayout.INT64, j));
          };
      if (cmp != 0) {
        return k.ascending() ? cmp : -cmp;
      }
    }
    return 0;
  }

  private static int compareUtf8(Vec x, int i, Vec y, int j) {
    MemorySegment xd = Objects.requireNonNull(x.data());
    MemorySegment yd = Objects.requireNonNull(y.data());
    int xs = x.values().getAtIndex(ArrowLayout.INT32, i);
    int xl = x.values().getAtIndex(ArrowLayout.INT32, i + 1L) - xs;
    int ys = y.values().getAtIndex(ArrowLayout.INT32, j);
    int yl = y.values().getAtIndex(ArrowLayout.INT32, j + 1L) - ys;
    long m = MemorySegment.mismatch(xd, xs, xs + xl, yd, ys, ys + yl);
    if (m < 0) {
      return 0;
    }
    if (m == xl) {
      return -1;
    }
    if (m == yl) {
      return 1;
    }
    return Integer.compare(
        Byte.toUnsignedInt(xd.get(ValueLayout.JAVA_BYTE, xs + m)),
        Byte.toUnsignedInt(yd.get(ValueLayout.JAVA_BYTE, ys + m)));
  }

  /** The sorted chunks, in order (owned by this sink until taken). */
  public List<Chunk> take() {
    List<Chunk> out = new ArrayList<>(output);
    output.clear();
    return out;
  }

  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder(limit == Long.MAX_VALUE ? "Sort " : "TopN " + limit + " ");
    for (int i = 0; i < keys.size(); i++) {
      Key k = keys.get(i);
      sb.append(i == 0 ? "" : ", ")
          .append('#')
          .append(k.column())
          .append(k.ascending() ? " ASC" : " DESC")
          .append(k.nullsFirst() ? " NULLS FIRST" : " NULLS LAST");
    }
    long s = spilledRows.get();
    if (s > 0) {
      sb.append(" (spilled ").append(s).append(" rows in sorted runs)");
    }
    return sb.toString();
  }

  @Override
  public OpStats stats() {
    return stats;
  }

  @Override
  public void close() {
    for (Chunk c : inputs) {
      c.close();
    }
    inputs.clear();
    for (Chunk c : take()) {
      c.close();
    }
    SpillStore s = runs;
    runs = null;
    if (s != null) {
      s.close();
    }
  }
}
