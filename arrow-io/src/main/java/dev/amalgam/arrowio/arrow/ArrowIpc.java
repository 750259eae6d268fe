package dev.amalgam.arrowio.arrow;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Table;
import dev.amalgam.memory.AmalgamMemoryException;
import dev.amalgam.memory.pool.MemoryLimitExceededException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Arrow IPC files and streams in and out of the engine.
 *
 * <pre>{@code
 * ArrowLoad load = ArrowIpc.open(engine, Path.of("trips.arrow"), "trips"); // mapped, no copy
 * engine.sql("SELECT count(*) FROM trips").execute();
 * ArrowIpc.write(engine.catalogTable("trips"), Path.of("copy.arrow"));
 * }</pre>
 *
 * <p>{@link #open} maps the file: record-batch buffers that already are the engine's layout become
 * regions of the unified memory over the mapping, and the file stays mapped until the table is
 * dropped. Copies happen only for compressed bodies, converted types (unsigned integers,
 * decimal128, date64, other timestamp units, large_utf8, non-int32 dictionary indices) and batches
 * shorter than a morsel (coalesced); {@link ArrowLoad} reports them. Streams are always copied.
 * Malformed input raises {@link ArrowFormatException} naming the source and byte offset, and leaves
 * the engine as it was.
 */
public final class ArrowIpc {
  private ArrowIpc() {}

  /**
   * Maps an Arrow IPC file and registers it as table {@code name}.
   *
   * @throws ArrowFormatException when the file is not valid Arrow IPC data the engine can hold
   * @throws IllegalArgumentException when a table of that name exists
   */
  public static ArrowLoad open(Engine engine, Path file, String name) {
    Objects.requireNonNull(engine, "engine is null");
    Objects.requireNonNull(file, "file is null");
    Objects.requireNonNull(name, "name is null");
    return guarded(file.toString(), () -> IpcFileReader.open(engine, file, name));
  }

  /** Reads an Arrow IPC stream (copying) and registers it as table {@code name}. */
  public static ArrowLoad readStream(Engine engine, InputStream in, String name) {
    Objects.requireNonNull(in, "in is null");
    return readStream(engine, Channels.newChannel(in), name);
  }

  /** Reads an Arrow IPC stream (copying) and registers it as table {@code name}. */
  public static ArrowLoad readStream(Engine engine, ReadableByteChannel in, String name) {
    Objects.requireNonNull(engine, "engine is null");
    Objects.requireNonNull(in, "in is null");
    Objects.requireNonNull(name, "name is null");
    return guarded("stream", () -> IpcStreamReader.read(engine, in, "stream", name));
  }

  /** Writes a table as an Arrow IPC file (uncompressed). */
  public static void write(Table table, Path file) {
    write(table, file, ArrowCompression.NONE);
  }

  /** Writes a table as an Arrow IPC file with compressed bodies. */
  public static void write(Table table, Path file, ArrowCompression compression) {
    Objects.requireNonNull(table, "table is null");
    writeFile(BatchSource.of(table, false), file, compression);
  }

  /** Writes a query result as an Arrow IPC file (uncompressed). */
  public static void write(Result result, Path file) {
    write(result, file, ArrowCompression.NONE);
  }

  /** Writes a query result as an Arrow IPC file with compressed bodies. */
  public static void write(Result result, Path file, ArrowCompression compression) {
    Objects.requireNonNull(result, "result is null");
    writeFile(BatchSource.of(result), file, compression);
  }

  /** Writes a table in the Arrow IPC stream format (the stream is not closed). */
  public static void writeStream(Table table, OutputStream out) {
    writeStream(table, Channels.newChannel(out), ArrowCompression.NONE);
  }

  /** Writes a table in the Arrow IPC stream format. */
  public static void writeStream(
      Table table, WritableByteChannel out, ArrowCompression compression) {
    Objects.requireNonNull(table, "table is null");
    IpcWriter.write(BatchSource.of(table, false), out, false, compression);
  }

  /** Writes a query result in the Arrow IPC stream format (the stream is not closed). */
  public static void writeStream(Result result, OutputStream out) {
    writeStream(result, Channels.newChannel(out), ArrowCompression.NONE);
  }

  /** Writes a query result in the Arrow IPC stream format. */
  public static void writeStream(
      Result result, WritableByteChannel out, ArrowCompression compression) {
    Objects.requireNonNull(result, "result is null");
    IpcWriter.write(BatchSource.of(result), out, false, compression);
  }

  private static void writeFile(BatchSource src, Path file, ArrowCompression compression) {
    Objects.requireNonNull(file, "file is null");
    Objects.requireNonNull(compression, "compression is null");
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      IpcWriter.write(src, ch, true, compression);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs a read; anything but a clear format error, a name conflict or a memory limit that escapes
   * the parser (a flatbuffer accessor reading garbage, say) becomes an {@link
   * ArrowFormatException}.
   */
  static ArrowLoad guarded(String source, java.util.function.Supplier<ArrowLoad> read) {
    try {
      return read.get();
    } catch (ArrowFormatException
        | MemoryLimitExceededException
        | AmalgamMemoryException
        | UncheckedIOException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      if (String.valueOf(e.getMessage()).endsWith("already exists")) {
        throw e;
      }
      throw ArrowFormatException.at(source, -1, "invalid data: " + e.getMessage(), e);
    } catch (RuntimeException | StackOverflowError e) {
      throw ArrowFormatException.at(source, -1, "corrupted data: " + e, e);
    }
  }
}
