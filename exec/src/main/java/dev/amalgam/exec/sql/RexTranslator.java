package dev.amalgam.exec.sql;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.expr.Expr;
import dev.amalgam.kernels.ArithmeticOp;
import dev.amalgam.kernels.CompareOp;
import dev.amalgam.kernels.DatePart;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.avatica.util.TimeUnitRange;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlLikeOperator;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.jspecify.annotations.Nullable;

/**
 * Translates Calcite row expressions into the engine's {@link Expr}s over named input columns, so
 * that the engine's binder types them exactly as it types fluent queries.
 */
final class RexTranslator {
  /*
   * Input references become column names (the lowering keeps every node's column names equal to
   * Calcite's field names). SEARCH calls (Calcite's compressed IN lists and ranges) are expanded
   * back into comparisons first. Date +/- interval: whole days become date +/- int days;
   * month and year intervals are folded at planning time when the date is a constant, and become
   * AddMonths (end-of-month clamping) on a date column.
   */

  private static final long MILLIS_PER_DAY = 86_400_000L;

  private final RexBuilder rexBuilder;
  private final @Nullable List<@Nullable Object> params;

  /** A translator of a query without parameters. */
  RexTranslator(RexBuilder rexBuilder) {
    this(rexBuilder, null);
  }

  /**
   * A translator that replaces parameter {@code i} by the constant {@code params.get(i)} (a Java
   * value of the parameter's compute type, checked by {@link PreparedQuery}).
   */
  RexTranslator(RexBuilder rexBuilder, @Nullable List<@Nullable Object> params) {
    this.rexBuilder = rexBuilder;
    this.params = params;
  }

  /** The constant bound to a parameter. */
  Expr.Literal parameter(RexDynamicParam p) {
    List<@Nullable Object> values = params;
    if (values == null || p.getIndex() >= values.size()) {
      throw new QueryException(
          QueryException.Code.INVALID,
          "the query has a parameter (?) without a value: prepare it with engine.prepare(sql)"
              + " and pass the values to execute(...)");
    }
    return new Expr.Literal(values.get(p.getIndex()), type(p.getType()));
  }

  /** The value of a literal or bound parameter, or null when {@code n} is neither. */
  @Nullable Object constant(RexNode n, Class<?> as) {
    if (n instanceof RexLiteral l) {
      return l.getValueAs(as);
    }
    if (n instanceof RexDynamicParam p) {
      Object v = parameter(p).value();
      if (v instanceof Number x && (as == Long.class)) {
        return x.longValue();
      }
      return as.isInstance(v) ? v : null;
    }
    return null;
  }

  /** {@code n} over input columns named {@code names}. */
  Expr translate(RexNode n, List<String> names) {
    return t(RexUtil.expandSearch(rexBuilder, null, n), names);
  }

  private Expr t(RexNode n, List<String> names) {
    if (n instanceof RexInputRef r) {
      return new Expr.Column(names.get(r.getIndex()));
    }
    if (n instanceof RexLiteral l) {
      return literal(l);
    }
    if (n instanceof RexDynamicParam p) {
      return parameter(p);
    }
    if (!(n instanceof RexCall c)) {
      throw unsupported("expression " + n);
    }
    LocalDate folded = constantDate(c);
    if (folded != null) {
      return new Expr.Literal(folded, DataType.DATE32);
    }
    List<RexNode> ops = c.getOperands();
    SqlKind kind = c.getKind();
    switch (kind) {
      case PLUS, MINUS -> {
        if (isInterval(ops.get(1).getType())) {
          return dateInterval(c, names);
        }
        return arith(kind == SqlKind.PLUS ? ArithmeticOp.ADD : ArithmeticOp.SUBTRACT, c, names);
      }
      case TIMES -> {
        return arith(ArithmeticOp.MULTIPLY, c, names);
      }
      case DIVIDE -> {
        return arith(ArithmeticOp.DIVIDE, c, names);
      }
      case MOD -> {
        return arith(ArithmeticOp.MODULO, c, names);
      }
      case MINUS_PREFIX -> {
        return new Expr.Arithmetic(
            ArithmeticOp.SUBTRACT, new Expr.Literal(0, DataType.INT32), t(ops.get(0), names));
      }
      case PLUS_PREFIX -> {
        return t(ops.get(0), names);
      }
      case EQUALS -> {
        return cmp(CompareOp.EQ, c, names);
      }
      case NOT_EQUALS -> {
        return cmp(CompareOp.NE, c, names);
      }
      case LESS_THAN -> {
        return cmp(CompareOp.LT, c, names);
      }
      case LESS_THAN_OR_EQUAL -> {
        return cmp(CompareOp.LE, c, names);
      }
      case GREATER_THAN -> {
        return cmp(CompareOp.GT, c, names);
      }
      case GREATER_THAN_OR_EQUAL -> {
        return cmp(CompareOp.GE, c, names);
      }
      case AND -> {
        return new Expr.Logical(true, all(ops, names));
      }
      case OR -> {
        List<Expr> terms = all(ops, names);
        Expr in = inList(terms);
        return in != null ? in : new Expr.Logical(false, terms);
      }
      case NOT -> {
        return new Expr.Not(t(ops.get(0), names));
      }
      case IS_NULL, IS_NOT_NULL -> {
        return new Expr.IsNull(t(ops.get(0), names), kind == SqlKind.IS_NOT_NULL);
      }
      case IS_TRUE, IS_NOT_TRUE, IS_FALSE, IS_NOT_FALSE -> {
        Expr op = t(ops.get(0), names);
        Expr cond = kind == SqlKind.IS_TRUE || kind == SqlKind.IS_NOT_TRUE ? op : new Expr.Not(op);
        boolean positive = kind == SqlKind.IS_TRUE || kind == SqlKind.IS_FALSE;
        return new Expr.Case(List.of(new Expr.When(cond, bool(positive))), bool(!positive));
      }
      case CASE -> {
        List<Expr.When> whens = new ArrayList<>();
        for (int i = 0; i + 1 < ops.size(); i += 2) {
          whens.add(new Expr.When(t(ops.get(i), names), t(ops.get(i + 1), names)));
        }
        Expr otherwise = ops.size() % 2 == 1 ? t(ops.get(ops.size() - 1), names) : null;
        return new Expr.Case(whens, otherwise);
      }
      case CAST -> {
        Expr op = t(ops.get(0), names);
        DataType to = type(c.getType());
        if (op instanceof Expr.Literal l && l.type().isString() && to.isString()) {
          return l; // CHAR(n) padding of literals is not applied
        }
        return new Expr.Cast(op, to);
      }
      case LIKE -> {
        if (ops.size() > 2) {
          throw unsupported("LIKE ... ESCAPE");
        }
        boolean negated = c.getOperator() instanceof SqlLikeOperator op && op.isNegated();
        return new Expr.Like(
            t(ops.get(0), names), stringLiteral(ops.get(1), "LIKE pattern"), negated);
      }
      case EXTRACT -> {
        return new Expr.Extract(datePart(ops.get(0)), t(ops.get(1), names));
      }
      default -> {}
    }
    String fn = c.getOperator().getName().toUpperCase(Locale.ROOT);
    switch (fn) {
      case "SUBSTRING" -> {
        long start = longLiteral(ops.get(1), "SUBSTRING start");
        long length =
            ops.size() > 2 ? longLiteral(ops.get(2), "SUBSTRING length") : Integer.MAX_VALUE;
        return new Expr.Substring(t(ops.get(0), names), start, length);
      }
      case "CHAR_LENGTH", "CHARACTER_LENGTH" -> {
        return new Expr.CharLength(t(ops.get(0), names));
      }
      default -> throw unsupported("function or operator " + c.getOperator().getName());
    }
  }

  private List<Expr> all(List<RexNode> ops, List<String> names) {
    List<Expr> out = new ArrayList<>(ops.size());
    for (RexNode o : ops) {
      out.add(t(o, names));
    }
    return out;
  }

  private Expr arith(ArithmeticOp op, RexCall c, List<String> names) {
    List<RexNode> ops = c.getOperands();
    return new Expr.Arithmetic(op, t(ops.get(0), names), t(ops.get(1), names));
  }

  /**
   * {@code e IN (c1, c2, ...)} when {@code terms} are all {@code e = ci} for one expression {@code
   * e} and non-null constants (Calcite's expansion of an IN list), so that {@code e} is evaluated
   * once; null otherwise. Equal under SQL's three-valued logic: both are null exactly when {@code
   * e} is null.
   */
  private static Expr.@Nullable In inList(List<Expr> terms) {
    if (terms.size() < 2) {
      return null;
    }
    Expr operand = null;
    List<Expr> values = new ArrayList<>();
    for (Expr t : terms) {
      if (!(t instanceof Expr.Comparison c) || c.op() != CompareOp.EQ) {
        return null;
      }
      Expr e;
      Expr.Literal k;
      if (c.right() instanceof Expr.Literal r && !(c.left() instanceof Expr.Literal)) {
        e = c.left();
        k = r;
      } else if (c.left() instanceof Expr.Literal l && !(c.right() instanceof Expr.Literal)) {
        e = c.right();
        k = l;
      } else {
        return null;
      }
      if (k.value() == null
          || (operand != null && !operand.equals(e))
          || (!values.isEmpty() && !((Expr.Literal) values.get(0)).type().equals(k.type()))) {
        return null; // a null, another expression, or literals of two types (left as ORs)
      }
      operand = e;
      values.add(k);
    }
    return operand == null ? null : new Expr.In(operand, values, false);
  }

  private Expr cmp(CompareOp op, RexCall c, List<String> names) {
    List<RexNode> ops = c.getOperands();
    return new Expr.Comparison(op, t(ops.get(0), names), t(ops.get(1), names));
  }

  private static Expr bool(boolean b) {
    return new Expr.Literal(b, DataType.BOOL);
  }

  // ---- dates and intervals ---------------------------------------------------------------------

  private static boolean isInterval(RelDataType t) {
    return SqlTypeName.INTERVAL_TYPES.contains(t.getSqlTypeName());
  }

  private static boolean isYearMonth(RelDataType t) {
    return t.getSqlTypeName().getFamily() == SqlTypeFamily.INTERVAL_YEAR_MONTH;
  }

  private Expr dateInterval(RexCall c, List<String> names) {
    RexNode date = c.getOperands().get(0);
    RexNode interval = c.getOperands().get(1);
    if (!(interval instanceof RexLiteral lit)) {
      throw unsupported("date arithmetic with a non-constant interval (" + c + ")");
    }
    if (date.getType().getSqlTypeName() != SqlTypeName.DATE) {
      throw unsupported("interval arithmetic on " + date.getType() + " (" + c + ")");
    }
    if (isYearMonth(interval.getType())) {
      BigDecimal months = lit.getValueAs(BigDecimal.class);
      if (months == null) {
        throw unsupported("interval " + lit);
      }
      long m = months.longValueExact();
      return new Expr.AddMonths(t(date, names), c.getKind() == SqlKind.PLUS ? m : -m);
    }
    BigDecimal millis = lit.getValueAs(BigDecimal.class);
    if (millis == null || millis.remainder(BigDecimal.valueOf(MILLIS_PER_DAY)).signum() != 0) {
      throw unsupported("intervals other than whole days on dates (" + c + ")");
    }
    int days = millis.divide(BigDecimal.valueOf(MILLIS_PER_DAY)).intValueExact();
    ArithmeticOp op = c.getKind() == SqlKind.PLUS ? ArithmeticOp.ADD : ArithmeticOp.SUBTRACT;
    return new Expr.Arithmetic(op, t(date, names), new Expr.Literal(days, DataType.INT32));
  }

  /** The value of a constant date expression (literal, cast text, +/- interval), or null. */
  private static @Nullable LocalDate constantDate(RexNode n) {
    if (n.getType().getSqlTypeName() != SqlTypeName.DATE) {
      return null;
    }
    if (n instanceof RexLiteral l) {
      Integer days = l.getValueAs(Integer.class);
      return days == null ? null : LocalDate.ofEpochDay(days);
    }
    if (!(n instanceof RexCall c)) {
      return null;
    }
    List<RexNode> ops = c.getOperands();
    if (c.getKind() == SqlKind.CAST
        && ops.get(0) instanceof RexLiteral l
        && SqlTypeName.CHAR_TYPES.contains(l.getType().getSqlTypeName())) {
      String s = l.getValueAs(String.class);
      try {
        return s == null ? null : LocalDate.parse(s.strip());
      } catch (java.time.format.DateTimeParseException e) {
        return null;
      }
    }
    if ((c.getKind() == SqlKind.PLUS || c.getKind() == SqlKind.MINUS)
        && ops.size() == 2
        && ops.get(1) instanceof RexLiteral lit
        && isInterval(lit.getType())) {
      LocalDate base = constantDate(ops.get(0));
      BigDecimal v = lit.getValueAs(BigDecimal.class);
      if (base == null || v == null) {
        return null;
      }
      long sign = c.getKind() == SqlKind.PLUS ? 1 : -1;
      if (isYearMonth(lit.getType())) {
        return base.plusMonths(sign * v.longValueExact());
      }
      BigDecimal[] dr = v.divideAndRemainder(BigDecimal.valueOf(MILLIS_PER_DAY));
      if (dr[1].signum() != 0) {
        return null;
      }
      return base.plusDays(sign * dr[0].longValueExact());
    }
    return null;
  }

  private static DatePart datePart(RexNode flag) {
    TimeUnitRange unit = flag instanceof RexLiteral l ? l.getValueAs(TimeUnitRange.class) : null;
    if (unit == null) {
      throw unsupported("EXTRACT of " + flag);
    }
    return switch (unit) {
      case YEAR -> DatePart.YEAR;
      case QUARTER -> DatePart.QUARTER;
      case MONTH -> DatePart.MONTH;
      case DAY -> DatePart.DAY;
      case DOW -> DatePart.DAY_OF_WEEK;
      case DOY -> DatePart.DAY_OF_YEAR;
      default -> throw unsupported("EXTRACT(" + unit + " ...)");
    };
  }

  // ---- literals and types ----------------------------------------------------------------------

  private String stringLiteral(RexNode n, String what) {
    String s = (String) constant(n, String.class);
    if (s == null) {
      throw unsupported(what + " that is not a string constant (" + n + ")");
    }
    return s;
  }

  private long longLiteral(RexNode n, String what) {
    Long v = (Long) constant(n, Long.class);
    if (v == null) {
      throw unsupported(what + " that is not an integer constant (" + n + ")");
    }
    return v;
  }

  static Expr.Literal literal(RexLiteral l) {
    RelDataType rt = l.getType();
    SqlTypeName tn = rt.getSqlTypeName();
    if (tn == SqlTypeName.NULL) {
      return new Expr.Literal(null, DataType.BOOL);
    }
    DataType type = type(rt);
    if (l.isNull()) {
      return new Expr.Literal(null, type);
    }
    Object v =
        switch (type.kind()) {
          case BOOL -> l.getValueAs(Boolean.class);
          case INT32 -> l.getValueAs(Integer.class);
          case INT64 -> l.getValueAs(Long.class);
          case FLOAT64 -> l.getValueAs(Double.class);
          case DECIMAL -> l.getValueAs(BigDecimal.class);
          case DATE32 -> {
            Integer days = l.getValueAs(Integer.class);
            yield days == null ? null : LocalDate.ofEpochDay(days);
          }
          case TIMESTAMP -> {
            Long millis = l.getValueAs(Long.class);
            yield millis == null ? null : Instant.ofEpochMilli(millis);
          }
          case UTF8 -> l.getValueAs(String.class);
          default -> throw unsupported("literal " + l);
        };
    return new Expr.Literal(v, type);
  }

  /** The engine's compute type for a SQL type. */
  static DataType type(RelDataType t) {
    SqlTypeName tn = t.getSqlTypeName();
    return switch (tn) {
      case BOOLEAN -> DataType.BOOL;
      case TINYINT, SMALLINT, INTEGER -> DataType.INT32;
      case BIGINT -> DataType.INT64;
      case REAL, FLOAT, DOUBLE -> DataType.FLOAT64;
      case DECIMAL -> {
        int p = Math.min(t.getPrecision(), DataType.MAX_DECIMAL_PRECISION);
        int s = Math.min(t.getScale(), p);
        yield DataType.decimal(Math.max(p, 1), Math.max(s, 0));
      }
      case DATE -> DataType.DATE32;
      case TIMESTAMP -> DataType.TIMESTAMP;
      case CHAR, VARCHAR -> DataType.UTF8;
      default -> throw unsupported("SQL type " + t.getFullTypeString());
    };
  }

  static QueryException unsupported(String what) {
    return new QueryException(QueryException.Code.INVALID, what + " is not supported yet");
  }
}
