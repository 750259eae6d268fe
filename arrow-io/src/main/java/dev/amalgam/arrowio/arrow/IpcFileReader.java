package dev.amalgam.arrowio.arrow;

import dev.amalgam.exec.Engine;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.flatbuf.Block;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.flatbuf.RecordBatch;

/**
 * Reads an Arrow IPC file through a read-only memory mapping: the footer and each block's metadata
 * are parsed from the mapping (FlatBuffers classes of {@code arrow-format}), and record-batch
 * buffers that are already the engine's layout become mapped regions of the unified memory.
 */
final class IpcFileReader {
  private IpcFileReader() {}

  static ArrowLoad open(Engine engine, Path path, String table) {
    String source = path.toString();
    if (engine.hasTable(table)) {
      throw new IllegalArgumentException("table '" + table + "' already exists");
    }
    MappedFile file;
    try {
      file = MappedFile.map(path);
    } catch (IOException e) {
      throw ArrowFormatException.at(source, -1, "cannot map the file: " + e, e);
    }
    try (file;
        Arena scratch = Arena.ofConfined()) {
      return read(engine, file, table, source, scratch);
    }
  }

  private static ArrowLoad read(
      Engine engine, MappedFile file, String table, String source, Arena scratch) {
    MemorySegment all = file.segment();
    long size = all.byteSize();
    if (size < 8 + 4 + IpcLayout.MAGIC.length) {
      throw ArrowFormatException.at(
          source, size, "truncated: " + size + " bytes is too short for an Arrow IPC file");
    }
    if (!IpcLayout.magicAt(all, 0)) {
      throw ArrowFormatException.at(source, 0, "not an Arrow IPC file (no ARROW1 magic)");
    }
    long endMagic = size - IpcLayout.MAGIC.length;
    if (!IpcLayout.magicAt(all, endMagic)) {
      throw ArrowFormatException.at(
          source, endMagic, "truncated or not an Arrow IPC file (no ARROW1 magic at the end)");
    }
    long lenAt = endMagic - 4;
    int footerLen = all.get(IpcLayout.INT, lenAt);
    if (footerLen <= 0 || footerLen > lenAt - 8) {
      throw ArrowFormatException.at(
          source, lenAt, "footer length " + footerLen + " is out of range");
    }
    long footerAt = lenAt - footerLen;
    Footer footer;
    List<ArrowColumn> columns;
    try {
      footer = Footer.getRootAsFooter(buffer(all, footerAt, footerLen));
      org.apache.arrow.flatbuf.Schema schema = footer.schema();
      if (schema == null) {
        throw ArrowFormatException.at(source, footerAt, "footer has no schema");
      }
      columns = ArrowColumn.schema(schema, source, footerAt);
    } catch (IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException e) {
      throw corrupted(source, footerAt, "footer", e);
    }
    BatchDecoder decoder = new BatchDecoder(source);
    DictionaryState dicts = new DictionaryState(source);
    TableAssembler.InPlace wrap =
        (seg, consumer) -> engine.memory().mapReadOnly(seg, consumer, file.retain());
    try (TableAssembler out = new TableAssembler(engine, table, columns, wrap)) {
      for (ArrowColumn c : columns) {
        if (!c.inPlace()) {
          out.note("column '" + c.name + "' converted: " + c.conversion());
        }
      }
      int dictCount = checkedLength(footer.dictionariesLength(), footerLen, source, footerAt);
      Block block = new Block();
      for (int i = 0; i < dictCount; i++) {
        footer.dictionaries(block, i);
        Msg m = message(all, block, footerAt, source, MessageHeader.DictionaryBatch);
        DictionaryBatch db = new DictionaryBatch();
        try {
          m.message.header(db);
          RecordBatch rb = db.data();
          if (rb == null) {
            throw ArrowFormatException.at(source, m.at, "dictionary batch has no data");
          }
          Decoded d = decoder.decodeDictionary(rb, m.body, m.bodyAt, scratch);
          dicts.add(db.id(), d, db.isDelta(), m.at);
          if (rb.compression() != null) {
            out.note("compressed dictionary decompressed");
          }
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
          throw corrupted(source, m.at, "dictionary batch metadata", e);
        }
      }
      int batchCount = checkedLength(footer.recordBatchesLength(), footerLen, source, footerAt);
      for (int i = 0; i < batchCount; i++) {
        footer.recordBatches(block, i);
        Msg m = message(all, block, footerAt, source, MessageHeader.RecordBatch);
        try (Arena batchArena = Arena.ofConfined()) {
          RecordBatch rb = new RecordBatch();
          Decoded[] cols;
          try {
            m.message.header(rb);
            cols = decoder.decode(columns, rb, m.body, m.bodyAt, batchArena, dicts);
          } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw corrupted(source, m.at, "record batch metadata", e);
          }
          if (rb.compression() != null) {
            out.note("compressed bodies decompressed (" + codecName(rb) + ")");
          }
          out.add(cols);
        }
      }
      return out.finish(dicts, batchCount);
    }
  }

  private static String codecName(RecordBatch rb) {
    byte c = java.util.Objects.requireNonNull(rb.compression()).codec();
    return c == 0 ? "lz4" : c == 1 ? "zstd" : "codec " + c;
  }

  private static int checkedLength(int n, int footerLen, String source, long at) {
    if (n < 0 || n > footerLen / 24 + 1) {
      throw ArrowFormatException.at(source, at, "footer lists " + n + " blocks; corrupted");
    }
    return n;
  }

  static ArrowFormatException corrupted(String source, long at, String what, RuntimeException e) {
    if (e instanceof ArrowFormatException a) {
      return a;
    }
    return ArrowFormatException.at(source, at, "corrupted " + what + " (" + e + ")", e);
  }

  static ByteBuffer buffer(MemorySegment all, long at, long len) {
    return all.asSlice(at, len).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A message of the file: its metadata and body. */
  record Msg(long at, Message message, MemorySegment body, long bodyAt) {}

  private static Msg message(
      MemorySegment all, Block block, long limit, String source, byte expect) {
    long at = block.offset();
    long meta = block.metaDataLength();
    long bodyLen = block.bodyLength();
    if (at < 8
        || meta < 8
        || bodyLen < 0
        || at > limit
        || meta > limit - at
        || bodyLen > limit - at - meta) {
      throw ArrowFormatException.at(
          source,
          Math.max(0, Math.min(at, limit)),
          "block [offset "
              + at
              + ", metadata "
              + meta
              + ", body "
              + bodyLen
              + "] lies outside the file's "
              + limit
              + " bytes of messages");
    }
    int first = all.get(IpcLayout.INT, at);
    long fbAt;
    int fbLen;
    if (first == IpcLayout.CONTINUATION) {
      fbLen = all.get(IpcLayout.INT, at + 4);
      fbAt = at + 8;
    } else {
      fbLen = first;
      fbAt = at + 4;
    }
    if (fbLen <= 0 || fbLen > at + meta - fbAt) {
      throw ArrowFormatException.at(
          source, at, "message metadata length " + fbLen + " does not fit its block of " + meta);
    }
    Message m;
    try {
      m = Message.getRootAsMessage(buffer(all, fbAt, fbLen));
      if (m.version() < MetadataVersion.V4) {
        throw ArrowFormatException.at(
            source, at, "metadata version " + m.version() + " is too old (need V4 or V5)");
      }
      if (m.headerType() != expect) {
        throw ArrowFormatException.at(
            source,
            at,
            "expected a "
                + MessageHeader.name(expect)
                + " message; found header type "
                + m.headerType());
      }
      if (m.bodyLength() != bodyLen) {
        throw ArrowFormatException.at(
            source,
            at,
            "message body length " + m.bodyLength() + " differs from its block's " + bodyLen);
      }
    } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
      throw corrupted(source, at, "message metadata", e);
    }
    long bodyAt = at + meta;
    return new Msg(at, m, all.asSlice(bodyAt, bodyLen), bodyAt);
  }
}
