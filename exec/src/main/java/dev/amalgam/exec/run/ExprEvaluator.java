package dev.amalgam.exec.run;

import java.lang.foreign.MemorySegment;

/** TEMPORARY compile stub; replaced by the real evaluator. */
public final class ExprEvaluator {
  private ExprEvaluator() {}

  public static Vec evaluate(BoundExpr e, Batch b, Scratch s) {
    if (e instanceof BoundExpr.ColumnRef c && b.sel() == null) {
      return b.column(c.index());
    }
    throw new UnsupportedOperationException("stub");
  }

  public static int filter(BoundExpr predicate, Batch b, Scratch s, MemorySegment outSel) {
    throw new UnsupportedOperationException("stub");
  }
}
