/**
 * Running plans: batches and vectors ({@link dev.amalgam.exec.run.Batch}, {@link
 * dev.amalgam.exec.run.Vec}), bound expressions and their vectorized evaluator ({@link
 * dev.amalgam.exec.run.ExprEvaluator}), and per-worker scratch memory.
 */
@NullMarked
package dev.amalgam.exec.run;

import org.jspecify.annotations.NullMarked;
