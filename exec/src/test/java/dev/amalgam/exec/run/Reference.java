package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.DataType.Kind;
import dev.amalgam.kernels.ArithmeticOp;
import dev.amalgam.kernels.CompareOp;
import dev.amalgam.kernels.DecimalType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * A row-at-a-time interpreter of bound expressions over Java values (see {@link TestColumns}), the
 * model the evaluator is checked against. Errors throw {@link ArithmeticException}.
 */
final class Reference {
  private Reference() {}

  static Object eval(BoundExpr e, Object[][] cols, int row) {
    return switch (e) {
      case BoundExpr.ColumnRef c -> cols[c.index()][row];
      case BoundExpr.Const c ->
          c.value() instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : c.value();
      case BoundExpr.Arith a -> arith(a, eval(a.left(), cols, row), eval(a.right(), cols, row));
      case BoundExpr.Cmp c -> {
        Object l = eval(c.left(), cols, row);
        Object r = eval(c.right(), cols, row);
        yield l == null || r == null ? null : c.op().holds(compare(l, r));
      }
      case BoundExpr.AndOr a -> {
        boolean sawNull = false;
        Boolean result = null;
        for (BoundExpr t : a.terms()) {
          Object v = eval(t, cols, row); // eager, as the evaluator's evaluate() is
          if (v == null) {
            sawNull = true;
          } else if ((Boolean) v != a.isAnd() && result == null) {
            result = !a.isAnd();
          }
        }
        yield result != null ? result : sawNull ? null : a.isAnd();
      }
      case BoundExpr.Not n -> {
        Object v = eval(n.operand(), cols, row);
        yield v == null ? null : !(Boolean) v;
      }
      case BoundExpr.IsNull n -> (eval(n.operand(), cols, row) == null) != n.negated();
      case BoundExpr.Between w -> {
        Object x = eval(w.operand(), cols, row);
        Object lo = eval(w.low(), cols, row);
        Object hi = eval(w.high(), cols, row);
        Boolean a = x == null || lo == null ? null : compare(x, lo) >= 0;
        Boolean b = x == null || hi == null ? null : compare(x, hi) <= 0;
        if (Boolean.FALSE.equals(a) || Boolean.FALSE.equals(b)) {
          yield false;
        }
        yield a == null || b == null ? null : true;
      }
      case BoundExpr.InList in -> {
        Object x = eval(in.operand(), cols, row);
        if (x == null) {
          yield null;
        }
        boolean hit = false;
        for (BoundExpr.Const c : in.values()) {
          hit |= compare(x, eval(c, cols, row)) == 0;
        }
        yield hit != in.negated();
      }
      case BoundExpr.Like l -> {
        Object x = eval(l.operand(), cols, row);
        yield x == null ? null : like(l.pattern().pattern(), (String) x) != l.negated();
      }
      case BoundExpr.Case c -> {
        for (int i = 0; i < c.conditions().size(); i++) {
          if (Boolean.TRUE.equals(eval(c.conditions().get(i), cols, row))) {
            yield eval(c.values().get(i), cols, row);
          }
        }
        yield eval(c.otherwise(), cols, row);
      }
      case BoundExpr.CastTo c -> cast(eval(c.operand(), cols, row), c.operand().type(), c.type());
      case BoundExpr.AddMonths m -> {
        Object v = eval(m.operand(), cols, row);
        yield v == null
            ? null
            : (int) LocalDate.ofEpochDay((Integer) v).plusMonths(m.months()).toEpochDay();
      }
      case BoundExpr.Extract x -> {
        Object v = eval(x.operand(), cols, row);
        if (v == null) {
          yield null;
        }
        LocalDate d = LocalDate.ofEpochDay((Integer) v);
        yield switch (x.part()) {
          case YEAR -> d.getYear();
          case QUARTER -> (d.getMonthValue() + 2) / 3;
          case MONTH -> d.getMonthValue();
          case DAY -> d.getDayOfMonth();
          case DAY_OF_WEEK -> d.getDayOfWeek().getValue();
          case DAY_OF_YEAR -> d.getDayOfYear();
        };
      }
      case BoundExpr.CharLength c -> {
        Object v = eval(c.operand(), cols, row);
        yield v == null ? null : ((String) v).codePointCount(0, ((String) v).length());
      }
      case BoundExpr.Substring s -> {
        Object v = eval(s.operand(), cols, row);
        if (v == null) {
          yield null;
        }
        int[] cps = ((String) v).codePoints().toArray();
        long from = Math.max(s.start(), 1);
        long to = Math.min(s.start() + s.length(), cps.length + 1L);
        yield to <= from ? "" : new String(cps, (int) from - 1, (int) (to - from));
      }
    };
  }

  static int compare(Object l, Object r) {
    return switch (l) {
      case Double x -> CompareOp.compareSql(x, (Double) r);
      case String x ->
          Arrays.compareUnsigned(
              x.getBytes(StandardCharsets.UTF_8), ((String) r).getBytes(StandardCharsets.UTF_8));
      case Boolean x -> Boolean.compare(x, (Boolean) r);
      case Integer x -> Integer.compare(x, (Integer) r);
      case Long x -> Long.compare(x, (Long) r);
      default -> throw new IllegalArgumentException(l.getClass().toString());
    };
  }

  static boolean like(String pattern, String s) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '%') {
        re.append(".*");
      } else if (c == '_') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL).matcher(s).matches();
  }

  private static Object arith(BoundExpr.Arith a, Object l, Object r) {
    if (l == null || r == null) {
      return null;
    }
    ArithmeticOp op = a.op();
    DataType t = a.type();
    return switch (t.kind()) {
      case INT32, DATE32 -> {
        long x = (Integer) l;
        long y = (Integer) r;
        yield Math.toIntExact(integer(op, x, y));
      }
      case INT64 -> {
        long x = (Long) l;
        long y = (Long) r;
        if (op == ArithmeticOp.MULTIPLY) {
          yield Math.multiplyExact(x, y);
        }
        yield integer(op, x, y);
      }
      case FLOAT64 -> {
        double x = (Double) l;
        double y = (Double) r;
        yield switch (op) {
          case ADD -> x + y;
          case SUBTRACT -> x - y;
          case MULTIPLY -> x * y;
          case DIVIDE -> x / y;
          case MODULO -> x % y;
        };
      }
      case DECIMAL -> {
        DataType lt = a.left().type();
        DataType rt = a.right().type();
        BigDecimal x = BigDecimal.valueOf((Long) l, lt.scale());
        BigDecimal y = BigDecimal.valueOf((Long) r, rt.scale());
        BigDecimal z =
            switch (op) {
              case ADD -> x.add(y);
              case SUBTRACT -> x.subtract(y);
              case MULTIPLY -> x.multiply(y);
              case DIVIDE -> {
                if (y.signum() == 0) {
                  throw new ArithmeticException("division by zero");
                }
                yield x.divide(y, t.scale(), RoundingMode.HALF_UP);
              }
              case MODULO -> {
                if (y.signum() == 0) {
                  throw new ArithmeticException("division by zero");
                }
                yield x.remainder(y);
              }
            };
        yield unscaled(z, t);
      }
      default -> throw new IllegalArgumentException(t.toString());
    };
  }

  private static long integer(ArithmeticOp op, long x, long y) {
    return switch (op) {
      case ADD -> Math.addExact(x, y);
      case SUBTRACT -> Math.subtractExact(x, y);
      case MULTIPLY -> Math.multiplyExact(x, y);
      case DIVIDE -> {
        if (y == 0) {
          throw new ArithmeticException("division by zero");
        }
        yield x / y;
      }
      case MODULO -> {
        if (y == 0) {
          throw new ArithmeticException("division by zero");
        }
        yield x % y;
      }
    };
  }

  private static long unscaled(BigDecimal z, DataType t) {
    long u = z.setScale(t.scale(), RoundingMode.HALF_UP).unscaledValue().longValueExact();
    if (!DecimalType.of(t.precision(), t.scale()).fits(u)) {
      throw new ArithmeticException("overflow " + z + " in " + t);
    }
    return u;
  }

  static Object cast(Object v, DataType from, DataType to) {
    if (v == null || from.equals(to)) {
      return v;
    }
    Kind f = from.kind();
    Kind t = to.kind();
    if (from.isString() && to.isString()) {
      return v;
    }
    if (t == Kind.UTF8) {
      return switch (f) {
        case BOOL, INT32, INT64 -> v.toString();
        case FLOAT64 -> Double.toString((Double) v);
        case DECIMAL -> BigDecimal.valueOf((Long) v, from.scale()).toPlainString();
        case DATE32 -> LocalDate.ofEpochDay((Integer) v).toString();
        case TIMESTAMP -> {
          long us = (Long) v;
          long days = Math.floorDiv(us, 86_400_000_000L);
          long in = us - days * 86_400_000_000L;
          long secs = in / 1_000_000;
          String s =
              LocalDate.ofEpochDay(days)
                  + String.format(" %02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
          yield in % 1_000_000 == 0 ? s : s + String.format(".%06d", in % 1_000_000);
        }
        default -> throw new IllegalArgumentException(from.toString());
      };
    }
    BigDecimal exact =
        switch (f) {
          case INT32 -> BigDecimal.valueOf((Integer) v);
          case INT64 -> BigDecimal.valueOf((Long) v);
          case DECIMAL -> BigDecimal.valueOf((Long) v, from.scale());
          default -> null;
        };
    return switch (t) {
      case INT64, INT32 -> {
        long x;
        if (f == Kind.FLOAT64) {
          double d = (Double) v;
          if (Double.isNaN(d) || Double.isInfinite(d) || Math.abs(d) >= 0x1p62) {
            throw new ArithmeticException("bad double " + d);
          }
          x = (long) d;
        } else {
          x = exact.setScale(0, RoundingMode.HALF_UP).longValueExact();
        }
        yield t == Kind.INT32 ? (Object) Math.toIntExact(x) : (Object) x;
      }
      case FLOAT64 ->
          f == Kind.DECIMAL
              ? (double) (Long) v / DecimalType.powerOfTen(from.scale())
              : exact.doubleValue();
      case DECIMAL -> unscaled(exact, to);
      case TIMESTAMP -> (long) (Integer) v * 86_400_000_000L;
      case DATE32 -> (int) Math.floorDiv((Long) v, 86_400_000_000L);
      default -> throw new IllegalArgumentException("cast " + from + " -> " + to);
    };
  }
}
