package dev.amalgam.memory;

/** What a device is: the host (CPU and its DRAM) or a GPU member of a fused device. */
public enum DeviceKind {
  /** CPU cores and host DRAM. Always host-addressable. */
  HOST,
  /** A GPU (real or simulated) with memory of its own. */
  GPU
}
