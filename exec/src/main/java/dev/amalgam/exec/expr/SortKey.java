package dev.amalgam.exec.expr;

import java.util.Objects;

/**
 * One key of an ORDER BY.
 *
 * @param expr what to sort by
 * @param ascending ascending (true) or descending
 * @param nullsFirst whether nulls sort before every value
 */
public record SortKey(Expr expr, boolean ascending, boolean nullsFirst) {
  /** Checks the expression. */
  public SortKey {
    Objects.requireNonNull(expr, "expr is null");
  }

  /** The same key with nulls first. */
  public SortKey withNullsFirst() {
    return new SortKey(expr, ascending, true);
  }

  /** The same key with nulls last. */
  public SortKey withNullsLast() {
    return new SortKey(expr, ascending, false);
  }

  @Override
  public String toString() {
    return expr + (ascending ? " ASC" : " DESC") + (nullsFirst ? " NULLS FIRST" : " NULLS LAST");
  }
}
