package dev.amalgam.arrowio.arrow;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Table;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The Arrow C Data Interface ({@code ArrowSchema}, {@code ArrowArray}, {@code ArrowArrayStream}),
 * implemented with the FFM API, for exchanging data with native engines in the same process (e.g.
 * DuckDB: wrap the struct's address with Arrow Java's {@code ArrowArrayStream.wrap}).
 *
 * <p>Export is zero copy where a buffer is contiguous host memory: the consumer's arrays point at
 * the engine's pinned pages, and the pins are held until it calls {@code release} (drop the table
 * only after that). Import is zero copy for buffers in the engine's layout: they become read-only
 * regions over the foreign memory, and the producer's {@code release} runs when the table is
 * dropped. Batches that need converting or are shorter than a morsel are copied and released at
 * once.
 */
public final class ArrowCData {
  private ArrowCData() {}

  /** Bytes of an {@code ArrowArrayStream} struct. */
  public static final long STREAM_BYTES = CDataLayout.STREAM.byteSize();

  /** Allocates a zeroed {@code ArrowArrayStream} struct for {@link #exportStream}. */
  public static MemorySegment allocateStream(Arena arena) {
    return arena.allocate(CDataLayout.STREAM);
  }

  /**
   * Fills the {@code ArrowArrayStream} at {@code out} with a stream over the table's row groups.
   */
  public static void exportStream(Table table, MemorySegment out) {
    Objects.requireNonNull(table, "table is null");
    Objects.requireNonNull(out, "out is null");
    CDataExport.exportStream(BatchSource.of(table, true), out, "table " + table.name());
  }

  /** Fills the {@code ArrowArrayStream} at {@code out} with a stream over a query result. */
  public static void exportStream(Result result, MemorySegment out) {
    Objects.requireNonNull(result, "result is null");
    Objects.requireNonNull(out, "out is null");
    CDataExport.exportStream(BatchSource.of(result), out, "query result");
  }

  /**
   * Consumes the {@code ArrowArrayStream} at {@code stream} (and releases it) into a new table.
   *
   * @throws ArrowFormatException when the stream fails or holds a type the engine does not hold
   */
  public static ArrowLoad importStream(Engine engine, MemorySegment stream, String name) {
    Objects.requireNonNull(engine, "engine is null");
    Objects.requireNonNull(stream, "stream is null");
    Objects.requireNonNull(name, "name is null");
    return ArrowIpc.guarded(
        "C data stream", () -> CDataImport.read(engine, stream, "C data stream", name));
  }
}
