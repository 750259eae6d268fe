package dev.amalgam.memory;

import java.util.List;
import java.util.Locale;

/**
 * A snapshot of a unified memory's statistics: per device, per link and for the spill tier.
 *
 * @param topology the topology's name
 * @param pageSize bytes per page
 * @param regions live regions
 * @param allocatedBytes bytes of live regions, rounded up to whole pages
 * @param devices per device
 * @param links per link
 * @param spill the spill tier
 */
public record MemoryStats(
    String topology,
    long pageSize,
    long regions,
    long allocatedBytes,
    List<DeviceStats> devices,
    List<LinkStats> links,
    SpillStats spill) {

  /**
   * Statistics of one device.
   *
   * @param name device name
   * @param kind host or GPU
   * @param simulated true for a simulated device
   * @param capacity capacity in bytes
   * @param residentBytes bytes of pages resident now
   * @param pinnedPages pages with open pins on this device now
   * @param pins pins opened on this device
   * @param faults pins that had to bring a page's bytes to this device first
   * @param migrationsIn pages moved here (their source copy dropped)
   * @param migrationsOut pages moved away from here
   * @param replications read-only replicas made here
   * @param evictions copies dropped here to make room or on request
   * @param writeBacks evictions that first wrote the only current copy to a lower tier
   * @param prefetched pages brought here by prefetch
   * @param remoteReads read pins served from another device's copy (ACCESSED_BY)
   */
  public record DeviceStats(
      String name,
      DeviceKind kind,
      boolean simulated,
      long capacity,
      long residentBytes,
      long pinnedPages,
      long pins,
      long faults,
      long migrationsIn,
      long migrationsOut,
      long replications,
      long evictions,
      long writeBacks,
      long prefetched,
      long remoteReads) {}

  /**
   * Statistics of one link, both directions together.
   *
   * @param a one end
   * @param b the other end
   * @param type the interconnect
   * @param bytes bytes moved
   * @param transfers transfers made
   * @param measuredSeconds time the copies took in this process
   * @param modeledSeconds time the link's figures predict (bytes / bandwidth + latency each)
   */
  public record LinkStats(
      String a,
      String b,
      LinkType type,
      long bytes,
      long transfers,
      double measuredSeconds,
      double modeledSeconds) {}

  /**
   * Statistics of the spill tier.
   *
   * @param location the spill file (or directory before first use)
   * @param capacity limit in bytes
   * @param usedBytes bytes of slots in use
   * @param writes pages written
   * @param reads pages read back
   * @param bytesWritten bytes written
   * @param bytesRead bytes read
   * @param measuredSeconds time spent in file I/O
   */
  public record SpillStats(
      String location,
      long capacity,
      long usedBytes,
      long writes,
      long reads,
      long bytesWritten,
      long bytesRead,
      double measuredSeconds) {}

  /** The statistics of the named device. */
  public DeviceStats device(String name) {
    for (DeviceStats d : devices) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    throw new IllegalArgumentException("no device '" + name + "' in topology " + topology);
  }

  /** The statistics of the link between two devices. */
  public LinkStats link(String x, String y) {
    for (LinkStats l : links) {
      if ((l.a().equals(x) && l.b().equals(y)) || (l.a().equals(y) && l.b().equals(x))) {
        return l;
      }
    }
    throw new IllegalArgumentException("no link " + x + "<->" + y + " in topology " + topology);
  }

  /** Total bytes moved over all links. */
  public long linkBytes() {
    return links.stream().mapToLong(LinkStats::bytes).sum();
  }

  /** A readable table of everything, with simulated devices and modeled times labelled. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "unified memory on %s: page %s, %d regions, %s allocated%n",
            topology,
            Sizes.bytes(pageSize),
            regions,
            Sizes.bytes(allocatedBytes)));
    sb.append(
        String.format(
            Locale.ROOT,
            "%-8s %-16s %10s %10s %6s %8s %8s %8s %8s %8s %8s %8s%n",
            "device",
            "kind",
            "capacity",
            "resident",
            "pinned",
            "faults",
            "migr-in",
            "migr-out",
            "replicas",
            "evicted",
            "wr-back",
            "prefetch"));
    for (DeviceStats d : devices) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-8s %-16s %10s %10s %6d %8d %8d %8d %8d %8d %8d %8d%n",
              d.name(),
              d.kind().name().toLowerCase(Locale.ROOT) + (d.simulated() ? " (simulated)" : ""),
              Sizes.bytes(d.capacity()),
              Sizes.bytes(d.residentBytes()),
              d.pinnedPages(),
              d.faults(),
              d.migrationsIn(),
              d.migrationsOut(),
              d.replications(),
              d.evictions(),
              d.writeBacks(),
              d.prefetched()));
    }
    if (!links.isEmpty()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-16s %-8s %12s %10s %14s %14s%n",
              "link",
              "type",
              "bytes",
              "transfers",
              "measured",
              "modeled"));
      for (LinkStats l : links) {
        sb.append(
            String.format(
                Locale.ROOT,
                "%-16s %-8s %12s %10d %14s %14s%n",
                l.a() + "<->" + l.b(),
                l.type().id(),
                Sizes.bytes(l.bytes()),
                l.transfers(),
                Sizes.nanos(l.measuredSeconds() * 1e9),
                Sizes.nanos(l.modeledSeconds() * 1e9)));
      }
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "spill %s: %s of %s used, %d pages written, %d read, %s of file I/O%n",
            spill.location(),
            Sizes.bytes(spill.usedBytes()),
            Sizes.bytes(spill.capacity()),
            spill.writes(),
            spill.reads(),
            Sizes.nanos(spill.measuredSeconds() * 1e9)));
    sb.append(
        "measured = copies done by this process on this machine; modeled = link figures"
            + " (bytes / bandwidth + latency)");
    if (devices.stream().anyMatch(DeviceStats::simulated)) {
      sb.append("; simulated devices are host memory, so only modeled times describe their links");
    }
    sb.append(System.lineSeparator());
    return sb.toString();
  }
}
