package dev.amalgam.exec.plan;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.run.BoundExpr;
import dev.amalgam.exec.run.ChunkSource;
import dev.amalgam.exec.run.CollectSink;
import dev.amalgam.exec.run.FilterSpec;
import dev.amalgam.exec.run.HashAggregateSink;
import dev.amalgam.exec.run.JoinBuildSink;
import dev.amalgam.exec.run.JoinType;
import dev.amalgam.exec.run.LimitSpec;
import dev.amalgam.exec.run.OpSpec;
import dev.amalgam.exec.run.PartitionedJoinSpec;
import dev.amalgam.exec.run.Pipeline;
import dev.amalgam.exec.run.ProjectSpec;
import dev.amalgam.exec.run.SortSink;
import dev.amalgam.exec.run.Source;
import dev.amalgam.exec.run.TableScan;
import dev.amalgam.exec.run.ValuesSource;
import dev.amalgam.exec.run.WindowSink;
import dev.amalgam.memory.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Turns an optimized logical plan into pipelines: a pipeline ends at each breaker (aggregation,
 * sort, hash-join build, union) and the next one starts from the breaker's materialized output. The
 * pipelines come out in the order they must run; the last one ends in the result collector. Closing
 * the lowering frees every intermediate result still held.
 */
public final class Lowering implements AutoCloseable {
  private final List<Device> members;
  private final int workers;
  private final List<Pipeline> pipelines = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final CollectSink result = new CollectSink("Result");

  private record Stream(Source source, List<OpSpec> ops) {
    Stream with(OpSpec op) {
      List<OpSpec> o = new ArrayList<>(ops);
      o.add(op);
      return new Stream(source, o);
    }
  }

  private Lowering(List<Device> members, int workers) {
    this.members = List.copyOf(members);
    this.workers = workers;
    resources.add(result);
  }

  /**
   * Lowers {@code root} for a fused device with {@code members} running {@code workers} worker
   * threads in all.
   */
  public static Lowering of(PlanNode root, List<Device> members, int workers) {
    Lowering l = new Lowering(members, workers);
    try {
      Stream s = l.lower(root);
      l.add(s, l.result);
      return l;
    } catch (RuntimeException e) {
      l.close();
      throw e;
    }
  }

  /** The pipelines, in the order they run. */
  public List<Pipeline> pipelines() {
    return List.copyOf(pipelines);
  }

  /** The result collector (its chunks are the query's rows, in order for an ordered query). */
  public CollectSink result() {
    return result;
  }

  private void add(Stream s, dev.amalgam.exec.run.Sink sink) {
    pipelines.add(new Pipeline(pipelines.size(), s.source(), s.ops(), sink));
  }

  private Stream lower(PlanNode node) {
    return switch (node) {
      case PlanNode.Scan s ->
          new Stream(new TableScan(s.table(), s.columns(), s.filter(), members), List.of());
      case PlanNode.Values v -> {
        ValuesSource source = new ValuesSource(v.rows(), v.schema());
        resources.add(source);
        yield new Stream(source, List.of());
      }
      case PlanNode.Filter f -> lower(f.input()).with(new FilterSpec(f.predicate()));
      case PlanNode.Project p ->
          lower(p.input()).with(new ProjectSpec(p.exprs(), p.schema().names()));
      case PlanNode.Limit l -> lower(l.input()).with(new LimitSpec(l.offset(), l.limit()));
      case PlanNode.Aggregate a -> {
        Stream in = lower(a.input());
        HashAggregateSink sink = new HashAggregateSink(a.keys(), a.aggs());
        resources.add(sink);
        add(in, sink);
        yield chunks(new ChunkSource(sink::take, false, "Groups of " + sink.describe()));
      }
      case PlanNode.Sort s -> lowerSort(s);
      case PlanNode.Window w -> lowerWindow(w);
      case PlanNode.Join j -> lowerJoin(j);
      case PlanNode.Union u -> {
        CollectSink sink = new CollectSink("UnionAll of " + u.inputs().size() + " inputs");
        resources.add(sink);
        for (PlanNode child : u.inputs()) {
          add(decode(lower(child), child.schema()), sink);
        }
        yield chunks(new ChunkSource(sink::take, false, "Rows of union"));
      }
    };
  }

  private Stream chunks(ChunkSource source) {
    resources.add(source);
    return new Stream(source, List.of());
  }

  /** Appends a projection computing {@code extra} after the input's columns. */
  private static Stream appendColumns(Stream s, Schema schema, List<BoundExpr> extra) {
    List<BoundExpr> exprs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < schema.size(); i++) {
      exprs.add(new BoundExpr.ColumnRef(i, schema.field(i).type(), schema.field(i).name()));
      names.add(schema.field(i).name());
    }
    for (int i = 0; i < extra.size(); i++) {
      exprs.add(extra.get(i));
      names.add("$key" + i);
    }
    return s.with(new ProjectSpec(exprs, names));
  }

  /** Casts dictionary columns to utf8 so that batches match {@link PlanNode#decoded}. */
  private static Stream decode(Stream s, Schema schema) {
    boolean any = false;
    List<BoundExpr> exprs = new ArrayList<>();
    for (int i = 0; i < schema.size(); i++) {
      DataType t = schema.field(i).type();
      BoundExpr ref = new BoundExpr.ColumnRef(i, t, schema.field(i).name());
      if (t.kind() == DataType.Kind.DICTIONARY_UTF8) {
        any = true;
        exprs.add(new BoundExpr.CastTo(ref, DataType.UTF8));
      } else {
        exprs.add(ref);
      }
    }
    return any ? s.with(new ProjectSpec(exprs, schema.names())) : s;
  }

  private static DataType[] types(Schema schema, int extra, List<BoundExpr> extras) {
    DataType[] t = new DataType[schema.size() + extra];
    Schema d = PlanNode.decoded(schema);
    for (int i = 0; i < schema.size(); i++) {
      t[i] = d.field(i).type();
    }
    for (int i = 0; i < extra; i++) {
      DataType et = extras.get(i).type();
      t[schema.size() + i] = et.kind() == DataType.Kind.DICTIONARY_UTF8 ? DataType.UTF8 : et;
    }
    return t;
  }

  private Stream lowerSort(PlanNode.Sort s) {
    Schema in = s.input().schema();
    Stream stream = lower(s.input());
    List<BoundExpr> extra = new ArrayList<>();
    List<SortSink.Key> keys = new ArrayList<>();
    for (PlanNode.SortKey k : s.keys()) {
      int column;
      if (k.expr() instanceof BoundExpr.ColumnRef c) {
        column = c.index();
      } else {
        column = in.size() + extra.size();
        extra.add(k.expr());
      }
      keys.add(new SortSink.Key(column, k.ascending(), k.nullsFirst()));
    }
    if (!extra.isEmpty()) {
      stream = appendColumns(stream, in, extra);
    }
    SortSink sink = new SortSink(keys, types(in, extra.size(), extra), s.limit());
    resources.add(sink);
    add(stream, sink);
    Stream out = chunks(new ChunkSource(sink::take, true, "Sorted rows"));
    return extra.isEmpty() ? out : out.with(dropTo(PlanNode.decoded(in)));
  }

  /** Sort by partition then order keys (unless there are none), then the window pass. */
  private Stream lowerWindow(PlanNode.Window w) {
    Schema in = w.input().schema();
    Stream stream = decode(lower(w.input()), in);
    DataType[] types = types(in, 0, List.of());
    List<SortSink.Key> keys = new ArrayList<>();
    for (int c : w.spec().partition()) {
      keys.add(new SortSink.Key(c, true, true));
    }
    keys.addAll(w.spec().order());
    if (!keys.isEmpty()) {
      SortSink sort = new SortSink(keys, types, Long.MAX_VALUE);
      resources.add(sort);
      add(stream, sort);
      stream = chunks(new ChunkSource(sort::take, true, "Sorted rows"));
    }
    WindowSink sink = new WindowSink(w.spec(), types);
    resources.add(sink);
    add(stream, sink);
    return chunks(new ChunkSource(sink::take, true, "Rows of " + sink.describe()));
  }

  private static ProjectSpec dropTo(Schema schema) {
    List<BoundExpr> exprs = new ArrayList<>();
    for (int i = 0; i < schema.size(); i++) {
      exprs.add(new BoundExpr.ColumnRef(i, schema.field(i).type(), schema.field(i).name()));
    }
    return new ProjectSpec(exprs, schema.names());
  }

  private Stream lowerJoin(PlanNode.Join j) {
    Schema ls = j.left().schema();
    Schema rs = j.right().schema();
    // build side (right): materialized into the hash table, dictionary columns as indices
    Stream build = lower(j.right());
    int[] buildKeys = new int[j.rightKeys().size()];
    List<BoundExpr> buildExtra = keyColumns(j.rightKeys(), rs.size(), buildKeys);
    if (!buildExtra.isEmpty()) {
      build = appendColumns(build, rs, buildExtra);
    }
    DataType[] buildTypes = joinTypes(rs, buildExtra);
    JoinBuildSink sink = new JoinBuildSink(buildKeys, buildTypes);
    resources.add(sink);
    add(build, sink);
    // probe side (left): streams through, dictionary columns still encoded unless the join pads the
    // probe side with nulls (PlanNode.probeColumns)
    boolean decodeProbe = j.type().keepsUnmatchedBuild();
    Schema ps = PlanNode.probeColumns(ls, j.type());
    Stream probe = decodeProbe ? decode(lower(j.left()), ls) : lower(j.left());
    int[] probeKeys = new int[j.leftKeys().size()];
    List<BoundExpr> probeExtra =
        keyColumns(
            decodeProbe ? decodeRefs(j.leftKeys(), i -> true) : j.leftKeys(), ls.size(), probeKeys);
    if (!probeExtra.isEmpty()) {
      probe = appendColumns(probe, ps, probeExtra);
    }
    DataType[] probeTypes = joinTypes(ps, probeExtra);
    int instances = probe.source().ordered() ? 1 : workers;
    boolean leftOnly = j.type() == JoinType.SEMI || j.type() == JoinType.ANTI;
    boolean rightOnly = !j.type().outputsProbeColumns();
    BoundExpr residual =
        j.residual() == null || !decodeProbe
            ? j.residual()
            : decodeRef(j.residual(), i -> i < ls.size());
    // SEMI, ANTI, RIGHT_SEMI and RIGHT_ANTI test the residual on each key match inside the probe:
    // over the probe columns (with the appended keys), then the build columns
    BoundExpr existsWhere = null;
    if (residual != null && j.type().testsExistence()) {
      int leftWidth = ls.size();
      int buildBase = probeTypes.length;
      existsWhere =
          BoundExprs.remap(residual, i -> i < leftWidth ? i : buildBase + (i - leftWidth));
      residual = null;
    }
    PartitionedJoinSpec join =
        new PartitionedJoinSpec(
            j.type(), sink, probeKeys, probeTypes, buildTypes, instances, existsWhere);
    resources.add(join);
    probe = probe.with(join);
    if (rightOnly) {
      if (!buildExtra.isEmpty()) {
        // drop the appended build key columns: the output is the build side's columns
        List<BoundExpr> exprs = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) {
          exprs.add(new BoundExpr.ColumnRef(i, rs.field(i).type(), rs.field(i).name()));
        }
        probe = probe.with(new ProjectSpec(exprs, j.schema().names()));
      }
    } else if (!probeExtra.isEmpty() || (!buildExtra.isEmpty() && !leftOnly)) {
      // drop the appended key columns: keep left columns, then right columns
      List<BoundExpr> exprs = new ArrayList<>();
      Schema out = j.schema();
      for (int i = 0; i < ps.size(); i++) {
        exprs.add(new BoundExpr.ColumnRef(i, ps.field(i).type(), ps.field(i).name()));
      }
      if (!leftOnly) {
        int base = probeTypes.length;
        for (int i = 0; i < rs.size(); i++) {
          exprs.add(new BoundExpr.ColumnRef(base + i, rs.field(i).type(), rs.field(i).name()));
        }
      }
      probe = probe.with(new ProjectSpec(exprs, out.names()));
    }
    if (residual != null) {
      if (j.type() != JoinType.INNER) {
        throw new IllegalArgumentException(
            j.type() + " join with a non-equality condition " + residual + " is not supported");
      }
      probe = probe.with(new FilterSpec(residual));
    }
    return probe;
  }

  /** The column types of a join input of {@code schema} with {@code extra} key columns appended. */
  private static DataType[] joinTypes(Schema schema, List<BoundExpr> extra) {
    DataType[] t = new DataType[schema.size() + extra.size()];
    for (int i = 0; i < schema.size(); i++) {
      t[i] = schema.field(i).type();
    }
    for (int i = 0; i < extra.size(); i++) {
      t[schema.size() + i] = extra.get(i).type();
    }
    return t;
  }

  /**
   * The expressions with their references to dictionary columns {@code which} typed utf8 (after
   * {@link #decode}).
   */
  private static List<BoundExpr> decodeRefs(List<BoundExpr> exprs, IntPredicate which) {
    List<BoundExpr> out = new ArrayList<>();
    for (BoundExpr e : exprs) {
      out.add(decodeRef(e, which));
    }
    return out;
  }

  private static BoundExpr decodeRef(BoundExpr e, IntPredicate which) {
    if (e instanceof BoundExpr.ColumnRef c) {
      return c.type().kind() == DataType.Kind.DICTIONARY_UTF8 && which.test(c.index())
          ? new BoundExpr.ColumnRef(c.index(), DataType.UTF8, c.name())
          : c;
    }
    return switch (e) {
      case BoundExpr.Arith a ->
          new BoundExpr.Arith(
              a.op(), decodeRef(a.left(), which), decodeRef(a.right(), which), a.type());
      case BoundExpr.Cmp c ->
          new BoundExpr.Cmp(c.op(), decodeRef(c.left(), which), decodeRef(c.right(), which));
      case BoundExpr.AndOr a -> new BoundExpr.AndOr(a.isAnd(), decodeRefs(a.terms(), which));
      case BoundExpr.Not n -> new BoundExpr.Not(decodeRef(n.operand(), which));
      case BoundExpr.IsNull n -> new BoundExpr.IsNull(decodeRef(n.operand(), which), n.negated());
      case BoundExpr.Between b ->
          new BoundExpr.Between(
              decodeRef(b.operand(), which), decodeRef(b.low(), which), decodeRef(b.high(), which));
      case BoundExpr.InList i ->
          new BoundExpr.InList(decodeRef(i.operand(), which), i.values(), i.negated());
      case BoundExpr.Case c ->
          new BoundExpr.Case(
              decodeRefs(c.conditions(), which),
              decodeRefs(c.values(), which),
              decodeRef(c.otherwise(), which),
              c.type());
      case BoundExpr.CastTo c -> new BoundExpr.CastTo(decodeRef(c.operand(), which), c.type());
      case BoundExpr.Extract x -> new BoundExpr.Extract(x.part(), decodeRef(x.operand(), which));
      case BoundExpr.Like l ->
          new BoundExpr.Like(decodeRef(l.operand(), which), l.pattern(), l.negated());
      case BoundExpr.Substring x ->
          new BoundExpr.Substring(decodeRef(x.operand(), which), x.start(), x.length());
      case BoundExpr.CharLength l -> new BoundExpr.CharLength(decodeRef(l.operand(), which));
      default -> e;
    };
  }

  /** Fills {@code indices} with the key columns; returns the key expressions to append. */
  private static List<BoundExpr> keyColumns(List<BoundExpr> keys, int width, int[] indices) {
    List<BoundExpr> extra = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      BoundExpr k = keys.get(i);
      if (k instanceof BoundExpr.ColumnRef c) {
        indices[i] = c.index();
      } else {
        indices[i] = width + extra.size();
        extra.add(k);
      }
    }
    return extra;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("freeing intermediate results failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
