/**
 * Planning: binding user expressions to the input's schema ({@link dev.amalgam.exec.plan.Binder})
 * and, later, the logical and physical plans.
 */
@NullMarked
package dev.amalgam.exec.plan;

import org.jspecify.annotations.NullMarked;
