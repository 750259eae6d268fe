package dev.amalgam.memory;

import dev.amalgam.memory.spi.Frame;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * An open pin: a range of a region made current on one device and held there against eviction until
 * the pin is closed. Closing it unpins; closing it twice is an error.
 *
 * <p>On a host-addressable device the pin exposes the bytes as {@link MemorySegment}s, one chunk
 * per page (pages of a range need not be contiguous in device memory), or as one {@link #segment()}
 * when the range lies within one page. The segments belong to the pin: using one after the pin is
 * closed throws {@link IllegalStateException}. They are confined to the thread that opened the pin
 * unless it was opened with {@link Region#pinShared}. On a device the host cannot address, {@link
 * #frame(int)} gives the backend's frames instead.
 */
public final class Pin implements AutoCloseable {
  private final Region region;
  private final DeviceState device;
  private final AccessMode mode;
  private final long offset;
  private final long length;
  private final int firstPage;
  private final Frame[] frames;
  private final int[] servedBy;
  private final boolean shared;
  private @Nullable Arena arena;
  private MemorySegment @Nullable [] chunks;
  private boolean closed;

  Pin(
      Region region,
      DeviceState device,
      AccessMode mode,
      long offset,
      long length,
      int firstPage,
      Frame[] frames,
      int[] servedBy,
      boolean shared) {
    this.region = region;
    this.device = device;
    this.mode = mode;
    this.offset = offset;
    this.length = length;
    this.firstPage = firstPage;
    this.frames = frames;
    this.servedBy = servedBy;
    this.shared = shared;
  }

  /** Creates the views on first use: the arena is confined to the thread that asks first. */
  @SuppressWarnings("MustBeClosedChecker") // the pin owns the arena and closes it in close()
  private MemorySegment[] views() {
    MemorySegment[] c = chunks;
    if (c != null) {
      return c;
    }
    if (!device.hostAddressable()) {
      throw AmalgamMemoryException.notAddressable(
          "device '" + device.name() + "' is not host-addressable: use frame(i) with its backend");
    }
    Arena a = shared ? Arena.ofShared() : Arena.ofConfined();
    UnifiedMemory memory = region.memory();
    long pageSize = memory.pageSize();
    c = new MemorySegment[frames.length];
    for (int i = 0; i < frames.length; i++) {
      long pageStart = (long) (firstPage + i) * pageSize;
      long from = Math.max(offset, pageStart);
      long to = Math.min(offset + length, pageStart + pageSize);
      MemorySegment view = memory.hostView(servedBy[i], frames[i]);
      c[i] = view.asSlice(from - pageStart, to - from).reinterpret(a, null);
    }
    arena = a;
    chunks = c;
    return c;
  }

  /** The pinned region. */
  public Region region() {
    return region;
  }

  /** The device the range is pinned on. */
  public Device device() {
    return device;
  }

  /** How the pin accesses the range. */
  public AccessMode mode() {
    return mode;
  }

  /** Offset of the range within the region. */
  public long offset() {
    return offset;
  }

  /** Length of the range in bytes. */
  public long length() {
    return length;
  }

  /** Number of chunks: one per page the range touches. */
  public int chunkCount() {
    return frames.length;
  }

  /** Offset within the region at which chunk {@code i} starts. */
  public long chunkOffset(int i) {
    return Math.max(offset, (long) (firstPage + i) * region.memory().pageSize());
  }

  /** The bytes of chunk {@code i}, as a host segment. */
  public MemorySegment chunk(int i) {
    checkOpen();
    return views()[i];
  }

  /**
   * The whole range as one host segment.
   *
   * @throws AmalgamMemoryException when the range spans several pages or the device is not
   *     host-addressable
   */
  public MemorySegment segment() {
    checkOpen();
    if (frames.length == 0) {
      return MemorySegment.NULL.reinterpret(0);
    }
    if (frames.length > 1) {
      throw AmalgamMemoryException.notAddressable(
          String.format(
              "range [%d, %d) of %s spans %d pages of %d bytes: use chunk(i) per page",
              offset,
              offset + length,
              region.describe(),
              frames.length,
              region.memory().pageSize()));
    }
    return views()[0];
  }

  /** The backend frame behind chunk {@code i} (for device backends). */
  public Frame frame(int i) {
    checkOpen();
    return frames[i];
  }

  /** True once the pin is closed. */
  public boolean isClosed() {
    return closed;
  }

  int firstPage() {
    return firstPage;
  }

  int servedBy(int i) {
    return servedBy[i];
  }

  /**
   * Unpins the range.
   *
   * @throws AmalgamMemoryException when the pin was already closed
   */
  @Override
  public void close() {
    if (closed) {
      throw AmalgamMemoryException.unpinnedTwice(toString());
    }
    Arena a = arena;
    if (a != null) {
      a.close();
    }
    closed = true;
    region.memory().unpin(this);
  }

  private void checkOpen() {
    if (closed) {
      throw AmalgamMemoryException.closed("pin " + this);
    }
  }

  @Override
  public String toString() {
    return String.format(
        "%s [%d, %d) of %s on %s", mode, offset, offset + length, region.describe(), device.name());
  }
}
