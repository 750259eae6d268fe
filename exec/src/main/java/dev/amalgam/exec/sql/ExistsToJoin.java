package dev.amalgam.exec.sql;

import com.google.common.collect.ImmutableSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.CorrelationId;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.JoinInfo;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexCorrelVariable;
import org.apache.calcite.rex.RexFieldAccess;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.jspecify.annotations.Nullable;

/**
 * Turns correlated {@code [NOT] EXISTS} conjuncts of a WHERE clause into SEMI and ANTI joins whose
 * condition keeps the correlated predicates, equalities and others alike.
 *
 * <p>Calcite's decorrelation of {@code EXISTS (SELECT * FROM l2 WHERE l2.k = l1.k AND l2.s <>
 * l1.s)} (TPC-H Q21) computes the distinct correlation values of the outer query, joins them with
 * the subquery's input on the equality, filters on the inequality, groups, and joins the outer
 * query with that: the outer query is computed twice and the subquery's input is joined with it row
 * by row. As a SEMI join with the condition {@code k = k0 AND s <> s0}, the subquery's input is the
 * hash table and each outer row is tested against its key matches once.
 *
 * <p>A conjunct qualifies when the subquery is (under projections, which EXISTS ignores) a filter
 * over an uncorrelated input, the filter refers only to the outer row's correlation variable, and
 * at least one of its conjuncts is an equality between an outer and an inner column (the join's
 * hash key). Conjuncts of the filter that do not refer to the outer row filter the inner input
 * before the join. Anything else is left for Calcite's rules.
 */
final class ExistsToJoin {
  private ExistsToJoin() {}

  static RelNode apply(RelNode root) {
    return visit(root);
  }

  private static RelNode visit(RelNode rel) {
    List<RelNode> in = new ArrayList<>();
    boolean changed = false;
    for (RelNode i : rel.getInputs()) {
      RelNode v = visit(i);
      changed |= v != i;
      in.add(v);
    }
    RelNode r = changed ? rel.copy(rel.getTraitSet(), in) : rel;
    // the plans of subqueries, for EXISTS nested in them
    r =
        r.accept(
            new RexShuttle() {
              @Override
              public RexNode visitSubQuery(RexSubQuery s) {
                RelNode v = visit(s.rel);
                return v == s.rel ? s : s.clone(v);
              }
            });
    if (r instanceof LogicalFilter f && !f.getVariablesSet().isEmpty()) {
      return rewrite(f);
    }
    return r;
  }

  private static RelNode rewrite(LogicalFilter f) {
    RexBuilder rb = f.getCluster().getRexBuilder();
    RelNode input = f.getInput();
    List<RexNode> rest = new ArrayList<>();
    boolean changed = false;
    for (RexNode c : RelOptUtil.conjunctions(f.getCondition())) {
      boolean negated = c.getKind() == SqlKind.NOT;
      RexNode e = negated ? ((RexCall) c).getOperands().get(0) : c;
      if (e instanceof RexSubQuery sq && sq.getKind() == SqlKind.EXISTS) {
        RelNode joined =
            join(input, sq.rel, f.getVariablesSet(), negated ? JoinRelType.ANTI : JoinRelType.SEMI);
        if (joined != null) {
          input = joined; // SEMI and ANTI output the outer row type: the rest still applies
          changed = true;
          continue;
        }
      }
      rest.add(c);
    }
    if (!changed) {
      return f;
    }
    if (rest.isEmpty()) {
      return input;
    }
    RexNode cond = RexUtil.composeConjunction(rb, rest);
    boolean subqueriesLeft = RexUtil.SubQueryFinder.find(rest) != null;
    Set<CorrelationId> vars = subqueriesLeft ? f.getVariablesSet() : Set.of();
    return LogicalFilter.create(input, cond, ImmutableSet.copyOf(vars));
  }

  /** {@code outer} SEMI/ANTI-joined with the subquery, or null when the subquery does not fit. */
  private static @Nullable RelNode join(
      RelNode outer, RelNode sub, Set<CorrelationId> vars, JoinRelType type) {
    RelNode body = sub;
    while (body instanceof Project p) {
      body = p.getInput(); // EXISTS does not look at the columns
    }
    if (!(body instanceof Filter filter)) {
      return null;
    }
    RelNode inner = filter.getInput();
    if (!RelOptUtil.getVariablesUsed(inner).isEmpty()
        || RexUtil.SubQueryFinder.find(filter.getCondition()) != null) {
      return null;
    }
    RexBuilder rb = outer.getCluster().getRexBuilder();
    int width = outer.getRowType().getFieldCount();
    List<RexNode> on = new ArrayList<>();
    List<RexNode> local = new ArrayList<>();
    for (RexNode c : RelOptUtil.conjunctions(filter.getCondition())) {
      Rebase rebase = new Rebase(rb, outer, vars, width);
      RexNode t = c.accept(rebase);
      if (rebase.foreign) {
        return null;
      }
      if (rebase.correlated) {
        on.add(t);
      } else {
        local.add(c);
      }
    }
    if (on.isEmpty()) {
      return null; // not correlated: Calcite evaluates it once
    }
    RelNode right =
        local.isEmpty()
            ? inner
            : LogicalFilter.create(inner, RexUtil.composeConjunction(rb, local));
    RexNode condition = RexUtil.composeConjunction(rb, on);
    if (JoinInfo.of(outer, right, condition).leftKeys.isEmpty()) {
      return null; // no hash key: leave it to the decorrelation
    }
    return LogicalJoin.create(outer, right, List.of(), condition, Set.of(), type);
  }

  /**
   * Rewrites a subquery predicate over the join's row: the outer row's fields become the left
   * input's columns, the subquery's columns move right by the outer width.
   */
  private static final class Rebase extends RexShuttle {
    private final RexBuilder rb;
    private final RelNode outer;
    private final Set<CorrelationId> vars;
    private final int width;
    boolean correlated;
    boolean foreign;

    Rebase(RexBuilder rb, RelNode outer, Set<CorrelationId> vars, int width) {
      this.rb = rb;
      this.outer = outer;
      this.vars = vars;
      this.width = width;
    }

    @Override
    public RexNode visitFieldAccess(RexFieldAccess a) {
      if (a.getReferenceExpr() instanceof RexCorrelVariable v) {
        if (!vars.contains(v.id)) {
          foreign = true; // a variable of a query further out
          return a;
        }
        correlated = true;
        int i = a.getField().getIndex();
        return rb.makeInputRef(outer.getRowType().getFieldList().get(i).getType(), i);
      }
      return super.visitFieldAccess(a);
    }

    @Override
    public RexNode visitCorrelVariable(RexCorrelVariable v) {
      foreign = true; // the whole row used as a value
      return v;
    }

    @Override
    public RexNode visitInputRef(RexInputRef r) {
      return rb.makeInputRef(r.getType(), r.getIndex() + width);
    }
  }
}
