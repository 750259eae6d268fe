package dev.amalgam.kernels;

import dev.amalgam.memory.NativeArena;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryLimitExceededException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * The off-heap memory of one hash table: blocks of buffers, each block in its own shared arena and
 * reserved against the table's consumer before it is allocated, so that a block can be freed (and
 * its reservation released) when a larger one replaces it. Not thread-safe.
 */
final class TableMemory implements AutoCloseable {
  /** Buffers allocated together, with the bytes reserved for them. */
  static final class Block {
    private final Arena arena;
    private final long bytes;
    private final MemorySegment[] segments;

    private Block(Arena arena, long bytes, MemorySegment[] segments) {
      this.arena = arena;
      this.bytes = bytes;
      this.segments = segments;
    }

    /** Buffer {@code i}, zero-filled when allocated. */
    MemorySegment segment(int i) {
      return segments[i];
    }

    /** The bytes reserved for this block. */
    long bytes() {
      return bytes;
    }
  }

  private static final long ALIGN = 64;

  private final MemoryConsumer consumer;
  private long reserved;
  private boolean closed;

  TableMemory(MemoryConsumer consumer) {
    this.consumer = consumer;
  }

  /** The consumer's name, used to name the table in errors. */
  String name() {
    return consumer.name();
  }

  /** The bytes this table holds. */
  long reserved() {
    return reserved;
  }

  /**
   * Reserves, then allocates zero-filled buffers of {@code sizes} bytes in a new arena.
   *
   * @throws MemoryLimitExceededException when the pool refuses; nothing is held then
   */
  @SuppressWarnings("MustBeClosedChecker") // the arena is owned by the Block, closed in free()
  Block allocate(long... sizes) {
    if (closed) {
      throw new IllegalStateException("hash table '" + consumer.name() + "' is closed");
    }
    long total = 0;
    for (long size : sizes) {
      total += size;
    }
    consumer.reserve(total);
    Arena arena = null;
    try {
      arena = NativeArena.open(); // closing a shared arena stops every thread
      MemorySegment[] segments = new MemorySegment[sizes.length];
      for (int i = 0; i < sizes.length; i++) {
        segments[i] = arena.allocate(sizes[i], ALIGN);
      }
      reserved += total;
      return new Block(arena, total, segments);
    } catch (RuntimeException | Error e) {
      if (arena != null) {
        arena.close();
      }
      consumer.release(total);
      throw e;
    }
  }

  /** Frees a block and releases its reservation; does nothing for null. */
  void free(@Nullable Block block) {
    if (block == null) {
      return;
    }
    block.arena.close();
    reserved -= block.bytes;
    consumer.release(block.bytes);
  }

  /** Marks the memory closed; the owner has freed its blocks. Idempotent. */
  @Override
  public void close() {
    closed = true;
  }

  /** Whether {@link #close()} was called. */
  boolean isClosed() {
    return closed;
  }
}
