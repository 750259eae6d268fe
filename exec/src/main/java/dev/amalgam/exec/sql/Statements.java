package dev.amalgam.exec.sql;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Query;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.TableBuilder;
import dev.amalgam.exec.expr.Expr;
import dev.amalgam.exec.plan.PlanNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUtil;
import org.apache.calcite.sql.ddl.SqlColumnDeclaration;
import org.apache.calcite.sql.ddl.SqlCreateTable;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;
import org.jspecify.annotations.Nullable;

/**
 * Statements other than queries: EXPLAIN [ANALYZE], CREATE TABLE [AS], INSERT INTO, DROP TABLE,
 * COPY.
 */
final class Statements {
  /*
   * EXPLAIN and DROP TABLE are recognized here by their first words (Calcite's grammar has
   * EXPLAIN PLAN FOR and no DROP in the Babel parser); the query after EXPLAIN is handed to the
   * query path with the words before it blanked out, so that error positions stay those of the
   * text. CREATE TABLE and INSERT are parsed by Calcite's Babel grammar; their queries are
   * validated and planned like any query.
   *
   * Tables are immutable. CREATE TABLE AS runs its query and writes the rows into a new table.
   * INSERT runs its query, then writes a new version of the target (its current rows, then the
   * new ones) and swaps it into the catalog in one step; queries running at that moment finish on
   * the old version, and the catalog version changes so that cached plans are not reused. Two
   * INSERTs into one table at once: the second to swap fails and says so (nothing is lost).
   */

  private static final Schema STATUS =
      Schema.of(Field.of("status", DataType.UTF8), Field.of("rows", DataType.INT64));
  private static final Schema PLAN = Schema.of(Field.of("plan", DataType.UTF8));

  private Statements() {}

  static Result execute(
      Engine engine, String sql, Engine.@Nullable Handle handle, boolean analyze) {
    String original = SqlScript.trimTerminators(sql);
    List<SqlScript.Token> head = SqlScript.tokens(original, 3);
    if (head.isEmpty()) {
      throw new QueryException(QueryException.Code.INVALID, "empty statement: no SQL to run");
    }
    try (FileScope files = FileScope.find(engine, original)) {
      if (head.get(0).is("copy")) {
        return Copy.execute(engine, files, handle);
      }
      return execute(engine, files, head, handle, analyze);
    }
  }

  private static Result execute(
      Engine engine,
      FileScope files,
      List<SqlScript.Token> head,
      Engine.@Nullable Handle handle,
      boolean analyze) {
    String text = files.text();
    SqlScript.Token first = head.get(0);
    if (first.is("explain")) {
      boolean an = head.size() > 1 && head.get(1).is("analyze");
      int at = an ? 2 : 1;
      if (head.size() <= at) {
        throw syntax(first, "EXPLAIN" + (an ? " ANALYZE" : "") + " needs a query after it");
      }
      String query = blank(text, head.get(at).offset());
      if (an) {
        String analysis = run(query(engine, query, files), handle, true).analysis();
        StringBuilder sb = new StringBuilder(analysis == null ? "" : analysis);
        for (String line : files.summaries()) {
          sb.append(sb.isEmpty() || sb.charAt(sb.length() - 1) == '\n' ? "" : "\n")
              .append(line)
              .append('\n');
        }
        return lines(sb.toString());
      }
      return lines(SqlFrontEnd.explain(engine, query, files));
    }
    if (first.is("drop")) {
      return drop(engine, text);
    }
    if (first.is("create") || first.is("insert")) {
      return SqlFrontEnd.withPlanner(
          engine,
          files,
          planner -> {
            SqlNode parsed = planner.parse(text);
            return switch (parsed) {
              case SqlCreateTable c -> create(engine, planner, c, files, handle);
              case SqlInsert i -> insert(engine, planner, i, files, handle);
              default -> throw unsupported(parsed.getParserPosition(), parsed.getKind().sql);
            };
          });
    }
    return run(query(engine, text, files), handle, analyze);
  }

  /** The query of {@code text}: from the plan cache when it reads no files. */
  static Query query(Engine engine, String text, FileScope files) {
    return files.isEmpty() ? engine.sql(text) : SqlFrontEnd.query(engine, text, files);
  }

  static Result run(Query q, Engine.@Nullable Handle handle, boolean analyze) {
    Engine.Handle h = handle != null ? handle : new Engine.Handle();
    return analyze ? q.explainAnalyze(h) : q.execute(h);
  }

  private static Result lines(String text) {
    List<List<String>> rows = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      rows.add(List.of(line));
    }
    if (!rows.isEmpty() && rows.get(rows.size() - 1).get(0).isEmpty()) {
      rows.remove(rows.size() - 1);
    }
    return Result.ofRows(PLAN, rows);
  }

  static Result status(String text, long rows) {
    return Result.ofRows(STATUS, List.of(List.of(text, rows)));
  }

  /** {@code text} with everything before {@code offset} blanked (line breaks kept). */
  static String blank(String text, int offset) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < offset; i++) {
      char c = text.charAt(i);
      sb.append(c == '\n' || c == '\r' ? c : ' ');
    }
    return sb.append(text, offset, text.length()).toString();
  }

  // ---- DROP TABLE ----------------------------------------------------------------------------

  private static Result drop(Engine engine, String text) {
    List<SqlScript.Token> t = SqlScript.tokens(text, 8);
    int i = 1;
    if (t.size() <= i || !t.get(i).is("table")) {
      throw syntax(t.size() > i ? t.get(i) : t.get(0), "expected TABLE after DROP");
    }
    i++;
    boolean ifExists = false;
    if (t.size() > i + 1 && t.get(i).is("if") && t.get(i + 1).is("exists")) {
      ifExists = true;
      i += 2;
    }
    if (t.size() <= i
        || (t.get(i).kind() != SqlScript.Token.Kind.WORD
            && t.get(i).kind() != SqlScript.Token.Kind.QUOTED)) {
      throw syntax(t.get(i - 1), "expected a table name after " + t.get(i - 1).text());
    }
    SqlScript.Token name = t.get(i);
    if (t.size() > i + 1) {
      SqlScript.Token extra = t.get(i + 1);
      throw syntax(extra, "unexpected '" + extra.text() + "' after the table name");
    }
    String table = find(engine, name.identifier());
    if (table == null) {
      if (ifExists) {
        return status("table " + name.identifier() + " does not exist; nothing dropped", 0);
      }
      throw at(name.line(), name.column(), noTable(engine, name.identifier()));
    }
    long rows = engine.catalogTable(table).rowCount();
    try {
      engine.dropTable(table);
    } catch (IllegalArgumentException e) {
      throw at(name.line(), name.column(), String.valueOf(e.getMessage()));
    }
    return status("dropped table " + table + " (" + rows + (rows == 1 ? " row)" : " rows)"), rows);
  }

  // ---- CREATE TABLE --------------------------------------------------------------------------

  private static Result create(
      Engine engine,
      org.apache.calcite.tools.Planner planner,
      SqlCreateTable c,
      FileScope files,
      Engine.@Nullable Handle handle)
      throws org.apache.calcite.tools.ValidationException,
          org.apache.calcite.tools.RelConversionException {
    String name = tableName(c.name);
    String existing = find(engine, name);
    SqlParserPos pos = c.name.getParserPosition();
    if (existing != null && !c.getReplace()) {
      if (c.ifNotExists) {
        return status("table " + existing + " already exists; nothing created", 0);
      }
      throw at(pos, "table '" + existing + "' already exists");
    }
    SqlNode queryNode = c.query;
    if (queryNode == null) {
      Schema schema = columns(c.columnList, pos);
      try (TableBuilder b = builder(engine, existing, name, schema)) {
        b.build();
      }
      return status("created table " + name, 0);
    }
    Query q = SqlFrontEnd.plan(planner, queryNode, files).lower(engine, null);
    if (c.columnList != null) {
      q = renamed(q, c.columnList, pos);
    }
    Schema schema = PlanNode.decoded(q.schema());
    Result r = run(q, handle, false);
    try (TableBuilder b = builder(engine, existing, name, schema)) {
      for (Result.Row row : r) {
        b.addRow(row.values().toArray());
      }
      b.build();
    }
    long n = r.rowCount();
    return status(
        (existing != null ? "replaced table " : "created table ")
            + name
            + " ("
            + n
            + (n == 1 ? " row)" : " rows)"),
        n);
  }

  private static TableBuilder builder(
      Engine engine, @Nullable String existing, String name, Schema schema) {
    if (existing != null) {
      return engine.replaceTable(engine.catalogTable(existing), schema);
    }
    try {
      return engine.createTable(name, schema);
    } catch (IllegalArgumentException e) {
      throw new QueryException(QueryException.Code.INVALID, String.valueOf(e.getMessage()), e);
    }
  }

  private static Query renamed(Query q, SqlNodeList columns, SqlParserPos pos) {
    List<String> names = new ArrayList<>();
    for (SqlNode n : columns) {
      if (!(n instanceof SqlIdentifier id)) {
        throw at(n.getParserPosition(), "CREATE TABLE AS takes column names only, not types");
      }
      names.add(id.getSimple());
    }
    if (names.size() != q.schema().size()) {
      throw at(
          pos,
          names.size()
              + " column names for a query of "
              + q.schema().size()
              + " columns "
              + q.schema().names());
    }
    return RelLowering.rename(q, names);
  }

  private static Schema columns(@Nullable SqlNodeList list, SqlParserPos pos) {
    if (list == null || list.isEmpty()) {
      throw at(pos, "CREATE TABLE needs columns, e.g. (id BIGINT NOT NULL, name VARCHAR)");
    }
    List<Field> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (SqlNode n : list) {
      if (!(n instanceof SqlColumnDeclaration d)) {
        throw at(n.getParserPosition(), "constraints are not supported: " + n);
      }
      String col = d.name.getSimple();
      if (!names.add(col.toLowerCase(Locale.ROOT))) {
        throw at(d.name.getParserPosition(), "column '" + col + "' is declared twice");
      }
      if (d.expression != null) {
        throw at(d.expression.getParserPosition(), "column defaults are not supported");
      }
      Boolean nullable = d.dataType.getNullable();
      fields.add(new Field(col, columnType(d.dataType), nullable == null || nullable));
    }
    return new Schema(fields);
  }

  /** The storage type of a column declared with SQL type {@code spec}. */
  static DataType columnType(SqlDataTypeSpec spec) {
    String name = spec.getTypeName().getSimple().toUpperCase(Locale.ROOT);
    int precision = -1;
    int scale = -1;
    if (spec.getTypeNameSpec() instanceof SqlBasicTypeNameSpec b) {
      precision = b.getPrecision();
      scale = b.getScale();
    }
    SqlParserPos pos = spec.getParserPosition();
    return switch (name) {
      case "BOOLEAN", "BOOL" -> DataType.BOOL;
      case "TINYINT" -> DataType.INT8;
      case "SMALLINT" -> DataType.INT16;
      case "INTEGER", "INT" -> DataType.INT32;
      case "BIGINT" -> DataType.INT64;
      case "REAL" -> DataType.FLOAT32;
      case "FLOAT", "DOUBLE" -> DataType.FLOAT64;
      case "DATE" -> DataType.DATE32;
      case "TIMESTAMP" -> DataType.TIMESTAMP;
      case "CHAR", "VARCHAR", "TEXT", "STRING" -> DataType.UTF8;
      case "DECIMAL", "NUMERIC", "DEC" -> {
        int p = precision < 0 ? DataType.MAX_DECIMAL_PRECISION : precision;
        int s = scale < 0 ? (precision < 0 ? 3 : 0) : scale;
        if (p > DataType.MAX_DECIMAL_PRECISION) {
          throw at(
              pos,
              "DECIMAL("
                  + p
                  + ","
                  + s
                  + ") is wider than the engine's limit of "
                  + DataType.MAX_DECIMAL_PRECISION
                  + " digits");
        }
        yield DataType.decimal(p, s);
      }
      default ->
          throw at(
              pos,
              "type "
                  + name
                  + " is not supported; use BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, REAL,"
                  + " DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP or VARCHAR");
    };
  }

  // ---- INSERT ----------------------------------------------------------------------------------

  private static Result insert(
      Engine engine,
      org.apache.calcite.tools.Planner planner,
      SqlInsert ins,
      FileScope files,
      Engine.@Nullable Handle handle)
      throws org.apache.calcite.tools.ValidationException,
          org.apache.calcite.tools.RelConversionException {
    if (!(ins.getTargetTable() instanceof SqlIdentifier target)) {
      throw at(ins.getTargetTable().getParserPosition(), "INSERT needs a table name");
    }
    String name = find(engine, tableName(target));
    if (name == null) {
      throw at(target.getParserPosition(), noTable(engine, tableName(target)));
    }
    Table table = engine.catalogTable(name);
    Schema schema = table.schema();
    // which source column feeds each table column (-1: none, NULL)
    int[] from = new int[schema.size()];
    java.util.Arrays.fill(from, -1);
    SqlNodeList targetColumns = ins.getTargetColumnList();
    int given;
    if (targetColumns == null) {
      for (int i = 0; i < from.length; i++) {
        from[i] = i;
      }
      given = schema.size();
    } else {
      given = targetColumns.size();
      for (int j = 0; j < targetColumns.size(); j++) {
        SqlNode n = targetColumns.get(j);
        String col = ((SqlIdentifier) n).getSimple();
        int idx = columnIndex(schema, col);
        if (idx < 0) {
          throw at(
              n.getParserPosition(),
              "table '" + name + "' has no column '" + col + "'; columns are " + schema.names());
        }
        if (from[idx] >= 0) {
          throw at(n.getParserPosition(), "column '" + col + "' is named twice");
        }
        from[idx] = j;
      }
    }
    SqlNode source = ins.getSource();
    SqlParserPos sourcePos = source.getParserPosition();
    typeNulls(source, schema, from);
    Query q = SqlFrontEnd.plan(planner, source, files).lower(engine, null);
    Schema in = PlanNode.decoded(q.schema());
    if (in.size() != given) {
      throw at(
          sourcePos,
          "INSERT INTO "
              + name
              + " gives "
              + in.size()
              + (in.size() == 1 ? " value" : " values")
              + " per row for "
              + given
              + (given == 1 ? " column " : " columns ")
              + (targetColumns == null ? schema.names() : targetColumns.toString()));
    }
    Object[] cols = new Object[schema.size()];
    for (int i = 0; i < cols.length; i++) {
      Field f = schema.field(i);
      DataType to = f.type().computeType();
      if (from[i] < 0) {
        if (!f.nullable()) {
          throw at(
              target.getParserPosition(),
              "column '" + f.name() + "' of table '" + name + "' is NOT NULL and gets no value");
        }
        cols[i] = new Expr.Literal(null, to).as(f.name());
        continue;
      }
      Field src = in.field(from[i]);
      if (!assignable(src.type(), to)) {
        throw at(
            sourcePos,
            "column '"
                + f.name()
                + "' of table '"
                + name
                + "' is "
                + Literals.sqlName(f.type())
                + "; value "
                + (from[i] + 1)
                + " of each row is "
                + Literals.sqlName(src.type()));
      }
      Expr e = new Expr.Column(src.name());
      cols[i] = (src.type().equals(to) ? e : e.cast(to)).as(f.name());
    }
    Result added = run(q.select(cols), handle, false);
    Result old = run(engine.table(name), handle, false);
    try (TableBuilder b = engine.replaceTable(table, schema)) {
      for (Result.Row row : old) {
        b.addRow(row.values().toArray());
      }
      for (Result.Row row : added) {
        b.addRow(row.values().toArray());
      }
      b.build();
    } catch (IllegalArgumentException e) {
      throw new QueryException(
          QueryException.Code.INVALID, "INSERT INTO " + name + ": " + e.getMessage(), e);
    }
    long n = added.rowCount();
    long total = old.rowCount() + n;
    return status(
        "inserted "
            + n
            + (n == 1 ? " row" : " rows")
            + " into "
            + name
            + " (now "
            + total
            + (total == 1 ? " row)" : " rows)"),
        n);
  }

  /**
   * In {@code INSERT ... VALUES}, a bare NULL takes the type of its target column (without implicit
   * coercion Calcite cannot type it).
   */
  private static void typeNulls(SqlNode source, Schema schema, int[] from) {
    if (source.getKind() != SqlKind.VALUES) {
      return;
    }
    int[] target = new int[from.length];
    java.util.Arrays.fill(target, -1);
    for (int i = 0; i < from.length; i++) {
      if (from[i] >= 0) {
        target[from[i]] = i;
      }
    }
    for (SqlNode r : ((SqlCall) source).getOperandList()) {
      if (!(r instanceof SqlCall row) || row.getKind() != SqlKind.ROW) {
        continue;
      }
      for (int j = 0; j < row.operandCount() && j < target.length; j++) {
        SqlNode v = row.operand(j);
        if (target[j] >= 0 && SqlUtil.isNullLiteral(v, false)) {
          SqlParserPos p = v.getParserPosition();
          DataType t = schema.field(target[j]).type();
          row.setOperand(j, SqlStdOperatorTable.CAST.createCall(p, v, typeSpec(t, p)));
        }
      }
    }
  }

  private static SqlDataTypeSpec typeSpec(DataType t, SqlParserPos p) {
    SqlTypeName n =
        switch (t.kind()) {
          case BOOL -> SqlTypeName.BOOLEAN;
          case INT8 -> SqlTypeName.TINYINT;
          case INT16 -> SqlTypeName.SMALLINT;
          case INT32 -> SqlTypeName.INTEGER;
          case INT64 -> SqlTypeName.BIGINT;
          case FLOAT32 -> SqlTypeName.REAL;
          case FLOAT64 -> SqlTypeName.DOUBLE;
          case DECIMAL -> SqlTypeName.DECIMAL;
          case DATE32 -> SqlTypeName.DATE;
          case TIMESTAMP -> SqlTypeName.TIMESTAMP;
          case UTF8, DICTIONARY_UTF8 -> SqlTypeName.VARCHAR;
        };
    SqlBasicTypeNameSpec spec =
        t.kind() == DataType.Kind.DECIMAL
            ? new SqlBasicTypeNameSpec(n, t.precision(), t.scale(), p)
            : new SqlBasicTypeNameSpec(n, p);
    return new SqlDataTypeSpec(spec, p);
  }

  /** Whether a value of type {@code from} may be stored in a column of type {@code to}. */
  private static boolean assignable(DataType from, DataType to) {
    DataType a = from.computeType();
    DataType b = to.computeType();
    if (a.isNumeric() && b.isNumeric()) {
      return true;
    }
    return a.kind() == b.kind();
  }

  private static int columnIndex(Schema schema, String col) {
    for (int i = 0; i < schema.size(); i++) {
      if (schema.field(i).name().equals(col)) {
        return i;
      }
    }
    for (int i = 0; i < schema.size(); i++) {
      if (schema.field(i).name().equalsIgnoreCase(col)) {
        return i;
      }
    }
    return -1;
  }

  // ---- names and errors ----------------------------------------------------------------------

  private static String tableName(SqlIdentifier id) {
    if (id.names.size() > 1) {
      throw at(id.getParserPosition(), "table names have one part; got " + id);
    }
    return id.getSimple();
  }

  /** The catalog name matching {@code name} (exactly, else case-insensitively), or null. */
  static @Nullable String find(Engine engine, String name) {
    if (engine.hasTable(name)) {
      return name;
    }
    for (String t : engine.tableNames()) {
      if (t.equalsIgnoreCase(name)) {
        return t;
      }
    }
    return null;
  }

  static String noTable(Engine engine, String name) {
    return "no table '" + name + "'; tables are: " + String.join(", ", engine.tableNames());
  }

  static QueryException syntax(SqlScript.Token t, String what) {
    return new QueryException(
        QueryException.Code.INVALID,
        "syntax error at line " + t.line() + ", column " + t.column() + ": " + what,
        t.line(),
        t.column(),
        null);
  }

  private static QueryException at(int line, int column, String what) {
    return new QueryException(
        QueryException.Code.INVALID,
        "error at line " + line + ", column " + column + ": " + what,
        line,
        column,
        null);
  }

  private static QueryException at(SqlParserPos pos, String what) {
    return at(pos.getLineNum(), pos.getColumnNum(), what);
  }

  private static QueryException unsupported(SqlParserPos pos, String what) {
    return at(pos, what + " is not supported");
  }
}
