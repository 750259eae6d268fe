package dev.amalgam.arrowio.arrow;

import dev.amalgam.memory.ResourceTracker;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A read-only memory mapping of a whole file, shared by the regions made over it and unmapped when
 * the last of them is freed. The reader holds one reference while it loads; each region one more.
 * Tracked for leak checks while mapped.
 */
final class MappedFile implements ResourceTracker.Tracked, AutoCloseable {
  private final Path path;
  private final Arena arena;
  private final MemorySegment segment;
  private final AtomicInteger refs = new AtomicInteger(1);

  private MappedFile(Path path, Arena arena, MemorySegment segment) {
    this.path = path;
    this.arena = arena;
    this.segment = segment;
    ResourceTracker.register(this);
  }

  /** Maps the file; the caller holds the first reference. */
  @SuppressWarnings("MustBeClosedChecker") // the mapping owns the arena until its last release
  static MappedFile map(Path path) throws IOException {
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      MemorySegment s =
          size == 0
              ? MemorySegment.NULL.reinterpret(0)
              : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      return new MappedFile(path, arena, s);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  Path path() {
    return path;
  }

  /** The whole file. */
  MemorySegment segment() {
    return segment;
  }

  /** Takes one more reference; the returned action releases it (once). */
  Runnable retain() {
    if (refs.getAndIncrement() <= 0) {
      refs.decrementAndGet();
      throw new IllegalStateException("mapping of " + path + " is closed");
    }
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        release();
      }
    };
  }

  /** Releases the reader's reference. */
  @Override
  public void close() {
    release();
  }

  private void release() {
    int left = refs.decrementAndGet();
    if (left == 0) {
      ResourceTracker.unregister(this);
      arena.close();
    }
  }

  @Override
  public String describe() {
    return "mapping of " + path + " (" + segment.byteSize() + " bytes, " + refs.get() + " refs)";
  }

  @Override
  public List<String> leaks() {
    return List.of();
  }
}
