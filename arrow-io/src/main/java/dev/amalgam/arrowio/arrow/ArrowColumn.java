package dev.amalgam.arrowio.arrow;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Field;
import java.nio.ByteBuffer;
import org.apache.arrow.flatbuf.DateUnit;
import org.apache.arrow.flatbuf.Decimal;
import org.apache.arrow.flatbuf.DictionaryEncoding;
import org.apache.arrow.flatbuf.FloatingPoint;
import org.apache.arrow.flatbuf.Int;
import org.apache.arrow.flatbuf.Precision;
import org.apache.arrow.flatbuf.TimeUnit;
import org.apache.arrow.flatbuf.Timestamp;
import org.apache.arrow.flatbuf.Type;

/**
 * One top-level column of an Arrow schema as the engine reads it: the Arrow physical type the
 * buffers have and the engine type they become. {@link #inPlace} says whether the Arrow buffers are
 * already the engine's layout (then a mapped file's buffers are used without copying).
 */
final class ArrowColumn {
  /** Arrow physical layouts the reader accepts. */
  enum Physical {
    BOOL,
    INT,
    FLOAT,
    DECIMAL,
    DATE_DAY,
    DATE_MILLI,
    TIMESTAMP,
    UTF8,
    LARGE_UTF8
  }

  final String name;
  final boolean nullable;
  final DataType type;
  final Physical physical;

  /** Bytes per value of the Arrow buffer (0 for bits and strings). */
  final int width;

  final boolean signed;

  /** Timestamp unit (flatbuf TimeUnit), for TIMESTAMP. */
  final short unit;

  /** Dictionary id, or -1 when the column is not dictionary-encoded. */
  final long dictionaryId;

  /** Bytes per dictionary index. */
  final int indexWidth;

  private ArrowColumn(
      String name,
      boolean nullable,
      DataType type,
      Physical physical,
      int width,
      boolean signed,
      short unit,
      long dictionaryId,
      int indexWidth) {
    this.name = name;
    this.nullable = nullable;
    this.type = type;
    this.physical = physical;
    this.width = width;
    this.signed = signed;
    this.unit = unit;
    this.dictionaryId = dictionaryId;
    this.indexWidth = indexWidth;
  }

  /**
   * A column from C Data Interface format strings (the child's, and its dictionary's when it has
   * one).
   *
   * @throws ArrowFormatException naming the column when the format is not one the engine holds
   */
  static ArrowColumn ofFormat(
      String name,
      boolean nullable,
      String format,
      @org.jspecify.annotations.Nullable String dict,
      long dictId,
      String source) {
    if (dict != null) {
      if (!dict.equals("u")) {
        throw unsupported(source, -1, name, "dictionary of format '" + dict + "'");
      }
      int bits =
          switch (format) {
            case "c", "C" -> 8;
            case "s", "S" -> 16;
            case "i", "I" -> 32;
            case "l" -> 64;
            default ->
                throw unsupported(source, -1, name, "dictionary index format '" + format + "'");
          };
      boolean signed = Character.isLowerCase(format.charAt(0));
      return new ArrowColumn(
          name,
          nullable,
          DataType.DICTIONARY_UTF8,
          Physical.UTF8,
          0,
          signed,
          (short) 0,
          dictId,
          bits / 8);
    }
    if (format.startsWith("d:")) {
      String[] ps = format.substring(2).split(",", -1);
      int p;
      int sc;
      int bw = 128;
      try {
        p = Integer.parseInt(ps[0]);
        sc = Integer.parseInt(ps[1]);
        if (ps.length > 2) {
          bw = Integer.parseInt(ps[2]);
        }
      } catch (RuntimeException e) {
        throw ArrowFormatException.at(
            source, -1, "column '" + name + "': bad decimal format '" + format + "'");
      }
      if ((bw != 64 && bw != 128)
          || p < 1
          || p > DataType.MAX_DECIMAL_PRECISION
          || sc < 0
          || sc > p) {
        throw unsupported(source, -1, name, "decimal" + bw + "(" + p + "," + sc + ")");
      }
      return new ArrowColumn(
          name,
          nullable,
          DataType.decimal(p, sc),
          Physical.DECIMAL,
          bw / 8,
          true,
          (short) 0,
          -1,
          0);
    }
    if (format.startsWith("ts") && format.length() >= 4 && format.charAt(3) == ':') {
      short unit =
          switch (format.charAt(2)) {
            case 's' -> TimeUnit.SECOND;
            case 'm' -> TimeUnit.MILLISECOND;
            case 'u' -> TimeUnit.MICROSECOND;
            case 'n' -> TimeUnit.NANOSECOND;
            default -> throw unsupported(source, -1, name, "timestamp format '" + format + "'");
          };
      return new ArrowColumn(
          name, nullable, DataType.TIMESTAMP, Physical.TIMESTAMP, 8, true, unit, -1, 0);
    }
    return switch (format) {
      case "b" ->
          new ArrowColumn(name, nullable, DataType.BOOL, Physical.BOOL, 0, true, (short) 0, -1, 0);
      case "c" ->
          new ArrowColumn(name, nullable, DataType.INT8, Physical.INT, 1, true, (short) 0, -1, 0);
      case "C" ->
          new ArrowColumn(name, nullable, DataType.INT16, Physical.INT, 1, false, (short) 0, -1, 0);
      case "s" ->
          new ArrowColumn(name, nullable, DataType.INT16, Physical.INT, 2, true, (short) 0, -1, 0);
      case "S" ->
          new ArrowColumn(name, nullable, DataType.INT32, Physical.INT, 2, false, (short) 0, -1, 0);
      case "i" ->
          new ArrowColumn(name, nullable, DataType.INT32, Physical.INT, 4, true, (short) 0, -1, 0);
      case "I" ->
          new ArrowColumn(name, nullable, DataType.INT64, Physical.INT, 4, false, (short) 0, -1, 0);
      case "l" ->
          new ArrowColumn(name, nullable, DataType.INT64, Physical.INT, 8, true, (short) 0, -1, 0);
      case "f" ->
          new ArrowColumn(
              name, nullable, DataType.FLOAT32, Physical.FLOAT, 4, true, (short) 0, -1, 0);
      case "g" ->
          new ArrowColumn(
              name, nullable, DataType.FLOAT64, Physical.FLOAT, 8, true, (short) 0, -1, 0);
      case "tdD" ->
          new ArrowColumn(
              name, nullable, DataType.DATE32, Physical.DATE_DAY, 4, true, (short) 0, -1, 0);
      case "tdm" ->
          new ArrowColumn(
              name, nullable, DataType.DATE32, Physical.DATE_MILLI, 8, true, (short) 0, -1, 0);
      case "u" ->
          new ArrowColumn(name, nullable, DataType.UTF8, Physical.UTF8, 0, true, (short) 0, -1, 0);
      case "U" ->
          new ArrowColumn(
              name, nullable, DataType.UTF8, Physical.LARGE_UTF8, 0, true, (short) 0, -1, 0);
      default -> throw unsupported(source, -1, name, "format '" + format + "'");
    };
  }

  /** The C Data Interface format string of an engine type (dictionaries: the index format). */
  static String format(DataType t) {
    return switch (t.kind()) {
      case BOOL -> "b";
      case INT8 -> "c";
      case INT16 -> "s";
      case INT32, DICTIONARY_UTF8 -> "i";
      case INT64 -> "l";
      case FLOAT32 -> "f";
      case FLOAT64 -> "g";
      case DECIMAL -> "d:" + t.precision() + "," + t.scale();
      case DATE32 -> "tdD";
      case TIMESTAMP -> "tsu:";
      case UTF8 -> "u";
    };
  }

  /** The values column of a dictionary batch. */
  static ArrowColumn dictionaryValues() {
    return new ArrowColumn(
        "dictionary", true, DataType.UTF8, Physical.UTF8, 0, true, (short) 0, -1, 0);
  }

  Field field() {
    return new Field(name, type, nullable);
  }

  boolean dictionary() {
    return dictionaryId >= 0;
  }

  /** Buffers the column has in a record batch (validity first). */
  int bufferCount() {
    if (dictionary()) {
      return 2;
    }
    return physical == Physical.UTF8 || physical == Physical.LARGE_UTF8 ? 3 : 2;
  }

  /** True when the Arrow buffers are the engine's storage layout as they are. */
  boolean inPlace() {
    if (dictionary()) {
      return indexWidth == 4;
    }
    return switch (physical) {
      case BOOL, FLOAT, DATE_DAY, UTF8 -> true;
      case INT -> signed;
      case DECIMAL -> width == 8;
      case TIMESTAMP -> unit == TimeUnit.MICROSECOND;
      case DATE_MILLI, LARGE_UTF8 -> false;
    };
  }

  /** Why the buffers need converting (for the load's notes). */
  String conversion() {
    if (dictionary()) {
      return "dictionary indices of " + (8 * indexWidth) + " bits to int32";
    }
    return switch (physical) {
      case INT -> "uint" + (8 * width) + " to " + type;
      case DECIMAL -> "decimal" + (8 * width) + " to the engine's int64 decimal";
      case TIMESTAMP -> "timestamp[" + TimeUnit.name(unit) + "] to microseconds";
      case DATE_MILLI -> "date64 to date32";
      case LARGE_UTF8 -> "large_utf8 (int64 offsets) to utf8";
      default -> "none";
    };
  }

  /**
   * Reads a field of the schema.
   *
   * @throws ArrowFormatException naming the column when its type is not one the engine holds
   */
  static ArrowColumn of(org.apache.arrow.flatbuf.Field f, String source, long offset) {
    return of(f, source, offset, false);
  }

  /**
   * Reads a field; with {@code indexTyped}, a dictionary field's type is its index type (as Arrow
   * Java's in-memory schemas have it) and the caller checks that the dictionary holds utf8.
   */
  static ArrowColumn of(
      org.apache.arrow.flatbuf.Field f, String source, long offset, boolean indexTyped) {
    String name = f.name();
    if (name == null || name.isBlank()) {
      throw ArrowFormatException.at(source, offset, "a column has no name");
    }
    if (f.childrenLength() != 0) {
      throw unsupported(source, offset, name, "nested type " + typeName(f.typeType()));
    }
    DictionaryEncoding de = f.dictionary();
    byte tt = f.typeType();
    if (de != null) {
      if (tt != Type.Utf8 && !(indexTyped && tt == Type.Int)) {
        throw unsupported(
            source, offset, name, "dictionary of " + typeName(tt) + " (only utf8 dictionaries)");
      }
      Int it = de.indexType();
      int bits = it == null ? 32 : it.bitWidth();
      boolean signed = it == null || it.isSigned();
      if ((bits != 8 && bits != 16 && bits != 32 && bits != 64) || (!signed && bits == 64)) {
        throw unsupported(source, offset, name, "dictionary index type int" + bits);
      }
      if (de.id() < 0) {
        throw ArrowFormatException.at(
            source, offset, "column '" + name + "' has dictionary id " + de.id());
      }
      return new ArrowColumn(
          name,
          f.nullable(),
          DataType.DICTIONARY_UTF8,
          Physical.UTF8,
          0,
          signed,
          (short) 0,
          de.id(),
          bits / 8);
    }
    return switch (tt) {
      case Type.Bool ->
          new ArrowColumn(
              name, f.nullable(), DataType.BOOL, Physical.BOOL, 0, true, (short) 0, -1, 0);
      case Type.Int -> {
        Int t = (Int) f.type(new Int());
        if (t == null) {
          throw ArrowFormatException.at(source, offset, "column '" + name + "': Int type missing");
        }
        int bits = t.bitWidth();
        boolean signed = t.isSigned();
        DataType dt =
            switch (bits) {
              case 8 -> signed ? DataType.INT8 : DataType.INT16;
              case 16 -> signed ? DataType.INT16 : DataType.INT32;
              case 32 -> signed ? DataType.INT32 : DataType.INT64;
              case 64 -> signed ? DataType.INT64 : null;
              default -> null;
            };
        if (dt == null) {
          throw unsupported(source, offset, name, (signed ? "int" : "uint") + bits);
        }
        yield new ArrowColumn(
            name, f.nullable(), dt, Physical.INT, bits / 8, signed, (short) 0, -1, 0);
      }
      case Type.FloatingPoint -> {
        FloatingPoint t = (FloatingPoint) f.type(new FloatingPoint());
        short p = t == null ? -1 : t.precision();
        if (p == Precision.SINGLE) {
          yield new ArrowColumn(
              name, f.nullable(), DataType.FLOAT32, Physical.FLOAT, 4, true, (short) 0, -1, 0);
        }
        if (p == Precision.DOUBLE) {
          yield new ArrowColumn(
              name, f.nullable(), DataType.FLOAT64, Physical.FLOAT, 8, true, (short) 0, -1, 0);
        }
        throw unsupported(source, offset, name, "float16");
      }
      case Type.Decimal -> {
        Decimal t = (Decimal) f.type(new Decimal());
        if (t == null) {
          throw ArrowFormatException.at(source, offset, "column '" + name + "': Decimal missing");
        }
        int bits = t.bitWidth();
        if (bits != 64 && bits != 128) {
          throw unsupported(source, offset, name, "decimal" + bits);
        }
        if (t.precision() < 1 || t.precision() > DataType.MAX_DECIMAL_PRECISION) {
          throw unsupported(
              source,
              offset,
              name,
              "decimal("
                  + t.precision()
                  + ","
                  + t.scale()
                  + "): engine decimals hold 1.."
                  + DataType.MAX_DECIMAL_PRECISION
                  + " digits");
        }
        if (t.scale() < 0 || t.scale() > t.precision()) {
          throw unsupported(
              source, offset, name, "decimal(" + t.precision() + "," + t.scale() + ") scale");
        }
        yield new ArrowColumn(
            name,
            f.nullable(),
            DataType.decimal(t.precision(), t.scale()),
            Physical.DECIMAL,
            bits / 8,
            true,
            (short) 0,
            -1,
            0);
      }
      case Type.Date -> {
        org.apache.arrow.flatbuf.Date t =
            (org.apache.arrow.flatbuf.Date) f.type(new org.apache.arrow.flatbuf.Date());
        boolean day = t == null || t.unit() == DateUnit.DAY;
        yield new ArrowColumn(
            name,
            f.nullable(),
            DataType.DATE32,
            day ? Physical.DATE_DAY : Physical.DATE_MILLI,
            day ? 4 : 8,
            true,
            (short) 0,
            -1,
            0);
      }
      case Type.Timestamp -> {
        Timestamp t = (Timestamp) f.type(new Timestamp());
        short unit = t == null ? TimeUnit.MICROSECOND : t.unit();
        if (unit < TimeUnit.SECOND || unit > TimeUnit.NANOSECOND) {
          throw ArrowFormatException.at(
              source, offset, "column '" + name + "': timestamp unit " + unit);
        }
        yield new ArrowColumn(
            name, f.nullable(), DataType.TIMESTAMP, Physical.TIMESTAMP, 8, true, unit, -1, 0);
      }
      case Type.Utf8 ->
          new ArrowColumn(
              name, f.nullable(), DataType.UTF8, Physical.UTF8, 0, true, (short) 0, -1, 0);
      case Type.LargeUtf8 ->
          new ArrowColumn(
              name, f.nullable(), DataType.UTF8, Physical.LARGE_UTF8, 0, true, (short) 0, -1, 0);
      default -> throw unsupported(source, offset, name, typeName(tt));
    };
  }

  private static String typeName(byte tt) {
    try {
      return Type.name(tt);
    } catch (ArrayIndexOutOfBoundsException e) {
      return "type #" + tt;
    }
  }

  private static ArrowFormatException unsupported(
      String source, long offset, String column, String what) {
    return ArrowFormatException.at(
        source,
        offset,
        "column '"
            + column
            + "' has unsupported type "
            + what
            + " (supported: bool, int8..int64, uint8..uint32, float32/64, decimal(p<=18,s),"
            + " date32/date64, timestamp, utf8, large_utf8, dictionary<utf8>)");
  }

  /** Reads the schema's columns. */
  static java.util.List<ArrowColumn> schema(
      org.apache.arrow.flatbuf.Schema s, String source, long offset) {
    return schema(s, source, offset, false);
  }

  static java.util.List<ArrowColumn> schema(
      org.apache.arrow.flatbuf.Schema s, String source, long offset, boolean indexTyped) {
    if (s.endianness() != 0) {
      throw ArrowFormatException.at(source, offset, "big-endian data is not supported");
    }
    int n = s.fieldsLength();
    ByteBuffer bb = s.getByteBuffer();
    if (n <= 0 || n > bb.capacity() / 4) {
      throw ArrowFormatException.at(
          source, offset, "schema has " + n + " columns" + (n <= 0 ? "; need at least one" : ""));
    }
    java.util.List<ArrowColumn> out = new java.util.ArrayList<>(n);
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      org.apache.arrow.flatbuf.Field f = s.fields(i);
      if (f == null) {
        throw ArrowFormatException.at(source, offset, "schema field " + i + " is missing");
      }
      ArrowColumn c = of(f, source, offset, indexTyped);
      if (!names.add(c.name)) {
        throw ArrowFormatException.at(source, offset, "duplicate column name '" + c.name + "'");
      }
      out.add(c);
    }
    return out;
  }
}
