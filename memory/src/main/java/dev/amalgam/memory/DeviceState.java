package dev.amalgam.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import dev.amalgam.memory.spi.DeviceBackend;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One device of a unified memory: its backend, its resident-set accounting and its eviction policy.
 *
 * <p>Capacity is enforced here, synchronously: {@link #tryCharge} adds a page to the resident bytes
 * only if it fits. Which pages are cold is decided by a Caffeine cache (W-TinyLFU) keyed by page
 * identity: a page is put when a copy lands, read on pins (recording frequency and recency;
 * sampled: the first pin of a page on a device and every eighth after it, which keeps frequency
 * estimates proportional at an eighth of the cost), and invalidated when the copy leaves. The
 * cache's own bound (capacity in pages) is never reached because the memory layer evicts first;
 * victims come from the policy's {@code coldest} order, skipping pinned pages, which also weigh 0
 * when written.
 */
final class DeviceState implements Device {
  private final int id;
  private final DeviceSpec spec;
  private final DeviceBackend backend;
  private final long pageSize;
  private final long capacity;
  private final AtomicLong resident = new AtomicLong();
  private final Cache<PageEntry, Boolean> residentPages;
  private final Policy.Eviction<PageEntry, Boolean> eviction;

  final LongAdder faults = new LongAdder();
  final LongAdder migrationsIn = new LongAdder();
  final LongAdder migrationsOut = new LongAdder();
  final LongAdder replications = new LongAdder();
  final LongAdder evictions = new LongAdder();
  final LongAdder writeBacks = new LongAdder();
  final LongAdder prefetched = new LongAdder();
  final LongAdder remoteReads = new LongAdder();
  final LongAdder pins = new LongAdder();

  DeviceState(int id, DeviceSpec spec, DeviceBackend backend, long pageSize) {
    this.id = id;
    this.spec = spec;
    this.backend = backend;
    this.pageSize = pageSize;
    this.capacity = spec.capacityBytes() / pageSize * pageSize;
    long pages = Math.max(1, capacity / pageSize);
    this.residentPages =
        Caffeine.newBuilder()
            .maximumWeight(pages)
            .<PageEntry, Boolean>weigher((page, v) -> page.pinnedOn(id) ? 0 : 1)
            .executor(Runnable::run)
            .build();
    this.eviction = residentPages.policy().eviction().orElseThrow();
  }

  @Override
  public int id() {
    return id;
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public DeviceKind kind() {
    return spec.kind();
  }

  @Override
  public DeviceSpec spec() {
    return spec;
  }

  @Override
  public long capacity() {
    return capacity;
  }

  @Override
  public long residentBytes() {
    return resident.get();
  }

  @Override
  public boolean simulated() {
    return spec.simulated();
  }

  @Override
  public boolean hostAddressable() {
    return backend.hostAddressable();
  }

  @Override
  public Executor executor() {
    return backend.workers();
  }

  DeviceBackend backend() {
    return backend;
  }

  long pageSize() {
    return pageSize;
  }

  /** Adds one page to the resident bytes if it fits; false when the device is full. */
  boolean tryCharge() {
    while (true) {
      long r = resident.get();
      if (r + pageSize > capacity) {
        return false;
      }
      if (resident.compareAndSet(r, r + pageSize)) {
        return true;
      }
    }
  }

  /** Removes one page from the resident bytes. */
  void discharge() {
    resident.addAndGet(-pageSize);
  }

  /** Records that a copy of the page now lives here. */
  void track(PageEntry page) {
    residentPages.put(page, Boolean.TRUE);
  }

  /** Records that the page's copy left this device. */
  void untrack(PageEntry page) {
    residentPages.invalidate(page);
  }

  /** Records an access for the eviction policy. */
  void touch(PageEntry page) {
    var unused = residentPages.getIfPresent(page);
  }

  /** Up to {@code limit} resident pages, coldest first. */
  List<PageEntry> coldest(int limit) {
    return List.copyOf(eviction.coldest(limit).keySet());
  }

  @Override
  public String toString() {
    return spec.name();
  }
}
