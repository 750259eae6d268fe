package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArithmeticOp;
import dev.amalgam.kernels.CompareOp;
import dev.amalgam.kernels.DatePart;
import dev.amalgam.kernels.LikePattern;
import java.util.BitSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A resolved, type-checked expression: column references are indices into the input batch, every
 * node knows its result type (a compute type, see {@link DataType#computeType()}), and implicit
 * conversions are explicit {@link CastTo} nodes. The binder makes these from the user's {@code
 * Expr}; {@link ExprEvaluator} runs them over batches with the kernels.
 *
 * <p>Operand typing rules the binder guarantees:
 *
 * <ul>
 *   <li>{@link Arith}: int32, int64 and float64 operands have the result type; decimal operands are
 *       both decimal (any scales; the kernels' rules give the result type); date32 +/- int32 gives
 *       date32, date32 - date32 gives int32 days.
 *   <li>{@link Cmp}, {@link Between}, {@link InList}: operands have one common type (for decimals,
 *       one common scale).
 *   <li>Boolean nodes have type bool; {@link Case} values all have the case's type.
 * </ul>
 *
 * Constants ({@link Const#value()}): Integer for int32/date32, Long for int64, timestamp
 * (microseconds) and decimal (unscaled), Double for float64, Boolean for bool, byte[] (UTF-8) for
 * utf8, or null for a typed NULL.
 */
public sealed interface BoundExpr {
  /** The result type. */
  DataType type();

  /** Adds the input columns {@code e} reads to {@code out}. */
  static void refs(BoundExpr e, BitSet out) {
    switch (e) {
      case ColumnRef c -> out.set(c.index());
      case Const c -> {}
      case Arith a -> {
        refs(a.left(), out);
        refs(a.right(), out);
      }
      case Cmp c -> {
        refs(c.left(), out);
        refs(c.right(), out);
      }
      case AndOr a -> a.terms().forEach(t -> refs(t, out));
      case Not n -> refs(n.operand(), out);
      case IsNull n -> refs(n.operand(), out);
      case Between b -> {
        refs(b.operand(), out);
        refs(b.low(), out);
        refs(b.high(), out);
      }
      case InList i -> refs(i.operand(), out);
      case Case c -> {
        c.conditions().forEach(t -> refs(t, out));
        c.values().forEach(t -> refs(t, out));
        refs(c.otherwise(), out);
      }
      case CastTo c -> refs(c.operand(), out);
      case Extract x -> refs(x.operand(), out);
      case AddMonths m -> refs(m.operand(), out);
      case Like l -> refs(l.operand(), out);
      case Substring s -> refs(s.operand(), out);
      case CharLength l -> refs(l.operand(), out);
    }
  }

  /** Input column {@code index}. */
  record ColumnRef(int index, DataType type, String name) implements BoundExpr {
    @Override
    public String toString() {
      return name;
    }
  }

  /** A constant. */
  record Const(@Nullable Object value, DataType type) implements BoundExpr {
    /** Equal type and value; utf8 values compare by content. */
    @Override
    public boolean equals(@Nullable Object o) {
      if (!(o instanceof Const c) || !c.type.equals(type)) {
        return false;
      }
      if (value instanceof byte[] a && c.value instanceof byte[] b) {
        return java.util.Arrays.equals(a, b);
      }
      return java.util.Objects.equals(value, c.value);
    }

    @Override
    public int hashCode() {
      return 31 * type.hashCode()
          + (value instanceof byte[] b
              ? java.util.Arrays.hashCode(b)
              : java.util.Objects.hashCode(value));
    }

    @Override
    public String toString() {
      if (value instanceof byte[] b) {
        return "'" + new String(b, java.nio.charset.StandardCharsets.UTF_8) + "'";
      }
      if (value != null && type.kind() == DataType.Kind.DECIMAL) {
        return java.math.BigDecimal.valueOf((Long) value, type.scale()).toPlainString();
      }
      if (value != null && type.kind() == DataType.Kind.DATE32) {
        return "DATE '" + java.time.LocalDate.ofEpochDay((Integer) value) + "'";
      }
      return String.valueOf(value);
    }
  }

  /** {@code left op right}. */
  record Arith(ArithmeticOp op, BoundExpr left, BoundExpr right, DataType type)
      implements BoundExpr {
    @Override
    public String toString() {
      return "(" + left + " " + op.symbol() + " " + right + ")";
    }
  }

  /** {@code left op right}, bool. */
  record Cmp(CompareOp op, BoundExpr left, BoundExpr right) implements BoundExpr {
    @Override
    public DataType type() {
      return DataType.BOOL;
    }

    @Override
    public String toString() {
      return "(" + left + " " + op.symbol() + " " + right + ")";
    }
  }

  /** AND / OR with three-valued logic. */
  record AndOr(boolean isAnd, List<BoundExpr> terms) implements BoundExpr {
    @Override
    public DataType type() {
      return DataType.BOOL;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("(");
      for (int i = 0; i < terms.size(); i++) {
        sb.append(i == 0 ? "" : isAnd ? " AND " : " OR ").append(terms.get(i));
      }
      return sb.append(')').toString();
    }
  }

  /** NOT (null stays null). */
  record Not(BoundExpr operand) implements BoundExpr {
    @Override
    public DataType type() {
      return DataType.BOOL;
    }

    @Override
    public String toString() {
      return "(NOT " + operand + ")";
    }
  }

  /** IS [NOT] NULL (never null). */
  record IsNull(BoundExpr operand, boolean negated) implements BoundExpr {
    @Override
    public DataType type() {
      return DataType.BOOL;
    }

    @Override
    public String toString() {
      return "(" + operand + (negated ? " IS NOT NULL)" : " IS NULL)");
    }
  }

  /** {@code low <= operand <= high}. */
  record Between(BoundExpr operand, BoundExpr low, BoundExpr high) implements BoundExpr {
    @Override
    public DataType type() {
      return DataType.BOOL;
    }

    @Override
    public String toString() {
      return "(" + operand + " BETWEEN " + low + " AND " + high + ")";
    }
  }

  /** {@code operand [NOT] IN (constants)}; the constants are not null. */
  record InList(BoundExpr operand, List<Const> values, boolean negated) implements BoundExpr {
    @Override
    public DataType type() {
      return DataType.BOOL;
    }

    @Override
    public String toString() {
      return "(" + operand + (negated ? " NOT IN " : " IN ") + values + ")";
    }
  }

  /** CASE WHEN conditions[i] THEN values[i] ... ELSE otherwise END. */
  record Case(
      List<BoundExpr> conditions, List<BoundExpr> values, BoundExpr otherwise, DataType type)
      implements BoundExpr {
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("CASE");
      for (int i = 0; i < conditions.size(); i++) {
        sb.append(" WHEN ").append(conditions.get(i)).append(" THEN ").append(values.get(i));
      }
      return sb.append(" ELSE ").append(otherwise).append(" END").toString();
    }
  }

  /** A conversion to {@code type}. */
  record CastTo(BoundExpr operand, DataType type) implements BoundExpr {
    @Override
    public String toString() {
      return "CAST(" + operand + " AS " + type + ")";
    }
  }

  /** A part of a date32 (int32). */
  record Extract(DatePart part, BoundExpr operand) implements BoundExpr {
    @Override
    public DataType type() {
      return DataType.INT32;
    }

    @Override
    public String toString() {
      return "EXTRACT(" + part + " FROM " + operand + ")";
    }
  }

  /** A date32 plus a number of months, clamped to the end of the month. */
  record AddMonths(BoundExpr operand, long months) implements BoundExpr {
    @Override
    public DataType type() {
      return DataType.DATE32;
    }

    @Override
    public String toString() {
      return "(" + operand + " + INTERVAL '" + months + "' MONTH)";
    }
  }

  /** {@code operand [NOT] LIKE pattern}. */
  record Like(BoundExpr operand, LikePattern pattern, boolean negated) implements BoundExpr {
    @Override
    public DataType type() {
      return DataType.BOOL;
    }

    @Override
    public String toString() {
      return "(" + operand + (negated ? " NOT LIKE '" : " LIKE '") + pattern.pattern() + "')";
    }
  }

  /** SUBSTRING (1-based, code points). */
  record Substring(BoundExpr operand, long start, long length) implements BoundExpr {
    @Override
    public DataType type() {
      return DataType.UTF8;
    }

    @Override
    public String toString() {
      return "SUBSTRING(" + operand + " FROM " + start + " FOR " + length + ")";
    }
  }

  /** CHAR_LENGTH (int32). */
  record CharLength(BoundExpr operand) implements BoundExpr {
    @Override
    public DataType type() {
      return DataType.INT32;
    }

    @Override
    public String toString() {
      return "CHAR_LENGTH(" + operand + ")";
    }
  }
}
