/**
 * Pure vectorized functions over Arrow-layout {@link java.lang.foreign.MemorySegment}s.
 *
 * <p>Conventions every kernel follows:
 *
 * <ul>
 *   <li><b>No engine state.</b> A kernel is a static-free method of a family interface ({@code
 *       FilterKernels}, {@code ArithmeticKernels}, ...): it reads its input segments and writes
 *       caller-provided output segments; it allocates nothing off-heap itself. Data structures that
 *       must own memory (hash tables) take a {@code MemoryConsumer} and reserve before they
 *       allocate, and are {@code AutoCloseable}.
 *   <li><b>Layout.</b> Inputs and outputs follow {@link dev.amalgam.kernels.ArrowLayout}: values,
 *       an optional validity bitmap ({@code null} = no nulls), offsets + data for utf8, a row count
 *       {@code n}, and an optional input selection ({@code null} = all rows) — see {@link
 *       dev.amalgam.kernels.Validity} and {@link dev.amalgam.kernels.Selection}.
 *   <li><b>Nulls.</b> SQL semantics: a comparison with a null is not true (the row is not
 *       selected); arithmetic on a null gives null; aggregates skip nulls; {@code IS NULL} sees
 *       them.
 *   <li><b>Implementations.</b> Each family interface's {@code cpu()} gives its CPU implementation
 *       (Vector API with a scalar tail). Package {@code dev.amalgam.kernels.reference} holds plain
 *       scalar references of the same interfaces, used only by differential tests and benchmarks. A
 *       device backend provides its own implementations of the same interfaces.
 *   <li><b>Errors.</b> Bad arguments (negative counts, segments too small) throw {@link
 *       java.lang.IllegalArgumentException} naming the argument and its value; arithmetic that
 *       cannot be represented (decimal overflow, division by zero) throws {@link
 *       dev.amalgam.kernels.KernelException} naming the row.
 * </ul>
 */
@NullMarked
package dev.amalgam.kernels;

import org.jspecify.annotations.NullMarked;
