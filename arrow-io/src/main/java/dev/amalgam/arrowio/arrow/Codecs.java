package dev.amalgam.arrowio.arrow;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.apache.arrow.flatbuf.CompressionType;

/**
 * Compression of single IPC buffers: {@code int64 uncompressed length | compressed bytes}, where a
 * length of -1 means the bytes follow uncompressed (the writer found compression did not pay). LZ4
 * uses the frame format (lz4-java), ZSTD one frame (zstd-jni).
 */
final class Codecs {
  private Codecs() {}

  static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  static byte flatbufCodec(ArrowCompression c) {
    return switch (c) {
      case LZ4_FRAME -> CompressionType.LZ4_FRAME;
      case ZSTD -> CompressionType.ZSTD;
      case NONE -> throw new IllegalArgumentException("no codec");
    };
  }

  /**
   * Decompresses one buffer into {@code arena}.
   *
   * @param limit the largest uncompressed size the buffer may have
   * @throws ArrowFormatException when the data is not valid for the codec or its size is wrong
   */
  static MemorySegment decompress(
      byte codec, MemorySegment src, Arena arena, long limit, String source, long offset) {
    if (src.byteSize() == 0) {
      return src;
    }
    if (src.byteSize() < 8) {
      throw ArrowFormatException.at(
          source, offset, "compressed buffer of " + src.byteSize() + " bytes has no length prefix");
    }
    long ulen = src.get(LONG, 0);
    MemorySegment body = src.asSlice(8);
    if (ulen == -1) {
      return body;
    }
    if (ulen < 0 || ulen > limit || ulen > Integer.MAX_VALUE - 64) {
      throw ArrowFormatException.at(
          source,
          offset,
          "compressed buffer claims " + ulen + " bytes uncompressed; limit " + limit);
    }
    if (body.byteSize() > Integer.MAX_VALUE) {
      throw ArrowFormatException.at(source, offset, "compressed buffer larger than 2 GiB");
    }
    if (ulen == 0) {
      return arena.allocate(8, 8).asSlice(0, 0);
    }
    try {
      switch (codec) {
        case CompressionType.ZSTD -> {
          ByteBuffer in = direct(body, arena);
          long declared = Zstd.getDirectByteBufferFrameContentSize(in, 0, in.capacity());
          if (declared != ulen) {
            throw ArrowFormatException.at(
                source,
                offset,
                "zstd frame declares " + declared + " bytes; the buffer's prefix says " + ulen);
          }
          MemorySegment dst = arena.allocate(ulen, 64);
          long n =
              Zstd.decompressDirectByteBuffer(
                  dst.asByteBuffer(), 0, (int) ulen, in, 0, in.capacity());
          if (n != ulen) {
            throw ArrowFormatException.at(
                source, offset, "zstd buffer gave " + n + " bytes, expected " + ulen);
          }
          return dst;
        }
        case CompressionType.LZ4_FRAME -> {
          // decode into a growing buffer: a corrupted length never allocates more than was produced
          ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(ulen, 1 << 20));
          byte[] chunk = new byte[64 << 10];
          try (InputStream in =
              new LZ4FrameInputStream(
                  new ByteArrayInputStream(body.toArray(ValueLayout.JAVA_BYTE)))) {
            int r;
            while ((r = in.read(chunk)) > 0) {
              out.write(chunk, 0, r);
              if (out.size() > ulen) {
                break;
              }
            }
          }
          if (out.size() != ulen) {
            throw ArrowFormatException.at(
                source, offset, "lz4 buffer gave " + out.size() + "+ bytes, expected " + ulen);
          }
          MemorySegment dst = arena.allocate(ulen, 64);
          MemorySegment.copy(out.toByteArray(), 0, dst, ValueLayout.JAVA_BYTE, 0, (int) ulen);
          return dst;
        }
        default ->
            throw ArrowFormatException.at(source, offset, "unknown compression codec " + codec);
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ArrowFormatException a) {
        throw a;
      }
      throw ArrowFormatException.at(
          source, offset, "cannot decompress buffer (codec " + codec + "): " + e, e);
    }
  }

  private static ByteBuffer direct(MemorySegment s, Arena arena) {
    if (s.isNative()) {
      return s.asByteBuffer();
    }
    MemorySegment c = arena.allocate(Math.max(1, s.byteSize())).asSlice(0, s.byteSize());
    c.copyFrom(s);
    return c.asByteBuffer();
  }

  /**
   * Compresses one buffer for writing: the length prefix and the compressed bytes, or -1 and the
   * bytes as they are when compressing would not make them smaller.
   */
  static MemorySegment compress(ArrowCompression codec, MemorySegment src, Arena arena) {
    long len = src.byteSize();
    if (len == 0) {
      return src;
    }
    MemorySegment out;
    switch (codec) {
      case ZSTD -> {
        long bound = Zstd.compressBound(len);
        MemorySegment dst = arena.allocate(8 + bound, 8);
        ByteBuffer in = direct(src, arena);
        long n =
            Zstd.compressDirectByteBuffer(
                dst.asSlice(8).asByteBuffer(), 0, (int) bound, in, 0, (int) len, 3);
        if (Zstd.isError(n)) {
          throw new IllegalStateException("zstd: " + Zstd.getErrorName(n));
        }
        out = dst.asSlice(0, 8 + n);
      }
      case LZ4_FRAME -> {
        ByteArrayOutputStream bos = new ByteArrayOutputStream((int) Math.min(len, 1 << 20));
        try (OutputStream os = new LZ4FrameOutputStream(bos)) {
          os.write(src.toArray(ValueLayout.JAVA_BYTE));
        } catch (IOException e) {
          throw new IllegalStateException("lz4: " + e, e);
        }
        byte[] b = bos.toByteArray();
        out = arena.allocate(8 + b.length, 8);
        MemorySegment.copy(b, 0, out, ValueLayout.JAVA_BYTE, 8, b.length);
      }
      default -> throw new IllegalArgumentException("no codec");
    }
    if (out.byteSize() >= 8 + len) {
      MemorySegment raw = arena.allocate(8 + len, 8);
      raw.set(LONG, 0, -1L);
      MemorySegment.copy(src, 0, raw, 8, len);
      return raw;
    }
    out.set(LONG, 0, len);
    return out;
  }
}
