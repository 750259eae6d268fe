package dev.amalgam.exec.run;

import dev.amalgam.memory.pool.MemoryConsumer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A worker's bump allocator for the vectors of the batch in flight: {@link #allocate} hands out
 * zeroed, 64-byte aligned slices of off-heap slabs; {@link #reset()} makes all of them free again
 * once the batch has left the pipeline. Slabs are reserved against the query's scratch consumer
 * before they are allocated and kept until {@link #close()}. An operator that makes many
 * allocations per input batch (a join emitting pieces) frees them when it is done with the batch
 * with {@link #mark()} and {@link #release(long)}, so that a chain of operators below one scan
 * batch does not pile up memory until the scan's {@link #reset()}.
 *
 * <p>A scratch lives for one pipeline on one worker, so a query makes many of them. Their slabs
 * come from, and go back to, a process-wide cache of idle slabs (at most {@link #IDLE_LIMIT} bytes,
 * the least recently returned dropped first and freed by the garbage collector), so that a pipeline
 * does not pay for allocating and zeroing fresh native memory, nor for closing a shared arena, each
 * time it starts. A slab is reserved against the query's consumer while a scratch holds it; idle
 * slabs in the cache are charged to no query. Slabs above {@link #CACHED_SLAB_LIMIT} are not
 * cached: they are freed when their scratch closes.
 *
 * <p>One thread uses a scratch at a time.
 */
public final class Scratch implements AutoCloseable {
  private static final long ALIGN = 64;
  private static final long MIN_SLAB = 256L << 10;

  private final MemoryConsumer consumer;

  /** The most bytes of idle slabs the process keeps for later scratches. */
  static final long IDLE_LIMIT = 64L << 20;

  /** Slabs above this size are not cached. */
  static final long CACHED_SLAB_LIMIT = 8L << 20;

  private static final ArrayDeque<MemorySegment> IDLE = new ArrayDeque<>();
  private static long idleBytes;

  private final List<MemorySegment> slabs = new ArrayList<>();
  private final List<Arena> bigArenas = new ArrayList<>();
  private int slab = -1;
  private long used;
  private long reserved;
  private boolean closed;

  /** A scratch charged to {@code consumer}. */
  public Scratch(MemoryConsumer consumer) {
    this.consumer = consumer;
  }

  /** A zeroed, aligned segment of {@code bytes} that lives until the next {@link #reset()}. */
  @SuppressWarnings("MustBeClosedChecker") // a big slab's arena is closed by close()
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
      MemorySegment s;
      if (slabBytes > CACHED_SLAB_LIMIT) {
        Arena a = Arena.ofShared();
        bigArenas.add(a);
        s = a.allocate(slabBytes, ALIGN);
      } else {
        s = takeIdle(slabBytes);
      }
      slabs.add(slab + 1, s);
      slab++;
      used = 0;
    }
  }

  /**
   * The allocation position now, for {@link #release(long)}: what is allocated after it can be
   * freed without freeing what was allocated before.
   */
  public long mark() {
    return ((long) (slab + 1) << 40) | used;
  }

  /**
   * Frees every segment handed out since {@code mark} (their contents become garbage); segments
   * from before it stay. Marks are released in the reverse order of taking them.
   */
  public void release(long mark) {
    int s = (int) (mark >>> 40) - 1;
    long u = mark & ((1L << 40) - 1);
    if (s > slab || (s == slab && u > used)) {
      throw new IllegalStateException("scratch mark " + mark + " is ahead of the position");
    }
    slab = s;
    used = u;
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
    for (MemorySegment s : slabs) {
      if (s.byteSize() <= CACHED_SLAB_LIMIT) {
        giveIdle(s);
      }
    }
    slabs.clear();
    for (Arena a : bigArenas) {
      a.close();
    }
    bigArenas.clear();
    consumer.release(reserved);
    reserved = 0;
  }

  /** An idle slab of exactly {@code bytes}, or a new one. */
  private static MemorySegment takeIdle(long bytes) {
    synchronized (IDLE) {
      for (Iterator<MemorySegment> it = IDLE.iterator(); it.hasNext(); ) {
        MemorySegment s = it.next();
        if (s.byteSize() == bytes) {
          it.remove();
          idleBytes -= bytes;
          return s;
        }
      }
    }
    return Arena.ofAuto().allocate(bytes, ALIGN);
  }

  /** Keeps {@code s} for a later scratch; drops the least recently returned past the limit. */
  private static void giveIdle(MemorySegment s) {
    synchronized (IDLE) {
      IDLE.addFirst(s);
      idleBytes += s.byteSize();
      while (idleBytes > IDLE_LIMIT) {
        idleBytes -= IDLE.removeLast().byteSize();
      }
    }
  }
}
