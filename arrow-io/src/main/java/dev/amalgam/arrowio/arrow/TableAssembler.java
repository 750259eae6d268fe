package dev.amalgam.arrowio.arrow;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.store.ChunkStats;
import dev.amalgam.exec.store.ColumnChunk;
import dev.amalgam.exec.store.Dictionary;
import dev.amalgam.exec.store.RowGroup;
import dev.amalgam.exec.store.TableData;
import dev.amalgam.exec.store.TableWriter;
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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Builds an engine table from decoded record batches. A batch whose buffers all lie in place in a
 * mapped source and that is at least a morsel long becomes a row group of mapped regions (no copy);
 * other batches are concatenated (copied) into row groups of {@link #targetRows} rows. Row groups
 * go round-robin over the fused device's members, as {@link TableWriter} places them. Not
 * thread-safe; closing it frees whatever was not handed to the engine.
 */
final class TableAssembler implements AutoCloseable {
  /** Wraps a segment that lies in place as a region (a mapping, a foreign buffer). */
  interface InPlace {
    Region wrap(MemorySegment segment, String consumer);
  }

  private final Engine engine;
  private final UnifiedMemory memory;
  private final String name;
  private final List<ArrowColumn> columns;
  private final @Nullable InPlace inPlace;
  private final boolean mapDictionaries;
  private final List<Device> members;
  private final int morselRows;
  private final int targetRows;
  private final String consumer;
  private final List<RowGroup> rowGroups = new ArrayList<>();
  private final ColumnBuilder[] pending;
  private final Set<String> notes = new LinkedHashSet<>();
  private long mappedBytes;
  private long copiedBytes;
  private int coalesced;
  private int next;
  private boolean done;

  TableAssembler(Engine engine, String name, List<ArrowColumn> columns, @Nullable InPlace inPlace) {
    this(engine, name, columns, inPlace, true);
  }

  /** With {@code mapDictionaries} false, dictionaries are always copied. */
  TableAssembler(
      Engine engine,
      String name,
      List<ArrowColumn> columns,
      @Nullable InPlace inPlace,
      boolean mapDictionaries) {
    this.mapDictionaries = mapDictionaries;
    this.engine = engine;
    this.memory = engine.memory();
    this.name = name;
    this.columns = List.copyOf(columns);
    this.inPlace = inPlace;
    this.members = engine.fusedDevice().members();
    this.morselRows = TableWriter.morselRows(memory.pageSize());
    this.targetRows = morselRows * 16;
    this.consumer = "table " + name;
    this.pending = new ColumnBuilder[columns.size()];
    for (int c = 0; c < pending.length; c++) {
      pending[c] = new ColumnBuilder(columns.get(c).type);
    }
  }

  Schema schema() {
    List<Field> fields = new ArrayList<>();
    for (ArrowColumn c : columns) {
      fields.add(c.field());
    }
    return new Schema(fields);
  }

  void note(String why) {
    notes.add(why);
  }

  /** Adds one decoded batch (in schema column order). */
  void add(Decoded[] batch) {
    int rows = batch[0].rows();
    if (rows == 0) {
      return;
    }
    boolean any = false;
    for (int c = 0; c < batch.length && inPlace != null; c++) {
      any |= batch[c].inPlace();
    }
    if (any && rows >= morselRows) {
      flush();
      rowGroups.add(mapped(batch));
      return;
    }
    if (any) {
      coalesced++;
    }
    for (int c = 0; c < batch.length; c++) {
      if (pending[c].rows + rows > Integer.MAX_VALUE - 64) {
        flush();
      }
      pending[c].append(batch[c]);
    }
    if (pending[0].rows >= targetRows) {
      flush();
    }
  }

  private Device nextHome() {
    return members.get(next++ % members.size());
  }

  private RowGroup mapped(Decoded[] batch) {
    InPlace wrap = Objects.requireNonNull(inPlace);
    Device home = nextHome();
    List<ColumnChunk> chunks = new ArrayList<>();
    try {
      for (int c = 0; c < batch.length; c++) {
        Decoded d = batch[c];
        if (!d.inPlace()) {
          // this column was converted or decompressed: its chunk is a copy, the others are mapped
          try (ColumnBuilder one = new ColumnBuilder(columns.get(c).type)) {
            one.append(d);
            chunks.add(writeChunk(one, home));
          }
          continue;
        }
        Region values = null;
        Region validity = null;
        Region data = null;
        try {
          values = wrap.wrap(d.values(), consumer);
          MemorySegment vs = d.validity();
          if (vs != null) {
            validity = wrap.wrap(vs, consumer);
          }
          MemorySegment ds = d.data();
          if (ds != null) {
            data = ds.byteSize() > 0 ? wrap.wrap(ds, consumer) : memory.allocate(8, consumer);
          }
          for (Region r : new Region[] {values, validity, data}) {
            if (r != null) {
              r.advise(Advice.READ_MOSTLY, home);
            }
          }
          ChunkStats stats = new ChunkStats(d.rows(), d.nullCount(), false, 0, 0, 0, 0);
          chunks.add(ColumnChunk.of(columns.get(c).type, values, validity, data, stats));
        } catch (RuntimeException e) {
          closeAll(values, validity, data);
          throw e;
        }
        mappedBytes += d.bytes();
      }
    } catch (RuntimeException e) {
      for (ColumnChunk ch : chunks) {
        ch.close();
      }
      throw e;
    }
    return new RowGroup(rowGroups.size(), batch[0].rows(), chunks, List.of(home));
  }

  /** Writes the pending rows as one row group (a copy). */
  private void flush() {
    int rows = pending[0].rows;
    if (rows == 0) {
      return;
    }
    Device home = nextHome();
    List<ColumnChunk> chunks = new ArrayList<>();
    try {
      for (ColumnBuilder b : pending) {
        chunks.add(writeChunk(b, home));
      }
    } catch (RuntimeException e) {
      for (ColumnChunk ch : chunks) {
        ch.close();
      }
      throw e;
    }
    rowGroups.add(new RowGroup(rowGroups.size(), rows, chunks, List.of(home)));
    for (ColumnBuilder b : pending) {
      b.reset();
    }
  }

  private ColumnChunk writeChunk(ColumnBuilder b, Device home) {
    Region values = null;
    Region validity = null;
    Region data = null;
    try {
      values = write(b.values.contents(), home);
      if (b.nulls > 0) {
        validity = write(b.validity.contents(), home);
      }
      GrowBuffer db = b.data;
      if (db != null) {
        data = write(db.contents(), home);
      }
      for (Region r : new Region[] {values, validity, data}) {
        if (r != null) {
          r.advise(Advice.READ_MOSTLY, home);
        }
      }
      return ColumnChunk.of(b.type, values, validity, data, stats(b));
    } catch (RuntimeException e) {
      closeAll(values, validity, data);
      throw e;
    }
  }

  private Region write(MemorySegment src, Device home) {
    Region r = memory.allocate(Math.max(1, src.byteSize()), consumer);
    try {
      writePages(r, home, src);
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
    copiedBytes += src.byteSize();
    return r;
  }

  /** Copies src into the region page by page through write pins on the device. */
  static void writePages(Region region, Device device, MemorySegment src) {
    long page = region.memory().pageSize();
    for (long off = 0; off < src.byteSize(); off += page) {
      long len = Math.min(page, src.byteSize() - off);
      try (Pin pin = region.pin(off, len, device, AccessMode.WRITE)) {
        MemorySegment.copy(src, off, pin.segment(), 0, len);
      }
    }
  }

  private static ChunkStats stats(ColumnBuilder b) {
    int rows = b.rows;
    DataType.Kind k = b.type.kind();
    MemorySegment v = b.values.contents();
    MemorySegment valid = b.nulls > 0 ? b.validity.contents() : null;
    Function<Integer, Long> longAt =
        switch (k) {
          case INT8 -> i -> (long) v.get(ValueLayout.JAVA_BYTE, i);
          case INT16 -> i -> (long) v.getAtIndex(ArrowLayout.INT16, i);
          case INT32, DATE32 -> i -> (long) v.getAtIndex(ArrowLayout.INT32, i);
          case INT64, DECIMAL, TIMESTAMP -> i -> v.getAtIndex(ArrowLayout.INT64, i);
          default -> null;
        };
    boolean floats = k == DataType.Kind.FLOAT32 || k == DataType.Kind.FLOAT64;
    long minL = Long.MAX_VALUE;
    long maxL = Long.MIN_VALUE;
    double minD = Double.POSITIVE_INFINITY;
    double maxD = Double.NEGATIVE_INFINITY;
    boolean any = false;
    boolean nan = false;
    if (longAt != null || floats) {
      for (int i = 0; i < rows; i++) {
        if (valid != null && !BatchDecoder.bit(valid, i)) {
          continue;
        }
        any = true;
        if (longAt != null) {
          long x = longAt.apply(i);
          minL = Math.min(minL, x);
          maxL = Math.max(maxL, x);
        } else {
          double d =
              k == DataType.Kind.FLOAT32
                  ? v.getAtIndex(ArrowLayout.FLOAT32, i)
                  : v.getAtIndex(ArrowLayout.FLOAT64, i);
          nan |= Double.isNaN(d);
          minD = Math.min(minD, d);
          maxD = Math.max(maxD, d);
        }
      }
    }
    return new ChunkStats(rows, b.nulls, any && !nan, minL, maxL, minD, maxD);
  }

  private Dictionary dictionary(ArrowColumn col, DictionaryState dicts) {
    DictionaryState.Entry e = dicts.entry(col.dictionaryId);
    if (e == null) {
      // no batch referred to it either (an empty table): an empty dictionary
      return writeDictionary(List.of());
    }
    Decoded d = e.inPlace;
    if (d != null && e.identity && inPlace != null && mapDictionaries) {
      MemorySegment data = Objects.requireNonNull(d.data());
      Region offsets = inPlace.wrap(d.values(), consumer + " dictionary");
      Region bytes = null;
      try {
        bytes =
            data.byteSize() > 0
                ? inPlace.wrap(data, consumer + " dictionary")
                : memory.allocate(8, consumer + " dictionary");
        offsets.advise(Advice.READ_MOSTLY, members.get(0));
        bytes.advise(Advice.READ_MOSTLY, members.get(0));
      } catch (RuntimeException ex) {
        closeAll(offsets, bytes);
        throw ex;
      }
      mappedBytes += d.bytes();
      return new Dictionary(d.rows(), offsets, bytes);
    }
    if (e.batches > 1) {
      note("dictionary '" + col.name + "': delta or replacement batches merged");
    } else if (!e.identity) {
      note("dictionary '" + col.name + "': repeated values merged, indices remapped");
    }
    return writeDictionary(e.merged);
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
      offsets = write(o, home);
      data = write(d, home);
      offsets.advise(Advice.READ_MOSTLY, home);
      data.advise(Advice.READ_MOSTLY, home);
      return new Dictionary(entries.size(), offsets, data);
    } catch (RuntimeException e) {
      closeAll(offsets, data);
      throw e;
    }
  }

  /** Writes what is pending, builds the dictionaries and registers the table. */
  ArrowLoad finish(DictionaryState dicts, int batches) {
    flush();
    if (coalesced > 0) {
      note(
          coalesced
              + " batches shorter than a morsel ("
              + morselRows
              + " rows) were coalesced into row groups");
    }
    List<@Nullable Dictionary> dictionaries = new ArrayList<>();
    TableData data;
    try {
      for (ArrowColumn c : columns) {
        dictionaries.add(c.dictionary() ? dictionary(c, dicts) : null);
      }
      data =
          TableData.of(
              name,
              schema(),
              rowGroups,
              dictionaries,
              morselRows,
              (inPlace != null && mappedBytes > 0 ? "mapped, " : "") + "round-robin");
    } catch (RuntimeException e) {
      for (Dictionary d : dictionaries) {
        if (d != null) {
          d.close();
        }
      }
      throw e;
    }
    done = true;
    rowGroups.clear();
    Table t = engine.register(data);
    return new ArrowLoad(t, batches, mappedBytes, copiedBytes, List.copyOf(notes));
  }

  private static void closeAll(@Nullable Region... regions) {
    for (Region r : regions) {
      if (r != null) {
        r.close();
      }
    }
  }

  @Override
  public void close() {
    for (ColumnBuilder b : pending) {
      b.close();
    }
    if (!done) {
      for (RowGroup g : rowGroups) {
        g.close();
      }
      rowGroups.clear();
    }
  }
}
