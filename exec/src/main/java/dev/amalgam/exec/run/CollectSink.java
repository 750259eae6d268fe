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

  @Override
  public Op createLocal(Worker worker) {
    return new Materializer(worker, QueryContext::resultConsumer, stats, true);
  }

  @Override
  public void combine(Op local) {
    chunks.addAll(((Materializer) local).drain());
  }

  @Override
  public void discard(Op local) {
    ((Materializer) local).discard();
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
