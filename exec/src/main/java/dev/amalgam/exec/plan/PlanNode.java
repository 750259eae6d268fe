package dev.amalgam.exec.plan;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.run.AggSpec;
import dev.amalgam.exec.run.BoundExpr;
import dev.amalgam.exec.run.JoinType;
import dev.amalgam.exec.run.WindowSpec;
import dev.amalgam.exec.store.TableData;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A node of the logical plan: resolved and typed (expressions are {@link BoundExpr}s over the
 * input's columns by index), immutable. The fluent API and the SQL front end build these; the
 * {@link Optimizer} rewrites them and {@link Lowering} turns them into pipelines.
 *
 * <p>Schemas carry compute types ({@link DataType#computeType()}), except that columns read from a
 * dictionary-encoded table column keep {@code dictionary<utf8>} until something computes on them.
 */
public sealed interface PlanNode {
  /**
   * {@code schema} with dictionary-encoded columns as utf8: what a sort, union, window or
   * aggregation outputs, since its materialized rows are decoded (a join keeps dictionary columns:
   * {@link #joinSchema}).
   */
  static Schema decoded(Schema schema) {
    List<Field> fields = new ArrayList<>();
    for (Field f : schema.fields()) {
      fields.add(
          f.type().kind() == DataType.Kind.DICTIONARY_UTF8
              ? new Field(f.name(), DataType.UTF8, f.nullable())
              : f);
    }
    return new Schema(fields);
  }

  /**
   * The probe (left) columns as a join sees and outputs them: dictionary columns stay encoded,
   * except for RIGHT and FULL joins, whose unmatched build rows pad the probe side with (decoded)
   * nulls.
   */
  static Schema probeColumns(Schema left, JoinType type) {
    return type.keepsUnmatchedBuild() ? decoded(left) : left;
  }

  /**
   * The columns a join's condition is bound against: {@link #probeColumns} then the build (right)
   * columns as they are (the hash table keeps dictionary columns as indices).
   *
   * @throws IllegalArgumentException when the two sides share a column name
   */
  static Schema joinInput(Schema left, Schema right, JoinType type) {
    List<Field> all = new ArrayList<>(probeColumns(left, type).fields());
    all.addAll(right.fields());
    return new Schema(all);
  }

  /**
   * The output of a join of {@code type}: {@link #joinInput}, restricted to the probe columns for
   * SEMI and ANTI and to the build columns for RIGHT_SEMI and RIGHT_ANTI, and nullable on the side
   * an outer join pads.
   *
   * @throws IllegalArgumentException when the two sides share a column name
   */
  static Schema joinSchema(Schema left, Schema right, JoinType type) {
    Schema in = joinInput(left, right, type);
    int leftWidth = left.size();
    List<Field> out = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      boolean probe = i < leftWidth;
      if (probe ? !type.outputsProbeColumns() : !type.outputsBuildColumns()) {
        continue;
      }
      Field f = in.field(i);
      boolean padded = probe ? type.keepsUnmatchedBuild() : type.keepsUnmatchedProbe();
      out.add(padded ? new Field(f.name(), f.type(), true) : f);
    }
    return new Schema(out);
  }

  /** The output columns. */
  Schema schema();

  /** The inputs, left first. */
  List<PlanNode> inputs();

  /** A table scan of {@code columns} (table column indices) with an optional pushed filter. */
  record Scan(TableData table, int[] columns, @Nullable BoundExpr filter, Schema schema)
      implements PlanNode {
    /** A scan of every column. */
    public static Scan of(TableData table) {
      int[] cols = new int[table.schema().size()];
      for (int i = 0; i < cols.length; i++) {
        cols[i] = i;
      }
      return new Scan(table, cols, null, scanSchema(table, cols));
    }

    /** The schema of a scan of {@code columns}. */
    public static Schema scanSchema(TableData table, int[] columns) {
      List<Field> fields = new ArrayList<>();
      for (int c : columns) {
        Field f = table.schema().field(c);
        DataType t = f.type();
        fields.add(
            new Field(
                f.name(),
                t.kind() == DataType.Kind.DICTIONARY_UTF8 ? t : t.computeType(),
                f.nullable()));
      }
      return new Schema(fields);
    }

    @Override
    public List<PlanNode> inputs() {
      return List.of();
    }
  }

  /** Rows where a bool predicate is true. */
  record Filter(PlanNode input, BoundExpr predicate) implements PlanNode {
    @Override
    public Schema schema() {
      return input.schema();
    }

    @Override
    public List<PlanNode> inputs() {
      return List.of(input);
    }
  }

  /** Computed columns. */
  record Project(PlanNode input, List<BoundExpr> exprs, Schema schema) implements PlanNode {
    /** Copies the list. */
    public Project {
      exprs = List.copyOf(exprs);
    }

    @Override
    public List<PlanNode> inputs() {
      return List.of(input);
    }
  }

  /** GROUP BY keys with aggregates; output: keys then aggregates. */
  record Aggregate(PlanNode input, List<BoundExpr> keys, List<AggSpec> aggs, Schema schema)
      implements PlanNode {
    /** Copies the lists. */
    public Aggregate {
      keys = List.copyOf(keys);
      aggs = List.copyOf(aggs);
    }

    @Override
    public List<PlanNode> inputs() {
      return List.of(input);
    }
  }

  /**
   * An equi-join; output: left columns then right columns (SEMI/ANTI: left only). The residual is a
   * predicate over the joined columns (INNER only).
   */
  record Join(
      PlanNode left,
      PlanNode right,
      JoinType type,
      List<BoundExpr> leftKeys,
      List<BoundExpr> rightKeys,
      @Nullable BoundExpr residual,
      Schema schema)
      implements PlanNode {
    /** Copies the lists. */
    public Join {
      leftKeys = List.copyOf(leftKeys);
      rightKeys = List.copyOf(rightKeys);
    }

    @Override
    public List<PlanNode> inputs() {
      return List.of(left, right);
    }
  }

  /** One ORDER BY key over the input's columns. */
  record SortKey(BoundExpr expr, boolean ascending, boolean nullsFirst) {}

  /** ORDER BY, keeping the first {@code limit} rows ({@code Long.MAX_VALUE}: all). */
  record Sort(PlanNode input, List<SortKey> keys, long limit) implements PlanNode {
    /** Copies the list. */
    public Sort {
      keys = List.copyOf(keys);
    }

    @Override
    public Schema schema() {
      return decoded(input.schema());
    }

    @Override
    public List<PlanNode> inputs() {
      return List.of(input);
    }
  }

  /** OFFSET / LIMIT. */
  record Limit(PlanNode input, long offset, long limit) implements PlanNode {
    @Override
    public Schema schema() {
      return input.schema();
    }

    @Override
    public List<PlanNode> inputs() {
      return List.of(input);
    }
  }

  /**
   * Constant rows (SELECT without FROM, VALUES): each row a list of Java values of the schema's
   * compute types (Boolean, Integer, Long, Double, BigDecimal at the column's scale, LocalDate,
   * Instant, String) or null.
   */
  record Values(List<List<@Nullable Object>> rows, Schema schema) implements PlanNode {
    /** Copies the rows. */
    public Values {
      List<List<@Nullable Object>> copy = new ArrayList<>();
      for (List<@Nullable Object> r : rows) {
        if (r.size() != schema.size()) {
          throw new IllegalArgumentException(
              "a row of " + r.size() + " values for " + schema.size() + " columns");
        }
        copy.add(java.util.Collections.unmodifiableList(new ArrayList<>(r)));
      }
      rows = java.util.Collections.unmodifiableList(copy);
    }

    @Override
    public List<PlanNode> inputs() {
      return List.of();
    }
  }

  /**
   * Window functions of one window: the input's columns (decoded) then one column per function;
   * rows come out sorted by the partition and order keys.
   */
  record Window(PlanNode input, WindowSpec spec, Schema schema) implements PlanNode {
    @Override
    public List<PlanNode> inputs() {
      return List.of(input);
    }
  }

  /** UNION ALL of inputs with the same column types. */
  record Union(List<PlanNode> inputs, Schema schema) implements PlanNode {
    /** Copies the list. */
    public Union {
      inputs = List.copyOf(inputs);
    }
  }
}
