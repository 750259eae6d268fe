package dev.amalgam.exec.run;

import dev.amalgam.kernels.ArrowLayout;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OFFSET / LIMIT. On an ordered source (one worker) it keeps rows {@code [offset, offset + limit)}
 * in order; otherwise any {@code limit} rows after skipping {@code offset} (SQL leaves the choice
 * open without ORDER BY). Once the limit is reached it tells upstream it is done.
 */
public final class LimitSpec implements OpSpec {
  private final long offset;
  private final long limit;
  private final AtomicLong position = new AtomicLong();
  private final OpStats stats = new OpStats();

  /** Skips {@code offset} rows then passes {@code limit} ({@code Long.MAX_VALUE}: no limit). */
  public LimitSpec(long offset, long limit) {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException(
          "OFFSET and LIMIT must not be negative; were " + offset + " and " + limit);
    }
    this.offset = offset;
    this.limit = limit;
  }

  @Override
  public Op create(Worker worker, Op next) {
    return new Op(next) {
      @Override
      public void push(Batch b) {
        long t0 = System.nanoTime();
        long end = offset > Long.MAX_VALUE - limit ? Long.MAX_VALUE : offset + limit;
        long from = position.getAndAdd(b.count());
        long keepFrom = Math.max(from, offset);
        long keepTo = Math.min(from + b.count(), end);
        if (keepTo <= keepFrom) {
          stats.record(b.count(), 0, System.nanoTime() - t0);
          return;
        }
        int first = (int) (keepFrom - from);
        int count = (int) (keepTo - keepFrom);
        Batch out = b;
        if (first != 0 || count != b.count()) {
          MemorySegment sel = worker.scratch().allocate(4L * count);
          for (int k = 0; k < count; k++) {
            sel.setAtIndex(ArrowLayout.INT32, k, b.row(first + k));
          }
          out = b.withSelection(sel, count);
        }
        stats.record(b.count(), count, System.nanoTime() - t0);
        downstream().push(out);
      }

      @Override
      public boolean done() {
        long end = offset > Long.MAX_VALUE - limit ? Long.MAX_VALUE : offset + limit;
        return position.get() >= end || super.done();
      }
    };
  }

  @Override
  public String describe() {
    return "Limit "
        + (limit == Long.MAX_VALUE ? "all" : limit)
        + (offset > 0 ? " offset " + offset : "");
  }

  @Override
  public OpStats stats() {
    return stats;
  }
}
