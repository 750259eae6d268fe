package dev.amalgam.exec.run;

import dev.amalgam.exec.QueryException;
import dev.amalgam.memory.UnifiedMemory;
import dev.amalgam.memory.pool.MemoryConsumer;
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
  private final MemoryConsumer scratch;
  private final MemoryConsumer state;
  private final long deadlineNanos;
  private final @Nullable Duration timeout;
  private final AtomicReference<@Nullable QueryException> stop = new AtomicReference<>();
  private final List<PipelineProfile> profiles = new ArrayList<>();

  /** A context whose consumers are made in the memory's pool. */
  public QueryContext(String name, UnifiedMemory memory, @Nullable Duration timeout) {
    this.name = name;
    this.memory = memory;
    this.timeout = timeout;
    this.deadlineNanos = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    this.scratch = memory.pool().consumer(name + " scratch");
    this.state = memory.pool().consumer(name + " operators");
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
    scratch.close();
    state.close();
  }
}
