package dev.amalgam.memory;

import java.util.Objects;

/**
 * The description of one device in a {@link Topology}: what it is, which backend provides it, how
 * much memory it has and how fast that memory is.
 *
 * @param name unique device name within a topology, e.g. {@code gpu0} or {@code host}
 * @param kind host or GPU
 * @param backend backend name: {@code host}, {@code sim} (simulated GPU), later {@code tornado} or
 *     {@code cuda}
 * @param capacityBytes how many bytes of pages the device may hold at once
 * @param memoryBandwidthBytesPerSecond the device memory's bandwidth (modeled for {@code sim})
 * @param workers number of worker threads the device runs kernels and copies on
 */
public record DeviceSpec(
    String name,
    DeviceKind kind,
    String backend,
    long capacityBytes,
    double memoryBandwidthBytesPerSecond,
    int workers) {

  /** Validates the fields. */
  public DeviceSpec {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(kind, "kind is null");
    Objects.requireNonNull(backend, "backend is null");
    if (name.isBlank()) {
      throw new IllegalArgumentException("device name is blank");
    }
    if (capacityBytes <= 0) {
      throw new IllegalArgumentException(
          "device '" + name + "': capacity must be positive, was " + capacityBytes);
    }
    if (!(memoryBandwidthBytesPerSecond > 0) || Double.isInfinite(memoryBandwidthBytesPerSecond)) {
      throw new IllegalArgumentException(
          "device '"
              + name
              + "': bandwidth must be positive and finite, was "
              + memoryBandwidthBytesPerSecond);
    }
    if (workers <= 0) {
      throw new IllegalArgumentException(
          "device '" + name + "': workers must be positive, was " + workers);
    }
  }

  /** Returns a copy of this spec with another capacity. */
  public DeviceSpec withCapacity(long newCapacityBytes) {
    return new DeviceSpec(
        name, kind, backend, newCapacityBytes, memoryBandwidthBytesPerSecond, workers);
  }

  /** True when the backend simulates the device (its link times are modeled, not real). */
  public boolean simulated() {
    return backend.equals("sim");
  }
}
