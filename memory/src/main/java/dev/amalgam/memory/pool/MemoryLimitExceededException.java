package dev.amalgam.memory.pool;

import dev.amalgam.memory.Sizes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Thrown when a reservation would take a memory pool over its limit; says who asked for how much,
 * what the limit was and which consumers hold the most.
 */
public final class MemoryLimitExceededException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How many of the largest consumers the message and {@link #largestConsumers()} name. */
  public static final int MAX_LISTED_CONSUMERS = 5;

  private final String consumerName;
  private final long requestedBytes;
  private final String poolName;
  private final long limitBytes;
  private final long reservedBytes;
  private final List<ConsumerUsage> largestConsumers;

  private MemoryLimitExceededException(
      String message,
      String consumerName,
      long requestedBytes,
      String poolName,
      long limitBytes,
      long reservedBytes,
      List<ConsumerUsage> largestConsumers) {
    super(message);
    this.consumerName = consumerName;
    this.requestedBytes = requestedBytes;
    this.poolName = poolName;
    this.limitBytes = limitBytes;
    this.reservedBytes = reservedBytes;
    this.largestConsumers = largestConsumers;
  }

  /**
   * The error for consumer {@code consumerName} asking for {@code requestedBytes} in a pool whose
   * {@code limitBytes} already has {@code reservedBytes} reserved by {@code consumers}.
   */
  public static MemoryLimitExceededException of(
      String consumerName,
      long requestedBytes,
      String poolName,
      long limitBytes,
      long reservedBytes,
      List<ConsumerUsage> consumers) {
    Objects.requireNonNull(consumerName, "consumerName is null");
    Objects.requireNonNull(poolName, "poolName is null");
    Objects.requireNonNull(consumers, "consumers is null");
    List<ConsumerUsage> holding = new ArrayList<>();
    for (ConsumerUsage usage : consumers) {
      if (usage.reserved() > 0) {
        holding.add(usage);
      }
    }
    holding.sort(
        Comparator.comparingLong(ConsumerUsage::reserved)
            .reversed()
            .thenComparing(ConsumerUsage::name));
    List<ConsumerUsage> largest =
        List.copyOf(holding.subList(0, Math.min(MAX_LISTED_CONSUMERS, holding.size())));

    StringBuilder message = new StringBuilder();
    message
        .append("cannot reserve ")
        .append(Sizes.bytes(requestedBytes))
        .append(" for consumer '")
        .append(consumerName)
        .append("': pool '")
        .append(poolName)
        .append("' limit ")
        .append(Sizes.bytes(limitBytes))
        .append(", ")
        .append(Sizes.bytes(reservedBytes))
        .append(" already reserved");
    if (!largest.isEmpty()) {
      message.append("; largest consumers: ");
      for (int i = 0; i < largest.size(); i++) {
        ConsumerUsage usage = largest.get(i);
        if (i > 0) {
          message.append(", ");
        }
        message.append(usage.name()).append(' ').append(Sizes.bytes(usage.reserved()));
      }
      int more = holding.size() - largest.size();
      if (more > 0) {
        message.append(", ... (").append(more).append(" more)");
      }
    }
    return new MemoryLimitExceededException(
        message.toString(),
        consumerName,
        requestedBytes,
        poolName,
        limitBytes,
        reservedBytes,
        largest);
  }

  /** The name of the consumer whose reservation failed. */
  public String consumerName() {
    return consumerName;
  }

  /** The bytes the consumer asked for. */
  public long requestedBytes() {
    return requestedBytes;
  }

  /** The name of the pool whose limit was reached. */
  public String poolName() {
    return poolName;
  }

  /** The pool's limit in bytes. */
  public long limitBytes() {
    return limitBytes;
  }

  /** The bytes the pool had reserved when the reservation failed. */
  public long reservedBytes() {
    return reservedBytes;
  }

  /** The consumers that held the most bytes at the time, largest first, at most five. */
  public List<ConsumerUsage> largestConsumers() {
    return largestConsumers;
  }
}
