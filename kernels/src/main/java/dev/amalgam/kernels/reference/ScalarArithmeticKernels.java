package dev.amalgam.kernels.reference;

import dev.amalgam.kernels.ArithmeticKernels;
import dev.amalgam.kernels.ArithmeticOp;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.DatePart;
import dev.amalgam.kernels.DecimalType;
import dev.amalgam.kernels.KernelException;
import dev.amalgam.kernels.Selection;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import org.jspecify.annotations.Nullable;

/**
 * Plain scalar reference of {@link ArithmeticKernels}, one row at a time with {@code Math.*Exact},
 * {@link BigDecimal} and {@link LocalDate}; used only by differential tests and benchmarks.
 */
public final class ScalarArithmeticKernels implements ArithmeticKernels {

  /** Creates the reference (stateless). */
  public ScalarArithmeticKernels() {}

  // ---- shared plumbing ------------------------------------------------------------------------

  private static void checkArgs(
      int n,
      @Nullable MemorySegment outValidity,
      @Nullable MemorySegment v1,
      @Nullable MemorySegment v2) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0; was " + n);
    }
    if (outValidity == null && (v1 != null || v2 != null)) {
      throw new IllegalArgumentException(
          "outValidity is null but an input has a validity bitmap: the output can have nulls");
    }
  }

  private static boolean valid(@Nullable MemorySegment v1, @Nullable MemorySegment v2, int row) {
    return Validity.isValid(v1, row) && Validity.isValid(v2, row);
  }

  private static void setValid(@Nullable MemorySegment outValidity, int k, boolean valid) {
    if (outValidity != null) {
      Validity.set(outValidity, k, valid);
    }
  }

  private static long i64(@Nullable MemorySegment s, long c, int row) {
    return s == null ? c : ArrowLayout.int64(s, row);
  }

  private static int i32(@Nullable MemorySegment s, int c, int row) {
    return s == null ? c : ArrowLayout.int32(s, row);
  }

  private static double f64(@Nullable MemorySegment s, double c, int row) {
    return s == null ? c : ArrowLayout.float64(s, row);
  }

  // ---- int32 / int64 / float64 ----------------------------------------------------------------

  private static int int32Op(ArithmeticOp op, int x, int y, int row) {
    String kernel = "int32 " + op.verb();
    String operands = x + " " + op.symbol() + " " + y;
    try {
      return switch (op) {
        case ADD -> Math.addExact(x, y);
        case SUBTRACT -> Math.subtractExact(x, y);
        case MULTIPLY -> Math.multiplyExact(x, y);
        case DIVIDE -> {
          if (y == 0) {
            throw KernelException.divisionByZero(kernel, row, operands);
          }
          yield Math.divideExact(x, y);
        }
        case MODULO -> {
          if (y == 0) {
            throw KernelException.divisionByZero(kernel, row, operands);
          }
          yield x % y;
        }
      };
    } catch (KernelException e) {
      throw e;
    } catch (ArithmeticException e) {
      throw KernelException.overflow(kernel, row, operands);
    }
  }

  private static long int64Op(ArithmeticOp op, long x, long y, int row) {
    String kernel = "int64 " + op.verb();
    try {
      return switch (op) {
        case ADD -> Math.addExact(x, y);
        case SUBTRACT -> Math.subtractExact(x, y);
        case MULTIPLY -> Math.multiplyExact(x, y);
        case DIVIDE -> {
          if (y == 0) {
            throw KernelException.divisionByZero(kernel, row, x + " / " + y);
          }
          yield Math.divideExact(x, y);
        }
        case MODULO -> {
          if (y == 0) {
            throw KernelException.divisionByZero(kernel, row, x + " % " + y);
          }
          yield x % y;
        }
      };
    } catch (KernelException e) {
      throw e;
    } catch (ArithmeticException e) {
      throw KernelException.overflow(kernel, row, x + " " + op.symbol() + " " + y);
    }
  }

  private static double float64Op(ArithmeticOp op, double x, double y) {
    return switch (op) {
      case ADD -> x + y;
      case SUBTRACT -> x - y;
      case MULTIPLY -> x * y;
      case DIVIDE -> x / y;
      case MODULO -> x % y;
    };
  }

  private static void int32Loop(
      ArithmeticOp op,
      @Nullable MemorySegment a,
      int ac,
      @Nullable MemorySegment av,
      @Nullable MemorySegment b,
      int bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    checkArgs(n, outValidity, av, bv);
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      boolean valid = valid(av, bv, row);
      int r = valid ? int32Op(op, i32(a, ac, row), i32(b, bc, row), row) : 0;
      out.setAtIndex(ArrowLayout.INT32, k, r);
      setValid(outValidity, k, valid);
    }
  }

  private static void int64Loop(
      ArithmeticOp op,
      @Nullable MemorySegment a,
      long ac,
      @Nullable MemorySegment av,
      @Nullable MemorySegment b,
      long bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    checkArgs(n, outValidity, av, bv);
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      boolean valid = valid(av, bv, row);
      long r = valid ? int64Op(op, i64(a, ac, row), i64(b, bc, row), row) : 0;
      out.setAtIndex(ArrowLayout.INT64, k, r);
      setValid(outValidity, k, valid);
    }
  }

  private static void float64Loop(
      ArithmeticOp op,
      @Nullable MemorySegment a,
      double ac,
      @Nullable MemorySegment av,
      @Nullable MemorySegment b,
      double bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    checkArgs(n, outValidity, av, bv);
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      boolean valid = valid(av, bv, row);
      double r = valid ? float64Op(op, f64(a, ac, row), f64(b, bc, row)) : 0;
      out.setAtIndex(ArrowLayout.FLOAT64, k, r);
      setValid(outValidity, k, valid);
    }
  }

  @Override
  public void int32(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int32Loop(op, a, 0, aValidity, b, 0, bValidity, sel, n, out, outValidity);
  }

  @Override
  public void int32(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      int c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int32Loop(op, a, 0, aValidity, null, c, null, sel, n, out, outValidity);
  }

  @Override
  public void int32(
      ArithmeticOp op,
      int c,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int32Loop(op, null, c, null, b, 0, bValidity, sel, n, out, outValidity);
  }

  @Override
  public void int64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int64Loop(op, a, 0, aValidity, b, 0, bValidity, sel, n, out, outValidity);
  }

  @Override
  public void int64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      long c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int64Loop(op, a, 0, aValidity, null, c, null, sel, n, out, outValidity);
  }

  @Override
  public void int64(
      ArithmeticOp op,
      long c,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    int64Loop(op, null, c, null, b, 0, bValidity, sel, n, out, outValidity);
  }

  @Override
  public void float64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    float64Loop(op, a, 0, aValidity, b, 0, bValidity, sel, n, out, outValidity);
  }

  @Override
  public void float64(
      ArithmeticOp op,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      double c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    float64Loop(op, a, 0, aValidity, null, c, null, sel, n, out, outValidity);
  }

  @Override
  public void float64(
      ArithmeticOp op,
      double c,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    float64Loop(op, null, c, null, b, 0, bValidity, sel, n, out, outValidity);
  }

  // ---- decimal --------------------------------------------------------------------------------

  private static long decimalOp(
      ArithmeticOp op, DecimalType ta, long x, DecimalType tb, long y, DecimalType tr, int row) {
    String kernel = tr + " " + op.verb();
    String operands =
        ta.toBigDecimal(x).toPlainString() + " " + op.symbol() + " " + tb.toBigDecimal(y);
    BigDecimal bx = ta.toBigDecimal(x);
    BigDecimal by = tb.toBigDecimal(y);
    BigDecimal exact =
        switch (op) {
          case ADD -> bx.add(by);
          case SUBTRACT -> bx.subtract(by);
          case MULTIPLY -> bx.multiply(by);
          case DIVIDE -> {
            if (y == 0) {
              throw KernelException.divisionByZero(kernel, row, operands);
            }
            yield bx.divide(by, tr.scale(), RoundingMode.HALF_UP);
          }
          case MODULO -> {
            if (y == 0) {
              throw KernelException.divisionByZero(kernel, row, operands);
            }
            yield bx.remainder(by);
          }
        };
    return toDecimal(exact, tr, kernel, operands, row);
  }

  private static DecimalType decimalLoop(
      ArithmeticOp op,
      DecimalType ta,
      @Nullable MemorySegment a,
      long ac,
      @Nullable MemorySegment av,
      DecimalType tb,
      @Nullable MemorySegment b,
      long bc,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    DecimalType tr = ta.resultOf(op, tb);
    checkArgs(n, outValidity, av, bv);
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      boolean valid = valid(av, bv, row);
      long r = valid ? decimalOp(op, ta, i64(a, ac, row), tb, i64(b, bc, row), tr, row) : 0;
      out.setAtIndex(ArrowLayout.INT64, k, r);
      setValid(outValidity, k, valid);
    }
    return tr;
  }

  @Override
  public DecimalType decimal(
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
      @Nullable MemorySegment outValidity) {
    return decimalLoop(
        op, aType, a, 0, aValidity, bType, b, 0, bValidity, sel, n, out, outValidity);
  }

  @Override
  public DecimalType decimal(
      ArithmeticOp op,
      DecimalType aType,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType cType,
      long c,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    return decimalLoop(op, aType, a, 0, aValidity, cType, null, c, null, sel, n, out, outValidity);
  }

  @Override
  public DecimalType decimal(
      ArithmeticOp op,
      DecimalType cType,
      long c,
      DecimalType bType,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    return decimalLoop(op, cType, null, c, null, bType, b, 0, bValidity, sel, n, out, outValidity);
  }

  // ---- casts ----------------------------------------------------------------------------------

  /** A cast of one valid row; {@code k} is the output position. */
  @FunctionalInterface
  private interface RowCast {
    void apply(int row, int k);
  }

  private static void castLoop(
      @Nullable MemorySegment av,
      @Nullable MemorySegment sel,
      int n,
      @Nullable MemorySegment outValidity,
      RowCast cast) {
    checkArgs(n, outValidity, av, null);
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      boolean valid = Validity.isValid(av, row);
      if (valid) {
        cast.apply(row, k);
      }
      setValid(outValidity, k, valid);
    }
  }

  @Override
  public void int32ToInt64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    castLoop(
        aValidity,
        sel,
        n,
        outValidity,
        (row, k) -> out.setAtIndex(ArrowLayout.INT64, k, (long) ArrowLayout.int32(a, row)));
  }

  @Override
  public void int64ToInt32(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    castLoop(
        aValidity,
        sel,
        n,
        outValidity,
        (row, k) -> {
          long x = ArrowLayout.int64(a, row);
          if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
            throw KernelException.overflow("cast int64 to int32", row, Long.toString(x));
          }
          out.setAtIndex(ArrowLayout.INT32, k, (int) x);
        });
  }

  @Override
  public void int32ToFloat64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    castLoop(
        aValidity,
        sel,
        n,
        outValidity,
        (row, k) -> out.setAtIndex(ArrowLayout.FLOAT64, k, (double) ArrowLayout.int32(a, row)));
  }

  @Override
  public void int64ToFloat64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    castLoop(
        aValidity,
        sel,
        n,
        outValidity,
        (row, k) -> out.setAtIndex(ArrowLayout.FLOAT64, k, (double) ArrowLayout.int64(a, row)));
  }

  private static KernelException badDouble(String kernel, int row, double x) {
    return Double.isNaN(x) || Double.isInfinite(x)
        ? KernelException.invalid(kernel, row, x + " has no integer value")
        : KernelException.overflow(kernel, row, Double.toString(x));
  }

  @Override
  public void float64ToInt32(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    castLoop(
        aValidity,
        sel,
        n,
        outValidity,
        (row, k) -> {
          double x = ArrowLayout.float64(a, row);
          double t = x < 0 ? Math.ceil(x) : Math.floor(x);
          if (!(t >= Integer.MIN_VALUE && t <= Integer.MAX_VALUE)) {
            throw badDouble("cast float64 to int32", row, x);
          }
          out.setAtIndex(ArrowLayout.INT32, k, (int) t);
        });
  }

  @Override
  public void float64ToInt64(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    castLoop(
        aValidity,
        sel,
        n,
        outValidity,
        (row, k) -> {
          double x = ArrowLayout.float64(a, row);
          if (Double.isNaN(x) || Double.isInfinite(x)) {
            throw badDouble("cast float64 to int64", row, x);
          }
          BigDecimal t = new BigDecimal(x).setScale(0, RoundingMode.DOWN);
          try {
            out.setAtIndex(ArrowLayout.INT64, k, t.longValueExact());
          } catch (ArithmeticException e) {
            throw badDouble("cast float64 to int64", row, x);
          }
        });
  }

  /** {@code exact} rounded HALF_UP to {@code to}'s scale; more than its precision: overflow. */
  private static long toDecimal(
      BigDecimal exact, DecimalType to, String kernel, String operands, int row) {
    BigDecimal r = exact.setScale(to.scale(), RoundingMode.HALF_UP);
    if (r.unscaledValue().abs().compareTo(BigInteger.valueOf(to.maxUnscaled())) > 0) {
      throw KernelException.overflow(
          kernel, row, operands + " = " + exact.toPlainString() + " exceeds " + to);
    }
    return r.unscaledValue().longValueExact();
  }

  @Override
  public void int32ToDecimal(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    castLoop(
        aValidity,
        sel,
        n,
        outValidity,
        (row, k) -> {
          BigDecimal x = BigDecimal.valueOf(ArrowLayout.int32(a, row));
          out.setAtIndex(
              ArrowLayout.INT64,
              k,
              toDecimal(x, to, "cast int32 to " + to, x.toPlainString(), row));
        });
  }

  @Override
  public void int64ToDecimal(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    castLoop(
        aValidity,
        sel,
        n,
        outValidity,
        (row, k) -> {
          BigDecimal x = BigDecimal.valueOf(ArrowLayout.int64(a, row));
          out.setAtIndex(
              ArrowLayout.INT64,
              k,
              toDecimal(x, to, "cast int64 to " + to, x.toPlainString(), row));
        });
  }

  @Override
  public void decimalToFloat64(
      DecimalType from,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    double divisor = DecimalType.powerOfTen(from.scale());
    castLoop(
        aValidity,
        sel,
        n,
        outValidity,
        (row, k) ->
            out.setAtIndex(ArrowLayout.FLOAT64, k, (double) ArrowLayout.int64(a, row) / divisor));
  }

  @Override
  public void float64ToDecimal(
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    double factor = DecimalType.powerOfTen(to.scale());
    String kernel = "cast float64 to " + to;
    castLoop(
        aValidity,
        sel,
        n,
        outValidity,
        (row, k) -> {
          double x = ArrowLayout.float64(a, row);
          if (Double.isNaN(x) || Double.isInfinite(x)) {
            throw KernelException.invalid(kernel, row, x + " has no decimal value");
          }
          // the documented semantics: x * 10^scale in float64, then rounded HALF_UP
          double scaled = x * factor;
          if (Double.isInfinite(scaled)) {
            throw KernelException.overflow(kernel, row, x + " exceeds " + to);
          }
          BigDecimal t = new BigDecimal(scaled).setScale(0, RoundingMode.HALF_UP);
          if (t.abs().compareTo(BigDecimal.valueOf(to.maxUnscaled())) > 0) {
            throw KernelException.overflow(kernel, row, x + " exceeds " + to);
          }
          out.setAtIndex(ArrowLayout.INT64, k, t.longValueExact());
        });
  }

  @Override
  public void rescaleDecimal(
      DecimalType from,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      DecimalType to,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    String kernel = "cast " + from + " to " + to;
    castLoop(
        aValidity,
        sel,
        n,
        outValidity,
        (row, k) -> {
          BigDecimal x = from.toBigDecimal(ArrowLayout.int64(a, row));
          out.setAtIndex(ArrowLayout.INT64, k, toDecimal(x, to, kernel, x.toPlainString(), row));
        });
  }

  // ---- date32 ---------------------------------------------------------------------------------

  @Override
  public void addMonths(
      MemorySegment dates,
      @Nullable MemorySegment validity,
      int months,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    castLoop(
        validity,
        sel,
        n,
        outValidity,
        (row, k) -> {
          int d = ArrowLayout.int32(dates, row);
          long r = LocalDate.ofEpochDay(d).plusMonths(months).toEpochDay();
          if (r != (int) r) {
            throw KernelException.overflow(
                "date32 add months", row, LocalDate.ofEpochDay(d) + " + " + months + " months");
          }
          out.setAtIndex(ArrowLayout.INT32, k, (int) r);
        });
  }

  @Override
  public void extract(
      DatePart part,
      MemorySegment dates,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    castLoop(
        validity,
        sel,
        n,
        outValidity,
        (row, k) -> {
          LocalDate d = LocalDate.ofEpochDay(ArrowLayout.int32(dates, row));
          int r =
              switch (part) {
                case YEAR -> d.getYear();
                case QUARTER -> d.get(IsoFields.QUARTER_OF_YEAR);
                case MONTH -> d.getMonthValue();
                case DAY -> d.getDayOfMonth();
                case DAY_OF_WEEK -> d.get(ChronoField.DAY_OF_WEEK);
                case DAY_OF_YEAR -> d.getDayOfYear();
              };
          out.setAtIndex(ArrowLayout.INT32, k, r);
        });
  }

  // ---- select ---------------------------------------------------------------------------------

  private static void selectLoop(
      MemorySegment cond,
      @Nullable MemorySegment condValidity,
      @Nullable MemorySegment av,
      @Nullable MemorySegment bv,
      @Nullable MemorySegment sel,
      int n,
      @Nullable MemorySegment outValidity,
      RowCast fromA,
      RowCast fromB) {
    checkArgs(n, outValidity, av, bv);
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      boolean takeA = Validity.isValid(condValidity, row) && Validity.isValid(cond, row);
      boolean valid = Validity.isValid(takeA ? av : bv, row);
      if (takeA) {
        fromA.apply(row, k);
      } else {
        fromB.apply(row, k);
      }
      setValid(outValidity, k, valid);
    }
  }

  @Override
  public void selectInt64(
      MemorySegment cond,
      @Nullable MemorySegment condValidity,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    selectLoop(
        cond,
        condValidity,
        aValidity,
        bValidity,
        sel,
        n,
        outValidity,
        (row, k) -> out.setAtIndex(ArrowLayout.INT64, k, ArrowLayout.int64(a, row)),
        (row, k) -> out.setAtIndex(ArrowLayout.INT64, k, ArrowLayout.int64(b, row)));
  }

  @Override
  public void selectFloat64(
      MemorySegment cond,
      @Nullable MemorySegment condValidity,
      MemorySegment a,
      @Nullable MemorySegment aValidity,
      MemorySegment b,
      @Nullable MemorySegment bValidity,
      @Nullable MemorySegment sel,
      int n,
      MemorySegment out,
      @Nullable MemorySegment outValidity) {
    selectLoop(
        cond,
        condValidity,
        aValidity,
        bValidity,
        sel,
        n,
        outValidity,
        (row, k) -> out.setAtIndex(ArrowLayout.FLOAT64, k, ArrowLayout.float64(a, row)),
        (row, k) -> out.setAtIndex(ArrowLayout.FLOAT64, k, ArrowLayout.float64(b, row)));
  }
}
