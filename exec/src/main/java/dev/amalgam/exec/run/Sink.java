package dev.amalgam.exec.run;

/**
 * The end of a pipeline (a breaker): hash aggregation, a hash-join build, a sort, a result
 * collector. Each worker gets its own local part ({@link #createLocal}, used by that worker only);
 * when every worker is done, {@link #combine} runs once per local part on one thread, then {@link
 * #finish} once.
 */
public interface Sink {
  /** The local part for {@code worker}; the end of its operator chain. */
  Op createLocal(Worker worker);

  /** Folds a finished local part into the global state. Called on one thread, in any order. */
  void combine(Op local);

  /** Completes the global state once every local part is combined. */
  void finish(QueryContext query);

  /**
   * Completes the global state, with {@code runner} to spread the work over the fused device's
   * workers; the default runs {@link #finish(QueryContext)} on the calling thread.
   */
  default void finish(QueryContext query, TaskRunner runner) {
    finish(query);
  }

  /** Releases local parts that were not combined (a failed pipeline). */
  default void discard(Op local) {}

  /** One line for EXPLAIN. */
  String describe();

  /** Counters. */
  OpStats stats();
}
