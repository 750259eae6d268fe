package dev.amalgam.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread native scratch buffers for kernels.
 *
 * <p>Kernels read their inputs from native segments. Handing them heap segments ({@code
 * MemorySegment.ofArray}) as well makes the accessor call sites see several segment classes, and
 * the JIT then no longer inlines and hoists their bounds and liveness checks: a kernel loop over a
 * mix of heap and native segments measured several times slower than over native ones only. So
 * scratch space is native too: each thread keeps a few slots, grown on demand and freed by the
 * garbage collector with the thread (an automatic arena; no engine state).
 */
final class NativeScratch {

  /** The slot of a join-table probe's chunk (hashes, group ids, chain heads). */
  static final int PROBE_SLOT = 4;

  /** The slot of the string kernels' row or dictionary-entry selections. */
  static final int STRING_SLOT = 5;

  /** The slot of the string kernels' bitmap of matching dictionary entries. */
  static final int DICTIONARY_BITMAP_SLOT = 6;

  /** The slot of a partitioned join table's chunk lookup. */
  static final int PARTITION_SLOT = 7;

  private static final int SLOTS = 8;

  private static final ThreadLocal<MemorySegment[]> SLOTS_OF_THREAD =
      ThreadLocal.withInitial(() -> new MemorySegment[SLOTS]);

  private NativeScratch() {}

  /**
   * A native segment of exactly {@code bytes} bytes (64-byte aligned) for the calling thread's
   * {@code slot}. Its contents are undefined; it stays valid until the same thread asks for the
   * same slot again.
   */
  static MemorySegment get(int slot, long bytes) {
    return slot(slot, bytes);
  }

  /**
   * A native copy of {@code bytes} followed by {@code pad} zero bytes, freed by the garbage
   * collector (for constants that kernels read with the same accessors as columns).
   */
  static MemorySegment copyOf(byte[] bytes, int pad) {
    MemorySegment s = Arena.ofAuto().allocate(bytes.length + (long) pad, 8);
    MemorySegment.copy(bytes, 0, s, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
    return s;
  }

  private static MemorySegment slot(int slot, long bytes) {
    MemorySegment[] slots = SLOTS_OF_THREAD.get();
    MemorySegment s = slots[slot];
    if (s == null || s.byteSize() < bytes) {
      long size = Math.max(bytes, 1024);
      s = Arena.ofAuto().allocate(Long.highestOneBit(size - 1) << 1, 64);
      slots[slot] = s;
    }
    return s.asSlice(0, bytes);
  }
}
