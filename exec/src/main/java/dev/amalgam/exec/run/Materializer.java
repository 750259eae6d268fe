package dev.amalgam.exec.run;

import dev.amalgam.memory.pool.MemoryConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The local part of a sink that keeps its input: copies each live batch into a {@link Chunk}
 * charged to a consumer of the worker's query, and hands the chunks over on {@link #drain()}.
 */
final class Materializer extends Op {
  private final Worker worker;
  private final Function<QueryContext, MemoryConsumer> consumer;
  private final OpStats stats;
  private final boolean countOut;
  private final List<Chunk> chunks = new ArrayList<>();

  /**
   * A materializer of {@code worker}'s batches into chunks charged to {@code consumer}; records
   * rows in (and out, when {@code countOut}) on {@code stats}.
   */
  Materializer(
      Worker worker,
      Function<QueryContext, MemoryConsumer> consumer,
      OpStats stats,
      boolean countOut) {
    super(null);
    this.worker = worker;
    this.consumer = consumer;
    this.stats = stats;
    this.countOut = countOut;
  }

  @Override
  public void push(Batch b) {
    long t0 = System.nanoTime();
    if (b.count() > 0) {
      chunks.add(Chunk.copyOf(b, consumer.apply(worker.query())));
    }
    stats.record(b.count(), countOut ? b.count() : 0, System.nanoTime() - t0);
  }

  /** The chunks so far; the caller owns them. */
  List<Chunk> drain() {
    List<Chunk> out = new ArrayList<>(chunks);
    chunks.clear();
    return out;
  }

  /** Frees the chunks not drained. */
  void discard() {
    for (Chunk c : drain()) {
      c.close();
    }
  }
}
