/** Benchmarks (JMH) and the measurement harness. */
@NullMarked
package dev.amalgam.bench;

import org.jspecify.annotations.NullMarked;
