package dev.amalgam.exec.run;

import dev.amalgam.memory.pool.MemoryConsumer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker's bump allocator for the vectors of the batch in flight: {@link #allocate} hands out
 * zeroed, 64-byte aligned slices of off-heap slabs; {@link #reset()} makes all of them free again
 * once the batch has left the pipeline. Slabs are reserved against the query's scratch consumer
 * before they are allocated and kept until {@link #close()}.
 *
 * <p>One thread uses a scratch at a time.
 */
public final class Scratch implements AutoCloseable {
  private static final long ALIGN = 64;
  private static final long MIN_SLAB = 256L << 10;

  private final MemoryConsumer consumer;
  private final Arena arena = Arena.ofShared();
  private final List<MemorySegment> slabs = new ArrayList<>();
  private int slab = -1;
  private long used;
  private long reserved;
  private boolean closed;

  /** A scratch charged to {@code consumer}. */
  public Scratch(MemoryConsumer consumer) {
    this.consumer = consumer;
  }

  /** A zeroed, aligned segment of {@code bytes} that lives until the next {@link #reset()}. */
  public MemorySegment allocate(long bytes) {
    if (closed) {
      throw new IllegalStateException("scratch is closed");
    }
    long size = Math.max(8, (bytes + ALIGN - 1) & -ALIGN);
    while (true) {
      if (slab >= 0) {
        MemorySegment s = slabs.get(slab);
        if (used + size <= s.byteSize()) {
          MemorySegment out = s.asSlice(used, bytes);
          used += size;
          out.fill((byte) 0);
          return out;
        }
      }
      if (slab + 1 < slabs.size() && slabs.get(slab + 1).byteSize() >= size) {
        slab++;
        used = 0;
        continue;
      }
      long slabBytes = Math.max(MIN_SLAB, Long.highestOneBit(size - 1) << 1);
      consumer.reserve(slabBytes);
      reserved += slabBytes;
      MemorySegment s = arena.allocate(slabBytes, ALIGN);
      slabs.add(slab + 1, s);
      slab++;
      used = 0;
    }
  }

  /** Frees every segment handed out (their contents become garbage). */
  public void reset() {
    slab = slabs.isEmpty() ? -1 : 0;
    used = 0;
  }

  /** Bytes reserved for the slabs. */
  public long reservedBytes() {
    return reserved;
  }

  /** Frees the slabs and releases the reservation. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    arena.close();
    consumer.release(reserved);
    reserved = 0;
  }
}
