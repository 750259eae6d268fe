package dev.amalgam.exec.run;

/**
 * A worker's instance of an operator: receives batches from upstream and pushes results on. Made by
 * an {@link OpSpec} for one worker, used by that worker's thread only.
 */
public abstract class Op {
  /** The next operator, or null at the end of the chain (a sink's local part). */
  protected final @org.jspecify.annotations.Nullable Op next;

  /** An operator that pushes into {@code next}. */
  protected Op(@org.jspecify.annotations.Nullable Op next) {
    this.next = next;
  }

  /**
   * Processes one batch. The batch's memory (pinned pages, scratch) stays valid only during the
   * call: an operator that keeps rows copies them ({@link Chunk#copyOf}).
   */
  public abstract void push(Batch batch);

  /** Called once when the worker has no more morsels; forwards to the next operator by default. */
  public void finish() {
    if (next != null) {
      next.finish();
    }
  }

  /** Whether upstream may stop sending (a satisfied LIMIT). */
  public boolean done() {
    return next != null && next.done();
  }

  /** The next operator; fails at the end of the chain. */
  protected final Op downstream() {
    Op n = next;
    if (n == null) {
      throw new IllegalStateException(getClass().getSimpleName() + " has no downstream operator");
    }
    return n;
  }
}
