package dev.amalgam.exec.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
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
 * Reduces the input of an aggregation that is joined on its group keys to a much smaller input by a
 * semi join with that input first.
 *
 * <p>Decorrelated subqueries become joins with an aggregation of the inner query grouped by the
 * correlation keys: {@code EXISTS} gives {@code outer JOIN (SELECT DISTINCT key FROM inner)} (TPC-H
 * Q4: the distinct order keys of 380,000 late lineitems, joined to 5,500 orders), a correlated
 * scalar subquery gives {@code outer JOIN (SELECT key, AVG(x) FROM inner GROUP BY key)} (Q17: the
 * average quantity of each of 200,000 parts, joined to the 200 parts of one brand and container).
 * An inner join keeps only the groups whose keys the other side has, and a group's aggregates
 * depend only on its own rows; so when the other side is estimated to hold several times fewer key
 * values than the aggregation has groups, the input is first semi-joined with it ({@code inner
 * WHERE key IN (other keys)}): a hash table over the small side, probed by the large one, so that
 * the aggregation only sees the rows of groups that can match.
 *
 * <p>The semi join needs only the other side's key values, so it reads the smallest subtree of the
 * other side that the keys come from through projections, filters and inner joins (in Q17, the
 * filtered part table rather than its join with lineitem): that subtree's key values include the
 * other side's, so the reduction keeps every group the join needs. That subtree is computed twice;
 * the result is the same.
 */
final class SemiJoinReduction {
  /** How many times fewer key values than the aggregation has groups the other side must have. */
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
   * {@code side} with its aggregation's input semi-joined to {@code other} on the keys, or null
   * when {@code side} is not an aggregation (under projections of column references and filters)
   * grouped by some of the keys, or {@code other} is not much smaller than the aggregation's input.
   */
  private @Nullable RelNode reduce(
      RelNode side, List<Integer> sideKeys, RelNode other, List<Integer> otherKeys) {
    List<RelNode> above = new ArrayList<>();
    List<Integer> keys = sideKeys;
    RelNode below = side;
    while (!(below instanceof Aggregate)) {
      Lineage down = down(below, keys, false);
      if (down == null) {
        return null;
      }
      above.add(below);
      below = down.rel();
      keys = down.keys();
    }
    Aggregate a = (Aggregate) below;
    List<Integer> groups = a.getGroupSet().asList();
    if (a.getGroupSets().size() != 1) {
      return null;
    }
    // the join keys that are group keys (Q2 also joins on the MIN it computes): a semi join on
    // those alone still keeps every group the join can match
    List<Integer> groupKeys = new ArrayList<>();
    List<Integer> matching = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      if (keys.get(k) < groups.size()) {
        groupKeys.add(groups.get(keys.get(k)));
        matching.add(otherKeys.get(k));
      }
    }
    if (groupKeys.isEmpty()) {
      return null;
    }
    RelNode input = a.getInput();
    Lineage source = narrowest(other, matching);
    // worth it only when most groups cannot match: the other side has few of the key values
    double sourceKeys = card.rows(source.rel());
    double product = 1;
    for (int k : source.keys()) {
      product *= card.distinct(source.rel(), k);
    }
    if (Math.min(sourceKeys, product) * RATIO > card.rows(a)) {
      return null;
    }
    RelNode result = a.copy(a.getTraitSet(), List.of(semiJoin(input, groupKeys, source)));
    for (int i = above.size() - 1; i >= 0; i--) {
      RelNode up = above.get(i);
      result = up.copy(up.getTraitSet(), List.of(result));
    }
    return result;
  }

  /**
   * {@code rel} with the deepest input that all of {@code keys} come from (through projections,
   * filters and inner joins) semi-joined with {@code source} on them: the rows that cannot match
   * are dropped before the joins above them (Q2: partsupp before its joins with supplier and
   * nation).
   */
  private RelNode semiJoin(RelNode rel, List<Integer> keys, Lineage source) {
    Lineage down = down(rel, keys, true);
    if (down != null) {
      RelNode below = semiJoin(down.rel(), down.keys(), source);
      List<RelNode> inputs = new ArrayList<>(rel.getInputs());
      inputs.set(down.input(), below);
      return rel.copy(rel.getTraitSet(), inputs);
    }
    List<RexNode> on = new ArrayList<>();
    builder.push(rel).push(source.rel());
    for (int k = 0; k < keys.size(); k++) {
      on.add(
          builder.equals(
              builder.field(2, 0, keys.get(k)), builder.field(2, 1, source.keys().get(k))));
    }
    return builder.semiJoin(on).build();
  }

  /**
   * A subtree, the positions in it of the key columns followed down to it, and which input of the
   * node above it it is.
   */
  private record Lineage(RelNode rel, List<Integer> keys, int input) {}

  /**
   * The subtree of {@code rel} along the lineage of {@code keys} with the fewest estimated rows
   * (the deeper one on a tie): every key combination of {@code rel} is one of its.
   */
  private Lineage narrowest(RelNode rel, List<Integer> keys) {
    Lineage best = new Lineage(rel, keys, 0);
    for (Lineage at = down(rel, keys, true); at != null; at = down(at.rel(), at.keys(), true)) {
      if (card.rows(at.rel()) <= card.rows(best.rel())) {
        best = at;
      }
    }
    return best;
  }

  /**
   * The input of {@code rel} that all of {@code keys} come from unchanged, with their positions
   * there, or null: through projections of column references and filters, and with {@code
   * throughJoins} through inner joins (whose output key values are a subset of the input's).
   */
  private static @Nullable Lineage down(RelNode rel, List<Integer> keys, boolean throughJoins) {
    switch (rel) {
      case Project p -> {
        List<Integer> mapped = new ArrayList<>();
        for (int k : keys) {
          if (!(p.getProjects().get(k) instanceof RexInputRef ref)) {
            return null;
          }
          mapped.add(ref.getIndex());
        }
        return new Lineage(p.getInput(), mapped, 0);
      }
      case Filter f -> {
        return new Lineage(f.getInput(), keys, 0);
      }
      case Join j when throughJoins && j.getJoinType() == JoinRelType.INNER -> {
        int width = j.getLeft().getRowType().getFieldCount();
        if (keys.stream().allMatch(k -> k < width)) {
          return new Lineage(j.getLeft(), keys, 0);
        }
        if (keys.stream().allMatch(k -> k >= width)) {
          return new Lineage(j.getRight(), keys.stream().map(k -> k - width).toList(), 1);
        }
        return null;
      }
      default -> {
        return null;
      }
    }
  }
}
