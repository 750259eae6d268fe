package dev.amalgam.cli;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.sql.SqlFrontEnd;
import dev.amalgam.exec.sql.SqlScript;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jspecify.annotations.Nullable;

/**
 * The SQL shell behind {@code amalgam sql}: runs statements and scripts on an engine and prints
 * results, errors (with file:line:column for scripts), timings and profiles; dot commands ({@code
 * .tables}, {@code .schema}, {@code .timer}, {@code .explain}, {@code .format}, {@code .help},
 * {@code .quit}); and the interactive JLine loop. Not thread-safe, except {@link #cancel()}.
 */
final class SqlShell {
  static final String HELP =
      """
      Statements end with ';' and may span lines. SQL: SELECT ..., WITH ..., EXPLAIN [ANALYZE] ...,
      CREATE TABLE t (col type, ...), CREATE [OR REPLACE] TABLE t AS SELECT ...,
      INSERT INTO t [(cols)] VALUES (...), ... | SELECT ..., DROP TABLE [IF EXISTS] t.
      Ctrl-C cancels the running statement; Ctrl-D or .quit leaves.
        .tables                  list the tables
        .schema [TABLE]          the CREATE TABLE statement of a table (or of all)
        .timer on|off            print each statement's run time
        .explain on|off          print EXPLAIN ANALYZE after each query
        .format table|csv|json   how results are printed
        .help                    this text
        .quit                    leave (also .exit)
      """;

  private static final Set<String> STATEMENTS = Set.of("CREATE", "INSERT", "DROP");

  private final Engine engine;
  private PrintWriter out;
  private final PrintWriter err;
  private final int maxRows;
  private ResultFormat format;
  private boolean timer;
  private boolean explain;
  private volatile Engine.@Nullable Handle running;

  SqlShell(Engine engine, PrintWriter out, PrintWriter err, ResultFormat format, int maxRows) {
    this.engine = engine;
    this.out = out;
    this.err = err;
    this.format = format;
    this.maxRows = maxRows;
  }

  void timer(boolean on) {
    this.timer = on;
  }

  void explain(boolean on) {
    this.explain = on;
  }

  /** Cancels the statement running now, if any (from another thread: a Ctrl-C handler). */
  void cancel() {
    Engine.Handle h = running;
    if (h != null) {
      h.cancel();
    }
  }

  /**
   * Runs every statement of {@code text}. Errors name {@code source}:line:column when a source
   * (file name) is given.
   *
   * @param keepGoing run the statements after a failed one too
   * @return the number of statements that failed
   */
  int run(String text, @Nullable String source, boolean keepGoing) {
    List<SqlScript.Statement> statements;
    try {
      statements = SqlScript.split(text);
    } catch (QueryException e) {
      err.println(location(e, 1, 1, source) + e.getMessage());
      err.flush();
      return 1;
    }
    int failed = 0;
    for (SqlScript.Statement st : statements) {
      if (!execute(st, source)) {
        failed++;
        if (!keepGoing) {
          break;
        }
      }
    }
    return failed;
  }

  /** Runs one statement and prints its result or error; whether it succeeded. */
  boolean execute(SqlScript.Statement st, @Nullable String source) {
    String word = SqlScript.firstWord(st.text());
    boolean query = !STATEMENTS.contains(word) && !word.equals("EXPLAIN");
    Engine.Handle h = new Engine.Handle();
    running = h;
    long t0 = System.nanoTime();
    try {
      Result r = SqlFrontEnd.execute(engine, st.positioned(), h, explain && query);
      long nanos = System.nanoTime() - t0;
      print(r, word);
      if (timer) {
        out.printf(Locale.ROOT, "Run Time: %.3f ms%n", nanos / 1e6);
      }
      out.flush();
      return true;
    } catch (QueryException e) {
      err.println(location(e, st.line(), st.column(), source) + e.getMessage());
      err.flush();
      return false;
    } catch (RuntimeException e) {
      err.println(location(null, st.line(), st.column(), source) + "internal error: " + e);
      err.flush();
      return false;
    } finally {
      running = null;
    }
  }

  private static String location(
      @Nullable QueryException e, int line, int column, @Nullable String source) {
    if (source == null) {
      return "Error: ";
    }
    if (e != null && e.line() > 0) {
      return source + ":" + e.line() + ":" + e.column() + ": ";
    }
    return source + ":" + line + ":" + column + ": ";
  }

  private void print(Result r, String word) {
    if (format == ResultFormat.TABLE && STATEMENTS.contains(word)) {
      out.println(r.get(0, "status"));
      return;
    }
    if (format == ResultFormat.TABLE && word.equals("EXPLAIN")) {
      for (Object line : r.column(0)) {
        out.println(line);
      }
      return;
    }
    format.print(r, out, maxRows);
    String analysis = r.analysis();
    if (analysis != null) {
      out.print(analysis);
    }
  }

  /**
   * Runs a dot command ({@code .tables}, ...).
   *
   * @return false for {@code .quit} / {@code .exit}
   */
  boolean command(String line) {
    String[] w = line.strip().split("\\s+");
    String cmd = w[0].toLowerCase(Locale.ROOT);
    switch (cmd) {
      case ".quit", ".exit" -> {
        return false;
      }
      case ".help" -> out.print(HELP);
      case ".tables" -> {
        List<List<Object>> rows = new ArrayList<>();
        for (String name : engine.tableNames()) {
          Table t = engine.catalogTable(name);
          rows.add(List.of(name, t.rowCount(), t.columnNames().size(), t.placement()));
        }
        format.print(
            Result.ofRows(
                Schema.of(
                    Field.of("name", DataType.UTF8),
                    Field.of("rows", DataType.INT64),
                    Field.of("columns", DataType.INT32),
                    Field.of("placement", DataType.UTF8)),
                rows),
            out,
            Integer.MAX_VALUE);
      }
      case ".schema" -> {
        List<String> names = w.length > 1 ? List.of(w[1]) : engine.tableNames();
        for (String name : names) {
          if (!engine.hasTable(name)) {
            err.println(
                "Error: no table '"
                    + name
                    + "'; tables are: "
                    + String.join(", ", engine.tableNames()));
            err.flush();
            return true;
          }
          out.println(createStatement(engine.catalogTable(name)));
        }
      }
      case ".timer", ".explain" -> {
        Boolean on = w.length == 2 ? onOff(w[1]) : null;
        if (on == null) {
          err.println("Error: usage: " + cmd + " on|off");
        } else if (cmd.equals(".timer")) {
          timer = on;
        } else {
          explain = on;
        }
      }
      case ".format" -> {
        try {
          if (w.length != 2) {
            throw new IllegalArgumentException("usage: .format table|csv|json");
          }
          format = ResultFormat.parse(w[1]);
        } catch (IllegalArgumentException e) {
          err.println("Error: " + e.getMessage());
        }
      }
      default -> err.println("Error: unknown command " + w[0] + "; .help lists the commands");
    }
    out.flush();
    err.flush();
    return true;
  }

  private static @Nullable Boolean onOff(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "on" -> true;
      case "off" -> false;
      default -> null;
    };
  }

  /** A CREATE TABLE statement for {@code t}'s schema. */
  static String createStatement(Table t) {
    StringBuilder sb = new StringBuilder("CREATE TABLE ").append(t.name()).append(" (");
    List<Field> fields = t.schema().fields();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      sb.append(i == 0 ? "\n  " : ",\n  ")
          .append(f.name())
          .append(' ')
          .append(sqlType(f.type()))
          .append(f.nullable() ? "" : " NOT NULL");
    }
    return sb.append("\n);").toString();
  }

  private static String sqlType(DataType t) {
    return switch (t.kind()) {
      case BOOL -> "BOOLEAN";
      case INT8 -> "TINYINT";
      case INT16 -> "SMALLINT";
      case INT32 -> "INTEGER";
      case INT64 -> "BIGINT";
      case FLOAT32 -> "REAL";
      case FLOAT64 -> "DOUBLE";
      case DECIMAL -> "DECIMAL(" + t.precision() + "," + t.scale() + ")";
      case DATE32 -> "DATE";
      case TIMESTAMP -> "TIMESTAMP";
      case UTF8 -> "VARCHAR";
      case DICTIONARY_UTF8 -> "VARCHAR /* dictionary-encoded */";
    };
  }

  // ---- interactive -----------------------------------------------------------------------------

  /**
   * A parser that asks for more lines until the statement ends with {@code ;} (dot commands are one
   * line).
   */
  private static final class StatementParser extends DefaultParser {
    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
      if (context == ParseContext.ACCEPT_LINE) {
        String s = line.strip();
        if (!s.isEmpty() && !s.startsWith(".") && !SqlScript.isComplete(line)) {
          throw new EOFError(-1, cursor, "the statement does not end with ;");
        }
      }
      return super.parse(line, cursor, context);
    }
  }

  /**
   * The interactive loop on {@code terminal}: prompts, reads a statement (several lines until
   * {@code ;}) or a dot command, runs it, until {@code .quit} or end of input. Ctrl-C while a
   * statement runs cancels it; at the prompt it clears the line. History goes to {@code history}
   * (when not null).
   */
  void interactive(Terminal terminal, @Nullable Path history) {
    LineReaderBuilder b =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("amalgam")
            .parser(new StatementParser())
            .variable(LineReader.SECONDARY_PROMPT_PATTERN, "   ...> ")
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true);
    if (history != null) {
      try {
        Files.createDirectories(history.toAbsolutePath().getParent());
        b.variable(LineReader.HISTORY_FILE, history);
      } catch (IOException e) {
        err.println("warning: no history (" + e.getMessage() + ")");
      }
    }
    LineReader reader = b.build();
    PrintWriter previous = out;
    out = terminal.writer();
    Terminal.SignalHandler before = terminal.handle(Terminal.Signal.INT, s -> cancel());
    try {
      out.println(
          "amalgam SQL on "
              + engine.fusedDevice()
              + (engine.fusedDevice().simulated() ? " (simulated members)" : "")
              + "; statements end with ';', .help for help");
      out.flush();
      while (true) {
        String line;
        try {
          line = reader.readLine("amalgam> ");
        } catch (UserInterruptException e) {
          continue;
        } catch (EndOfFileException e) {
          break;
        }
        String s = line.strip();
        if (s.isEmpty()) {
          continue;
        }
        if (s.startsWith(".")) {
          if (!command(s)) {
            break;
          }
          continue;
        }
        run(line, null, true);
      }
    } finally {
      terminal.handle(Terminal.Signal.INT, before);
      out = previous;
      try {
        reader.getHistory().save();
      } catch (IOException e) {
        err.println("warning: history not saved (" + e.getMessage() + ")");
      }
    }
  }
}
