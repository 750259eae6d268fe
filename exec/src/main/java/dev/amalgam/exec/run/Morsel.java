package dev.amalgam.exec.run;

import dev.amalgam.memory.Device;
import org.jspecify.annotations.Nullable;

/**
 * A unit of scheduling: a row range of a row group (or one materialized chunk).
 *
 * @param source index of the item in its source (row group or chunk)
 * @param index morsel number within the row group
 * @param startRow first row within the row group
 * @param rows rows
 * @param bytes bytes its projected buffers occupy (what moving it would cost)
 * @param home the member holding its pages now, or null when any member may take it
 */
public record Morsel(
    int source, int index, int startRow, int rows, long bytes, @Nullable Device home) {}
