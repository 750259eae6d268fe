package dev.amalgam.samples;

import dev.amalgam.memory.AccessMode;
import dev.amalgam.memory.Device;
import dev.amalgam.memory.FusedDevice;
import dev.amalgam.memory.MemoryStats;
import dev.amalgam.memory.Pin;
import dev.amalgam.memory.Region;
import dev.amalgam.memory.Sizes;
import dev.amalgam.memory.Topology;
import dev.amalgam.memory.UnifiedMemory;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The memory layer at work on a fused device: a data set larger than one member's capacity is
 * placed across the members, summed where it lives, moved over the link with prefetch running
 * ahead, then pushed out by a second data set (eviction to host and to the spill file) and read
 * back intact.
 */
public final class MemoryDemo {
  /** The demo's settings. */
  public record Options(
      Topology topology, long pageSize, long dataBytes, long pressureBytes, Path spillDirectory) {
    /** Validates the fields. */
    public Options {
      Objects.requireNonNull(topology, "topology is null");
      Objects.requireNonNull(spillDirectory, "spillDirectory is null");
      if (dataBytes < 2 * pageSize || dataBytes % 8 != 0) {
        throw new IllegalArgumentException(
            "data size must be a multiple of 8 bytes and at least two pages, was " + dataBytes);
      }
    }

    /** fused-pair with 128 MiB members and a 256 MiB host; 192 MiB of data; 2 MiB pages. */
    public static Options defaults() {
      long gpu = 128 * Sizes.MiB;
      return new Options(
          Topology.preset(Topology.DEFAULT_PRESET, gpu, 2 * gpu),
          2 * Sizes.MiB,
          gpu * 3 / 2,
          2 * gpu,
          Path.of(System.getProperty("java.io.tmpdir"), "amalgam-spill"));
    }
  }

  /** What the demo found; {@code ok} is false if any checksum differed. */
  public record Outcome(boolean ok, long expected, List<Long> checksums, MemoryStats stats) {}

  private MemoryDemo() {}

  /** Runs the demo, printing as it goes. */
  public static Outcome run(Options o, PrintStream out) {
    out.println("Amalgam demo: the unified memory layer");
    out.println("======================================");
    out.println(o.topology().describe());
    try (UnifiedMemory memory =
        UnifiedMemory.builder()
            .topology(o.topology())
            .pageSize(o.pageSize())
            .spillDirectory(o.spillDirectory())
            .build()) {
      FusedDevice fused = memory.fusedDevice();
      List<Device> members = fused.members();
      long values = o.dataBytes() / 8;
      long expected = expectedSum(values);
      List<Long> checksums = new ArrayList<>();
      MemoryStats stats;
      out.printf(
          Locale.ROOT,
          "%nFused device %s: %d members, %s together, pages of %s.%n",
          fused,
          members.size(),
          Sizes.bytes(fused.capacity()),
          Sizes.bytes(memory.pageSize()));

      try (Region data = memory.allocate(o.dataBytes(), "demo:readings")) {
        step(out, 1, "place " + Sizes.bytes(o.dataBytes()) + " of readings across the members");
        out.printf(
            Locale.ROOT,
            "   (%.1fx one member's capacity; page i goes to member i mod %d)%n",
            (double) o.dataBytes() / members.get(0).capacity(),
            members.size());
        long start = System.nanoTime();
        fill(data, members);
        report(out, memory, start);

        step(out, 2, "sum on every member where its pages live (each member's own workers)");
        start = System.nanoTime();
        long sum = sumWhereResident(data, members);
        checksums.add(sum);
        out.printf(
            Locale.ROOT, "   sum = %d (expected %d) %s%n", sum, expected, mark(sum, expected));
        report(out, memory, start);

        Device target = members.get(members.size() - 1);
        step(out, 3, "gather everything on " + target.name() + ", prefetching ahead of the scan");
        start = System.nanoTime();
        sum = scanWithPrefetch(data, target, 8);
        checksums.add(sum);
        out.printf(Locale.ROOT, "   sum = %d %s%n", sum, mark(sum, expected));
        report(out, memory, start);

        step(
            out, 4, "a second data set of " + Sizes.bytes(o.pressureBytes()) + " pushes pages out");
        start = System.nanoTime();
        try (Region pressure = memory.allocate(o.pressureBytes(), "demo:pressure")) {
          fill(pressure, List.of(members.get(0)));
          report(out, memory, start);

          step(out, 5, "read the readings again on " + members.get(0).name());
          start = System.nanoTime();
          sum = scan(data, members.get(0));
          checksums.add(sum);
          out.printf(Locale.ROOT, "   sum = %d %s: nothing was lost%n", sum, mark(sum, expected));
          report(out, memory, start);
          stats = memory.stats();
        }
      }
      out.println();
      out.println("Statistics (before the data sets were freed)");
      out.println("--------------------------------------------");
      out.print(stats.format());
      boolean ok = checksums.stream().allMatch(c -> c == expected);
      out.println(ok ? "\nAll checksums match." : "\nCHECKSUM MISMATCH");
      return new Outcome(ok, expected, List.copyOf(checksums), stats);
    }
  }

  private static void step(PrintStream out, int n, String what) {
    out.printf(Locale.ROOT, "%n%d. %s%n", n, what);
  }

  private static String mark(long got, long expected) {
    return got == expected ? "[ok]" : "[MISMATCH]";
  }

  private static void report(PrintStream out, UnifiedMemory memory, long startNanos) {
    double ms = (System.nanoTime() - startNanos) / 1e6;
    MemoryStats s = memory.stats();
    StringBuilder sb = new StringBuilder();
    for (MemoryStats.DeviceStats d : s.devices()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%s %s/%s",
              d.name(),
              Sizes.bytes(d.residentBytes()),
              Sizes.bytes(d.capacity())));
      sb.append("  ");
    }
    out.printf(Locale.ROOT, "   took %.0f ms (measured); resident: %s%n", ms, sb.toString().trim());
    double modeled = s.links().stream().mapToDouble(MemoryStats.LinkStats::modeledSeconds).sum();
    out.printf(
        Locale.ROOT,
        "   so far: %s over links (modeled link time %s), %d evictions, %d pages spilled%n",
        Sizes.bytes(s.linkBytes()),
        Sizes.nanos(modeled * 1e9),
        s.devices().stream().mapToLong(MemoryStats.DeviceStats::evictions).sum(),
        s.spill().writes());
  }

  /** The value stored at index i: a cheap mix so sums catch any misplaced page. */
  static long value(long i) {
    long x = (i + 1) * 0x9E3779B97F4A7C15L;
    return x ^ (x >>> 29);
  }

  static long expectedSum(long n) {
    long sum = 0;
    for (long i = 0; i < n; i++) {
      sum += value(i);
    }
    return sum;
  }

  /** Writes page p on member p mod members, pages in parallel on each member's workers. */
  private static void fill(Region r, List<Device> members) {
    long page = r.memory().pageSize();
    List<CompletableFuture<Void>> work = new ArrayList<>();
    for (int m = 0; m < members.size(); m++) {
      Device d = members.get(m);
      int first = m;
      work.add(
          CompletableFuture.runAsync(
              () -> {
                for (int p = first; p < r.pageCount(); p += members.size()) {
                  long off = p * page;
                  long len = Math.min(page, r.size() - off);
                  try (Pin pin = r.pin(off, len, d, AccessMode.OVERWRITE)) {
                    MemorySegment s = pin.segment();
                    long base = off / 8;
                    for (long i = 0; i < len / 8; i++) {
                      s.setAtIndex(ValueLayout.JAVA_LONG, i, value(base + i));
                    }
                  }
                }
              },
              d.executor()));
    }
    work.forEach(CompletableFuture::join);
  }

  private static long sumWhereResident(Region r, List<Device> members) {
    long page = r.memory().pageSize();
    List<CompletableFuture<Long>> work = new ArrayList<>();
    for (int m = 0; m < members.size(); m++) {
      Device d = members.get(m);
      int first = m;
      work.add(
          CompletableFuture.supplyAsync(
              () -> {
                long sum = 0;
                for (int p = first; p < r.pageCount(); p += members.size()) {
                  long off = p * page;
                  sum += sumPage(r, off, Math.min(page, r.size() - off), d);
                }
                return sum;
              },
              d.executor()));
    }
    long total = 0;
    for (CompletableFuture<Long> f : work) {
      total += f.join();
    }
    return total;
  }

  private static long scan(Region r, Device d) {
    long page = r.memory().pageSize();
    long sum = 0;
    for (long off = 0; off < r.size(); off += page) {
      sum += sumPage(r, off, Math.min(page, r.size() - off), d);
    }
    return sum;
  }

  private static long scanWithPrefetch(Region r, Device d, int ahead) {
    long page = r.memory().pageSize();
    long sum = 0;
    CompletableFuture<Integer> inFlight = CompletableFuture.completedFuture(0);
    for (int p = 0; p < r.pageCount(); p++) {
      if (p % ahead == 0) {
        inFlight.join();
        long from = (long) (p + ahead) * page;
        if (from < r.size()) {
          inFlight = r.prefetch(from, Math.min((long) ahead * page, r.size() - from), d);
        }
      }
      long off = p * page;
      sum += sumPage(r, off, Math.min(page, r.size() - off), d);
    }
    inFlight.join();
    return sum;
  }

  private static long sumPage(Region r, long off, long len, Device d) {
    try (Pin pin = r.pin(off, len, d, AccessMode.READ)) {
      MemorySegment s = pin.segment();
      long sum = 0;
      for (long i = 0; i < len / 8; i++) {
        sum += s.getAtIndex(ValueLayout.JAVA_LONG, i);
      }
      return sum;
    }
  }
}
