package dev.amalgam.exec;

import dev.amalgam.exec.expr.AggCall;
import dev.amalgam.exec.expr.Expr;
import dev.amalgam.exec.expr.Exprs;
import dev.amalgam.exec.expr.SortKey;
import dev.amalgam.exec.plan.Binder;
import dev.amalgam.exec.plan.BoundExprs;
import dev.amalgam.exec.plan.PlanNode;
import dev.amalgam.exec.run.AggSpec;
import dev.amalgam.exec.run.BoundExpr;
import dev.amalgam.exec.run.JoinType;
import dev.amalgam.kernels.CompareOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A query under construction: an immutable logical plan plus the engine it runs on. Every method
 * returns a new query; expressions are checked against the input's columns at once (an unknown
 * column or a type error throws {@link QueryException} with code INVALID naming it). Run it with
 * {@link #execute()}.
 */
public final class Query {
  private final Engine engine;
  private final PlanNode plan;
  private final @Nullable Duration timeout;

  Query(Engine engine, PlanNode plan, @Nullable Duration timeout) {
    this.engine = engine;
    this.plan = plan;
    this.timeout = timeout;
  }

  /** Wraps a logical plan built elsewhere (the SQL front end). */
  public static Query of(Engine engine, PlanNode plan) {
    return new Query(engine, plan, null);
  }

  /** The logical plan. */
  public PlanNode plan() {
    return plan;
  }

  /** The output columns. */
  public Schema schema() {
    return plan.schema();
  }

  private Query with(PlanNode p) {
    return new Query(engine, p, timeout);
  }

  private static BoundExpr bind(Expr e, Schema schema) {
    try {
      return Binder.bind(e, schema);
    } catch (IllegalArgumentException ex) {
      throw new QueryException(QueryException.Code.INVALID, String.valueOf(ex.getMessage()), ex);
    }
  }

  /** Rows where {@code predicate} is true. */
  public Query filter(Expr predicate) {
    BoundExpr b = bind(predicate, schema());
    if (b.type().kind() != DataType.Kind.BOOL) {
      throw new QueryException(
          QueryException.Code.INVALID,
          "a filter must be a boolean expression; " + predicate + " is " + b.type());
    }
    return with(new PlanNode.Filter(plan, b));
  }

  /** The given columns or expressions (Strings are column names). */
  public Query select(Object... exprs) {
    List<BoundExpr> bound = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    for (Object o : exprs) {
      Expr e = toExpr(o);
      BoundExpr b = bind(e, schema());
      bound.add(b);
      fields.add(new Field(Binder.nameOf(e), b.type(), true));
    }
    return with(new PlanNode.Project(plan, bound, schema(fields)));
  }

  private static Schema schema(List<Field> fields) {
    try {
      return new Schema(fields);
    } catch (IllegalArgumentException e) {
      throw new QueryException(
          QueryException.Code.INVALID,
          e.getMessage() + " (give columns distinct names with as())",
          e);
    }
  }

  /** Every column plus {@code expr} under {@code name}. */
  public Query withColumn(String name, Expr expr) {
    List<Object> all = new ArrayList<>();
    for (String n : schema().names()) {
      all.add(Exprs.col(n));
    }
    all.add(expr.as(name));
    return select(all.toArray());
  }

  private static Expr toExpr(Object o) {
    return o instanceof String s ? Exprs.col(s) : Exprs.expr(o);
  }

  /** Groups by {@code keys} (column names or expressions); follow with {@link Grouped#agg}. */
  public Grouped groupBy(Object... keys) {
    List<Expr> k = new ArrayList<>();
    for (Object o : keys) {
      k.add(toExpr(o));
    }
    return new Grouped(this, k);
  }

  /** Aggregates over all rows: one output row. */
  public Query agg(AggCall... aggs) {
    return new Grouped(this, List.of()).agg(aggs);
  }

  /** A GROUP BY waiting for its aggregates. */
  public static final class Grouped {
    private final Query query;
    private final List<Expr> keys;

    Grouped(Query query, List<Expr> keys) {
      this.query = query;
      this.keys = List.copyOf(keys);
    }

    /** The keys then the aggregates, one row per group. */
    public Query agg(AggCall... aggs) {
      Schema in = query.schema();
      List<BoundExpr> boundKeys = new ArrayList<>();
      List<Field> fields = new ArrayList<>();
      for (Expr k : keys) {
        BoundExpr b = bind(k, in);
        boundKeys.add(b);
        DataType t = b.type().kind() == DataType.Kind.DICTIONARY_UTF8 ? DataType.UTF8 : b.type();
        fields.add(new Field(Binder.nameOf(k), t, true));
      }
      List<AggSpec> specs = new ArrayList<>();
      boolean distinct = false;
      for (AggCall a : aggs) {
        distinct |= a.distinct();
      }
      if (distinct) {
        return distinctAgg(aggs);
      }
      for (AggCall a : aggs) {
        BoundExpr arg = a.argument() == null ? null : bind(a.argument(), in);
        DataType t;
        try {
          t = AggSpec.resultType(a.function(), arg == null ? null : arg.type(), a.describe());
        } catch (IllegalArgumentException e) {
          throw new QueryException(QueryException.Code.INVALID, String.valueOf(e.getMessage()), e);
        }
        specs.add(new AggSpec(a.function(), arg, t, a.name()));
        fields.add(new Field(a.name(), t, true));
      }
      return query.with(new PlanNode.Aggregate(query.plan, boundKeys, specs, schema(fields)));
    }

    /** COUNT(DISTINCT x) etc.: group by keys + x first, then aggregate per key. */
    private Query distinctAgg(AggCall[] aggs) {
      Expr arg = null;
      for (AggCall a : aggs) {
        if (!a.distinct()) {
          throw new QueryException(
              QueryException.Code.INVALID,
              "mixing DISTINCT and plain aggregates in one GROUP BY is not supported: " + a);
        }
        if (arg != null && !arg.equals(a.argument())) {
          throw new QueryException(
              QueryException.Code.INVALID,
              "DISTINCT aggregates over different arguments are not supported: " + a);
        }
        arg = a.argument();
      }
      Expr distinctArg = Objects.requireNonNull(arg);
      List<Object> inner = new ArrayList<>(keys);
      inner.add(distinctArg.as("$distinct"));
      Query grouped = query.groupBy(inner.toArray()).agg();
      List<Object> outerKeys = new ArrayList<>();
      for (Expr k : keys) {
        outerKeys.add(Exprs.col(Binder.nameOf(k)));
      }
      AggCall[] outer = new AggCall[aggs.length];
      for (int i = 0; i < aggs.length; i++) {
        AggCall a = aggs[i];
        outer[i] = new AggCall(a.function(), Exprs.col("$distinct"), false, a.name());
      }
      return grouped.groupBy(outerKeys.toArray()).agg(outer);
    }
  }

  /** Inner join on {@code on} (equalities between this query's and {@code other}'s columns). */
  public Query join(Query other, Expr on) {
    return join(other, on, JoinType.INNER);
  }

  /** Left outer join. */
  public Query leftJoin(Query other, Expr on) {
    return join(other, on, JoinType.LEFT);
  }

  /** Rows of this query with a match in {@code other} (EXISTS / IN). */
  public Query semiJoin(Query other, Expr on) {
    return join(other, on, JoinType.SEMI);
  }

  /** Rows of this query without a match in {@code other} (NOT EXISTS). */
  public Query antiJoin(Query other, Expr on) {
    return join(other, on, JoinType.ANTI);
  }

  /**
   * A join of {@code type}. Output: this query's columns then {@code other}'s (SEMI / ANTI: this
   * query's only; RIGHT_SEMI / RIGHT_ANTI: {@code other}'s rows with / without a match here, its
   * columns only); column names must not clash. {@code on} is an AND of equalities between a column
   * expression of each side, plus (inner joins and the four existence joins) any other conditions;
   * {@code other} is the side held in the hash table.
   */
  public Query join(Query other, Expr on, JoinType type) {
    if (other.engine != engine) {
      throw new QueryException(QueryException.Code.INVALID, "cannot join queries of two engines");
    }
    Schema joined;
    try {
      joined = PlanNode.joinInput(schema(), other.schema(), type);
    } catch (IllegalArgumentException e) {
      throw new QueryException(
          QueryException.Code.INVALID,
          "join output would have two columns of one name: "
              + e.getMessage()
              + "; rename one side's column with select(col(\"x\").as(\"y\"))",
          e);
    }
    BoundExpr cond = bind(on, joined);
    int lw = schema().size();
    List<BoundExpr> lk = new ArrayList<>();
    List<BoundExpr> rk = new ArrayList<>();
    List<BoundExpr> residual = new ArrayList<>();
    for (BoundExpr c : BoundExprs.conjuncts(cond)) {
      if (c instanceof BoundExpr.Cmp cmp && cmp.op() == CompareOp.EQ) {
        BitSet l = BoundExprs.refs(cmp.left());
        BitSet r = BoundExprs.refs(cmp.right());
        if (side(l, lw) == 0 && side(r, lw) == 1) {
          lk.add(cmp.left());
          rk.add(BoundExprs.remap(cmp.right(), i -> i - lw));
          continue;
        }
        if (side(l, lw) == 1 && side(r, lw) == 0) {
          lk.add(cmp.right());
          rk.add(BoundExprs.remap(cmp.left(), i -> i - lw));
          continue;
        }
      }
      residual.add(c);
    }
    if (lk.isEmpty()) {
      throw new QueryException(
          QueryException.Code.INVALID,
          "join condition " + on + " has no equality between the two sides");
    }
    if (!residual.isEmpty() && type != JoinType.INNER && !type.testsExistence()) {
      throw new QueryException(
          QueryException.Code.INVALID,
          type + " join conditions other than equalities are not supported: " + residual);
    }
    Schema out = PlanNode.joinSchema(schema(), other.schema(), type);
    return with(
        new PlanNode.Join(
            plan,
            other.plan,
            type,
            lk,
            rk,
            residual.isEmpty() ? null : BoundExprs.and(residual),
            out));
  }

  /** 0 when every column is on the left, 1 when all on the right, -1 otherwise or none. */
  private static int side(BitSet refs, int leftWidth) {
    if (refs.isEmpty()) {
      return -1;
    }
    if (refs.nextSetBit(leftWidth) < 0) {
      return 0;
    }
    return refs.nextSetBit(0) >= leftWidth ? 1 : -1;
  }

  /** Sorted by {@code keys}: SortKeys, expressions (ascending) or column names. */
  public Query orderBy(Object... keys) {
    List<PlanNode.SortKey> bound = new ArrayList<>();
    for (Object o : keys) {
      SortKey k = o instanceof SortKey s ? s : toExpr(o).asc();
      bound.add(new PlanNode.SortKey(bind(k.expr(), schema()), k.ascending(), k.nullsFirst()));
    }
    return with(new PlanNode.Sort(plan, bound, Long.MAX_VALUE));
  }

  /** At most {@code n} rows. */
  public Query limit(long n) {
    if (n < 0) {
      throw new QueryException(QueryException.Code.INVALID, "LIMIT must not be negative: " + n);
    }
    if (plan instanceof PlanNode.Limit l) {
      return with(new PlanNode.Limit(l.input(), l.offset(), Math.min(l.limit(), n)));
    }
    return with(new PlanNode.Limit(plan, 0, n));
  }

  /** Skips {@code n} rows. */
  public Query offset(long n) {
    if (n < 0) {
      throw new QueryException(QueryException.Code.INVALID, "OFFSET must not be negative: " + n);
    }
    return with(new PlanNode.Limit(plan, n, Long.MAX_VALUE));
  }

  /** Distinct rows. */
  public Query distinct() {
    return groupBy(schema().names().toArray()).agg();
  }

  /** This query's rows followed by {@code other}'s (same column count and types). */
  public Query unionAll(Query other) {
    Schema a = PlanNode.decoded(schema());
    Schema b = PlanNode.decoded(other.schema());
    if (a.size() != b.size()) {
      throw new QueryException(
          QueryException.Code.INVALID,
          "UNION ALL of " + a.size() + " and " + b.size() + " columns: " + a + " vs " + b);
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.field(i).type().equals(b.field(i).type())) {
        throw new QueryException(
            QueryException.Code.INVALID,
            "UNION ALL column "
                + (i + 1)
                + " is "
                + a.field(i).type()
                + " on the left and "
                + b.field(i).type()
                + " on the right; cast one side");
      }
    }
    List<PlanNode> inputs = new ArrayList<>();
    for (PlanNode p : List.of(plan, other.plan)) {
      if (p instanceof PlanNode.Union u) {
        inputs.addAll(u.inputs());
      } else {
        inputs.add(p);
      }
    }
    return with(new PlanNode.Union(inputs, a));
  }

  /** The same query with a timeout. */
  public Query timeout(Duration limit) {
    return new Query(engine, plan, Objects.requireNonNull(limit, "limit is null"));
  }

  /** Runs the query and returns its rows. */
  public Result execute() {
    return engine.execute(plan, timeout, null, false);
  }

  /** Runs the query; {@code handle} can cancel it from another thread. */
  public Result execute(Engine.Handle handle) {
    return engine.execute(plan, timeout, handle, false);
  }

  /** The optimized plan with placement and pipelines, without running it. */
  public String explain() {
    return engine.explain(plan);
  }

  /**
   * Runs the query and returns its rows with the profile ({@link Result#analysis()}): rows and time
   * per operator, morsels and busy time per device, bytes per link (measured and modeled seconds),
   * pages migrated, evicted and spilled.
   */
  public Result explainAnalyze() {
    return engine.execute(plan, timeout, null, true);
  }

  /** {@link #explainAnalyze()}; {@code handle} can cancel it from another thread. */
  public Result explainAnalyze(Engine.Handle handle) {
    return engine.execute(plan, timeout, handle, true);
  }

  @Override
  public String toString() {
    return "query " + schema();
  }
}
