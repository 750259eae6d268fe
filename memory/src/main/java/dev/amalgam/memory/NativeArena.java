package dev.amalgam.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * An arena for short-lived native buffers that several threads read: memory from the C allocator
 * ({@code aligned_alloc}/{@code free}), zero-filled like any arena's, freed together when the arena
 * closes.
 *
 * <p>Closing a shared {@link Arena} makes every thread of the process take part in a handshake, so
 * that none is still reading the memory: 0.26-0.45 ms per close on this 2-core machine with about
 * 40 threads, against 1-2 µs for a confined one. Hash tables and intermediate chunks were allocated
 * in shared arenas, dozens per query. This arena's close is a {@code free} per block.
 *
 * <p>The price: its segments are in the global scope, so a segment read after {@link #close()} is
 * not detected (it reads freed memory). Use it only where one owner frees the memory after every
 * reader is done (a hash table's blocks, a chunk's buffers). Any thread may allocate, read and
 * write; closing while others still use the segments is the owner's error.
 */
public final class NativeArena implements Arena {
  private static final MethodHandle ALIGNED_ALLOC;
  private static final MethodHandle FREE;

  static {
    Linker linker = Linker.nativeLinker();
    SymbolLookup libc = linker.defaultLookup();
    ALIGNED_ALLOC =
        linker.downcallHandle(
            libc.find("aligned_alloc").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    FREE =
        linker.downcallHandle(
            libc.find("free").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
  }

  private final List<MemorySegment> blocks = new ArrayList<>();
  private boolean closed;

  private NativeArena() {}

  /** A new, empty arena. */
  public static NativeArena open() {
    return new NativeArena();
  }

  @Override
  public synchronized MemorySegment allocate(long byteSize, long byteAlignment) {
    if (closed) {
      throw new IllegalStateException("arena is closed");
    }
    if (byteSize < 0 || byteAlignment <= 0 || Long.bitCount(byteAlignment) != 1) {
      throw new IllegalArgumentException(
          "invalid size " + byteSize + " or alignment " + byteAlignment);
    }
    long align = Math.max(16, byteAlignment);
    long size = Math.max(align, (byteSize + align - 1) & -align); // a multiple of the alignment
    MemorySegment address;
    try {
      address = (MemorySegment) ALIGNED_ALLOC.invokeExact(align, size);
    } catch (Throwable t) {
      throw new IllegalStateException("aligned_alloc failed", t);
    }
    if (address.address() == 0) {
      throw new OutOfMemoryError("cannot allocate " + byteSize + " bytes of native memory");
    }
    MemorySegment s = address.reinterpret(byteSize);
    s.fill((byte) 0);
    blocks.add(address);
    return s;
  }

  @Override
  public MemorySegment.Scope scope() {
    return Arena.global().scope();
  }

  /** Frees every block; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (MemorySegment b : blocks) {
      try {
        FREE.invokeExact(b);
      } catch (Throwable t) {
        throw new IllegalStateException("free failed", t);
      }
    }
    blocks.clear();
  }
}
