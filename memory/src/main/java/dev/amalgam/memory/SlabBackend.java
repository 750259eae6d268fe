package dev.amalgam.memory;

import dev.amalgam.memory.spi.DeviceBackend;
import dev.amalgam.memory.spi.Frame;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host-addressable backend that carves fixed-size frames out of large off-heap slabs.
 *
 * <p>Frames of the configured frame size come from a free list (a push/pop under one short lock),
 * so that a migration costs one copy and no system call. Slabs are allocated from a shared {@link
 * Arena} on demand, never more than {@code capacity} bytes in all, and are freed together when the
 * backend closes. Frames of other sizes (rare) get their own allocation.
 *
 * <p>Used by the {@code host} backend (the CPU's DRAM) and the {@code sim} backend (a simulated
 * GPU: memory of its own, bounded by the device's capacity, with its own worker threads).
 */
final class SlabBackend implements DeviceBackend {
  private static final long MAX_SLAB = 64L << 20;

  private final String name;
  private final String deviceName;
  private final long frameSize;
  private final long capacity;
  private final long slabSize;
  private final Arena arena = Arena.ofShared();
  private final ArrayDeque<SegmentFrame> free = new ArrayDeque<>();
  private final ThreadPoolExecutor workers;
  private long reserved;
  private boolean closed;

  SlabBackend(String name, DeviceSpec spec, long frameSize) {
    this.name = name;
    this.deviceName = spec.name();
    this.frameSize = frameSize;
    this.capacity = spec.capacityBytes();
    long framesPerSlab = Math.max(1, MAX_SLAB / frameSize);
    this.slabSize = Math.min(framesPerSlab * frameSize, Math.max(frameSize, capacity));
    AtomicInteger n = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            spec.workers(),
            spec.workers(),
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "amalgam-" + deviceName + "-worker-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    workers.allowCoreThreadTimeOut(true);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean hostAddressable() {
    return true;
  }

  @Override
  public Frame allocate(long bytes) {
    if (bytes == frameSize) {
      synchronized (this) {
        checkOpen();
        SegmentFrame f = free.pollFirst();
        if (f != null) {
          return f;
        }
        if (reserved + slabSize > capacity && reserved + frameSize > capacity) {
          throw AmalgamMemoryException.backendFull(deviceName, capacity, reserved, bytes);
        }
        long size = reserved + slabSize <= capacity ? slabSize : frameSize;
        MemorySegment slab = arena.allocate(size, 64);
        reserved += size;
        for (long off = frameSize; off + frameSize <= size; off += frameSize) {
          free.addLast(new SegmentFrame(slab.asSlice(off, frameSize)));
        }
        return new SegmentFrame(slab.asSlice(0, frameSize));
      }
    }
    synchronized (this) {
      checkOpen();
      if (reserved + bytes > capacity) {
        throw AmalgamMemoryException.backendFull(deviceName, capacity, reserved, bytes);
      }
      reserved += bytes;
      return new SegmentFrame(arena.allocate(bytes, 64));
    }
  }

  @Override
  public void free(Frame frame) {
    SegmentFrame f = (SegmentFrame) frame;
    if (f.size() == frameSize) {
      synchronized (this) {
        if (!closed) {
          free.addFirst(f);
        }
      }
    }
    // Odd-sized frames stay allocated until the arena closes; the memory layer only uses pages.
  }

  @Override
  public void zero(Frame frame) {
    ((SegmentFrame) frame).segment().fill((byte) 0);
  }

  @Override
  public MemorySegment hostView(Frame frame) {
    return ((SegmentFrame) frame).segment();
  }

  @Override
  public void copyToHost(Frame src, long srcOffset, MemorySegment dst, long length) {
    MemorySegment.copy(((SegmentFrame) src).segment(), srcOffset, dst, 0, length);
  }

  @Override
  public void copyFromHost(MemorySegment src, Frame dst, long dstOffset, long length) {
    MemorySegment.copy(src, 0, ((SegmentFrame) dst).segment(), dstOffset, length);
  }

  @Override
  public ExecutorService workers() {
    return workers;
  }

  @Override
  public synchronized long reservedBytes() {
    return reserved;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      free.clear();
    }
    workers.shutdownNow();
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    arena.close();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("device '" + deviceName + "' is closed");
    }
  }

  /** A frame that is a slice of a slab. */
  record SegmentFrame(MemorySegment segment) implements Frame {
    @Override
    public long size() {
      return segment.byteSize();
    }
  }
}
