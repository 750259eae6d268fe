package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * Arithmetic and casts over int32, int64, float64, decimal (scaled int64) and date32 columns, and
 * CASE-style selection.
 *
 * <p>Every kernel follows the same contract (see also the package conventions):
 *
 * <ul>
 *   <li><b>Rows.</b> With {@code sel == null} the kernel computes rows {@code 0..n-1}. With an
 *       input selection, {@code sel} holds {@code n} ascending row indices and the kernel computes
 *       those rows. The output is always <b>dense</b>: output position {@code k} holds the result
 *       of input row {@code sel[k]} (or {@code k}), so {@code out} needs room for {@code n} values.
 *   <li><b>Nulls.</b> An output row is null when any input row it reads is null (result validity =
 *       AND of the input validities). {@code outValidity} ({@code ceil(n / 8)} bytes) is written
 *       when given and must be given when an input has a validity bitmap; pass {@code null} when no
 *       input has one (then every output row is valid). The value of a null output row is
 *       unspecified, and a null row never raises an error.
 *   <li><b>Errors.</b> Integer overflow, integer division or modulo by zero, decimal overflow and
 *       invalid casts throw {@link KernelException} naming the kernel, the input row (an index
 *       before selection) and the operands; {@code out} is then partly written. float64 follows
 *       IEEE 754 and never fails.
 *   <li><b>Constants.</b> The {@code (column, constant)} and {@code (constant, column)} overloads
 *       compute {@code a op c} and {@code c op b}; a constant is never null.
 * </ul>
 *
 * Implementations are stateless and may be called from many threads at once.
 */
public interface ArithmeticKernels {
  /** The CPU implementation (Vector API with a scalar tail). */
  static ArithmeticKernels cpu() {
    return CpuArithmeticKernels.INSTANCE;
  }

  // ---- int32 ----------------------------------------------------------------------------------

  /**
   * int32 {@code a op b}, column by column; null if either is null; overflow and x/0 are errors.
   */
  void int32(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** int32 {@code a op c}, column by constant; null where a is null; overflow, x/0 are errors. */
  void int32(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      int c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** int32 {@code c op b}, constant by column; null where b is null; overflow, x/0 are errors. */
  void int32(
      ArithmeticOp op,
      int c,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  // ---- int64 ----------------------------------------------------------------------------------

  /**
   * int64 {@code a op b}, column by column; null if either is null; overflow and x/0 are errors.
   */
  void int64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** int64 {@code a op c}, column by constant; null where a is null; overflow, x/0 are errors. */
  void int64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      long c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** int64 {@code c op b}, constant by column; null where b is null; overflow, x/0 are errors. */
  void int64(
      ArithmeticOp op,
      long c,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  // ---- float64 --------------------------------------------------------------------------------

  /** float64 {@code a op b} (IEEE 754), column by column; null if either is null. */
  void float64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** float64 {@code a op c} (IEEE 754), column by constant; null where a is null. */
  void float64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      double c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** float64 {@code c op b} (IEEE 754), constant by column; null where b is null. */
  void float64(
      ArithmeticOp op,
      double c,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  // ---- decimal (scaled int64) -----------------------------------------------------------------

  /**
   * Decimal {@code a op b}, column by column, in the result type {@code aType.resultOf(op, bType)}
   * (returned); null if either is null; overflow of that type and x/0 are errors.
   */
  DecimalType decimal(
      ArithmeticOp op,
      DecimalType aType,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType bType,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /**
   * Decimal {@code a op c} with {@code c} an unscaled constant of {@code cType}, in the result type
   * (returned); null where a is null; overflow and x/0 are errors.
   */
  DecimalType decimal(
      ArithmeticOp op,
      DecimalType aType,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType cType,
      long c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /**
   * Decimal {@code c op b} with {@code c} an unscaled constant of {@code cType}, in the result type
   * (returned); null where b is null; overflow and x/0 are errors.
   */
  DecimalType decimal(
      ArithmeticOp op,
      DecimalType cType,
      long c,
      DecimalType bType,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  // ---- casts ----------------------------------------------------------------------------------

  /** int32 to int64 (exact); null stays null. */
  void int32ToInt64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** int64 to int32; null stays null; a value outside int32 is an overflow error. */
  void int64ToInt32(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** int32 to float64 (exact); null stays null. */
  void int32ToFloat64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** int64 to float64, rounded to nearest (beyond 2^53 not exact); null stays null. */
  void int64ToFloat64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /**
   * float64 to int32 truncating toward zero; null stays null; NaN, infinity, out of range: error.
   */
  void float64ToInt32(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /**
   * float64 to int64 truncating toward zero; null stays null; NaN, infinity, out of range: error.
   */
  void float64ToInt64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** int32 to {@code to}'s unscaled int64; null stays null; more than its precision: error. */
  void int32ToDecimal(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** int64 to {@code to}'s unscaled int64; null stays null; more than its precision: error. */
  void int64ToDecimal(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /**
   * Decimal to float64 as {@code (double) unscaled / 10^scale} (two roundings); null stays null.
   */
  void decimalToFloat64(
      DecimalType from,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /**
   * float64 to decimal: {@code a * 10^scale} rounded HALF_UP; null stays null; NaN, infinity or
   * more than the precision: error.
   */
  void float64ToDecimal(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /**
   * Decimal {@code from} to decimal {@code to}, rounding HALF_UP when the scale shrinks; null stays
   * null; more digits than {@code to}'s precision: error.
   */
  void rescaleDecimal(
      DecimalType from,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  // ---- date32 ---------------------------------------------------------------------------------

  /** date32 plus {@code days} (may be negative); null stays null; leaving int32: overflow error. */
  default void addDays(
      MemorySegment dates,
      @Nullable MemorySegment validity,
      int days,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int32(ArithmeticOp.ADD, dates, validity, days, sel, n, out, outValidity);
  }

  /** Days from {@code b} to {@code a} ({@code a - b}) as int32; null if either is null. */
  default void daysBetween(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int32(ArithmeticOp.SUBTRACT, a, aValidity, b, bValidity, sel, n, out, outValidity);
  }

  /**
   * date32 plus {@code months} (may be negative), the day clamped to the end of the target month as
   * SQL does (Jan 31 + 1 month = Feb 28/29); null stays null; leaving int32: overflow error.
   */
  void addMonths(
      MemorySegment dates,
      @Nullable MemorySegment validity,
      int months,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /** The {@code part} of each date32 as int32 (proleptic Gregorian calendar); null stays null. */
  void extract(
      DatePart part,
      MemorySegment dates,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  // ---- CASE-style select ----------------------------------------------------------------------

  /**
   * int64 {@code cond ? a : b} with {@code cond} a bool bitmap (a null condition counts as false);
   * the output is null where the chosen input is null ({@code outValidity} is needed when a or b
   * has a bitmap).
   */
  void selectInt64(
      MemorySegment cond,
      @Nullable MemorySegment condValidity,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);

  /**
   * float64 {@code cond ? a : b} with {@code cond} a bool bitmap (a null condition counts as
   * false); the output is null where the chosen input is null ({@code outValidity} is needed when a
   * or b has a bitmap).
   */
  void selectFloat64(
      MemorySegment cond,
      @Nullable MemorySegment condValidity,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity);
}
