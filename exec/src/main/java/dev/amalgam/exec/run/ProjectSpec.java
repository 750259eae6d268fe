package dev.amalgam.exec.run;

import java.util.List;

/**
 * Computes output columns from expressions over the input; the output batch is dense (a column
 * passed through unchanged keeps the input's selection only when every output is such a column).
 */
public final class ProjectSpec implements OpSpec {
  private final List<BoundExpr> exprs;
  private final List<String> names;
  private final OpStats stats = new OpStats();

  /** A projection to {@code exprs}, named {@code names} (for EXPLAIN). */
  public ProjectSpec(List<BoundExpr> exprs, List<String> names) {
    this.exprs = List.copyOf(exprs);
    this.names = List.copyOf(names);
  }

  @Override
  public Op create(Worker worker, Op next) {
    boolean allColumns = exprs.stream().allMatch(e -> e instanceof BoundExpr.ColumnRef);
    return new Op(next) {
      @Override
      public void push(Batch b) {
        long t0 = System.nanoTime();
        long mark = worker.scratch().mark();
        Vec[] out = new Vec[exprs.size()];
        Batch result;
        if (allColumns) {
          for (int i = 0; i < out.length; i++) {
            out[i] = b.column(((BoundExpr.ColumnRef) exprs.get(i)).index());
          }
          result = new Batch(out, b.n(), b.sel(), b.count());
        } else {
          for (int i = 0; i < out.length; i++) {
            out[i] = ExprEvaluator.evaluate(exprs.get(i), b, worker.scratch());
          }
          result = Batch.dense(out, b.count());
        }
        stats.record(b.count(), b.count(), System.nanoTime() - t0);
        try {
          downstream().push(result);
        } finally {
          worker.scratch().release(mark); // the batch has been consumed downstream
        }
      }
    };
  }

  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder("Project ");
    for (int i = 0; i < exprs.size(); i++) {
      String e = exprs.get(i).toString();
      sb.append(i == 0 ? "" : ", ").append(e.equals(names.get(i)) ? e : e + " AS " + names.get(i));
    }
    return sb.toString();
  }

  @Override
  public OpStats stats() {
    return stats;
  }
}
