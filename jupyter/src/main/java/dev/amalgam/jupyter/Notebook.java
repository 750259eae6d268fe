package dev.amalgam.jupyter;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import org.jspecify.annotations.Nullable;

/**
 * What a notebook's Java cells use: the notebook's engine (the one {@code %%sql}, {@code %tpch} and
 * {@code %topology} work on), displaying values in the middle of a cell, and the row limit of
 * displayed results.
 *
 * <pre>{@code
 * Result r = Notebook.engine().sql("SELECT count(*) FROM lineitem").execute();
 * Notebook.display(r);                       // shown now; the cell goes on
 * Notebook.display(Charts.pnlHistogram(report));
 * }</pre>
 */
public final class Notebook {
  private static volatile @Nullable NotebookSession current;

  private Notebook() {}

  static void attach(@Nullable NotebookSession session) {
    current = session;
  }

  private static NotebookSession session() {
    NotebookSession s = current;
    if (s == null) {
      throw new IllegalStateException(
          "no notebook: Notebook works inside the amalgam Jupyter kernel");
    }
    return s;
  }

  /** The notebook's engine (opened on first use; {@code %topology} replaces it). */
  public static Engine engine() {
    return session().engine();
  }

  /** Shows {@code value} now, rendered like a cell's result (tables, charts, reports). */
  public static void display(@Nullable Object value) {
    session().display(value);
  }

  /** Rows shown of a displayed result (default {@value Display#DEFAULT_MAX_ROWS}). */
  public static void maxRows(int rows) {
    session().maxRows(rows);
  }

  /** The result a {@code %%sql --into NAME} cell kept under {@code name}. */
  public static Result result(String name) {
    return session().kept(name);
  }
}
