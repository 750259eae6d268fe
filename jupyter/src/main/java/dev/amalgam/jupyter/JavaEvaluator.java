package dev.amalgam.jupyter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import org.jspecify.annotations.Nullable;

/**
 * Evaluates Java cells with JShell, in this JVM: a cell is split into snippets, each is compiled
 * and run, and the value of a last expression is handed back as the object itself (not its string),
 * so that it can be rendered.
 *
 * <p>Execution: JShell's local execution engine loads the cell's classes with a class loader whose
 * parent is this JVM's, so cells see the engine's classes and their objects are the kernel's
 * objects. It runs each snippet on a thread of its own and instruments the snippet's code with a
 * stop check at method entries and backward branches; {@link #stop()} sets that check and
 * interrupts the thread, which ends loops in cell code. Code in libraries is not instrumented: a
 * query is cancelled through the engine instead (see {@link NotebookSession#interrupt()}).
 *
 * <p>Values: the kernel's subclass of the execution control remembers the object it reads when
 * JShell asks for a variable's value, so the last expression's value ({@code $N} or a named
 * variable) arrives as an object.
 *
 * <p>Not thread-safe except {@link #stop()}, which may be called from any thread.
 */
final class JavaEvaluator implements AutoCloseable {
  private final JShell shell;
  private final CapturingControl control;
  private final AtomicBoolean closed = new AtomicBoolean();
  // a stopped snippet ends as if it had completed: these tell the two apart
  private volatile boolean evaluating;
  private volatile boolean stopped;

  /** The outcome of a cell: a value to display (null for none) and whether there was one. */
  record Outcome(boolean hasValue, @Nullable Object value) {
    static final Outcome NONE = new Outcome(false, null);
  }

  JavaEvaluator(String classPath) {
    Objects.requireNonNull(classPath, "classPath is null");
    CapturingProvider provider = new CapturingProvider();
    this.shell =
        JShell.builder()
            .executionEngine(provider, Map.of())
            .compilerOptions("--add-modules", "jdk.incubator.vector", "-Xlint:-incubating")
            .build();
    this.control = Objects.requireNonNull(provider.control, "execution control was not created");
    for (String entry : classPath.split(java.io.File.pathSeparator)) {
      if (!entry.isBlank()) {
        shell.addToClasspath(entry);
      }
    }
  }

  /**
   * Runs {@code code} (any number of Java snippets: statements, declarations, expressions) and
   * returns the value of the last snippet when it is an expression.
   *
   * @throws CellException with the compiler's message and the cell's line and column, or the
   *     exception the code threw (class and message), or that the cell was interrupted
   */
  Outcome eval(String code) throws CellException {
    checkOpen();
    stopped = false;
    evaluating = true;
    try {
      return evalSnippets(code);
    } finally {
      evaluating = false;
    }
  }

  private void checkStopped() throws CellException {
    if (stopped) {
      throw new CellException("interrupted", "the cell was interrupted");
    }
  }

  private Outcome evalSnippets(String code) throws CellException {
    SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
    String remaining = code;
    int consumed = 0;
    Outcome last = Outcome.NONE;
    while (!remaining.isBlank()) {
      SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
      if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
        break;
      }
      if (!info.completeness().isComplete()) {
        int at = consumed + leadingWhitespace(remaining);
        throw new CellException(
            "incomplete code",
            at(code, at)
                + ": the cell ends in the middle of a statement: "
                + abbreviate(remaining));
      }
      // the snippet's source keeps its leading whitespace: diagnostics count from there
      checkStopped();
      last = evalSnippet(code, consumed, info.source());
      checkStopped();
      int used = remaining.length() - info.remaining().length();
      consumed += used;
      remaining = info.remaining();
    }
    return last;
  }

  private Outcome evalSnippet(String cell, int start, String source) throws CellException {
    List<SnippetEvent> events = shell.eval(source);
    Outcome out = Outcome.NONE;
    for (SnippetEvent e : events) {
      if (e.causeSnippet() != null) {
        continue; // an update of a dependent snippet, not this one
      }
      Snippet s = e.snippet();
      if (e.status() == Snippet.Status.REJECTED) {
        throw new CellException("compile error", diagnostics(cell, start, s));
      }
      JShellException ex = e.exception();
      if (ex != null) {
        throw runtimeError(ex);
      }
      if (s instanceof VarSnippet v && v.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
        out = valueOf(v);
      } else if (s instanceof ExpressionSnippet x) {
        out = variable(x.name());
      } else {
        out = Outcome.NONE;
      }
    }
    return out;
  }

  private Outcome valueOf(VarSnippet v) throws CellException {
    synchronized (control) {
      control.captured = null;
      try {
        shell.varValue(v);
      } catch (IllegalStateException e) {
        throw new CellException("internal error", "cannot read the value: " + e.getMessage());
      }
      return new Outcome(true, control.captured);
    }
  }

  private Outcome variable(String name) throws CellException {
    VarSnippet found = null;
    for (VarSnippet v : shell.variables().toList()) {
      if (v.name().equals(name) && shell.status(v).isActive()) {
        found = v;
      }
    }
    return found == null ? Outcome.NONE : valueOf(found);
  }

  private String diagnostics(String cell, int start, Snippet s) {
    List<Diag> diags = shell.diagnostics(s).toList();
    if (diags.isEmpty()) {
      List<String> unresolved =
          s instanceof jdk.jshell.DeclarationSnippet d
              ? shell.unresolvedDependencies(d).collect(Collectors.toList())
              : List.of();
      return at(cell, start)
          + ": "
          + (unresolved.isEmpty()
              ? "the snippet was rejected: " + abbreviate(s.source())
              : "cannot find " + String.join(", ", unresolved));
    }
    List<String> lines = new ArrayList<>();
    for (Diag d : diags) {
      long pos = d.getStartPosition() >= 0 ? d.getStartPosition() : d.getPosition();
      int offset = start + (int) Math.max(0, pos);
      lines.add(at(cell, offset) + ": " + d.getMessage(Locale.ROOT).replace('\n', ' '));
    }
    return String.join("\n", lines);
  }

  private static CellException runtimeError(JShellException ex) {
    if (ex instanceof EvalException ee) {
      String name = ee.getExceptionClassName();
      if (name.equals(ExecutionControl.StoppedException.class.getName())) {
        return new CellException("interrupted", "the cell was interrupted");
      }
      String msg = ee.getMessage();
      CellException c = new CellException(simpleName(name), msg == null ? name : msg);
      c.setStackTrace(ee.getStackTrace());
      return c;
    }
    if (ex instanceof UnresolvedReferenceException ur) {
      return new CellException(
          "unresolved reference",
          "'"
              + ur.getSnippet().source().strip()
              + "' refers to a declaration that does not compile; "
              + String.join(", ", List.of(String.valueOf(ur.getMessage()))));
    }
    return new CellException(ex.getClass().getSimpleName(), String.valueOf(ex.getMessage()));
  }

  private static String simpleName(String className) {
    int dot = className.lastIndexOf('.');
    return dot < 0 ? className : className.substring(dot + 1);
  }

  /** "line L, column C" of character {@code offset} of {@code text} (1-based). */
  static String at(String text, int offset) {
    int line = 1;
    int col = 1;
    for (int i = 0; i < Math.min(offset, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return "line " + line + ", column " + col;
  }

  private static int leadingWhitespace(String s) {
    int i = 0;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static String abbreviate(String s) {
    String t = s.strip().replaceAll("\\s+", " ");
    return t.length() <= 60 ? t : t.substring(0, 57) + "...";
  }

  /** Whether {@code code} is complete Java (for the front end's is_complete requests). */
  SourceCodeAnalysis.Completeness completeness(String code) {
    checkOpen();
    String remaining = code;
    SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
    SourceCodeAnalysis.Completeness last = SourceCodeAnalysis.Completeness.EMPTY;
    while (!remaining.isBlank()) {
      SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
      last = info.completeness();
      if (!last.isComplete()) {
        return last;
      }
      remaining = info.remaining();
    }
    return last;
  }

  /** Completion suggestions at {@code cursor}: the replaced range's start and the candidates. */
  List<String> complete(String code, int cursor, int[] anchor) {
    checkOpen();
    List<String> out = new ArrayList<>();
    for (SourceCodeAnalysis.Suggestion s :
        shell.sourceCodeAnalysis().completionSuggestions(code, cursor, anchor)) {
      if (!out.contains(s.continuation())) {
        out.add(s.continuation());
      }
    }
    return out;
  }

  /** Stops the running snippet, if any (any thread). */
  void stop() {
    if (evaluating) {
      stopped = true;
    }
    if (!closed.get()) {
      try {
        shell.stop();
      } catch (IllegalStateException e) {
        // closed meanwhile: nothing runs any more
      }
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the Java evaluator is closed");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      shell.close();
    }
  }

  /** Local execution that remembers the last variable value it read. */
  private static final class CapturingControl extends LocalExecutionControl {
    volatile @Nullable Object captured;

    @Override
    public String varValue(String className, String varName)
        throws ExecutionControl.RunException,
            ExecutionControl.EngineTerminationException,
            ExecutionControl.InternalException {
      try {
        java.lang.reflect.Field f = findClass(className).getDeclaredField(varName);
        f.setAccessible(true);
        captured = f.get(null);
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new ExecutionControl.InternalException("cannot read " + varName + ": " + e);
      }
      // JShell wants the value's text too; a toString that throws must not fail the cell
      Object v = captured;
      try {
        return v == null ? "null" : String.valueOf(v.getClass().getName());
      } catch (RuntimeException e) {
        return "?";
      }
    }
  }

  private static final class CapturingProvider implements ExecutionControlProvider {
    @Nullable CapturingControl control;

    @Override
    public String name() {
      return "amalgam-local";
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
      CapturingControl c = new CapturingControl();
      control = c;
      return c;
    }
  }
}
