package dev.amalgam.memory;

import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryPool;
import dev.amalgam.memory.spi.DeviceBackend;
import dev.amalgam.memory.spi.DeviceBackendProvider;
import dev.amalgam.memory.spi.Frame;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The unified address space of a fused device: one virtual range of pages whose copies the engine
 * places on the topology's devices, replicates, migrates over the modeled links, and evicts down
 * the tiers GPU -> host -> spill file.
 *
 * <p>Open one with {@link #open(Topology)} or {@link #builder()}, allocate {@link Region}s, and
 * reach their bytes through {@link Region#pin}. Close it when done: every region must be closed
 * first (the memory reports leaks), and no pin may be open.
 */
public final class UnifiedMemory implements AutoCloseable, ResourceTracker.Tracked {
  /*
   * Concurrency. Every page-table entry has its own lock. A pin locks one page at a time, in
   * ascending order, and waits (releasing the lock) while pins on other devices conflict: a write
   * needs no pins elsewhere, a read needs no writer elsewhere, so a page is never copied while it
   * is being written. Making room on a device while holding a page's lock only tryLocks victims,
   * so eviction never blocks on another page and cannot deadlock; a victim that is locked or pinned
   * is skipped. Capacity is charged with a CAS before a frame is allocated, and the policy cache is
   * updated so that it never holds more entries than pages charged (untrack before discharge,
   * charge before track), so Caffeine never evicts on its own.
   *
   * Closing the memory while pins are open is refused (pin views would outlive their frames): a
   * pin increments openPins before it checks the closing flag, close sets the flag before it reads
   * openPins.
   */

  private static final long DEFAULT_PAGE_SIZE = 2L << 20;

  private final Topology topology;
  private final long pageSize;
  private final DeviceState[] devices;
  private final DeviceState host;
  private final FusedDevice fused;
  private final Transfers transfers;
  private final SpillFile spill;
  private final MemoryPool pool;
  private final boolean ownsPool;
  private final long pinTimeoutNanos;
  private final long allTiersBytes;
  private final Map<String, MemoryConsumer> consumers = new ConcurrentHashMap<>();
  private final ConcurrentSkipListMap<Long, Region> regions = new ConcurrentSkipListMap<>();
  private final AtomicLong nextPage = new AtomicLong();
  private final AtomicLong nextRegionId = new AtomicLong(1);
  private final AtomicLong allocated = new AtomicLong();
  private final AtomicLong openPins = new AtomicLong();
  private final Set<CompletableFuture<Integer>> prefetches = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;
  private volatile boolean closed;

  private UnifiedMemory(Builder b) {
    this.topology = b.topology;
    this.pageSize = b.pageSize;
    this.pinTimeoutNanos = b.pinTimeout.toNanos();
    List<DeviceSpec> specs = topology.devices();
    if (specs.size() > 63) {
      throw new IllegalArgumentException(
          "topology " + topology.name() + " has " + specs.size() + " devices; at most 63");
    }
    for (DeviceSpec s : specs) {
      if (s.capacityBytes() < pageSize) {
        throw new IllegalArgumentException(
            String.format(
                "device '%s' capacity %s is smaller than one page (%s)",
                s.name(), Sizes.bytes(s.capacityBytes()), Sizes.bytes(pageSize)));
      }
    }
    Path spillDir = b.spillDirectory;
    long spillCapacity = b.spillCapacity >= 0 ? b.spillCapacity : defaultSpillCapacity(spillDir);
    int workers = 0;
    for (DeviceSpec s : specs) {
      workers += s.workers();
    }
    this.spill = new SpillFile(spillDir, pageSize, spillCapacity, 16 + 2L * workers);
    long spillLimit = spillCapacity / pageSize * pageSize;
    this.devices = new DeviceState[specs.size()];
    try {
      for (int i = 0; i < devices.length; i++) {
        devices[i] =
            new DeviceState(i, specs.get(i), createBackend(specs.get(i), pageSize), pageSize);
      }
    } catch (RuntimeException e) {
      for (DeviceState d : devices) {
        if (d != null) {
          d.backend().close();
        }
      }
      throw e;
    }
    this.host = devices[topology.indexOf(topology.host().name())];
    List<Device> members = new ArrayList<>();
    for (DeviceSpec m : topology.members()) {
      members.add(devices[topology.indexOf(m.name())]);
    }
    this.fused = new FusedDevice(topology.name(), members, host);
    this.transfers = new Transfers(topology, devices, pageSize);
    long tiers = spillLimit;
    for (DeviceState d : devices) {
      tiers += d.capacity();
    }
    this.allTiersBytes = tiers;
    MemoryPool given = b.pool;
    this.ownsPool = given == null;
    this.pool =
        given != null ? given : MemoryPool.create("unified-memory:" + topology.name(), tiers);
    ResourceTracker.register(this);
  }

  private static long defaultSpillCapacity(Path dir) {
    try {
      Files.createDirectories(dir);
      long usable = Files.getFileStore(dir).getUsableSpace();
      return Math.min(usable / 2, 64L * Sizes.GiB);
    } catch (IOException e) {
      throw AmalgamMemoryException.spillFailed(
          "spill directory " + dir + " is not usable: " + e, e);
    }
  }

  private static DeviceBackend createBackend(DeviceSpec spec, long pageSize) {
    switch (spec.backend()) {
      case "host", "sim" -> {
        return new SlabBackend(spec.backend(), spec, pageSize);
      }
      default -> {
        List<String> known = new ArrayList<>(List.of("host", "sim"));
        for (DeviceBackendProvider p : ServiceLoader.load(DeviceBackendProvider.class)) {
          if (p.name().equals(spec.backend())) {
            return p.create(spec, pageSize);
          }
          known.add(p.name());
        }
        throw AmalgamMemoryException.unknownBackend(
            spec.backend(), spec.name(), String.join(", ", known));
      }
    }
  }

  /** Opens a unified memory over a topology with default settings (2 MiB pages). */
  public static UnifiedMemory open(Topology topology) {
    return builder().topology(topology).build();
  }

  /** A builder with defaults: the {@code fused-pair} preset, 2 MiB pages, spill under tmpdir. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link UnifiedMemory}. */
  public static final class Builder {
    private Topology topology = Topology.preset(Topology.DEFAULT_PRESET);
    private long pageSize = DEFAULT_PAGE_SIZE;
    private Path spillDirectory = Path.of(System.getProperty("java.io.tmpdir"), "amalgam-spill");
    private long spillCapacity = -1;
    private @Nullable MemoryPool pool;
    private Duration pinTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** The devices and links. */
    public Builder topology(Topology topology) {
      this.topology = Objects.requireNonNull(topology, "topology is null");
      return this;
    }

    /** Bytes per page: a power of two from 256 bytes to 1 GiB (default 2 MiB). */
    public Builder pageSize(long pageSize) {
      if (pageSize < 256 || pageSize > Sizes.GiB || Long.bitCount(pageSize) != 1) {
        throw new IllegalArgumentException(
            "page size must be a power of two from 256 bytes to 1 GiB, was " + pageSize);
      }
      this.pageSize = pageSize;
      return this;
    }

    /** Where the spill file goes (created if missing; must be writable). */
    public Builder spillDirectory(Path dir) {
      this.spillDirectory = Objects.requireNonNull(dir, "dir is null");
      return this;
    }

    /** Limit of the spill file (default: half the free disk space, at most 64 GiB). */
    public Builder spillCapacity(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("spill capacity must not be negative, was " + bytes);
      }
      this.spillCapacity = bytes;
      return this;
    }

    /** Charges regions to this pool instead of a pool of the memory's own. */
    public Builder pool(MemoryPool pool) {
      this.pool = Objects.requireNonNull(pool, "pool is null");
      return this;
    }

    /** How long a pin waits for conflicting pins on other devices (default 30 s). */
    public Builder pinTimeout(Duration timeout) {
      this.pinTimeout = Objects.requireNonNull(timeout, "timeout is null");
      return this;
    }

    /** Opens the memory. */
    public UnifiedMemory build() {
      return new UnifiedMemory(this);
    }
  }

  // ---------------------------------------------------------------- accessors

  /** The topology. */
  public Topology topology() {
    return topology;
  }

  /** Bytes per page. */
  public long pageSize() {
    return pageSize;
  }

  /** The fused device: the members users compute on. */
  public FusedDevice fusedDevice() {
    return fused;
  }

  /** Every device, host included, in topology order. */
  public List<Device> devices() {
    return List.of(devices);
  }

  /** The device of that name. */
  public Device device(String name) {
    for (DeviceState d : devices) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    throw AmalgamMemoryException.unknownDevice(
        name, java.util.Arrays.stream(devices).map(Device::name).collect(Collectors.joining(", ")));
  }

  /** The host device. */
  public Device host() {
    return host;
  }

  /** The pool regions are charged to. */
  public MemoryPool pool() {
    return pool;
  }

  /** Bytes of live regions, in whole pages. */
  public long allocatedBytes() {
    return allocated.get();
  }

  /** Bytes all tiers together can hold: every device's capacity plus the spill file's limit. */
  public long allTiersBytes() {
    return allTiersBytes;
  }

  /** Modeled seconds to move {@code bytes} from one device to another over the fastest route. */
  public double modeledTransferSeconds(Device from, Device to, long bytes) {
    return transfers.modeledSeconds(state(from).id(), state(to).id(), bytes);
  }

  /** The route a page takes from one device to another. */
  public Route route(Device from, Device to) {
    return transfers.route(state(from).id(), state(to).id());
  }

  DeviceState device(int id) {
    return devices[id];
  }

  private DeviceState state(Device device) {
    Objects.requireNonNull(device, "device is null");
    if (device instanceof DeviceState s && s.id() < devices.length && devices[s.id()] == s) {
      return s;
    }
    throw AmalgamMemoryException.unknownDevice(
        device.name() + " (of another memory)",
        java.util.Arrays.stream(devices).map(Device::name).collect(Collectors.joining(", ")));
  }

  private void checkOpen() {
    if (closed) {
      throw AmalgamMemoryException.closed("unified memory on " + topology.name());
    }
  }

  // ---------------------------------------------------------------- allocation

  /**
   * Allocates a region of {@code bytes} charged to the named consumer. Its pages hold zeros and
   * live nowhere until first pinned.
   *
   * @throws AmalgamMemoryException when all tiers together could never hold it
   * @throws dev.amalgam.memory.pool.MemoryLimitExceededException when the pool's limit is reached
   */
  public Region allocate(long bytes, String consumer) {
    Objects.requireNonNull(consumer, "consumer is null");
    if (bytes <= 0) {
      throw new IllegalArgumentException("region size must be positive, was " + bytes);
    }
    return newRegion(bytes, consumer, null, null);
  }

  /**
   * Makes host memory that something else owns (a read-only file mapping, a buffer of another
   * library) a read-only region, without copying it. Page {@code i} of the region is backed by
   * bytes {@code [i * pageSize, (i + 1) * pageSize)} of the segment: a read pin on the host uses
   * those bytes in place, a pin on another device copies them there (migrating or replicating as
   * for any region), and evicting such a page never writes it anywhere. Write pins are refused with
   * {@code READ_ONLY}. The region is charged to the consumer like any other (whole pages).
   *
   * <p>The segment must stay valid until the region is freed; {@code onFree}, if given, runs once
   * after that (e.g. to unmap the file or release a foreign buffer), also when the memory's close
   * frees a region left open.
   *
   * @throws IllegalArgumentException when the segment is empty or not native memory
   */
  public Region mapReadOnly(MemorySegment segment, String consumer, @Nullable Runnable onFree) {
    Objects.requireNonNull(segment, "segment is null");
    Objects.requireNonNull(consumer, "consumer is null");
    if (segment.byteSize() <= 0) {
      throw new IllegalArgumentException("a mapped region must not be empty");
    }
    if (!segment.isNative()) {
      throw new IllegalArgumentException("a mapped region needs native memory, not a heap segment");
    }
    if (!host.hostAddressable()) {
      throw AmalgamMemoryException.notAddressable(
          "host device '" + host.name() + "' is not host-addressable: cannot map memory");
    }
    return newRegion(segment.byteSize(), consumer, segment, onFree);
  }

  private Region newRegion(
      long bytes, String consumer, @Nullable MemorySegment backing, @Nullable Runnable onFree) {
    checkOpen();
    long pages = (bytes + pageSize - 1) / pageSize;
    if (pages > Integer.MAX_VALUE) {
      throw AmalgamMemoryException.tooLarge(bytes, allocated.get(), allTiersBytes, tiers());
    }
    long retained = pages * pageSize;
    while (true) {
      long a = allocated.get();
      if (a + retained > allTiersBytes) {
        throw AmalgamMemoryException.tooLarge(bytes, a, allTiersBytes, tiers());
      }
      if (allocated.compareAndSet(a, a + retained)) {
        break;
      }
    }
    MemoryConsumer c;
    try {
      c = consumers.computeIfAbsent(consumer, pool::consumer);
      c.reserve(retained);
    } catch (RuntimeException e) {
      allocated.addAndGet(-retained);
      throw e;
    }
    long base = nextPage.getAndAdd(pages);
    Region r =
        new Region(
            this,
            nextRegionId.getAndIncrement(),
            base,
            bytes,
            consumer,
            c,
            devices.length,
            backing,
            onFree);
    regions.put(base, r);
    if (closed) {
      free(r);
      throw AmalgamMemoryException.closed("unified memory on " + topology.name());
    }
    return r;
  }

  private String tiers() {
    StringBuilder sb = new StringBuilder();
    for (DeviceState d : devices) {
      sb.append(d.name()).append(' ').append(Sizes.bytes(d.capacity())).append(", ");
    }
    return sb.append("spill ").append(Sizes.bytes(allTiersBytes - deviceBytes())).toString();
  }

  private long deviceBytes() {
    long sum = 0;
    for (DeviceState d : devices) {
      sum += d.capacity();
    }
    return sum;
  }

  /** Finds the live region holding a virtual address, or null. */
  public @Nullable Region regionAt(long address) {
    Map.Entry<Long, Region> e = regions.floorEntry(address / pageSize);
    if (e == null) {
      return null;
    }
    Region r = e.getValue();
    return address < r.address() + r.size() ? r : null;
  }

  void free(Region r) {
    PageEntry[] pages = r.pages;
    int locked = 0;
    try {
      for (; locked < pages.length; locked++) {
        pages[locked].lock.lock();
      }
      if (r.closed) {
        return;
      }
      for (PageEntry e : pages) {
        if (e.pinTotal > 0) {
          throw AmalgamMemoryException.stillInUse(
              "cannot close " + r.describe() + ": " + e.describe() + " is pinned " + pinsOf(e));
        }
      }
      r.closed = true;
      for (PageEntry e : pages) {
        for (int d = 0; d < devices.length; d++) {
          if (e.copies[d] != null) {
            dropCopy(e, d);
          }
        }
        if (e.spillSlot >= 0) {
          spill.freeSlot(e.spillSlot);
          e.spillSlot = -1;
        }
        e.spillCurrent = false;
        e.zero = true;
        e.signalPinsChanged();
      }
    } finally {
      for (int i = 0; i < locked; i++) {
        pages[i].lock.unlock();
      }
    }
    regions.remove(r.address() / pageSize, r);
    allocated.addAndGet(-r.retainedBytes());
    r.reservation().release(r.retainedBytes());
    Runnable onFree = r.onFree();
    if (onFree != null) {
      onFree.run();
    }
  }

  /** A host view of a frame on a device: the backing bytes for a mapped page's host copy. */
  MemorySegment hostView(int device, Frame f) {
    return f instanceof MappedFrame m ? m.segment() : devices[device].backend().hostView(f);
  }

  private String pinsOf(PageEntry e) {
    StringBuilder sb = new StringBuilder();
    for (int d = 0; d < devices.length; d++) {
      if (e.pins[d] > 0) {
        sb.append(sb.isEmpty() ? "on " : ", ")
            .append(devices[d].name())
            .append(" (")
            .append(e.pins[d])
            .append(e.pins[d] == 1 ? " pin" : " pins")
            .append(e.writer == d ? ", writing)" : ")");
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- pins

  Pin pin(Region r, long offset, long length, Device device, AccessMode mode, boolean shared) {
    Objects.requireNonNull(mode, "mode is null");
    DeviceState d = state(device);
    if (offset < 0 || length < 0 || offset > r.size() - length) {
      throw AmalgamMemoryException.outOfRange(r.describe(), offset, length, r.size());
    }
    openPins.incrementAndGet();
    try {
      if (closing || closed) {
        throw AmalgamMemoryException.closed("unified memory on " + topology.name());
      }
      if (r.closed) {
        throw AmalgamMemoryException.closed(r.describe());
      }
      if (mode.writes() && r.isMapped()) {
        throw AmalgamMemoryException.readOnly(r.describe(), mode);
      }
      if (length == 0) {
        return new Pin(r, d, mode, offset, 0, 0, new Frame[0], new int[0], shared);
      }
      int first = (int) (offset / pageSize);
      int last = (int) ((offset + length - 1) / pageSize);
      int n = last - first + 1;
      Frame[] frames = new Frame[n];
      int[] servedBy = new int[n];
      int done = 0;
      try {
        for (; done < n; done++) {
          int p = first + done;
          long pageStart = (long) p * pageSize;
          long pageEnd = Math.min(pageStart + pageSize, r.size());
          // Only the last page may skip copying its old bytes in: an earlier page that dropped
          // them could not get them back if a later page then failed (timeout, device full).
          boolean full = done == n - 1 && offset <= pageStart && offset + length >= pageEnd;
          pinPage(r.pages[p], d, mode, full, frames, servedBy, done);
        }
        return new Pin(r, d, mode, offset, length, first, frames, servedBy, shared);
      } catch (RuntimeException | Error e) {
        for (int i = 0; i < done; i++) {
          unpinPage(r.pages[first + i], servedBy[i], mode);
        }
        throw e;
      }
    } catch (RuntimeException | Error e) {
      openPins.decrementAndGet();
      throw e;
    }
  }

  private void pinPage(
      PageEntry e,
      DeviceState d,
      AccessMode mode,
      boolean full,
      Frame[] frames,
      int[] servedBy,
      int i) {
    e.lock.lock();
    try {
      if (e.region.closed) {
        throw AmalgamMemoryException.closed(e.region.describe());
      }
      awaitNoConflict(e, d, mode);
      int served = d.id();
      if (!mode.writes()
          && (e.accessedBy & (1L << d.id())) != 0
          && !e.currentOn(d.id())
          && d.hostAddressable()) {
        int src = cheapestCurrent(e, d.id(), true);
        if (src >= 0) {
          served = src;
          d.remoteReads.increment();
          transfers.accountRemote(src, d.id(), pageSize);
        }
      }
      if (served == d.id()) {
        ensureCurrent(e, d, mode, full, false);
      }
      e.pins[served]++;
      e.pinTotal++;
      if (mode.writes()) {
        e.writePins++;
        e.writer = served;
      }
      if ((e.accesses[d.id()]++ & 7) == 0) {
        devices[served].touch(e);
      }
      d.pins.increment();
      Frame f = e.copies[served];
      frames[i] = Objects.requireNonNull(f, "pinned page has no frame");
      servedBy[i] = served;
    } finally {
      e.lock.unlock();
    }
  }

  /** Waits (page locked) until access in mode on d does not conflict with other devices' pins. */
  private void awaitNoConflict(PageEntry e, DeviceState d, AccessMode mode) {
    if (!e.conflicts(d.id(), mode)) {
      return;
    }
    boolean ok;
    try {
      ok = e.awaitNoConflict(d.id(), mode, pinTimeoutNanos);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw AmalgamMemoryException.pinTimeout(
          e.describe(), d.name(), pinsOf(e) + " (interrupted)", 0);
    }
    if (!ok) {
      throw AmalgamMemoryException.pinTimeout(
          e.describe(), d.name(), pinsOf(e), pinTimeoutNanos / 1_000_000);
    }
    if (e.region.closed) {
      throw AmalgamMemoryException.closed(e.region.describe());
    }
  }

  void unpin(Pin pin) {
    try {
      Region r = pin.region();
      for (int i = 0; i < pin.chunkCount(); i++) {
        unpinPage(r.pages[pin.firstPage() + i], pin.servedBy(i), pin.mode());
      }
    } finally {
      openPins.decrementAndGet();
    }
  }

  private void unpinPage(PageEntry e, int device, AccessMode mode) {
    e.lock.lock();
    try {
      e.pins[device]--;
      e.pinTotal--;
      if (mode.writes() && --e.writePins == 0) {
        e.writer = -1;
      }
      e.signalPinsChanged();
    } finally {
      e.lock.unlock();
    }
  }

  // ---------------------------------------------------------------- the page state machine

  /** Makes the page current on d for mode (page locked, no conflicting pins). */
  private void ensureCurrent(
      PageEntry e, DeviceState d, AccessMode mode, boolean full, boolean prefetch) {
    int id = d.id();
    long bit = 1L << id;
    if (e.zero) {
      Frame f = allocateFrame(d, e, !prefetch);
      if (!(mode == AccessMode.OVERWRITE && full)) {
        d.backend().zero(f);
      }
      e.copies[id] = f;
      e.current = bit;
      e.zero = false;
      d.track(e);
      return;
    }
    if ((e.current & bit) == 0) {
      Frame f;
      MemorySegment backing = e.backing;
      if (backing != null && d == host) {
        // a mapped page's host copy is its backing bytes: charge the page, copy nothing
        if (!makeRoom(d, e, prefetch ? 1 : 2000)) {
          throw deviceFull(d);
        }
        f = new MappedFrame(backing);
      } else {
        f = allocateFrame(d, e, !prefetch);
        try {
          if (!(mode == AccessMode.OVERWRITE && full)) {
            copyIn(e, d, f);
          }
        } catch (RuntimeException ex) {
          d.backend().free(f);
          d.discharge();
          throw ex;
        }
      }
      if (prefetch) {
        d.prefetched.increment();
      } else {
        d.faults.increment();
      }
      e.copies[id] = f;
      d.track(e);
      if (!mode.writes()) {
        if (e.readMostly || (e.preferred >= 0 && e.preferred != id)) {
          e.current |= bit;
          d.replications.increment();
        } else {
          e.current |= bit;
          boolean moved = false;
          for (int o = 0; o < devices.length; o++) {
            if (o != id && e.copies[o] != null && e.pins[o] == 0) {
              dropCopy(e, o);
              devices[o].migrationsOut.increment();
              moved = true;
            }
          }
          if (moved) {
            d.migrationsIn.increment();
          } else if (Long.bitCount(e.current) > 1) {
            d.replications.increment();
          }
        }
        return;
      }
    }
    if (mode.writes()) {
      for (int o = 0; o < devices.length; o++) {
        if (o != id && e.copies[o] != null) {
          dropCopy(e, o);
        }
      }
      e.current = bit;
      if (e.spillSlot >= 0) {
        spill.freeSlot(e.spillSlot);
        e.spillSlot = -1;
      }
      e.spillCurrent = false;
    }
  }

  /** Copies the page's latest bytes into frame f on d: from the cheapest current copy or spill. */
  private void copyIn(PageEntry e, DeviceState d, Frame f) {
    int src = cheapestCurrent(e, d.id(), false);
    MemorySegment backing = e.backing;
    if (backing != null && (src < 0 || src == host.id())) {
      // from the mapped bytes (the host's copy, if any, is those bytes)
      if (backing.byteSize() < pageSize) {
        d.backend().zero(f);
      }
      transfers.fromHost(host, backing, d, f, backing.byteSize());
      return;
    }
    if (src >= 0) {
      DeviceState s = devices[src];
      transfers.copy(s, Objects.requireNonNull(e.copies[src]), d, f, pageSize);
      return;
    }
    if (!e.spillCurrent) {
      throw new IllegalStateException("no current copy of " + e.describe() + " (rule 1 broken)");
    }
    if (d == host && d.hostAddressable()) {
      spill.read(e.spillSlot, d.backend().hostView(f));
      return;
    }
    MemorySegment buf = transfers.takeStaging();
    try {
      spill.read(e.spillSlot, buf);
      if (d.hostAddressable() && host.hostAddressable()) {
        // Disk -> host -> device: the bytes cross the host's link to d.
        transfers.fromHost(host, buf, d, f, pageSize);
      } else {
        d.backend().copyFromHost(buf, f, 0, pageSize);
      }
    } finally {
      transfers.returnStaging(buf);
    }
  }

  private int cheapestCurrent(PageEntry e, int to, boolean hostAddressableOnly) {
    int best = -1;
    double bestCost = Double.MAX_VALUE;
    for (int o = 0; o < devices.length; o++) {
      if (o != to && e.currentOn(o) && (!hostAddressableOnly || devices[o].hostAddressable())) {
        double cost = transfers.modeledSeconds(o, to, pageSize);
        if (cost < bestCost) {
          best = o;
          bestCost = cost;
        }
      }
    }
    return best;
  }

  private Frame allocateFrame(DeviceState d, PageEntry exclude, boolean mustSucceed) {
    if (!makeRoom(d, exclude, mustSucceed ? 2000 : 1)) {
      throw deviceFull(d);
    }
    try {
      return d.backend().allocate(pageSize);
    } catch (RuntimeException | OutOfMemoryError ex) {
      d.discharge();
      throw ex;
    }
  }

  private AmalgamMemoryException deviceFull(DeviceState d) {
    return AmalgamMemoryException.deviceFull(
        d.name(), d.capacity(), d.residentBytes(), pinnedBytes(d), pageSize);
  }

  /** Bytes of pages pinned on d now (a racy scan of the page table; for decisions on failure). */
  private long pinnedBytes(DeviceState d) {
    long pinned = 0;
    for (Region r : regions.values()) {
      for (PageEntry p : r.pages) {
        if (p.pins[d.id()] > 0) {
          pinned += pageSize;
        }
      }
    }
    return pinned;
  }

  /** Charges one page on d, evicting cold pages as needed; false after {@code attempts} misses. */
  private boolean makeRoom(DeviceState d, PageEntry exclude, int attempts) {
    int misses = 0;
    while (!d.tryCharge()) {
      if (evictOne(d, exclude, misses > 0)) {
        continue;
      }
      if (d.tryCharge()) {
        return true;
      }
      if (++misses >= attempts) {
        return false;
      }
      if (misses % 16 == 0 && pinnedBytes(d) + pageSize > d.capacity()) {
        return false; // full of pinned pages: waiting would not help, pins are not queued
      }
      // Victims are locked or pinned by other threads right now: let them finish.
      if (misses < 50) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(20_000);
      }
    }
    return true;
  }

  /** Evicts one unpinned page from d; false when none could be had right now. */
  private boolean evictOne(DeviceState d, PageEntry exclude, boolean thorough) {
    for (int pass = 0; pass < 2; pass++) {
      List<PageEntry> candidates = d.coldest(pass == 0 && !thorough ? 16 : Integer.MAX_VALUE);
      for (PageEntry v : candidates) {
        if (v == exclude || !v.tryLock()) {
          continue;
        }
        try {
          if (v.copies[d.id()] == null) {
            d.untrack(v);
            continue;
          }
          if (v.pins[d.id()] > 0 || (pass == 0 && v.preferred == d.id())) {
            continue;
          }
          demote(v, d);
          return true;
        } finally {
          v.lock.unlock();
        }
      }
    }
    return false;
  }

  /** Drops v's copy on d, first writing it one tier down if it is the only current copy. */
  private void demote(PageEntry v, DeviceState d) {
    int id = d.id();
    long bit = 1L << id;
    boolean last =
        (v.current & ~bit) == 0 && !v.spillCurrent && v.backing == null && (v.current & bit) != 0;
    if (last) {
      Frame src = Objects.requireNonNull(v.copies[id]);
      boolean written = false;
      if (d != host && v.copies[host.id()] == null && makeRoom(host, v, 3)) {
        Frame f;
        try {
          f = host.backend().allocate(pageSize);
        } catch (RuntimeException | OutOfMemoryError ex) {
          host.discharge();
          throw ex;
        }
        transfers.copy(d, src, host, f, pageSize);
        v.copies[host.id()] = f;
        v.current |= 1L << host.id();
        host.track(v);
        written = true;
      }
      if (!written) {
        spillOut(v, d, src);
      }
      d.writeBacks.increment();
    }
    dropCopy(v, id);
    d.evictions.increment();
  }

  private void spillOut(PageEntry v, DeviceState d, Frame src) {
    if (v.spillSlot < 0) {
      long slot = spill.tryAllocateSlot();
      if (slot < 0 && reclaimCleanSpillSlot(v)) {
        slot = spill.tryAllocateSlot();
      }
      if (slot < 0) {
        throw AmalgamMemoryException.spillFull(spill.location(), spill.capacityBytes());
      }
      v.spillSlot = slot;
    }
    if (d.hostAddressable()) {
      spill.write(v.spillSlot, d.backend().hostView(src));
    } else {
      MemorySegment buf = transfers.takeStaging();
      try {
        transfers.toHost(d, src, buf, pageSize);
        spill.write(v.spillSlot, buf);
      } finally {
        transfers.returnStaging(buf);
      }
    }
    v.spillCurrent = true;
  }

  /**
   * Frees the spill slot of some page whose spill copy is only a clean backing copy (the page is
   * also current on a device), so that a page with no other copy can be spilled. False if none.
   */
  private boolean reclaimCleanSpillSlot(PageEntry exclude) {
    for (Region r : regions.values()) {
      for (PageEntry p : r.pages) {
        if (p == exclude || p.spillSlot < 0 || p.current == 0 || !p.tryLock()) {
          continue;
        }
        try {
          if (p.spillSlot >= 0 && p.current != 0) {
            spill.freeSlot(p.spillSlot);
            p.spillSlot = -1;
            p.spillCurrent = false;
            return true;
          }
        } finally {
          p.lock.unlock();
        }
      }
    }
    return false;
  }

  private void dropCopy(PageEntry e, int device) {
    DeviceState d = devices[device];
    Frame f = Objects.requireNonNull(e.copies[device]);
    e.copies[device] = null;
    e.current &= ~(1L << device);
    d.untrack(e);
    if (!(f instanceof MappedFrame)) {
      d.backend().free(f);
    }
    d.discharge();
  }

  // ---------------------------------------------------------------- hints and explicit moves

  CompletableFuture<Integer> prefetch(Region r, long offset, long length, Device device) {
    DeviceState d = state(device);
    checkRange(r, offset, length);
    checkOpen();
    if (length == 0) {
      return CompletableFuture.completedFuture(0);
    }
    int first = (int) (offset / pageSize);
    int last = (int) ((offset + length - 1) / pageSize);
    CompletableFuture<Integer> future = new CompletableFuture<>();
    prefetches.add(future);
    future.whenComplete((v, t) -> prefetches.remove(future));
    Runnable task =
        () -> {
          if (future.isDone()) {
            return;
          }
          try {
            int moved = 0;
            for (int p = first; p <= last && !closing && !closed && !r.closed; p++) {
              int result = prefetchPage(r.pages[p], d);
              if (result < 0) {
                break;
              }
              moved += result;
            }
            future.complete(moved);
          } catch (RuntimeException | Error e) {
            future.completeExceptionally(e);
          }
        };
    try {
      d.executor().execute(task);
    } catch (RejectedExecutionException e) {
      future.completeExceptionally(AmalgamMemoryException.closed("device '" + d.name() + "'"));
    }
    return future;
  }

  /** 1 when moved, 0 when skipped, -1 when the device is full (stop). */
  private int prefetchPage(PageEntry e, DeviceState d) {
    e.lock.lock();
    try {
      if (e.region.closed
          || closing
          || e.zero
          || e.currentOn(d.id())
          || e.conflicts(d.id(), AccessMode.READ)) {
        return 0;
      }
      try {
        ensureCurrent(e, d, AccessMode.READ, false, true);
        return 1;
      } catch (AmalgamMemoryException ex) {
        if (ex.code() == AmalgamMemoryException.Code.DEVICE_FULL) {
          return -1;
        }
        throw ex;
      }
    } finally {
      e.lock.unlock();
    }
  }

  void migrate(Region r, long offset, long length, Device device) {
    DeviceState d = state(device);
    checkRange(r, offset, length);
    checkOpen();
    if (length == 0) {
      return;
    }
    int first = (int) (offset / pageSize);
    int last = (int) ((offset + length - 1) / pageSize);
    for (int p = first; p <= last; p++) {
      PageEntry e = r.pages[p];
      e.lock.lock();
      try {
        if (r.closed) {
          throw AmalgamMemoryException.closed(r.describe());
        }
        if (e.zero) {
          continue;
        }
        awaitNoConflict(e, d, AccessMode.READ);
        boolean wasCurrent = e.currentOn(d.id());
        ensureCurrent(e, d, AccessMode.READ, false, false);
        for (int o = 0; o < devices.length; o++) {
          if (o != d.id() && e.copies[o] != null && e.pins[o] == 0) {
            dropCopy(e, o);
            devices[o].migrationsOut.increment();
            if (wasCurrent) {
              d.migrationsIn.increment();
            }
          }
        }
      } finally {
        e.lock.unlock();
      }
    }
  }

  int evict(Region r, long offset, long length, Device device) {
    DeviceState d = state(device);
    checkRange(r, offset, length);
    checkOpen();
    if (length == 0) {
      return 0;
    }
    int first = (int) (offset / pageSize);
    int last = (int) ((offset + length - 1) / pageSize);
    int evicted = 0;
    for (int p = first; p <= last; p++) {
      PageEntry e = r.pages[p];
      e.lock.lock();
      try {
        if (!r.closed && e.copies[d.id()] != null && e.pins[d.id()] == 0) {
          demote(e, d);
          evicted++;
        }
      } finally {
        e.lock.unlock();
      }
    }
    return evicted;
  }

  void advise(Region r, long offset, long length, Advice advice, Device device, boolean set) {
    Objects.requireNonNull(advice, "advice is null");
    DeviceState d = state(device);
    checkRange(r, offset, length);
    checkOpen();
    if (length == 0) {
      return;
    }
    int first = (int) (offset / pageSize);
    int last = (int) ((offset + length - 1) / pageSize);
    for (int p = first; p <= last; p++) {
      PageEntry e = r.pages[p];
      e.lock.lock();
      try {
        switch (advice) {
          case READ_MOSTLY -> e.readMostly = set;
          case PREFERRED_LOCATION -> {
            if (set) {
              e.preferred = d.id();
            } else if (e.preferred == d.id()) {
              e.preferred = -1;
            }
          }
          case ACCESSED_BY -> {
            if (set) {
              e.accessedBy |= 1L << d.id();
            } else {
              e.accessedBy &= ~(1L << d.id());
            }
          }
        }
      } finally {
        e.lock.unlock();
      }
    }
  }

  private static void checkRange(Region r, long offset, long length) {
    if (offset < 0 || length < 0 || offset > r.size() - length) {
      throw AmalgamMemoryException.outOfRange(r.describe(), offset, length, r.size());
    }
    if (r.closed) {
      throw AmalgamMemoryException.closed(r.describe());
    }
  }

  // ---------------------------------------------------------------- introspection

  PageInfo pageInfo(PageEntry e) {
    e.lock.lock();
    try {
      List<String> copies = new ArrayList<>();
      List<String> current = new ArrayList<>();
      Map<String, Integer> pins = new LinkedHashMap<>();
      Map<String, Long> accesses = new LinkedHashMap<>();
      for (int d = 0; d < devices.length; d++) {
        String n = devices[d].name();
        if (e.copies[d] != null) {
          copies.add(n);
        }
        if (e.currentOn(d)) {
          current.add(n);
        }
        if (e.pins[d] > 0) {
          pins.put(n, e.pins[d]);
        }
        if (e.accesses[d] > 0) {
          accesses.put(n, e.accesses[d]);
        }
      }
      return new PageInfo(
          e.region.id(),
          e.index,
          List.copyOf(copies),
          List.copyOf(current),
          e.zero,
          e.spillCurrent,
          !e.spillCurrent && !e.zero && e.backing == null,
          Collections.unmodifiableMap(pins),
          Collections.unmodifiableMap(accesses));
    } finally {
      e.lock.unlock();
    }
  }

  /** A snapshot of the statistics. */
  public MemoryStats stats() {
    List<MemoryStats.DeviceStats> ds = new ArrayList<>();
    long[] pinned = new long[devices.length];
    for (Region r : regions.values()) {
      for (PageEntry p : r.pages) {
        for (int d = 0; d < devices.length; d++) {
          if (p.pins[d] > 0) {
            pinned[d]++;
          }
        }
      }
    }
    for (DeviceState d : devices) {
      ds.add(
          new MemoryStats.DeviceStats(
              d.name(),
              d.kind(),
              d.simulated(),
              d.capacity(),
              d.residentBytes(),
              pinned[d.id()],
              d.pins.sum(),
              d.faults.sum(),
              d.migrationsIn.sum(),
              d.migrationsOut.sum(),
              d.replications.sum(),
              d.evictions.sum(),
              d.writeBacks.sum(),
              d.prefetched.sum(),
              d.remoteReads.sum()));
    }
    List<MemoryStats.LinkStats> ls = new ArrayList<>();
    for (Transfers.LinkCounters c : transfers.counters()) {
      ls.add(
          new MemoryStats.LinkStats(
              c.link.a(),
              c.link.b(),
              c.link.type(),
              c.bytes.sum(),
              c.transfers.sum(),
              c.measuredNanos.sum() * 1e-9,
              c.modeledNanos.sum() * 1e-9));
    }
    MemoryStats.SpillStats ss =
        new MemoryStats.SpillStats(
            spill.location(),
            spill.capacityBytes(),
            spill.usedBytes(),
            spill.writes.sum(),
            spill.reads.sum(),
            spill.bytesWritten.sum(),
            spill.bytesRead.sum(),
            spill.nanos.sum() * 1e-9);
    return new MemoryStats(topology.name(), pageSize, regions.size(), allocated.get(), ds, ls, ss);
  }

  /** Live regions, in address order. */
  public List<Region> regions() {
    return List.copyOf(regions.values());
  }

  @Override
  public String describe() {
    return "unified memory on "
        + topology.name()
        + " ("
        + regions.size()
        + " regions, "
        + Sizes.bytes(allocated.get())
        + ")";
  }

  @Override
  public List<String> leaks() {
    List<String> out = new ArrayList<>();
    for (Region r : regions.values()) {
      for (PageEntry p : r.pages) {
        if (p.pinTotal > 0) {
          out.add(p.describe() + " is still pinned " + pinsOf(p));
        }
      }
    }
    return out;
  }

  /**
   * Closes the memory: frees every device's memory, the spill file and the pool. Idempotent.
   *
   * @throws AmalgamMemoryException when pins are open (nothing is closed then), or after closing,
   *     when regions were left open (they are freed, and named in the message)
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closing = true;
    if (openPins.get() > 0) {
      closing = false;
      throw AmalgamMemoryException.stillInUse(
          "cannot close "
              + describe()
              + ": "
              + openPins.get()
              + " pins are open; "
              + String.join("; ", leaks()));
    }
    closed = true;
    List<Region> leaked = List.copyOf(regions.values());
    for (Region r : leaked) {
      free(r);
    }
    for (MemoryConsumer c : consumers.values()) {
      c.close();
    }
    RuntimeException poolLeak = null;
    if (ownsPool) {
      try {
        pool.close();
      } catch (RuntimeException e) {
        poolLeak = e;
      }
    }
    for (DeviceState d : devices) {
      d.backend().close();
    }
    for (CompletableFuture<Integer> f : List.copyOf(prefetches)) {
      f.completeExceptionally(
          AmalgamMemoryException.closed("unified memory on " + topology.name()));
    }
    transfers.close();
    spill.close();
    ResourceTracker.unregister(this);
    if (!leaked.isEmpty()) {
      Map<String, Long> byConsumer = new LinkedHashMap<>();
      for (Region r : leaked) {
        byConsumer.merge(r.consumer(), r.retainedBytes(), Long::sum);
      }
      throw AmalgamMemoryException.stillInUse(
          "unified memory on "
              + topology.name()
              + " closed with "
              + leaked.size()
              + " regions open (now freed): "
              + byConsumer.entrySet().stream()
                  .map(x -> x.getKey() + " " + Sizes.bytes(x.getValue()))
                  .collect(Collectors.joining(", ")));
    }
    if (poolLeak != null) {
      throw poolLeak;
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
