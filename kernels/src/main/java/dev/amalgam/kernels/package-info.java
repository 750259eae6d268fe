/** Compute kernels: Vector API (SIMD) and device kernels. */
@NullMarked
package dev.amalgam.kernels;

import org.jspecify.annotations.NullMarked;
