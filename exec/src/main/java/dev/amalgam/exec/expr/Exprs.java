package dev.amalgam.exec.expr;

import dev.amalgam.exec.DataType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Static factories of expressions and aggregate calls: {@code import static
 * dev.amalgam.exec.expr.Exprs.*;} then {@code col("l_quantity").lt(24)}, {@code
 * sum(col("l_extendedprice")).as("revenue")}.
 */
public final class Exprs {
  private Exprs() {}

  /** A column by name. */
  public static Expr col(String name) {
    return new Expr.Column(name);
  }

  /**
   * A constant: Integer (int32), Long (int64), Double (float64), BigDecimal (decimal with its
   * precision and scale), LocalDate (date32), Instant (timestamp), String (utf8), Boolean (bool).
   *
   * @throws IllegalArgumentException for another class
   */
  public static Expr lit(Object value) {
    Objects.requireNonNull(value, "value is null (use nullOf(type) for a typed NULL)");
    return switch (value) {
      case Integer i -> new Expr.Literal(i, DataType.INT32);
      case Long l -> new Expr.Literal(l, DataType.INT64);
      case Short s -> new Expr.Literal((int) s, DataType.INT32);
      case Byte b -> new Expr.Literal((int) b, DataType.INT32);
      case Double d -> new Expr.Literal(d, DataType.FLOAT64);
      case Float f -> new Expr.Literal((double) f, DataType.FLOAT64);
      case BigDecimal d -> decimal(d);
      case LocalDate d -> new Expr.Literal(d, DataType.DATE32);
      case Instant t -> new Expr.Literal(t, DataType.TIMESTAMP);
      case String s -> new Expr.Literal(s, DataType.UTF8);
      case Boolean b -> new Expr.Literal(b, DataType.BOOL);
      default ->
          throw new IllegalArgumentException(
              "cannot make a literal of " + value.getClass().getName() + " (" + value + ")");
    };
  }

  /** A date literal from ISO text, e.g. {@code date("1998-12-01")}. */
  public static Expr date(String iso) {
    return new Expr.Literal(LocalDate.parse(iso), DataType.DATE32);
  }

  /** A decimal literal with its own precision and scale. */
  public static Expr decimal(BigDecimal value) {
    BigDecimal v = value.scale() < 0 ? value.setScale(0) : value;
    int precision = Math.max(v.precision(), v.scale() + 1);
    return new Expr.Literal(v, DataType.decimal(Math.min(precision, 18), v.scale()));
  }

  /** A decimal literal from text, e.g. {@code decimal("0.05")}. */
  public static Expr decimal(String text) {
    return decimal(new BigDecimal(text));
  }

  /** A typed NULL. */
  public static Expr nullOf(DataType type) {
    return new Expr.Literal(null, type);
  }

  /**
   * {@code CASE WHEN condition THEN value}; add branches with {@code .when}, ELSE with {@code
   * .otherwise}.
   */
  public static Expr.Case when(Expr condition, Object value) {
    return new Expr.Case(java.util.List.of(new Expr.When(condition, expr(value))), null);
  }

  /** AND of the terms. */
  public static Expr and(Expr first, Expr... rest) {
    if (rest.length == 0) {
      return first;
    }
    java.util.List<Expr> t = new java.util.ArrayList<>();
    t.add(first);
    t.addAll(java.util.List.of(rest));
    return new Expr.Logical(true, t);
  }

  /** OR of the terms. */
  public static Expr or(Expr first, Expr... rest) {
    if (rest.length == 0) {
      return first;
    }
    java.util.List<Expr> t = new java.util.ArrayList<>();
    t.add(first);
    t.addAll(java.util.List.of(rest));
    return new Expr.Logical(false, t);
  }

  /** NOT. */
  public static Expr not(Expr e) {
    return new Expr.Not(e);
  }

  /** SUM. */
  public static AggCall sum(Expr e) {
    return new AggCall(AggCall.Function.SUM, e, false, null);
  }

  /** COUNT of non-null values. */
  public static AggCall count(Expr e) {
    return new AggCall(AggCall.Function.COUNT, e, false, null);
  }

  /** COUNT(DISTINCT e). */
  public static AggCall countDistinct(Expr e) {
    return new AggCall(AggCall.Function.COUNT, e, true, null);
  }

  /** COUNT(*). */
  public static AggCall countStar() {
    return new AggCall(AggCall.Function.COUNT_STAR, null, false, null);
  }

  /** MIN. */
  public static AggCall min(Expr e) {
    return new AggCall(AggCall.Function.MIN, e, false, null);
  }

  /** MAX. */
  public static AggCall max(Expr e) {
    return new AggCall(AggCall.Function.MAX, e, false, null);
  }

  /** AVG. */
  public static AggCall avg(Expr e) {
    return new AggCall(AggCall.Function.AVG, e, false, null);
  }

  /** An expression as is, or a constant made a literal. */
  public static Expr expr(@Nullable Object o) {
    if (o == null) {
      throw new IllegalArgumentException("null is not an expression (use nullOf(type))");
    }
    return o instanceof Expr e ? e : lit(o);
  }

  /** Escapes LIKE wildcards so that {@code text} matches literally (escape character {@code \}). */
  public static String escapeLike(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%' || c == '_' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
