package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.expr.AggCall;
import org.jspecify.annotations.Nullable;

/**
 * One aggregate of a hash aggregation, bound to its input.
 *
 * @param function the function
 * @param argument the input expression (null for COUNT(*))
 * @param type the result type
 * @param name the output column name
 */
public record AggSpec(
    AggCall.Function function, @Nullable BoundExpr argument, DataType type, String name) {

  /**
   * The result type of {@code function} over an input of {@code input} type.
   *
   * @throws IllegalArgumentException for an input the function cannot take, naming both
   */
  public static DataType resultType(
      AggCall.Function function, @Nullable DataType input, String call) {
    if (function == AggCall.Function.COUNT || function == AggCall.Function.COUNT_STAR) {
      return DataType.INT64;
    }
    if (input == null) {
      throw new IllegalArgumentException(call + " needs an argument");
    }
    DataType t = input.computeType();
    return switch (function) {
      case SUM -> {
        if (t.kind() == DataType.Kind.DECIMAL) {
          yield DataType.decimal(DataType.MAX_DECIMAL_PRECISION, t.scale());
        }
        if (t.kind() == DataType.Kind.FLOAT64) {
          yield DataType.FLOAT64;
        }
        if (t.kind() == DataType.Kind.INT32 || t.kind() == DataType.Kind.INT64) {
          yield DataType.INT64;
        }
        throw new IllegalArgumentException("cannot SUM a " + input + " in " + call);
      }
      case AVG -> {
        if (!t.isNumeric()) {
          throw new IllegalArgumentException("cannot AVG a " + input + " in " + call);
        }
        yield DataType.FLOAT64;
      }
      case MIN, MAX -> {
        switch (t.kind()) {
          case INT32, INT64, FLOAT64, DECIMAL, DATE32, TIMESTAMP -> {}
          default ->
              throw new IllegalArgumentException(
                  "MIN/MAX of " + input + " is not supported (in " + call + ")");
        }
        yield t;
      }
      default -> throw new AssertionError(function);
    };
  }

  @Override
  public String toString() {
    String f = function.name().toLowerCase(java.util.Locale.ROOT);
    return function == AggCall.Function.COUNT_STAR ? "count(*)" : f + "(" + argument + ")";
  }
}
