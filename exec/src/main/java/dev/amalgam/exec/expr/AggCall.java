package dev.amalgam.exec.expr;

import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An aggregate function call of a GROUP BY (or of a whole input): {@code sum(col("x")).as("s")}.
 *
 * @param function the function
 * @param argument its input; null only for COUNT(*)
 * @param distinct whether only distinct non-null inputs count (COUNT(DISTINCT x), SUM(DISTINCT x))
 * @param alias the output column name; null for a name made from the call
 */
public record AggCall(
    Function function, @Nullable Expr argument, boolean distinct, @Nullable String alias) {

  /** Aggregate functions. */
  public enum Function {
    /** Sum of non-null inputs. */
    SUM,
    /** Number of non-null inputs. */
    COUNT,
    /** Number of rows. */
    COUNT_STAR,
    /** Smallest non-null input. */
    MIN,
    /** Largest non-null input. */
    MAX,
    /**
     * Mean of non-null inputs (float64; decimal inputs give decimal with scale + 6... as float).
     */
    AVG
  }

  /** Checks the argument is present unless COUNT(*). */
  public AggCall {
    Objects.requireNonNull(function, "function is null");
    if ((function == Function.COUNT_STAR) != (argument == null)) {
      throw new IllegalArgumentException(
          function == Function.COUNT_STAR
              ? "COUNT(*) takes no argument"
              : function + " needs an argument");
    }
  }

  /** The same call with an output name. */
  public AggCall as(String name) {
    return new AggCall(function, argument, distinct, name);
  }

  /** The output column name: the alias, or e.g. {@code sum(l_quantity)}. */
  public String name() {
    return alias != null ? alias : describe();
  }

  /** The call as SQL-like text. */
  public String describe() {
    if (function == Function.COUNT_STAR) {
      return "count(*)";
    }
    String f = function.name().toLowerCase(Locale.ROOT);
    return f + "(" + (distinct ? "DISTINCT " : "") + argument + ")";
  }

  @Override
  public String toString() {
    return alias != null ? describe() + " AS " + alias : describe();
  }
}
