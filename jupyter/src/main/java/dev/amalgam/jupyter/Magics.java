package dev.amalgam.jupyter;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.sql.SqlFrontEnd;
import dev.amalgam.exec.sql.SqlScript;
import dev.amalgam.memory.Sizes;
import dev.amalgam.memory.Topology;
import dev.amalgam.samples.tpch.TpchData;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The kernel's magics. Cell magics: {@code %%sql} (statements on the notebook's engine) and {@code
 * %%explain [analyze]}. Line magics: {@code %sql}, {@code %tpch SF}, {@code %topology}, {@code
 * %explain}, {@code %memory}, {@code %tables}, {@code %maxrows}, {@code %lsmagic}.
 *
 * <p>Each returns the value the cell shows (a result, a bundle, a chart) or null.
 */
final class Magics {
  static final String HELP =
      """
      Amalgam kernel magics
        %%sql [--limit N] [--analyze] [--into NAME]
                            SQL statements (separated by ;) on the notebook's engine; each
                            result is shown; --analyze adds EXPLAIN ANALYZE; --into keeps the
                            last result as the Java variable NAME
        %sql STATEMENT      one statement on one line
        %tpch SF [--replace]
                            generates the 8 TPC-H tables at scale factor SF into the engine
        %topology [NAME|FILE] [--member-memory SIZE] [--host-memory SIZE] [--page-size SIZE]
                  [--workers N]
                            shows the topology, or opens a new engine on it (the old engine's
                            tables are dropped); presets: PRESETS
        %explain on|off     EXPLAIN ANALYZE after every %%sql query
        %explain [analyze] QUERY, %%explain [analyze]
                            the plan with placement, or the profile of a run
        %memory [chart]     unified memory statistics (devices, links, spill), or bytes per link
        %tables             the engine's tables: rows, bytes, row groups per device
        %maxrows N          rows shown of a result (default MAXROWS)
        %lsmagic            this help
      Java: the last expression of a cell is shown (Result, RiskReport, MemoryStats, charts);
      Notebook.display(x) shows x at once; `engine` is the notebook's engine.
      """
          .replace("PRESETS", String.join(", ", Topology.presetNames()))
          .replace("MAXROWS", Integer.toString(Display.DEFAULT_MAX_ROWS));

  private final NotebookSession session;

  Magics(NotebookSession session) {
    this.session = session;
  }

  /** Runs cell magic {@code header} (the first line without {@code %%}) over {@code body}. */
  @Nullable Object cell(String header, String body) throws CellException {
    List<String> args = words(header);
    if (args.isEmpty()) {
      throw usage("a cell magic needs a name after %%; " + names());
    }
    String name = args.getFirst();
    List<String> rest = args.subList(1, args.size());
    return switch (name) {
      case "sql" -> sql(rest, body);
      case "explain" -> explain(rest, body);
      default -> throw usage("unknown cell magic %%" + name + "; cell magics are %%sql, %%explain");
    };
  }

  /** Runs line magic {@code line} (without its {@code %}). */
  @Nullable Object line(String line) throws CellException {
    String trimmed = line.strip();
    int sp = firstSpace(trimmed);
    String name = trimmed.substring(0, sp);
    String argText = trimmed.substring(sp).strip();
    List<String> args = words(argText);
    return switch (name) {
      case "sql" -> sql(List.of(), "\n" + argText);
      case "tpch" -> tpch(args);
      case "topology" -> topology(args);
      case "explain" -> explainLine(argText);
      case "memory" -> memory(args);
      case "tables" -> Display.tables(session.engine());
      case "maxrows" -> maxRows(args);
      case "lsmagic", "help" -> Display.pre(HELP);
      case "" -> throw usage("a line magic needs a name after %; " + names());
      default -> throw usage("unknown magic %" + name + "; " + names());
    };
  }

  private static String names() {
    return "magics are %%sql, %%explain, %sql, %tpch, %topology, %explain, %memory, %tables,"
        + " %maxrows, %lsmagic";
  }

  // ---- %%sql
  // --------------------------------------------------------------------------------------

  private @Nullable Object sql(List<String> args, String body) throws CellException {
    int limit = session.maxRows();
    boolean analyze = session.explainEach();
    String into = null;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--limit" -> limit = intArg(args, ++i, "--limit");
        case "--analyze" -> analyze = true;
        case "--into" -> into = stringArg(args, ++i, "--into");
        default ->
            throw usage(
                "%%sql does not take '" + a + "'; options: --limit N, --analyze, --into NAME");
      }
    }
    List<SqlScript.Statement> statements = SqlScript.split(body);
    if (statements.isEmpty()) {
      throw usage("%%sql needs SQL in the cell below its first line");
    }
    Engine engine = session.engine();
    Result last = null;
    for (int i = 0; i < statements.size(); i++) {
      SqlScript.Statement st = statements.get(i);
      Result r = SqlFrontEnd.execute(engine, st.positioned(), session.handle(), analyze);
      if (i + 1 < statements.size()) {
        session.display(Display.result(r, limit));
      }
      last = r;
    }
    Result shown = java.util.Objects.requireNonNull(last);
    if (into != null) {
      session.keep(into, shown);
    }
    return Display.result(shown, limit);
  }

  // ---- %explain
  // -----------------------------------------------------------------------------------

  private @Nullable Object explainLine(String argText) throws CellException {
    String a = argText.strip();
    if (a.equalsIgnoreCase("on") || a.equalsIgnoreCase("off")) {
      session.explainEach(a.equalsIgnoreCase("on"));
      return Display.text(
          "EXPLAIN ANALYZE after each %%sql query: " + (session.explainEach() ? "on" : "off"));
    }
    if (a.isEmpty()) {
      throw usage("%explain needs on, off or a query: %explain [analyze] SELECT ...");
    }
    List<String> w = words(a);
    if (w.getFirst().equalsIgnoreCase("analyze")) {
      return explain(List.of("analyze"), "\n" + a.substring("analyze".length()));
    }
    return explain(List.of(), "\n" + a);
  }

  private Object explain(List<String> args, String body) throws CellException {
    boolean analyze = false;
    for (String a : args) {
      if (a.equalsIgnoreCase("analyze")) {
        analyze = true;
      } else {
        throw usage("%%explain takes only 'analyze', not '" + a + "'");
      }
    }
    List<SqlScript.Statement> statements = SqlScript.split(body);
    if (statements.size() != 1) {
      throw usage("%%explain needs exactly one query, got " + statements.size() + " statements");
    }
    SqlScript.Statement st = statements.getFirst();
    // keep the query's line and column: the keywords go on the blank line(s) before it
    String positioned = st.positioned();
    String keywords = analyze ? "EXPLAIN ANALYZE" : "EXPLAIN";
    String text = positioned.startsWith("\n") ? keywords + positioned : keywords + " " + st.text();
    Result r = session.engine().execute(text, session.handle());
    return Display.result(r, Integer.MAX_VALUE);
  }

  // ---- %tpch
  // --------------------------------------------------------------------------------------

  private Object tpch(List<String> args) throws CellException {
    if (args.isEmpty()) {
      throw usage("%tpch needs a scale factor, e.g. %tpch 0.01 (about 87,000 rows)");
    }
    double sf;
    try {
      sf = Double.parseDouble(args.getFirst());
    } catch (NumberFormatException e) {
      throw usage("%tpch: '" + args.getFirst() + "' is not a scale factor (a number such as 0.1)");
    }
    if (!(sf > 0) || sf > 100) {
      throw usage("%tpch: the scale factor must be > 0 and <= 100, got " + args.getFirst());
    }
    boolean replace = false;
    for (String a : args.subList(1, args.size())) {
      if (a.equals("--replace")) {
        replace = true;
      } else {
        throw usage("%tpch does not take '" + a + "'; options: --replace");
      }
    }
    Engine engine = session.engine();
    List<String> present = new ArrayList<>();
    for (String t : TpchData.tableNames()) {
      if (engine.hasTable(t)) {
        present.add(t);
      }
    }
    if (!present.isEmpty()) {
      if (!replace) {
        throw usage(
            "%tpch: the engine already has TPC-H tables ("
                + String.join(", ", present)
                + "); add --replace to generate them again");
      }
      for (String t : present) {
        engine.dropTable(t);
      }
    }
    long t0 = System.nanoTime();
    long rows = TpchData.load(engine, null, sf, null);
    double secs = (System.nanoTime() - t0) / 1e9;
    DisplayData tables = Display.tables(engine);
    String note =
        String.format(
            Locale.ROOT,
            "TPC-H sf %s: %,d rows generated into %s in %.1f s",
            args.getFirst(),
            rows,
            engine.fusedDevice(),
            secs);
    DisplayData d = new DisplayData();
    d.putText(note + "\n" + String.valueOf(tables.getData(MIMEType.TEXT_PLAIN)));
    d.putHTML(
        "<p>"
            + HtmlTable.escape(note)
            + "</p>"
            + String.valueOf(tables.getData(MIMEType.TEXT_HTML)));
    return d;
  }

  // ---- %topology
  // ----------------------------------------------------------------------------------

  private Object topology(List<String> args) throws CellException {
    if (args.isEmpty()) {
      NotebookSession.EngineSettings s = session.settings();
      return Display.pre(describe(s));
    }
    String name = args.getFirst();
    long member = 0;
    long host = 0;
    long page = 0;
    int workers = 0;
    for (int i = 1; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--member-memory" -> member = bytesArg(args, ++i, a);
        case "--host-memory" -> host = bytesArg(args, ++i, a);
        case "--page-size" -> page = bytesArg(args, ++i, a);
        case "--workers" -> workers = intArg(args, ++i, a);
        default ->
            throw usage(
                "%topology does not take '"
                    + a
                    + "'; options: --member-memory SIZE, --host-memory SIZE, --page-size SIZE,"
                    + " --workers N");
      }
    }
    Topology t = resolve(name);
    if (member > 0 || host > 0) {
      long m = member > 0 ? member : t.gpus().isEmpty() ? 0 : t.gpus().getFirst().capacityBytes();
      long h = host > 0 ? host : t.host().capacityBytes();
      t = t.withCapacities(m, h);
    }
    NotebookSession.EngineSettings s =
        new NotebookSession.EngineSettings(t, page, workers, String.join(" ", args));
    List<String> dropped = session.engineOpen() ? session.engine().tableNames() : List.of();
    session.reopen(s);
    session.bindEngine();
    String text = describe(s);
    if (!dropped.isEmpty()) {
      text +=
          "\n(the previous engine was closed with its tables: " + String.join(", ", dropped) + ")";
    }
    return Display.pre(text);
  }

  private static Topology resolve(String name) throws CellException {
    if (Topology.presetNames().contains(name)) {
      return Topology.preset(name);
    }
    Path file = Path.of(name);
    if (Files.isRegularFile(file)) {
      return Topology.parse(file);
    }
    throw usage(
        "%topology: no preset or file '"
            + name
            + "'; presets are "
            + String.join(", ", Topology.presetNames()));
  }

  private String describe(NotebookSession.EngineSettings s) {
    StringBuilder sb = new StringBuilder(s.topology().describe());
    if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '\n') {
      sb.append('\n');
    }
    if (session.engineOpen()) {
      Engine e = session.engine();
      sb.append("engine: ")
          .append(e.fusedDevice())
          .append(", pages of ")
          .append(Sizes.bytes(e.memory().pageSize()))
          .append(", workers ")
          .append(e.workers())
          .append('\n');
    }
    return sb.toString();
  }

  // ---- %memory, %maxrows
  // ----------------------------------------------------------------------------

  private Object memory(List<String> args) throws CellException {
    Engine engine = session.engine();
    if (args.isEmpty()) {
      return engine.memory().stats();
    }
    if (args.size() == 1 && args.getFirst().equals("chart")) {
      return Charts.bytesPerLink(engine.memory().stats());
    }
    throw usage("%memory takes nothing or 'chart', not '" + String.join(" ", args) + "'");
  }

  private Object maxRows(List<String> args) throws CellException {
    if (args.size() != 1) {
      throw usage("%maxrows needs one number, e.g. %maxrows 100; it is " + session.maxRows());
    }
    int n = intArg(args, 0, "%maxrows");
    session.maxRows(n);
    return Display.text("results show at most " + n + " rows");
  }

  // ---- arguments
  // ----------------------------------------------------------------------------------

  static List<String> words(String s) {
    String t = s.strip();
    return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
  }

  private static int firstSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return s.length();
  }

  private static String stringArg(List<String> args, int i, String option) throws CellException {
    if (i >= args.size()) {
      throw usage(option + " needs a value");
    }
    return args.get(i);
  }

  private static int intArg(List<String> args, int i, String option) throws CellException {
    String v = stringArg(args, i, option);
    try {
      int n = Integer.parseInt(v);
      if (n < 0) {
        throw usage(option + " must be >= 0, got " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw usage(option + " needs a whole number, got '" + v + "'");
    }
  }

  private static long bytesArg(List<String> args, int i, String option) throws CellException {
    String v = stringArg(args, i, option);
    try {
      return Sizes.parseBytes(v);
    } catch (IllegalArgumentException e) {
      throw usage(option + ": " + e.getMessage());
    }
  }

  static CellException usage(String message) {
    return new CellException("usage", message);
  }

  static CellException query(QueryException e) {
    return NotebookSession.queryError(e);
  }
}
