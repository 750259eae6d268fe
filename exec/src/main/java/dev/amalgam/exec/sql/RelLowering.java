package dev.amalgam.exec.sql;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Query;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.expr.AggCall;
import dev.amalgam.exec.expr.Expr;
import dev.amalgam.exec.expr.SortKey;
import dev.amalgam.exec.plan.PlanNode;
import dev.amalgam.exec.run.JoinType;
import dev.amalgam.exec.run.SortSink;
import dev.amalgam.exec.run.WindowSpec;
import dev.amalgam.kernels.CompareOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Correlate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.JoinInfo;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.core.Union;
import org.apache.calcite.rel.core.Values;
import org.apache.calcite.rel.core.Window;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.rex.RexWindowBound;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;
import org.jspecify.annotations.Nullable;

/**
 * Lowers a Calcite relational expression into the engine's logical plan through the fluent {@link
 * Query} API, so that SQL and fluent queries share one binder, plan and optimizer path.
 */
final class RelLowering {
  /*
   * Invariant: the query lowered from a RelNode has exactly that node's field names (renaming
   * with an identity projection where the fluent API names a column differently), so that input
   * references translate to column names. Joins rename the right side to the join's (unique)
   * field names. A join without equality keys gets a constant key on both sides, which the hash
   * join treats as one bucket: fine for the one-row sides of scalar subqueries.
   */

  private final Engine engine;
  private final RexTranslator rex;

  RelLowering(Engine engine, RexTranslator rex) {
    this.engine = engine;
    this.rex = rex;
  }

  Query lower(RelNode rel) {
    Query q =
        switch (rel) {
          case TableScan s -> scan(s);
          case Filter f -> {
            Query in = lower(f.getInput());
            yield in.filter(rex.translate(f.getCondition(), in.schema().names()));
          }
          case Project p -> project(p);
          case Aggregate a -> aggregate(a);
          case Join j -> join(j);
          case Sort s -> sort(s);
          case Union u -> union(u);
          case Correlate c ->
              throw RexTranslator.unsupported("a correlated subquery that cannot be decorrelated");
          case Values v -> values(v);
          case Window w -> window(w);
          default -> throw RexTranslator.unsupported("relational operator " + rel.getRelTypeName());
        };
    return rename(q, rel.getRowType().getFieldNames());
  }

  /** {@code q} with its columns named {@code names} (same count). */
  static Query rename(Query q, List<String> names) {
    List<String> have = q.schema().names();
    if (have.equals(names)) {
      return q;
    }
    Object[] cols = new Object[names.size()];
    for (int i = 0; i < cols.length; i++) {
      cols[i] = new Expr.Column(have.get(i)).as(names.get(i));
    }
    return q.select(cols);
  }

  private Query scan(TableScan s) {
    CatalogSchema.FileTable file = s.getTable().unwrap(CatalogSchema.FileTable.class);
    if (file != null) {
      return fileScan(file);
    }
    CatalogSchema.CatalogTable t = s.getTable().unwrap(CatalogSchema.CatalogTable.class);
    if (t == null) {
      throw RexTranslator.unsupported("table " + s.getTable().getQualifiedName());
    }
    return engine.table(t.name());
  }

  /**
   * A file's table; columns the plan does not use and the format did not load are typed NULLs, so
   * that column positions are those of the file's schema.
   */
  private Query fileScan(CatalogSchema.FileTable file) {
    String name = file.tableName();
    Schema loaded = file.loadedSchema();
    if (name == null || loaded == null) {
      throw new IllegalStateException("file " + file.identifier() + " was not loaded");
    }
    Query q = engine.table(name);
    Schema schema = file.schema();
    if (loaded.size() == schema.size()) {
      return q;
    }
    Object[] cols = new Object[schema.size()];
    for (int i = 0; i < cols.length; i++) {
      Field f = schema.field(i);
      cols[i] =
          loaded.names().contains(f.name())
              ? new Expr.Column(f.name()).as(f.name())
              : new Expr.Literal(null, f.type().computeType()).as(f.name());
    }
    return q.select(cols);
  }

  private Query project(Project p) {
    Query in = lower(p.getInput());
    List<String> names = in.schema().names();
    List<RelDataTypeField> out = p.getRowType().getFieldList();
    Object[] exprs = new Object[out.size()];
    for (int i = 0; i < exprs.length; i++) {
      exprs[i] = rex.translate(p.getProjects().get(i), names).as(out.get(i).getName());
    }
    return in.select(exprs);
  }

  private Query aggregate(Aggregate a) {
    if (a.getGroupType() != Aggregate.Group.SIMPLE) {
      throw RexTranslator.unsupported("GROUPING SETS, ROLLUP and CUBE");
    }
    Query in = lower(a.getInput());
    List<String> names = in.schema().names();
    List<String> outNames = a.getRowType().getFieldNames();
    List<Object> keys = new ArrayList<>();
    int o = 0;
    for (int k : a.getGroupSet()) {
      keys.add(new Expr.Column(names.get(k)).as(outNames.get(o++)));
    }
    List<AggCall> calls = new ArrayList<>();
    Map<String, Expr> literals = new HashMap<>();
    for (AggregateCall c : a.getAggCallList()) {
      String name = outNames.get(o++);
      if (c.getAggregation().getKind() == SqlKind.LITERAL_AGG) {
        // A constant per group (from subquery removal): count rows, then project the constant.
        literals.put(name, rex.translate(c.rexList.get(0), List.of()));
        calls.add(new AggCall(AggCall.Function.COUNT_STAR, null, false, name));
      } else if (c.filterArg >= 0) {
        // agg(x) FILTER (WHERE f) = agg(CASE WHEN f THEN x END); COUNT(*) counts CASE ... THEN 1
        if (c.isDistinct() || c.getArgList().size() > 1) {
          throw RexTranslator.unsupported("FILTER on " + c);
        }
        String col = "$filter" + calls.size();
        Expr value =
            c.getArgList().isEmpty()
                ? new Expr.Literal(1, DataType.INT32)
                : new Expr.Column(names.get(c.getArgList().get(0)));
        in =
            in.withColumn(
                col,
                new Expr.Case(
                    List.of(new Expr.When(new Expr.Column(names.get(c.filterArg)), value)), null));
        AggregateCall plain =
            AggregateCall.create(
                c.getParserPosition(),
                c.getAggregation(),
                false,
                c.isApproximate(),
                c.ignoreNulls(),
                c.rexList,
                List.of(in.schema().size() - 1),
                -1,
                c.distinctKeys,
                c.collation,
                c.getType(),
                c.getName());
        calls.add(aggCall(plain, in.schema().names(), name));
      } else {
        calls.add(aggCall(c, names, name));
      }
    }
    Query grouped = in.groupBy(keys.toArray()).agg(calls.toArray(AggCall[]::new));
    if (literals.isEmpty()) {
      return grouped;
    }
    Object[] cols = new Object[outNames.size()];
    for (int i = 0; i < cols.length; i++) {
      String n = outNames.get(i);
      Expr lit = literals.get(n);
      cols[i] = lit == null ? new Expr.Column(n) : lit.as(n);
    }
    return grouped.select(cols);
  }

  private static AggCall aggCall(AggregateCall c, List<String> names, String name) {
    if (c.filterArg >= 0) {
      throw RexTranslator.unsupported("FILTER on an aggregate");
    }
    if (c.getArgList().size() > 1) {
      throw RexTranslator.unsupported("aggregates of several arguments (" + c + ")");
    }
    Expr arg = c.getArgList().isEmpty() ? null : new Expr.Column(names.get(c.getArgList().get(0)));
    AggCall.Function f =
        switch (c.getAggregation().getKind()) {
          case SUM, SUM0 -> AggCall.Function.SUM;
          case COUNT -> arg == null ? AggCall.Function.COUNT_STAR : AggCall.Function.COUNT;
          case MIN -> AggCall.Function.MIN;
          case MAX, SINGLE_VALUE -> AggCall.Function.MAX;
          case AVG -> AggCall.Function.AVG;
          default -> throw RexTranslator.unsupported("aggregate " + c.getAggregation().getName());
        };
    if (c.isDistinct() && f != AggCall.Function.COUNT) {
      throw RexTranslator.unsupported(c.getAggregation().getName() + "(DISTINCT ...)");
    }
    return new AggCall(f, arg, c.isDistinct(), name);
  }

  private Query join(Join j) {
    JoinType type =
        switch (j.getJoinType()) {
          case INNER -> JoinType.INNER;
          case LEFT -> JoinType.LEFT;
          case RIGHT -> JoinType.RIGHT;
          case FULL -> JoinType.FULL;
          case SEMI -> JoinType.SEMI;
          case ANTI -> JoinType.ANTI;
          default -> throw RexTranslator.unsupported(j.getJoinType() + " join");
        };
    int nl = j.getLeft().getRowType().getFieldCount();
    Query left = lower(j.getLeft());
    Query right = lower(j.getRight());
    List<String> names = new ArrayList<>();
    if (type.outputsBuildColumns()) {
      names.addAll(j.getRowType().getFieldNames());
      right = rename(right, names.subList(nl, names.size()));
    } else {
      names.addAll(left.schema().names());
      Set<String> taken = new HashSet<>(names);
      List<String> rightNames = new ArrayList<>();
      for (String n : right.schema().names()) {
        String u = unique(n, taken);
        rightNames.add(u);
        names.add(u);
      }
      right = rename(right, rightNames);
    }
    // factor terms common to every branch of an OR out of it (TPC-H Q19: p_partkey = l_partkey
    // in each branch), so that they become join keys instead of a residual over a cross product
    RexNode cond = RexUtil.pullFactors(j.getCluster().getRexBuilder(), j.getCondition());
    if (!JoinInfo.of(j.getLeft(), j.getRight(), cond).leftKeys.isEmpty()) {
      Expr on = rex.translate(cond, names);
      JoinType swapped = buildLeft(j, type);
      if (swapped == null) {
        return left.join(right, on, type);
      }
      if (swapped.testsExistence()) {
        // EXISTS / NOT EXISTS with the outer side built: the output is its rows, in its columns
        return right.join(left, on, swapped);
      }
      // the right side goes into the hash table: build the smaller one, keep the column order
      Object[] keep = new Object[names.size()];
      for (int i = 0; i < keep.length; i++) {
        keep[i] = names.get(i);
      }
      return right.join(left, on, swapped).select(keep);
    }
    boolean oneBucket = type == JoinType.INNER || type == JoinType.LEFT && cond.isAlwaysTrue();
    if (!oneBucket) {
      throw RexTranslator.unsupported(type + " join without an equality condition");
    }
    // Cross join, inner join on non-equi conditions only, or a left join with the one-row side
    // of a scalar subquery: join on a constant key.
    Query l2 = left.withColumn("$cross_l", new Expr.Literal(1, DataType.INT32));
    Query r2 = right.withColumn("$cross_r", new Expr.Literal(1, DataType.INT32));
    Expr on =
        new Expr.Comparison(CompareOp.EQ, new Expr.Column("$cross_l"), new Expr.Column("$cross_r"));
    if (!cond.isAlwaysTrue()) {
      on = new Expr.Logical(true, List.of(on, rex.translate(cond, names)));
    }
    Query joined = l2.join(r2, on, type);
    Object[] keep = new Object[names.size()];
    for (int i = 0; i < keep.length; i++) {
      keep[i] = names.get(i);
    }
    return joined.select(keep);
  }

  /** How many times smaller the outer side of a semi or anti join must be to be built. */
  private static final double BUILD_OUTER_RATIO = 4;

  /**
   * The join type to use with the sides swapped when the left input is estimated to be smaller, so
   * that it becomes the build side; {@code null} to keep the sides. A semi or anti join swaps to
   * RIGHT_SEMI / RIGHT_ANTI only when its outer side is several times smaller (its rows are then
   * emitted by one worker at the end); a full join keeps its sides (nothing to gain).
   */
  private static @Nullable JoinType buildLeft(Join j, JoinType type) {
    JoinType swapped =
        switch (type) {
          case INNER -> JoinType.INNER;
          case LEFT -> JoinType.RIGHT;
          case RIGHT -> JoinType.LEFT;
          case SEMI -> JoinType.RIGHT_SEMI;
          case ANTI -> JoinType.RIGHT_ANTI;
          default -> null;
        };
    if (swapped == null) {
      return null;
    }
    Cardinality card = new Cardinality(j.getCluster().getMetadataQuery());
    double ratio = swapped.testsExistence() ? BUILD_OUTER_RATIO : 1;
    return card.rows(j.getLeft()) * ratio < card.rows(j.getRight()) ? swapped : null;
  }

  private static String unique(String name, Set<String> taken) {
    String u = name;
    for (int i = 1; !taken.add(u); i++) {
      u = name + "_" + i;
    }
    return u;
  }

  private Query sort(Sort s) {
    Query q = lower(s.getInput());
    List<String> names = q.schema().names();
    List<RelFieldCollation> fields = s.getCollation().getFieldCollations();
    if (!fields.isEmpty()) {
      Object[] keys = new Object[fields.size()];
      for (int i = 0; i < keys.length; i++) {
        RelFieldCollation fc = fields.get(i);
        Expr e = new Expr.Column(names.get(fc.getFieldIndex()));
        SortKey k = fc.getDirection().isDescending() ? e.desc() : e.asc();
        keys[i] =
            fc.nullDirection == RelFieldCollation.NullDirection.FIRST
                ? k.withNullsFirst()
                : k.withNullsLast();
      }
      q = q.orderBy(keys);
    }
    if (s.offset != null) {
      q = q.offset(count(s.offset, "OFFSET"));
    }
    if (s.fetch != null) {
      q = q.limit(count(s.fetch, "LIMIT"));
    }
    return q;
  }

  private long count(RexNode n, String what) {
    Long v = (Long) rex.constant(n, Long.class);
    if (v == null) {
      throw RexTranslator.unsupported(what + " that is not an integer constant");
    }
    return v;
  }

  /** One engine window node per Calcite window group, stacked: each adds its functions. */
  private Query window(Window w) {
    Query q = lower(w.getInput());
    int inputWidth = w.getInput().getRowType().getFieldCount();
    List<String> outNames = w.getRowType().getFieldNames();
    int at = inputWidth;
    for (Window.Group g : w.groups) {
      Schema in = PlanNode.decoded(q.schema());
      int[] partition = g.keys.toArray();
      List<SortSink.Key> order = new ArrayList<>();
      for (RelFieldCollation fc : g.orderKeys.getFieldCollations()) {
        order.add(
            new SortSink.Key(
                fc.getFieldIndex(),
                !fc.getDirection().isDescending(),
                fc.nullDirection == RelFieldCollation.NullDirection.FIRST));
      }
      List<WindowSpec.Function> fns = new ArrayList<>();
      List<Field> fields = new ArrayList<>(in.fields());
      for (Window.RexWinAggCall call : g.aggCalls) {
        WindowSpec.Function f = windowFunction(w, call, in, inputWidth, outNames.get(at++));
        fns.add(f);
        fields.add(new Field(f.name(), f.type(), true));
      }
      if (g.exclude != org.apache.calcite.rex.RexWindowExclusion.EXCLUDE_NO_OTHER) {
        throw RexTranslator.unsupported("window frame " + g.exclude);
      }
      WindowSpec.Bound lower = bound(w, g.lowerBound, inputWidth);
      WindowSpec.Bound upper = bound(w, g.upperBound, inputWidth);
      if (!g.isRows && (offset(lower) || offset(upper))) {
        throw RexTranslator.unsupported(
            "a RANGE frame with an offset (RANGE BETWEEN "
                + lower
                + " AND "
                + upper
                + "; use ROWS, or UNBOUNDED / CURRENT ROW)");
      }
      WindowSpec spec = new WindowSpec(partition, order, g.isRows, lower, upper, fns);
      q = Query.of(engine, new PlanNode.Window(q.plan(), spec, new Schema(fields)));
    }
    return q;
  }

  private static boolean offset(WindowSpec.Bound b) {
    return b.kind() == WindowSpec.BoundKind.PRECEDING || b.kind() == WindowSpec.BoundKind.FOLLOWING;
  }

  private static @Nullable RexLiteral constant(Window w, RexNode n, int inputWidth) {
    if (n instanceof RexLiteral l) {
      return l;
    }
    if (n instanceof org.apache.calcite.rex.RexInputRef r && r.getIndex() >= inputWidth) {
      return w.constants.get(r.getIndex() - inputWidth);
    }
    return null;
  }

  private static WindowSpec.Bound bound(Window w, RexWindowBound b, int inputWidth) {
    if (b.isCurrentRow()) {
      return new WindowSpec.Bound(WindowSpec.BoundKind.CURRENT_ROW, 0);
    }
    if (b.isUnbounded()) {
      return new WindowSpec.Bound(
          b.isPreceding()
              ? WindowSpec.BoundKind.UNBOUNDED_PRECEDING
              : WindowSpec.BoundKind.UNBOUNDED_FOLLOWING,
          0);
    }
    RexNode off = b.getOffset();
    RexLiteral lit = off == null ? null : constant(w, off, inputWidth);
    Long v = lit == null ? null : lit.getValueAs(Long.class);
    if (v == null || v < 0) {
      throw RexTranslator.unsupported(
          "a window frame offset that is not a constant count (" + b + ")");
    }
    return new WindowSpec.Bound(
        b.isPreceding() ? WindowSpec.BoundKind.PRECEDING : WindowSpec.BoundKind.FOLLOWING, v);
  }

  private static WindowSpec.Function windowFunction(
      Window w, Window.RexWinAggCall call, Schema in, int inputWidth, String name) {
    if (call.distinct) {
      throw RexTranslator.unsupported("DISTINCT in a window function (" + call + ")");
    }
    List<RexNode> ops = call.getOperands();
    int arg = -1;
    DataType argType = null;
    if (!ops.isEmpty()) {
      if (!(ops.get(0) instanceof org.apache.calcite.rex.RexInputRef r)
          || r.getIndex() >= inputWidth) {
        throw RexTranslator.unsupported("a window function of a constant (" + call + ")");
      }
      arg = r.getIndex();
      argType = in.field(arg).type();
    }
    SqlKind kind = call.getOperator().getKind();
    WindowSpec.Kind k =
        switch (kind) {
          case ROW_NUMBER -> WindowSpec.Kind.ROW_NUMBER;
          case RANK -> WindowSpec.Kind.RANK;
          case DENSE_RANK -> WindowSpec.Kind.DENSE_RANK;
          case COUNT -> arg < 0 ? WindowSpec.Kind.COUNT_STAR : WindowSpec.Kind.COUNT;
          case SUM -> WindowSpec.Kind.SUM;
          case SUM0 -> WindowSpec.Kind.SUM0;
          case AVG -> WindowSpec.Kind.AVG;
          case MIN -> WindowSpec.Kind.MIN;
          case MAX -> WindowSpec.Kind.MAX;
          case FIRST_VALUE -> WindowSpec.Kind.FIRST_VALUE;
          case LAST_VALUE -> WindowSpec.Kind.LAST_VALUE;
          case LAG -> WindowSpec.Kind.LAG;
          case LEAD -> WindowSpec.Kind.LEAD;
          default ->
              throw RexTranslator.unsupported("window function " + call.getOperator().getName());
        };
    DataType type;
    try {
      type =
          switch (k) {
            case ROW_NUMBER, RANK, DENSE_RANK, COUNT_STAR, COUNT -> DataType.INT64;
            case SUM, SUM0 ->
                dev.amalgam.exec.run.AggSpec.resultType(AggCall.Function.SUM, argType, name);
            case AVG ->
                dev.amalgam.exec.run.AggSpec.resultType(AggCall.Function.AVG, argType, name);
            case MIN, MAX -> {
              DataType t = java.util.Objects.requireNonNull(argType, name).computeType();
              if (t.kind() == DataType.Kind.BOOL) {
                throw new IllegalArgumentException("MIN/MAX of a boolean is not supported");
              }
              yield t;
            }
            default -> java.util.Objects.requireNonNull(argType, name).computeType();
          };
    } catch (IllegalArgumentException e) {
      throw new dev.amalgam.exec.QueryException(
          dev.amalgam.exec.QueryException.Code.INVALID, String.valueOf(e.getMessage()), e);
    }
    long offset = 1;
    Object def = null;
    if (k == WindowSpec.Kind.LAG || k == WindowSpec.Kind.LEAD) {
      if (ops.size() > 1) {
        RexLiteral o = constant(w, ops.get(1), inputWidth);
        Long v = o == null ? null : o.getValueAs(Long.class);
        if (v == null || v < 0) {
          throw RexTranslator.unsupported(
              call.getOperator().getName() + " with an offset that is not a constant count");
        }
        offset = v;
      }
      if (ops.size() > 2) {
        RexLiteral d = constant(w, ops.get(2), inputWidth);
        if (d == null) {
          throw RexTranslator.unsupported(
              call.getOperator().getName() + " with a default that is not a constant");
        }
        def = Literals.coerce(RexTranslator.literal(d).value(), type);
      }
    }
    return new WindowSpec.Function(k, arg, offset, def, type, name);
  }

  /** Constant rows: each literal converted to its column's compute type. */
  private Query values(Values v) {
    List<Field> fields = new ArrayList<>();
    for (RelDataTypeField f : v.getRowType().getFieldList()) {
      DataType t =
          f.getType().getSqlTypeName() == SqlTypeName.NULL
              ? DataType.INT32
              : RexTranslator.type(f.getType());
      fields.add(new Field(f.getName(), t, true));
    }
    List<List<@Nullable Object>> rows = new ArrayList<>();
    for (List<RexLiteral> tuple : v.getTuples()) {
      List<@Nullable Object> row = new ArrayList<>();
      for (int i = 0; i < tuple.size(); i++) {
        Object value = RexTranslator.literal(tuple.get(i)).value();
        row.add(Literals.coerce(value, fields.get(i).type()));
      }
      rows.add(row);
    }
    return Query.of(engine, new PlanNode.Values(rows, new Schema(fields)));
  }

  private Query union(Union u) {
    List<String> names = u.getRowType().getFieldNames();
    List<DataType> target = new ArrayList<>();
    for (RelDataTypeField f : u.getRowType().getFieldList()) {
      target.add(RexTranslator.type(f.getType()));
    }
    List<Query> inputs = new ArrayList<>();
    for (RelNode in : u.getInputs()) {
      inputs.add(lower(in));
    }
    Query out = null;
    for (Query in : inputs) {
      Query q = conform(in, names, target, inputs);
      out = out == null ? q : out.unionAll(q);
    }
    if (out == null) {
      throw RexTranslator.unsupported("an empty UNION");
    }
    return u.all ? out : out.distinct();
  }

  /** {@code q} with column types equal across the union's inputs, cast to the union's type. */
  private static Query conform(
      Query q, List<String> names, List<DataType> target, List<Query> inputs) {
    List<Field> mine = PlanNode.decoded(q.schema()).fields();
    boolean castAll = false;
    for (Query other : inputs) {
      List<Field> theirs = PlanNode.decoded(other.schema()).fields();
      for (int i = 0; i < mine.size(); i++) {
        castAll |= !mine.get(i).type().equals(theirs.get(i).type());
      }
    }
    if (!castAll) {
      return rename(q, names);
    }
    Object[] cols = new Object[names.size()];
    for (int i = 0; i < cols.length; i++) {
      cols[i] = new Expr.Column(mine.get(i).name()).cast(target.get(i)).as(names.get(i));
    }
    return q.select(cols);
  }
}
