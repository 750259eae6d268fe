package dev.amalgam.exec.expr;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArithmeticOp;
import dev.amalgam.kernels.CompareOp;
import dev.amalgam.kernels.DatePart;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A scalar expression over the columns of a query's input: the nodes the fluent API builds and the
 * SQL front end lowers to. Build them with {@link Exprs} ({@code col("x").lt(24)}); they are
 * immutable values, checked against the input's schema when the query is planned.
 */
public sealed interface Expr {

  /** A column of the input, by name. */
  record Column(String name) implements Expr {
    /** Checks the name. */
    public Column {
      Objects.requireNonNull(name, "name is null");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * A constant. {@code value} is a {@code Boolean}, {@code Integer}, {@code Long}, {@code Double},
   * {@code java.math.BigDecimal} (decimal), {@code java.time.LocalDate} (date32), {@code
   * java.time.Instant} (timestamp), {@code String}, or null (a typed NULL).
   */
  record Literal(@Nullable Object value, DataType type) implements Expr {
    /** Checks the type. */
    public Literal {
      Objects.requireNonNull(type, "type is null");
    }

    @Override
    public String toString() {
      if (value == null) {
        return "NULL";
      }
      return switch (type.kind()) {
        case UTF8, DICTIONARY_UTF8 -> "'" + value.toString().replace("'", "''") + "'";
        case DATE32 -> "DATE '" + value + "'";
        case TIMESTAMP -> "TIMESTAMP '" + value + "'";
        default -> value.toString();
      };
    }
  }

  /** {@code left op right} for + - * / %. */
  record Arithmetic(ArithmeticOp op, Expr left, Expr right) implements Expr {
    @Override
    public String toString() {
      return "(" + left + " " + op.symbol() + " " + right + ")";
    }
  }

  /** {@code left op right} for = <> < <= > >=. */
  record Comparison(CompareOp op, Expr left, Expr right) implements Expr {
    @Override
    public String toString() {
      return "(" + left + " " + op.symbol() + " " + right + ")";
    }
  }

  /** AND (or OR) of two or more terms, with SQL three-valued logic. */
  record Logical(boolean isAnd, List<Expr> terms) implements Expr {
    /** Copies the terms. */
    public Logical {
      terms = List.copyOf(terms);
      if (terms.size() < 2) {
        throw new IllegalArgumentException("AND/OR needs at least two terms; got " + terms);
      }
    }

    @Override
    public String toString() {
      return terms.stream()
          .map(Object::toString)
          .collect(Collectors.joining(isAnd ? " AND " : " OR ", "(", ")"));
    }
  }

  /** NOT. */
  record Not(Expr operand) implements Expr {
    @Override
    public String toString() {
      return "(NOT " + operand + ")";
    }
  }

  /** IS [NOT] NULL. */
  record IsNull(Expr operand, boolean negated) implements Expr {
    @Override
    public String toString() {
      return "(" + operand + (negated ? " IS NOT NULL)" : " IS NULL)");
    }
  }

  /** {@code operand BETWEEN low AND high} (inclusive). */
  record Between(Expr operand, Expr low, Expr high) implements Expr {
    @Override
    public String toString() {
      return "(" + operand + " BETWEEN " + low + " AND " + high + ")";
    }
  }

  /** {@code operand [NOT] IN (values...)}; the values are literals. */
  record In(Expr operand, List<Expr> values, boolean negated) implements Expr {
    /** Copies the values. */
    public In {
      values = List.copyOf(values);
      if (values.isEmpty()) {
        throw new IllegalArgumentException("IN needs at least one value");
      }
    }

    @Override
    public String toString() {
      return "("
          + operand
          + (negated ? " NOT IN " : " IN ")
          + values.stream().map(Object::toString).collect(Collectors.joining(", ", "(", ")"))
          + ")";
    }
  }

  /** One branch of a CASE. */
  record When(Expr condition, Expr value) {}

  /** {@code CASE WHEN c1 THEN v1 ... ELSE otherwise END}; no ELSE means ELSE NULL. */
  record Case(List<When> whens, @Nullable Expr otherwise) implements Expr {
    /** Copies the branches. */
    public Case {
      whens = List.copyOf(whens);
      if (whens.isEmpty()) {
        throw new IllegalArgumentException("CASE needs at least one WHEN");
      }
    }

    /** Adds a branch. */
    public Case when(Expr condition, Expr value) {
      List<When> w = new ArrayList<>(whens);
      w.add(new When(condition, value));
      return new Case(w, otherwise);
    }

    /** Sets the ELSE value. */
    public Case otherwise(Expr value) {
      return new Case(whens, value);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("CASE");
      for (When w : whens) {
        sb.append(" WHEN ").append(w.condition()).append(" THEN ").append(w.value());
      }
      if (otherwise != null) {
        sb.append(" ELSE ").append(otherwise);
      }
      return sb.append(" END").toString();
    }
  }

  /** {@code CAST(operand AS type)}. */
  record Cast(Expr operand, DataType type) implements Expr {
    @Override
    public String toString() {
      return "CAST(" + operand + " AS " + type + ")";
    }
  }

  /** {@code EXTRACT(part FROM operand)} of a date. */
  record Extract(DatePart part, Expr operand) implements Expr {
    @Override
    public String toString() {
      return "EXTRACT(" + part + " FROM " + operand + ")";
    }
  }

  /**
   * A date plus {@code months} months (negative: minus); a day past the end of the target month
   * becomes its last day ({@code 2024-01-31 + 1 month = 2024-02-29}), as in standard SQL and
   * DuckDB.
   */
  record AddMonths(Expr operand, long months) implements Expr {
    @Override
    public String toString() {
      return "(" + operand + " + INTERVAL '" + months + "' MONTH)";
    }
  }

  /** {@code operand [NOT] LIKE pattern} with SQL wildcards {@code %} and {@code _}. */
  record Like(Expr operand, String pattern, boolean negated) implements Expr {
    @Override
    public String toString() {
      return "("
          + operand
          + (negated ? " NOT LIKE '" : " LIKE '")
          + pattern.replace("'", "''")
          + "')";
    }
  }

  /** {@code SUBSTRING(operand FROM start FOR length)}, 1-based, in code points. */
  record Substring(Expr operand, long start, long length) implements Expr {
    @Override
    public String toString() {
      return "SUBSTRING(" + operand + " FROM " + start + " FOR " + length + ")";
    }
  }

  /** {@code CHAR_LENGTH(operand)} in code points. */
  record CharLength(Expr operand) implements Expr {
    @Override
    public String toString() {
      return "CHAR_LENGTH(" + operand + ")";
    }
  }

  /** An expression with an output name. */
  record Alias(Expr operand, String name) implements Expr {
    @Override
    public String toString() {
      return operand + " AS " + name;
    }
  }

  // ---- fluent builders -------------------------------------------------------------------------

  /** {@code this + other}. */
  default Expr plus(Object other) {
    return new Arithmetic(ArithmeticOp.ADD, this, Exprs.expr(other));
  }

  /** {@code this - other}. */
  default Expr minus(Object other) {
    return new Arithmetic(ArithmeticOp.SUBTRACT, this, Exprs.expr(other));
  }

  /** {@code this * other}. */
  default Expr times(Object other) {
    return new Arithmetic(ArithmeticOp.MULTIPLY, this, Exprs.expr(other));
  }

  /** {@code this / other}. */
  default Expr div(Object other) {
    return new Arithmetic(ArithmeticOp.DIVIDE, this, Exprs.expr(other));
  }

  /** {@code this % other}. */
  default Expr mod(Object other) {
    return new Arithmetic(ArithmeticOp.MODULO, this, Exprs.expr(other));
  }

  /** {@code this = other}. */
  default Expr eq(Object other) {
    return new Comparison(CompareOp.EQ, this, Exprs.expr(other));
  }

  /** {@code this <> other}. */
  default Expr ne(Object other) {
    return new Comparison(CompareOp.NE, this, Exprs.expr(other));
  }

  /** {@code this < other}. */
  default Expr lt(Object other) {
    return new Comparison(CompareOp.LT, this, Exprs.expr(other));
  }

  /** {@code this <= other}. */
  default Expr le(Object other) {
    return new Comparison(CompareOp.LE, this, Exprs.expr(other));
  }

  /** {@code this > other}. */
  default Expr gt(Object other) {
    return new Comparison(CompareOp.GT, this, Exprs.expr(other));
  }

  /** {@code this >= other}. */
  default Expr ge(Object other) {
    return new Comparison(CompareOp.GE, this, Exprs.expr(other));
  }

  /** {@code this BETWEEN low AND high}. */
  default Expr between(Object low, Object high) {
    return new Between(this, Exprs.expr(low), Exprs.expr(high));
  }

  /** {@code this IN (values...)}. */
  default Expr in(Object... values) {
    List<Expr> v = new ArrayList<>();
    for (Object o : values) {
      v.add(Exprs.expr(o));
    }
    return new In(this, v, false);
  }

  /** {@code this NOT IN (values...)}. */
  default Expr notIn(Object... values) {
    In in = (In) in(values);
    return new In(this, in.values(), true);
  }

  /** {@code this IS NULL}. */
  default Expr isNull() {
    return new IsNull(this, false);
  }

  /** {@code this IS NOT NULL}. */
  default Expr isNotNull() {
    return new IsNull(this, true);
  }

  /** {@code this AND other}. */
  default Expr and(Expr other) {
    return new Logical(true, List.of(this, other));
  }

  /** {@code this OR other}. */
  default Expr or(Expr other) {
    return new Logical(false, List.of(this, other));
  }

  /** {@code NOT this}. */
  default Expr not() {
    return new Not(this);
  }

  /** {@code this LIKE pattern}. */
  default Expr like(String pattern) {
    return new Like(this, pattern, false);
  }

  /** {@code this NOT LIKE pattern}. */
  default Expr notLike(String pattern) {
    return new Like(this, pattern, true);
  }

  /** Text starts with {@code prefix} (taken literally). */
  default Expr startsWith(String prefix) {
    return new Like(this, Exprs.escapeLike(prefix) + "%", false);
  }

  /** Text ends with {@code suffix} (taken literally). */
  default Expr endsWith(String suffix) {
    return new Like(this, "%" + Exprs.escapeLike(suffix), false);
  }

  /** Text contains {@code part} (taken literally). */
  default Expr contains(String part) {
    return new Like(this, "%" + Exprs.escapeLike(part) + "%", false);
  }

  /** {@code SUBSTRING(this FROM start FOR length)}. */
  default Expr substring(long start, long length) {
    return new Substring(this, start, length);
  }

  /** {@code CHAR_LENGTH(this)}. */
  default Expr charLength() {
    return new CharLength(this);
  }

  /** {@code CAST(this AS type)}. */
  default Expr cast(DataType type) {
    return new Cast(this, type);
  }

  /** {@code EXTRACT(YEAR FROM this)}. */
  default Expr year() {
    return new Extract(DatePart.YEAR, this);
  }

  /** {@code EXTRACT(MONTH FROM this)}. */
  default Expr month() {
    return new Extract(DatePart.MONTH, this);
  }

  /** {@code EXTRACT(DAY FROM this)}. */
  default Expr day() {
    return new Extract(DatePart.DAY, this);
  }

  /** This expression, output under {@code name}. */
  default Expr as(String name) {
    Expr inner = this instanceof Alias a ? a.operand() : this;
    return new Alias(inner, name);
  }

  /** Ascending sort key, nulls last. */
  default SortKey asc() {
    return new SortKey(this, true, false);
  }

  /** Descending sort key, nulls first. */
  default SortKey desc() {
    return new SortKey(this, false, true);
  }
}
