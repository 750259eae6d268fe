package dev.amalgam.exec.sql;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Query;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Result;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.plan.Contexts;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.hep.HepMatchOrder;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlShuttle;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql2rel.RelDecorrelator;
import org.apache.calcite.sql2rel.SqlRexConvertletTable;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.sql2rel.StandardConvertletTable;
import org.apache.calcite.tools.FrameworkConfig;
import org.apache.calcite.tools.Frameworks;
import org.apache.calcite.tools.Planner;
import org.apache.calcite.tools.RelConversionException;
import org.apache.calcite.tools.ValidationException;
import org.jspecify.annotations.Nullable;

/** SQL text to an engine {@link Query}: parsed, validated and rewritten with Apache Calcite. */
public final class SqlFrontEnd {
  /*
   * Pipeline: Calcite parses (unquoted identifiers folded to lower case, matched
   * case-insensitively against the catalog; double-quoted identifiers kept as written), validates
   * against a schema built from the engine's catalog at that moment, and converts to relational
   * algebra with subqueries kept as RexSubQuery. A first HepPlanner pass turns subqueries into
   * correlates and joins, RelDecorrelator removes the correlation, and a second pass pushes
   * filters into joins (so FROM a, b WHERE a.x = b.y becomes an equi-join), makes semi-joins of
   * IN/EXISTS and merges projections. RelLowering then builds the plan through the fluent API,
   * whose binder types every expression; the engine's own optimizer does predicate and
   * projection pushdown on the result. Each call builds its own planner: nothing is shared between
   * queries, so an error leaves the engine as it was.
   */

  /** CASE over strings of different lengths is VARCHAR (no CHAR padding), as in DuckDB. */
  private static final RelDataTypeSystem TYPE_SYSTEM =
      new RelDataTypeSystemImpl() {
        @Override
        public boolean shouldConvertRaggedUnionTypesToVarying() {
          return true;
        }
      };

  /**
   * Calcite's convertlets, except that AVG stays AVG: Calcite would rewrite a windowed AVG of
   * integers into an integer division of SUM by COUNT; the engine's AVG is a double, as DuckDB's.
   */
  private static final SqlRexConvertletTable CONVERTLETS =
      call ->
          call.getOperator().getKind() == SqlKind.AVG
              ? StandardConvertletTable.INSTANCE::convertCall
              : StandardConvertletTable.INSTANCE.get(call);

  private SqlFrontEnd() {}

  /**
   * The query for {@code sql} over {@code engine}'s tables.
   *
   * @throws QueryException INVALID for a syntax or validation error (with line and column), a
   *     statement that is not a query, a query with parameters, or a SQL feature that is not
   *     supported yet
   */
  public static Query query(Engine engine, String sql) {
    refuseFiles(engine, sql, "engine.sql");
    return query(engine, sql, FileScope.none(engine, sql));
  }

  /**
   * A statement that reads files must run through {@code engine.execute}: the files are opened for
   * the statement and dropped after it, so there is no plan to keep.
   */
  private static void refuseFiles(Engine engine, String sql, String what) {
    FileScope files = FileScope.find(engine, SqlScript.trimTerminators(sql));
    if (!files.isEmpty()) {
      throw new QueryException(
          QueryException.Code.INVALID,
          "the query reads files ("
              + String.join(", ", files.identifiers())
              + "): run it with engine.execute(sql), which opens them for the statement and drops"
              + " them after it ("
              + what
              + " keeps plans for later)");
    }
  }

  /** The query for {@code sql} (already rewritten by {@code files}), its files loaded. */
  static Query query(Engine engine, String sql, FileScope files) {
    Prepared p = prepared(engine, sql, files);
    if (!p.params().isEmpty()) {
      Param first = p.params().get(0);
      throw new QueryException(
          QueryException.Code.INVALID,
          "error at line "
              + first.line()
              + ", column "
              + first.column()
              + ": the query has "
              + p.params().size()
              + (p.params().size() == 1 ? " parameter" : " parameters")
              + " (?): prepare it with engine.prepare(sql) and pass the values to execute(...)",
          first.line(),
          first.column(),
          null);
    }
    return p.lower(engine, null);
  }

  /** Calcite's optimized relational plan, then the engine's plan, for {@code sql}. */
  public static String explain(Engine engine, String sql) {
    return explain(engine, sql, FileScope.none(engine, sql));
  }

  static String explain(Engine engine, String sql, FileScope files) {
    Prepared p = prepared(engine, sql, files);
    StringBuilder out =
        new StringBuilder("calcite:\n").append(RelOptUtil.toString(p.rel())).append("amalgam:\n");
    out.append(query(engine, sql, files).explain());
    for (String line : files.summaries()) {
      out.append(line).append('\n');
    }
    return out.toString();
  }

  /**
   * Runs one SQL statement: a query, {@code EXPLAIN [ANALYZE] query}, {@code CREATE TABLE}, {@code
   * INSERT INTO} or {@code DROP TABLE}. A query returns its rows (with the EXPLAIN ANALYZE profile
   * in {@link Result#analysis()} when {@code analyze}); another statement returns one row saying
   * what it did.
   *
   * @param handle cancels the statement from another thread (may be null)
   */
  public static Result execute(
      Engine engine, String sql, Engine.@Nullable Handle handle, boolean analyze) {
    return Statements.execute(engine, sql, handle, analyze);
  }

  /**
   * The query for {@code sql} with parameters ({@code ?}), parsed, validated and rewritten once;
   * {@link PreparedQuery#bind} gives the query for given values.
   */
  public static PreparedQuery prepare(Engine engine, String sql) {
    refuseFiles(engine, sql, "engine.prepare");
    long version = engine.catalogVersion();
    return new PreparedQuery(
        engine, sql, version, prepared(engine, sql, FileScope.none(engine, sql)));
  }

  /** A parameter: its index, compute type (null when unused) and position. */
  record Param(int index, @Nullable DataType type, String sqlType, int line, int column) {}

  /** A query planned up to the engine's plan: Calcite's rewritten relational plan. */
  record Prepared(RelNode rel, List<String> names, List<Param> params) {
    /** The engine's query, with parameter {@code i} replaced by {@code values.get(i)}. */
    Query lower(Engine engine, @Nullable List<@Nullable Object> values) {
      RelLowering lowering =
          new RelLowering(engine, new RexTranslator(rel.getCluster().getRexBuilder(), values));
      return RelLowering.rename(lowering.lower(rel), names);
    }
  }

  /** A function of a Calcite planner that may throw Calcite's checked exceptions. */
  interface PlannerWork<T> {
    T run(Planner planner) throws SqlParseException, ValidationException, RelConversionException;
  }

  /** Runs {@code work} with a fresh planner, turning Calcite's errors into QueryExceptions. */
  static <T> T withPlanner(Engine engine, PlannerWork<T> work) {
    return withPlanner(engine, FileScope.none(engine, ""), work);
  }

  /** {@link #withPlanner(Engine, PlannerWork)} with the files of the statement as tables. */
  static <T> T withPlanner(Engine engine, FileScope files, PlannerWork<T> work) {
    Objects.requireNonNull(engine, "engine is null");
    Planner planner = Frameworks.getPlanner(config(engine, files));
    try {
      return work.run(planner);
    } catch (SqlParseException e) {
      SqlParserPos pos = e.getPos();
      throw new QueryException(
          QueryException.Code.INVALID,
          "syntax error at line "
              + pos.getLineNum()
              + ", column "
              + pos.getColumnNum()
              + ": "
              + firstLine(e.getMessage()),
          pos.getLineNum(),
          pos.getColumnNum(),
          e);
    } catch (ValidationException e) {
      throw validation(e);
    } catch (CalciteContextException e) {
      throw context(e);
    } catch (RelConversionException e) {
      throw new QueryException(
          QueryException.Code.INVALID, "cannot plan the query: " + e.getMessage(), e);
    } finally {
      planner.close();
    }
  }

  private static Prepared prepared(Engine engine, String sql, FileScope files) {
    Objects.requireNonNull(sql, "sql is null");
    String text = SqlScript.trimTerminators(sql);
    return withPlanner(
        engine,
        files,
        planner -> {
          SqlNode parsed = planner.parse(text);
          if (!parsed.isA(SqlKind.QUERY)) {
            throw notAQuery(parsed);
          }
          return plan(planner, parsed, files);
        });
  }

  /** {@link #plan(Planner, SqlNode)}, then the statement's files loaded for that plan. */
  static Prepared plan(Planner planner, SqlNode parsed, FileScope files)
      throws ValidationException, RelConversionException {
    Prepared p = plan(planner, parsed);
    files.load(p.rel());
    return p;
  }

  /** Validates and rewrites {@code parsed} (a query parsed by {@code planner}). */
  static Prepared plan(Planner planner, SqlNode parsed)
      throws ValidationException, RelConversionException {
    List<SqlDynamicParam> marks = new ArrayList<>();
    parsed.accept(
        new SqlShuttle() {
          @Override
          public @Nullable SqlNode visit(SqlDynamicParam param) {
            marks.add(param);
            return param;
          }
        });
    SqlNode validated = planner.validate(parsed);
    RelRoot root = planner.rel(validated);
    RelNode rel = rewrite(root.project());
    Map<Integer, RelDataType> types = new HashMap<>();
    collectParams(rel, types);
    List<Param> params = new ArrayList<>();
    marks.sort(Comparator.comparingInt(SqlDynamicParam::getIndex));
    for (SqlDynamicParam m : marks) {
      RelDataType t = types.get(m.getIndex());
      SqlParserPos pos = m.getParserPosition();
      params.add(
          new Param(
              m.getIndex(),
              t == null ? null : RexTranslator.type(t),
              t == null ? "ANY" : t.getFullTypeString().replace(" NOT NULL", ""),
              pos.getLineNum(),
              pos.getColumnNum()));
    }
    List<String> names = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    for (Map.Entry<Integer, String> f : root.fields) {
      String n = f.getValue();
      String u = n;
      for (int i = 1; !taken.add(u); i++) {
        u = n + "_" + i;
      }
      names.add(u);
    }
    return new Prepared(rel, names, params);
  }

  private static void collectParams(RelNode rel, Map<Integer, RelDataType> out) {
    rel.accept(
        new RexShuttle() {
          @Override
          public RexNode visitDynamicParam(RexDynamicParam p) {
            out.putIfAbsent(p.getIndex(), p.getType());
            return p;
          }
        });
    for (RelNode in : rel.getInputs()) {
      collectParams(in, out);
    }
  }

  private static QueryException notAQuery(SqlNode parsed) {
    SqlParserPos pos = parsed.getParserPosition();
    String what = parsed.getKind().sql.replace('_', ' ');
    boolean statement =
        parsed.getKind() == SqlKind.CREATE_TABLE || parsed.getKind() == SqlKind.INSERT;
    return new QueryException(
        QueryException.Code.INVALID,
        "error at line "
            + pos.getLineNum()
            + ", column "
            + pos.getColumnNum()
            + ": "
            + what
            + (statement
                ? " is a statement, not a query: run it with engine.execute(sql)"
                : " is not supported (tables are immutable: build new ones with CREATE TABLE AS,"
                    + " INSERT INTO and DROP TABLE)"),
        pos.getLineNum(),
        pos.getColumnNum(),
        null);
  }

  private static QueryException validation(ValidationException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CalciteContextException c) {
        return context(c);
      }
    }
    return new QueryException(QueryException.Code.INVALID, String.valueOf(e.getMessage()), e);
  }

  private static QueryException context(CalciteContextException c) {
    Throwable cause = c.getCause();
    String detail = cause != null ? cause.getMessage() : c.getMessage();
    return new QueryException(
        QueryException.Code.INVALID,
        "error at line " + c.getPosLine() + ", column " + c.getPosColumn() + ": " + detail,
        c.getPosLine(),
        c.getPosColumn(),
        c);
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  static FrameworkConfig config(Engine engine, FileScope files) {
    SchemaPlus root = Frameworks.createRootSchema(false);
    SchemaPlus schema = root.add("amalgam", new CatalogSchema(engine, files.tables()));
    Properties props = new Properties();
    props.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "false");
    props.setProperty(
        CalciteConnectionProperty.CONFORMANCE.camelName(), SqlConformanceEnum.LENIENT.name());
    props.setProperty(CalciteConnectionProperty.DEFAULT_NULL_COLLATION.camelName(), "LAST");
    return Frameworks.newConfigBuilder()
        .defaultSchema(schema)
        .typeSystem(TYPE_SYSTEM)
        .sqlValidatorConfig(SqlValidator.Config.DEFAULT.withTypeCoercionEnabled(false))
        .parserConfig(
            SqlParser.config()
                // the Babel grammar reserves fewer words (TPC-H Q11 names a column "value")
                .withParserFactory(org.apache.calcite.sql.parser.babel.SqlBabelParserImpl.FACTORY)
                .withQuoting(Quoting.DOUBLE_QUOTE)
                .withUnquotedCasing(Casing.TO_LOWER)
                .withQuotedCasing(Casing.UNCHANGED)
                .withCaseSensitive(false)
                .withConformance(SqlConformanceEnum.LENIENT))
        .sqlToRelConverterConfig(
            SqlToRelConverter.config().withExpand(false).withTrimUnusedFields(true))
        .convertletTable(CONVERTLETS)
        .context(Contexts.of(new CalciteConnectionConfigImpl(props)))
        .build();
  }

  private static RelNode rewrite(RelNode rel) {
    HepProgramBuilder subqueries = new HepProgramBuilder();
    subqueries.addRuleCollection(
        List.of(
            CoreRules.FILTER_SUB_QUERY_TO_CORRELATE,
            CoreRules.PROJECT_SUB_QUERY_TO_CORRELATE,
            CoreRules.JOIN_SUB_QUERY_TO_CORRELATE));
    HepPlanner first = new HepPlanner(subqueries.build());
    // [NOT] EXISTS with correlated non-equalities: SEMI/ANTI joins with a residual condition
    first.setRoot(ExistsToJoin.apply(rel));
    RelNode r = first.findBestExp();
    r =
        RelDecorrelator.decorrelateQuery(
            r, RelFactories.LOGICAL_BUILDER.create(r.getCluster(), null));
    HepProgramBuilder logical = new HepProgramBuilder().addMatchOrder(HepMatchOrder.BOTTOM_UP);
    logical.addRuleCollection(
        List.of(
            CoreRules.INTERSECT_TO_DISTINCT,
            CoreRules.MINUS_TO_DISTINCT,
            CoreRules.AGGREGATE_EXPAND_DISTINCT_AGGREGATES_TO_JOIN,
            CoreRules.FILTER_INTO_JOIN,
            CoreRules.JOIN_CONDITION_PUSH,
            CoreRules.FILTER_PROJECT_TRANSPOSE,
            CoreRules.FILTER_MERGE,
            CoreRules.PROJECT_MERGE,
            CoreRules.PROJECT_REMOVE,
            CoreRules.AGGREGATE_PROJECT_MERGE,
            CoreRules.PROJECT_TO_SEMI_JOIN,
            CoreRules.JOIN_TO_SEMI_JOIN,
            CoreRules.PROJECT_TO_LOGICAL_PROJECT_AND_WINDOW));
    HepPlanner second = new HepPlanner(logical.build());
    second.setRoot(r);
    r = second.findBestExp();
    // join order: each tree of inner joins, greedily by estimated sizes
    r = JoinOrder.reorder(r);
    r = SemiJoinReduction.apply(r);
    HepProgramBuilder tidy = new HepProgramBuilder().addMatchOrder(HepMatchOrder.BOTTOM_UP);
    tidy.addRuleCollection(List.of(CoreRules.PROJECT_MERGE, CoreRules.PROJECT_REMOVE));
    HepPlanner fifth = new HepPlanner(tidy.build());
    fifth.setRoot(r);
    return fifth.findBestExp();
  }
}
