package dev.amalgam.arrowio.parquet;

import dev.amalgam.exec.ColumnValues;
import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.TableBuilder;
import dev.hardwood.HardwoodContext;
import dev.hardwood.InputFile;
import dev.hardwood.metadata.ColumnChunk;
import dev.hardwood.metadata.FileMetaData;
import dev.hardwood.metadata.LogicalType;
import dev.hardwood.metadata.PhysicalType;
import dev.hardwood.metadata.RepetitionType;
import dev.hardwood.metadata.RowGroup;
import dev.hardwood.reader.ColumnReader;
import dev.hardwood.reader.ColumnReaders;
import dev.hardwood.reader.FilterPredicate;
import dev.hardwood.reader.ParquetFileReader;
import dev.hardwood.reader.RowGroupPredicate;
import dev.hardwood.reader.Validity;
import dev.hardwood.schema.ColumnProjection;
import dev.hardwood.schema.ColumnSchema;
import dev.hardwood.schema.FileSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * A Parquet read, start to end.
 *
 * <pre>
 *  footer check (magic, length) ─▶ Hardwood footer parse ─▶ metadata check (every column chunk
 *  inside the file) ─▶ schema mapping ─▶ row groups chosen (asked for, statistics) ─▶ for each:
 *  Hardwood ColumnReaders over that row group's byte range (pages decoded on its threads)
 *  ─▶ batches converted to ColumnValues ─▶ TableBuilder.addBatch ─▶ endRowGroup
 * </pre>
 *
 * Whatever Hardwood throws on a damaged file (it parses untrusted bytes) becomes a {@link
 * ParquetFormatException} naming the row group, column and byte range being read; the builder is
 * closed so that nothing stays behind.
 */
final class ParquetReader {
  private static final byte[] MAGIC = {'P', 'A', 'R', '1'};

  /** Hardwood reports its codec and SIMD choices at INFO; keep that out of users' consoles. */
  private static final Logger HARDWOOD_LOG = Logger.getLogger("dev.hardwood");

  static {
    if (HARDWOOD_LOG.getLevel() == null) {
      HARDWOOD_LOG.setLevel(Level.WARNING);
    }
  }

  private ParquetReader() {}

  /** How a Parquet column becomes an engine column. */
  private record Mapping(ColumnSchema source, Field field, Conversion conversion) {}

  private enum Conversion {
    BOOL,
    INT32,
    UINT32,
    INT64,
    TIMESTAMP_MILLIS,
    TIMESTAMP_NANOS,
    INT96,
    FLOAT,
    DOUBLE,
    UTF8,
    DECIMAL_BINARY,
    WIDE_DECIMAL_TO_DOUBLE,
    UUID
  }

  static ParquetLoad read(Engine engine, Path file, String name, ParquetOptions o) {
    Objects.requireNonNull(engine, "engine is null");
    Objects.requireNonNull(file, "file is null");
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(o, "options is null");
    if (engine.hasTable(name)) {
      throw new IllegalArgumentException("table '" + name + "' already exists");
    }
    long t0 = System.nanoTime();
    String f = file.toString();
    long size = checkFooter(file, f);
    int threads = o.threads() > 0 ? o.threads() : Runtime.getRuntime().availableProcessors();
    try (HardwoodContext context = HardwoodContext.create(threads)) {
      ParquetFileReader reader;
      try {
        reader = ParquetFileReader.open(InputFile.of(file), context);
      } catch (IOException | RuntimeException e) {
        throw new ParquetFormatException(f, size - 8, null, "corrupted footer: " + describe(e), e);
      } catch (StackOverflowError e) {
        throw new ParquetFormatException(f, size - 8, null, "corrupted footer: nested too deep", e);
      }
      try (reader) {
        return load(engine, f, name, o, reader, size, t0);
      } catch (IOException e) {
        throw new ParquetFormatException(f, -1, null, "cannot read: " + describe(e), e);
      }
    }
  }

  /** The engine schema {@code file} loads as (every column), from its footer. */
  static Schema schema(Path file) {
    Objects.requireNonNull(file, "file is null");
    String f = file.toString();
    long size = checkFooter(file, f);
    try (HardwoodContext context = HardwoodContext.create(1)) {
      ParquetFileReader reader;
      try {
        reader = ParquetFileReader.open(InputFile.of(file), context);
      } catch (IOException | RuntimeException e) {
        throw new ParquetFormatException(f, size - 8, null, "corrupted footer: " + describe(e), e);
      } catch (StackOverflowError e) {
        throw new ParquetFormatException(f, size - 8, null, "corrupted footer: nested too deep", e);
      }
      try (reader) {
        List<Field> fields = new ArrayList<>();
        for (Mapping m :
            mappings(f, reader.getFileSchema(), ParquetOptions.defaults(), new ArrayList<>())) {
          fields.add(m.field());
        }
        return new Schema(fields);
      } catch (IOException e) {
        throw new ParquetFormatException(f, -1, null, "cannot read: " + describe(e), e);
      }
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** Checks magic bytes and the footer length; returns the file size. */
  private static long checkFooter(Path file, String f) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 12) {
        throw new ParquetFormatException(
            f, 0, null, "truncated: " + size + " bytes, a Parquet file has at least 12", null);
      }
      ByteBuffer head = ByteBuffer.allocate(4);
      readFully(ch, head, 0);
      ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, tail, size - 8);
      if (!magic(head.array(), 0)) {
        throw new ParquetFormatException(
            f,
            0,
            null,
            "not a Parquet file: bytes 0..3 are " + hex(head.array(), 0) + ", not PAR1",
            null);
      }
      if (!magic(tail.array(), 4)) {
        String what =
            tail.get(4) == 'P' && tail.get(5) == 'A' && tail.get(6) == 'R' && tail.get(7) == 'E'
                ? "encrypted footer (PARE) is not supported"
                : "truncated or not a Parquet file: the last 4 bytes (offset "
                    + (size - 4)
                    + ") are "
                    + hex(tail.array(), 4)
                    + ", not PAR1";
        throw new ParquetFormatException(f, size - 4, null, what, null);
      }
      long footer = Integer.toUnsignedLong(tail.getInt(0));
      if (footer == 0 || footer > size - 12) {
        throw new ParquetFormatException(
            f,
            size - 8,
            null,
            "corrupted footer length "
                + footer
                + " at offset "
                + (size - 8)
                + " (file of "
                + size
                + " bytes)",
            null);
      }
      return size;
    } catch (IOException e) {
      throw new ParquetFormatException(f, -1, null, "cannot read: " + describe(e), e);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    long p = at;
    while (b.hasRemaining()) {
      int n = ch.read(b, p);
      if (n < 0) {
        throw new IOException("unexpected end of file at " + p);
      }
      p += n;
    }
  }

  private static boolean magic(byte[] b, int at) {
    for (int i = 0; i < 4; i++) {
      if (b[at + i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  private static String hex(byte[] b, int at) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      sb.append(String.format("%02x", b[at + i] & 0xFF));
    }
    return sb.toString();
  }

  private static ParquetLoad load(
      Engine engine,
      String f,
      String name,
      ParquetOptions o,
      ParquetFileReader reader,
      long size,
      long t0)
      throws IOException {
    Plan plan;
    try {
      plan = plan(f, o, reader, size);
    } catch (ParquetFormatException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new ParquetFormatException(
          f, size - 8, null, "corrupted footer metadata: " + describe(e), e);
    }
    TableBuilder builder = engine.createTable(name, plan.schema());
    boolean done = false;
    try {
      builder.rowGroupRows((int) Math.min(plan.maxRows(), 1 << 30));
      for (int g : plan.read()) {
        readRowGroup(
            f,
            g,
            plan.groups().get(g),
            reader,
            plan.projected(),
            plan.mappings(),
            plan.exact(),
            builder);
      }
      long rows = builder.rowCount();
      Table t = builder.build();
      done = true;
      return new ParquetLoad(
          t,
          rows,
          plan.groups().size(),
          plan.read().size(),
          plan.skipped(),
          plan.schema(),
          plan.notes(),
          size,
          System.nanoTime() - t0);
    } finally {
      if (!done) {
        builder.close();
      }
    }
  }

  /** What to read, worked out from the footer before any page is touched. */
  private record Plan(
      List<RowGroup> groups,
      List<Mapping> mappings,
      Schema schema,
      String[] projected,
      List<Integer> read,
      int skipped,
      long maxRows,
      @Nullable FilterPredicate exact,
      List<String> notes) {}

  private static Plan plan(String f, ParquetOptions o, ParquetFileReader reader, long size) {
    FileMetaData md = reader.getFileMetaData();
    FileSchema fs = reader.getFileSchema();
    List<RowGroup> groups = md.rowGroups();
    long footerStart = size - 8 - 4; // conservative: chunks end before the footer length
    checkChunks(f, groups, footerStart);
    List<String> notes = new ArrayList<>();
    List<Mapping> mappings = mappings(f, fs, o, notes);
    List<Field> fields = new ArrayList<>();
    for (Mapping m : mappings) {
      fields.add(m.field());
    }
    Schema schema = new Schema(fields);
    List<ResolvedPredicate> preds = new ArrayList<>();
    for (ParquetPredicate p : o.filters()) {
      ColumnSchema cs = column(f, fs, p.column());
      preds.add(ResolvedPredicate.of(f, p, cs, mappingOf(f, fs, cs, new ArrayList<>()).field()));
    }

    List<Integer> chosen = new ArrayList<>();
    List<Integer> asked = o.rowGroups();
    if (asked != null) {
      for (int g : asked) {
        if (g < 0 || g >= groups.size()) {
          throw new ParquetFormatException(
              f, -1, null, "no row group " + g + "; the file has " + groups.size(), null);
        }
        if (!chosen.contains(g)) {
          chosen.add(g);
        }
      }
    } else {
      for (int g = 0; g < groups.size(); g++) {
        chosen.add(g);
      }
    }
    int skipped = 0;
    List<Integer> read = new ArrayList<>();
    for (int g : chosen) {
      boolean keep = true;
      for (ResolvedPredicate p : preds) {
        if (!p.mayMatch(groups.get(g), fs)) {
          keep = false;
          break;
        }
      }
      if (keep) {
        read.add(g);
      } else {
        skipped++;
      }
    }
    long maxRows = 1;
    for (int g : read) {
      maxRows = Math.max(maxRows, groups.get(g).numRows());
    }
    FilterPredicate exact = null;
    for (ResolvedPredicate p : preds) {
      FilterPredicate fp = p.exact();
      exact = exact == null ? fp : FilterPredicate.and(exact, fp);
    }
    String[] projected = new String[mappings.size()];
    for (int i = 0; i < projected.length; i++) {
      projected[i] = mappings.get(i).source().name();
    }

    return new Plan(groups, mappings, schema, projected, read, skipped, maxRows, exact, notes);
  }

  private static void checkChunks(String f, List<RowGroup> groups, long limit) {
    for (int g = 0; g < groups.size(); g++) {
      RowGroup rg = groups.get(g);
      if (rg.numRows() < 0 || rg.numRows() > Integer.MAX_VALUE) {
        throw new ParquetFormatException(
            f, -1, null, "row group " + g + " claims " + rg.numRows() + " rows", null);
      }
      if (rg.columns() == null || rg.columns().isEmpty()) {
        throw new ParquetFormatException(f, -1, null, "row group " + g + " has no columns", null);
      }
      for (ColumnChunk c : rg.columns()) {
        if (c == null || c.metaData() == null || c.metaData().pathInSchema() == null) {
          throw new ParquetFormatException(
              f, -1, null, "row group " + g + ": a column chunk has no metadata", null);
        }
        long start = c.chunkStartOffset();
        long len = c.metaData().totalCompressedSize();
        String col = c.metaData().pathInSchema().toString();
        if (start < 4 || len < 0 || start + len > limit || start + len < start) {
          throw new ParquetFormatException(
              f,
              start,
              col,
              "row group "
                  + g
                  + " column '"
                  + col
                  + "': chunk at bytes ["
                  + start
                  + ", "
                  + (start + len)
                  + ") lies outside the data area [4, "
                  + limit
                  + ")",
              null);
        }
      }
    }
  }

  private static ColumnSchema column(String f, FileSchema fs, String name) {
    for (ColumnSchema c : fs.getColumns()) {
      if (c.name().equals(name) && c.fieldPath().elements().size() == 1) {
        return c;
      }
    }
    List<String> names = new ArrayList<>();
    for (ColumnSchema c : fs.getColumns()) {
      names.add(c.fieldPath().toString());
    }
    throw new ParquetFormatException(
        f, -1, name, "no column '" + name + "'; columns are: " + String.join(", ", names), null);
  }

  private static List<Mapping> mappings(
      String f, FileSchema fs, ParquetOptions o, List<String> notes) {
    List<Mapping> out = new ArrayList<>();
    List<String> cols = o.columns();
    if (cols != null) {
      if (cols.isEmpty()) {
        throw new ParquetFormatException(f, -1, null, "no columns asked for", null);
      }
      for (String c : cols) {
        out.add(mappingOf(f, fs, column(f, fs, c), notes));
      }
    } else {
      for (ColumnSchema c : fs.getColumns()) {
        out.add(mappingOf(f, fs, c, notes));
      }
    }
    if (out.isEmpty()) {
      throw new ParquetFormatException(f, -1, null, "the file has no columns", null);
    }
    return out;
  }

  private static Mapping mappingOf(String f, FileSchema fs, ColumnSchema c, List<String> notes) {
    String name = c.fieldPath().toString();
    if (c.fieldPath().elements().size() != 1 || c.maxRepetitionLevel() > 0) {
      throw new ParquetFormatException(
          f,
          -1,
          name,
          "column '"
              + name
              + "' is nested (inside a group or repeated); only flat columns are supported"
              + " (choose others with columns(...))",
          null);
    }
    boolean nullable = c.repetitionType() != RepetitionType.REQUIRED;
    LogicalType lt = c.logicalType();
    PhysicalType pt = c.type();
    DataType t;
    Conversion conv;
    switch (pt) {
      case BOOLEAN -> {
        t = DataType.BOOL;
        conv = Conversion.BOOL;
      }
      case INT32 -> {
        conv = Conversion.INT32;
        t =
            switch (lt) {
              case LogicalType.IntType it when !it.isSigned() && it.bitWidth() == 32 -> {
                conv = Conversion.UINT32;
                yield DataType.INT64;
              }
              case LogicalType.IntType it when !it.isSigned() && it.bitWidth() == 16 ->
                  DataType.INT32;
              case LogicalType.IntType it when !it.isSigned() -> DataType.INT16;
              case LogicalType.IntType it when it.bitWidth() == 8 -> DataType.INT8;
              case LogicalType.IntType it when it.bitWidth() == 16 -> DataType.INT16;
              case LogicalType.DateType d -> DataType.DATE32;
              case LogicalType.DecimalType d -> decimal(f, name, d);
              case null -> DataType.INT32;
              case LogicalType.IntType it -> DataType.INT32;
              default -> throw unsupported(f, name, pt, lt);
            };
      }
      case INT64 -> {
        conv = Conversion.INT64;
        t =
            switch (lt) {
              case LogicalType.TimestampType ts -> {
                conv =
                    switch (ts.unit()) {
                      case MILLIS -> Conversion.TIMESTAMP_MILLIS;
                      case MICROS -> Conversion.INT64;
                      case NANOS -> Conversion.TIMESTAMP_NANOS;
                    };
                yield DataType.TIMESTAMP;
              }
              case LogicalType.DecimalType d -> decimal(f, name, d);
              case LogicalType.IntType it when !it.isSigned() -> {
                notes.add("column '" + name + "' is uint64; values above 2^63-1 are not supported");
                yield DataType.INT64;
              }
              case null -> DataType.INT64;
              case LogicalType.IntType it -> DataType.INT64;
              default -> throw unsupported(f, name, pt, lt);
            };
      }
      case INT96 -> {
        t = DataType.TIMESTAMP;
        conv = Conversion.INT96;
      }
      case FLOAT -> {
        t = DataType.FLOAT32;
        conv = Conversion.FLOAT;
      }
      case DOUBLE -> {
        t = DataType.FLOAT64;
        conv = Conversion.DOUBLE;
      }
      case BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY -> {
        switch (lt) {
          case LogicalType.DecimalType d when d.precision() <= DataType.MAX_DECIMAL_PRECISION -> {
            t = decimal(f, name, d);
            conv = Conversion.DECIMAL_BINARY;
          }
          case LogicalType.DecimalType d -> {
            t = DataType.FLOAT64;
            conv = Conversion.WIDE_DECIMAL_TO_DOUBLE;
            notes.add(
                "column '"
                    + name
                    + "' is decimal("
                    + d.precision()
                    + ","
                    + d.scale()
                    + "), wider than the engine's 18 digits: read as float64");
          }
          case LogicalType.UuidType u -> {
            t = DataType.UTF8;
            conv = Conversion.UUID;
          }
          case LogicalType.StringType s -> {
            t = DataType.UTF8;
            conv = Conversion.UTF8;
          }
          case LogicalType.EnumType e -> {
            t = DataType.UTF8;
            conv = Conversion.UTF8;
          }
          case LogicalType.JsonType j -> {
            t = DataType.UTF8;
            conv = Conversion.UTF8;
          }
          case null -> {
            if (pt == PhysicalType.FIXED_LEN_BYTE_ARRAY) {
              throw unsupported(f, name, pt, null);
            }
            t = DataType.UTF8;
            conv = Conversion.UTF8;
            notes.add("column '" + name + "' is binary without a string type: read as utf8");
          }
          default -> throw unsupported(f, name, pt, lt);
        }
      }
      default -> throw unsupported(f, name, pt, lt);
    }
    return new Mapping(c, new Field(name, t, nullable), conv);
  }

  private static DataType decimal(String f, String name, LogicalType.DecimalType d) {
    if (d.precision() > DataType.MAX_DECIMAL_PRECISION
        || d.scale() < 0
        || d.scale() > d.precision()) {
      throw new ParquetFormatException(
          f,
          -1,
          name,
          "column '" + name + "': decimal(" + d.precision() + "," + d.scale() + ") not supported",
          null);
    }
    return DataType.decimal(d.precision(), d.scale());
  }

  private static ParquetFormatException unsupported(
      String f, String name, PhysicalType pt, @Nullable LogicalType lt) {
    return new ParquetFormatException(
        f,
        -1,
        name,
        "column '"
            + name
            + "' has type "
            + pt
            + (lt == null ? "" : " (" + lt + ")")
            + ", which the engine cannot hold (choose other columns with columns(...))",
        null);
  }

  private static void readRowGroup(
      String f,
      int g,
      RowGroup rg,
      ParquetFileReader reader,
      String[] projected,
      List<Mapping> mappings,
      @Nullable FilterPredicate exact,
      TableBuilder builder) {
    long start = Long.MAX_VALUE;
    long end = 0;
    for (ColumnChunk c : rg.columns()) {
      start = Math.min(start, c.chunkStartOffset());
      end = Math.max(end, c.chunkStartOffset() + c.metaData().totalCompressedSize());
    }
    if (rg.numRows() == 0 || rg.columns().isEmpty()) {
      return;
    }
    String where = "row group " + g + " (bytes [" + start + ", " + end + "))";
    long rows = 0;
    int column = -1;
    try {
      ParquetFileReader.ColumnReadersBuilder b =
          reader
              .buildColumnReaders(ColumnProjection.columns(projected))
              .filter(RowGroupPredicate.byteRange(start, end));
      if (exact != null) {
        b.filter(exact);
      }
      try (ColumnReaders readers = b.build()) {
        while (readers.nextBatch()) {
          int n = readers.getRecordCount();
          ColumnValues[] values = new ColumnValues[mappings.size()];
          for (column = 0; column < values.length; column++) {
            values[column] =
                convert(readers.getColumnReader(projected[column]), mappings.get(column), n);
          }
          column = -1;
          builder.addBatch(values);
          rows += n;
        }
      }
    } catch (ParquetFormatException e) {
      throw e;
    } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
      String col = column >= 0 ? mappings.get(column).field().name() : null;
      throw new ParquetFormatException(
          f,
          start,
          col,
          where + (col == null ? "" : " column '" + col + "'") + ": cannot decode: " + describe(e),
          e);
    }
    if (exact == null && rows != rg.numRows()) {
      throw new ParquetFormatException(
          f,
          start,
          null,
          where + ": the footer says " + rg.numRows() + " rows but the pages hold " + rows,
          null);
    }
    builder.endRowGroup();
  }

  private static long @Nullable [] nulls(Validity v, int n) {
    if (!v.hasNulls()) {
      return null;
    }
    long[] out = new long[(n + 63) >>> 6];
    long[] present = v.words();
    for (int w = 0; w < out.length; w++) {
      long p = w < present.length ? present[w] : 0;
      out[w] = ~p;
    }
    int tail = n & 63;
    if (tail != 0) {
      out[out.length - 1] &= (1L << tail) - 1;
    }
    return out;
  }

  private static ColumnValues convert(ColumnReader r, Mapping m, int n) {
    long[] nulls = nulls(r.getLeafValidity(), n);
    switch (m.conversion()) {
      case BOOL -> {
        boolean[] v = r.getBooleans();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = v[i] ? 1 : 0;
        }
        return ColumnValues.ofLongs(out, n, nulls);
      }
      case INT32, UINT32 -> {
        int[] v = r.getInts();
        long[] out = new long[n];
        boolean unsigned = m.conversion() == Conversion.UINT32;
        for (int i = 0; i < n; i++) {
          out[i] = unsigned ? Integer.toUnsignedLong(v[i]) : v[i];
        }
        if (m.field().type().kind() == DataType.Kind.INT16
            && m.source().logicalType() instanceof LogicalType.IntType it
            && !it.isSigned()) {
          for (int i = 0; i < n; i++) {
            out[i] &= 0xFF;
          }
        } else if (m.field().type().kind() == DataType.Kind.INT32
            && m.source().logicalType() instanceof LogicalType.IntType it
            && !it.isSigned()) {
          for (int i = 0; i < n; i++) {
            out[i] &= 0xFFFF;
          }
        }
        return ColumnValues.ofLongs(out, n, nulls);
      }
      case INT64 -> {
        long[] v = r.getLongs();
        if (m.source().logicalType() instanceof LogicalType.IntType it && !it.isSigned()) {
          for (int i = 0; i < n; i++) {
            if (v[i] < 0 && (nulls == null || (nulls[i >>> 6] & (1L << i)) == 0)) {
              throw new IllegalStateException(
                  "uint64 value " + Long.toUnsignedString(v[i]) + " does not fit int64");
            }
          }
        }
        return ColumnValues.ofLongs(v, n, nulls);
      }
      case TIMESTAMP_MILLIS -> {
        long[] v = r.getLongs();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = v[i] * 1000;
        }
        return ColumnValues.ofLongs(out, n, nulls);
      }
      case TIMESTAMP_NANOS -> {
        long[] v = r.getLongs();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = Math.floorDiv(v[i], 1000);
        }
        return ColumnValues.ofLongs(out, n, nulls);
      }
      case FLOAT -> {
        float[] v = r.getFloats();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          out[i] = v[i];
        }
        return ColumnValues.ofDoubles(out, n, nulls);
      }
      case DOUBLE -> {
        return ColumnValues.ofDoubles(r.getDoubles(), n, nulls);
      }
      case UTF8 -> {
        return ColumnValues.ofUtf8(r.getBinaryOffsets(), r.getBinaryValues(), n, nulls);
      }
      default -> {
        return convertBinary(r, m, n, nulls);
      }
    }
  }

  private static ColumnValues convertBinary(
      ColumnReader r, Mapping m, int n, long @Nullable [] nulls) {
    int[] off = r.getBinaryOffsets();
    byte[] data = r.getBinaryValues();
    switch (m.conversion()) {
      case INT96 -> {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          if (isNull(nulls, i)) {
            continue;
          }
          int o = off[i];
          if (off[i + 1] - o != 12) {
            throw new IllegalStateException("INT96 value of " + (off[i + 1] - o) + " bytes");
          }
          long nanos = le(data, o, 8);
          long julian = le(data, o + 8, 4);
          out[i] = (julian - 2_440_588L) * 86_400_000_000L + Math.floorDiv(nanos, 1000);
        }
        return ColumnValues.ofLongs(out, n, nulls);
      }
      case DECIMAL_BINARY -> {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          if (!isNull(nulls, i)) {
            out[i] = bigEndian(data, off[i], off[i + 1] - off[i]);
          }
        }
        return ColumnValues.ofLongs(out, n, nulls);
      }
      case WIDE_DECIMAL_TO_DOUBLE -> {
        int scale =
            ((LogicalType.DecimalType) Objects.requireNonNull(m.source().logicalType())).scale();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          if (!isNull(nulls, i)) {
            byte[] b = java.util.Arrays.copyOfRange(data, off[i], off[i + 1]);
            out[i] =
                b.length == 0
                    ? 0
                    : new java.math.BigDecimal(new java.math.BigInteger(b), scale).doubleValue();
          }
        }
        return ColumnValues.ofDoubles(out, n, nulls);
      }
      case UUID -> {
        int[] o2 = new int[n + 1];
        byte[] text = new byte[n * 36];
        for (int i = 0; i < n; i++) {
          if (!isNull(nulls, i)) {
            if (off[i + 1] - off[i] != 16) {
              throw new IllegalStateException("UUID value of " + (off[i + 1] - off[i]) + " bytes");
            }
            java.util.UUID u =
                new java.util.UUID(bigEndian(data, off[i], 8), bigEndian(data, off[i] + 8, 8));
            byte[] s = u.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, text, o2[i], 36);
            o2[i + 1] = o2[i] + 36;
          } else {
            o2[i + 1] = o2[i];
          }
        }
        return ColumnValues.ofUtf8(o2, text, n, nulls);
      }
      default -> throw new AssertionError(m.conversion());
    }
  }

  private static boolean isNull(long @Nullable [] nulls, int i) {
    return nulls != null && (nulls[i >>> 6] & (1L << (i & 63))) != 0;
  }

  private static long le(byte[] b, int at, int n) {
    long v = 0;
    for (int i = n - 1; i >= 0; i--) {
      v = (v << 8) | (b[at + i] & 0xFF);
    }
    if (n < 8) {
      v = (v << (64 - 8 * n)) >> (64 - 8 * n);
    }
    return v;
  }

  /** A big-endian two's complement integer of up to 8 significant bytes. */
  static long bigEndian(byte[] b, int at, int n) {
    if (n == 0) {
      return 0;
    }
    int skip = 0;
    // leading sign-extension bytes beyond 8 must all repeat the sign
    while (n - skip > 8) {
      byte s = b[at + skip];
      if ((s != 0 && s != -1) || (b[at + skip + 1] >>> 7 & 1) != (s & 1)) {
        throw new IllegalStateException("decimal value wider than 64 bits");
      }
      skip++;
    }
    long v = b[at + skip]; // sign-extended
    for (int i = skip + 1; i < n; i++) {
      v = (v << 8) | (b[at + i] & 0xFF);
    }
    return v;
  }
}
