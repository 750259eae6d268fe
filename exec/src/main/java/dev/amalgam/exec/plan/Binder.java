package dev.amalgam.exec.plan;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.DataType.Kind;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.expr.Expr;
import dev.amalgam.exec.run.BoundExpr;
import dev.amalgam.exec.run.BoundExpr.Const;
import dev.amalgam.exec.run.ConstantFolder;
import dev.amalgam.kernels.ArithmeticOp;
import dev.amalgam.kernels.DecimalType;
import dev.amalgam.kernels.LikePattern;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Resolves a user {@link Expr} against an input {@link Schema} into a type-checked {@link
 * BoundExpr}: column names become indices, literals become constants in the evaluator's
 * representation, and implicit conversions become explicit {@link BoundExpr.CastTo} nodes.
 */
public final class Binder {
  /*
   * Typing rules (SQL-standard-like):
   *
   *  - Numeric promotion: int32 < int64 < decimal < float64. int32 op int64 is int64; an integer
   *    with a decimal is a decimal (int32 as decimal(10,0), int64 as decimal(18,0), an integer
   *    literal as decimal(digits,0)); anything with float64 is float64. Decimal arithmetic keeps
   *    both operands' scales and takes the kernels' result type (DecimalType.resultOf).
   *  - Comparisons (=, <, BETWEEN, IN) bring their operands to one type. A literal is converted to
   *    the other operand's type when that is exact (int32_col < 5L, price > 0.05, d = '1998-12-01'),
   *    so that the filter kernels compare a column with a constant directly; otherwise the common
   *    type above applies to both sides.
   *  - date32 +/- int32 is date32; date32 - date32 is int32 days. date32 with timestamp compares as
   *    timestamp.
   *  - A dictionary<utf8> column keeps its type (so that the evaluator can use the dictionary
   *    kernels) and types as utf8 everywhere; other narrow storage types (int8, int16, float32)
   *    are read in their compute type.
   *  - CASE values are converted to one common type; a missing ELSE is a NULL of that type.
   *  - x IN (a, NULL) is bound as (x IN (a)) OR NULL (and NOT IN as AND NULL), which is its exact
   *    three-valued meaning, so that InList itself never holds a NULL.
   */

  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private final Schema input;

  private Binder(Schema input) {
    this.input = input;
  }

  /**
   * Binds {@code e} to the columns of {@code input}.
   *
   * @throws BindException for an unknown column, mismatched types, or a bad literal or pattern
   */
  public static BoundExpr bind(Expr e, Schema input) {
    Objects.requireNonNull(e, "e is null");
    Objects.requireNonNull(input, "input is null");
    return ConstantFolder.fold(new Binder(input).b(e, e));
  }

  /** The output column name of {@code e}: its alias, its column name, or its text. */
  public static String nameOf(Expr e) {
    return switch (e) {
      case Expr.Alias a -> a.name();
      case Expr.Column c -> c.name();
      default -> e.toString();
    };
  }

  // ---- the tree ------------------------------------------------------------------------------

  private BoundExpr b(Expr e, Expr root) {
    return switch (e) {
      case Expr.Column c -> column(c, root);
      case Expr.Literal l -> literal(l);
      case Expr.Alias a -> b(a.operand(), root);
      case Expr.Arithmetic a -> arithmetic(a, b(a.left(), root), b(a.right(), root));
      case Expr.Comparison c -> {
        List<BoundExpr> ops = unify(List.of(b(c.left(), root), b(c.right(), root)), c);
        yield new BoundExpr.Cmp(c.op(), ops.get(0), ops.get(1));
      }
      case Expr.Logical l -> {
        List<BoundExpr> terms = new ArrayList<>(l.terms().size());
        for (Expr t : l.terms()) {
          terms.add(condition(b(t, root), l.isAnd() ? "AND term" : "OR term", l));
        }
        yield new BoundExpr.AndOr(l.isAnd(), List.copyOf(terms));
      }
      case Expr.Not n -> new BoundExpr.Not(condition(b(n.operand(), root), "NOT operand", n));
      case Expr.IsNull n -> new BoundExpr.IsNull(b(n.operand(), root), n.negated());
      case Expr.Between w -> {
        List<BoundExpr> ops =
            unify(List.of(b(w.operand(), root), b(w.low(), root), b(w.high(), root)), w);
        yield new BoundExpr.Between(ops.get(0), ops.get(1), ops.get(2));
      }
      case Expr.In in -> in(in, root);
      case Expr.Case c -> caseOf(c, root);
      case Expr.Cast c -> cast(b(c.operand(), root), c.type(), c);
      case Expr.Extract x -> {
        BoundExpr op = b(x.operand(), root);
        if (op.type().kind() == Kind.TIMESTAMP) {
          op = new BoundExpr.CastTo(op, DataType.DATE32);
        }
        if (op.type().kind() != Kind.DATE32) {
          throw BindException.typeMismatch(
              "cannot extract " + x.part() + " from " + op.type() + " (need date32)", x.toString());
        }
        yield new BoundExpr.Extract(x.part(), op);
      }
      case Expr.AddMonths m -> {
        BoundExpr op = b(m.operand(), root);
        if (op.type().kind() != Kind.DATE32) {
          throw BindException.typeMismatch(
              "cannot add months to " + op.type() + " (need date32)", m.toString());
        }
        yield new BoundExpr.AddMonths(op, m.months());
      }
      case Expr.Like l -> {
        BoundExpr op = string(b(l.operand(), root), "LIKE", l);
        LikePattern p;
        try {
          p = LikePattern.compile(l.pattern(), '\\');
        } catch (IllegalArgumentException ex) {
          throw BindException.invalid(
              "bad LIKE pattern '" + l.pattern() + "': " + ex.getMessage(), l.toString());
        }
        yield new BoundExpr.Like(op, p, l.negated());
      }
      case Expr.Substring s -> {
        if (s.length() < 0) {
          throw BindException.invalid(
              "SUBSTRING length must be >= 0; was " + s.length(), s.toString());
        }
        yield new BoundExpr.Substring(
            string(b(s.operand(), root), "SUBSTRING", s), s.start(), s.length());
      }
      case Expr.CharLength c ->
          new BoundExpr.CharLength(string(b(c.operand(), root), "CHAR_LENGTH", c));
    };
  }

  private BoundExpr column(Expr.Column c, Expr root) {
    int i = input.find(c.name());
    if (i < 0) {
      throw BindException.unknownColumn(
          c.name(), root.toString(), String.join(", ", input.names()));
    }
    Field f = input.field(i);
    DataType t = f.type().kind() == Kind.DICTIONARY_UTF8 ? f.type() : f.type().computeType();
    return new BoundExpr.ColumnRef(i, t, f.name());
  }

  private static BoundExpr condition(BoundExpr e, String what, Expr ctx) {
    if (e.type().kind() != Kind.BOOL) {
      throw BindException.typeMismatch(
          what + " " + e + " is " + e.type() + ", not bool", ctx.toString());
    }
    return e;
  }

  private static BoundExpr string(BoundExpr e, String what, Expr ctx) {
    if (!e.type().isString()) {
      throw BindException.typeMismatch(
          what + " needs utf8; " + e + " is " + e.type(), ctx.toString());
    }
    return e;
  }

  // ---- arithmetic ----------------------------------------------------------------------------

  private static BoundExpr arithmetic(Expr.Arithmetic a, BoundExpr l, BoundExpr r) {
    DataType lt = l.type();
    DataType rt = r.type();
    ArithmeticOp op = a.op();
    boolean addSub = op == ArithmeticOp.ADD || op == ArithmeticOp.SUBTRACT;
    if (lt.kind() == Kind.DATE32 || rt.kind() == Kind.DATE32) {
      if (lt.kind() == Kind.DATE32 && rt.kind() == Kind.DATE32 && op == ArithmeticOp.SUBTRACT) {
        return new BoundExpr.Arith(op, l, r, DataType.INT32);
      }
      if (lt.kind() == Kind.DATE32 && rt.isInteger() && addSub) {
        return new BoundExpr.Arith(op, l, toType(r, DataType.INT32), DataType.DATE32);
      }
      if (rt.kind() == Kind.DATE32 && lt.isInteger() && op == ArithmeticOp.ADD) {
        return new BoundExpr.Arith(op, r, toType(l, DataType.INT32), DataType.DATE32);
      }
      throw cannotApply(a, lt, rt);
    }
    if (!lt.isNumeric() || !rt.isNumeric()) {
      throw cannotApply(a, lt, rt);
    }
    if (lt.kind() == Kind.FLOAT64 || rt.kind() == Kind.FLOAT64) {
      return new BoundExpr.Arith(
          op, toType(l, DataType.FLOAT64), toType(r, DataType.FLOAT64), DataType.FLOAT64);
    }
    if (lt.kind() == Kind.DECIMAL || rt.kind() == Kind.DECIMAL) {
      BoundExpr dl = asDecimal(l);
      BoundExpr dr = asDecimal(r);
      DecimalType result;
      try {
        result = decimalType(dl.type()).resultOf(op, decimalType(dr.type()));
      } catch (IllegalArgumentException ex) {
        throw BindException.typeMismatch(String.valueOf(ex.getMessage()), a.toString());
      }
      return new BoundExpr.Arith(op, dl, dr, DataType.decimal(result.precision(), result.scale()));
    }
    if (lt.kind() == Kind.INT32 && rt.kind() == Kind.INT32) {
      return new BoundExpr.Arith(op, l, r, DataType.INT32);
    }
    return new BoundExpr.Arith(
        op, toType(l, DataType.INT64), toType(r, DataType.INT64), DataType.INT64);
  }

  private static BindException cannotApply(Expr.Arithmetic a, DataType lt, DataType rt) {
    return BindException.typeMismatch(
        "cannot apply " + a.op().symbol() + " to " + lt + " and " + rt, a.toString());
  }

  /** An integer or decimal operand as a decimal: a literal with its own digits. */
  private static BoundExpr asDecimal(BoundExpr e) {
    DataType t = e.type();
    if (t.kind() == Kind.DECIMAL) {
      return e;
    }
    if (e instanceof Const c && c.value() != null) {
      long v = ((Number) c.value()).longValue();
      int digits = BigInteger.valueOf(v).abs().toString().length();
      if (digits <= DataType.MAX_DECIMAL_PRECISION) {
        return new Const(v, DataType.decimal(digits, 0));
      }
    }
    return toType(e, DataType.decimal(t.kind() == Kind.INT32 ? 10 : 18, 0));
  }

  private static DecimalType decimalType(DataType t) {
    return DecimalType.of(t.precision(), t.scale());
  }

  // ---- comparisons ---------------------------------------------------------------------------

  /** Brings comparison operands to one type, converting literals exactly where possible. */
  private static List<BoundExpr> unify(List<BoundExpr> ops, Expr ctx) {
    for (int i = 0; i < ops.size(); i++) {
      for (int j = i + 1; j < ops.size(); j++) {
        if (!comparable(ops.get(i), ops.get(j))) {
          throw BindException.typeMismatch(
              "cannot compare " + ops.get(i).type() + " with " + ops.get(j).type(), ctx.toString());
        }
      }
    }
    DataType target = null;
    for (BoundExpr o : ops) {
      if (!(o instanceof Const)) {
        target = target == null ? o.type() : common(target, o.type());
      }
    }
    if (target == null) {
      for (BoundExpr o : ops) {
        target = target == null ? o.type() : common(target, o.type());
      }
    }
    if (target == null) {
      throw BindException.typeMismatch("no common type", ctx.toString());
    }
    // Widen the target for literals that do not convert exactly (int32_col < 2.5).
    for (BoundExpr o : ops) {
      if (o instanceof Const c && coerce(c, target, ctx) == null) {
        DataType wider = common(target, c.type());
        if (wider != null) {
          target = wider;
        }
      }
    }
    List<BoundExpr> out = new ArrayList<>(ops.size());
    for (BoundExpr o : ops) {
      if (o.type().isString() && target.isString()) {
        out.add(o); // utf8 and dictionary<utf8> compare directly
      } else {
        out.add(toType(o, target, ctx));
      }
    }
    return out;
  }

  private static boolean comparable(BoundExpr a, BoundExpr b) {
    if (common(a.type(), b.type()) != null) {
      return true;
    }
    return isTextConst(a) && isTemporal(b.type()) || isTextConst(b) && isTemporal(a.type());
  }

  private static boolean isTextConst(BoundExpr e) {
    return e instanceof Const && e.type().kind() == Kind.UTF8;
  }

  private static boolean isTemporal(DataType t) {
    return t.kind() == Kind.DATE32 || t.kind() == Kind.TIMESTAMP;
  }

  /** The type two operands compute in, or null when they do not go together. */
  static @Nullable DataType common(DataType a, DataType b) {
    if (a.equals(b)) {
      return a;
    }
    if (a.isString() && b.isString()) {
      return DataType.UTF8;
    }
    if (a.isNumeric() && b.isNumeric()) {
      if (a.kind() == Kind.FLOAT64 || b.kind() == Kind.FLOAT64) {
        return DataType.FLOAT64;
      }
      if (a.kind() == Kind.DECIMAL || b.kind() == Kind.DECIMAL) {
        DataType da = integerAsDecimal(a);
        DataType db = integerAsDecimal(b);
        int scale = Math.max(da.scale(), db.scale());
        int digits = Math.max(da.precision() - da.scale(), db.precision() - db.scale());
        return DataType.decimal(Math.min(DataType.MAX_DECIMAL_PRECISION, digits + scale), scale);
      }
      return DataType.INT64;
    }
    if (isTemporal(a) && isTemporal(b)) {
      return DataType.TIMESTAMP;
    }
    return null;
  }

  private static DataType integerAsDecimal(DataType t) {
    return switch (t.kind()) {
      case DECIMAL -> t;
      case INT32 -> DataType.decimal(10, 0);
      default -> DataType.decimal(18, 0);
    };
  }

  // ---- IN, CASE, CAST --------------------------------------------------------------------------

  private BoundExpr in(Expr.In in, Expr root) {
    BoundExpr operand = b(in.operand(), root);
    List<BoundExpr> ops = new ArrayList<>();
    ops.add(operand);
    boolean sawNull = false;
    for (Expr v : in.values()) {
      if (!(v instanceof Expr.Literal l)) {
        throw BindException.invalid("IN values must be literals; got " + v, in.toString());
      }
      Const c = literal(l);
      if (c.value() == null) {
        sawNull = true;
      } else {
        ops.add(c);
      }
    }
    BoundExpr nullBool = new Const(null, DataType.BOOL);
    if (ops.size() == 1) {
      return nullBool; // x IN (NULL, ...) is NULL for every row
    }
    List<BoundExpr> unified = unify(ops, in);
    List<Const> values = new ArrayList<>(unified.size() - 1);
    for (int i = 1; i < unified.size(); i++) {
      BoundExpr v = unified.get(i);
      if (!(v instanceof Const c)) {
        throw BindException.invalid(
            "IN value " + ops.get(i) + " does not convert to " + unified.get(0).type(),
            in.toString());
      }
      values.add(c);
    }
    BoundExpr list = new BoundExpr.InList(unified.get(0), List.copyOf(values), in.negated());
    if (!sawNull) {
      return list;
    }
    return new BoundExpr.AndOr(in.negated(), List.of(list, nullBool));
  }

  private BoundExpr caseOf(Expr.Case c, Expr root) {
    List<BoundExpr> conditions = new ArrayList<>();
    List<BoundExpr> values = new ArrayList<>();
    for (Expr.When w : c.whens()) {
      conditions.add(condition(b(w.condition(), root), "CASE condition", c));
      values.add(b(w.value(), root));
    }
    Expr otherwise = c.otherwise();
    BoundExpr other = otherwise == null ? null : b(otherwise, root);
    List<BoundExpr> all = new ArrayList<>(values);
    if (other != null) {
      all.add(other);
    }
    DataType target = null;
    for (int pass = 0; pass < 2 && target == null; pass++) {
      for (BoundExpr v : all) {
        if (pass == 1 || !(v instanceof Const k && k.value() == null)) {
          DataType t = target == null ? v.type() : common(target, v.type());
          if (t == null) {
            throw BindException.typeMismatch(
                "CASE values have incompatible types " + target + " and " + v.type(), c.toString());
          }
          target = t;
        }
      }
    }
    DataType type = Objects.requireNonNull(target).computeType();
    List<BoundExpr> cast = new ArrayList<>(values.size());
    for (BoundExpr v : values) {
      cast.add(toType(v, type, c));
    }
    BoundExpr elseValue = other == null ? new Const(null, type) : toType(other, type, c);
    return new BoundExpr.Case(List.copyOf(conditions), List.copyOf(cast), elseValue, type);
  }

  private static BoundExpr cast(BoundExpr op, DataType to, Expr ctx) {
    DataType from = op.type();
    switch (to.kind()) {
      case INT8, INT16, FLOAT32 ->
          throw BindException.invalid(
              "CAST to " + to + " is not supported; cast to " + to.computeType(), ctx.toString());
      default -> {}
    }
    DataType target = to.computeType();
    boolean ok =
        from.computeType().equals(target)
            || from.isNumeric() && target.isNumeric()
            || from.isString()
            || target.isString()
            || isTemporal(from) && isTemporal(target);
    if (!ok) {
      throw BindException.typeMismatch("cannot cast " + from + " to " + to, ctx.toString());
    }
    return toType(op, target, ctx);
  }

  // ---- conversions ---------------------------------------------------------------------------

  private static BoundExpr toType(BoundExpr e, DataType target) {
    return toType(e, target, null);
  }

  /** {@code e} as {@code target}: a literal converted exactly, else an explicit cast node. */
  private static BoundExpr toType(BoundExpr e, DataType target, @Nullable Expr ctx) {
    if (e.type().equals(target)) {
      return e;
    }
    if (e instanceof Const c) {
      Const k = coerce(c, target, ctx);
      if (k != null) {
        return k;
      }
    }
    return new BoundExpr.CastTo(e, target);
  }

  /**
   * {@code c} as an exact constant of {@code target}, or null when the value does not convert
   * exactly; text that does not parse as a date or timestamp throws.
   */
  private static @Nullable Const coerce(Const c, DataType target, @Nullable Expr ctx) {
    Object v = c.value();
    DataType from = c.type();
    if (from.equals(target)) {
      return c;
    }
    if (v == null) {
      return new Const(null, target);
    }
    try {
      return switch (target.kind()) {
        case INT32 -> {
          BigDecimal d = exactNumber(v, from);
          yield d == null ? null : new Const(d.intValueExact(), target);
        }
        case INT64 -> {
          BigDecimal d = exactNumber(v, from);
          yield d == null ? null : new Const(d.longValueExact(), target);
        }
        case FLOAT64 -> {
          BigDecimal d = exactNumber(v, from);
          if (d == null) {
            yield null;
          }
          double x = d.doubleValue();
          yield BigDecimal.valueOf(x).compareTo(d) == 0 ? new Const(x, target) : null;
        }
        case DECIMAL -> {
          BigDecimal d = exactNumber(v, from);
          if (d == null) {
            yield null;
          }
          BigDecimal s = d.setScale(target.scale(), RoundingMode.UNNECESSARY);
          long u = s.unscaledValue().longValueExact();
          yield decimalType(target).fits(u) ? new Const(u, target) : null;
        }
        case DATE32 -> {
          if (from.kind() == Kind.UTF8) {
            yield new Const(parseDate(text(v), ctx), target);
          }
          yield null;
        }
        case TIMESTAMP -> {
          if (from.kind() == Kind.UTF8) {
            yield new Const(parseTimestamp(text(v), ctx), target);
          }
          if (from.kind() == Kind.DATE32) {
            yield new Const(Math.multiplyExact((long) (Integer) v, MICROS_PER_DAY), target);
          }
          yield null;
        }
        case UTF8 -> from.isString() ? new Const(v, target) : null;
        default -> null;
      };
    } catch (ArithmeticException ex) {
      return null; // not exact, or out of range
    }
  }

  /** A numeric constant's exact value, or null for a non-numeric or non-finite one. */
  private static @Nullable BigDecimal exactNumber(Object v, DataType from) {
    return switch (from.kind()) {
      case INT32, INT64 -> BigDecimal.valueOf(((Number) v).longValue());
      case DECIMAL -> BigDecimal.valueOf((Long) v, from.scale());
      case FLOAT64 -> {
        double d = (Double) v;
        yield Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
      }
      default -> null;
    };
  }

  private static String text(Object v) {
    return new String((byte[]) v, StandardCharsets.UTF_8);
  }

  private static int parseDate(String s, @Nullable Expr ctx) {
    try {
      return Math.toIntExact(LocalDate.parse(s.strip()).toEpochDay());
    } catch (DateTimeParseException | ArithmeticException ex) {
      throw BindException.invalid(
          "'" + s + "' is not a date (yyyy-mm-dd)", ctx == null ? "'" + s + "'" : ctx.toString());
    }
  }

  private static long parseTimestamp(String s, @Nullable Expr ctx) {
    String t = s.strip();
    try {
      if (t.endsWith("Z")) {
        return micros(Instant.parse(t));
      }
      if (t.length() == 10) {
        return Math.multiplyExact(LocalDate.parse(t).toEpochDay(), MICROS_PER_DAY);
      }
      return micros(LocalDateTime.parse(t.replace(' ', 'T')).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException | ArithmeticException ex) {
      throw BindException.invalid(
          "'" + s + "' is not a timestamp (yyyy-mm-dd hh:mm:ss[.ffffff])",
          ctx == null ? "'" + s + "'" : ctx.toString());
    }
  }

  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  // ---- literals ------------------------------------------------------------------------------

  private static Const literal(Expr.Literal l) {
    DataType t = l.type();
    DataType ct = t.computeType();
    Object v = l.value();
    if (v == null) {
      return new Const(null, ct);
    }
    try {
      Object folded =
          switch (ct.kind()) {
            case BOOL -> (Boolean) v;
            case INT32 -> {
              long x = integral(v);
              long lo =
                  t.kind() == Kind.INT8
                      ? Byte.MIN_VALUE
                      : t.kind() == Kind.INT16 ? Short.MIN_VALUE : Integer.MIN_VALUE;
              long hi =
                  t.kind() == Kind.INT8
                      ? Byte.MAX_VALUE
                      : t.kind() == Kind.INT16 ? Short.MAX_VALUE : Integer.MAX_VALUE;
              if (x < lo || x > hi) {
                throw new ArithmeticException("out of range");
              }
              yield (int) x;
            }
            case INT64 -> integral(v);
            case FLOAT64 -> ((Number) v).doubleValue();
            case DECIMAL -> {
              BigDecimal d = v instanceof BigDecimal b ? b : new BigDecimal(v.toString());
              long u =
                  d.setScale(t.scale(), RoundingMode.UNNECESSARY).unscaledValue().longValueExact();
              if (!decimalType(t).fits(u)) {
                throw new ArithmeticException("too many digits");
              }
              yield u;
            }
            case DATE32 ->
                v instanceof LocalDate d
                    ? Math.toIntExact(d.toEpochDay())
                    : parseDate(v.toString(), l);
            case TIMESTAMP -> v instanceof Instant i ? micros(i) : parseTimestamp(v.toString(), l);
            case UTF8 -> v.toString().getBytes(StandardCharsets.UTF_8);
            default -> throw new IllegalStateException("no literals of " + t);
          };
      return new Const(folded, ct);
    } catch (ArithmeticException | ClassCastException | NumberFormatException ex) {
      throw BindException.invalid(
          "literal " + v + " (" + v.getClass().getSimpleName() + ") is not a valid " + t,
          l.toString());
    }
  }

  private static long integral(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigDecimal d) {
      return d.longValueExact();
    }
    throw new ClassCastException(v.getClass().getName());
  }
}
