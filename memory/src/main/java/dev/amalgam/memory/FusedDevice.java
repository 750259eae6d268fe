package dev.amalgam.memory;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One logical device made of member devices whose memories form one pooled address space. Users
 * work with the fused device and never have to name a member; the engine places pages and work on
 * members.
 */
public final class FusedDevice {
  private final String name;
  private final List<Device> members;
  private final Device host;

  FusedDevice(String name, List<Device> members, Device host) {
    this.name = name;
    this.members = List.copyOf(members);
    this.host = host;
  }

  /** The topology's name, e.g. {@code fused-pair}. */
  public String name() {
    return name;
  }

  /** The member devices (the GPUs; the host alone on a CPU-only topology). */
  public List<Device> members() {
    return members;
  }

  /** The host device, where pages are demoted to before the spill file. */
  public Device host() {
    return host;
  }

  /** Capacity of all members together. */
  public long capacity() {
    long c = 0;
    for (Device d : members) {
      c += d.capacity();
    }
    return c;
  }

  /** True when any member is simulated. */
  public boolean simulated() {
    return members.stream().anyMatch(Device::simulated);
  }

  @Override
  public String toString() {
    return name
        + "["
        + members.stream()
            .map(d -> d.name() + (d.simulated() ? " (simulated)" : ""))
            .collect(Collectors.joining(", "))
        + "]";
  }
}
