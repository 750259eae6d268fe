package dev.amalgam.memory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The last tier: page-sized slots in one file in the spill directory, created on first use and
 * deleted on close. Slots are reused through a free list. Reads and writes use positional channel
 * I/O, so several threads may spill at once.
 */
final class SpillFile implements AutoCloseable {
  private final Path directory;
  private final long pageSize;
  private final long capacitySlots;
  private final ArrayDeque<Long> freeSlots = new ArrayDeque<>();
  private @Nullable FileChannel channel;
  private @Nullable Path path;
  private long nextSlot;
  private long usedSlots;
  private boolean closed;

  final LongAdder writes = new LongAdder();
  final LongAdder reads = new LongAdder();
  final LongAdder bytesWritten = new LongAdder();
  final LongAdder bytesRead = new LongAdder();
  final LongAdder nanos = new LongAdder();

  /**
   * Opens a spill file whose limit is {@code capacityBytes} plus {@code headroomPages} pages: the
   * headroom is for pages in flight (a page read back from the spill file keeps its slot until the
   * page that makes room for it has been written out), so that allocations up to the sum of all
   * tiers always fit.
   */
  SpillFile(Path directory, long pageSize, long capacityBytes, long headroomPages) {
    this.directory = directory;
    this.pageSize = pageSize;
    this.capacitySlots = capacityBytes / pageSize + headroomPages;
    checkWritable(directory);
  }

  /** Fails with a clear message unless the directory exists (or can be made) and is writable. */
  static void checkWritable(Path directory) {
    try {
      Files.createDirectories(directory);
      Path probe = Files.createTempFile(directory, "amalgam-probe-", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw AmalgamMemoryException.spillFailed(
          "spill directory " + directory + " is not writable: " + e, e);
    }
  }

  long capacityBytes() {
    return capacitySlots * pageSize;
  }

  synchronized long usedBytes() {
    return usedSlots * pageSize;
  }

  String location() {
    Path p = path;
    return p != null ? p.toString() : directory.toString();
  }

  /** Takes a free slot; -1 when the file is at its limit. */
  synchronized long tryAllocateSlot() {
    if (closed) {
      throw AmalgamMemoryException.closed("spill file");
    }
    Long slot = freeSlots.pollFirst();
    if (slot == null) {
      if (nextSlot >= capacitySlots) {
        return -1;
      }
      slot = nextSlot++;
    }
    usedSlots++;
    return slot;
  }

  /** Returns a slot to the free list. */
  synchronized void freeSlot(long slot) {
    if (!closed) {
      freeSlots.addFirst(slot);
      usedSlots--;
    }
  }

  /** Writes one page from host memory into a slot. */
  void write(long slot, MemorySegment src) {
    long start = System.nanoTime();
    ByteBuffer buf = src.asSlice(0, pageSize).asByteBuffer();
    long pos = slot * pageSize;
    try {
      FileChannel ch = channel();
      while (buf.hasRemaining()) {
        pos += ch.write(buf, pos);
      }
    } catch (IOException e) {
      throw AmalgamMemoryException.spillFailed(
          "cannot write "
              + pageSize
              + " bytes at offset "
              + slot * pageSize
              + " of spill file "
              + location()
              + ": "
              + e.getMessage(),
          e);
    }
    writes.increment();
    bytesWritten.add(pageSize);
    nanos.add(System.nanoTime() - start);
  }

  /** Reads one page from a slot into host memory. */
  void read(long slot, MemorySegment dst) {
    long start = System.nanoTime();
    ByteBuffer buf = dst.asSlice(0, pageSize).asByteBuffer();
    long pos = slot * pageSize;
    try {
      FileChannel ch = channel();
      while (buf.hasRemaining()) {
        int n = ch.read(buf, pos);
        if (n < 0) {
          throw new IOException("unexpected end of file");
        }
        pos += n;
      }
    } catch (IOException e) {
      throw AmalgamMemoryException.spillFailed(
          "cannot read "
              + pageSize
              + " bytes at offset "
              + slot * pageSize
              + " of spill file "
              + location()
              + ": "
              + e.getMessage(),
          e);
    }
    reads.increment();
    bytesRead.add(pageSize);
    nanos.add(System.nanoTime() - start);
  }

  private synchronized FileChannel channel() throws IOException {
    if (closed) {
      throw new IOException("spill file is closed");
    }
    FileChannel ch = channel;
    if (ch == null) {
      Files.createDirectories(directory);
      Path p = Files.createTempFile(directory, "amalgam-spill-", ".pages");
      ch =
          FileChannel.open(
              p,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE,
              StandardOpenOption.DELETE_ON_CLOSE);
      channel = ch;
      path = p;
    }
    return ch;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    FileChannel ch = channel;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // The file is deleted on close; nothing else to release.
      }
    }
    Path p = path;
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // Best effort: DELETE_ON_CLOSE already removed it on most systems.
      }
    }
  }
}
