package dev.amalgam.exec.plan;

import dev.amalgam.exec.run.BoundExpr;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntUnaryOperator;

/** Utilities over bound expressions: column references, index remapping, conjuncts. */
public final class BoundExprs {
  private BoundExprs() {}

  /** Adds the input columns {@code e} reads to {@code out}. */
  public static void refs(BoundExpr e, BitSet out) {
    BoundExpr.refs(e, out);
  }

  /** The input columns {@code e} reads. */
  public static BitSet refs(BoundExpr e) {
    BitSet b = new BitSet();
    refs(e, b);
    return b;
  }

  /** {@code e} with every column index {@code i} replaced by {@code map.applyAsInt(i)}. */
  public static BoundExpr remap(BoundExpr e, IntUnaryOperator map) {
    return switch (e) {
      case BoundExpr.ColumnRef c ->
          new BoundExpr.ColumnRef(map.applyAsInt(c.index()), c.type(), c.name());
      case BoundExpr.Const c -> c;
      case BoundExpr.Arith a ->
          new BoundExpr.Arith(a.op(), remap(a.left(), map), remap(a.right(), map), a.type());
      case BoundExpr.Cmp c ->
          new BoundExpr.Cmp(c.op(), remap(c.left(), map), remap(c.right(), map));
      case BoundExpr.AndOr a -> new BoundExpr.AndOr(a.isAnd(), remapAll(a.terms(), map));
      case BoundExpr.Not n -> new BoundExpr.Not(remap(n.operand(), map));
      case BoundExpr.IsNull n -> new BoundExpr.IsNull(remap(n.operand(), map), n.negated());
      case BoundExpr.Between b ->
          new BoundExpr.Between(remap(b.operand(), map), remap(b.low(), map), remap(b.high(), map));
      case BoundExpr.InList i ->
          new BoundExpr.InList(remap(i.operand(), map), i.values(), i.negated());
      case BoundExpr.Case c ->
          new BoundExpr.Case(
              remapAll(c.conditions(), map),
              remapAll(c.values(), map),
              remap(c.otherwise(), map),
              c.type());
      case BoundExpr.CastTo c -> new BoundExpr.CastTo(remap(c.operand(), map), c.type());
      case BoundExpr.Extract x -> new BoundExpr.Extract(x.part(), remap(x.operand(), map));
      case BoundExpr.AddMonths m -> new BoundExpr.AddMonths(remap(m.operand(), map), m.months());
      case BoundExpr.Like l ->
          new BoundExpr.Like(remap(l.operand(), map), l.pattern(), l.negated());
      case BoundExpr.Substring s ->
          new BoundExpr.Substring(remap(s.operand(), map), s.start(), s.length());
      case BoundExpr.CharLength l -> new BoundExpr.CharLength(remap(l.operand(), map));
    };
  }

  /** {@link #remap} of each. */
  public static List<BoundExpr> remapAll(List<BoundExpr> es, IntUnaryOperator map) {
    List<BoundExpr> out = new ArrayList<>(es.size());
    for (BoundExpr e : es) {
      out.add(remap(e, map));
    }
    return out;
  }

  /** The terms of a conjunction ({@code e} itself when it is not an AND). */
  public static List<BoundExpr> conjuncts(BoundExpr e) {
    List<BoundExpr> out = new ArrayList<>();
    if (e instanceof BoundExpr.AndOr a && a.isAnd()) {
      for (BoundExpr t : a.terms()) {
        out.addAll(conjuncts(t));
      }
    } else {
      out.add(e);
    }
    return out;
  }

  /** The AND of {@code terms} (one term as itself). */
  public static BoundExpr and(List<BoundExpr> terms) {
    if (terms.isEmpty()) {
      throw new IllegalArgumentException("no terms");
    }
    return terms.size() == 1 ? terms.get(0) : new BoundExpr.AndOr(true, List.copyOf(terms));
  }
}
