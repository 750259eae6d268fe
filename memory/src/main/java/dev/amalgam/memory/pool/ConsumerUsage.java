package dev.amalgam.memory.pool;

import java.util.Objects;

/**
 * A snapshot of one consumer's usage: its name, the bytes it holds now and the most it ever held.
 *
 * @param name the consumer's name
 * @param reserved bytes reserved now
 * @param peak the most bytes reserved at once since the consumer was created
 */
public record ConsumerUsage(String name, long reserved, long peak) {
  /** Checks the components. */
  public ConsumerUsage {
    Objects.requireNonNull(name, "name is null");
    if (reserved < 0 || peak < reserved) {
      throw new IllegalArgumentException(
          "invalid usage of consumer '" + name + "': reserved " + reserved + ", peak " + peak);
    }
  }
}
