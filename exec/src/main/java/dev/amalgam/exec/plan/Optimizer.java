package dev.amalgam.exec.plan;

import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.run.AggSpec;
import dev.amalgam.exec.run.BoundExpr;
import dev.amalgam.exec.run.JoinType;
import dev.amalgam.exec.run.SortSink;
import dev.amalgam.exec.run.WindowSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Rule-based rewrites of the logical plan, in order:
 *
 * <ol>
 *   <li><b>Predicate pushdown.</b> Filters merge, move into scans (where they also skip row groups
 *       by statistics), and split across joins: conjuncts over one side of an inner join go to that
 *       side; over the left (probe) side of a left, semi or anti join, to that side.
 *   <li><b>Top-N.</b> A LIMIT over an ORDER BY keeps only {@code offset + limit} rows in the sort.
 *   <li><b>Projection pushdown.</b> Each node keeps only the columns something above it reads;
 *       scans read only those columns.
 * </ol>
 */
public final class Optimizer {
  private Optimizer() {}

  /** The optimized plan (same output columns as {@code root}). */
  public static PlanNode optimize(PlanNode root) {
    PlanNode p = pushFilters(root);
    p = topN(p);
    BitSet all = new BitSet();
    all.set(0, root.schema().size());
    Pruned pruned = prune(p, all);
    return restore(pruned, root.schema().size());
  }

  // ---- predicate pushdown --------------------------------------------------------------------

  static PlanNode pushFilters(PlanNode node) {
    if (node instanceof PlanNode.Filter f) {
      return push(f.predicate(), pushFilters(f.input()));
    }
    return withInputs(node, node.inputs().stream().map(Optimizer::pushFilters).toList());
  }

  private static PlanNode push(BoundExpr predicate, PlanNode input) {
    switch (input) {
      case PlanNode.Scan s -> {
        BoundExpr f = s.filter() == null ? predicate : andOf(s.filter(), predicate);
        return new PlanNode.Scan(s.table(), s.columns(), f, s.schema());
      }
      case PlanNode.Filter f -> {
        return push(andOf(f.predicate(), predicate), f.input());
      }
      case PlanNode.Join j -> {
        if (!j.type().outputsProbeColumns()) {
          // RIGHT_SEMI / RIGHT_ANTI output right rows: the whole predicate filters the right side
          return new PlanNode.Join(
              j.left(),
              push(predicate, j.right()),
              j.type(),
              j.leftKeys(),
              j.rightKeys(),
              j.residual(),
              j.schema());
        }
        int leftWidth = j.left().schema().size();
        List<BoundExpr> left = new ArrayList<>();
        List<BoundExpr> right = new ArrayList<>();
        List<BoundExpr> rest = new ArrayList<>();
        boolean canLeft = j.type() != JoinType.RIGHT && j.type() != JoinType.FULL;
        boolean canRight = j.type() == JoinType.INNER;
        for (BoundExpr c : BoundExprs.conjuncts(predicate)) {
          BitSet r = BoundExprs.refs(c);
          boolean onlyLeft = r.nextSetBit(leftWidth) < 0;
          boolean onlyRight = r.nextSetBit(0) >= leftWidth || r.isEmpty();
          if (onlyLeft && canLeft && !r.isEmpty()) {
            left.add(c);
          } else if (onlyRight && canRight && !r.isEmpty()) {
            right.add(BoundExprs.remap(c, i -> i - leftWidth));
          } else {
            rest.add(c);
          }
        }
        PlanNode l = left.isEmpty() ? j.left() : push(BoundExprs.and(left), j.left());
        PlanNode rt = right.isEmpty() ? j.right() : push(BoundExprs.and(right), j.right());
        PlanNode joined =
            new PlanNode.Join(
                l, rt, j.type(), j.leftKeys(), j.rightKeys(), j.residual(), j.schema());
        return rest.isEmpty() ? joined : new PlanNode.Filter(joined, BoundExprs.and(rest));
      }
      default -> {
        return new PlanNode.Filter(input, predicate);
      }
    }
  }

  private static BoundExpr andOf(BoundExpr a, BoundExpr b) {
    List<BoundExpr> terms = new ArrayList<>(BoundExprs.conjuncts(a));
    terms.addAll(BoundExprs.conjuncts(b));
    return BoundExprs.and(terms);
  }

  // ---- top-N -------------------------------------------------------------------------------

  static PlanNode topN(PlanNode node) {
    PlanNode n = withInputs(node, node.inputs().stream().map(Optimizer::topN).toList());
    if (n instanceof PlanNode.Limit l
        && l.input() instanceof PlanNode.Sort s
        && l.limit() != Long.MAX_VALUE
        && l.offset() <= Long.MAX_VALUE - l.limit()) {
      long keep = Math.min(s.limit(), l.offset() + l.limit());
      return new PlanNode.Limit(
          new PlanNode.Sort(s.input(), s.keys(), keep), l.offset(), l.limit());
    }
    return n;
  }

  // ---- projection pushdown -----------------------------------------------------------------

  /** A pruned node and, per column of the original node, its index in the new one (-1: gone). */
  record Pruned(PlanNode node, int[] map) {}

  /**
   * {@code p} under a projection to the columns of {@code needed} (original indices), when it
   * outputs others too; else {@code p}.
   */
  private static Pruned narrow(Pruned p, BitSet needed) {
    Schema s = p.node().schema();
    int[] map = p.map();
    BitSet keep = new BitSet();
    for (int i = needed.nextSetBit(0); i >= 0 && i < map.length; i = needed.nextSetBit(i + 1)) {
      if (map[i] >= 0) {
        keep.set(map[i]);
      }
    }
    if (keep.isEmpty() || keep.cardinality() == s.size()) {
      return p;
    }
    int[] at = new int[s.size()];
    Arrays.fill(at, -1);
    List<BoundExpr> exprs = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    for (int c = keep.nextSetBit(0); c >= 0; c = keep.nextSetBit(c + 1)) {
      at[c] = exprs.size();
      exprs.add(new BoundExpr.ColumnRef(c, s.field(c).type(), s.field(c).name()));
      fields.add(s.field(c));
    }
    int[] m = new int[map.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = map[i] < 0 ? -1 : at[map[i]];
    }
    return new Pruned(new PlanNode.Project(p.node(), exprs, new Schema(fields)), m);
  }

  private static int[] identity(int n) {
    int[] m = new int[n];
    for (int i = 0; i < n; i++) {
      m[i] = i;
    }
    return m;
  }

  static Pruned prune(PlanNode node, BitSet needed) {
    switch (node) {
      case PlanNode.Scan s -> {
        BitSet keep = (BitSet) needed.clone();
        if (s.filter() != null) {
          BoundExprs.refs(s.filter(), keep);
        }
        int[] map = new int[s.columns().length];
        Arrays.fill(map, -1);
        List<Integer> cols = new ArrayList<>();
        for (int i = keep.nextSetBit(0); i >= 0 && i < map.length; i = keep.nextSetBit(i + 1)) {
          map[i] = cols.size();
          cols.add(s.columns()[i]);
        }
        int[] columns = cols.stream().mapToInt(Integer::intValue).toArray();
        BoundExpr f = s.filter() == null ? null : BoundExprs.remap(s.filter(), i -> map[i]);
        return new Pruned(
            new PlanNode.Scan(s.table(), columns, f, PlanNode.Scan.scanSchema(s.table(), columns)),
            map);
      }
      case PlanNode.Filter f -> {
        BitSet need = (BitSet) needed.clone();
        BoundExprs.refs(f.predicate(), need);
        Pruned in = prune(f.input(), need);
        return new Pruned(
            new PlanNode.Filter(in.node(), BoundExprs.remap(f.predicate(), i -> in.map()[i])),
            in.map());
      }
      case PlanNode.Project p -> {
        BitSet childNeed = new BitSet();
        int[] map = new int[p.exprs().size()];
        Arrays.fill(map, -1);
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < p.exprs().size(); i++) {
          if (needed.get(i)) {
            map[i] = kept.size();
            kept.add(i);
            BoundExprs.refs(p.exprs().get(i), childNeed);
          }
        }
        Pruned in = prune(p.input(), childNeed);
        List<BoundExpr> exprs = new ArrayList<>();
        List<Field> fields = new ArrayList<>();
        for (int i : kept) {
          exprs.add(BoundExprs.remap(p.exprs().get(i), c -> in.map()[c]));
          fields.add(p.schema().field(i));
        }
        return new Pruned(new PlanNode.Project(in.node(), exprs, new Schema(fields)), map);
      }
      case PlanNode.Aggregate a -> {
        BitSet childNeed = new BitSet();
        a.keys().forEach(k -> BoundExprs.refs(k, childNeed));
        for (AggSpec s : a.aggs()) {
          if (s.argument() != null) {
            BoundExprs.refs(s.argument(), childNeed);
          }
        }
        Pruned in = prune(a.input(), childNeed);
        List<AggSpec> aggs = new ArrayList<>();
        for (AggSpec s : a.aggs()) {
          BoundExpr arg = s.argument();
          aggs.add(
              new AggSpec(
                  s.function(),
                  arg == null ? null : BoundExprs.remap(arg, c -> in.map()[c]),
                  s.type(),
                  s.name()));
        }
        return new Pruned(
            new PlanNode.Aggregate(
                in.node(), BoundExprs.remapAll(a.keys(), c -> in.map()[c]), aggs, a.schema()),
            identity(a.schema().size()));
      }
      case PlanNode.Join j -> {
        int leftWidth = j.left().schema().size();
        boolean rightOnly = !j.type().outputsProbeColumns();
        BitSet ln = new BitSet();
        BitSet rn = new BitSet();
        for (int i = needed.nextSetBit(0); i >= 0; i = needed.nextSetBit(i + 1)) {
          if (rightOnly) {
            rn.set(i); // the output is the right side's columns
          } else if (i < leftWidth) {
            ln.set(i);
          } else {
            rn.set(i - leftWidth);
          }
        }
        j.leftKeys().forEach(k -> BoundExprs.refs(k, ln));
        j.rightKeys().forEach(k -> BoundExprs.refs(k, rn));
        if (j.residual() != null) {
          BitSet r = BoundExprs.refs(j.residual());
          for (int i = r.nextSetBit(0); i >= 0; i = r.nextSetBit(i + 1)) {
            if (i < leftWidth) {
              ln.set(i);
            } else {
              rn.set(i - leftWidth);
            }
          }
        }
        // a join copies every column of its inputs into its output: drop those that only a filter
        // below needed (a scan's filter reads columns the join does not)
        Pruned l = narrow(prune(j.left(), ln), ln);
        Pruned r = narrow(prune(j.right(), rn), rn);
        int newLeft = l.node().schema().size();
        int[] map = new int[j.schema().size()];
        for (int i = 0; i < map.length; i++) {
          if (rightOnly) {
            map[i] = r.map()[i];
          } else {
            map[i] =
                i < leftWidth
                    ? l.map()[i]
                    : (r.map()[i - leftWidth] < 0 ? -1 : newLeft + r.map()[i - leftWidth]);
          }
        }
        int[] full = new int[leftWidth + j.right().schema().size()];
        for (int i = 0; i < full.length; i++) {
          full[i] =
              i < leftWidth
                  ? l.map()[i]
                  : (r.map()[i - leftWidth] < 0 ? -1 : newLeft + r.map()[i - leftWidth]);
        }
        BoundExpr residual =
            j.residual() == null ? null : BoundExprs.remap(j.residual(), i -> full[i]);
        return new Pruned(
            new PlanNode.Join(
                l.node(),
                r.node(),
                j.type(),
                BoundExprs.remapAll(j.leftKeys(), c -> l.map()[c]),
                BoundExprs.remapAll(j.rightKeys(), c -> r.map()[c]),
                residual,
                PlanNode.joinSchema(l.node().schema(), r.node().schema(), j.type())),
            map);
      }
      case PlanNode.Sort s -> {
        BitSet need = (BitSet) needed.clone();
        s.keys().forEach(k -> BoundExprs.refs(k.expr(), need));
        Pruned in = prune(s.input(), need);
        List<PlanNode.SortKey> keys = new ArrayList<>();
        for (PlanNode.SortKey k : s.keys()) {
          keys.add(
              new PlanNode.SortKey(
                  BoundExprs.remap(k.expr(), c -> in.map()[c]), k.ascending(), k.nullsFirst()));
        }
        return new Pruned(new PlanNode.Sort(in.node(), keys, s.limit()), in.map());
      }
      case PlanNode.Values v -> {
        int[] map = new int[v.schema().size()];
        Arrays.fill(map, -1);
        List<Integer> kept = new ArrayList<>();
        for (int i = needed.nextSetBit(0); i >= 0 && i < map.length; i = needed.nextSetBit(i + 1)) {
          map[i] = kept.size();
          kept.add(i);
        }
        List<List<@Nullable Object>> rows = new ArrayList<>();
        for (List<@Nullable Object> r : v.rows()) {
          List<@Nullable Object> row = new ArrayList<>();
          for (int i : kept) {
            row.add(r.get(i));
          }
          rows.add(row);
        }
        List<Field> fields = new ArrayList<>();
        for (int i : kept) {
          fields.add(v.schema().field(i));
        }
        return new Pruned(new PlanNode.Values(rows, new Schema(fields)), map);
      }
      case PlanNode.Window w -> {
        int width = w.input().schema().size();
        BitSet need = new BitSet();
        for (int i = needed.nextSetBit(0); i >= 0 && i < width; i = needed.nextSetBit(i + 1)) {
          need.set(i);
        }
        WindowSpec spec = w.spec();
        for (int c : spec.partition()) {
          need.set(c);
        }
        spec.order().forEach(k -> need.set(k.column()));
        spec.functions()
            .forEach(
                f -> {
                  if (f.argument() >= 0) {
                    need.set(f.argument());
                  }
                });
        Pruned in = prune(w.input(), need);
        int[] m = in.map();
        int[] partition = new int[spec.partition().length];
        for (int i = 0; i < partition.length; i++) {
          partition[i] = m[spec.partition()[i]];
        }
        List<SortSink.Key> order = new ArrayList<>();
        for (SortSink.Key k : spec.order()) {
          order.add(new SortSink.Key(m[k.column()], k.ascending(), k.nullsFirst()));
        }
        List<WindowSpec.Function> fns = new ArrayList<>();
        for (WindowSpec.Function f : spec.functions()) {
          fns.add(
              new WindowSpec.Function(
                  f.kind(),
                  f.argument() < 0 ? -1 : m[f.argument()],
                  f.offset(),
                  f.defaultValue(),
                  f.type(),
                  f.name()));
        }
        Schema inSchema = PlanNode.decoded(in.node().schema());
        List<Field> fields = new ArrayList<>(inSchema.fields());
        int newWidth = fields.size();
        int[] map = new int[w.schema().size()];
        for (int i = 0; i < map.length; i++) {
          if (i < width) {
            map[i] = m[i];
          } else {
            map[i] = newWidth + i - width;
            fields.add(w.schema().field(i));
          }
        }
        return new Pruned(
            new PlanNode.Window(
                in.node(),
                new WindowSpec(partition, order, spec.rows(), spec.lower(), spec.upper(), fns),
                new Schema(fields)),
            map);
      }
      case PlanNode.Limit l -> {
        Pruned in = prune(l.input(), needed);
        return new Pruned(new PlanNode.Limit(in.node(), l.offset(), l.limit()), in.map());
      }
      case PlanNode.Union u -> {
        List<PlanNode> inputs = new ArrayList<>();
        for (PlanNode child : u.inputs()) {
          inputs.add(restrict(prune(child, needed), needed, child.schema()));
        }
        int[] map = new int[u.schema().size()];
        Arrays.fill(map, -1);
        List<Field> fields = new ArrayList<>();
        for (int i = needed.nextSetBit(0); i >= 0 && i < map.length; i = needed.nextSetBit(i + 1)) {
          map[i] = fields.size();
          fields.add(u.schema().field(i));
        }
        return new Pruned(new PlanNode.Union(inputs, new Schema(fields)), map);
      }
    }
  }

  /** A projection of exactly the {@code needed} columns (in order) of a pruned node. */
  private static PlanNode restrict(Pruned p, BitSet needed, Schema original) {
    List<BoundExpr> exprs = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    boolean identity = true;
    int k = 0;
    for (int i = needed.nextSetBit(0);
        i >= 0 && i < original.size();
        i = needed.nextSetBit(i + 1)) {
      int at = p.map()[i];
      Field f = original.field(i);
      exprs.add(new BoundExpr.ColumnRef(at, p.node().schema().field(at).type(), f.name()));
      fields.add(f.withName(p.node().schema().field(at).name()));
      identity &= at == k++;
    }
    if (identity && exprs.size() == p.node().schema().size()) {
      return p.node();
    }
    return new PlanNode.Project(p.node(), exprs, new Schema(fields));
  }

  /** The pruned root, projected back to the root's columns in order. */
  private static PlanNode restore(Pruned p, int width) {
    BitSet all = new BitSet();
    all.set(0, width);
    return restrict(p, all, originalSchema(p, width));
  }

  private static Schema originalSchema(Pruned p, int width) {
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < width; i++) {
      fields.add(p.node().schema().field(p.map()[i]));
    }
    return new Schema(fields);
  }

  /** {@code node} with new inputs (same order as {@link PlanNode#inputs()}). */
  static PlanNode withInputs(PlanNode node, List<PlanNode> in) {
    return switch (node) {
      case PlanNode.Scan s -> s;
      case PlanNode.Values v -> v;
      case PlanNode.Window w -> new PlanNode.Window(in.get(0), w.spec(), w.schema());
      case PlanNode.Filter f -> new PlanNode.Filter(in.get(0), f.predicate());
      case PlanNode.Project p -> new PlanNode.Project(in.get(0), p.exprs(), p.schema());
      case PlanNode.Aggregate a ->
          new PlanNode.Aggregate(in.get(0), a.keys(), a.aggs(), a.schema());
      case PlanNode.Join j ->
          new PlanNode.Join(
              in.get(0),
              in.get(1),
              j.type(),
              j.leftKeys(),
              j.rightKeys(),
              j.residual(),
              j.schema());
      case PlanNode.Sort s -> new PlanNode.Sort(in.get(0), s.keys(), s.limit());
      case PlanNode.Limit l -> new PlanNode.Limit(in.get(0), l.offset(), l.limit());
      case PlanNode.Union u -> new PlanNode.Union(in, u.schema());
    };
  }
}
