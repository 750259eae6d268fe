package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.SortKernels;
import dev.amalgam.kernels.SortKernels.SortColumn;
import dev.amalgam.kernels.SortKernels.SortKey;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * ORDER BY (and top-N with a limit): each worker materializes its batches; at the end the chunks
 * are concatenated, the kernels' radix sort (or top-N) computes the order over the key columns, and
 * the rows are written out in that order as chunks for an ordered source.
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

  /**
   * A sort of rows of {@code types} (compute types, dictionaries decoded) by {@code keys}, keeping
   * the first {@code limit} rows ({@code Long.MAX_VALUE}: all).
   */
  public SortSink(List<Key> keys, DataType[] types, long limit) {
    this.keys = List.copyOf(keys);
    this.types = types.clone();
    this.limit = limit;
    for (Key k : keys) {
      sortType(types[k.column()]);
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

  @Override
  public Op createLocal(Worker worker) {
    return new Materializer(worker, QueryContext::stateConsumer, stats, false);
  }

  @Override
  public void combine(Op local) {
    inputs.addAll(((Materializer) local).drain());
  }

  @Override
  public void discard(Op local) {
    ((Materializer) local).discard();
  }

  @Override
  public void finish(QueryContext query) {
    long t0 = System.nanoTime();
    DataType[] storeTypes = new DataType[types.length];
    for (int i = 0; i < types.length; i++) {
      storeTypes[i] = types[i].kind() == DataType.Kind.DICTIONARY_UTF8 ? DataType.UTF8 : types[i];
    }
    try (Chunk all = Chunk.concat(inputs, storeTypes, query.stateConsumer())) {
      for (Chunk c : inputs) {
        c.close();
      }
      inputs.clear();
      int n = all.rows();
      List<SortColumn> cols = new ArrayList<>();
      for (Key k : keys) {
        Vec v = all.column(k.column());
        SortKey sk = new SortKey(sortType(storeTypes[k.column()]), k.ascending(), k.nullsFirst());
        cols.add(
            sk.type() == SortKernels.KeyType.UTF8
                ? SortColumn.utf8(
                    sk, v.values(), java.util.Objects.requireNonNull(v.data()), v.validity())
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
          output.add(
              Chunk.gather(
                  all, perm, from, Math.min(OUT_ROWS, keep - from), query.stateConsumer()));
        }
      } finally {
        query.stateConsumer().release(scratchBytes + permBytes);
      }
      stats.record(0, keep, System.nanoTime() - t0);
    }
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
  }
}
