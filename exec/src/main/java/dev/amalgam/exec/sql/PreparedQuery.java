package dev.amalgam.exec.sql;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Query;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.sql.type.SqlTypeName;
import org.jspecify.annotations.Nullable;

/**
 * A SQL query with parameters ({@code ?}), planned once: parsed, validated, decorrelated and
 * rewritten by Calcite when prepared; each {@link #bind} checks the values against the parameters'
 * types and lowers the plan with the values as constants (so that row-group statistics can prune
 * with them). Immutable and thread-safe: bind it from many threads at once.
 *
 * <pre>{@code
 * PreparedQuery q = engine.prepare("SELECT count(*) FROM lineitem WHERE l_shipdate <= ?");
 * Result r = q.execute(LocalDate.of(1998, 9, 2));
 * }</pre>
 *
 * <p>When the catalog changes after preparing (a table created, replaced or dropped), the next bind
 * plans the text again against the new catalog.
 */
public final class PreparedQuery {
  private final Engine engine;
  private final String sql;
  private final long catalogVersion;
  private final SqlFrontEnd.Prepared plan;

  PreparedQuery(Engine engine, String sql, long catalogVersion, SqlFrontEnd.Prepared plan) {
    this.engine = engine;
    this.sql = sql;
    this.catalogVersion = catalogVersion;
    this.plan = plan;
  }

  /** The SQL text. */
  public String sql() {
    return sql;
  }

  /** The number of parameters. */
  public int parameterCount() {
    return plan.params().size();
  }

  /**
   * The compute type each parameter takes, in order ({@code null} for a parameter the plan does not
   * use): BOOL takes Boolean; INT32 and INT64 take Integer or Long; FLOAT64 any Number; DECIMAL
   * BigDecimal, Integer, Long or Double without more decimal places than its scale; DATE32
   * LocalDate, java.sql.Date or ISO text; TIMESTAMP Instant, LocalDateTime (UTC) or
   * java.sql.Timestamp; UTF8 String. Any parameter takes null (SQL NULL).
   */
  public List<@Nullable DataType> parameterTypes() {
    List<@Nullable DataType> out = new ArrayList<>();
    for (SqlFrontEnd.Param p : plan.params()) {
      out.add(p.type());
    }
    return out;
  }

  /** The result's columns. */
  public Schema schema() {
    List<Field> fields = new ArrayList<>();
    List<RelDataTypeField> f = plan.rel().getRowType().getFieldList();
    for (int i = 0; i < f.size(); i++) {
      DataType t =
          f.get(i).getType().getSqlTypeName() == SqlTypeName.NULL
              ? DataType.INT32
              : RexTranslator.type(f.get(i).getType());
      fields.add(new Field(plan.names().get(i), t, true));
    }
    return new Schema(fields);
  }

  /**
   * The query with parameter {@code i} (0-based) set to {@code values[i]}.
   *
   * @throws QueryException INVALID when the number of values is wrong or a value does not fit its
   *     parameter's type (naming the parameter's number, position, type and the value)
   */
  public Query bind(@Nullable Object... values) {
    if (engine.catalogVersion() != catalogVersion) {
      return engine.prepare(sql).bind(values);
    }
    List<SqlFrontEnd.Param> params = plan.params();
    if (values.length != params.size()) {
      throw new QueryException(
          QueryException.Code.INVALID,
          "the query has "
              + params.size()
              + (params.size() == 1 ? " parameter" : " parameters")
              + " (?); "
              + values.length
              + (values.length == 1 ? " value was" : " values were")
              + " given: "
              + Arrays.toString(values));
    }
    List<@Nullable Object> bound = new ArrayList<>(values.length);
    for (int i = 0; i < values.length; i++) {
      SqlFrontEnd.Param p = params.get(i);
      DataType t = p.type();
      try {
        bound.add(t == null ? values[i] : Literals.coerce(values[i], t));
      } catch (IllegalArgumentException e) {
        throw new QueryException(
            QueryException.Code.INVALID,
            "parameter "
                + (i + 1)
                + " (line "
                + p.line()
                + ", column "
                + p.column()
                + ") "
                + e.getMessage(),
            p.line(),
            p.column(),
            e);
      }
    }
    return plan.lower(engine, bound);
  }

  /** Binds {@code values} and runs the query. */
  public Result execute(@Nullable Object... values) {
    return bind(values).execute();
  }

  @Override
  public String toString() {
    return "prepared query (" + parameterCount() + " parameters): " + sql;
  }
}
