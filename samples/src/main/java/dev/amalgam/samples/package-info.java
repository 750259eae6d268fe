/** Sample data sets and example workloads. */
@NullMarked
package dev.amalgam.samples;

import org.jspecify.annotations.NullMarked;
