package dev.amalgam.arrowio.arrow;

import dev.amalgam.exec.Engine;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.flatbuf.RecordBatch;
import org.jspecify.annotations.Nullable;

/**
 * Reads the Arrow IPC stream format from a channel: a schema message, then dictionary and record
 * batches in any order, until the end-of-stream marker (or the end of input after a whole message).
 * Bodies are read into host memory and copied into the engine's regions.
 */
final class IpcStreamReader {
  private static final int MAX_METADATA = 64 << 20;

  private final ReadableByteChannel in;
  private final String source;
  private long position;

  private IpcStreamReader(ReadableByteChannel in, String source) {
    this.in = in;
    this.source = source;
  }

  static ArrowLoad read(Engine engine, ReadableByteChannel in, String source, String table) {
    if (engine.hasTable(table)) {
      throw new IllegalArgumentException("table '" + table + "' already exists");
    }
    return new IpcStreamReader(in, source).read(engine, table);
  }

  private ArrowLoad read(Engine engine, String table) {
    List<ArrowColumn> columns = null;
    TableAssembler out = null;
    BatchDecoder decoder = new BatchDecoder(source);
    DictionaryState dicts = new DictionaryState(source);
    int batches = 0;
    try {
      while (true) {
        long at = position;
        ByteBuffer head = readFully(4, columns != null);
        if (head == null) {
          break; // end of input after a whole message (no end-of-stream marker)
        }
        int len = head.getInt(0);
        if (len == IpcLayout.CONTINUATION) {
          len = java.util.Objects.requireNonNull(readFully(4, false)).getInt(0);
        }
        if (len == 0) {
          break;
        }
        if (len < 0 || len > MAX_METADATA) {
          throw ArrowFormatException.at(
              source, at, "message metadata length " + len + " is out of range");
        }
        ByteBuffer meta = java.util.Objects.requireNonNull(readFully(len, false));
        Message m;
        long bodyLen;
        byte type;
        try {
          m = Message.getRootAsMessage(meta);
          if (m.version() < MetadataVersion.V4) {
            throw ArrowFormatException.at(
                source, at, "metadata version " + m.version() + " is too old");
          }
          bodyLen = m.bodyLength();
          type = m.headerType();
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
          throw IpcFileReader.corrupted(source, at, "message metadata", e);
        }
        if (bodyLen < 0 || bodyLen > (1L << 40)) {
          throw ArrowFormatException.at(
              source, at, "message body length " + bodyLen + " is out of range");
        }
        long bodyAt = position;
        try (GrowBuffer body = readBody(bodyLen);
            Arena scratch = Arena.ofConfined()) {
          MemorySegment b = body.contents();
          try {
            switch (type) {
              case MessageHeader.Schema -> {
                if (columns != null) {
                  throw ArrowFormatException.at(source, at, "a second schema message");
                }
                org.apache.arrow.flatbuf.Schema s =
                    (org.apache.arrow.flatbuf.Schema)
                        m.header(new org.apache.arrow.flatbuf.Schema());
                if (s == null) {
                  throw ArrowFormatException.at(source, at, "schema message has no schema");
                }
                columns = ArrowColumn.schema(s, source, at);
                out = new TableAssembler(engine, table, columns, null);
                out.note("stream input: buffers copied into engine memory");
                for (ArrowColumn c : columns) {
                  if (!c.inPlace()) {
                    out.note("column '" + c.name + "' converted: " + c.conversion());
                  }
                }
              }
              case MessageHeader.DictionaryBatch -> {
                requireSchema(columns, at);
                DictionaryBatch db = (DictionaryBatch) m.header(new DictionaryBatch());
                RecordBatch rb = db == null ? null : db.data();
                if (db == null || rb == null) {
                  throw ArrowFormatException.at(source, at, "dictionary batch has no data");
                }
                dicts.add(
                    db.id(), decoder.decodeDictionary(rb, b, bodyAt, scratch), db.isDelta(), at);
              }
              case MessageHeader.RecordBatch -> {
                List<ArrowColumn> cols = requireSchema(columns, at);
                RecordBatch rb = (RecordBatch) m.header(new RecordBatch());
                if (rb == null) {
                  throw ArrowFormatException.at(source, at, "record batch message has no header");
                }
                Decoded[] d = decoder.decode(cols, rb, b, bodyAt, scratch, dicts);
                java.util.Objects.requireNonNull(out).add(d);
                batches++;
              }
              default ->
                  throw ArrowFormatException.at(
                      source, at, "unexpected message header type " + type + " in a stream");
            }
          } catch (IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException e) {
            throw IpcFileReader.corrupted(source, at, "message", e);
          }
        }
      }
      if (out == null) {
        throw ArrowFormatException.at(source, position, "stream has no schema message");
      }
      ArrowLoad load = out.finish(dicts, batches);
      out.close();
      out = null;
      return load;
    } finally {
      if (out != null) {
        out.close();
      }
    }
  }

  private List<ArrowColumn> requireSchema(@Nullable List<ArrowColumn> columns, long at) {
    if (columns == null) {
      throw ArrowFormatException.at(source, at, "a batch before the schema message");
    }
    return columns;
  }

  /** Reads n bytes; null at a clean end of input when {@code endOk}. */
  private @Nullable ByteBuffer readFully(int n, boolean endOk) {
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    try {
      while (b.hasRemaining()) {
        int r = in.read(b);
        if (r < 0) {
          if (endOk && b.position() == 0) {
            return null;
          }
          throw ArrowFormatException.at(
              source, position + b.position(), "truncated: stream ends inside a message");
        }
        if (r == 0) {
          Thread.onSpinWait();
        }
      }
    } catch (IOException e) {
      throw ArrowFormatException.at(source, position + b.position(), "cannot read: " + e, e);
    }
    position += n;
    return b.flip();
  }

  private GrowBuffer readBody(long n) {
    GrowBuffer buf = new GrowBuffer(Math.min(n, 64L << 20));
    try {
      long done = 0;
      while (done < n) {
        int step = (int) Math.min(n - done, 8L << 20);
        buf.ensure(step);
        ByteBuffer target = buf.raw().asSlice(done, step).asByteBuffer();
        while (target.hasRemaining()) {
          int r = in.read(target);
          if (r < 0) {
            throw ArrowFormatException.at(
                source,
                position + done + target.position(),
                "truncated: stream ends inside a message body of " + n + " bytes");
          }
        }
        done += step;
        buf.size(done);
      }
      position += n;
      return buf;
    } catch (IOException e) {
      buf.close();
      throw ArrowFormatException.at(source, position, "cannot read: " + e, e);
    } catch (RuntimeException e) {
      buf.close();
      throw e;
    }
  }
}
