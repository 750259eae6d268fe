/** Expressions of the fluent query API: {@code col("x").lt(24)}, {@code sum(col("y"))}. */
@NullMarked
package dev.amalgam.exec.expr;

import org.jspecify.annotations.NullMarked;
