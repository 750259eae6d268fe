package dev.amalgam.arrowio.arrow;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Arrow IPC framing, described in one place.
 *
 * <pre>
 *  file:    "ARROW1" 00 00 | stream (schema, dictionaries, batches, EOS) | footer | int32 footer
 *           length | "ARROW1"
 *  footer:  flatbuffer Footer { schema, dictionaries: [Block], recordBatches: [Block] }
 *  Block:   { offset: int64 (of the message), metaDataLength: int32 (prefix + flatbuffer +
 *           padding, a multiple of 8), bodyLength: int64 }
 *  message: FF FF FF FF | int32 flatbuffer length | flatbuffer Message | padding to 8 | body
 *           (pre-1.0 files omit the FF FF FF FF continuation marker)
 *  EOS:     FF FF FF FF 00 00 00 00
 *  body:    the buffers of a RecordBatch, each at an offset the metadata gives, 8-byte aligned
 *           (64 recommended); compressed buffers are int64 uncompressed length | codec bytes
 * </pre>
 */
final class IpcLayout {
  private IpcLayout() {}

  static final byte[] MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};
  static final int CONTINUATION = 0xFFFFFFFF;

  /** Body buffers are padded to this many bytes when written. */
  static final int ALIGNMENT = 64;

  static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  static boolean magicAt(MemorySegment s, long offset) {
    if (offset < 0 || offset + MAGIC.length > s.byteSize()) {
      return false;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (s.get(ValueLayout.JAVA_BYTE, offset + i) != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  static long pad(long n, int to) {
    return (n + to - 1) / to * to;
  }
}
