package dev.amalgam.memory;

/**
 * Interconnect technologies with their public figures. Bandwidths are per direction; latencies are
 * modeled per-transfer setup costs (see docs/topologies.md for sources and assumptions).
 */
public enum LinkType {
  /** NV-HBI, the die-to-die interface of Blackwell B200: 10 TB/s. */
  NV_HBI("nv-hbi", 5.0e12, 500),
  /** NVLink 5 (Blackwell): 1.8 TB/s per GPU, 900 GB/s each way. */
  NVLINK5("nvlink5", 900e9, 1_000),
  /** NVLink 4 (Hopper): 900 GB/s per GPU, 450 GB/s each way. */
  NVLINK4("nvlink4", 450e9, 1_000),
  /** NVLink-C2C (Grace Hopper / Grace Blackwell): 900 GB/s, 450 GB/s each way. */
  NVLINK_C2C("c2c", 450e9, 1_000),
  /** PCIe Gen5 x16: about 64 GB/s each way. */
  PCIE5("pcie5", 64e9, 2_000),
  /** PCIe Gen4 x16: about 32 GB/s each way. */
  PCIE4("pcie4", 32e9, 2_000);

  private final String id;
  private final double bytesPerSecondPerDirection;
  private final long latencyNanos;

  LinkType(String id, double bytesPerSecondPerDirection, long latencyNanos) {
    this.id = id;
    this.bytesPerSecondPerDirection = bytesPerSecondPerDirection;
    this.latencyNanos = latencyNanos;
  }

  /** The name used in topology files, e.g. {@code nvlink5}. */
  public String id() {
    return id;
  }

  /** Bandwidth per direction in bytes per second. */
  public double bytesPerSecondPerDirection() {
    return bytesPerSecondPerDirection;
  }

  /** Modeled latency of one transfer over the link, in nanoseconds. */
  public long latencyNanos() {
    return latencyNanos;
  }

  /** Looks a link type up by its topology-file name; null when unknown. */
  public static @org.jspecify.annotations.Nullable LinkType byId(String id) {
    for (LinkType t : values()) {
      if (t.id.equalsIgnoreCase(id)) {
        return t;
      }
    }
    return null;
  }
}
