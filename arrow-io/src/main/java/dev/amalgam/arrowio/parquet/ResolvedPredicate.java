package dev.amalgam.arrowio.parquet;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Field;
import dev.hardwood.metadata.ColumnChunk;
import dev.hardwood.metadata.LogicalType;
import dev.hardwood.metadata.PhysicalType;
import dev.hardwood.metadata.RowGroup;
import dev.hardwood.metadata.Statistics;
import dev.hardwood.reader.FilterPredicate;
import dev.hardwood.schema.ColumnSchema;
import dev.hardwood.schema.FileSchema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ParquetPredicate} bound to its column: its constant converted to the column's domain
 * (numbers as {@link BigDecimal}, dates as days, timestamps as microseconds, strings as UTF-8 bytes
 * compared unsigned, as Parquet orders them), a test of a row group's min/max statistics, and the
 * same comparison as a Hardwood filter for the rows of the row groups read.
 */
final class ResolvedPredicate {
  private enum Domain {
    NUMBER,
    DAYS,
    MICROS,
    BYTES,
    BOOL
  }

  private final ParquetPredicate p;
  private final ColumnSchema column;
  private final DataType type;
  private final Domain domain;
  private final @Nullable BigDecimal number;
  private final long integral;
  private final byte @Nullable [] bytes;

  private ResolvedPredicate(
      ParquetPredicate p,
      ColumnSchema column,
      DataType type,
      Domain domain,
      @Nullable BigDecimal number,
      long integral,
      byte @Nullable [] bytes) {
    this.p = p;
    this.column = column;
    this.type = type;
    this.domain = domain;
    this.number = number;
    this.integral = integral;
    this.bytes = bytes;
  }

  static ResolvedPredicate of(String f, ParquetPredicate p, ColumnSchema c, Field field) {
    DataType t = field.type();
    Object v = p.value();
    try {
      return switch (t.kind()) {
        case BOOL -> new ResolvedPredicate(p, c, t, Domain.BOOL, null, ((Boolean) v) ? 1 : 0, null);
        case DATE32 -> {
          LocalDate d = v instanceof LocalDate ld ? ld : LocalDate.parse(v.toString());
          yield new ResolvedPredicate(p, c, t, Domain.DAYS, null, d.toEpochDay(), null);
        }
        case TIMESTAMP -> {
          Instant i = v instanceof Instant in ? in : Instant.parse(v.toString());
          long micros =
              Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
          yield new ResolvedPredicate(p, c, t, Domain.MICROS, null, micros, null);
        }
        case UTF8, DICTIONARY_UTF8 ->
            new ResolvedPredicate(
                p, c, t, Domain.BYTES, null, 0, ((String) v).getBytes(StandardCharsets.UTF_8));
        default -> {
          BigDecimal n =
              switch (v) {
                case BigDecimal b -> b;
                case Double d -> BigDecimal.valueOf(d);
                case Float x -> BigDecimal.valueOf(x);
                case Number x -> BigDecimal.valueOf(x.longValue());
                default -> new BigDecimal(v.toString());
              };
          yield new ResolvedPredicate(p, c, t, Domain.NUMBER, n, 0, null);
        }
      };
    } catch (RuntimeException e) {
      throw new ParquetFormatException(
          f,
          -1,
          p.column(),
          "filter " + p + ": the constant does not fit column '" + p.column() + "' (" + t + ")",
          e);
    }
  }

  /** Whether a row of {@code rg} may match, judging by its statistics (true when unknown). */
  boolean mayMatch(RowGroup rg, FileSchema fs) {
    ColumnChunk chunk = null;
    for (ColumnChunk c : rg.columns()) {
      if (c.metaData().pathInSchema().equals(column.fieldPath())) {
        chunk = c;
      }
    }
    if (chunk == null) {
      return true;
    }
    Statistics s = chunk.metaData().statistics();
    if (s == null) {
      return true;
    }
    Long nulls = s.nullCount();
    if (nulls != null && nulls == rg.numRows() && rg.numRows() > 0) {
      return false; // a null never matches
    }
    byte[] min = s.minValue();
    byte[] max = s.maxValue();
    if (min == null || max == null) {
      return true;
    }
    if (domain == Domain.BYTES && s.isMinMaxDeprecated()) {
      return true; // old min/max of binary columns were compared signed
    }
    int lo;
    int hi;
    try {
      lo = compare(min);
      hi = compare(max);
    } catch (RuntimeException e) {
      return true; // statistics we cannot read do not prune
    }
    return switch (p.op()) {
      case EQ -> lo <= 0 && hi >= 0;
      case NE -> !(lo == 0 && hi == 0);
      case LT -> lo < 0;
      case LE -> lo <= 0;
      case GT -> hi > 0;
      case GE -> hi >= 0;
    };
  }

  /** The sign of (statistic - constant). */
  private int compare(byte[] stat) {
    PhysicalType pt = column.type();
    return switch (domain) {
      case BYTES -> Arrays.compareUnsigned(stat, java.util.Objects.requireNonNull(bytes));
      case BOOL -> Long.compare(stat[0] & 1, integral);
      case DAYS -> Long.compare(le(stat, 4), integral);
      case MICROS -> {
        if (pt == PhysicalType.INT96) {
          throw new IllegalStateException("INT96 statistics are not ordered");
        }
        long v = le(stat, 8);
        LogicalType.TimestampType ts = (LogicalType.TimestampType) column.logicalType();
        long micros =
            switch (java.util.Objects.requireNonNull(ts).unit()) {
              case MILLIS -> v * 1000;
              case MICROS -> v;
              case NANOS -> Math.floorDiv(v, 1000);
            };
        yield Long.compare(micros, integral);
      }
      case NUMBER -> numeric(stat, pt).compareTo(java.util.Objects.requireNonNull(number));
    };
  }

  private BigDecimal numeric(byte[] stat, PhysicalType pt) {
    int scale = column.logicalType() instanceof LogicalType.DecimalType d ? d.scale() : 0;
    boolean unsigned = column.logicalType() instanceof LogicalType.IntType it && !it.isSigned();
    return switch (pt) {
      case INT32 -> {
        long v = le(stat, 4);
        yield BigDecimal.valueOf(unsigned ? v & 0xFFFFFFFFL : v, scale);
      }
      case INT64 -> {
        long v = le(stat, 8);
        yield unsigned
            ? new BigDecimal(new BigInteger(Long.toUnsignedString(v)))
            : BigDecimal.valueOf(v, scale);
      }
      case FLOAT -> {
        float x = Float.intBitsToFloat((int) le(stat, 4));
        if (!Float.isFinite(x)) {
          throw new IllegalStateException("non-finite statistic");
        }
        yield new BigDecimal(x);
      }
      case DOUBLE -> {
        double x = Double.longBitsToDouble(le(stat, 8));
        if (!Double.isFinite(x)) {
          throw new IllegalStateException("non-finite statistic");
        }
        yield new BigDecimal(x);
      }
      case BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY -> new BigDecimal(new BigInteger(stat), scale);
      default -> throw new IllegalStateException("no order for " + pt);
    };
  }

  private static long le(byte[] b, int n) {
    if (b.length < n) {
      throw new IllegalStateException("statistic of " + b.length + " bytes");
    }
    long v = 0;
    for (int i = n - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xFF);
    }
    if (n < 8) {
      v = (v << (64 - 8 * n)) >> (64 - 8 * n);
    }
    return v;
  }

  /** The comparison as a Hardwood record filter. */
  FilterPredicate exact() {
    String c = column.name();
    ParquetPredicate.Op op = p.op();
    PhysicalType pt = column.type();
    LogicalType lt = column.logicalType();
    return switch (domain) {
      case BOOL -> {
        boolean b = integral != 0;
        yield switch (op) {
          case EQ -> FilterPredicate.eq(c, b);
          case NE -> FilterPredicate.notEq(c, b);
          default ->
              throw new IllegalArgumentException("bool column '" + c + "' takes only = and <>");
        };
      }
      case DAYS -> cmp(op, c, LocalDate.ofEpochDay(integral));
      case MICROS ->
          cmp(
              op,
              c,
              Instant.ofEpochSecond(
                  Math.floorDiv(integral, 1_000_000L), Math.floorMod(integral, 1_000_000L) * 1000));
      case BYTES ->
          cmp(op, c, new String(java.util.Objects.requireNonNull(bytes), StandardCharsets.UTF_8));
      case NUMBER -> {
        BigDecimal n = java.util.Objects.requireNonNull(number);
        if (lt instanceof LogicalType.DecimalType) {
          yield cmp(op, c, n);
        }
        yield switch (pt) {
          case FLOAT, DOUBLE -> cmp(op, c, n.doubleValue());
          default ->
              integerCmp(op, c, n, pt == PhysicalType.INT32 && type.kind() != DataType.Kind.INT64);
        };
      }
    };
  }

  /** Integer column vs a constant that may have a fraction: x < 2.5 is x <= 2, and so on. */
  private static FilterPredicate integerCmp(
      ParquetPredicate.Op op, String c, BigDecimal n, boolean int32) {
    boolean whole = n.stripTrailingZeros().scale() <= 0;
    BigDecimal floor = n.setScale(0, java.math.RoundingMode.FLOOR);
    BigDecimal ceil = n.setScale(0, java.math.RoundingMode.CEILING);
    if (!whole && (op == ParquetPredicate.Op.EQ || op == ParquetPredicate.Op.NE)) {
      // x = 2.5 never holds, x <> 2.5 always (for non-null x)
      return op == ParquetPredicate.Op.EQ
          ? FilterPredicate.and(FilterPredicate.lt(c, 0L), FilterPredicate.gt(c, 0L))
          : FilterPredicate.isNotNull(c);
    }
    long v =
        switch (op) {
          case LT, GE -> ceil.longValueExact();
          case LE, GT -> floor.longValueExact();
          default -> n.longValueExact();
        };
    if (int32 && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
      boolean above = v > 0;
      boolean all =
          switch (op) {
            case LT, LE, NE -> above;
            case GT, GE, EQ -> !above && op != ParquetPredicate.Op.EQ;
          };
      return all
          ? FilterPredicate.isNotNull(c)
          : FilterPredicate.and(FilterPredicate.lt(c, 0), FilterPredicate.gt(c, 0));
    }
    if (int32) {
      return cmp(op, c, (int) v);
    }
    return cmp(op, c, v);
  }

  private static FilterPredicate cmp(ParquetPredicate.Op op, String c, Object v) {
    return switch (v) {
      case Integer i ->
          switch (op) {
            case EQ -> FilterPredicate.eq(c, i.intValue());
            case NE -> FilterPredicate.notEq(c, i.intValue());
            case LT -> FilterPredicate.lt(c, i.intValue());
            case LE -> FilterPredicate.ltEq(c, i.intValue());
            case GT -> FilterPredicate.gt(c, i.intValue());
            case GE -> FilterPredicate.gtEq(c, i.intValue());
          };
      case Long l ->
          switch (op) {
            case EQ -> FilterPredicate.eq(c, l.longValue());
            case NE -> FilterPredicate.notEq(c, l.longValue());
            case LT -> FilterPredicate.lt(c, l.longValue());
            case LE -> FilterPredicate.ltEq(c, l.longValue());
            case GT -> FilterPredicate.gt(c, l.longValue());
            case GE -> FilterPredicate.gtEq(c, l.longValue());
          };
      case Double d ->
          switch (op) {
            case EQ -> FilterPredicate.eq(c, d.doubleValue());
            case NE -> FilterPredicate.notEq(c, d.doubleValue());
            case LT -> FilterPredicate.lt(c, d.doubleValue());
            case LE -> FilterPredicate.ltEq(c, d.doubleValue());
            case GT -> FilterPredicate.gt(c, d.doubleValue());
            case GE -> FilterPredicate.gtEq(c, d.doubleValue());
          };
      case BigDecimal b ->
          switch (op) {
            case EQ -> FilterPredicate.eq(c, b);
            case NE -> FilterPredicate.notEq(c, b);
            case LT -> FilterPredicate.lt(c, b);
            case LE -> FilterPredicate.ltEq(c, b);
            case GT -> FilterPredicate.gt(c, b);
            case GE -> FilterPredicate.gtEq(c, b);
          };
      case String s ->
          switch (op) {
            case EQ -> FilterPredicate.eq(c, s);
            case NE -> FilterPredicate.notEq(c, s);
            case LT -> FilterPredicate.lt(c, s);
            case LE -> FilterPredicate.ltEq(c, s);
            case GT -> FilterPredicate.gt(c, s);
            case GE -> FilterPredicate.gtEq(c, s);
          };
      case LocalDate d ->
          switch (op) {
            case EQ -> FilterPredicate.eq(c, d);
            case NE -> FilterPredicate.notEq(c, d);
            case LT -> FilterPredicate.lt(c, d);
            case LE -> FilterPredicate.ltEq(c, d);
            case GT -> FilterPredicate.gt(c, d);
            case GE -> FilterPredicate.gtEq(c, d);
          };
      case Instant i ->
          switch (op) {
            case EQ -> FilterPredicate.eq(c, i);
            case NE -> FilterPredicate.notEq(c, i);
            case LT -> FilterPredicate.lt(c, i);
            case LE -> FilterPredicate.ltEq(c, i);
            case GT -> FilterPredicate.gt(c, i);
            case GE -> FilterPredicate.gtEq(c, i);
          };
      default -> throw new IllegalArgumentException("no filter for " + v.getClass());
    };
  }
}
