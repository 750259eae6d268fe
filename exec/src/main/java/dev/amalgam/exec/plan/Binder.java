package dev.amalgam.exec.plan;

import dev.amalgam.exec.Schema;
import dev.amalgam.exec.expr.Expr;
import dev.amalgam.exec.run.BoundExpr;

/** TEMPORARY compile stub; replaced by the real binder. */
public final class Binder {
  private Binder() {}

  public static BoundExpr bind(Expr e, Schema input) {
    if (e instanceof Expr.Alias a) {
      return bind(a.operand(), input);
    }
    if (e instanceof Expr.Column c) {
      int i = input.indexOf(c.name());
      return new BoundExpr.ColumnRef(i, input.field(i).type(), c.name());
    }
    throw new UnsupportedOperationException("stub");
  }

  public static String nameOf(Expr e) {
    if (e instanceof Expr.Alias a) {
      return a.name();
    }
    if (e instanceof Expr.Column c) {
      return c.name();
    }
    return e.toString();
  }
}
