package dev.amalgam.memory;

import dev.amalgam.memory.spi.Frame;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One page of the unified address space: the page-table entry. Every field is guarded by {@link
 * #lock}, except that {@link #pinnedOn} may be read racily by the eviction policy's weigher.
 *
 * <pre>
 *   copies[d]   frame holding a copy on device d, or null
 *   current     bit d set when copies[d] holds the latest bytes
 *   zero        never written: reads as zeros, no copy anywhere
 *   spillSlot   slot in the spill file, -1 when none; spillCurrent when it holds the latest bytes
 *   dirty       = !spillCurrent: no lower-tier backing copy is up to date
 *   pins[d]     open pins on device d; writer = device of the open write pins, -1 when none
 *   accesses[d] pins on device d, ever
 *   backing     host bytes that always hold this page (a read-only mapped region), or null;
 *               the host's copy is then these bytes themselves (a MappedFrame), never a copy
 * </pre>
 *
 * Rule 1 holds at every unlock: {@code zero || current != 0 || spillCurrent || backing != null}.
 */
final class PageEntry {
  final Region region;
  final int index;
  final ReentrantLock lock = new ReentrantLock();
  private final Condition pinsChanged = lock.newCondition();
  final @Nullable Frame[] copies;
  long current;
  boolean zero;
  long spillSlot = -1;
  boolean spillCurrent;
  final int[] pins;
  int pinTotal;
  int writePins;
  int writer = -1;
  int waiters;
  final long[] accesses;
  boolean readMostly;
  int preferred = -1;
  long accessedBy;
  final @Nullable MemorySegment backing;

  PageEntry(Region region, int index, int devices, @Nullable MemorySegment backing) {
    this.region = region;
    this.index = index;
    this.backing = backing;
    this.zero = backing == null;
    this.copies = new Frame[devices];
    this.pins = new int[devices];
    this.accesses = new long[devices];
  }

  boolean pinnedOn(int device) {
    return pins[device] > 0;
  }

  boolean currentOn(int device) {
    return (current & (1L << device)) != 0;
  }

  /** True when a pin on {@code device} in {@code mode} must wait for pins on other devices. */
  boolean conflicts(int device, AccessMode mode) {
    if (mode.writes()) {
      return pinTotal - pins[device] > 0;
    }
    return writePins > 0 && writer != device;
  }

  /** Waits (lock held) until a pin on device would not conflict; false on timeout. */
  boolean awaitNoConflict(int device, AccessMode mode, long timeoutNanos)
      throws InterruptedException {
    long left = timeoutNanos;
    while (conflicts(device, mode)) {
      if (left <= 0) {
        return false;
      }
      waiters++;
      try {
        left = pinsChanged.awaitNanos(left);
      } finally {
        waiters--;
      }
    }
    return true;
  }

  void signalPinsChanged() {
    if (waiters > 0) {
      pinsChanged.signalAll();
    }
  }

  boolean tryLock() {
    return lock.tryLock();
  }

  boolean tryLock(long micros) throws InterruptedException {
    return lock.tryLock(micros, TimeUnit.MICROSECONDS);
  }

  String describe() {
    return "page " + index + " of " + region.describe();
  }

  @Override
  public String toString() {
    return describe();
  }
}
