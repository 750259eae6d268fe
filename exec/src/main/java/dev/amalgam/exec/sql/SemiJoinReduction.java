package dev.amalgam.exec.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.JoinInfo;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.tools.RelBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Reduces the input of a DISTINCT that is joined to a much smaller input by a semi join with that
 * input first.
 *
 * <p>Decorrelated {@code EXISTS} subqueries become {@code outer JOIN (SELECT DISTINCT key FROM
 * inner)} (TPC-H Q4: the distinct order keys of 380,000 late lineitems, joined to 5,500 orders).
 * When the outer side is estimated to be several times smaller than the distinct's input, the input
 * is first semi-joined with the outer side ({@code inner WHERE key IN (outer keys)}): a hash table
 * over the small side, probed by the large one, so that the DISTINCT only sees the rows that can
 * match. The small side is computed twice; the result is the same.
 */
final class SemiJoinReduction {
  /** How many times smaller the other side must be estimated to be. */
  private static final double RATIO = 4;

  private final Cardinality card;
  private final RelBuilder builder;

  private SemiJoinReduction(Cardinality card, RelBuilder builder) {
    this.card = card;
    this.builder = builder;
  }

  static RelNode apply(RelNode root) {
    Cardinality card = new Cardinality(root.getCluster().getMetadataQuery());
    RelBuilder b = RelFactories.LOGICAL_BUILDER.create(root.getCluster(), null);
    return new SemiJoinReduction(card, b).visit(root);
  }

  private RelNode visit(RelNode rel) {
    List<RelNode> in = new ArrayList<>();
    boolean changed = false;
    for (RelNode i : rel.getInputs()) {
      RelNode v = visit(i);
      changed |= v != i;
      in.add(v);
    }
    RelNode r = changed ? rel.copy(rel.getTraitSet(), in) : rel;
    if (r instanceof LogicalJoin j && j.getJoinType() == JoinRelType.INNER) {
      JoinInfo info = JoinInfo.of(j.getLeft(), j.getRight(), j.getCondition());
      if (!info.leftKeys.isEmpty()) {
        RelNode right = reduce(j.getRight(), info.rightKeys, j.getLeft(), info.leftKeys);
        if (right != null) {
          return j.copy(
              j.getTraitSet(), j.getCondition(), j.getLeft(), right, j.getJoinType(), false);
        }
        RelNode left = reduce(j.getLeft(), info.leftKeys, j.getRight(), info.rightKeys);
        if (left != null) {
          return j.copy(
              j.getTraitSet(), j.getCondition(), left, j.getRight(), j.getJoinType(), false);
        }
      }
    }
    return r;
  }

  /**
   * {@code side} with its DISTINCT's input semi-joined to {@code other} on the keys, or null when
   * {@code side} is not a DISTINCT (under column references) or {@code other} is not much smaller.
   */
  private @Nullable RelNode reduce(
      RelNode side, List<Integer> sideKeys, RelNode other, List<Integer> otherKeys) {
    Project project = side instanceof Project p ? p : null;
    RelNode below = project == null ? side : project.getInput();
    if (!(below instanceof Aggregate a)
        || !a.getAggCallList().isEmpty()
        || a.getGroupSets().size() != 1) {
      return null;
    }
    RelNode input = a.getInput();
    if (card.rows(other) * RATIO > card.rows(input)) {
      return null;
    }
    List<Integer> groups = a.getGroupSet().asList();
    List<RexNode> on = new ArrayList<>();
    builder.push(input).push(other);
    for (int k = 0; k < sideKeys.size(); k++) {
      int field = sideKeys.get(k);
      if (project != null) {
        if (!(project.getProjects().get(field) instanceof RexInputRef ref)) {
          builder.clear();
          return null;
        }
        field = ref.getIndex();
      }
      on.add(
          builder.equals(
              builder.field(2, 0, groups.get(field)), builder.field(2, 1, otherKeys.get(k))));
    }
    RelNode semi = builder.semiJoin(on).build();
    RelNode agg = a.copy(a.getTraitSet(), List.of(semi));
    return project == null ? agg : project.copy(project.getTraitSet(), List.of(agg));
  }
}
