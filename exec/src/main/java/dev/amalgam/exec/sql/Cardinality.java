package dev.amalgam.exec.sql;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.JoinInfo;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.core.Union;
import org.apache.calcite.rel.core.Values;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexLiteral;
import org.jspecify.annotations.Nullable;

/**
 * Row-count and distinct-value estimates of relational expressions, for join ordering and the
 * choice of a join's build side.
 *
 * <p>Calcite's own row count multiplies the sides of an equi-join with a fixed selectivity, which
 * makes any join of two large inputs look huge and a many-to-many join of two small ones look
 * cheap. Here a join's size follows the distinct counts of its keys, {@code |L| * |R| /
 * max(ndv(L.k), ndv(R.k))}, with the distinct counts of table columns taken from the HyperLogLog
 * sketches the engine keeps per column chunk ({@code TableData#distinctCount}), and a column of
 * unknown distinct count taken to be a key. Filters use Calcite's selectivity guesses.
 */
final class Cardinality {
  private final RelMetadataQuery mq;
  private final Map<RelNode, Double> rows = new IdentityHashMap<>();

  Cardinality(RelMetadataQuery mq) {
    this.mq = mq;
  }

  /** Estimated rows of {@code rel} (at least 1). */
  double rows(RelNode rel) {
    Double cached = rows.get(rel);
    if (cached != null) {
      return cached;
    }
    double r = Math.max(1, estimate(rel));
    rows.put(rel, r);
    return r;
  }

  private double estimate(RelNode rel) {
    return switch (rel) {
      case TableScan t -> t.getTable().getRowCount();
      case Filter f -> rows(f.getInput()) * selectivity(f);
      case Project p -> rows(p.getInput());
      case Aggregate a -> {
        if (a.getGroupCount() == 0) {
          yield 1;
        }
        double keys = 1;
        for (int k : a.getGroupSet()) {
          keys *= distinct(a.getInput(), k);
        }
        yield Math.min(rows(a.getInput()), keys);
      }
      case Join j -> join(j);
      case Sort s -> {
        double in = rows(s.getInput());
        yield s.fetch instanceof RexLiteral lit && lit.getValueAs(Long.class) instanceof Long n
            ? Math.min(in, n)
            : in;
      }
      case Union u -> u.getInputs().stream().mapToDouble(this::rows).sum();
      case Values v -> v.getTuples().size();
      default -> {
        Double d = mq.getRowCount(rel);
        yield d == null ? 1e6 : d;
      }
    };
  }

  private double selectivity(Filter f) {
    Double s = mq.getSelectivity(f.getInput(), f.getCondition());
    return s == null ? 0.5 : s;
  }

  private double join(Join j) {
    double l = rows(j.getLeft());
    double r = rows(j.getRight());
    JoinInfo info = JoinInfo.of(j.getLeft(), j.getRight(), j.getCondition());
    double inner =
        info.leftKeys.isEmpty()
            ? l * r
            : equiJoinRows(j.getLeft(), info.leftKeys, l, j.getRight(), info.rightKeys, r);
    return switch (j.getJoinType()) {
      case SEMI -> Math.min(l, inner);
      case ANTI -> Math.max(l * 0.1, l - Math.min(l, inner));
      case LEFT -> Math.max(inner, l);
      case RIGHT -> Math.max(inner, r);
      case FULL -> Math.max(inner, l + r);
      default -> inner;
    };
  }

  /**
   * Rows of an equi-join of {@code left} and {@code right} (estimated {@code l} and {@code r} rows)
   * on the given key columns.
   */
  double equiJoinRows(
      RelNode left,
      List<Integer> leftKeys,
      double l,
      RelNode right,
      List<Integer> rightKeys,
      double r) {
    double nl = keyDistinct(left, leftKeys, l);
    double nr = keyDistinct(right, rightKeys, r);
    return l * r / Math.max(1, Math.max(nl, nr));
  }

  /** Distinct combinations of {@code keys} of {@code rel}, at most {@code rows}. */
  private double keyDistinct(RelNode rel, List<Integer> keys, double rows) {
    double n = 1;
    for (int k : keys) {
      n *= distinct(rel, k);
    }
    return Math.min(n, rows);
  }

  /** Estimated distinct values of field {@code field} of {@code rel}, at most its rows. */
  double distinct(RelNode rel, int field) {
    double r = rows(rel);
    if (rel instanceof Aggregate a && a.getGroupCount() == 1 && field == 0) {
      return r;
    }
    double d = tableDistinct(rel, field);
    return d < 0 ? r : Math.min(d, r);
  }

  private double tableDistinct(RelNode rel, int field) {
    RelColumnOrigin origin = columnOrigin(rel, field);
    if (origin == null || origin.isDerived()) {
      return -1;
    }
    CatalogSchema.CatalogTable t = origin.getOriginTable().unwrap(CatalogSchema.CatalogTable.class);
    return t == null ? -1 : t.distinctCount(origin.getOriginColumnOrdinal());
  }

  private @Nullable RelColumnOrigin columnOrigin(RelNode rel, int field) {
    try {
      return mq.getColumnOrigin(rel, field);
    } catch (RuntimeException e) {
      return null; // an operator the metadata does not cover: unknown
    }
  }
}
