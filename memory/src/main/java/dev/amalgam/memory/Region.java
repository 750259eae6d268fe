package dev.amalgam.memory;

import dev.amalgam.memory.pool.MemoryConsumer;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A contiguous range of the unified virtual address space, cut into pages, owned by exactly one
 * holder and charged to a named memory consumer. Closing it frees every copy of its pages on every
 * tier and releases the reservation.
 *
 * <p>Its pages start as zeros with no copy anywhere; the first pin materializes a page on the
 * pinning device. A region made by {@link UnifiedMemory#mapReadOnly} is backed instead by host
 * memory it does not own (a file mapping, a foreign buffer): it is read-only, its host copy is that
 * memory itself, and evicting its pages costs nothing. All methods are thread-safe.
 */
public final class Region implements AutoCloseable {
  private final UnifiedMemory memory;
  private final long id;
  private final long basePage;
  private final long size;
  private final String consumerName;
  private final MemoryConsumer consumer;
  final PageEntry[] pages;
  private final @Nullable MemorySegment backing;
  private final @Nullable Runnable onFree;
  volatile boolean closed;

  Region(
      UnifiedMemory memory,
      long id,
      long basePage,
      long size,
      String consumerName,
      MemoryConsumer consumer,
      int devices,
      @Nullable MemorySegment backing,
      @Nullable Runnable onFree) {
    this.memory = memory;
    this.id = id;
    this.basePage = basePage;
    this.size = size;
    this.consumerName = consumerName;
    this.consumer = consumer;
    this.backing = backing;
    this.onFree = onFree;
    long pageSize = memory.pageSize();
    int n = Math.toIntExact((size + pageSize - 1) / pageSize);
    this.pages = new PageEntry[n];
    for (int i = 0; i < n; i++) {
      MemorySegment b = null;
      if (backing != null) {
        long at = i * pageSize;
        b = backing.asSlice(at, Math.min(pageSize, size - at));
      }
      pages[i] = new PageEntry(this, i, devices, b);
    }
  }

  /**
   * True when the region is read-only and backed by host memory it does not own ({@link
   * UnifiedMemory#mapReadOnly}).
   */
  public boolean isMapped() {
    return backing != null;
  }

  /** The host memory backing a mapped region, or null for an ordinary region. */
  public @Nullable MemorySegment backing() {
    return backing;
  }

  @Nullable Runnable onFree() {
    return onFree;
  }

  /** The region's id, unique within its memory. */
  public long id() {
    return id;
  }

  /** The virtual address of the region's first byte. */
  public long address() {
    return basePage * memory.pageSize();
  }

  /** The logical size in bytes. */
  public long size() {
    return size;
  }

  /** The retained size: whole pages. */
  public long retainedBytes() {
    return (long) pages.length * memory.pageSize();
  }

  /** Number of pages. */
  public int pageCount() {
    return pages.length;
  }

  /** The consumer the region is charged to. */
  public String consumer() {
    return consumerName;
  }

  /** The memory the region belongs to. */
  public UnifiedMemory memory() {
    return memory;
  }

  /** True once closed. */
  public boolean isClosed() {
    return closed;
  }

  /** Pins the whole region on a device. */
  public Pin pin(Device device, AccessMode mode) {
    return pin(0, size, device, mode);
  }

  /**
   * Pins a range on a device: makes its pages current there (moving or replicating them as the mode
   * and advice say), holds them against eviction, and returns a view. The view's segments are
   * confined to the calling thread.
   */
  public Pin pin(long offset, long length, Device device, AccessMode mode) {
    return memory.pin(this, offset, length, device, mode, false);
  }

  /** Like {@link #pin(long, long, Device, AccessMode)}, with segments usable from any thread. */
  public Pin pinShared(long offset, long length, Device device, AccessMode mode) {
    return memory.pin(this, offset, length, device, mode, true);
  }

  /** Starts moving the whole region to a device in the background; a hint. */
  public CompletableFuture<Integer> prefetch(Device device) {
    return prefetch(0, size, device);
  }

  /**
   * Starts moving a range to a device on the device's workers; a hint: pages that are pinned for
   * writing elsewhere, or that find no room, are skipped. Completes with the pages moved.
   */
  public CompletableFuture<Integer> prefetch(long offset, long length, Device device) {
    return memory.prefetch(this, offset, length, device);
  }

  /** Gives advice about the whole region. */
  public void advise(Advice advice, Device device) {
    advise(0, size, advice, device);
  }

  /** Gives advice about a range (the device is ignored for READ_MOSTLY). */
  public void advise(long offset, long length, Advice advice, Device device) {
    memory.advise(this, offset, length, advice, device, true);
  }

  /** Withdraws advice about the whole region. */
  public void clearAdvice(Advice advice, Device device) {
    memory.advise(this, 0, size, advice, device, false);
  }

  /** Moves every page with data to a device now (pinned copies elsewhere stay). */
  public void migrate(Device device) {
    memory.migrate(this, 0, size, device);
  }

  /**
   * Evicts the region's copies from a device, writing the only current copy down a tier first.
   * Pinned pages stay. Returns the pages evicted.
   */
  public int evict(Device device) {
    return memory.evict(this, 0, size, device);
  }

  /**
   * Copies bytes from host memory into the region at {@code offset}, one page at a time through
   * host pins (so a range larger than the host's capacity still goes through).
   */
  public void write(long offset, MemorySegment src) {
    Objects.requireNonNull(src, "src is null");
    transfer(offset, src, true);
  }

  /** Copies bytes of the region at {@code offset} into host memory, one page at a time. */
  public void read(long offset, MemorySegment dst) {
    Objects.requireNonNull(dst, "dst is null");
    transfer(offset, dst, false);
  }

  private void transfer(long offset, MemorySegment host, boolean write) {
    long len = host.byteSize();
    if (offset < 0 || offset > size - len) {
      throw AmalgamMemoryException.outOfRange(describe(), offset, len, size);
    }
    long pageSize = memory.pageSize();
    long done = 0;
    while (done < len) {
      long at = offset + done;
      long n = Math.min(len - done, pageSize - at % pageSize);
      AccessMode mode = write ? AccessMode.OVERWRITE : AccessMode.READ;
      try (Pin pin = pin(at, n, memory.host(), mode)) {
        if (write) {
          MemorySegment.copy(host, done, pin.segment(), 0, n);
        } else {
          MemorySegment.copy(pin.segment(), 0, host, done, n);
        }
      }
      done += n;
    }
  }

  /** A snapshot of page {@code index}'s page-table entry. */
  public PageInfo page(int index) {
    Objects.checkIndex(index, pages.length);
    return memory.pageInfo(pages[index]);
  }

  /**
   * Frees the region on every tier and releases its reservation; idempotent.
   *
   * @throws AmalgamMemoryException when a page is still pinned (nothing is freed then)
   */
  @Override
  public void close() {
    memory.free(this);
  }

  MemoryConsumer reservation() {
    return consumer;
  }

  String describe() {
    return "region #" + id + " ('" + consumerName + "', " + size + " bytes)";
  }

  @Override
  public String toString() {
    return describe();
  }
}
