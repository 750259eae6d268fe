package dev.amalgam.memory;

import dev.amalgam.memory.spi.DeviceBackend;
import dev.amalgam.memory.spi.Frame;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A test backend for a device whose memory the host cannot address, like a real GPU: frames keep
 * their bytes in private on-heap arrays that are never exposed, so the memory layer must stage
 * every transfer through host buffers with {@link #copyToHost}/{@link #copyFromHost} (or copy
 * directly to another opaque device with {@link #copyToPeer}, like an NVLink peer copy; the {@code
 * opaque-nopeer} variant cannot, so the memory layer must stage even over a direct link).
 *
 * <p>It checks the SPI's contract as it goes and records every breach in {@link #violations()}
 * (tests assert that list is empty): {@link #hostView} is never asked for, capacity is never
 * exceeded, a frame is never used after it is freed or freed twice, a frame is never written while
 * another thread reads or writes it, and no frame outlives {@link #close()}. New frames are filled
 * with junk, so a page the memory layer forgets to zero or copy in reads back wrong.
 */
final class OpaqueBackend implements DeviceBackend {
  /** The backend name topology files use: {@code backend=opaque}. */
  static final String NAME = "opaque";

  /** The name of the variant that cannot copy to a peer: the memory layer stages through host. */
  static final String NO_PEER_NAME = "opaque-nopeer";

  private static final byte JUNK = (byte) 0xDB;
  private static final ConcurrentLinkedQueue<String> VIOLATIONS = new ConcurrentLinkedQueue<>();
  private static final Set<OpaqueBackend> OPEN = ConcurrentHashMap.newKeySet();
  private static final AtomicLong NEXT_FRAME = new AtomicLong();

  private final String name;
  private final boolean peerCopy;
  private final String deviceName;
  private final long frameSize;
  private final long capacity;
  private final ThreadPoolExecutor workers;
  private long allocated; // guarded by this
  private long peak; // guarded by this
  private int liveFrames; // guarded by this
  private boolean closed; // guarded by this

  /** Frames copied directly to another opaque device. */
  final LongAdder peerCopies = new LongAdder();

  /** Copies out to host memory. */
  final LongAdder toHost = new LongAdder();

  /** Copies in from host memory. */
  final LongAdder fromHost = new LongAdder();

  OpaqueBackend(DeviceSpec spec, long frameSize, boolean peerCopy) {
    this.name = peerCopy ? NAME : NO_PEER_NAME;
    this.peerCopy = peerCopy;
    this.deviceName = spec.name();
    this.frameSize = frameSize;
    this.capacity = spec.capacityBytes();
    AtomicInteger n = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            spec.workers(),
            spec.workers(),
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "opaque-" + deviceName + "-worker-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    workers.allowCoreThreadTimeOut(true);
    OPEN.add(this);
  }

  /** Breaches of the SPI contract seen so far by any opaque backend. */
  static List<String> violations() {
    return List.copyOf(VIOLATIONS);
  }

  /** Forgets the breaches seen so far. */
  static void clearViolations() {
    VIOLATIONS.clear();
  }

  /** Opaque backends created and not yet closed. */
  static List<OpaqueBackend> open() {
    return List.copyOf(OPEN);
  }

  /** The backend of an opaque device of a unified memory. */
  static OpaqueBackend of(Device device) {
    return (OpaqueBackend) ((DeviceState) device).backend();
  }

  /** The backend that owns a frame handed out by a pin on an opaque device. */
  static OpaqueBackend owner(Frame frame) {
    return ((OpaqueFrame) frame).owner;
  }

  private void violation(String what) {
    VIOLATIONS.add("opaque device '" + deviceName + "': " + what);
  }

  /** The device this backend serves. */
  String deviceName() {
    return deviceName;
  }

  /** Frames allocated and not yet freed. */
  synchronized int liveFrames() {
    return liveFrames;
  }

  /** The most bytes of frames ever allocated at once. */
  synchronized long peakBytes() {
    return peak;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean hostAddressable() {
    return false;
  }

  @Override
  public Frame allocate(long bytes) {
    if (bytes <= 0) {
      violation("allocate(" + bytes + ")");
      throw new IllegalArgumentException("frame size must be positive, was " + bytes);
    }
    synchronized (this) {
      if (closed) {
        violation("allocate after close");
        throw new IllegalStateException("opaque device '" + deviceName + "' is closed");
      }
      if (allocated + bytes > capacity) {
        violation(
            "allocate("
                + bytes
                + ") beyond capacity "
                + capacity
                + " with "
                + allocated
                + " allocated: the memory layer did not enforce the device's capacity");
        throw new OutOfMemoryError(
            "opaque device '" + deviceName + "' is full: " + allocated + " of " + capacity);
      }
      allocated += bytes;
      peak = Math.max(peak, allocated);
      liveFrames++;
    }
    byte[] data = new byte[Math.toIntExact(bytes)];
    Arrays.fill(data, JUNK);
    return new OpaqueFrame(this, NEXT_FRAME.incrementAndGet(), data);
  }

  @Override
  public void free(Frame frame) {
    OpaqueFrame f = mine(frame, "free");
    if (!f.freed.compareAndSet(false, true)) {
      violation("frame #" + f.id + " freed twice");
      return;
    }
    if (f.readers.get() > 0 || f.writers.get() > 0) {
      violation("frame #" + f.id + " freed while a copy was using it");
    }
    synchronized (this) {
      allocated -= f.size();
      liveFrames--;
    }
  }

  @Override
  public void zero(Frame frame) {
    OpaqueFrame f = mine(frame, "zero");
    f.beginWrite("zero");
    try {
      Arrays.fill(f.data, (byte) 0);
    } finally {
      f.writers.decrementAndGet();
    }
  }

  @Override
  public MemorySegment hostView(Frame frame) {
    violation("hostView asked of a backend that is not host-addressable");
    throw new UnsupportedOperationException(
        "opaque device '" + deviceName + "' is not host-addressable");
  }

  @Override
  public void copyToHost(Frame src, long srcOffset, MemorySegment dst, long length) {
    OpaqueFrame f = mine(src, "copyToHost");
    checkRange(f, srcOffset, length, "copyToHost");
    f.beginRead("copyToHost");
    try {
      MemorySegment.copy(MemorySegment.ofArray(f.data), srcOffset, dst, 0, length);
    } finally {
      f.readers.decrementAndGet();
    }
    toHost.increment();
  }

  @Override
  public void copyFromHost(MemorySegment src, Frame dst, long dstOffset, long length) {
    OpaqueFrame f = mine(dst, "copyFromHost");
    checkRange(f, dstOffset, length, "copyFromHost");
    f.beginWrite("copyFromHost");
    try {
      MemorySegment.copy(src, 0, MemorySegment.ofArray(f.data), dstOffset, length);
    } finally {
      f.writers.decrementAndGet();
    }
    fromHost.increment();
  }

  @Override
  public boolean copyToPeer(Frame src, DeviceBackend dstBackend, Frame dst, long length) {
    if (!peerCopy || !(dstBackend instanceof OpaqueBackend peer) || !peer.peerCopy) {
      return false;
    }
    OpaqueFrame s = mine(src, "copyToPeer");
    OpaqueFrame d = peer.mine(dst, "copyToPeer");
    checkRange(s, 0, length, "copyToPeer");
    checkRange(d, 0, length, "copyToPeer");
    s.beginRead("copyToPeer");
    try {
      d.beginWrite("copyToPeer");
      try {
        System.arraycopy(s.data, 0, d.data, 0, Math.toIntExact(length));
      } finally {
        d.writers.decrementAndGet();
      }
    } finally {
      s.readers.decrementAndGet();
    }
    peerCopies.increment();
    return true;
  }

  @Override
  public ExecutorService workers() {
    return workers;
  }

  @Override
  public synchronized long reservedBytes() {
    return allocated;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (liveFrames > 0) {
        violation(liveFrames + " frames still allocated at close: the memory layer leaked them");
      }
    }
    workers.shutdownNow();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        violation("workers did not stop within 10 s of close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    OPEN.remove(this);
  }

  private OpaqueFrame mine(Frame frame, String op) {
    Objects.requireNonNull(frame, "frame is null");
    if (!(frame instanceof OpaqueFrame f) || f.owner != this) {
      violation(op + " of a frame of another backend: " + frame);
      throw new IllegalArgumentException("not a frame of opaque device '" + deviceName + "'");
    }
    if (f.freed.get()) {
      violation(op + " of frame #" + f.id + " after it was freed");
      throw new IllegalStateException("frame #" + f.id + " of '" + deviceName + "' is freed");
    }
    synchronized (this) {
      if (closed) {
        violation(op + " after close");
        throw new IllegalStateException("opaque device '" + deviceName + "' is closed");
      }
    }
    return f;
  }

  private void checkRange(OpaqueFrame f, long offset, long length, String op) {
    if (offset < 0 || length < 0 || offset + length > f.data.length) {
      violation(op + " range [" + offset + ", " + (offset + length) + ") outside frame #" + f.id);
      throw new IndexOutOfBoundsException(op + " [" + offset + ", " + (offset + length) + ")");
    }
  }

  /** A list of what each opaque backend holds, for failure messages. */
  static String describeOpen() {
    List<String> out = new ArrayList<>();
    for (OpaqueBackend b : OPEN) {
      out.add(b.deviceName + ": " + b.reservedBytes() + " bytes in " + b.liveFrames() + " frames");
    }
    return String.join(", ", out);
  }

  @Override
  public String toString() {
    return name + " backend of '" + deviceName + "' (frames of " + frameSize + " bytes)";
  }

  /** A frame: bytes in a private array; readers and writers counted to catch racing copies. */
  private static final class OpaqueFrame implements Frame {
    final OpaqueBackend owner;
    final long id;
    final byte[] data;
    final AtomicBoolean freed = new AtomicBoolean();
    final AtomicInteger readers = new AtomicInteger();
    final AtomicInteger writers = new AtomicInteger();

    OpaqueFrame(OpaqueBackend owner, long id, byte[] data) {
      this.owner = owner;
      this.id = id;
      this.data = data;
    }

    /** Counts a reader; a writer at the same time is a breach (the page was copied mid-write). */
    void beginRead(String op) {
      readers.incrementAndGet();
      if (writers.get() > 0) {
        owner.violation(op + " read frame #" + id + " while it was being written");
      }
    }

    /** Counts a writer; anyone else at the same time is a breach. */
    void beginWrite(String op) {
      int w = writers.incrementAndGet();
      if (w > 1 || readers.get() > 0) {
        owner.violation(op + " wrote frame #" + id + " while another copy used it");
      }
    }

    @Override
    public long size() {
      return data.length;
    }

    @Override
    public String toString() {
      return "opaque frame #" + id + " of '" + owner.deviceName + "'";
    }
  }
}
