package dev.amalgam.exec.run;

import java.lang.foreign.MemorySegment;

/** Narrows a batch's selection to the rows where a predicate is true. */
public final class FilterSpec implements OpSpec {
  private final BoundExpr predicate;
  private final OpStats stats = new OpStats();

  /** A filter on {@code predicate} (type bool). */
  public FilterSpec(BoundExpr predicate) {
    this.predicate = predicate;
  }

  @Override
  public Op create(Worker worker, Op next) {
    return new Op(next) {
      @Override
      public void push(Batch b) {
        long t0 = System.nanoTime();
        Scratch s = worker.scratch();
        long mark = s.mark();
        try {
          MemorySegment sel = s.allocate(4L * Math.max(1, b.count()));
          int count = ExprEvaluator.filter(predicate, b, s, sel);
          stats.record(b.count(), count, System.nanoTime() - t0);
          if (count > 0) {
            downstream().push(b.withSelection(sel, count));
          }
        } finally {
          s.release(mark); // the batch has been consumed downstream
        }
      }
    };
  }

  @Override
  public String describe() {
    return "Filter " + predicate;
  }

  @Override
  public OpStats stats() {
    return stats;
  }
}
