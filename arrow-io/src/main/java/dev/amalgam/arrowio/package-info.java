/** Apache Arrow import and export. */
@NullMarked
package dev.amalgam.arrowio;

import org.jspecify.annotations.NullMarked;
