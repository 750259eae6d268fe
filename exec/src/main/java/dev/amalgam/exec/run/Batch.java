package dev.amalgam.exec.run;

import dev.amalgam.kernels.ArrowLayout;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * A batch of rows flowing through a pipeline: {@code n} physical rows in each column and an
 * optional selection of the live ones (ascending int32 row indices; null = all {@code n} rows).
 * Filters narrow the selection; projections produce dense columns of the selected rows.
 *
 * @param columns the columns, each of {@code n} rows
 * @param n physical rows
 * @param sel the live rows, or null for all
 * @param count live rows ({@code n} without a selection)
 */
public record Batch(Vec[] columns, int n, @Nullable MemorySegment sel, int count) {

  /** A batch with every row live. */
  public static Batch dense(Vec[] columns, int n) {
    return new Batch(columns, n, null, n);
  }

  /** The same columns with another selection. */
  public Batch withSelection(@Nullable MemorySegment newSel, int newCount) {
    return new Batch(columns, n, newSel, newCount);
  }

  /** Physical row of live row {@code k}. */
  public int row(int k) {
    return sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
  }

  /** Column {@code i}. */
  public Vec column(int i) {
    return columns[i];
  }

  /** Number of columns. */
  public int width() {
    return columns.length;
  }
}
