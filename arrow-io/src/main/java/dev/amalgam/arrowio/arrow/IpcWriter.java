package dev.amalgam.arrowio.arrow;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.kernels.ArrowLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flatbuf.Block;
import org.apache.arrow.flatbuf.BodyCompression;
import org.apache.arrow.flatbuf.BodyCompressionMethod;
import org.apache.arrow.flatbuf.DateUnit;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.DictionaryEncoding;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.FloatingPoint;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.Int;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.flatbuf.Precision;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flatbuf.TimeUnit;
import org.apache.arrow.flatbuf.Timestamp;
import org.apache.arrow.flatbuf.Type;
import org.jspecify.annotations.Nullable;

/**
 * Writes the Arrow IPC stream or file format (see {@link IpcLayout}) from {@link BatchSource}s.
 * Engine types map to Arrow as: bool, int8..64 (signed), float32/64, decimal(p,s) as decimal128,
 * date32 as date[day], timestamp as timestamp[us] without a time zone, utf8, and dictionary<utf8>
 * as utf8 dictionaries with int32 indices (dictionary id = column index).
 */
final class IpcWriter {
  private final WritableByteChannel out;
  private final boolean file;
  private final ArrowCompression compression;
  private final Schema schema;
  private final List<long[]> dictionaryBlocks = new ArrayList<>();
  private final List<long[]> batchBlocks = new ArrayList<>();
  private long position;

  private IpcWriter(WritableByteChannel out, Schema schema, boolean file, ArrowCompression c) {
    this.out = out;
    this.schema = schema;
    this.file = file;
    this.compression = c;
  }

  /** Writes everything the source holds. */
  static void write(
      BatchSource src, WritableByteChannel out, boolean file, ArrowCompression compression) {
    IpcWriter w = new IpcWriter(out, src.schema(), file, compression);
    if (file) {
      w.raw(ByteBuffer.wrap(new byte[] {'A', 'R', 'R', 'O', 'W', '1', 0, 0}));
    }
    w.message(w.schemaMessage(), null, null);
    for (int c = 0; c < w.schema.size(); c++) {
      try (HostBatch d = src.dictionary(c)) {
        if (d != null) {
          w.dictionary(c, d);
        }
      }
    }
    for (int i = 0; i < src.batchCount(); i++) {
      try (HostBatch b = src.batch(i)) {
        w.batch(b);
      }
    }
    w.end();
  }

  // ---- metadata ---------------------------------------------------------------------------

  private static int type(FlatBufferBuilder b, DataType t) {
    return switch (t.kind()) {
      case BOOL -> {
        org.apache.arrow.flatbuf.Bool.startBool(b);
        yield org.apache.arrow.flatbuf.Bool.endBool(b);
      }
      case INT8, INT16, INT32, INT64 -> Int.createInt(b, 8 * t.kind().width(), true);
      case FLOAT32 -> FloatingPoint.createFloatingPoint(b, Precision.SINGLE);
      case FLOAT64 -> FloatingPoint.createFloatingPoint(b, Precision.DOUBLE);
      case DECIMAL ->
          org.apache.arrow.flatbuf.Decimal.createDecimal(b, t.precision(), t.scale(), 128);
      case DATE32 -> org.apache.arrow.flatbuf.Date.createDate(b, DateUnit.DAY);
      case TIMESTAMP -> {
        Timestamp.startTimestamp(b);
        Timestamp.addUnit(b, TimeUnit.MICROSECOND);
        yield Timestamp.endTimestamp(b);
      }
      case UTF8, DICTIONARY_UTF8 -> {
        org.apache.arrow.flatbuf.Utf8.startUtf8(b);
        yield org.apache.arrow.flatbuf.Utf8.endUtf8(b);
      }
    };
  }

  private static byte typeType(DataType t) {
    return switch (t.kind()) {
      case BOOL -> Type.Bool;
      case INT8, INT16, INT32, INT64 -> Type.Int;
      case FLOAT32, FLOAT64 -> Type.FloatingPoint;
      case DECIMAL -> Type.Decimal;
      case DATE32 -> Type.Date;
      case TIMESTAMP -> Type.Timestamp;
      case UTF8, DICTIONARY_UTF8 -> Type.Utf8;
    };
  }

  private int schemaTable(FlatBufferBuilder b) {
    return schemaTable(b, schema);
  }

  /** A finished flatbuffer holding just the Schema table of an engine schema. */
  static ByteBuffer flatbufSchema(Schema schema) {
    FlatBufferBuilder b = new FlatBufferBuilder(1024);
    b.finish(schemaTable(b, schema));
    return b.dataBuffer();
  }

  private static int schemaTable(FlatBufferBuilder b, Schema schema) {
    int[] fields = new int[schema.size()];
    for (int c = 0; c < fields.length; c++) {
      Field f = schema.field(c);
      int name = b.createString(f.name());
      int type = type(b, f.type());
      int dict = -1;
      if (f.type().kind() == DataType.Kind.DICTIONARY_UTF8) {
        int index = Int.createInt(b, 32, true);
        dict = DictionaryEncoding.createDictionaryEncoding(b, c, index, false, (short) 0);
      }
      int children = org.apache.arrow.flatbuf.Field.createChildrenVector(b, new int[0]);
      org.apache.arrow.flatbuf.Field.startField(b);
      org.apache.arrow.flatbuf.Field.addName(b, name);
      org.apache.arrow.flatbuf.Field.addNullable(b, f.nullable());
      org.apache.arrow.flatbuf.Field.addTypeType(b, typeType(f.type()));
      org.apache.arrow.flatbuf.Field.addType(b, type);
      if (dict >= 0) {
        org.apache.arrow.flatbuf.Field.addDictionary(b, dict);
      }
      org.apache.arrow.flatbuf.Field.addChildren(b, children);
      fields[c] = org.apache.arrow.flatbuf.Field.endField(b);
    }
    int vec = org.apache.arrow.flatbuf.Schema.createFieldsVector(b, fields);
    org.apache.arrow.flatbuf.Schema.startSchema(b);
    org.apache.arrow.flatbuf.Schema.addFields(b, vec);
    return org.apache.arrow.flatbuf.Schema.endSchema(b);
  }

  private FlatBufferBuilder schemaMessage() {
    FlatBufferBuilder b = new FlatBufferBuilder(1024);
    int s = schemaTable(b);
    b.finish(Message.createMessage(b, MetadataVersion.V5, MessageHeader.Schema, s, 0, 0));
    return b;
  }

  // ---- bodies -----------------------------------------------------------------------------

  /** The body buffers of a column in Arrow layout (validity, values[, data]). */
  static List<MemorySegment> buffers(DataType t, HostBatch.Column c, Arena arena) {
    List<MemorySegment> out = new ArrayList<>(3);
    MemorySegment validity = c.validity();
    out.add(c.nullCount() == 0 || validity == null ? MemorySegment.NULL.reinterpret(0) : validity);
    int n = c.rows();
    switch (t.kind()) {
      case DECIMAL -> {
        MemorySegment d = arena.allocate(16L * Math.max(1, n), 8).asSlice(0, 16L * n);
        for (int i = 0; i < n; i++) {
          long v = c.values().getAtIndex(ArrowLayout.INT64, i);
          d.set(IpcLayout.LONG, 16L * i, v);
          d.set(IpcLayout.LONG, 16L * i + 8, v >> 63);
        }
        out.add(d);
      }
      case UTF8 -> {
        MemorySegment o = c.values();
        int first = o.getAtIndex(ArrowLayout.INT32, 0);
        int last = o.getAtIndex(ArrowLayout.INT32, n);
        MemorySegment data = java.util.Objects.requireNonNull(c.data());
        if (first != 0) {
          MemorySegment r = arena.allocate(4L * (n + 1), 8);
          for (int i = 0; i <= n; i++) {
            r.setAtIndex(ArrowLayout.INT32, i, o.getAtIndex(ArrowLayout.INT32, i) - first);
          }
          out.add(r);
        } else {
          out.add(o.asSlice(0, 4L * (n + 1)));
        }
        out.add(data.asSlice(first, (long) last - first));
      }
      default -> out.add(c.values());
    }
    return out;
  }

  private void batch(HostBatch hb) {
    try (Arena arena = Arena.ofConfined()) {
      List<long[]> nodes = new ArrayList<>();
      List<MemorySegment> bufs = new ArrayList<>();
      for (int c = 0; c < schema.size(); c++) {
        HostBatch.Column col = hb.columns[c];
        nodes.add(new long[] {col.rows(), col.nullCount()});
        DataType t = schema.field(c).type();
        bufs.addAll(buffers(t, col, arena));
      }
      long[] block = recordBatch(hb.rows, nodes, bufs, arena, -1, false);
      batchBlocks.add(block);
    }
  }

  private void dictionary(int id, HostBatch d) {
    try (Arena arena = Arena.ofConfined()) {
      HostBatch.Column col = d.columns[0];
      List<MemorySegment> bufs = buffers(DataType.UTF8, col, arena);
      long[] block =
          recordBatch(
              col.rows(), List.<long[]>of(new long[] {col.rows(), 0}), bufs, arena, id, false);
      dictionaryBlocks.add(block);
    }
  }

  /** Writes a record batch (or, with dictId >= 0, a dictionary batch); returns its block. */
  private long[] recordBatch(
      int rows,
      List<long[]> nodes,
      List<MemorySegment> bufs,
      Arena arena,
      long dictId,
      boolean delta) {
    List<MemorySegment> body = new ArrayList<>(bufs.size());
    for (MemorySegment s : bufs) {
      body.add(compression == ArrowCompression.NONE ? s : Codecs.compress(compression, s, arena));
    }
    FlatBufferBuilder b = new FlatBufferBuilder(1024);
    int comp = -1;
    if (compression != ArrowCompression.NONE) {
      comp =
          BodyCompression.createBodyCompression(
              b, Codecs.flatbufCodec(compression), BodyCompressionMethod.BUFFER);
    }
    RecordBatch.startBuffersVector(b, body.size());
    long bodyLen = 0;
    long[] offs = new long[body.size()];
    for (int i = 0; i < body.size(); i++) {
      offs[i] = bodyLen;
      bodyLen += IpcLayout.pad(body.get(i).byteSize(), 8);
    }
    for (int i = body.size() - 1; i >= 0; i--) {
      org.apache.arrow.flatbuf.Buffer.createBuffer(b, offs[i], body.get(i).byteSize());
    }
    int buffersVec = b.endVector();
    RecordBatch.startNodesVector(b, nodes.size());
    for (int i = nodes.size() - 1; i >= 0; i--) {
      FieldNode.createFieldNode(b, nodes.get(i)[0], nodes.get(i)[1]);
    }
    int nodesVec = b.endVector();
    RecordBatch.startRecordBatch(b);
    RecordBatch.addLength(b, rows);
    RecordBatch.addNodes(b, nodesVec);
    RecordBatch.addBuffers(b, buffersVec);
    if (comp >= 0) {
      RecordBatch.addCompression(b, comp);
    }
    int rb = RecordBatch.endRecordBatch(b);
    int header = rb;
    byte type = MessageHeader.RecordBatch;
    if (dictId >= 0) {
      header = DictionaryBatch.createDictionaryBatch(b, dictId, rb, delta);
      type = MessageHeader.DictionaryBatch;
    }
    b.finish(Message.createMessage(b, MetadataVersion.V5, type, header, bodyLen, 0));
    return message(b, body, bodyLen);
  }

  /** Writes a message (metadata padded to 8, then the body); returns its block. */
  private long[] message(
      FlatBufferBuilder b, @Nullable List<MemorySegment> body, @Nullable Long bodyLength) {
    long at = position;
    byte[] meta = b.sizedByteArray();
    int padded = (int) IpcLayout.pad(8 + meta.length, 8) - 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putInt(IpcLayout.CONTINUATION).putInt(padded).put(meta);
    head.position(0);
    raw(head);
    long bodyLen = 0;
    if (body != null) {
      byte[] zeros = new byte[8];
      for (MemorySegment s : body) {
        if (s.byteSize() > 0) {
          raw(s.asByteBuffer());
        }
        int pad = (int) (IpcLayout.pad(s.byteSize(), 8) - s.byteSize());
        if (pad > 0) {
          raw(ByteBuffer.wrap(zeros, 0, pad));
        }
        bodyLen += s.byteSize() + pad;
      }
    }
    if (bodyLength != null && bodyLength != bodyLen) {
      throw new IllegalStateException("body of " + bodyLen + " bytes, metadata says " + bodyLength);
    }
    return new long[] {at, 8 + padded, bodyLen};
  }

  private void end() {
    raw(
        ByteBuffer.allocate(8)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(IpcLayout.CONTINUATION)
            .putInt(0)
            .flip());
    if (!file) {
      return;
    }
    FlatBufferBuilder b = new FlatBufferBuilder(1024);
    int s = schemaTable(b);
    Footer.startDictionariesVector(b, dictionaryBlocks.size());
    for (int i = dictionaryBlocks.size() - 1; i >= 0; i--) {
      long[] k = dictionaryBlocks.get(i);
      Block.createBlock(b, k[0], (int) k[1], k[2]);
    }
    int dicts = b.endVector();
    Footer.startRecordBatchesVector(b, batchBlocks.size());
    for (int i = batchBlocks.size() - 1; i >= 0; i--) {
      long[] k = batchBlocks.get(i);
      Block.createBlock(b, k[0], (int) k[1], k[2]);
    }
    int batches = b.endVector();
    b.finish(Footer.createFooter(b, MetadataVersion.V5, s, dicts, batches, 0));
    byte[] footer = b.sizedByteArray();
    raw(ByteBuffer.wrap(footer));
    raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footer.length).flip());
    raw(ByteBuffer.wrap(IpcLayout.MAGIC));
  }

  private void raw(ByteBuffer b) {
    try {
      while (b.hasRemaining()) {
        position += out.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write Arrow data: " + e.getMessage(), e);
    }
  }
}
