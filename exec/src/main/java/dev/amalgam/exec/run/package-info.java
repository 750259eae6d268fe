/**
 * Execution: vectors and batches, bound expressions, operators, pipelines and the morsel-driven
 * scheduler. Internal to the engine; users reach it through {@code dev.amalgam.exec.Engine}.
 *
 * <pre>
 *   Source ──morsels──> Op ──> Op ──> ... ──> Sink        one pipeline; a Sink ends at a breaker
 *     │ (per device queues, steal when the modeled link cost is below the expected wait)
 *     └── worker (device, scratch, pins) runs its own chain of Op instances
 * </pre>
 *
 * Operators are plan objects ({@link dev.amalgam.exec.run.OpSpec}); each worker creates its own
 * {@link dev.amalgam.exec.run.Op} chain, so per-worker state needs no locks. A sink's per-worker
 * parts are combined on one thread when the pipeline ends.
 */
@NullMarked
package dev.amalgam.exec.run;

import org.jspecify.annotations.NullMarked;
