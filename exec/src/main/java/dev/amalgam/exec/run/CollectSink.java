package dev.amalgam.exec.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Materializes every batch it receives as chunks, in arrival order per worker (for an ordered
 * pipeline: in order). Owns the chunks until {@link #take()} hands them over or {@link #close()}.
 */
public final class CollectSink implements Sink, AutoCloseable {
  private final String description;
  private final List<Chunk> chunks = Collections.synchronizedList(new ArrayList<>());
  private final OpStats stats = new OpStats();

  /** A collector described as {@code description} in EXPLAIN. */
  public CollectSink(String description) {
    this.description = description;
  }

  private final class Local extends Op {
    final List<Chunk> mine = new ArrayList<>();
    final Worker worker;

    Local(Worker worker) {
      super(null);
      this.worker = worker;
    }

    @Override
    public void push(Batch b) {
      long t0 = System.nanoTime();
      if (b.count() > 0) {
        mine.add(Chunk.copyOf(b, worker.query().resultConsumer()));
      }
      stats.record(b.count(), b.count(), System.nanoTime() - t0);
    }
  }

  @Override
  public Op createLocal(Worker worker) {
    return new Local(worker);
  }

  @Override
  public void combine(Op local) {
    chunks.addAll(((Local) local).mine);
  }

  @Override
  public void discard(Op local) {
    for (Chunk c : ((Local) local).mine) {
      c.close();
    }
  }

  @Override
  public void finish(QueryContext query) {}

  /** The chunks collected so far; this sink no longer owns them. */
  public List<Chunk> take() {
    synchronized (chunks) {
      List<Chunk> out = new ArrayList<>(chunks);
      chunks.clear();
      return out;
    }
  }

  /** The chunks, still owned by this sink. */
  public List<Chunk> chunks() {
    synchronized (chunks) {
      return List.copyOf(chunks);
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public OpStats stats() {
    return stats;
  }

  @Override
  public void close() {
    for (Chunk c : take()) {
      c.close();
    }
  }
}
