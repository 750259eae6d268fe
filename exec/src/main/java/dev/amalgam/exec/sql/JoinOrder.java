package dev.amalgam.exec.sql;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * Orders the inputs of each tree of inner joins greedily by estimated size.
 *
 * <p>A tree of three or more inputs joined by inner joins is flattened into its inputs and the
 * conjuncts of its conditions. The largest input becomes the stream that is probed; then, one at a
 * time, the input that is connected to those already joined and gives the smallest estimated result
 * ({@link Cardinality}) is joined to it, as the build side. The result is a left-deep tree under a
 * projection that restores the original column order. Outer, semi and anti joins are not reordered
 * (their inputs are, each on its own).
 */
final class JoinOrder {
  private final Cardinality card;
  private final RelBuilder builder;

  private JoinOrder(Cardinality card, RelBuilder builder) {
    this.card = card;
    this.builder = builder;
  }

  /** {@code root} with the inputs of its inner-join trees reordered. */
  static RelNode reorder(RelNode root) {
    Cardinality card = new Cardinality(root.getCluster().getMetadataQuery());
    RelBuilder b = RelFactories.LOGICAL_BUILDER.create(root.getCluster(), null);
    return new JoinOrder(card, b).visit(root);
  }

  private RelNode visit(RelNode rel) {
    if (isInner(rel)) {
      List<RelNode> inputs = new ArrayList<>();
      List<RexNode> conditions = new ArrayList<>();
      flatten(rel, 0, inputs, conditions);
      if (inputs.size() >= 2) {
        return order(rel, inputs, conditions);
      }
    }
    List<RelNode> in = new ArrayList<>();
    boolean changed = false;
    for (RelNode i : rel.getInputs()) {
      RelNode v = visit(i);
      changed |= v != i;
      in.add(v);
    }
    return changed ? rel.copy(rel.getTraitSet(), in) : rel;
  }

  private static boolean isInner(RelNode rel) {
    return rel instanceof LogicalJoin j
        && j.getJoinType() == JoinRelType.INNER
        && j.getVariablesSet().isEmpty();
  }

  /** Collects the inputs of the inner-join tree at {@code rel} and its conditions (shifted). */
  private void flatten(RelNode rel, int offset, List<RelNode> inputs, List<RexNode> conditions) {
    if (isInner(rel)) {
      LogicalJoin j = (LogicalJoin) rel;
      flatten(j.getLeft(), offset, inputs, conditions);
      flatten(j.getRight(), offset + j.getLeft().getRowType().getFieldCount(), inputs, conditions);
      conditions.add(RexUtil.shift(j.getCondition(), offset));
    } else {
      inputs.add(visit(rel));
    }
  }

  private RelNode order(RelNode original, List<RelNode> inputs, List<RexNode> conditions) {
    int n = inputs.size();
    int[] start = new int[n + 1];
    for (int i = 0; i < n; i++) {
      start[i + 1] = start[i] + inputs.get(i).getRowType().getFieldCount();
    }
    RexBuilder rex = original.getCluster().getRexBuilder();
    List<RexNode> conjuncts = RelOptUtil.conjunctions(RexUtil.composeConjunction(rex, conditions));
    List<BitSet> uses = new ArrayList<>();
    for (RexNode c : conjuncts) {
      BitSet b = new BitSet(n);
      for (int f : RelOptUtil.InputFinder.bits(c)) {
        b.set(inputOf(start, f));
      }
      uses.add(b);
    }
    derive(inputs, start, conjuncts, uses, rex);
    double[] rows = new double[n];
    int first = 0;
    for (int i = 0; i < n; i++) {
      rows[i] = card.rows(inputs.get(i));
      if (rows[i] > rows[first]) {
        first = i;
      }
    }
    // greedy: the largest input first, then the connected input with the smallest result, as
    // the build side together with the inputs that make it smaller (a dimension's filters)
    List<List<Integer>> groups = new ArrayList<>();
    groups.add(List.of(first));
    BitSet joined = new BitSet(n);
    joined.set(first);
    int placed = 1;
    double current = rows[first];
    while (placed < n) {
      int best = -1;
      double bestRows = Double.POSITIVE_INFINITY;
      for (int k = 0; k < n; k++) {
        if (joined.get(k) || !connected(uses, joined, k)) {
          continue;
        }
        double est = joinRows(inputs, start, conjuncts, joined, k, current, rows[k]);
        if (est < bestRows || (est == bestRows && rows[k] < rows[best])) {
          best = k;
          bestRows = est;
        }
      }
      if (best < 0) { // not connected: a cross product with the smallest input left
        for (int k = 0; k < n; k++) {
          if (!joined.get(k) && (best < 0 || rows[k] < rows[best])) {
            best = k;
          }
        }
        bestRows = current * rows[best];
      }
      List<Integer> group = new ArrayList<>(List.of(best));
      BitSet members = new BitSet(n);
      members.set(best);
      double groupRows = rows[best];
      for (boolean grew = true; grew; ) {
        grew = false;
        for (int m = 0; m < n; m++) {
          if (joined.get(m) || members.get(m) || !connected(uses, members, m)) {
            continue;
          }
          double est = joinRows(inputs, start, conjuncts, members, m, groupRows, rows[m]);
          if (est < groupRows * 0.9) {
            group.add(m);
            members.set(m);
            bestRows *= est / groupRows;
            groupRows = est;
            grew = true;
          }
        }
      }
      groups.add(group);
      joined.or(members);
      placed += group.size();
      current = Math.max(1, bestRows);
    }
    // new position of every original field: the inputs in the order they are joined
    int[] moved = new int[start[n]];
    int at = 0;
    for (List<Integer> group : groups) {
      for (int k : group) {
        for (int f = start[k]; f < start[k + 1]; f++) {
          moved[f] = at++;
        }
      }
    }
    boolean[] used = new boolean[conjuncts.size()];
    BitSet have = new BitSet(n);
    have.set(first);
    builder.push(inputs.get(first));
    for (int s = 1; s < groups.size(); s++) {
      List<Integer> group = groups.get(s);
      int base = moved[start[group.get(0)]];
      BitSet members = new BitSet(n);
      members.set(group.get(0));
      builder.push(inputs.get(group.get(0)));
      for (int m : group.subList(1, group.size())) {
        members.set(m);
        builder.push(inputs.get(m));
        builder.join(
            JoinRelType.INNER,
            RexUtil.composeConjunction(rex, take(conjuncts, uses, used, members, moved, base)));
      }
      have.or(members);
      builder.join(
          JoinRelType.INNER,
          RexUtil.composeConjunction(rex, take(conjuncts, uses, used, have, moved, 0)));
    }
    RexShuttle remap = shift(moved, 0);
    List<RexNode> rest = new ArrayList<>();
    for (int c = 0; c < conjuncts.size(); c++) {
      if (!used[c]) {
        rest.add(conjuncts.get(c).accept(remap));
      }
    }
    if (!rest.isEmpty()) {
      builder.filter(rest);
    }
    List<RexNode> project = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<RelDataTypeField> fields = original.getRowType().getFieldList();
    for (int f = 0; f < fields.size(); f++) {
      project.add(builder.field(moved[f]));
      names.add(fields.get(f).getName());
    }
    return builder.project(project, names, true).build();
  }

  /**
   * Filters the inputs by what a disjunction over several inputs implies for each of them: when
   * every branch of {@code (a1 AND b1) OR (a2 AND b2)} has terms over input A only, A can be
   * filtered by {@code a1 OR a2} before the join (TPC-H Q7's nation pairs, Q19's part and lineitem
   * conditions). The disjunction itself stays in the join condition.
   */
  private void derive(
      List<RelNode> inputs,
      int[] start,
      List<RexNode> conjuncts,
      List<BitSet> uses,
      RexBuilder rex) {
    List<List<RexNode>> derived = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      derived.add(new ArrayList<>());
    }
    for (int c = 0; c < conjuncts.size(); c++) {
      RexNode conjunct = conjuncts.get(c);
      if (conjunct.getKind() != SqlKind.OR || uses.get(c).cardinality() < 2) {
        continue;
      }
      List<RexNode> branches = RelOptUtil.disjunctions(conjunct);
      for (int i = uses.get(c).nextSetBit(0); i >= 0; i = uses.get(c).nextSetBit(i + 1)) {
        List<RexNode> parts = new ArrayList<>();
        for (RexNode branch : branches) {
          List<RexNode> local = new ArrayList<>();
          for (RexNode term : RelOptUtil.conjunctions(branch)) {
            ImmutableBitSet bits = RelOptUtil.InputFinder.bits(term);
            if (!bits.isEmpty() && bits.nth(0) >= start[i] && bits.length() <= start[i + 1]) {
              local.add(term);
            }
          }
          if (local.isEmpty()) {
            parts = null;
            break;
          }
          parts.add(RexUtil.composeConjunction(rex, local));
        }
        if (parts != null) {
          derived.get(i).add(RexUtil.shift(RexUtil.composeDisjunction(rex, parts), -start[i]));
        }
      }
    }
    for (int i = 0; i < inputs.size(); i++) {
      if (!derived.get(i).isEmpty()) {
        inputs.set(i, builder.push(inputs.get(i)).filter(derived.get(i)).build());
      }
    }
  }

  /**
   * The conjuncts not yet used whose inputs are all in {@code have}, marked used, over the fields
   * of a join whose first field is at {@code base} of the new layout.
   */
  private static List<RexNode> take(
      List<RexNode> conjuncts,
      List<BitSet> uses,
      boolean[] used,
      BitSet have,
      int[] moved,
      int base) {
    RexShuttle remap = shift(moved, base);
    List<RexNode> on = new ArrayList<>();
    for (int c = 0; c < conjuncts.size(); c++) {
      BitSet u = uses.get(c);
      if (!used[c] && !u.isEmpty() && contains(have, u)) {
        used[c] = true;
        on.add(conjuncts.get(c).accept(remap));
      }
    }
    return on;
  }

  private static RexShuttle shift(int[] moved, int base) {
    return new RexShuttle() {
      @Override
      public RexNode visitInputRef(RexInputRef ref) {
        return new RexInputRef(moved[ref.getIndex()] - base, ref.getType());
      }
    };
  }

  /** Estimated rows of joining input {@code k} to the inputs in {@code joined}. */
  private double joinRows(
      List<RelNode> inputs,
      int[] start,
      List<RexNode> conjuncts,
      BitSet joined,
      int k,
      double current,
      double rowsK) {
    // the most selective key between the joined inputs and k decides
    double best = current * rowsK;
    for (RexNode c : conjuncts) {
      if (!(c instanceof RexCall call) || call.getKind() != SqlKind.EQUALS) {
        continue;
      }
      int a = field(call.getOperands().get(0));
      int b = field(call.getOperands().get(1));
      if (a < 0 || b < 0) {
        continue;
      }
      int ia = inputOf(start, a);
      int ib = inputOf(start, b);
      if (ib == k && joined.get(ia)) {
        best = Math.min(best, keyed(inputs, start, ia, a, current, k, b, rowsK));
      } else if (ia == k && joined.get(ib)) {
        best = Math.min(best, keyed(inputs, start, ib, b, current, k, a, rowsK));
      }
    }
    return Math.max(1, best);
  }

  private double keyed(
      List<RelNode> inputs,
      int[] start,
      int side,
      int sideField,
      double current,
      int k,
      int kField,
      double rowsK) {
    double ns = Math.min(current, card.distinct(inputs.get(side), sideField - start[side]));
    double nk = card.distinct(inputs.get(k), kField - start[k]);
    return current * rowsK / Math.max(1, Math.max(ns, nk));
  }

  /** The field index of a column reference (through casts), or -1. */
  private static int field(RexNode e) {
    RexNode x = e;
    while (x.getKind() == SqlKind.CAST) {
      x = ((RexCall) x).getOperands().get(0);
    }
    return x instanceof RexInputRef r ? r.getIndex() : -1;
  }

  private static boolean connected(List<BitSet> uses, BitSet joined, int k) {
    for (BitSet u : uses) {
      if (u.get(k) && u.intersects(joined)) {
        BitSet rest = (BitSet) u.clone();
        rest.clear(k);
        rest.andNot(joined);
        if (rest.isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean contains(BitSet have, BitSet u) {
    BitSet rest = (BitSet) u.clone();
    rest.andNot(have);
    return rest.isEmpty();
  }

  private static int inputOf(int[] start, int field) {
    int i = 0;
    while (start[i + 1] <= field) {
      i++;
    }
    return i;
  }
}
