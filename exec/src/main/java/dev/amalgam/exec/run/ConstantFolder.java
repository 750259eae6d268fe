package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.run.BoundExpr.Const;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryPool;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Replaces every subtree of a bound expression whose operands are all constants with the constant
 * it evaluates to, so that {@code l_discount >= CAST(0.06 - 0.01 AS DECIMAL(15,2))} compares a
 * column with one value instead of evaluating the arithmetic and the cast for every row.
 *
 * <p>A subtree is folded by running the executor's own evaluator on a one-row batch, so folding
 * never changes a result. A subtree whose evaluation fails (an overflow, a division by zero, a cast
 * that does not convert) is kept as it is: the error then surfaces only if a row reaches it,
 * exactly as without folding.
 */
public final class ConstantFolder {
  private static final long FOLD_LIMIT = 1L << 20;

  private ConstantFolder() {}

  /** {@code e} with its constant subtrees evaluated. */
  public static BoundExpr fold(BoundExpr e) {
    return switch (e) {
      case BoundExpr.ColumnRef c -> c;
      case Const c -> c;
      case BoundExpr.Arith a ->
          tryFold(new BoundExpr.Arith(a.op(), fold(a.left()), fold(a.right()), a.type()));
      case BoundExpr.Cmp c -> tryFold(new BoundExpr.Cmp(c.op(), fold(c.left()), fold(c.right())));
      case BoundExpr.AndOr l -> tryFold(new BoundExpr.AndOr(l.isAnd(), foldAll(l.terms())));
      case BoundExpr.Not n -> tryFold(new BoundExpr.Not(fold(n.operand())));
      case BoundExpr.IsNull n -> tryFold(new BoundExpr.IsNull(fold(n.operand()), n.negated()));
      case BoundExpr.Between b ->
          tryFold(new BoundExpr.Between(fold(b.operand()), fold(b.low()), fold(b.high())));
      case BoundExpr.InList in ->
          tryFold(new BoundExpr.InList(fold(in.operand()), in.values(), in.negated()));
      case BoundExpr.Case c ->
          tryFold(
              new BoundExpr.Case(
                  foldAll(c.conditions()), foldAll(c.values()), fold(c.otherwise()), c.type()));
      case BoundExpr.CastTo c -> tryFold(new BoundExpr.CastTo(fold(c.operand()), c.type()));
      case BoundExpr.Extract x -> tryFold(new BoundExpr.Extract(x.part(), fold(x.operand())));
      case BoundExpr.AddMonths m -> tryFold(new BoundExpr.AddMonths(fold(m.operand()), m.months()));
      case BoundExpr.Like l ->
          tryFold(new BoundExpr.Like(fold(l.operand()), l.pattern(), l.negated()));
      case BoundExpr.Substring s ->
          tryFold(new BoundExpr.Substring(fold(s.operand()), s.start(), s.length()));
      case BoundExpr.CharLength c -> tryFold(new BoundExpr.CharLength(fold(c.operand())));
    };
  }

  private static List<BoundExpr> foldAll(List<BoundExpr> es) {
    List<BoundExpr> out = new ArrayList<>(es.size());
    for (BoundExpr e : es) {
      out.add(fold(e));
    }
    return List.copyOf(out);
  }

  /** {@code e} as a constant when all its operands are constants and it evaluates; else e. */
  private static BoundExpr tryFold(BoundExpr e) {
    if (!operandsConstant(e) || e.type().kind() == DataType.Kind.DICTIONARY_UTF8) {
      return e;
    }
    try (MemoryPool pool = MemoryPool.create("constant folding", FOLD_LIMIT);
        MemoryConsumer consumer = pool.consumer("constant folding");
        Scratch scratch = new Scratch(consumer)) {
      Vec v = ExprEvaluator.evaluate(e, Batch.dense(new Vec[0], 1), scratch);
      return new Const(physical(v), e.type());
    } catch (RuntimeException ex) {
      return e;
    }
  }

  private static boolean operandsConstant(BoundExpr e) {
    return switch (e) {
      case BoundExpr.ColumnRef c -> false;
      case Const c -> false;
      case BoundExpr.Arith a -> a.left() instanceof Const && a.right() instanceof Const;
      case BoundExpr.Cmp c -> c.left() instanceof Const && c.right() instanceof Const;
      case BoundExpr.AndOr l -> allConst(l.terms());
      case BoundExpr.Not n -> n.operand() instanceof Const;
      case BoundExpr.IsNull n -> n.operand() instanceof Const;
      case BoundExpr.Between b ->
          b.operand() instanceof Const && b.low() instanceof Const && b.high() instanceof Const;
      case BoundExpr.InList in -> in.operand() instanceof Const;
      case BoundExpr.Case c ->
          allConst(c.conditions()) && allConst(c.values()) && c.otherwise() instanceof Const;
      case BoundExpr.CastTo c -> c.operand() instanceof Const;
      case BoundExpr.Extract x -> x.operand() instanceof Const;
      case BoundExpr.AddMonths m -> m.operand() instanceof Const;
      case BoundExpr.Like l -> l.operand() instanceof Const;
      case BoundExpr.Substring s -> s.operand() instanceof Const;
      case BoundExpr.CharLength c -> c.operand() instanceof Const;
    };
  }

  private static boolean allConst(List<BoundExpr> es) {
    for (BoundExpr e : es) {
      if (!(e instanceof Const)) {
        return false;
      }
    }
    return true;
  }

  /** Row 0 of {@code v} in the representation {@link Const} holds (null for SQL NULL). */
  private static @Nullable Object physical(Vec v) {
    if (v.isNull(0)) {
      return null;
    }
    return switch (v.type().kind()) {
      case BOOL -> v.getBool(0);
      case INT8, INT16, INT32, DATE32 -> v.getInt(0);
      case INT64, DECIMAL, TIMESTAMP -> v.getLong(0);
      case FLOAT32, FLOAT64 -> v.getDouble(0);
      case UTF8, DICTIONARY_UTF8 -> v.getBytes(0);
    };
  }
}
