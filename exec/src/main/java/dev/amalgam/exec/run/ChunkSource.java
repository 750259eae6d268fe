package dev.amalgam.exec.run;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A source over materialized chunks (the output of a breaker: aggregation, sort, join build side
 * replay). The chunks are host memory; any member may take any of them. Ordered sources push the
 * chunks in order on one worker.
 */
public final class ChunkSource implements Source, AutoCloseable {
  private final Supplier<List<Chunk>> chunks;
  private final boolean ordered;
  private final String description;
  private final OpStats stats = new OpStats();
  private volatile List<Chunk> current = List.of();

  /**
   * A source over the chunks {@code chunks} gives when the pipeline starts (the producing pipeline
   * has finished by then).
   */
  public ChunkSource(Supplier<List<Chunk>> chunks, boolean ordered, String description) {
    this.chunks = chunks;
    this.ordered = ordered;
    this.description = description;
  }

  @Override
  public List<Morsel> morsels(QueryContext query) {
    close();
    current = chunks.get();
    List<Morsel> out = new ArrayList<>();
    for (int i = 0; i < current.size(); i++) {
      Chunk c = current.get(i);
      out.add(new Morsel(i, 0, 0, c.rows(), c.bytes(), null));
    }
    return out;
  }

  @Override
  public Batch read(Morsel morsel, Worker worker) {
    Chunk c = current.get(morsel.source());
    stats.record(c.rows(), c.rows(), 0);
    return c.asBatch();
  }

  /** Frees the chunks this source took. Idempotent. */
  @Override
  public void close() {
    List<Chunk> c = current;
    current = List.of();
    for (Chunk chunk : c) {
      chunk.close();
    }
  }

  @Override
  public boolean ordered() {
    return ordered;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public OpStats stats() {
    return stats;
  }
}
