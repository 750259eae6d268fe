package dev.amalgam.memory.pool;

import dev.amalgam.memory.ResourceTracker;
import dev.amalgam.memory.Sizes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A bounded budget of bytes shared by named {@link MemoryConsumer}s; closing it with bytes still
 * reserved throws a {@link MemoryLeakException} that names who leaked.
 */
public final class MemoryPool implements AutoCloseable, ResourceTracker.Tracked {
  /*
   * Concurrency: the pool total is one AtomicLong. A reservation is a CAS loop on it that fails
   * without writing when the total would pass the limit, so the total never exceeds the limit, not
   * even transiently, and a failed tryReserve changes nothing. Each consumer keeps its own
   * AtomicLong. Reserving adds to the pool first and to the consumer second; releasing subtracts
   * from the consumer first (where it is validated) and from the pool second. Hence at every
   * instant the pool total is at least the sum of its consumers, and equal when no call is in
   * flight. Peaks are raised with a CAS loop after each successful add, so a peak is the largest
   * total that ever existed.
   *
   * Closing marks the pool closed and inspects the consumers; it does not take their bytes. A
   * reservation checks for a closed pool before and after its CAS and rolls itself back if the pool
   * was closed in between, so nothing lands in a closed pool. Releasing and closing consumers stay
   * allowed after the pool is closed, so that owners can still clean up.
   *
   * Consumer names are unique among a pool's live consumers (a ConcurrentHashMap keyed by name); a
   * closed consumer's name can be used again.
   */

  /** Whether consumers record where they were created; read once from amalgam.memory.debug. */
  static final boolean DEBUG = Boolean.getBoolean("amalgam.memory.debug");

  static final Comparator<ConsumerUsage> LARGEST_FIRST =
      Comparator.comparingLong(ConsumerUsage::reserved)
          .reversed()
          .thenComparing(ConsumerUsage::name);

  private static final int MAX_STACK_FRAMES = 24;

  private final String name;
  private final long limit;
  private final boolean debug;
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ConcurrentHashMap<String, MemoryConsumer> consumers = new ConcurrentHashMap<>();

  private MemoryPool(String name, long limit, boolean debug) {
    this.name = name;
    this.limit = limit;
    this.debug = debug;
  }

  /**
   * Creates a pool named {@code name} that lets its consumers hold at most {@code limitBytes}
   * together, and registers it with the {@link ResourceTracker}.
   */
  public static MemoryPool create(String name, long limitBytes) {
    return create(name, limitBytes, DEBUG);
  }

  /** As {@link #create(String, long)}, with creation stack traces recorded when {@code debug}. */
  static MemoryPool create(String name, long limitBytes, boolean debug) {
    checkName(name, "pool name");
    if (limitBytes < 0) {
      throw new IllegalArgumentException(
          "limit of memory pool '" + name + "' must not be negative: " + limitBytes);
    }
    MemoryPool pool = new MemoryPool(name, limitBytes, debug);
    ResourceTracker.register(pool);
    return pool;
  }

  /**
   * Creates a consumer named {@code name} that reserves from this pool.
   *
   * @throws IllegalArgumentException if a live consumer of this pool already has that name
   * @throws IllegalStateException if the pool is closed
   */
  public MemoryConsumer consumer(String name) {
    checkName(name, "consumer name");
    checkOpen();
    Throwable creationSite =
        debug ? new Throwable("consumer '" + name + "' of pool '" + this.name + "' created") : null;
    MemoryConsumer consumer = new MemoryConsumer(this, name, creationSite);
    MemoryConsumer previous = consumers.putIfAbsent(name, consumer);
    if (previous != null) {
      throw new IllegalArgumentException(
          "memory pool '" + this.name + "' already has a live consumer named '" + name + "'");
    }
    if (closed.get()) {
      consumers.remove(name, consumer);
      throw closedException();
    }
    return consumer;
  }

  /** The pool's name. */
  public String name() {
    return name;
  }

  /** The most bytes the consumers may hold together. */
  public long limit() {
    return limit;
  }

  /** The bytes the consumers hold now. */
  public long reserved() {
    return reserved.get();
  }

  /** The most bytes held at once since the pool was created. */
  public long peak() {
    return peak.get();
  }

  /** Usage of the live consumers, largest first. */
  public List<ConsumerUsage> consumers() {
    List<ConsumerUsage> usages = new ArrayList<>(consumers.size());
    for (MemoryConsumer consumer : consumers.values()) {
      usages.add(consumer.usage());
    }
    usages.sort(LARGEST_FIRST);
    return List.copyOf(usages);
  }

  /**
   * A readable tree: the pool's reserved bytes, limit and peak, then one indented line per live
   * consumer with its reserved bytes and peak, largest first.
   */
  public String report() {
    StringBuilder out = new StringBuilder();
    out.append("memory pool '")
        .append(name)
        .append("': reserved ")
        .append(Sizes.bytes(reserved()))
        .append(", limit ")
        .append(Sizes.bytes(limit))
        .append(", peak ")
        .append(Sizes.bytes(peak()));
    if (isClosed()) {
      out.append(" (closed)");
    }
    for (ConsumerUsage usage : consumers()) {
      out.append("\n  ")
          .append(usage.name())
          .append(": reserved ")
          .append(Sizes.bytes(usage.reserved()))
          .append(", peak ")
          .append(Sizes.bytes(usage.peak()));
    }
    return out.toString();
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Closes the pool: later reservations and new consumers are refused. Idempotent.
   *
   * @throws MemoryLeakException if consumers still hold bytes, naming each of them with its bytes
   *     (and where it was created when {@code -Damalgam.memory.debug=true}); the pool is closed all
   *     the same
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ResourceTracker.unregister(this);
    List<MemoryConsumer> leaking = leakingConsumers();
    if (!leaking.isEmpty()) {
      throw MemoryLeakException.of(leakReport(leaking));
    }
  }

  /** Describes the pool for leak checks, e.g. {@code memory pool 'engine' (1.0 MiB of 1.0 GiB)}. */
  @Override
  public String describe() {
    return "memory pool '"
        + name
        + "' ("
        + Sizes.bytes(reserved())
        + " reserved of "
        + Sizes.bytes(limit)
        + ")";
  }

  /** One line per consumer that holds bytes, for leak checks; empty when none does. */
  @Override
  public List<String> leaks() {
    List<String> lines = new ArrayList<>();
    for (MemoryConsumer consumer : leakingConsumers()) {
      lines.add("consumer '" + consumer.name() + "' holds " + Sizes.bytes(consumer.reserved()));
    }
    return List.copyOf(lines);
  }

  /** The same as {@link #report()}. */
  @Override
  public String toString() {
    return report();
  }

  // ---- used by MemoryConsumer ----

  /** Adds {@code bytes} to the total unless that would pass the limit. */
  boolean tryAdd(long bytes) {
    while (true) {
      long current = reserved.get();
      // current <= limit always holds, so limit - current cannot overflow.
      if (bytes > limit - current) {
        return false;
      }
      long next = current + bytes;
      if (reserved.compareAndSet(current, next)) {
        raise(peak, next);
        return true;
      }
    }
  }

  /** Takes {@code bytes} off the total; the caller has validated them against its consumer. */
  void subtract(long bytes) {
    reserved.addAndGet(-bytes);
  }

  void deregister(MemoryConsumer consumer) {
    consumers.remove(consumer.name(), consumer);
  }

  void checkOpen() {
    if (closed.get()) {
      throw closedException();
    }
  }

  IllegalStateException closedException() {
    return new IllegalStateException("memory pool '" + name + "' is closed");
  }

  MemoryLimitExceededException limitExceeded(MemoryConsumer consumer, long bytes) {
    return MemoryLimitExceededException.of(
        consumer.name(), bytes, name, limit, reserved(), consumers());
  }

  /** Raises {@code peak} to at least {@code value}. */
  static void raise(AtomicLong peak, long value) {
    long current = peak.get();
    while (current < value && !peak.compareAndSet(current, value)) {
      current = peak.get();
    }
  }

  /** Appends where a consumer was created, skipping the pool's and consumer's own frames. */
  static void appendCreationSite(StringBuilder out, @Nullable Throwable creationSite) {
    if (creationSite == null) {
      return;
    }
    out.append("\n    created at:");
    StackTraceElement[] frames = creationSite.getStackTrace();
    int first = 0;
    while (first < frames.length && isOwnFrame(frames[first])) {
      first++;
    }
    int shown = Math.min(frames.length - first, MAX_STACK_FRAMES);
    for (int i = first; i < first + shown; i++) {
      out.append("\n      at ").append(frames[i]);
    }
    int more = frames.length - first - shown;
    if (more > 0) {
      out.append("\n      ... ").append(more).append(" more");
    }
  }

  private static boolean isOwnFrame(StackTraceElement frame) {
    String className = frame.getClassName();
    return className.equals(MemoryPool.class.getName())
        || className.equals(MemoryConsumer.class.getName());
  }

  private List<MemoryConsumer> leakingConsumers() {
    List<MemoryConsumer> leaking = new ArrayList<>();
    for (MemoryConsumer consumer : consumers.values()) {
      if (consumer.reserved() > 0) {
        leaking.add(consumer);
      }
    }
    leaking.sort(
        Comparator.comparingLong(MemoryConsumer::reserved)
            .reversed()
            .thenComparing(MemoryConsumer::name));
    return leaking;
  }

  private String leakReport(List<MemoryConsumer> leaking) {
    long total = 0;
    for (MemoryConsumer consumer : leaking) {
      total += consumer.reserved();
    }
    StringBuilder out = new StringBuilder();
    out.append("memory pool '")
        .append(name)
        .append("' closed with ")
        .append(Sizes.bytes(total))
        .append(" still reserved by ")
        .append(leaking.size())
        .append(leaking.size() == 1 ? " consumer" : " consumers")
        .append(" (limit ")
        .append(Sizes.bytes(limit))
        .append(", peak ")
        .append(Sizes.bytes(peak()))
        .append("):");
    for (MemoryConsumer consumer : leaking) {
      out.append("\n  ")
          .append(consumer.name())
          .append(": ")
          .append(Sizes.bytes(consumer.reserved()))
          .append(" (")
          .append(consumer.reserved())
          .append(" bytes, peak ")
          .append(Sizes.bytes(consumer.peak()))
          .append(")");
      appendCreationSite(out, consumer.creationSite());
    }
    if (!debug) {
      out.append(
          "\n  (run with -Damalgam.memory.debug=true to see where each consumer was created)");
    }
    return out.toString();
  }

  private static void checkName(String name, String what) {
    Objects.requireNonNull(name, what + " is null");
    if (name.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
  }
}
