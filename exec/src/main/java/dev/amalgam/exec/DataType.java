package dev.amalgam.exec;

import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A column type: the subset of Arrow's types the engine stores and computes on.
 *
 * <p>Storage is Arrow layout (see {@code dev.amalgam.kernels.ArrowLayout}). Computation widens
 * narrow types: int8 and int16 compute as int32, float32 as float64; decimals are int64 scaled by
 * {@code 10^scale} with precision at most 18; dates are int32 days and timestamps int64
 * microseconds since the epoch (UTC).
 */
public final class DataType {
  /** The kind of a type. */
  public enum Kind {
    /** Boolean, one bit per row. */
    BOOL(0),
    /** 8-bit signed integer. */
    INT8(1),
    /** 16-bit signed integer. */
    INT16(2),
    /** 32-bit signed integer. */
    INT32(4),
    /** 64-bit signed integer. */
    INT64(8),
    /** 32-bit IEEE float. */
    FLOAT32(4),
    /** 64-bit IEEE float. */
    FLOAT64(8),
    /** Fixed-point decimal: int64 scaled by 10^scale, precision <= 18. */
    DECIMAL(8),
    /** Days since 1970-01-01, int32. */
    DATE32(4),
    /** Microseconds since 1970-01-01T00:00Z, int64. */
    TIMESTAMP(8),
    /** Variable-length UTF-8 text (int32 offsets + data). */
    UTF8(0),
    /** UTF-8 text stored as int32 indices into a dictionary of distinct values. */
    DICTIONARY_UTF8(4);

    private final int width;

    Kind(int width) {
      this.width = width;
    }

    /** Bytes per value in storage; 0 for bool (bits) and utf8 (variable). */
    public int width() {
      return width;
    }
  }

  /** Boolean. */
  public static final DataType BOOL = new DataType(Kind.BOOL, 0, 0);

  /** 8-bit integer. */
  public static final DataType INT8 = new DataType(Kind.INT8, 0, 0);

  /** 16-bit integer. */
  public static final DataType INT16 = new DataType(Kind.INT16, 0, 0);

  /** 32-bit integer. */
  public static final DataType INT32 = new DataType(Kind.INT32, 0, 0);

  /** 64-bit integer. */
  public static final DataType INT64 = new DataType(Kind.INT64, 0, 0);

  /** 32-bit float. */
  public static final DataType FLOAT32 = new DataType(Kind.FLOAT32, 0, 0);

  /** 64-bit float. */
  public static final DataType FLOAT64 = new DataType(Kind.FLOAT64, 0, 0);

  /** Date (days). */
  public static final DataType DATE32 = new DataType(Kind.DATE32, 0, 0);

  /** Timestamp (microseconds, UTC). */
  public static final DataType TIMESTAMP = new DataType(Kind.TIMESTAMP, 0, 0);

  /** UTF-8 text. */
  public static final DataType UTF8 = new DataType(Kind.UTF8, 0, 0);

  /** Dictionary-encoded UTF-8 text. */
  public static final DataType DICTIONARY_UTF8 = new DataType(Kind.DICTIONARY_UTF8, 0, 0);

  /** Largest decimal precision (digits that fit an int64). */
  public static final int MAX_DECIMAL_PRECISION = 18;

  private final Kind kind;
  private final int precision;
  private final int scale;

  private DataType(Kind kind, int precision, int scale) {
    this.kind = kind;
    this.precision = precision;
    this.scale = scale;
  }

  /**
   * A decimal type.
   *
   * @throws IllegalArgumentException when precision is not in 1..18 or scale not in 0..precision
   */
  public static DataType decimal(int precision, int scale) {
    if (precision < 1 || precision > MAX_DECIMAL_PRECISION) {
      throw new IllegalArgumentException(
          "decimal precision must be 1.." + MAX_DECIMAL_PRECISION + "; was " + precision);
    }
    if (scale < 0 || scale > precision) {
      throw new IllegalArgumentException(
          "decimal scale must be 0.."
              + precision
              + " for precision "
              + precision
              + "; was "
              + scale);
    }
    return new DataType(Kind.DECIMAL, precision, scale);
  }

  /**
   * Parses a type name as {@link #toString()} prints it ({@code int64}, {@code decimal(12,2)},
   * ...).
   *
   * @throws IllegalArgumentException naming the text and the valid names
   */
  public static DataType parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT).replace(" ", "");
    if (t.startsWith("decimal(") && t.endsWith(")")) {
      String[] ps = t.substring(8, t.length() - 1).split(",", -1);
      try {
        return decimal(Integer.parseInt(ps[0]), ps.length > 1 ? Integer.parseInt(ps[1]) : 0);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad decimal type '" + text + "'", e);
      }
    }
    return switch (t) {
      case "bool", "boolean" -> BOOL;
      case "int8", "tinyint" -> INT8;
      case "int16", "smallint" -> INT16;
      case "int32", "int", "integer" -> INT32;
      case "int64", "bigint", "long" -> INT64;
      case "float32", "float", "real" -> FLOAT32;
      case "float64", "double" -> FLOAT64;
      case "date32", "date" -> DATE32;
      case "timestamp" -> TIMESTAMP;
      case "utf8", "string", "varchar", "text" -> UTF8;
      case "dictionary<utf8>", "dict_utf8", "dictionary_utf8" -> DICTIONARY_UTF8;
      default ->
          throw new IllegalArgumentException(
              "unknown type '"
                  + text
                  + "' (valid: bool, int8, int16, int32, int64, float32, float64, decimal(p,s),"
                  + " date32, timestamp, utf8, dictionary<utf8>)");
    };
  }

  /** The kind. */
  public Kind kind() {
    return kind;
  }

  /** Decimal precision (0 for other kinds). */
  public int precision() {
    return precision;
  }

  /** Decimal scale (0 for other kinds). */
  public int scale() {
    return scale;
  }

  /** True for int8..int64. */
  public boolean isInteger() {
    return switch (kind) {
      case INT8, INT16, INT32, INT64 -> true;
      default -> false;
    };
  }

  /** True for integers, floats and decimals. */
  public boolean isNumeric() {
    return isInteger() || kind == Kind.FLOAT32 || kind == Kind.FLOAT64 || kind == Kind.DECIMAL;
  }

  /** True for utf8 and dictionary-encoded utf8. */
  public boolean isString() {
    return kind == Kind.UTF8 || kind == Kind.DICTIONARY_UTF8;
  }

  /**
   * The type values of this type compute as: int8/int16 as int32, float32 as float64, dictionary
   * utf8 as utf8; every other type as itself.
   */
  public DataType computeType() {
    return switch (kind) {
      case INT8, INT16 -> INT32;
      case FLOAT32 -> FLOAT64;
      case DICTIONARY_UTF8 -> UTF8;
      default -> this;
    };
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof DataType t
        && t.kind == kind
        && t.precision == precision
        && t.scale == scale;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, precision, scale);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case DECIMAL -> "decimal(" + precision + "," + scale + ")";
      case DICTIONARY_UTF8 -> "dictionary<utf8>";
      default -> kind.name().toLowerCase(Locale.ROOT);
    };
  }
}
