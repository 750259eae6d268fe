/**
 * Plain scalar references of the kernel interfaces: obviously correct, slow, and used only by
 * differential tests and benchmarks (never by the engine).
 */
@NullMarked
package dev.amalgam.kernels.reference;

import org.jspecify.annotations.NullMarked;
