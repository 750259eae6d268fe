package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One window of window functions: PARTITION BY columns, ORDER BY keys, a frame, and the functions
 * computed over it. Columns are indices into the window operator's input.
 *
 * @param partition partition columns
 * @param order order keys within a partition
 * @param rows a ROWS frame (else RANGE: offsets are not supported, CURRENT ROW means the peers)
 * @param lower the frame's start
 * @param upper the frame's end
 * @param functions the functions, in output order
 */
public record WindowSpec(
    int[] partition,
    List<SortSink.Key> order,
    boolean rows,
    Bound lower,
    Bound upper,
    List<Function> functions) {

  /** Copies the arrays and lists. */
  public WindowSpec {
    partition = partition.clone();
    order = List.copyOf(order);
    functions = List.copyOf(functions);
  }

  /** Where a frame starts or ends. */
  public enum BoundKind {
    /** The partition's first row. */
    UNBOUNDED_PRECEDING,
    /** {@code offset} rows before the current one. */
    PRECEDING,
    /** The current row (RANGE: its first or last peer). */
    CURRENT_ROW,
    /** {@code offset} rows after the current one. */
    FOLLOWING,
    /** The partition's last row. */
    UNBOUNDED_FOLLOWING
  }

  /** A frame bound. */
  public record Bound(BoundKind kind, long offset) {
    @Override
    public String toString() {
      return switch (kind) {
        case UNBOUNDED_PRECEDING -> "UNBOUNDED PRECEDING";
        case PRECEDING -> offset + " PRECEDING";
        case CURRENT_ROW -> "CURRENT ROW";
        case FOLLOWING -> offset + " FOLLOWING";
        case UNBOUNDED_FOLLOWING -> "UNBOUNDED FOLLOWING";
      };
    }
  }

  /** Window functions. */
  public enum Kind {
    ROW_NUMBER,
    RANK,
    DENSE_RANK,
    COUNT_STAR,
    COUNT,
    SUM,
    /** SUM that is 0 (not NULL) over an empty frame. */
    SUM0,
    AVG,
    MIN,
    MAX,
    FIRST_VALUE,
    LAST_VALUE,
    LAG,
    LEAD
  }

  /**
   * One function.
   *
   * @param kind the function
   * @param argument its argument column, or -1
   * @param offset LAG/LEAD: how many rows back or ahead
   * @param defaultValue LAG/LEAD: the value past the partition's edge (a Java value of {@code
   *     type}), or null
   * @param type the result's compute type
   * @param name the output column's name
   */
  public record Function(
      Kind kind,
      int argument,
      long offset,
      @Nullable Object defaultValue,
      DataType type,
      String name) {
    @Override
    public String toString() {
      String arg = argument < 0 ? "" : "#" + argument;
      if (kind == Kind.LAG || kind == Kind.LEAD) {
        arg += ", " + offset + (defaultValue == null ? "" : ", " + defaultValue);
      }
      return (kind == Kind.COUNT_STAR ? "COUNT(*" : kind.name() + "(" + arg) + ")";
    }
  }

  /** Whether the functions use the frame (aggregates, FIRST_VALUE, LAST_VALUE). */
  boolean framed(Function f) {
    return switch (f.kind()) {
      case ROW_NUMBER, RANK, DENSE_RANK, LAG, LEAD -> false;
      default -> true;
    };
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(functions);
    if (partition.length > 0) {
      sb.append(" partition by ");
      for (int i = 0; i < partition.length; i++) {
        sb.append(i == 0 ? "#" : ", #").append(partition[i]);
      }
    }
    if (!order.isEmpty()) {
      sb.append(" order by ");
      for (int i = 0; i < order.size(); i++) {
        SortSink.Key k = order.get(i);
        sb.append(i == 0 ? "#" : ", #").append(k.column()).append(k.ascending() ? "" : " DESC");
      }
    }
    sb.append(rows ? " rows " : " range ")
        .append("between ")
        .append(lower)
        .append(" and ")
        .append(upper);
    return sb.toString();
  }
}
