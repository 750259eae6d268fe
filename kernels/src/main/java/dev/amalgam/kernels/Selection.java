package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * Selection vectors (see {@link ArrowLayout}): ascending int32 row indices plus a count. Kernels
 * take an optional input selection ({@code null} = every row {@code [0, n)}) and write output
 * selections into a caller-provided segment of at least {@code n} int32s, returning the count.
 */
public final class Selection {
  private Selection() {}

  /** Bytes a selection of up to {@code rows} rows needs. */
  public static long bytes(int rows) {
    return 4L * rows;
  }

  /** Row index {@code k} of a selection; {@code k} itself for a null selection. */
  public static int row(@Nullable MemorySegment sel, int k) {
    return sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
  }

  /** Writes the identity selection {@code 0..n-1}; returns n. */
  public static int identity(MemorySegment out, int n) {
    for (int i = 0; i < n; i++) {
      out.setAtIndex(ArrowLayout.INT32, i, i);
    }
    return n;
  }

  /** Copies a selection's rows into a new int[] (for tests and small cases). */
  public static int[] toArray(@Nullable MemorySegment sel, int count) {
    int[] rows = new int[count];
    for (int k = 0; k < count; k++) {
      rows[k] = row(sel, k);
    }
    return rows;
  }
}
