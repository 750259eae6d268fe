package dev.amalgam.arrowio.arrow;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A growable off-heap byte buffer that owns its memory (one arena per capacity step). */
final class GrowBuffer implements AutoCloseable {
  private Arena arena;
  private MemorySegment segment;
  private long size;

  @SuppressWarnings("MustBeClosedChecker") // the buffer owns the arena and closes it in close()
  GrowBuffer(long capacity) {
    this.arena = Arena.ofConfined();
    this.segment = arena.allocate(Math.max(64, capacity), 64);
  }

  long size() {
    return size;
  }

  /** The bytes written so far. */
  MemorySegment contents() {
    return segment.asSlice(0, size);
  }

  /** The whole allocated segment (bytes past {@link #size()} are zero or stale). */
  MemorySegment raw() {
    return segment;
  }

  /** Makes room for {@code bytes} bytes past the current size (new bytes are zero). */
  @SuppressWarnings("MustBeClosedChecker")
  void ensure(long bytes) {
    long need = size + bytes;
    if (need <= segment.byteSize()) {
      return;
    }
    long cap = Math.max(need, segment.byteSize() * 2);
    Arena a = Arena.ofConfined();
    MemorySegment s;
    try {
      s = a.allocate(cap, 64);
    } catch (RuntimeException | OutOfMemoryError e) {
      a.close();
      throw e;
    }
    MemorySegment.copy(segment, 0, s, 0, size);
    arena.close();
    arena = a;
    segment = s;
  }

  void append(MemorySegment src) {
    ensure(src.byteSize());
    MemorySegment.copy(src, 0, segment, size, src.byteSize());
    size += src.byteSize();
  }

  /** Sets the size (after writing into {@link #raw()} directly, having called ensure). */
  void size(long newSize) {
    this.size = newSize;
  }

  void reset() {
    segment.asSlice(0, size).fill((byte) 0);
    size = 0;
  }

  @Override
  public void close() {
    arena.close();
  }
}
