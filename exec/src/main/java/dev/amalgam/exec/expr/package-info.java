/** The user's expression trees: what the fluent API builds and the SQL front end lowers to. */
@NullMarked
package dev.amalgam.exec.expr;

import org.jspecify.annotations.NullMarked;
