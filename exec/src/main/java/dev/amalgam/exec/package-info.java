/** Query execution: operators, pipelines and scheduling over unified memory. */
@NullMarked
package dev.amalgam.exec;

import org.jspecify.annotations.NullMarked;
