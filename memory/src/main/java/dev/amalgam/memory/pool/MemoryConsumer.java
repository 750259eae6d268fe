package dev.amalgam.memory.pool;

import dev.amalgam.memory.Sizes;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A named holder of reservations in a {@link MemoryPool}, such as one operator instance; reserve
 * before allocating, release after freeing, close when done.
 *
 * <p>All methods may be called from any thread. {@link #close()} must not race with this consumer's
 * own {@code reserve} and {@code release} calls.
 */
public final class MemoryConsumer implements AutoCloseable {
  private final MemoryPool pool;
  private final String name;
  private final @Nullable Throwable creationSite;
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  MemoryConsumer(MemoryPool pool, String name, @Nullable Throwable creationSite) {
    this.pool = pool;
    this.name = name;
    this.creationSite = creationSite;
  }

  /** The consumer's name, unique among its pool's live consumers. */
  public String name() {
    return name;
  }

  /** The pool this consumer reserves from. */
  public MemoryPool pool() {
    return pool;
  }

  /** The bytes this consumer holds now. */
  public long reserved() {
    return reserved.get();
  }

  /** The most bytes this consumer held at once. */
  public long peak() {
    return peak.get();
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Reserves {@code bytes} if the pool's limit allows it; returns false, changing nothing, if it
   * does not. A false return is the signal to spill.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative
   * @throws IllegalStateException if this consumer or its pool is closed
   */
  public boolean tryReserve(long bytes) {
    checkNotNegative(bytes, "reserve");
    checkOpen();
    pool.checkOpen();
    if (!pool.tryAdd(bytes)) {
      return false;
    }
    MemoryPool.raise(peak, reserved.addAndGet(bytes));
    if (pool.isClosed()) {
      // The pool was closed while we reserved: undo, so nothing lands in a closed pool.
      reserved.addAndGet(-bytes);
      pool.subtract(bytes);
      throw pool.closedException();
    }
    return true;
  }

  /**
   * Reserves {@code bytes}.
   *
   * @throws MemoryLimitExceededException if the pool's limit would be exceeded; nothing changes
   * @throws IllegalArgumentException if {@code bytes} is negative
   * @throws IllegalStateException if this consumer or its pool is closed
   */
  public void reserve(long bytes) {
    if (!tryReserve(bytes)) {
      throw pool.limitExceeded(this, bytes);
    }
  }

  /**
   * Returns {@code bytes} to the pool. Allowed after the pool is closed.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative
   * @throws IllegalStateException if this consumer holds fewer than {@code bytes}
   */
  public void release(long bytes) {
    checkNotNegative(bytes, "release");
    while (true) {
      long current = reserved.get();
      if (bytes > current) {
        throw new IllegalStateException(
            "cannot release "
                + Sizes.bytes(bytes)
                + " ("
                + bytes
                + " bytes) from consumer '"
                + name
                + "' of memory pool '"
                + pool.name()
                + "': it holds only "
                + Sizes.bytes(current)
                + " ("
                + current
                + " bytes)");
      }
      if (reserved.compareAndSet(current, current - bytes)) {
        break;
      }
    }
    pool.subtract(bytes);
  }

  /**
   * Closes the consumer and frees its name in the pool. Idempotent.
   *
   * @throws MemoryLeakException if it still held bytes, naming the consumer and the bytes; they are
   *     returned to the pool first
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long held = reserved.getAndSet(0);
    if (held > 0) {
      pool.subtract(held);
    }
    pool.deregister(this);
    if (held > 0) {
      StringBuilder out = new StringBuilder();
      out.append("memory consumer '")
          .append(name)
          .append("' of pool '")
          .append(pool.name())
          .append("' closed with ")
          .append(Sizes.bytes(held))
          .append(" (")
          .append(held)
          .append(" bytes) still reserved; released them");
      MemoryPool.appendCreationSite(out, creationSite);
      throw MemoryLeakException.of(out.toString());
    }
  }

  /** A snapshot of this consumer's usage. */
  public ConsumerUsage usage() {
    long nowPeak = peak.get();
    long now = reserved.get();
    return new ConsumerUsage(name, now, Math.max(now, nowPeak));
  }

  /** E.g. {@code hash-agg#3: reserved 1.0 MiB, peak 2.0 MiB (pool 'engine')}. */
  @Override
  public String toString() {
    return name
        + ": reserved "
        + Sizes.bytes(reserved())
        + ", peak "
        + Sizes.bytes(peak())
        + " (pool '"
        + pool.name()
        + "')";
  }

  @Nullable Throwable creationSite() {
    return creationSite;
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException(
          "memory consumer '" + name + "' of pool '" + pool.name() + "' is closed");
    }
  }

  private static void checkNotNegative(long bytes, String what) {
    if (bytes < 0) {
      throw new IllegalArgumentException(
          "cannot " + what + " a negative number of bytes: " + bytes);
    }
  }
}
