package dev.amalgam.arrowio.arrow;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowDictionaryBatch;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;
import org.jspecify.annotations.Nullable;

/**
 * Conversions between engine tables or results and Apache Arrow Java ({@code VectorSchemaRoot},
 * {@code ArrowReader}). Arrow Java needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED}.
 *
 * <p>To Arrow Java, buffers that are contiguous host memory (a page, a mapped file's buffer) are
 * handed over without copying, as foreign allocations of the given allocator that keep the table's
 * pages pinned on the host until Arrow Java releases them; decimals are widened to decimal128 (a
 * copy). From Arrow Java, buffers are copied into the engine's memory (Arrow Java reuses its
 * vectors from batch to batch).
 */
public final class ArrowJava {
  private ArrowJava() {}

  /**
   * A reader over a table's row groups, one batch each; dictionary columns keep their dictionary.
   * Close the reader (and release any batch it handed on) before dropping the table.
   */
  public static ArrowReader toArrowReader(Table table, BufferAllocator allocator) {
    Objects.requireNonNull(table, "table is null");
    return new ExportReader(allocator, BatchSource.of(table, true));
  }

  /** A reader over a query result, in batches of up to 65536 rows. */
  public static ArrowReader toArrowReader(Result result, BufferAllocator allocator) {
    Objects.requireNonNull(result, "result is null");
    return new ExportReader(allocator, BatchSource.of(result));
  }

  /** A query result as one {@code VectorSchemaRoot}, which the caller closes. */
  public static VectorSchemaRoot toVectorSchemaRoot(Result result, BufferAllocator allocator) {
    Objects.requireNonNull(result, "result is null");
    Objects.requireNonNull(allocator, "allocator is null");
    BatchSource src = new BatchSource.OfResult(result, Math.max(1, result.rowCount()));
    Schema schema = arrowSchema(src.schema());
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    if (result.rowCount() == 0) {
      root.setRowCount(0);
      return root;
    }
    try (ArrowRecordBatch rb = recordBatch(src.batch(0), src.schema(), allocator)) {
      new VectorLoader(root).load(rb);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
    return root;
  }

  /**
   * Copies every batch of an Arrow Java reader into a new engine table {@code name}; the reader is
   * read to its end but not closed.
   *
   * @throws ArrowFormatException when a column's type is one the engine does not hold
   */
  public static ArrowLoad fromArrowReader(Engine engine, ArrowReader reader, String name) {
    Objects.requireNonNull(engine, "engine is null");
    Objects.requireNonNull(reader, "reader is null");
    Objects.requireNonNull(name, "name is null");
    return ArrowIpc.guarded(
        "arrow reader",
        () -> {
          try {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            Importer im = new Importer(engine, root.getSchema(), name);
            try {
              while (reader.loadNextBatch()) {
                im.add(root, reader);
              }
              return im.finish();
            } finally {
              im.close();
            }
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Arrow reader: " + e.getMessage(), e);
          }
        });
  }

  /** Copies a {@code VectorSchemaRoot} into a new engine table {@code name}. */
  public static ArrowLoad fromVectorSchemaRoot(
      Engine engine,
      VectorSchemaRoot root,
      @Nullable DictionaryProvider dictionaries,
      String name) {
    Objects.requireNonNull(engine, "engine is null");
    Objects.requireNonNull(root, "root is null");
    Objects.requireNonNull(name, "name is null");
    return ArrowIpc.guarded(
        "vector schema root",
        () -> {
          Importer im = new Importer(engine, root.getSchema(), name);
          try {
            im.add(root, dictionaries);
            return im.finish();
          } finally {
            im.close();
          }
        });
  }

  // ---- implementation ---------------------------------------------------------------------

  static Schema arrowSchema(dev.amalgam.exec.Schema schema) {
    ByteBuffer fb = IpcWriter.flatbufSchema(schema);
    return Schema.convertSchema(org.apache.arrow.flatbuf.Schema.getRootAsSchema(fb));
  }

  static List<ArrowColumn> columns(Schema schema, String source) {
    com.google.flatbuffers.FlatBufferBuilder b = new com.google.flatbuffers.FlatBufferBuilder(1024);
    b.finish(schema.getSchema(b));
    return ArrowColumn.schema(
        org.apache.arrow.flatbuf.Schema.getRootAsSchema(b.dataBuffer()), source, -1, true);
  }

  /** Keeps a host batch (its pins and copies) until every buffer made over it is released. */
  private static final class BatchRef {
    private final HostBatch batch;
    private final Arena arena;
    private final AtomicInteger refs = new AtomicInteger(1);

    BatchRef(HostBatch batch, Arena arena) {
      this.batch = batch;
      this.arena = arena;
    }

    void retain() {
      refs.incrementAndGet();
    }

    void release() {
      if (refs.decrementAndGet() == 0) {
        try {
          batch.close();
        } finally {
          arena.close();
        }
      }
    }
  }

  private static ArrowBuf wrap(BufferAllocator a, MemorySegment s, BatchRef ref) {
    if (s.byteSize() == 0) {
      return a.getEmpty();
    }
    ref.retain();
    return a.wrapForeignAllocation(
        new ForeignAllocation(s.byteSize(), s.address()) {
          @Override
          protected void release0() {
            ref.release();
          }
        });
  }

  /**
   * An Arrow Java record batch over a host batch's buffers (no copy, but decimals and rebased
   * offsets); the host batch is closed once Arrow Java releases the last of them.
   */
  @SuppressWarnings("MustBeClosedChecker") // the BatchRef owns the arena
  static ArrowRecordBatch recordBatch(
      HostBatch hb, dev.amalgam.exec.Schema schema, BufferAllocator allocator) {
    Arena arena = Arena.ofShared();
    BatchRef ref = new BatchRef(hb, arena);
    List<ArrowBuf> bufs = new ArrayList<>();
    try {
      List<ArrowFieldNode> nodes = new ArrayList<>();
      for (int c = 0; c < hb.columns.length; c++) {
        HostBatch.Column col = hb.columns[c];
        nodes.add(new ArrowFieldNode(col.rows(), col.nullCount()));
        DataType t = schema.field(c).type();
        for (MemorySegment s : IpcWriter.buffers(t, col, arena)) {
          bufs.add(wrap(allocator, s, ref));
        }
      }
      return new ArrowRecordBatch(hb.rows, nodes, bufs);
    } finally {
      for (ArrowBuf b : bufs) {
        b.getReferenceManager().release();
      }
      ref.release();
    }
  }

  /** An {@code ArrowReader} over a batch source. */
  private static final class ExportReader extends ArrowReader {
    private final BatchSource src;
    private final dev.amalgam.exec.Schema schema;
    private int next;

    ExportReader(BufferAllocator allocator, BatchSource src) {
      super(Objects.requireNonNull(allocator, "allocator is null"));
      this.src = src;
      this.schema = src.schema();
    }

    @Override
    protected Schema readSchema() {
      return arrowSchema(schema);
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      prepareLoadNextBatch();
      if (next == 0) {
        for (int c = 0; c < schema.size(); c++) {
          HostBatch d = src.dictionary(c);
          if (d != null) {
            dev.amalgam.exec.Schema one =
                dev.amalgam.exec.Schema.of(dev.amalgam.exec.Field.of("v", DataType.UTF8));
            loadDictionary(new ArrowDictionaryBatch(c, recordBatch(d, one, allocator), false));
          }
        }
      }
      if (next >= src.batchCount()) {
        getVectorSchemaRoot().setRowCount(0);
        return false;
      }
      loadRecordBatch(recordBatch(src.batch(next++), schema, allocator));
      return true;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {}
  }

  /** Copies Arrow Java vectors into an engine table. */
  private static final class Importer implements AutoCloseable {
    private final List<ArrowColumn> columns;
    private final BatchDecoder decoder = new BatchDecoder("arrow java");
    private final DictionaryState dicts = new DictionaryState("arrow java");
    private final TableAssembler out;
    private int batches;

    Importer(Engine engine, Schema schema, String name) {
      if (engine.hasTable(name)) {
        throw new IllegalArgumentException("table '" + name + "' already exists");
      }
      this.columns = columns(schema, "arrow java");
      this.out = new TableAssembler(engine, name, columns, null);
      out.note("from Arrow Java: buffers copied into engine memory");
      for (ArrowColumn c : columns) {
        if (!c.inPlace()) {
          out.note("column '" + c.name + "' converted: " + c.conversion());
        }
      }
    }

    private static MemorySegment segment(ArrowBuf b) {
      if (b.capacity() == 0) {
        return MemorySegment.NULL.reinterpret(0);
      }
      return MemorySegment.ofAddress(b.memoryAddress()).reinterpret(b.capacity());
    }

    private static MemorySegment[] raw(FieldVector v) {
      List<ArrowBuf> bufs = v.getFieldBuffers();
      MemorySegment[] out = new MemorySegment[bufs.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = segment(bufs.get(i));
      }
      return out;
    }

    void add(VectorSchemaRoot root, @Nullable DictionaryProvider provider) {
      try (Arena arena = Arena.ofConfined()) {
        int n = root.getRowCount();
        Decoded[] batch = new Decoded[columns.size()];
        for (int c = 0; c < batch.length; c++) {
          ArrowColumn col = columns.get(c);
          FieldVector v = root.getVector(c);
          if (col.dictionary()) {
            Dictionary d = provider == null ? null : provider.lookup(col.dictionaryId);
            if (d == null) {
              throw ArrowFormatException.at(
                  "arrow java",
                  -1,
                  "column '" + col.name + "': dictionary " + col.dictionaryId + " not provided");
            }
            FieldVector dv = d.getVector();
            MemorySegment[] draw = raw(dv);
            if (draw.length != 3
                || dv.getMinorType() != org.apache.arrow.vector.types.Types.MinorType.VARCHAR) {
              throw ArrowFormatException.at(
                  "arrow java", -1, "column '" + col.name + "': dictionary is not utf8");
            }
            Decoded dd =
                decoder.column(
                    ArrowColumn.dictionaryValues(),
                    dv.getValueCount(),
                    dv.getNullCount(),
                    draw,
                    new long[] {-1, -1, -1},
                    true,
                    arena,
                    dicts);
            if (!dicts.matches(col.dictionaryId, dd)) {
              dicts.add(col.dictionaryId, dd, false, -1);
            }
          }
          MemorySegment[] r = raw(v);
          if (r.length != col.bufferCount()) {
            throw ArrowFormatException.at(
                "arrow java", -1, "column '" + col.name + "' has " + r.length + " buffers");
          }
          long[] at = new long[r.length];
          java.util.Arrays.fill(at, -1);
          batch[c] = decoder.column(col, n, v.getNullCount(), r, at, true, arena, dicts);
        }
        out.add(batch);
        batches++;
      }
    }

    ArrowLoad finish() {
      return out.finish(dicts, batches);
    }

    @Override
    public void close() {
      out.close();
    }
  }
}
