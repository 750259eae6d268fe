package dev.amalgam.exec.run;

import dev.amalgam.exec.QueryException;
import dev.amalgam.memory.UnifiedMemory;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * One running query: its memory consumers (scratch, operator state), cancellation, deadline and
 * profile. Thread-safe. Closing it closes the consumers; a consumer that still holds bytes then
 * reports a leak.
 */
public final class QueryContext implements AutoCloseable {
  private final String name;
  private final UnifiedMemory memory;
  private final MemoryPool operators;
  private final MemoryConsumer scratch;
  private final MemoryConsumer state;
  private final MemoryConsumer results;
  private final long deadlineNanos;
  private final @Nullable Duration timeout;
  private final AtomicReference<@Nullable QueryException> stop = new AtomicReference<>();
  private final List<PipelineProfile> profiles = new ArrayList<>();

  /**
   * A context whose working memory (scratch, hash tables, sort buffers) is limited to {@code
   * operatorLimit} bytes in a pool of its own, and whose materialized results and spilled
   * partitions are charged to the unified memory's pool.
   */
  public QueryContext(
      String name, UnifiedMemory memory, @Nullable Duration timeout, long operatorLimit) {
    this.name = name;
    this.memory = memory;
    this.timeout = timeout;
    this.deadlineNanos = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    this.operators = MemoryPool.create(name + " operators", operatorLimit);
    this.scratch = operators.consumer(name + " scratch");
    this.state = operators.consumer(name + " operator state");
    this.results = memory.pool().consumer(name + " results and spills");
  }

  /** A context with no limit of its own on working memory. */
  public QueryContext(String name, UnifiedMemory memory, @Nullable Duration timeout) {
    this(name, memory, timeout, Long.MAX_VALUE / 4);
  }

  /**
   * Consumer of materialized intermediate results and spill buffers, in the unified memory's pool
   * (not limited by the operator limit).
   */
  public MemoryConsumer resultConsumer() {
    return results;
  }

  /** The limit on working memory. */
  public long operatorLimit() {
    return operators.limit();
  }

  /** The query's name, e.g. {@code query-7}. */
  public String name() {
    return name;
  }

  /** The unified memory. */
  public UnifiedMemory memory() {
    return memory;
  }

  /** Consumer of worker scratch memory. */
  public MemoryConsumer scratchConsumer() {
    return scratch;
  }

  /** Consumer of operator state (hash tables, materialized chunks). */
  public MemoryConsumer stateConsumer() {
    return state;
  }

  /** Asks the query to stop; workers notice between morsels. */
  public void cancel() {
    stop.compareAndSet(null, QueryException.cancelled(name));
  }

  /** Whether the query was cancelled or timed out. */
  public boolean stopped() {
    return stop.get() != null || System.nanoTime() > deadlineNanos;
  }

  /** Throws when the query was cancelled or ran past its deadline. */
  public void checkRunning() {
    QueryException e = stop.get();
    if (e != null) {
      throw e;
    }
    if (System.nanoTime() > deadlineNanos && timeout != null) {
      QueryException t = QueryException.timeout(name, timeout);
      stop.compareAndSet(null, t);
      throw t;
    }
  }

  /** Records a pipeline's profile. */
  public synchronized void addProfile(PipelineProfile p) {
    profiles.add(p);
  }

  /** Profiles of the pipelines run so far. */
  public synchronized List<PipelineProfile> profiles() {
    return List.copyOf(profiles);
  }

  @Override
  public void close() {
    try {
      scratch.close();
      state.close();
      results.close();
    } finally {
      operators.close();
    }
  }
}
