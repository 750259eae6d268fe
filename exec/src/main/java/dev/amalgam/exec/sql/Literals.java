package dev.amalgam.exec.sql;

import dev.amalgam.exec.DataType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/** Java values converted to the engine's compute types, for constant rows and parameters. */
final class Literals {
  private Literals() {}

  /**
   * {@code v} as a value of compute type {@code t}: Boolean, Integer, Long, Double, BigDecimal at
   * the type's scale, LocalDate, Instant or String.
   *
   * @throws IllegalArgumentException saying why {@code v} does not fit {@code t}
   */
  static @Nullable Object coerce(@Nullable Object v, DataType t) {
    if (v == null) {
      return null;
    }
    return switch (t.computeType().kind()) {
      case BOOL -> {
        if (v instanceof Boolean b) {
          yield b;
        }
        throw mismatch(v, t, null);
      }
      case INT32 -> {
        long x = integral(v, t);
        long lo = t.kind() == DataType.Kind.INT8 ? Byte.MIN_VALUE : Integer.MIN_VALUE;
        long hi = t.kind() == DataType.Kind.INT8 ? Byte.MAX_VALUE : Integer.MAX_VALUE;
        if (t.kind() == DataType.Kind.INT16) {
          lo = Short.MIN_VALUE;
          hi = Short.MAX_VALUE;
        }
        if (x < lo || x > hi) {
          throw mismatch(v, t, "out of range " + lo + ".." + hi);
        }
        yield (int) x;
      }
      case INT64 -> integral(v, t);
      case FLOAT64 -> {
        if (v instanceof Number n) {
          yield n.doubleValue();
        }
        throw mismatch(v, t, null);
      }
      case DECIMAL -> {
        BigDecimal d =
            switch (v) {
              case BigDecimal b -> b;
              case Double x when Double.isFinite(x) -> BigDecimal.valueOf(x);
              case Float x when Float.isFinite(x) -> new BigDecimal(x.toString());
              case Long x -> BigDecimal.valueOf(x);
              case Integer x -> BigDecimal.valueOf(x);
              case Short x -> BigDecimal.valueOf(x);
              case Byte x -> BigDecimal.valueOf(x);
              case BigInteger x -> new BigDecimal(x);
              default -> throw mismatch(v, t, null);
            };
        BigDecimal scaled;
        try {
          scaled = d.setScale(t.scale(), RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
          throw mismatch(v, t, "more than " + t.scale() + " decimal places");
        }
        if (scaled.precision() - scaled.scale() > t.precision() - t.scale()) {
          throw mismatch(
              v, t, "more than " + (t.precision() - t.scale()) + " digits before the point");
        }
        yield scaled;
      }
      case DATE32 -> {
        switch (v) {
          case LocalDate d -> {
            yield d;
          }
          case java.sql.Date d -> {
            yield d.toLocalDate();
          }
          case String s -> {
            try {
              yield LocalDate.parse(s.strip());
            } catch (DateTimeParseException e) {
              throw mismatch(v, t, "not a date YYYY-MM-DD");
            }
          }
          default -> throw mismatch(v, t, null);
        }
      }
      case TIMESTAMP -> {
        switch (v) {
          case Instant i -> {
            yield i;
          }
          case java.sql.Timestamp ts -> {
            yield ts.toInstant();
          }
          case LocalDateTime ldt -> {
            yield ldt.toInstant(ZoneOffset.UTC);
          }
          case String s -> {
            try {
              yield LocalDateTime.parse(s.strip().replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
              throw mismatch(v, t, "not a timestamp YYYY-MM-DD HH:MM:SS");
            }
          }
          default -> throw mismatch(v, t, null);
        }
      }
      case UTF8 -> {
        if (v instanceof String || v instanceof Character) {
          yield v.toString();
        }
        throw mismatch(v, t, null);
      }
      default -> throw mismatch(v, t, null);
    };
  }

  private static long integral(Object v, DataType t) {
    switch (v) {
      case Long x -> {
        return x;
      }
      case Integer x -> {
        return x;
      }
      case Short x -> {
        return x;
      }
      case Byte x -> {
        return x;
      }
      case BigInteger x -> {
        try {
          return x.longValueExact();
        } catch (ArithmeticException e) {
          throw mismatch(v, t, "out of range");
        }
      }
      case BigDecimal x -> {
        try {
          return x.longValueExact();
        } catch (ArithmeticException e) {
          throw mismatch(v, t, "not a whole number in range");
        }
      }
      default -> throw mismatch(v, t, null);
    }
  }

  private static IllegalArgumentException mismatch(Object v, DataType t, @Nullable String why) {
    return new IllegalArgumentException(
        "expects "
            + sqlName(t)
            + "; got "
            + v.getClass().getSimpleName()
            + " "
            + (v instanceof String ? "'" + v + "'" : v)
            + (why == null ? "" : " (" + why + ")"));
  }

  /** The SQL name of an engine type, as CREATE TABLE and error messages write it. */
  static String sqlName(DataType t) {
    return switch (t.kind()) {
      case BOOL -> "BOOLEAN";
      case INT8 -> "TINYINT";
      case INT16 -> "SMALLINT";
      case INT32 -> "INTEGER";
      case INT64 -> "BIGINT";
      case FLOAT32 -> "REAL";
      case FLOAT64 -> "DOUBLE";
      case DECIMAL -> "DECIMAL(" + t.precision() + "," + t.scale() + ")";
      case DATE32 -> "DATE";
      case TIMESTAMP -> "TIMESTAMP";
      case UTF8, DICTIONARY_UTF8 -> "VARCHAR";
    };
  }
}
