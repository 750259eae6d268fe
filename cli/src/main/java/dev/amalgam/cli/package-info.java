/** The {@code amalgam} command line. */
@NullMarked
package dev.amalgam.cli;

import org.jspecify.annotations.NullMarked;
