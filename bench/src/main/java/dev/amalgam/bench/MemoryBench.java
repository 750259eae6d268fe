package dev.amalgam.bench;

import dev.amalgam.memory.AccessMode;
import dev.amalgam.memory.Device;
import dev.amalgam.memory.LinkSpec;
import dev.amalgam.memory.MemoryStats;
import dev.amalgam.memory.Pin;
import dev.amalgam.memory.Region;
import dev.amalgam.memory.Route;
import dev.amalgam.memory.Sizes;
import dev.amalgam.memory.Topology;
import dev.amalgam.memory.UnifiedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code amalgam bench memory}: the unified memory layer measured against the physical limit of
 * this machine in one run.
 *
 * <ul>
 *   <li>{@code memcpy_gbps}: plain {@link MemorySegment#copy} of page-sized blocks between two
 *       off-heap buffers of the working-set size — the limit, since simulated members are host
 *       memory.
 *   <li>{@code migrate_gbps}: {@link Region#migrate} of a resident region back and forth between
 *       the two members of {@code fused-pair} (page-table updates, frame allocation, accounting and
 *       the copy).
 *   <li>{@code migrate_staged_gbps}: the same on {@code pcie-pair}, where a GPU-to-GPU move is
 *       staged through host buffers (two copies per page).
 *   <li>{@code pin_resident_ns}: pin + unpin of a page already resident on the pinning device.
 *   <li>{@code fault_ns}: a read pin of a page resident on the other member (the pin migrates it).
 *   <li>{@code evict_gbps}: sequential write pins over a region twice a member's capacity; every
 *       pin evicts a cold page (written back to the host) — bytes evicted per second.
 * </ul>
 *
 * Link times of simulated members are also reported as modeled by the link figures, labelled so.
 */
public final class MemoryBench {
  /** What to run. */
  public record Config(String topology, long pageSize, long workingSetBytes, int repetitions) {
    /** Validates the fields. */
    public Config {
      Objects.requireNonNull(topology, "topology is null");
      if (workingSetBytes < 4 * pageSize) {
        throw new IllegalArgumentException(
            "working set " + workingSetBytes + " must hold at least 4 pages of " + pageSize);
      }
      if (repetitions < 1) {
        throw new IllegalArgumentException("repetitions must be at least 1, was " + repetitions);
      }
    }

    /** The defaults: fused-pair, 2 MiB pages, 256 MiB working set, 5 repetitions. */
    public static Config defaults() {
      return new Config("fused-pair", 2 * Sizes.MiB, 256 * Sizes.MiB, 5);
    }
  }

  /** The measurements, in a fixed key order (the JSON keys). */
  public record Result(Config config, Map<String, Double> values, String linkName, String notes) {
    /** One measurement by key. */
    public double get(String key) {
      Double v = values.get(key);
      if (v == null) {
        throw new IllegalArgumentException("no measurement " + key);
      }
      return v;
    }

    /** One JSON object holding every key. */
    public String toJson() {
      StringBuilder sb = new StringBuilder("{");
      sb.append("\"topology\":\"").append(config.topology()).append("\",");
      sb.append("\"page_size\":").append(config.pageSize()).append(',');
      sb.append("\"working_set_bytes\":").append(config.workingSetBytes()).append(',');
      sb.append("\"simulated\":true,");
      boolean first = true;
      for (Map.Entry<String, Double> e : values.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        sb.append('"').append(e.getKey()).append("\":");
        sb.append(String.format(Locale.ROOT, "%.4f", e.getValue()));
      }
      return sb.append('}').toString();
    }

    /** A readable table. */
    public String toTable() {
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              Locale.ROOT,
              "amalgam bench memory: topology %s (simulated members), page %s, working set %s,"
                  + " best of %d%n",
              config.topology(),
              Sizes.bytes(config.pageSize()),
              Sizes.bytes(config.workingSetBytes()),
              config.repetitions()));
      row(sb, "memcpy_gbps", "GB/s", "MemorySegment.copy of page blocks (the limit here)");
      row(sb, "migrate_gbps", "GB/s", "Region.migrate gpu0<->gpu1 (" + linkName + ")");
      row(sb, "migrate_vs_memcpy", "x", "target >= 0.8");
      row(sb, "migrate_staged_gbps", "GB/s", "pcie-pair gpu0<->gpu1, staged through host");
      row(sb, "pin_resident_ns", "ns", "pin + unpin of a resident page, target <= 100");
      row(sb, "fault_ns", "ns", "read pin of a page on the other member (moves it)");
      row(sb, "fault_copy_ns", "ns", "plain copy of one page, for comparison");
      row(sb, "evict_gbps", "GB/s", "write pins at 2x oversubscription (evict to host)");
      row(sb, "modeled_migrate_gbps", "GB/s", "MODELED: " + linkName + " figures, not measured");
      row(sb, "modeled_staged_gbps", "GB/s", "MODELED: pcie5 staged route, not measured");
      sb.append(notes);
      return sb.toString();
    }

    private void row(StringBuilder sb, String key, String unit, String what) {
      Double v = values.get(key);
      if (v != null) {
        sb.append(String.format(Locale.ROOT, "  %-22s %12.2f %-5s %s%n", key, v, unit, what));
      }
    }
  }

  private MemoryBench() {}

  /** Runs every measurement; takes a few seconds at the defaults. */
  public static Result run(Config config, Path spillDirectory) {
    return run(config, spillDirectory, 2_000_000);
  }

  /** Runs every measurement with {@code pins} pins per pin-latency repetition. */
  static Result run(Config config, Path spillDirectory, int pins) {
    Map<String, Double> v = new LinkedHashMap<>();
    double memcpy = memcpyGbps(config);
    v.put("memcpy_gbps", memcpy);
    Topology pair = topology(config.topology(), config);
    double[] migrate = migrateGbps(pair, config, spillDirectory);
    v.put("migrate_gbps", migrate[0]);
    v.put("migrate_vs_memcpy", migrate[0] / memcpy);
    Topology pcie = topology("pcie-pair", config);
    double[] staged = migrateGbps(pcie, config, spillDirectory);
    v.put("migrate_staged_gbps", staged[0]);
    v.put("pin_resident_ns", pinResidentNs(pair, config, spillDirectory, pins));
    double[] fault = faultNs(pair, config, spillDirectory);
    v.put("fault_ns", fault[0]);
    v.put("fault_copy_ns", 1e9 * config.pageSize() / (memcpy * 1e9));
    v.put("evict_gbps", evictGbps(pair, config, spillDirectory));
    v.put("modeled_migrate_gbps", migrate[1]);
    v.put("modeled_staged_gbps", staged[1]);
    String link = linkName(pair);
    String notes =
        "Simulated members are host memory: measured figures are this machine's copies and"
            + " bookkeeping;\nmodeled figures come from the link specs (bytes / bandwidth +"
            + " latency) and describe the modeled hardware.\n";
    return new Result(config, v, link, notes);
  }

  private static String linkName(Topology t) {
    Route r = t.route("gpu0", "gpu1", 1);
    return r.hops().stream()
        .map(h -> h.link().type().id())
        .distinct()
        .reduce((a, b) -> a + "+" + b)
        .orElse("local");
  }

  private static Topology topology(String name, Config c) {
    long gpu = c.workingSetBytes() * 2;
    long host = c.workingSetBytes() * 4;
    return Topology.presetNames().contains(name)
        ? Topology.preset(name, gpu, host)
        : Topology.parse(Path.of(name)).withCapacities(gpu, host);
  }

  private static UnifiedMemory open(Topology t, Config c, Path spill) {
    return UnifiedMemory.builder().topology(t).pageSize(c.pageSize()).spillDirectory(spill).build();
  }

  /** Best GB/s of copying the working set page by page between two distinct buffers. */
  static double memcpyGbps(Config c) {
    long ws = c.workingSetBytes();
    long page = c.pageSize();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(ws, 64);
      MemorySegment b = arena.allocate(ws, 64);
      a.fill((byte) 1);
      b.fill((byte) 2);
      double best = 0;
      for (int rep = 0; rep < c.repetitions() + 1; rep++) {
        long start = System.nanoTime();
        for (long off = 0; off < ws; off += page) {
          MemorySegment.copy(a, off, b, off, page);
        }
        for (long off = 0; off < ws; off += page) {
          MemorySegment.copy(b, off, a, off, page);
        }
        long took = System.nanoTime() - start;
        if (rep > 0) {
          best = Math.max(best, 2.0 * ws / took);
        }
      }
      return best;
    }
  }

  /** {best measured GB/s, modeled GB/s} of migrating a resident region gpu0 <-> gpu1. */
  static double[] migrateGbps(Topology t, Config c, Path spill) {
    try (UnifiedMemory m = open(t, c, spill);
        Region r = m.allocate(c.workingSetBytes(), "bench-migrate")) {
      Device g0 = m.device("gpu0");
      Device g1 = m.device("gpu1");
      touch(r, g0, c);
      double best = 0;
      for (int rep = 0; rep < c.repetitions() + 1; rep++) {
        long start = System.nanoTime();
        r.migrate(g1);
        r.migrate(g0);
        long took = System.nanoTime() - start;
        if (rep > 0) {
          best = Math.max(best, 2.0 * r.retainedBytes() / took);
        }
      }
      double modeledSeconds = m.modeledTransferSeconds(g0, g1, c.pageSize()) * r.pageCount();
      return new double[] {best, r.retainedBytes() / modeledSeconds / 1e9};
    }
  }

  /** Writes every page of the region on a device (places it there). */
  private static void touch(Region r, Device d, Config c) {
    for (long off = 0; off < r.size(); off += c.pageSize()) {
      try (Pin p = r.pin(off, Math.min(c.pageSize(), r.size() - off), d, AccessMode.WRITE)) {
        p.segment().fill((byte) off);
      }
    }
  }

  /** Mean ns of pin + unpin of one page resident on the pinning device. */
  static double pinResidentNs(Topology t, Config c, Path spill, int n) {
    try (UnifiedMemory m = open(t, c, spill);
        Region r = m.allocate(c.pageSize() * 4, "bench-pin")) {
      Device g0 = m.device("gpu0");
      touch(r, g0, c);
      long page = c.pageSize();
      double best = Double.MAX_VALUE;
      long sink = 0;
      for (int rep = 0; rep < c.repetitions() + 1; rep++) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
          try (Pin p = r.pin((i & 3) * page, 64, g0, AccessMode.READ)) {
            sink += p.segment().byteSize();
          }
        }
        long took = System.nanoTime() - start;
        if (rep > 0) {
          best = Math.min(best, (double) took / n);
        }
      }
      if (sink == 42) {
        System.out.print("");
      }
      return best;
    }
  }

  /** {mean ns} of a read pin that moves the page from the other member first. */
  static double[] faultNs(Topology t, Config c, Path spill) {
    try (UnifiedMemory m = open(t, c, spill);
        Region r = m.allocate(c.workingSetBytes(), "bench-fault")) {
      Device g0 = m.device("gpu0");
      Device g1 = m.device("gpu1");
      touch(r, g0, c);
      long page = c.pageSize();
      int pages = r.pageCount();
      double best = Double.MAX_VALUE;
      Device[] order = {g1, g0};
      for (int rep = 0; rep < c.repetitions() + 1; rep++) {
        Device to = order[rep % 2];
        long start = System.nanoTime();
        for (int i = 0; i < pages; i++) {
          try (Pin p = r.pin(i * page, 8, to, AccessMode.READ)) {
            if (p.length() != 8) {
              throw new AssertionError();
            }
          }
        }
        long took = System.nanoTime() - start;
        if (rep > 0) {
          best = Math.min(best, (double) took / pages);
        }
      }
      MemoryStats s = m.stats();
      if (s.device("gpu0").faults() + s.device("gpu1").faults() < pages) {
        throw new IllegalStateException("fault benchmark did not fault: " + s.format());
      }
      return new double[] {best};
    }
  }

  /** GB/s evicted by write pins cycling over a region twice gpu0's capacity. */
  static double evictGbps(Topology t, Config c, Path spill) {
    long cap = c.workingSetBytes() / 2;
    Topology small =
        Topology.builder(t.name() + "-2x")
            .device(t.host().withCapacity(c.workingSetBytes() * 4))
            .device(t.device("gpu0").withCapacity(cap))
            .device(t.device("gpu1").withCapacity(cap))
            .link(findLink(t, "gpu0", "gpu1"))
            .link(findLink(t, "gpu0", "host"))
            .link(findLink(t, "gpu1", "host"))
            .build();
    try (UnifiedMemory m = open(small, c, spill);
        Region r = m.allocate(2 * cap, "bench-evict")) {
      Device g0 = m.device("gpu0");
      touch(r, g0, c);
      long evictedBefore = m.stats().device("gpu0").evictions();
      double best = 0;
      for (int rep = 0; rep < c.repetitions() + 1; rep++) {
        long e0 = m.stats().device("gpu0").evictions();
        long start = System.nanoTime();
        touch(r, g0, c);
        long took = System.nanoTime() - start;
        long evicted = m.stats().device("gpu0").evictions() - e0;
        if (rep > 0) {
          best = Math.max(best, (double) evicted * c.pageSize() / took);
        }
      }
      if (m.stats().device("gpu0").evictions() == evictedBefore) {
        throw new IllegalStateException("eviction benchmark evicted nothing");
      }
      return best;
    }
  }

  private static LinkSpec findLink(Topology t, String a, String b) {
    for (LinkSpec l : t.links()) {
      if (l.joins(a, b)) {
        return l;
      }
    }
    return LinkSpec.of(a, b, dev.amalgam.memory.LinkType.PCIE5);
  }
}
