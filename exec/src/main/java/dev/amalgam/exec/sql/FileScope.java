package dev.amalgam.exec.sql;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.files.FileFilter;
import dev.amalgam.exec.files.FileFormats;
import dev.amalgam.exec.files.FileOptions;
import dev.amalgam.exec.files.FileScan;
import dev.amalgam.exec.files.FileSource;
import dev.amalgam.exec.files.TableFileFormat;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.TimestampString;
import org.jspecify.annotations.Nullable;

/**
 * The files a statement reads: found in its text, opened before it is planned, loaded with the
 * plan's projection and filters, and dropped when it ends.
 */
final class FileScope implements AutoCloseable {
  /*
   * Calcite's parser does not take a string literal as a table, nor DuckDB-style table functions
   * with `name = value` options. So the statement's tokens are scanned first (SqlScript's lexer:
   * strings, quoted identifiers and comments are understood), and each file reference in a FROM
   * list — a string literal right after FROM, JOIN or a comma of a FROM list, or a call
   * read_<format>('path', options...) there — is replaced in the text by a quoted identifier of at
   * most the same width, padded with spaces, line breaks kept. Every other token stays where it
   * was, so Calcite's line:column positions are those of the original text. The identifier is the
   * path itself ("trades.parquet") or read_csv:path, so Calcite's own messages name the file; a
   * second reference of the same text with other options gets "$n". A FROM only counts when the
   * parenthesis group it is in has a SELECT (EXTRACT(YEAR FROM '...') and TRIM(... FROM '...') do
   * not).
   *
   * Each reference becomes a table of this statement's Calcite schema with the file's schema
   * (TableFileFormat.open). After Calcite has planned, each file's scan is looked at: the columns
   * its parent uses and the comparisons of a Filter right above it become the FileScan the format
   * loads with (Parquet reads only those columns and skips row groups by statistics; Arrow files
   * are mapped whole, CSV is parsed whole). The loaded table is an engine table named
   * $file<n>:<name>, hidden from tableNames(), dropped in close().
   */

  private static final AtomicLong IDS = new AtomicLong();

  /** One file reference. */
  record Ref(
      String identifier,
      Path path,
      String pathText,
      @Nullable String function,
      TableFileFormat format,
      FileOptions options,
      int line,
      int column) {
    String describe() {
      return function != null ? function + "('" + pathText + "')" : "'" + pathText + "'";
    }
  }

  /** What one reference has become. */
  private static final class Opened {
    final Ref ref;
    final String tableName;
    final FileSource source;
    final CatalogSchema.FileTable table;

    Opened(Ref ref, String tableName, FileSource source) {
      this.ref = ref;
      this.tableName = tableName;
      this.source = source;
      this.table = new CatalogSchema.FileTable(ref.identifier(), source.schema());
    }
  }

  private final Engine engine;
  private final String text;
  private final List<Ref> refs;
  private final List<Opened> opened = new ArrayList<>();
  private boolean loaded;

  private FileScope(Engine engine, String text, List<Ref> refs) {
    this.engine = engine;
    this.text = text;
    this.refs = refs;
  }

  /** A scope with no files. */
  static FileScope none(Engine engine, String text) {
    return new FileScope(engine, text, List.of());
  }

  /**
   * The file references of {@code text} (nothing is opened yet).
   *
   * @throws QueryException at the reference's line and column for an unknown format or table
   *     function, bad option syntax, a missing file, or when no format is on the class path
   */
  static FileScope find(Engine engine, String text) {
    List<SqlScript.Token> t = SqlScript.tokens(text, Integer.MAX_VALUE);
    char[] out = text.toCharArray();
    List<Ref> refs = new ArrayList<>();
    Map<String, Ref> byIdentifier = new LinkedHashMap<>();
    Deque<boolean[]> frames = new ArrayDeque<>(); // {saw SELECT, in FROM list}
    frames.push(new boolean[2]);
    boolean expectTable = false;
    for (int i = 0; i < t.size(); i++) {
      SqlScript.Token tok = t.get(i);
      boolean[] frame = frames.peek();
      if (expectTable) {
        expectTable = false;
        if (tok.kind() == SqlScript.Token.Kind.STRING) {
          Ref r = literal(tok, text, out, byIdentifier, refs.size());
          refs.add(r);
          continue;
        }
        if (tok.kind() == SqlScript.Token.Kind.WORD
            && tok.text().toLowerCase(Locale.ROOT).startsWith("read_")
            && i + 1 < t.size()
            && t.get(i + 1).text().equals("(")
            && t.get(i + 1).kind() == SqlScript.Token.Kind.SYMBOL) {
          int[] end = new int[1];
          Ref r = function(t, i, text, out, byIdentifier, refs.size(), end);
          refs.add(r);
          i = end[0];
          continue;
        }
      }
      if (tok.kind() == SqlScript.Token.Kind.SYMBOL) {
        switch (tok.text()) {
          case "(" -> frames.push(new boolean[2]);
          case ")" -> {
            if (frames.size() > 1) {
              frames.pop();
            }
          }
          case "," -> expectTable = frame[1];
          default -> {}
        }
        continue;
      }
      if (tok.kind() != SqlScript.Token.Kind.WORD) {
        continue;
      }
      switch (tok.text().toLowerCase(Locale.ROOT)) {
        case "select" -> {
          frame[0] = true;
          frame[1] = false;
        }
        case "from" -> {
          if (frame[0]) {
            frame[1] = true;
            expectTable = true;
          }
        }
        case "join" -> expectTable = frame[1];
        case "where",
            "group",
            "having",
            "order",
            "limit",
            "offset",
            "union",
            "intersect",
            "except",
            "window",
            "qualify",
            "fetch",
            "values" ->
            frame[1] = false;
        default -> {}
      }
    }
    if (refs.isEmpty()) {
      return none(engine, text);
    }
    return new FileScope(engine, new String(out), List.copyOf(refs));
  }

  private static Ref literal(
      SqlScript.Token tok, String text, char[] out, Map<String, Ref> byId, int index) {
    String pathText = tok.text();
    Path path = path(pathText, tok.line(), tok.column());
    TableFileFormat format = formatOf(path, pathText, tok.line(), tok.column());
    FileOptions options = FileOptions.none("'" + pathText + "'");
    return place(
        pathText,
        tok.offset(),
        tok.end(),
        text,
        out,
        byId,
        index,
        path,
        pathText,
        null,
        format,
        options,
        tok.line(),
        tok.column());
  }

  private static Ref function(
      List<SqlScript.Token> t,
      int at,
      String text,
      char[] out,
      Map<String, Ref> byId,
      int index,
      int[] endIndex) {
    SqlScript.Token name = t.get(at);
    String fn = name.text().toLowerCase(Locale.ROOT);
    String formatName = fn.substring("read_".length());
    TableFileFormat format = FileFormats.named(formatName);
    if (format == null) {
      if (FileFormats.all().isEmpty()) {
        throw noFormats(name.line(), name.column(), fn + "(...)");
      }
      List<String> fns = new ArrayList<>();
      for (String n : FileFormats.names()) {
        fns.add("read_" + n);
      }
      throw at(
          name.line(),
          name.column(),
          "no table function " + fn + "; file functions are " + String.join(", ", fns));
    }
    int i = at + 2;
    if (i >= t.size() || t.get(i).kind() != SqlScript.Token.Kind.STRING) {
      SqlScript.Token bad = i < t.size() ? t.get(i) : name;
      throw at(bad.line(), bad.column(), fn + " takes the file's path as a string first");
    }
    SqlScript.Token pathTok = t.get(i);
    String pathText = pathTok.text();
    Path path = path(pathText, pathTok.line(), pathTok.column());
    i++;
    List<FileOptions.Option> opts = new ArrayList<>();
    String where = fn + "('" + pathText + "')";
    while (true) {
      if (i >= t.size()) {
        throw at(name.line(), name.column(), where + ": missing ')'");
      }
      SqlScript.Token tok = t.get(i);
      if (isSymbol(tok, ")")) {
        break;
      }
      if (!isSymbol(tok, ",")) {
        throw at(
            tok.line(), tok.column(), where + ": expected ',' or ')'; got '" + tok.text() + "'");
      }
      i++;
      if (i >= t.size()
          || (t.get(i).kind() != SqlScript.Token.Kind.WORD
              && t.get(i).kind() != SqlScript.Token.Kind.QUOTED)) {
        SqlScript.Token bad = i < t.size() ? t.get(i) : tok;
        throw at(bad.line(), bad.column(), where + ": expected an option name like header = true");
      }
      SqlScript.Token optName = t.get(i++);
      // name = value, name := value, name => value
      if (i < t.size() && isSymbol(t.get(i), ":")) {
        i++;
      }
      if (i >= t.size() || !isSymbol(t.get(i), "=")) {
        SqlScript.Token bad = i < t.size() ? t.get(i) : optName;
        throw at(
            bad.line(),
            bad.column(),
            where + ": expected '=' after option '" + optName.text() + "'");
      }
      i++;
      if (i < t.size() && isSymbol(t.get(i), ">")) {
        i++;
      }
      int[] next = new int[] {i};
      Object value = value(t, next, where);
      i = next[0];
      opts.add(
          new FileOptions.Option(
              optName.identifier().toLowerCase(Locale.ROOT),
              value,
              optName.line(),
              optName.column()));
    }
    SqlScript.Token close = t.get(i);
    endIndex[0] = i;
    FileOptions options = new FileOptions(where, name.line(), name.column(), opts);
    return place(
        fn + ":" + pathText,
        name.offset(),
        close.end(),
        text,
        out,
        byId,
        index,
        path,
        pathText,
        fn,
        format,
        options,
        name.line(),
        name.column());
  }

  /**
   * An option value at {@code at[0]}: a string, word, number, {@code [list]} or {@code {map}};
   * leaves {@code at[0]} after it.
   */
  static Object value(List<SqlScript.Token> t, int[] at, String where) {
    int i = at[0];
    if (i >= t.size()) {
      SqlScript.Token last = t.get(t.size() - 1);
      throw at(last.line(), last.column(), where + ": expected a value");
    }
    SqlScript.Token tok = t.get(i);
    if (tok.kind() == SqlScript.Token.Kind.STRING) {
      at[0] = i + 1;
      return tok.text();
    }
    if (isSymbol(tok, "[")) {
      List<Object> list = new ArrayList<>();
      at[0] = i + 1;
      while (at[0] < t.size() && !isSymbol(t.get(at[0]), "]")) {
        list.add(value(t, at, where));
        if (at[0] < t.size() && isSymbol(t.get(at[0]), ",")) {
          at[0]++;
        }
      }
      if (at[0] >= t.size()) {
        throw at(tok.line(), tok.column(), where + ": missing ']'");
      }
      at[0]++;
      return list;
    }
    if (isSymbol(tok, "{")) {
      Map<String, Object> map = new LinkedHashMap<>();
      at[0] = i + 1;
      while (at[0] < t.size() && !isSymbol(t.get(at[0]), "}")) {
        SqlScript.Token key = t.get(at[0]);
        if (key.kind() == SqlScript.Token.Kind.SYMBOL) {
          throw at(key.line(), key.column(), where + ": expected a key like 'name': 'TYPE'");
        }
        at[0]++;
        if (at[0] >= t.size() || !isSymbol(t.get(at[0]), ":")) {
          throw at(key.line(), key.column(), where + ": expected ':' after '" + key.text() + "'");
        }
        at[0]++;
        map.put(key.text(), value(t, at, where));
        if (at[0] < t.size() && isSymbol(t.get(at[0]), ",")) {
          at[0]++;
        }
      }
      if (at[0] >= t.size()) {
        throw at(tok.line(), tok.column(), where + ": missing '}'");
      }
      at[0]++;
      return map;
    }
    boolean negative = false;
    if (isSymbol(tok, "-") && i + 1 < t.size()) {
      negative = true;
      i++;
      tok = t.get(i);
    }
    if (tok.kind() == SqlScript.Token.Kind.WORD) {
      String w = tok.text();
      // the lexer splits 1.5 into 1 . 5
      if (i + 2 < t.size()
          && isSymbol(t.get(i + 1), ".")
          && t.get(i + 1).offset() == tok.end()
          && t.get(i + 2).kind() == SqlScript.Token.Kind.WORD
          && t.get(i + 2).offset() == t.get(i + 1).end()) {
        w = w + "." + t.get(i + 2).text();
        i += 2;
      }
      at[0] = i + 1;
      String s = negative ? "-" + w : w;
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        // not an integer
      }
      if (!s.isEmpty() && (Character.isDigit(s.charAt(0)) || s.charAt(0) == '-')) {
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          // a word
        }
      }
      if (negative) {
        throw at(tok.line(), tok.column(), where + ": not a number: " + s);
      }
      String lower = w.toLowerCase(Locale.ROOT);
      if (lower.equals("true") || lower.equals("false")) {
        return lower.equals("true");
      }
      return w;
    }
    throw at(tok.line(), tok.column(), where + ": expected a value; got '" + tok.text() + "'");
  }

  static boolean isSymbol(SqlScript.Token t, String s) {
    return t.kind() == SqlScript.Token.Kind.SYMBOL && t.text().equals(s);
  }

  /** Puts the reference's identifier into {@code out} over [start, end) and makes its Ref. */
  private static Ref place(
      String wanted,
      int start,
      int end,
      String text,
      char[] out,
      Map<String, Ref> byId,
      int index,
      Path path,
      String pathText,
      @Nullable String function,
      TableFileFormat format,
      FileOptions options,
      int line,
      int column) {
    int room = end - start;
    for (int k = start; k < end; k++) {
      char c = text.charAt(k);
      if (c == '\n' || c == '\r') {
        room = Math.min(room, k - start);
        break;
      }
    }
    String id = wanted;
    Ref same = byId.get(id);
    boolean fits = quoted(id).length() <= room;
    if (!fits || (same != null && !sameFile(same, path, function, format, options))) {
      id = "$" + (index + 1);
    }
    String q = quoted(id);
    for (int k = start; k < end; k++) {
      char c = text.charAt(k);
      out[k] = c == '\n' || c == '\r' ? c : ' ';
    }
    q.getChars(0, q.length(), out, start);
    Ref r = new Ref(id, path, pathText, function, format, options, line, column);
    byId.putIfAbsent(id, r);
    return r;
  }

  private static boolean sameFile(
      Ref r, Path path, @Nullable String function, TableFileFormat format, FileOptions options) {
    return r.path().equals(path)
        && java.util.Objects.equals(r.function(), function)
        && r.format() == format
        && r.options().all().toString().equals(options.all().toString());
  }

  private static String quoted(String id) {
    return "\"" + id.replace("\"", "\"\"") + "\"";
  }

  private static Path path(String text, int line, int column) {
    if (text.isEmpty()) {
      throw at(line, column, "empty file path");
    }
    Path p;
    try {
      p = Path.of(text);
    } catch (InvalidPathException e) {
      throw at(line, column, "'" + text + "' is not a valid path: " + e.getMessage());
    }
    if (!Files.exists(p)) {
      throw at(
          line,
          column,
          "file '" + text + "' does not exist (looked for " + p.toAbsolutePath().normalize() + ")");
    }
    if (Files.isDirectory(p)) {
      throw at(line, column, "'" + text + "' is a directory, not a file");
    }
    return p;
  }

  private static TableFileFormat formatOf(Path path, String text, int line, int column) {
    TableFileFormat f = FileFormats.forPath(path);
    if (f != null) {
      return f;
    }
    if (FileFormats.all().isEmpty()) {
      throw noFormats(line, column, "'" + text + "'");
    }
    throw at(
        line,
        column,
        "'"
            + text
            + "': unknown file extension; known are "
            + String.join(", ", FileFormats.extensions())
            + " (or name the format: read_csv('"
            + text
            + "'))");
  }

  static QueryException noFormats(int line, int column, String what) {
    return at(
        line,
        column,
        what
            + ": no file formats are on the class path (reading and writing files needs the"
            + " amalgam-arrow-io module, which registers them as "
            + TableFileFormat.class.getName()
            + " services)");
  }

  // ---- opening and loading ---------------------------------------------------------------------

  /** Whether the statement reads no files. */
  boolean isEmpty() {
    return refs.isEmpty();
  }

  /** The statement's text with file references replaced by identifiers (same positions). */
  String text() {
    return text;
  }

  /**
   * Opens every file (its schema; some formats load it here). Idempotent.
   *
   * @throws QueryException naming the file and the reference's line and column
   */
  Map<String, CatalogSchema.FileTable> tables() {
    if (opened.isEmpty() && !refs.isEmpty()) {
      Map<String, Opened> seen = new LinkedHashMap<>();
      for (Ref r : refs) {
        if (seen.containsKey(r.identifier())) {
          continue;
        }
        String name = temporaryName(r);
        FileSource source;
        try {
          source = r.format().open(engine, r.path(), name, r.options());
        } catch (QueryException e) {
          dropQuietly(name);
          throw positioned(r, e);
        } catch (IOException | RuntimeException e) {
          dropQuietly(name);
          throw failed(r, "cannot read", e);
        }
        Opened o = new Opened(r, name, source);
        opened.add(o);
        seen.put(r.identifier(), o);
      }
    }
    Map<String, CatalogSchema.FileTable> out = new LinkedHashMap<>();
    for (Opened o : opened) {
      out.put(o.ref.identifier(), o.table);
    }
    return out;
  }

  private String temporaryName(Ref r) {
    String file = r.path().getFileName() == null ? "file" : r.path().getFileName().toString();
    String name;
    do {
      name = FileFormats.TEMPORARY_PREFIX + IDS.incrementAndGet() + ":" + file;
    } while (engine.hasTable(name));
    return name;
  }

  /**
   * Loads every file scanned by {@code rel} with the columns and filters its plan needs of it.
   *
   * @throws QueryException naming the file and the reference's position
   */
  void load(RelNode rel) {
    if (refs.isEmpty() || loaded) {
      return;
    }
    loaded = true;
    Map<CatalogSchema.FileTable, Usage> uses = new IdentityHashMap<>();
    visit(rel, null, null, uses);
    for (Opened o : opened) {
      Usage u = uses.get(o.table);
      if (u == null) {
        continue;
      }
      Schema schema = o.table.schema();
      List<String> columns = null;
      if (u.used.cardinality() < schema.size()) {
        columns = new ArrayList<>();
        for (int c = u.used.nextSetBit(0); c >= 0; c = u.used.nextSetBit(c + 1)) {
          columns.add(schema.field(c).name());
        }
        if (columns.isEmpty()) {
          columns.add(schema.field(0).name()); // the rows still count
        }
      }
      FileScan scan = new FileScan(columns, u.scans == 1 ? u.filters : List.of());
      Table t;
      try {
        t = o.source.load(scan);
      } catch (QueryException e) {
        throw positioned(o.ref, e);
      } catch (RuntimeException e) {
        throw failed(o.ref, "cannot read", e);
      }
      o.table.loaded(t.name(), t.schema());
    }
  }

  /** One line per file read: what the format did. */
  List<String> summaries() {
    List<String> out = new ArrayList<>();
    for (Opened o : opened) {
      String s = o.source.summary();
      out.add(
          "file "
              + o.ref.describe()
              + " ("
              + o.ref.format().names().get(0)
              + ")"
              + (s.isEmpty() ? "" : ": " + s));
    }
    return out;
  }

  /** How a plan uses one file table. */
  private static final class Usage {
    final BitSet used = new BitSet();
    final List<FileFilter> filters = new ArrayList<>();
    int scans;
  }

  private static void visit(
      RelNode node,
      @Nullable RelNode parent,
      @Nullable RelNode grand,
      Map<CatalogSchema.FileTable, Usage> uses) {
    if (node instanceof TableScan s) {
      CatalogSchema.FileTable ft = s.getTable().unwrap(CatalogSchema.FileTable.class);
      if (ft != null) {
        Usage u = uses.computeIfAbsent(ft, k -> new Usage());
        u.scans++;
        int n = s.getRowType().getFieldCount();
        if (parent instanceof Project p) {
          u.used.or(bits(p.getProjects()));
        } else if (parent instanceof Aggregate a) {
          u.used.or(aggregateBits(a));
        } else if (parent instanceof Filter f) {
          u.used.or(bits(List.of(f.getCondition())));
          if (grand instanceof Project p) {
            u.used.or(bits(p.getProjects()));
          } else if (grand instanceof Aggregate a) {
            u.used.or(aggregateBits(a));
          } else {
            u.used.set(0, n);
          }
          filters(f.getCondition(), ft.schema(), u.filters);
        } else {
          u.used.set(0, n);
        }
      }
    }
    for (RelNode in : node.getInputs()) {
      visit(in, node, parent, uses);
    }
  }

  private static BitSet bits(List<RexNode> exprs) {
    return RelOptUtil.InputFinder.bits(exprs, null).toBitSet();
  }

  private static BitSet aggregateBits(Aggregate a) {
    BitSet b = a.getGroupSet().toBitSet();
    for (AggregateCall c : a.getAggCallList()) {
      for (int arg : c.getArgList()) {
        b.set(arg);
      }
      if (c.filterArg >= 0) {
        b.set(c.filterArg);
      }
    }
    return b;
  }

  private static void filters(RexNode condition, Schema schema, List<FileFilter> out) {
    for (RexNode c : RelOptUtil.conjunctions(condition)) {
      if (!(c instanceof RexCall call) || call.getOperands().size() != 2) {
        continue;
      }
      FileFilter.Op op = op(call.getKind());
      if (op == null) {
        continue;
      }
      RexNode a = call.getOperands().get(0);
      RexNode b = call.getOperands().get(1);
      if (a instanceof RexLiteral && b instanceof RexInputRef) {
        RexNode x = a;
        a = b;
        b = x;
        op = flip(op);
      }
      if (!(a instanceof RexInputRef ref) || !(b instanceof RexLiteral lit)) {
        continue;
      }
      Field f = schema.field(ref.getIndex());
      Object v = constant(lit, f.type());
      if (v != null) {
        out.add(new FileFilter(f.name(), op, v));
      }
    }
  }

  private static FileFilter.@Nullable Op op(SqlKind k) {
    return switch (k) {
      case EQUALS -> FileFilter.Op.EQ;
      case NOT_EQUALS -> FileFilter.Op.NE;
      case LESS_THAN -> FileFilter.Op.LT;
      case LESS_THAN_OR_EQUAL -> FileFilter.Op.LE;
      case GREATER_THAN -> FileFilter.Op.GT;
      case GREATER_THAN_OR_EQUAL -> FileFilter.Op.GE;
      default -> null;
    };
  }

  private static FileFilter.Op flip(FileFilter.Op op) {
    return switch (op) {
      case LT -> FileFilter.Op.GT;
      case LE -> FileFilter.Op.GE;
      case GT -> FileFilter.Op.LT;
      case GE -> FileFilter.Op.LE;
      default -> op;
    };
  }

  /**
   * The literal as a Java value for a filter on a column of type {@code t}, or null where pushing
   * it down could change the answer (a fraction against an integer column, float32 columns,
   * timestamps finer than milliseconds).
   */
  private static @Nullable Object constant(RexLiteral lit, DataType t) {
    if (lit.isNull()) {
      return null;
    }
    SqlTypeFamily fam = lit.getType().getSqlTypeName().getFamily();
    switch (t.kind()) {
      case INT8, INT16, INT32, INT64 -> {
        if (fam != SqlTypeFamily.NUMERIC) {
          return null;
        }
        BigDecimal v = lit.getValueAs(BigDecimal.class);
        if (v == null || v.stripTrailingZeros().scale() > 0) {
          return null;
        }
        try {
          return v.longValueExact();
        } catch (ArithmeticException e) {
          return null;
        }
      }
      case DECIMAL -> {
        return fam == SqlTypeFamily.NUMERIC ? lit.getValueAs(BigDecimal.class) : null;
      }
      case FLOAT64 -> {
        return fam == SqlTypeFamily.NUMERIC ? lit.getValueAs(Double.class) : null;
      }
      case UTF8, DICTIONARY_UTF8 -> {
        return fam == SqlTypeFamily.CHARACTER ? lit.getValueAs(String.class) : null;
      }
      case BOOL -> {
        return fam == SqlTypeFamily.BOOLEAN ? lit.getValueAs(Boolean.class) : null;
      }
      case DATE32 -> {
        if (fam != SqlTypeFamily.DATE) {
          return null;
        }
        DateString d = lit.getValueAs(DateString.class);
        return d == null ? null : LocalDate.ofEpochDay(d.getDaysSinceEpoch());
      }
      case TIMESTAMP -> {
        if (fam != SqlTypeFamily.TIMESTAMP) {
          return null;
        }
        TimestampString ts = lit.getValueAs(TimestampString.class);
        if (ts == null) {
          return null;
        }
        String s = ts.toString();
        int dot = s.indexOf('.');
        if (dot >= 0 && s.length() - dot - 1 > 3) {
          return null;
        }
        return Instant.ofEpochMilli(ts.getMillisSinceEpoch());
      }
      default -> {
        return null;
      }
    }
  }

  // ---- errors and cleanup ---------------------------------------------------------------------

  private static QueryException positioned(Ref r, QueryException e) {
    if (e.line() > 0) {
      return e;
    }
    return new QueryException(
        e.code(),
        "error at line "
            + r.line()
            + ", column "
            + r.column()
            + ": "
            + r.describe()
            + ": "
            + e.getMessage(),
        r.line(),
        r.column(),
        e);
  }

  private static QueryException failed(Ref r, String what, Exception e) {
    return new QueryException(
        QueryException.Code.INVALID,
        "error at line "
            + r.line()
            + ", column "
            + r.column()
            + ": "
            + what
            + " "
            + r.describe()
            + ": "
            + e.getMessage(),
        r.line(),
        r.column(),
        e);
  }

  static QueryException at(int line, int column, String what) {
    return new QueryException(
        QueryException.Code.INVALID,
        "error at line " + line + ", column " + column + ": " + what,
        line,
        column,
        null);
  }

  private void dropQuietly(String name) {
    if (engine.hasTable(name)) {
      engine.dropTable(name);
    }
  }

  /** Closes the sources and drops the files' tables. */
  @Override
  public void close() {
    RuntimeException first = null;
    for (Opened o : opened) {
      try {
        o.source.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
      try {
        dropQuietly(o.tableName);
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    opened.clear();
    if (first != null) {
      throw first;
    }
  }

  /** Names of the tables of {@code refs} (for tests). */
  Set<String> identifiers() {
    Set<String> out = new java.util.LinkedHashSet<>();
    for (Ref r : refs) {
      out.add(r.identifier());
    }
    return out;
  }
}
