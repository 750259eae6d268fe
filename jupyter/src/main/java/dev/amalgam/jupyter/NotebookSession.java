package dev.amalgam.jupyter;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Result;
import dev.amalgam.memory.Topology;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One notebook's state: its engine (opened on first use, on {@code fused-pair} unless {@code
 * %topology} says otherwise), the Java evaluator, the magics, display settings, and the cell that
 * runs now (for interrupts).
 *
 * <p>Cells: a cell whose first line starts with {@code %%} is a cell magic; otherwise its leading
 * lines that start with {@code %} are line magics, run in order, and the rest is Java. The value of
 * the last magic or of the last Java expression is the cell's result; the values of earlier magics
 * are displayed as they finish.
 *
 * <p>Interrupts: {@link #interrupt()} cancels the cell's query handle (sticky: a query that has not
 * started yet is cancelled when it starts), cancels every running query of the engine and stops the
 * JShell snippet. A watchdog repeats the last two every 50 ms while the same cell is still running,
 * for at most {@link #INTERRUPT_WINDOW_MS} ms, so that an interrupt that arrives just before a
 * query or a snippet starts is not lost; the watchdog never waits for the cell.
 *
 * <p>Threads: the engine is opened on a thread of the session's own (in the kernel's thread group),
 * so that its workers never belong to a snippet's thread group, whose threads a stop interrupts.
 */
final class NotebookSession implements AutoCloseable {
  static final long INTERRUPT_WINDOW_MS = 10_000;

  private final Consumer<DisplayData> displayer;
  private final String classPath;
  private final ExecutorService admin;
  private final Magics magics;
  private final Map<String, Result> kept = new ConcurrentHashMap<>();
  private final AtomicLong cells = new AtomicLong();
  private final AtomicLong running = new AtomicLong();
  private final Object engineLock = new Object();
  private final Object evaluatorLock = new Object();
  private volatile @Nullable JavaEvaluator evaluator;
  private volatile @Nullable Engine engine;
  private volatile Engine.Handle handle = new Engine.Handle();
  private volatile EngineSettings settings = EngineSettings.DEFAULT;
  private volatile int maxRows = Display.DEFAULT_MAX_ROWS;
  private volatile boolean explainEach;
  private volatile boolean closed;

  /** How the notebook's engine is opened: a topology, optional capacities and page size. */
  record EngineSettings(
      Topology topology, long pageSize, int workersPerMember, @Nullable String description) {
    static final EngineSettings DEFAULT =
        new EngineSettings(Topology.preset(Topology.DEFAULT_PRESET), 0, 0, null);
  }

  NotebookSession(String classPath, Consumer<DisplayData> displayer) {
    this.classPath = Objects.requireNonNull(classPath, "classPath is null");
    this.displayer = Objects.requireNonNull(displayer, "displayer is null");
    ThreadGroup home = Thread.currentThread().getThreadGroup();
    this.admin =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(home, r, "amalgam-notebook");
              t.setDaemon(true);
              return t;
            });
    this.magics = new Magics(this);
  }

  // ---- cells ------------------------------------------------------------------------------------

  /**
   * Runs a cell and returns what to show as its result (null: nothing).
   *
   * @throws CellException saying what failed and where; the session stays usable
   */
  @Nullable DisplayData eval(String code) throws CellException {
    checkOpen();
    long id = cells.incrementAndGet();
    handle = new Engine.Handle();
    running.set(id);
    try {
      return run(code);
    } catch (QueryException e) {
      throw queryError(e);
    } catch (RuntimeException e) {
      throw new CellException(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), e);
    } finally {
      running.compareAndSet(id, 0);
    }
  }

  private @Nullable DisplayData run(String code) throws CellException {
    String[] lines = code.split("\n", -1);
    int first = 0;
    while (first < lines.length && lines[first].isBlank()) {
      first++;
    }
    if (first == lines.length) {
      return null;
    }
    if (lines[first].stripLeading().startsWith("%%")) {
      StringBuilder body = new StringBuilder();
      // blank lines in place of the magic's line: line numbers in the body are the cell's
      body.append("\n".repeat(first + 1));
      for (int i = first + 1; i < lines.length; i++) {
        body.append(lines[i]).append(i + 1 < lines.length ? "\n" : "");
      }
      Object v = magics.cell(lines[first].stripLeading().substring(2), body.toString());
      return v == null ? null : render(v);
    }
    Object last = null;
    boolean hasLast = false;
    StringBuilder java = new StringBuilder();
    int i = 0;
    for (; i < lines.length; i++) {
      String l = lines[i].stripLeading();
      if (l.isEmpty()) {
        java.append('\n');
        continue;
      }
      if (!l.startsWith("%")) {
        break;
      }
      if (hasLast && last != null) {
        displayer.accept(render(last));
      }
      last = magics.line(l.substring(1));
      hasLast = true;
      java.append('\n');
    }
    for (; i < lines.length; i++) {
      java.append(lines[i]).append(i + 1 < lines.length ? "\n" : "");
    }
    if (java.toString().isBlank()) {
      return last == null ? null : render(last);
    }
    if (last != null) {
      displayer.accept(render(last));
    }
    JavaEvaluator.Outcome out = evaluator().eval(java.toString());
    return out.hasValue() ? render(out.value()) : null;
  }

  DisplayData render(@Nullable Object value) {
    return Display.of(value, maxRows);
  }

  void display(@Nullable Object value) {
    displayer.accept(render(value));
  }

  static CellException queryError(QueryException e) {
    String kind =
        switch (e.code()) {
          case CANCELLED -> "interrupted";
          case INVALID -> "SQL error";
          case MEMORY_LIMIT -> "memory limit";
          case TIMEOUT -> "timeout";
          case ARITHMETIC -> "arithmetic error";
          case INTERNAL -> "internal error";
        };
    return new CellException(kind, String.valueOf(e.getMessage()), e);
  }

  /** Whether Java {@code code} is complete (magics always are). */
  String completeness(String code) {
    String s = code.stripLeading();
    if (s.startsWith("%")) {
      return "complete";
    }
    return switch (evaluator().completeness(code)) {
      case COMPLETE, COMPLETE_WITH_SEMI, EMPTY -> "complete";
      case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "incomplete";
      case UNKNOWN -> "invalid";
    };
  }

  // ---- interrupts -------------------------------------------------------------------------------

  /** Interrupts the running cell, if any: cancels its queries and stops its Java code. */
  void interrupt() {
    long id = running.get();
    if (id == 0) {
      return;
    }
    handle.cancel();
    stopOnce();
    Thread watchdog =
        new Thread(
            () -> {
              long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERRUPT_WINDOW_MS);
              while (running.get() == id && System.nanoTime() < until && !closed) {
                stopOnce();
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
              }
            },
            "amalgam-interrupt");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private void stopOnce() {
    Engine e = engine;
    if (e != null) {
      e.cancelAll();
    }
    JavaEvaluator j = evaluator;
    if (j != null) {
      j.stop();
    }
  }

  /** Whether a cell is running now. */
  boolean busy() {
    return running.get() != 0;
  }

  // ---- engine -----------------------------------------------------------------------------------

  /** The notebook's engine, opened on first use. */
  Engine engine() {
    checkOpen();
    Engine e = engine;
    if (e != null) {
      return e;
    }
    synchronized (engineLock) {
      if (engine == null) {
        EngineSettings s = settings;
        engine = onAdminThread(() -> open(s));
      }
      return Objects.requireNonNull(engine);
    }
  }

  /** Whether the engine has been opened. */
  boolean engineOpen() {
    return engine != null;
  }

  /** Closes the engine (its tables go with it) and opens the next one with {@code s}. */
  Engine reopen(EngineSettings s) {
    checkOpen();
    synchronized (engineLock) {
      Engine next = onAdminThread(() -> open(s));
      Engine old = engine;
      engine = next;
      settings = s;
      kept.clear();
      if (old != null) {
        onAdminThread(
            () -> {
              old.close();
              return old;
            });
      }
      return next;
    }
  }

  EngineSettings settings() {
    return settings;
  }

  Engine.Handle handle() {
    return handle;
  }

  private static Engine open(EngineSettings s) {
    Engine.Builder b = Engine.builder().topology(s.topology());
    if (s.pageSize() > 0) {
      b.pageSize(s.pageSize());
    }
    if (s.workersPerMember() > 0) {
      b.workersPerMember(s.workersPerMember());
    }
    return b.build();
  }

  private <T> T onAdminThread(java.util.concurrent.Callable<T> work) {
    Future<T> f = admin.submit(work);
    try {
      return f.get(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(true);
      throw new IllegalStateException("interrupted while opening or closing the engine", e);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new IllegalStateException("opening or closing the engine took over 5 minutes", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(String.valueOf(c), c);
    }
  }

  // ---- Java
  // ---------------------------------------------------------------------------------------

  /** The Java evaluator, created with the notebook's imports and {@code engine} on first use. */
  JavaEvaluator evaluator() {
    checkOpen();
    JavaEvaluator j = evaluator;
    if (j != null) {
      return j;
    }
    synchronized (evaluatorLock) {
      if (evaluator == null) {
        JavaEvaluator created = new JavaEvaluator(classPath);
        try {
          created.eval(String.join("\n", PRELUDE));
        } catch (CellException e) {
          created.close();
          throw new IllegalStateException("the notebook's imports failed: " + e.getMessage(), e);
        }
        evaluator = created;
      }
      return Objects.requireNonNull(evaluator);
    }
  }

  /** Declares (or redeclares) the Java variable {@code engine} as the notebook's engine. */
  void bindEngine() throws CellException {
    evaluator().eval("Engine engine = dev.amalgam.jupyter.Notebook.engine();");
  }

  /** Keeps {@code r} under {@code name} and declares a Java variable of that name holding it. */
  void keep(String name, Result r) throws CellException {
    if (!javax.lang.model.SourceVersion.isName(name)) {
      throw new CellException("usage", "'" + name + "' is not a Java variable name");
    }
    kept.put(name, r);
    evaluator()
        .eval("Result " + name + " = dev.amalgam.jupyter.Notebook.result(\"" + name + "\");");
  }

  Result kept(String name) {
    Result r = kept.get(name);
    if (r == null) {
      throw new IllegalArgumentException(
          "no result kept as '" + name + "'; kept: " + new ArrayList<>(kept.keySet()));
    }
    return r;
  }

  static final List<String> PRELUDE =
      List.of(
          "import java.util.*; import java.nio.file.*; import java.time.*; import java.math.*;",
          "import dev.amalgam.exec.*; import dev.amalgam.exec.expr.*;"
              + " import static dev.amalgam.exec.expr.Exprs.*;",
          "import dev.amalgam.memory.Topology; import dev.amalgam.memory.MemoryStats;"
              + " import dev.amalgam.memory.Sizes; import dev.amalgam.memory.UnifiedMemory;"
              + " import dev.amalgam.memory.Region; import dev.amalgam.memory.Device;"
              + " import dev.amalgam.memory.Advice; import dev.amalgam.memory.AccessMode;"
              + " import dev.amalgam.memory.Pin;",
          "import dev.amalgam.risk.*; import dev.amalgam.samples.tpch.TpchData;",
          "import dev.amalgam.jupyter.Notebook; import dev.amalgam.jupyter.Display;"
              + " import dev.amalgam.jupyter.Charts;",
          "Engine engine = Notebook.engine();");

  // ---- settings ---------------------------------------------------------------------------------

  int maxRows() {
    return maxRows;
  }

  void maxRows(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("the row limit must be >= 0, got " + n);
    }
    maxRows = n;
  }

  boolean explainEach() {
    return explainEach;
  }

  void explainEach(boolean on) {
    explainEach = on;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the notebook session is closed");
    }
  }

  /** Closes the evaluator and the engine. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (evaluatorLock) {
      JavaEvaluator j = evaluator;
      evaluator = null;
      if (j != null) {
        j.close();
      }
    }
    synchronized (engineLock) {
      Engine e = engine;
      engine = null;
      if (e != null) {
        e.close();
      }
      kept.clear();
    }
    admin.shutdownNow();
  }
}
