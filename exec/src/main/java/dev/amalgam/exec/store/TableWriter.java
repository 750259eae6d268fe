package dev.amalgam.exec.store;

import dev.amalgam.exec.ColumnValues;
import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Placement;
import dev.amalgam.exec.Schema;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.memory.AccessMode;
import dev.amalgam.memory.Advice;
import dev.amalgam.memory.Device;
import dev.amalgam.memory.Pin;
import dev.amalgam.memory.Region;
import dev.amalgam.memory.UnifiedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link TableData}: rows are appended into heap accumulators, and each full row group is
 * written into regions of unified memory on the member its placement chooses, so the heap holds at
 * most one row group per partition.
 *
 * <p>Not thread-safe. If building fails or is abandoned, {@link #close()} frees what was written.
 */
public final class TableWriter implements AutoCloseable {
  /** Tables of one row group up to this size are replicated by {@link Placement#auto()}. */
  public static final long AUTO_REPLICATE_BYTES = 16L << 20;

  private final UnifiedMemory memory;
  private final String name;
  private final Schema schema;
  private final Placement placement;
  private final List<Device> members;
  private final int morselRows;
  private final int rowGroupRows;
  private final int hashColumn;
  private final ColumnAccumulator[][] partitions;
  private final List<@Nullable Map<String, Integer>> dictIndex = new ArrayList<>();
  private final List<List<byte[]>> dictValues = new ArrayList<>();
  private final List<RowGroup> rowGroups = new ArrayList<>();
  private final String consumer;
  private long rowsAppended;
  private int nextDevice;
  private boolean finished;
  private boolean closed;

  /**
   * A writer.
   *
   * @param rowGroupRows rows per row group; rounded up to a multiple of the morsel size
   */
  public TableWriter(
      UnifiedMemory memory,
      String name,
      Schema schema,
      Placement placement,
      List<Device> members,
      int rowGroupRows) {
    this.memory = Objects.requireNonNull(memory, "memory is null");
    this.name = Objects.requireNonNull(name, "name is null");
    this.schema = Objects.requireNonNull(schema, "schema is null");
    this.placement = Objects.requireNonNull(placement, "placement is null");
    this.members = List.copyOf(members);
    if (members.isEmpty()) {
      throw new IllegalArgumentException("no member devices to place table '" + name + "' on");
    }
    if (schema.size() == 0) {
      throw new IllegalArgumentException("table '" + name + "' has no columns");
    }
    this.morselRows = morselRows(memory.pageSize());
    if (rowGroupRows <= 0) {
      throw new IllegalArgumentException("rowGroupRows must be positive; was " + rowGroupRows);
    }
    long rounded = ((long) rowGroupRows + morselRows - 1) / morselRows * morselRows;
    this.rowGroupRows = (int) Math.min(rounded, 1 << 30);
    this.consumer = "table " + name;
    if (placement instanceof Placement.Hash h) {
      hashColumn = schema.indexOf(h.column());
    } else {
      hashColumn = -1;
    }
    if (placement instanceof Placement.Pinned p) {
      device(p.device());
    }
    int parts = hashColumn >= 0 ? this.members.size() : 1;
    partitions = new ColumnAccumulator[parts][];
    for (int p = 0; p < parts; p++) {
      partitions[p] = new ColumnAccumulator[schema.size()];
      for (int c = 0; c < schema.size(); c++) {
        DataType t = schema.field(c).type();
        partitions[p][c] =
            new ColumnAccumulator(t.kind() == DataType.Kind.DICTIONARY_UTF8 ? DataType.INT32 : t);
      }
    }
    for (int c = 0; c < schema.size(); c++) {
      boolean dict = schema.field(c).type().kind() == DataType.Kind.DICTIONARY_UTF8;
      dictIndex.add(dict ? new HashMap<>() : null);
      dictValues.add(new ArrayList<>());
    }
  }

  /**
   * Rows per morsel for a page size: the largest power of two up to 64Ki whose int64s fit a page.
   */
  public static int morselRows(long pageSize) {
    long rows = Math.min(65536, pageSize / 8);
    if (rows < 64) {
      throw new IllegalArgumentException(
          "page size " + pageSize + " is too small for tables; need at least 512 bytes");
    }
    return (int) Long.highestOneBit(rows);
  }

  private Device device(String deviceName) {
    for (Device d : memory.devices()) {
      if (d.name().equals(deviceName)) {
        return d;
      }
    }
    List<String> names = new ArrayList<>();
    for (Device d : memory.devices()) {
      names.add(d.name());
    }
    throw new IllegalArgumentException(
        "table '" + name + "': no device '" + deviceName + "' (devices: " + names + ")");
  }

  /** Rows appended so far. */
  public long rowCount() {
    return rowsAppended;
  }

  /**
   * Appends a row of Java values (one per column, null for SQL NULL).
   *
   * @throws IllegalArgumentException naming the column, row and value when a value does not fit the
   *     column's type; the row is then not added
   */
  public void appendRow(@Nullable Object... values) {
    checkOpen();
    if (values.length != schema.size()) {
      throw new IllegalArgumentException(
          "table '"
              + name
              + "' row "
              + rowsAppended
              + ": "
              + values.length
              + " values for "
              + schema.size()
              + " columns "
              + schema.names());
    }
    long[] ls = new long[values.length];
    double[] ds = new double[values.length];
    byte[][] bs = new byte[values.length][];
    for (int c = 0; c < values.length; c++) {
      Object v = values[c];
      Field f = schema.field(c);
      if (v == null) {
        if (!f.nullable()) {
          throw new IllegalArgumentException(
              "table '"
                  + name
                  + "' row "
                  + rowsAppended
                  + ": column '"
                  + f.name()
                  + "' is not null");
        }
        continue;
      }
      try {
        convert(f, v, c, ls, ds, bs);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "table '"
                + name
                + "' row "
                + rowsAppended
                + ": column '"
                + f.name()
                + "' ("
                + f.type()
                + ") cannot hold "
                + describe(v)
                + (e.getMessage() == null ? "" : ": " + e.getMessage()),
            e);
      }
    }
    int p = hashColumn < 0 ? 0 : partition(values[hashColumn]);
    ColumnAccumulator[] acc = partitions[p];
    for (int c = 0; c < values.length; c++) {
      ColumnAccumulator a = acc[c];
      if (values[c] == null) {
        a.appendNull();
      } else {
        switch (a.type.kind()) {
          case FLOAT32, FLOAT64 -> a.appendDouble(ds[c]);
          case UTF8 -> a.appendBytes(Objects.requireNonNull(bs[c]));
          default -> a.appendLong(ls[c]);
        }
      }
    }
    rowsAppended++;
    if (acc[0].size >= rowGroupRows) {
      flush(p);
    }
  }

  /**
   * Appends {@code columns[0].size()} rows column by column, without boxing (see {@link
   * ColumnValues}); rows go into the current row group and full row groups are written as usual.
   *
   * @throws IllegalArgumentException naming the column (and row) when the count, sizes or shapes do
   *     not match the schema, a value does not fit its column or a not-null column holds a null;
   *     nothing of the batch is then added
   */
  public void appendColumns(ColumnValues... columns) {
    checkOpen();
    if (columns.length != schema.size()) {
      throw new IllegalArgumentException(
          "table '"
              + name
              + "': "
              + columns.length
              + " columns given for "
              + schema.size()
              + " "
              + schema.names());
    }
    int rows = columns.length == 0 ? 0 : columns[0].size();
    for (int c = 0; c < columns.length; c++) {
      checkBatchColumn(c, columns[c], rows);
    }
    if (rows == 0) {
      return;
    }
    if (hashColumn >= 0) {
      appendHashed(columns, rows);
      return;
    }
    int done = 0;
    while (done < rows) {
      ColumnAccumulator[] acc = partitions[0];
      int n = Math.min(rows - done, rowGroupRows - acc[0].size);
      for (int c = 0; c < columns.length; c++) {
        appendRange(c, columns[c], acc[c], done, n);
      }
      done += n;
      rowsAppended += n;
      if (acc[0].size >= rowGroupRows) {
        flush(0);
      }
    }
  }

  /**
   * Ends the current row group (or, with hash placement, each partition's) here, even when it holds
   * fewer than {@code rowGroupRows} rows, so that the next rows start a new one. Does nothing when
   * no row is pending.
   */
  public void flushRowGroup() {
    checkOpen();
    for (int p = 0; p < partitions.length; p++) {
      flush(p);
    }
  }

  private void checkBatchColumn(int c, ColumnValues v, int rows) {
    Field f = schema.field(c);
    String where = "table '" + name + "' column '" + f.name() + "' (" + f.type() + ")";
    if (v.size() != rows) {
      throw new IllegalArgumentException(
          where + ": " + v.size() + " values, column '" + schema.field(0).name() + "' has " + rows);
    }
    ColumnValues.Shape want = ColumnValues.shapeOf(f.type());
    if (v.shape() != want) {
      throw new IllegalArgumentException(
          where + ": expected " + want + " values, got " + v.shape());
    }
    long[] nulls = v.nulls();
    if (nulls != null && !f.nullable()) {
      for (int r = 0; r < rows; r++) {
        if (v.isNull(r)) {
          throw new IllegalArgumentException(
              where + " row " + (rowsAppended + r) + ": column is not null");
        }
      }
    }
    long min;
    long max;
    switch (f.type().kind()) {
      case BOOL -> {
        min = 0;
        max = 1;
      }
      case INT8 -> {
        min = Byte.MIN_VALUE;
        max = Byte.MAX_VALUE;
      }
      case INT16 -> {
        min = Short.MIN_VALUE;
        max = Short.MAX_VALUE;
      }
      case INT32, DATE32 -> {
        min = Integer.MIN_VALUE;
        max = Integer.MAX_VALUE;
      }
      case DECIMAL -> {
        max = POW10[f.type().precision()] - 1;
        min = -max;
      }
      default -> {
        return;
      }
    }
    long[] vs = v.longs();
    for (int r = 0; r < rows; r++) {
      long x = vs[r];
      if ((x < min || x > max) && !v.isNull(r)) {
        throw new IllegalArgumentException(
            where
                + " row "
                + (rowsAppended + r)
                + ": "
                + x
                + " out of range ["
                + min
                + ", "
                + max
                + "]");
      }
    }
  }

  private static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  private void appendRange(int c, ColumnValues v, ColumnAccumulator a, int from, int n) {
    int base = a.size;
    DataType t = schema.field(c).type();
    switch (t.kind()) {
      case FLOAT32, FLOAT64 -> a.appendDoubles(v.doubles(), from, n);
      case UTF8 -> a.appendUtf8(v.offsets(), v.data(), from, n);
      case DICTIONARY_UTF8 -> {
        a.ensureRoom(n);
        for (int r = from; r < from + n; r++) {
          a.appendLong(v.isNull(r) ? 0 : dictionaryId(c, v, r));
        }
      }
      default -> a.appendLongs(v.longs(), from, n);
    }
    if (v.nulls() != null) {
      for (int r = 0; r < n; r++) {
        if (v.isNull(from + r)) {
          a.markNull(base + r);
        }
      }
    }
  }

  private int dictionaryId(int c, ColumnValues v, int r) {
    int[] o = v.offsets();
    String s = new String(v.data(), o[r], o[r + 1] - o[r], StandardCharsets.UTF_8);
    Map<String, Integer> index = Objects.requireNonNull(dictIndex.get(c));
    Integer id = index.get(s);
    if (id == null) {
      id = index.size();
      index.put(s, id);
      dictValues.get(c).add(s.getBytes(StandardCharsets.UTF_8));
    }
    return id;
  }

  private void appendHashed(ColumnValues[] columns, int rows) {
    ColumnValues key = columns[hashColumn];
    DataType keyType = schema.field(hashColumn).type();
    for (int r = 0; r < rows; r++) {
      Object k;
      if (key.isNull(r)) {
        k = null;
      } else {
        int[] o = key.shape() == ColumnValues.Shape.UTF8 ? key.offsets() : null;
        k =
            switch (key.shape()) {
              case LONGS ->
                  keyType.kind() == DataType.Kind.BOOL ? key.longs()[r] != 0 : key.longs()[r];
              case DOUBLES -> key.doubles()[r];
              case UTF8 ->
                  new String(
                      key.data(),
                      Objects.requireNonNull(o)[r],
                      o[r + 1] - o[r],
                      StandardCharsets.UTF_8);
            };
      }
      int p = partition(k);
      ColumnAccumulator[] acc = partitions[p];
      for (int c = 0; c < columns.length; c++) {
        appendRange(c, columns[c], acc[c], r, 1);
      }
      rowsAppended++;
      if (acc[0].size >= rowGroupRows) {
        flush(p);
      }
    }
  }

  private static String describe(Object v) {
    return "'" + v + "' (" + v.getClass().getSimpleName() + ")";
  }

  private int partition(@Nullable Object key) {
    if (key == null) {
      return 0;
    }
    long h =
        switch (key) {
          case Number n when !(key instanceof Double || key instanceof Float) -> n.longValue();
          default -> key.hashCode();
        };
    h *= 0x9E3779B97F4A7C15L;
    h ^= h >>> 29;
    return (int) Math.floorMod(h, (long) members.size());
  }

  private void convert(Field f, Object v, int c, long[] ls, double[] ds, byte[][] bs) {
    DataType t = f.type();
    switch (t.kind()) {
      case BOOL -> ls[c] = ((Boolean) v) ? 1 : 0;
      case INT8 -> ls[c] = rangeChecked(v, Byte.MIN_VALUE, Byte.MAX_VALUE);
      case INT16 -> ls[c] = rangeChecked(v, Short.MIN_VALUE, Short.MAX_VALUE);
      case INT32 -> ls[c] = rangeChecked(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case INT64 -> ls[c] = integral(v);
      case FLOAT32, FLOAT64 -> ds[c] = ((Number) v).doubleValue();
      case DECIMAL -> ls[c] = unscaled(v, t);
      case DATE32 ->
          ls[c] =
              switch (v) {
                case LocalDate d -> Math.toIntExact(d.toEpochDay());
                case String s -> Math.toIntExact(LocalDate.parse(s).toEpochDay());
                case Integer i -> i;
                default -> throw new IllegalArgumentException("expected a LocalDate");
              };
      case TIMESTAMP ->
          ls[c] =
              switch (v) {
                case Instant i -> ChronoUnit.MICROS.between(Instant.EPOCH, i);
                case LocalDateTime d ->
                    ChronoUnit.MICROS.between(Instant.EPOCH, d.toInstant(ZoneOffset.UTC));
                case Long l -> l;
                default -> throw new IllegalArgumentException("expected an Instant");
              };
      case UTF8 -> bs[c] = text(v).getBytes(StandardCharsets.UTF_8);
      case DICTIONARY_UTF8 -> {
        String s = text(v);
        Map<String, Integer> index = Objects.requireNonNull(dictIndex.get(c));
        Integer id = index.get(s);
        if (id == null) {
          id = index.size();
          index.put(s, id);
          dictValues.get(c).add(s.getBytes(StandardCharsets.UTF_8));
        }
        ls[c] = id;
      }
    }
  }

  private static String text(Object v) {
    if (v instanceof CharSequence s) {
      return s.toString();
    }
    throw new IllegalArgumentException("expected a String");
  }

  private static long integral(Object v) {
    return switch (v) {
      case Long l -> l;
      case Integer i -> i;
      case Short s -> s;
      case Byte b -> b;
      case BigDecimal d -> d.longValueExact();
      case java.math.BigInteger b -> b.longValueExact();
      default -> throw new IllegalArgumentException("expected an integer");
    };
  }

  private static long rangeChecked(Object v, long min, long max) {
    long x = integral(v);
    if (x < min || x > max) {
      throw new IllegalArgumentException("out of range [" + min + ", " + max + "]");
    }
    return x;
  }

  private static long unscaled(Object v, DataType t) {
    BigDecimal d =
        switch (v) {
          case BigDecimal b -> b;
          case Double x -> BigDecimal.valueOf(x);
          case Float x -> BigDecimal.valueOf(x);
          case Number n -> BigDecimal.valueOf(n.longValue());
          case String s -> new BigDecimal(s);
          default -> throw new IllegalArgumentException("expected a BigDecimal");
        };
    BigDecimal scaled = d.setScale(t.scale(), RoundingMode.HALF_UP);
    if (scaled.precision() - scaled.scale() > t.precision() - t.scale()) {
      throw new IllegalArgumentException("more than " + t.precision() + " digits");
    }
    return scaled.unscaledValue().longValueExact();
  }

  private void checkOpen() {
    if (finished || closed) {
      throw new IllegalStateException("table '" + name + "' is already built or closed");
    }
  }

  private Device nextHome(int partition) {
    return switch (placement) {
      case Placement.Pinned p -> device(p.device());
      case Placement.Hash h -> members.get(partition);
      case Placement.Replicated r -> members.get(0);
      default -> members.get(nextDevice++ % members.size());
    };
  }

  private void flush(int partition) {
    ColumnAccumulator[] acc = partitions[partition];
    int rows = acc[0].size;
    if (rows == 0) {
      return;
    }
    Device home = nextHome(partition);
    List<ColumnChunk> chunks = new ArrayList<>();
    try {
      for (int c = 0; c < acc.length; c++) {
        chunks.add(writeChunk(acc[c], schema.field(c).type(), home));
      }
    } catch (RuntimeException e) {
      for (ColumnChunk c : chunks) {
        c.close();
      }
      throw e;
    }
    rowGroups.add(new RowGroup(rowGroups.size(), rows, chunks, List.of(home)));
    for (ColumnAccumulator a : acc) {
      a.reset();
    }
  }

  private ColumnChunk writeChunk(ColumnAccumulator a, DataType storageType, Device home) {
    int rows = a.size;
    DataType t = storageType;
    ChunkStats stats = stats(a);
    Region values = null;
    Region validity = null;
    Region data = null;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf;
      switch (t.kind()) {
        case BOOL -> {
          buf = arena.allocate(ArrowLayout.paddedBitmapBytes(rows), 64);
          for (int i = 0; i < rows; i++) {
            if (a.longs[i] != 0) {
              setBit(buf, i);
            }
          }
        }
        case UTF8 -> {
          buf = arena.allocate(4L * (rows + 1), 64);
          MemorySegment.copy(a.offsets, 0, buf, ArrowLayout.INT32, 0, rows + 1);
          MemorySegment d = arena.allocate(Math.max(1, a.dataBytes), 64);
          MemorySegment.copy(a.data, 0, d, ValueLayout.JAVA_BYTE, 0, (int) a.dataBytes);
          data = memory.allocate(d.byteSize(), consumer);
          write(data, home, d);
        }
        case FLOAT32 -> {
          buf = arena.allocate(4L * Math.max(1, rows), 64);
          for (int i = 0; i < rows; i++) {
            buf.setAtIndex(ArrowLayout.FLOAT32, i, (float) a.doubles[i]);
          }
        }
        case FLOAT64 -> {
          buf = arena.allocate(8L * Math.max(1, rows), 64);
          MemorySegment.copy(a.doubles, 0, buf, ArrowLayout.FLOAT64, 0, rows);
        }
        case INT8 -> {
          buf = arena.allocate(Math.max(1, rows), 64);
          for (int i = 0; i < rows; i++) {
            buf.set(ValueLayout.JAVA_BYTE, i, (byte) a.longs[i]);
          }
        }
        case INT16 -> {
          buf = arena.allocate(2L * Math.max(1, rows), 64);
          for (int i = 0; i < rows; i++) {
            buf.setAtIndex(ArrowLayout.INT16, i, (short) a.longs[i]);
          }
        }
        case INT32, DATE32, DICTIONARY_UTF8 -> {
          buf = arena.allocate(4L * Math.max(1, rows), 64);
          for (int i = 0; i < rows; i++) {
            buf.setAtIndex(ArrowLayout.INT32, i, (int) a.longs[i]);
          }
        }
        case INT64, DECIMAL, TIMESTAMP -> {
          buf = arena.allocate(8L * Math.max(1, rows), 64);
          MemorySegment.copy(a.longs, 0, buf, ArrowLayout.INT64, 0, rows);
        }
        default -> throw new AssertionError(t);
      }
      values = memory.allocate(buf.byteSize(), consumer);
      write(values, home, buf);
      if (a.nulls > 0) {
        MemorySegment v = arena.allocate(ArrowLayout.paddedBitmapBytes(rows), 64);
        for (int i = 0; i < rows; i++) {
          if (!a.isNull(i)) {
            setBit(v, i);
          }
        }
        validity = memory.allocate(v.byteSize(), consumer);
        write(validity, home, v);
      }
      return new ColumnChunk(t, values, validity, data, stats);
    } catch (RuntimeException e) {
      closeAll(values, validity, data);
      throw e;
    }
  }

  private static void closeAll(@Nullable Region... regions) {
    for (Region r : regions) {
      if (r != null) {
        r.close();
      }
    }
  }

  private static void setBit(MemorySegment bitmap, int i) {
    long at = i >>> 3;
    bitmap.set(
        ValueLayout.JAVA_BYTE, at, (byte) (bitmap.get(ValueLayout.JAVA_BYTE, at) | (1 << (i & 7))));
  }

  private static ChunkStats stats(ColumnAccumulator a) {
    int rows = a.size;
    boolean ints =
        switch (a.type.kind()) {
          case INT8, INT16, INT32, INT64, DECIMAL, DATE32, TIMESTAMP -> true;
          default -> false;
        };
    boolean floats =
        a.type.kind() == DataType.Kind.FLOAT32 || a.type.kind() == DataType.Kind.FLOAT64;
    long minL = Long.MAX_VALUE;
    long maxL = Long.MIN_VALUE;
    double minD = Double.POSITIVE_INFINITY;
    double maxD = Double.NEGATIVE_INFINITY;
    boolean any = false;
    boolean nan = false;
    DistinctSketch distinct = ints ? new DistinctSketch() : null;
    if (ints || floats) {
      for (int i = 0; i < rows; i++) {
        if (a.nulls > 0 && a.isNull(i)) {
          continue;
        }
        any = true;
        if (distinct != null) {
          minL = Math.min(minL, a.longs[i]);
          maxL = Math.max(maxL, a.longs[i]);
          distinct.add(a.longs[i]);
        } else {
          double d = a.doubles[i];
          nan |= Double.isNaN(d);
          minD = Math.min(minD, d);
          maxD = Math.max(maxD, d);
        }
      }
    }
    return new ChunkStats(rows, a.nulls, any && !nan, minL, maxL, minD, maxD, distinct);
  }

  /** Copies {@code src} into {@code region} page by page through write pins on {@code device}. */
  static void write(Region region, Device device, MemorySegment src) {
    long page = region.memory().pageSize();
    for (long off = 0; off < src.byteSize(); off += page) {
      long len = Math.min(page, src.byteSize() - off);
      try (Pin pin = region.pin(off, len, device, AccessMode.WRITE)) {
        MemorySegment.copy(src, off, pin.segment(), 0, len);
      }
    }
  }

  /**
   * Writes the last row groups and the dictionaries, applies the placement, and hands the table
   * over; the writer is then empty.
   */
  public TableData finish() {
    checkOpen();
    for (int p = 0; p < partitions.length; p++) {
      flush(p);
    }
    List<@Nullable Dictionary> dictionaries = new ArrayList<>();
    try {
      for (int c = 0; c < schema.size(); c++) {
        dictionaries.add(dictIndex.get(c) == null ? null : writeDictionary(dictValues.get(c)));
      }
      String how = applyPlacement(dictionaries);
      finished = true;
      TableData t = new TableData(name, schema, rowGroups, dictionaries, morselRows, how);
      rowGroups.clear();
      return t;
    } catch (RuntimeException e) {
      for (Dictionary d : dictionaries) {
        if (d != null) {
          d.close();
        }
      }
      throw e;
    }
  }

  private Dictionary writeDictionary(List<byte[]> entries) {
    long bytes = 0;
    for (byte[] b : entries) {
      bytes += b.length;
    }
    Region offsets = null;
    Region data = null;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment o = arena.allocate(4L * (entries.size() + 1), 64);
      MemorySegment d = arena.allocate(Math.max(1, bytes), 64);
      long at = 0;
      for (int i = 0; i < entries.size(); i++) {
        byte[] b = entries.get(i);
        MemorySegment.copy(b, 0, d, ValueLayout.JAVA_BYTE, at, b.length);
        at += b.length;
        o.setAtIndex(ArrowLayout.INT32, i + 1L, Math.toIntExact(at));
      }
      Device home = members.get(0);
      offsets = memory.allocate(o.byteSize(), consumer + " dictionary");
      write(offsets, home, o);
      data = memory.allocate(d.byteSize(), consumer + " dictionary");
      write(data, home, d);
      offsets.advise(Advice.READ_MOSTLY, home);
      data.advise(Advice.READ_MOSTLY, home);
      return new Dictionary(entries.size(), offsets, data);
    } catch (RuntimeException e) {
      closeAll(offsets, data);
      throw e;
    }
  }

  private String applyPlacement(List<@Nullable Dictionary> dictionaries) {
    boolean replicate =
        placement instanceof Placement.Replicated
            || (placement instanceof Placement.Auto
                && rowGroups.size() <= 1
                && members.size() > 1
                && bytes() <= AUTO_REPLICATE_BYTES);
    if (!replicate) {
      // tables are immutable: a read elsewhere (a stolen morsel, a page fetched back after an
      // eviction) replicates instead of moving, so the lower tier's copy stays current and
      // evicting the replica again costs nothing
      for (RowGroup g : rowGroups) {
        for (ColumnChunk c : g.chunks()) {
          for (Region r : regionsOf(c)) {
            r.advise(Advice.READ_MOSTLY, g.homes().get(0));
          }
        }
      }
      return placement instanceof Placement.Auto ? "round-robin (auto)" : placement.toString();
    }
    List<CompletableFuture<Integer>> copies = new ArrayList<>();
    List<RowGroup> replicated = new ArrayList<>();
    for (RowGroup g : rowGroups) {
      for (ColumnChunk c : g.chunks()) {
        for (Region r : regionsOf(c)) {
          r.advise(Advice.READ_MOSTLY, members.get(0));
          for (Device m : members) {
            copies.add(r.prefetch(m));
          }
        }
      }
      replicated.add(new RowGroup(g.index(), g.rows(), g.chunks(), members));
    }
    for (Dictionary d : dictionaries) {
      if (d != null) {
        for (Device m : members) {
          copies.add(d.offsets().prefetch(m));
          copies.add(d.data().prefetch(m));
        }
      }
    }
    CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)).join();
    rowGroups.clear();
    rowGroups.addAll(replicated);
    return placement instanceof Placement.Auto ? "replicated (auto)" : "replicated";
  }

  private long bytes() {
    long b = 0;
    for (RowGroup g : rowGroups) {
      b += g.bytes();
    }
    return b;
  }

  private static List<Region> regionsOf(ColumnChunk c) {
    List<Region> out = new ArrayList<>();
    out.add(c.values());
    if (c.validity() != null) {
      out.add(c.validity());
    }
    if (c.data() != null) {
      out.add(c.data());
    }
    return out;
  }

  /** Frees every row group written so far when the table was not finished. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!finished) {
      for (RowGroup g : rowGroups) {
        g.close();
      }
      rowGroups.clear();
    }
  }
}
