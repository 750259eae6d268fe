package dev.amalgam.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.amalgam.memory.AmalgamMemoryException.Code;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Model-based randomized test of {@link UnifiedMemory}: long random sequences of allocate, close,
 * write, read, held pins, prefetch, advise, migrate and evict on tiny, heavily oversubscribed
 * devices, checked against one plain {@code byte[]} per region (every read returns the last write,
 * zeros where never written) and against the page table's invariants after every operation.
 *
 * <p>Every run prints its seed; {@code -Damalgam.test.seed=N} replaces the base seed the runs'
 * seeds are derived from, so a printed base seed reproduces every run.
 */
final class UnifiedMemoryModelTest {
  static final long BASE_SEED = Long.getLong("amalgam.test.seed", 0x5EED_A3A1_2025L);

  @TempDir Path spillDir;

  @BeforeEach
  void clearOpaqueViolations() {
    OpaqueBackend.clearViolations();
  }

  @AfterEach
  void noOpaqueViolations() {
    assertThat(OpaqueBackend.violations()).as("opaque backend SPI breaches").isEmpty();
  }

  static Stream<Arguments> runs() {
    List<Arguments> runs = new ArrayList<>();
    List<String> topologies =
        List.of(
            "cpu",
            "fused-pair",
            "pcie-pair",
            "nvl4",
            "opaque-mixed",
            "opaque-pcie",
            "opaque-nvlink",
            "opaque-nopeer",
            "opaque-chain");
    long[] pageSizes = {256, 1024, 4096};
    for (int t = 0; t < topologies.size(); t++) {
      // Two page sizes per topology, rotating, so that every size meets several topologies.
      runs.add(Arguments.of(topologies.get(t), pageSizes[t % 3], 6000, TINY));
      runs.add(Arguments.of(topologies.get(t), pageSizes[(t + 1) % 3], 6000, TINY));
    }
    runs.add(Arguments.of("fused-pair", 256L, 20_000, TINY));
    runs.add(Arguments.of("opaque-mixed", 512L, 20_000, TINY));
    runs.add(Arguments.of("cpu", 256L, 6000, SPILL));
    runs.add(Arguments.of("opaque-chain", 512L, 6000, SPILL));
    return runs.stream();
  }

  /** Profile: GPUs of 2-4 pages, a host of 3-8, a spill file of 8-24. */
  static final String TINY = "tiny";

  /**
   * Profile: a large host and a small spill file, and regions often written whole, so that the
   * spill file fills with clean backing copies and must reclaim them.
   */
  static final String SPILL = "spill";

  @ParameterizedTest(name = "{0}, page {1} B, {2} ops, {3}")
  @MethodSource("runs")
  void randomOps_tinyOversubscribedDevices_matchByteArrayModel(
      String topology, long pageSize, int ops, String profile) {
    long seed = seedFor(topology + "/" + pageSize + "/" + ops + "/" + profile);
    System.out.printf(
        "UnifiedMemoryModelTest %s page=%d ops=%d %s: seed=%d (base seed %d; rerun with"
            + " -Damalgam.test.seed=%d)%n",
        topology, pageSize, ops, profile, seed, BASE_SEED, BASE_SEED);
    Random rnd = new Random(seed);
    boolean spill = profile.equals(SPILL);
    int gpuPages = spill ? 6 + rnd.nextInt(3) : 2 + rnd.nextInt(3);
    int hostPages = spill ? 24 + rnd.nextInt(17) : 3 + rnd.nextInt(6);
    int spillPages = spill ? 4 + rnd.nextInt(5) : 8 + rnd.nextInt(17);
    try (ModelRun run =
        new ModelRun(
            open(topology, pageSize, gpuPages, hostPages, spillPages, spillDir),
            rnd,
            seed,
            topology,
            spill)) {
      run.run(ops);
      System.out.println("  " + run.summary());
    }
    assertThat(OpaqueBackend.open()).as("opaque backends left open").isEmpty();
  }

  @Test
  void regionSizes_acrossPageBoundaries_readZerosThenLastWriteOnEveryDevice() {
    long seed = seedFor("sizes");
    System.out.println("UnifiedMemoryModelTest sizes: seed=" + seed);
    Random rnd = new Random(seed);
    for (String topology : List.of("fused-pair", "opaque-mixed")) {
      for (long ps : new long[] {256, 512, 4096}) {
        try (UnifiedMemory m = open(topology, ps, 2, 3, 64, spillDir)) {
          long[] sizes = {1, ps - 1, ps, ps + 1, 2 * ps - 1, 2 * ps, 2 * ps + 1, 3 * ps + 7};
          for (long size : sizes) {
            byte[] model = new byte[(int) size];
            try (Region r = m.allocate(size, "sweep")) {
              assertThat(r.pageCount()).isEqualTo((int) ((size + ps - 1) / ps));
              assertThat(r.retainedBytes()).isEqualTo(r.pageCount() * ps);
              for (Device d : m.devices()) {
                assertThat(readPaged(r, size, d, ps)).as("zeros on %s", d.name()).isEqualTo(model);
              }
              for (Device d : m.devices()) {
                // Writes that start and end on, just before and just after page boundaries.
                for (long off : new long[] {0, ps - 1, ps, ps + 1, size - 1}) {
                  if (off < 0 || off >= size) {
                    continue;
                  }
                  long len = Math.min(size - off, 1 + rnd.nextInt((int) Math.min(ps + 2, 2 * ps)));
                  int maxPages = (int) (d.capacity() / ps);
                  if (pagesSpanned(off, len, ps) > maxPages) {
                    continue;
                  }
                  byte[] data = new byte[(int) len];
                  rnd.nextBytes(data);
                  writeVia(r, off, data, d, AccessMode.WRITE, ps);
                  System.arraycopy(data, 0, model, (int) off, (int) len);
                }
                for (Device reader : m.devices()) {
                  assertThat(readPaged(r, size, reader, ps))
                      .as("size %d written on %s read on %s", size, d.name(), reader.name())
                      .isEqualTo(model);
                }
              }
              byte[] back = new byte[(int) size];
              r.read(0, MemorySegment.ofArray(back));
              assertThat(back).isEqualTo(model);
            }
          }
        }
      }
    }
  }

  @Test
  void opaqueDevice_fromTopologyFile_pinsExposeFramesAndStageThroughHost() {
    long ps = 1024;
    Topology t =
        Topology.parse(
            """
                topology opaque-file
                device host kind=host capacity=8KiB workers=2
                device gpu0 kind=gpu backend=opaque capacity=4KiB workers=1
                device gpu1 kind=gpu backend=opaque capacity=4KiB workers=1
                link gpu0 host type=pcie5
                link gpu1 host type=pcie5
                """,
            "opaque-file.topo");
    try (UnifiedMemory m =
            UnifiedMemory.builder()
                .topology(t)
                .pageSize(ps)
                .spillDirectory(spillDir)
                .spillCapacity(16 * ps)
                .build();
        Region r = m.allocate(2 * ps, "opaque")) {
      Device g0 = m.device("gpu0");
      Device g1 = m.device("gpu1");
      assertThat(g0.hostAddressable()).isFalse();
      assertThat(g0.simulated()).isFalse();
      try (Pin p = r.pin(0, 2 * ps, g0, AccessMode.OVERWRITE)) {
        assertThat(p.chunkCount()).isEqualTo(2);
        assertThatThrownBy(() -> p.chunk(0))
            .isInstanceOf(AmalgamMemoryException.class)
            .hasMessageContaining("not host-addressable");
        for (int i = 0; i < 2; i++) {
          byte[] fill = new byte[(int) ps];
          Arrays.fill(fill, (byte) (i + 1));
          OpaqueBackend.owner(p.frame(i))
              .copyFromHost(MemorySegment.ofArray(fill), p.frame(i), 0, ps);
        }
      }
      assertThat(m.route(g0, g1).staged()).isTrue();
      assertThat(readVia(r, ps - 1, 2, g1, ps)).containsExactly(1, 2);
      assertThat(r.page(1).copies()).containsExactly("gpu1");
      MemoryStats s = m.stats();
      assertThat(s.link("gpu0", "host").bytes()).isEqualTo(2 * ps);
      assertThat(s.link("gpu1", "host").bytes()).isEqualTo(2 * ps);
      assertThat(OpaqueBackend.of(g0).liveFrames()).isZero();
      assertThat(OpaqueBackend.of(g1).liveFrames()).isEqualTo(2);
    }
    assertThat(OpaqueBackend.open()).isEmpty();
  }

  @Test
  void opaquePeers_overNvlink_copyDirectlyWithoutHostStaging() {
    long ps = 512;
    try (UnifiedMemory m = open("opaque-nvlink", ps, 4, 4, 16, spillDir);
        Region r = m.allocate(ps, "peer")) {
      byte[] data = new byte[(int) ps];
      new Random(seedFor("peer")).nextBytes(data);
      writeVia(r, 0, data, m.device("gpu0"), AccessMode.OVERWRITE, ps);
      assertThat(readVia(r, 0, ps, m.device("gpu1"), ps)).isEqualTo(data);
      assertThat(OpaqueBackend.of(m.device("gpu0")).peerCopies.sum()).isEqualTo(1);
      assertThat(m.stats().link("gpu0", "gpu1").bytes()).isEqualTo(ps);
      assertThat(m.stats().link("gpu0", "host").bytes()).isZero();
    }
  }

  @Test
  void evictFromOpaqueGpu_hostFullOfPins_spillsThroughStagingAndReadsBack() {
    long ps = 512;
    try (UnifiedMemory m = open("opaque-mixed", ps, 2, 2, 16, spillDir);
        Region data = m.allocate(4 * ps, "data");
        Region pinnedOnHost = m.allocate(2 * ps, "host-pins")) {
      Device g0 = m.device("gpu0");
      try (Pin hostFull = pinnedOnHost.pin(m.host(), AccessMode.READ)) {
        assertThat(m.host().residentBytes()).isEqualTo(m.host().capacity());
        for (int p = 0; p < 4; p++) {
          byte[] fill = new byte[(int) ps];
          Arrays.fill(fill, (byte) (p + 1));
          writeVia(data, p * ps, fill, g0, AccessMode.OVERWRITE, ps);
        }
        // Two pages left the opaque GPU with no room on the host: straight to the spill file.
        int spilled = 0;
        for (int p = 0; p < 4; p++) {
          PageInfo info = data.page(p);
          if (info.copies().isEmpty()) {
            assertThat(info.spilled()).as("%s", info).isTrue();
            spilled++;
          } else {
            assertThat(info.copies()).as("%s", info).containsExactly("gpu0");
          }
        }
        assertThat(spilled).isEqualTo(2);
        assertThat(m.stats().device("gpu0").writeBacks()).isEqualTo(2);
        assertThat(m.stats().spill().writes()).isEqualTo(2);
        assertThat(hostFull.isClosed()).isFalse();
        for (int p = 0; p < 4; p++) {
          Device reader = p % 2 == 0 ? g0 : m.device("gpu1");
          byte[] expected = new byte[(int) ps];
          Arrays.fill(expected, (byte) (p + 1));
          assertThat(readVia(data, p * ps, ps, reader, ps))
              .as("page %d read on %s", p, reader.name())
              .isEqualTo(expected);
        }
      }
    }
  }

  /**
   * Pages read back from the spill file keep their slot as a clean backing copy; once those fill
   * the file, spilling a dirty page must reclaim one of them, and nothing is lost.
   */
  @Test
  void spillFile_fullOfCleanBackingCopies_reclaimsThemAndLosesNothing() {
    long ps = 256;
    int hostPages = 40;
    int spillPages = 2;
    Topology t =
        Topology.builder("one-worker")
            .device(new DeviceSpec("host", DeviceKind.HOST, "host", hostPages * ps, 200e9, 1))
            .build();
    try (UnifiedMemory m =
        UnifiedMemory.builder()
            .topology(t)
            .pageSize(ps)
            .spillDirectory(spillDir)
            .spillCapacity(spillPages * ps)
            .build()) {
      long capacity = m.stats().spill().capacity();
      int pages = (int) (m.allTiersBytes() / ps);
      try (Region r = m.allocate(pages * ps, "all-tiers")) {
        byte[] model = new byte[(int) (pages * ps)];
        new Random(seedFor("reclaim")).nextBytes(model);
        r.write(0, MemorySegment.ofArray(model));
        for (int pass = 0; pass < 3; pass++) {
          for (int p = 0; p < pages; p++) {
            // read every page (clean backing copies pile up), rewrite every fifth (dirty again)
            byte[] back = new byte[(int) ps];
            r.read(p * ps, MemorySegment.ofArray(back));
            assertThat(back)
                .as("page %d, pass %d", p, pass)
                .isEqualTo(Arrays.copyOfRange(model, (int) (p * ps), (int) ((p + 1) * ps)));
            if ((p + pass) % 5 == 0) {
              model[(int) (p * ps)]++;
              r.write(p * ps, MemorySegment.ofArray(new byte[] {model[(int) (p * ps)]}));
            }
            assertThat(m.stats().spill().usedBytes()).isLessThanOrEqualTo(capacity);
          }
        }
        byte[] all = new byte[model.length];
        r.read(0, MemorySegment.ofArray(all));
        assertThat(all).isEqualTo(model);
      }
    }
  }

  /**
   * Regression: an OVERWRITE pin that times out (or finds its device full) on a later page had
   * already made the earlier, fully covered pages current on its device without copying their bytes
   * in, and dropped their other copies; unpinning them on failure left junk in their place.
   */
  @Test
  void overwritePin_failingOnALaterPage_keepsTheEarlierPagesBytes() {
    long ps = 1024;
    for (String topology : List.of("fused-pair", "opaque-mixed")) {
      try (UnifiedMemory m = open(topology, ps, 2, 4, 16, spillDir);
          Region r = m.allocate(2 * ps, "overwrite")) {
        byte[] ones = new byte[(int) (2 * ps)];
        Arrays.fill(ones, (byte) 1);
        r.write(0, MemorySegment.ofArray(ones));
        try (Pin reader = r.pin(ps, ps, m.host(), AccessMode.READ)) { // page 1 in use on host
          assertThatThrownBy(() -> r.pin(0, 2 * ps, m.device("gpu0"), AccessMode.OVERWRITE))
              .isInstanceOf(AmalgamMemoryException.class)
              .satisfies(
                  e -> assertThat(((AmalgamMemoryException) e).code()).isEqualTo(Code.PIN_TIMEOUT));
          assertThat(reader.isClosed()).isFalse();
        }
        byte[] back = new byte[(int) (2 * ps)];
        r.read(0, MemorySegment.ofArray(back));
        assertThat(back).as("bytes after a failed OVERWRITE pin on %s", topology).isEqualTo(ones);
      }
    }
  }

  // ------------------------------------------------------------------------------------ set-up

  static long seedFor(String name) {
    long h = BASE_SEED ^ (name.hashCode() * 0x9E3779B97F4A7C15L);
    h ^= h >>> 31;
    h *= 0xBF58476D1CE4E5B9L;
    return h ^ (h >>> 29);
  }

  /** A topology by name: a preset, or one of the opaque-GPU topologies. */
  static Topology topology(String name, long gpuBytes, long hostBytes) {
    return switch (name) {
      case "opaque-mixed" ->
          // An opaque GPU fused by NVLink with a simulated one, both on C2C to the host.
          Topology.builder("opaque-mixed")
              .device(new DeviceSpec("host", DeviceKind.HOST, "host", hostBytes, 200e9, 2))
              .device(new DeviceSpec("gpu0", DeviceKind.GPU, OpaqueBackend.NAME, gpuBytes, 3e12, 2))
              .device(new DeviceSpec("gpu1", DeviceKind.GPU, "sim", gpuBytes, 3e12, 2))
              .link(LinkSpec.of("gpu0", "gpu1", LinkType.NVLINK5))
              .link(LinkSpec.of("gpu0", "host", LinkType.NVLINK_C2C))
              .link(LinkSpec.of("gpu1", "host", LinkType.NVLINK_C2C))
              .build();
      case "opaque-pcie" ->
          // Two opaque GPUs on PCIe only: GPU to GPU is staged through the host.
          Topology.parse(
                  """
                  topology opaque-pcie
                  device host kind=host capacity=1GiB workers=2
                  device gpu0 kind=gpu backend=opaque capacity=1GiB workers=2
                  device gpu1 kind=gpu backend=opaque capacity=1GiB workers=1
                  link gpu0 host type=pcie5
                  link gpu1 host type=pcie5
                  """,
                  "opaque-pcie.topo")
              .withCapacities(gpuBytes, hostBytes);
      case "opaque-nvlink" ->
          // Two opaque GPUs joined by NVLink: peer copies, no host staging.
          Topology.parse(
                  """
                  topology opaque-nvlink
                  device host kind=host capacity=1GiB workers=2
                  device gpu0 kind=gpu backend=opaque capacity=1GiB workers=2
                  device gpu1 kind=gpu backend=opaque capacity=1GiB workers=2
                  link gpu0 gpu1 type=nvlink4
                  link gpu0 host type=pcie5
                  link gpu1 host type=pcie5
                  """,
                  "opaque-nvlink.topo")
              .withCapacities(gpuBytes, hostBytes);
      case "opaque-nopeer" ->
          // Two opaque GPUs on a direct link that cannot copy to each other: staged anyway.
          Topology.parse(
                  """
                  topology opaque-nopeer
                  device host kind=host capacity=1GiB workers=2
                  device gpu0 kind=gpu backend=opaque-nopeer capacity=1GiB workers=2
                  device gpu1 kind=gpu backend=opaque-nopeer capacity=1GiB workers=2
                  link gpu0 gpu1 type=nvlink4
                  link gpu0 host type=pcie5
                  link gpu1 host type=pcie5
                  """,
                  "opaque-nopeer.topo")
              .withCapacities(gpuBytes, hostBytes);
      case "opaque-chain" ->
          // A chain host - gpu0 - gpu1 - gpu2 with an opaque GPU in the middle: routes of three
          // hops, staged through host buffers.
          Topology.builder("opaque-chain")
              .device(new DeviceSpec("host", DeviceKind.HOST, "host", hostBytes, 200e9, 2))
              .device(new DeviceSpec("gpu0", DeviceKind.GPU, "sim", gpuBytes, 3e12, 1))
              .device(new DeviceSpec("gpu1", DeviceKind.GPU, OpaqueBackend.NAME, gpuBytes, 3e12, 1))
              .device(new DeviceSpec("gpu2", DeviceKind.GPU, "sim", gpuBytes, 3e12, 1))
              .link(LinkSpec.of("gpu0", "host", LinkType.PCIE5))
              .link(LinkSpec.of("gpu0", "gpu1", LinkType.NVLINK4))
              .link(LinkSpec.of("gpu1", "gpu2", LinkType.NVLINK4))
              .build();
      default -> Topology.preset(name, gpuBytes, hostBytes);
    };
  }

  static UnifiedMemory open(
      String topology, long ps, int gpuPages, int hostPages, int spillPages, Path spillDir) {
    return UnifiedMemory.builder()
        .topology(topology(topology, gpuPages * ps, hostPages * ps))
        .pageSize(ps)
        .spillDirectory(spillDir)
        .spillCapacity(spillPages * ps)
        .pinTimeout(Duration.ofMillis(10))
        .build();
  }

  static int pagesSpanned(long offset, long length, long ps) {
    if (length == 0) {
      return 0;
    }
    return (int) ((offset + length - 1) / ps - offset / ps + 1);
  }

  // ------------------------------------------------------------- reading and writing via pins

  /** Length of chunk {@code i} of a pin. */
  static long chunkLength(Pin p, int i, long ps) {
    long from = p.chunkOffset(i);
    long end = Math.min(p.offset() + p.length(), (from / ps + 1) * ps);
    return end - from;
  }

  /** Copies a pin's bytes out, through segments or, on an opaque device, the backend's frames. */
  static byte[] readPin(Pin p, long ps) {
    byte[] out = new byte[Math.toIntExact(p.length())];
    MemorySegment dst = MemorySegment.ofArray(out);
    if (p.device().hostAddressable() && p.chunkCount() <= 1) {
      MemorySegment whole = p.segment();
      assertThat(whole.byteSize()).as("segment of %s", p).isEqualTo(p.length());
      MemorySegment.copy(whole, 0, dst, 0, p.length());
      return out;
    }
    for (int i = 0; i < p.chunkCount(); i++) {
      long at = p.chunkOffset(i) - p.offset();
      long len = chunkLength(p, i, ps);
      if (p.device().hostAddressable()) {
        MemorySegment c = p.chunk(i);
        assertThat(c.byteSize()).as("chunk %d of %s", i, p).isEqualTo(len);
        MemorySegment.copy(c, 0, dst, at, len);
      } else {
        OpaqueBackend.owner(p.frame(i))
            .copyToHost(p.frame(i), p.chunkOffset(i) % ps, dst.asSlice(at, len), len);
      }
    }
    return out;
  }

  /** Writes {@code data[from, from+len)} at region offset {@code at} (inside the pin's range). */
  static void writePin(Pin p, long at, byte[] data, int from, int len, long ps) {
    MemorySegment src = MemorySegment.ofArray(data);
    long end = at + len;
    for (int i = 0; i < p.chunkCount(); i++) {
      long cFrom = p.chunkOffset(i);
      long cEnd = cFrom + chunkLength(p, i, ps);
      long lo = Math.max(cFrom, at);
      long hi = Math.min(cEnd, end);
      if (lo >= hi) {
        continue;
      }
      long n = hi - lo;
      long srcAt = from + (lo - at);
      if (p.device().hostAddressable()) {
        MemorySegment.copy(src, srcAt, p.chunk(i), lo - cFrom, n);
      } else {
        OpaqueBackend.owner(p.frame(i)).copyFromHost(src.asSlice(srcAt, n), p.frame(i), lo % ps, n);
      }
    }
  }

  static byte[] readVia(Region r, long offset, long length, Device d, long ps) {
    try (Pin p = r.pin(offset, length, d, AccessMode.READ)) {
      return readPin(p, ps);
    }
  }

  /** Reads a region on a device in pins of as many pages as the device holds. */
  static byte[] readPaged(Region r, long size, Device d, long ps) {
    byte[] out = new byte[Math.toIntExact(size)];
    long step = d.capacity() / ps * ps;
    for (long off = 0; off < size; off += step) {
      byte[] part = readVia(r, off, Math.min(step, size - off), d, ps);
      System.arraycopy(part, 0, out, (int) off, part.length);
    }
    return out;
  }

  static void writeVia(Region r, long offset, byte[] data, Device d, AccessMode mode, long ps) {
    try (Pin p = r.pin(offset, data.length, d, mode)) {
      writePin(p, offset, data, 0, data.length, ps);
    }
  }

  // ------------------------------------------------------------------------------- the model

  /** A live region and the bytes it must hold. */
  static final class Live {
    final Region region;
    final byte[] model;

    Live(Region region) {
      this.region = region;
      this.model = new byte[Math.toIntExact(region.size())];
    }

    @Override
    public String toString() {
      return "r" + region.id() + "(" + region.size() + ")";
    }
  }

  /** A pin the test keeps open across a few operations. */
  static final class Held {
    final Live live;
    final Pin pin;
    final Device device;
    final AccessMode mode;
    final int firstPage;
    final int lastPage;
    int ttl;

    Held(Live live, Pin pin, long ps, int ttl) {
      this.live = live;
      this.pin = pin;
      this.device = pin.device();
      this.mode = pin.mode();
      this.firstPage = (int) (pin.offset() / ps);
      this.lastPage = (int) ((pin.offset() + Math.max(1, pin.length()) - 1) / ps);
      this.ttl = ttl;
    }

    boolean covers(Live l, int page) {
      return l == live && pin.length() > 0 && page >= firstPage && page <= lastPage;
    }

    @Override
    public String toString() {
      return pin.toString();
    }
  }

  /** One randomized run against one memory. */
  static final class ModelRun implements AutoCloseable {
    private static final int MAX_HELD = 2;
    private static final int HISTORY = 40;

    private final UnifiedMemory m;
    private final Random rnd;
    private final long seed;
    private final String topology;
    private final long ps;
    private final List<Device> devices;
    private final List<Live> lives = new ArrayList<>();
    private final List<Held> held = new ArrayList<>();
    private final List<CompletableFuture<Integer>> pending = new ArrayList<>();
    private final ArrayDeque<String> history = new ArrayDeque<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private Map<String, Integer> pinnedPages = new HashMap<>();
    private final boolean spillProfile;
    private long spillPeak;
    private int deviceFullChecks;
    private int timeoutChecks;
    private long startNanos;

    ModelRun(UnifiedMemory m, Random rnd, long seed, String topology, boolean spillProfile) {
      this.spillProfile = spillProfile;
      this.m = m;
      this.rnd = rnd;
      this.seed = seed;
      this.topology = topology;
      this.ps = m.pageSize();
      this.devices = m.devices();
    }

    void run(int ops) {
      startNanos = System.nanoTime();
      int op = 0;
      try {
        checkInvariants(true);
        for (op = 0; op < ops; op++) {
          step();
          ageHeldPins();
          boolean settle = pending.size() > 3 || op % 64 == 63;
          if (settle) {
            settlePrefetches();
          }
          checkInvariants(pending.isEmpty());
        }
        finish();
      } catch (Throwable t) {
        throw new AssertionError(
            String.format(
                "%s page=%d seed=%d (base %d): op #%d failed: %s%nlast ops:%n  %s",
                topology, ps, seed, BASE_SEED, op, t, String.join("\n  ", history)),
            t);
      }
    }

    String summary() {
      return String.format(
          "%.1f s, %d regions live at end, ops %s, stats: %s",
          (System.nanoTime() - startNanos) * 1e-9, lives.size(), counts, briefStats());
    }

    private String briefStats() {
      MemoryStats s = m.stats();
      long evictions = 0;
      long writeBacks = 0;
      for (MemoryStats.DeviceStats d : s.devices()) {
        evictions += d.evictions();
        writeBacks += d.writeBacks();
      }
      return String.format(
          "evictions=%d writeBacks=%d spillWrites=%d spillReads=%d spillPeak=%d/%d bytes",
          evictions,
          writeBacks,
          s.spill().writes(),
          s.spill().reads(),
          spillPeak,
          s.spill().capacity());
    }

    /** Records an operation for the failure report; counts it under its first word. */
    private void log(String what) {
      int sp = what.indexOf(' ');
      String key = sp < 0 ? what : what.substring(0, sp);
      if (what.contains(" skipped")) {
        key = "skipped";
      } else if (what.startsWith("expect ")) {
        key = what.substring(0, what.indexOf(':'));
      }
      counts.merge(key, 1, Integer::sum);
      history.addLast(what);
      if (history.size() > HISTORY) {
        history.removeFirst();
      }
    }

    // ----------------------------------------------------------------------------- one step

    private void step() {
      if (spillProfile && !lives.isEmpty() && rnd.nextInt(12) == 0) {
        fillWhole();
        return;
      }
      int dice = rnd.nextInt(100);
      if (lives.isEmpty() || dice < (spillProfile ? 10 : 6)) {
        allocate();
      } else if (dice < 9) {
        closeRegion();
      } else if (dice < 30) {
        writeThroughPin();
      } else if (dice < 38) {
        regionWrite();
      } else if (dice < 58) {
        readThroughPin();
      } else if (dice < 63) {
        regionRead();
      } else if (dice < 70) {
        holdPin();
      } else if (dice < 78) {
        prefetch();
      } else if (dice < 85) {
        advise();
      } else if (dice < 90) {
        migrate();
      } else if (dice < 96) {
        evict();
      } else if (dice < 97) {
        expectDeviceFull();
      } else if (dice < 99) {
        expectPinTimeout();
      } else {
        misuse();
      }
    }

    private Live anyLive() {
      return lives.get(rnd.nextInt(lives.size()));
    }

    private Device anyDevice() {
      return devices.get(rnd.nextInt(devices.size()));
    }

    private long regionSize() {
      return switch (rnd.nextInt(10)) {
        case 0 -> 1;
        case 1 -> ps - 1;
        case 2 -> ps;
        case 3 -> ps + 1;
        case 4 -> 2 * ps - 1;
        case 5 -> 2 * ps + 1;
        case 6 -> 3 * ps;
        default -> 1 + rnd.nextInt((int) (6 * ps));
      };
    }

    /** A random range of a region: whole, random, or starting/ending on or next to a boundary. */
    private long[] range(Live l) {
      long size = l.region.size();
      int kind = rnd.nextInt(6);
      if (kind == 0) {
        return new long[] {0, size};
      }
      long off;
      if (kind <= 2) {
        long boundary = ps * rnd.nextInt(l.region.pageCount());
        off = Math.clamp(boundary + rnd.nextInt(3) - 1, 0, size - 1);
      } else {
        off = (long) (rnd.nextDouble() * size);
      }
      long len;
      if (kind == 1 || kind == 3) {
        // end on or next to a page boundary
        long end = ps * (off / ps + 1 + rnd.nextInt(2)) + rnd.nextInt(3) - 1;
        len = Math.clamp(end - off, 1, size - off);
      } else {
        len = 1 + (long) (rnd.nextDouble() * Math.min(size - off, 3 * ps));
      }
      if (rnd.nextInt(100) == 0) {
        len = 0;
      }
      return new long[] {off, len};
    }

    /** Shortens a range so that it spans at most {@code pages} pages. */
    private long[] clampPages(long[] range, int pages) {
      long off = range[0];
      long len = range[1];
      if (pagesSpanned(off, len, ps) > pages) {
        len = (off / ps + pages) * ps - off;
      }
      return new long[] {off, len};
    }

    private int capacityPages(Device d) {
      return (int) (d.capacity() / ps);
    }

    /** Pages of the region's range that have no pin on d. */
    private int unpinnedPagesOn(Live l, long off, long len, Device d) {
      int n = 0;
      for (int p = (int) (off / ps); len > 0 && p <= (off + len - 1) / ps; p++) {
        if (!pinnedOn(l, p, d)) {
          n++;
        }
      }
      return n;
    }

    private boolean pinnedOn(Live l, int page, Device d) {
      for (Held h : held) {
        if (h.covers(l, page) && l.region.page(page).pins().containsKey(d.name())) {
          return true;
        }
      }
      return false;
    }

    /** Pages a new pin on d may take without finding the device full of pinned pages. */
    private int room(Device d) {
      return capacityPages(d) - pinnedPages.getOrDefault(d.name(), 0);
    }

    /** True when pinning the range on d in mode must wait for the test's own held pins. */
    private boolean conflicts(Live l, long off, long len, Device d, AccessMode mode) {
      if (len == 0) {
        return false;
      }
      for (int p = (int) (off / ps); p <= (off + len - 1) / ps; p++) {
        if (pageConflicts(l, p, d, mode)) {
          return true;
        }
      }
      return false;
    }

    private boolean pageConflicts(Live l, int p, Device d, AccessMode mode) {
      for (Held h : held) {
        if (!h.covers(l, p)) {
          continue;
        }
        if (mode.writes()) {
          // A write needs no pin elsewhere; a read pin may be served by another device's copy.
          for (String on : l.region.page(p).pins().keySet()) {
            if (!on.equals(d.name())) {
              return true;
            }
          }
        } else if (h.mode.writes() && !h.device.equals(d)) {
          return true;
        }
      }
      return false;
    }

    private boolean heldIn(Live l) {
      for (Held h : held) {
        if (h.live == l && h.pin.length() > 0) {
          return true;
        }
      }
      return false;
    }

    // ---------------------------------------------------------------------------- the ops

    private void allocate() {
      long size = regionSize();
      long retained = (size + ps - 1) / ps * ps;
      boolean fits = m.allocatedBytes() + retained <= m.allTiersBytes();
      log((fits ? "allocate " : "expect TOO_LARGE: allocate ") + size);
      if (!fits) {
        long before = m.pool().reserved();
        assertThatThrownBy(() -> m.allocate(size, "model"))
            .isInstanceOf(AmalgamMemoryException.class)
            .satisfies(
                e -> assertThat(((AmalgamMemoryException) e).code()).isEqualTo(Code.TOO_LARGE));
        assertThat(m.pool().reserved()).isEqualTo(before);
        if (!lives.isEmpty()) {
          closeRegion();
        }
        return;
      }
      Region r = m.allocate(size, rnd.nextBoolean() ? "model-a" : "model-b");
      Live l = new Live(r);
      lives.add(l);
      assertThat(m.regionAt(r.address() + size - 1)).isSameAs(r);
      for (int p = 0; p < r.pageCount(); p++) {
        PageInfo info = r.page(p);
        assertThat(info.zero()).isTrue();
        assertThat(info.copies()).isEmpty();
      }
    }

    private void closeRegion() {
      Live l = anyLive();
      if (heldIn(l)) {
        log("close " + l + " (pinned: refused)");
        assertThatThrownBy(l.region::close)
            .isInstanceOf(AmalgamMemoryException.class)
            .satisfies(
                e -> assertThat(((AmalgamMemoryException) e).code()).isEqualTo(Code.STILL_IN_USE));
        assertThat(l.region.isClosed()).isFalse();
        return;
      }
      log("close " + l);
      if (rnd.nextBoolean()) {
        verifyWhole(l); // sometimes check everything just before it goes
      }
      long before = m.pool().reserved();
      l.region.close();
      lives.remove(l);
      assertThat(l.region.isClosed()).isTrue();
      assertThat(m.pool().reserved()).isEqualTo(before - l.region.retainedBytes());
      l.region.close(); // idempotent
      if (rnd.nextInt(4) == 0) {
        Device d = anyDevice();
        assertThatThrownBy(() -> l.region.pin(0, 1, d, AccessMode.READ))
            .isInstanceOf(AmalgamMemoryException.class)
            .satisfies(e -> assertThat(((AmalgamMemoryException) e).code()).isEqualTo(Code.CLOSED));
        assertThatThrownBy(() -> l.region.prefetch(d))
            .isInstanceOf(AmalgamMemoryException.class)
            .hasMessageContaining("is closed");
      }
      assertThat(m.regionAt(l.region.address())).isNull();
    }

    private void writeThroughPin() {
      Live l = anyLive();
      Device d = anyDevice();
      AccessMode mode = rnd.nextBoolean() ? AccessMode.WRITE : AccessMode.OVERWRITE;
      int room = room(d);
      if (room <= 0) {
        log("write skipped: " + d.name() + " full of pins");
        return;
      }
      long[] r = clampPages(range(l), room);
      if (conflicts(l, r[0], r[1], d, mode)) {
        log("write skipped: conflicts");
        return;
      }
      log(String.format("write %s %s [%d,+%d) on %s", mode, l, r[0], r[1], d.name()));
      try (Pin p = pin(l, r, d, mode)) {
        checkWritePin(l, p, d);
        fillPin(l, p, mode);
      }
    }

    /** While a write pin is open its pages live only on its device. */
    private void checkWritePin(Live l, Pin p, Device d) {
      if (p.length() == 0) {
        return;
      }
      for (int page = (int) (p.offset() / ps); page <= (p.offset() + p.length() - 1) / ps; page++) {
        PageInfo info = l.region.page(page);
        assertThat(info.current()).as("current of %s", info).containsExactly(d.name());
        assertThat(info.copies()).as("copies of %s", info).containsExactly(d.name());
        assertThat(info.zero()).isFalse();
        assertThat(info.spilled()).isFalse();
      }
    }

    /** Writes random bytes through a write pin: all of it for OVERWRITE, part of it for WRITE. */
    private void fillPin(Live l, Pin p, AccessMode mode) {
      long at = p.offset();
      long len = p.length();
      if (mode == AccessMode.WRITE && len > 0 && rnd.nextBoolean()) {
        long a = at + (long) (rnd.nextDouble() * len);
        long b = a + (long) (rnd.nextDouble() * (at + len - a));
        at = a;
        len = b - a;
      }
      byte[] data = new byte[(int) len];
      rnd.nextBytes(data);
      writePin(p, at, data, 0, (int) len, ps);
      System.arraycopy(data, 0, l.model, (int) at, (int) len);
    }

    private void regionWrite() {
      Live l = anyLive();
      long[] r = range(l);
      if (conflicts(l, r[0], r[1], m.host(), AccessMode.OVERWRITE) || room(m.host()) <= 0) {
        log("region.write skipped");
        return;
      }
      log(String.format("region.write %s [%d,+%d)", l, r[0], r[1]));
      byte[] data = new byte[(int) r[1]];
      rnd.nextBytes(data);
      l.region.write(r[0], MemorySegment.ofArray(data));
      System.arraycopy(data, 0, l.model, (int) r[0], data.length);
    }

    /** Writes a whole region, so that all its pages hold data and must be kept somewhere. */
    private void fillWhole() {
      Live l = anyLive();
      long size = l.region.size();
      if (conflicts(l, 0, size, m.host(), AccessMode.OVERWRITE) || room(m.host()) <= 0) {
        log("fill skipped");
        return;
      }
      log("fill " + l);
      byte[] data = new byte[(int) size];
      rnd.nextBytes(data);
      l.region.write(0, MemorySegment.ofArray(data));
      System.arraycopy(data, 0, l.model, 0, data.length);
    }

    private void readThroughPin() {
      Live l = anyLive();
      Device d = anyDevice();
      int room = room(d);
      if (room <= 0) {
        log("read skipped: " + d.name() + " full of pins");
        return;
      }
      long[] r = clampPages(range(l), room);
      if (conflicts(l, r[0], r[1], d, AccessMode.READ)) {
        log("read skipped: conflicts");
        return;
      }
      log(String.format("read %s [%d,+%d) on %s", l, r[0], r[1], d.name()));
      try (Pin p = pin(l, r, d, AccessMode.READ)) {
        checkContents(l, p, "read pin");
      }
    }

    /** Pins a range; the whole region through the whole-region overload. */
    private static Pin pin(Live l, long[] r, Device d, AccessMode mode) {
      if (r[0] == 0 && r[1] == l.region.size()) {
        return l.region.pin(d, mode);
      }
      return l.region.pin(r[0], r[1], d, mode);
    }

    private void regionRead() {
      Live l = anyLive();
      long[] r = range(l);
      if (conflicts(l, r[0], r[1], m.host(), AccessMode.READ) || room(m.host()) <= 0) {
        log("region.read skipped");
        return;
      }
      log(String.format("region.read %s [%d,+%d)", l, r[0], r[1]));
      byte[] out = new byte[(int) r[1]];
      l.region.read(r[0], MemorySegment.ofArray(out));
      compare(l, r[0], out, "Region.read");
    }

    private void holdPin() {
      if (held.size() >= MAX_HELD) {
        log("hold skipped: enough held");
        return;
      }
      Live l = anyLive();
      Device d = anyDevice();
      // Keep a page free on every device, so that no other operation finds it full of pins.
      int room = Math.min(2, room(d) - 1);
      if (room <= 0 || room(m.host()) <= 1) {
        log("hold skipped: no room on " + d.name());
        return;
      }
      AccessMode mode = AccessMode.values()[rnd.nextInt(3)];
      long[] r = clampPages(range(l), room);
      if (conflicts(l, r[0], r[1], d, mode)) {
        log("hold skipped: conflicts");
        return;
      }
      log(String.format("hold %s %s [%d,+%d) on %s", mode, l, r[0], r[1], d.name()));
      Pin p = l.region.pin(r[0], r[1], d, mode);
      held.add(new Held(l, p, ps, 1 + rnd.nextInt(6)));
      if (mode.writes()) {
        checkWritePin(l, p, d);
        fillPin(l, p, mode);
      } else {
        checkContents(l, p, "held read pin at open");
      }
    }

    private void ageHeldPins() {
      for (int i = held.size() - 1; i >= 0; i--) {
        Held h = held.get(i);
        if (--h.ttl > 0) {
          continue;
        }
        held.remove(i);
        log("unpin " + h);
        // The view stays current while held: it must show every write made since it opened.
        checkContents(h.live, h.pin, "held pin at close");
        if (h.mode.writes() && rnd.nextBoolean()) {
          fillPin(h.live, h.pin, AccessMode.WRITE);
        }
        h.pin.close();
        assertThat(h.pin.isClosed()).isTrue();
      }
    }

    private void prefetch() {
      Live l = anyLive();
      Device d = anyDevice();
      long[] r = rnd.nextInt(3) == 0 ? new long[] {0, l.region.size()} : range(l);
      boolean wait = rnd.nextBoolean();
      log(
          String.format(
              "prefetch %s [%d,+%d) to %s%s", l, r[0], r[1], d.name(), wait ? " (wait)" : ""));
      CompletableFuture<Integer> f = l.region.prefetch(r[0], r[1], d);
      if (wait) {
        int moved = join(f);
        assertThat(moved).isBetween(0, pagesSpanned(r[0], r[1], ps));
      } else {
        pending.add(f);
      }
    }

    private void advise() {
      Live l = anyLive();
      Device d = anyDevice();
      Advice a = Advice.values()[rnd.nextInt(3)];
      if (rnd.nextInt(3) == 0) {
        log("clearAdvice " + a + " " + l + " " + d.name());
        l.region.clearAdvice(a, d);
      } else if (rnd.nextBoolean()) {
        log("advise " + a + " " + l + " " + d.name());
        l.region.advise(a, d);
      } else {
        long[] r = range(l);
        log(String.format("advise %s %s [%d,+%d) %s", a, l, r[0], r[1], d.name()));
        l.region.advise(r[0], r[1], a, d);
      }
    }

    private void migrate() {
      Live l = anyLive();
      Device d = anyDevice();
      if (room(d) <= 0 || conflicts(l, 0, l.region.size(), d, AccessMode.READ)) {
        log("migrate skipped");
        return;
      }
      settlePrefetches();
      log("migrate " + l + " to " + d.name());
      l.region.migrate(d);
      // The last page moved stays on d; its other copies are gone unless pinned there.
      for (int p = l.region.pageCount() - 1; p >= 0; p--) {
        PageInfo info = l.region.page(p);
        if (info.zero()) {
          continue;
        }
        assertThat(info.current()).as("%s after migrate to %s", info, d.name()).contains(d.name());
        for (String c : info.copies()) {
          assertThat(c.equals(d.name()) || info.pins().containsKey(c))
              .as("%s after migrate to %s", info, d.name())
              .isTrue();
        }
        break;
      }
    }

    private void evict() {
      Live l = anyLive();
      Device d = anyDevice();
      settlePrefetches();
      int expected = 0;
      for (int p = 0; p < l.region.pageCount(); p++) {
        PageInfo info = l.region.page(p);
        if (info.copies().contains(d.name()) && !info.pins().containsKey(d.name())) {
          expected++;
        }
      }
      log("evict " + l + " from " + d.name() + " (" + expected + " pages)");
      assertThat(l.region.evict(d)).isEqualTo(expected);
      for (int p = 0; p < l.region.pageCount(); p++) {
        PageInfo info = l.region.page(p);
        if (!info.pins().containsKey(d.name())) {
          assertThat(info.copies())
              .as("%s after evict from %s", info, d.name())
              .doesNotContain(d.name());
        }
      }
    }

    /** A write pin of more unpinned pages than the device has room for fails cleanly. */
    private void expectDeviceFull() {
      if (deviceFullChecks >= 3) {
        log("device-full check skipped: done enough");
        return;
      }
      Device d = anyDevice();
      int need = room(d) + 1;
      for (Live l : lives) {
        for (int first = 0; first + need <= l.region.pageCount(); first++) {
          long off = first * ps;
          long len = Math.min(need * ps, l.region.size() - off);
          if (pagesSpanned(off, len, ps) != need
              || unpinnedPagesOn(l, off, len, d) != need
              || conflicts(l, off, len, d, AccessMode.WRITE)
              || conflicts(l, off, len, m.host(), AccessMode.READ)) {
            continue;
          }
          deviceFullChecks++;
          // OVERWRITE too: a failed pin must not have thrown away the pages it got before failing.
          AccessMode mode = rnd.nextBoolean() ? AccessMode.WRITE : AccessMode.OVERWRITE;
          log(
              String.format(
                  "expect DEVICE_FULL: %s %s [%d,+%d) on %s", mode, l, off, len, d.name()));
          Map<String, Integer> pinsBefore = new HashMap<>(pinnedPages);
          assertThatThrownBy(() -> l.region.pin(off, len, d, mode))
              .isInstanceOf(AmalgamMemoryException.class)
              .satisfies(
                  e -> assertThat(((AmalgamMemoryException) e).code()).isEqualTo(Code.DEVICE_FULL))
              .hasMessageContaining("device '" + d.name() + "' has no room");
          checkInvariants(false);
          assertThat(pinnedPages).as("pins after a failed pin").isEqualTo(pinsBefore);
          verifyWhole(l);
          return;
        }
      }
      log("device-full check skipped: no region large enough");
    }

    /** A pin that conflicts with a held pin times out cleanly and changes nothing. */
    private void expectPinTimeout() {
      if (timeoutChecks >= 5 || held.isEmpty()) {
        log("timeout check skipped");
        return;
      }
      Held h = held.get(rnd.nextInt(held.size()));
      if (h.pin.length() == 0) {
        log("timeout check skipped: empty pin");
        return;
      }
      for (Device d : devices) {
        AccessMode mode =
            h.mode.writes()
                ? AccessMode.READ
                : rnd.nextBoolean() ? AccessMode.WRITE : AccessMode.OVERWRITE;
        if (d.equals(h.device) || room(d) <= 1) {
          continue;
        }
        // Start a page early when that page is free, so that the pin gets a page before it waits:
        // failing must leave that page as it was.
        int first = h.firstPage;
        if (first > 0 && !pageConflicts(h.live, first - 1, d, mode)) {
          first--;
        }
        long off = first * ps;
        long len = Math.min((h.firstPage + 1) * ps, h.live.region.size()) - off;
        if (!conflicts(h.live, off, len, d, mode)) {
          continue;
        }
        timeoutChecks++;
        log(
            String.format(
                "expect PIN_TIMEOUT: %s %s [%d,+%d) on %s", mode, h.live, off, len, d.name()));
        assertThatThrownBy(() -> h.live.region.pin(off, len, d, mode))
            .isInstanceOf(AmalgamMemoryException.class)
            .satisfies(
                e -> assertThat(((AmalgamMemoryException) e).code()).isEqualTo(Code.PIN_TIMEOUT));
        if (first < h.firstPage
            && room(m.host()) > 0
            && !pageConflicts(h.live, first, m.host(), AccessMode.READ)) {
          byte[] out = new byte[(int) ps];
          h.live.region.read(first * ps, MemorySegment.ofArray(out));
          compare(h.live, first * ps, out, "page before a pin that timed out");
        }
        return;
      }
      log("timeout check skipped: no conflicting device");
    }

    /** Bad calls fail with the documented error and leave everything as it was. */
    private void misuse() {
      Live l = anyLive();
      Device d = anyDevice();
      long size = l.region.size();
      switch (rnd.nextInt(5)) {
        case 4 -> {
          if (room(d) <= 0 || conflicts(l, 0, 1, d, AccessMode.READ)) {
            log("pin-twice check skipped");
            return;
          }
          log("expect UNPINNED_TWICE: " + l + " on " + d.name());
          Pin p = l.region.pin(0, 1, d, AccessMode.READ);
          p.close();
          assertThat(p.isClosed()).isTrue();
          assertCode(p::close, Code.UNPINNED_TWICE);
          assertCode(() -> p.frame(0), Code.CLOSED);
        }
        case 0 -> {
          log("expect OUT_OF_RANGE: pin " + l + " past its end");
          assertCode(() -> l.region.pin(size - 1, 2, d, AccessMode.READ), Code.OUT_OF_RANGE);
        }
        case 1 -> {
          log("expect OUT_OF_RANGE: prefetch/advise " + l + " at -1");
          assertCode(() -> l.region.prefetch(-1, 1, d), Code.OUT_OF_RANGE);
          assertCode(() -> l.region.advise(size, 1, Advice.READ_MOSTLY, d), Code.OUT_OF_RANGE);
        }
        case 2 -> {
          log("expect OUT_OF_RANGE: write " + l + " past its end");
          assertCode(
              () -> l.region.write(size, MemorySegment.ofArray(new byte[1])), Code.OUT_OF_RANGE);
        }
        default -> {
          if (held.isEmpty()) {
            log("close-memory check skipped: no held pin");
            return;
          }
          // Closing the memory while pins are open is refused, and the memory stays usable.
          log("expect STILL_IN_USE: close memory with " + held.size() + " held pins");
          assertCode(m::close, Code.STILL_IN_USE);
        }
      }
    }

    private static void assertCode(
        org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Code code) {
      assertThatThrownBy(call)
          .isInstanceOf(AmalgamMemoryException.class)
          .satisfies(e -> assertThat(((AmalgamMemoryException) e).code()).isEqualTo(code));
    }

    // ------------------------------------------------------------------------------ checks

    private void checkContents(Live l, Pin p, String what) {
      compare(l, p.offset(), readPin(p, ps), what + " " + p);
    }

    private void compare(Live l, long offset, byte[] actual, String what) {
      int at =
          Arrays.mismatch(
              actual, 0, actual.length, l.model, (int) offset, (int) offset + actual.length);
      if (at < 0) {
        return;
      }
      long bad = offset + at;
      int page = (int) (bad / ps);
      fail(
          String.format(
              "%s of %s: byte %d (page %d + %d) is %d, model says %d; page: %s",
              what, l, bad, page, bad % ps, actual[at], l.model[(int) bad], l.region.page(page)));
    }

    private void verifyWhole(Live l) {
      byte[] out = new byte[(int) l.region.size()];
      if (conflicts(l, 0, out.length, m.host(), AccessMode.READ) || room(m.host()) <= 0) {
        return;
      }
      l.region.read(0, MemorySegment.ofArray(out));
      compare(l, 0, out, "whole-region read");
    }

    private void settlePrefetches() {
      for (CompletableFuture<Integer> f : pending) {
        assertThat(join(f)).isGreaterThanOrEqualTo(0);
      }
      pending.clear();
    }

    private static int join(CompletableFuture<Integer> f) {
      try {
        return f.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("prefetch failed: " + e, e);
      }
    }

    /**
     * Checks the page table through the public API. With {@code exact} (no prefetch in flight) the
     * resident bytes of every device must equal its copies.
     */
    private void checkInvariants(boolean exact) {
      Map<String, Integer> copiesOn = new HashMap<>();
      Map<String, Integer> pinned = new HashMap<>();
      long retained = 0;
      for (Live l : lives) {
        retained += l.region.retainedBytes();
        for (int p = 0; p < l.region.pageCount(); p++) {
          PageInfo info = l.region.page(p);
          // Rule 1: a live page always has a current copy somewhere, unless never written.
          if (info.current().isEmpty()) {
            assertThat(info.zero() || info.spilled())
                .as("rule 1: %s has no current copy", info)
                .isTrue();
          }
          if (info.zero()) {
            assertThat(info.copies()).as("zero page %s", info).isEmpty();
            assertThat(info.spilled()).as("zero page %s", info).isFalse();
          }
          assertThat(info.copies()).as("copies of %s", info).containsAll(info.current());
          int heldHere = 0;
          for (Held h : held) {
            if (h.covers(l, p)) {
              heldHere++;
            }
          }
          int pinCount = 0;
          for (Map.Entry<String, Integer> e : info.pins().entrySet()) {
            pinCount += e.getValue();
            assertThat(info.current())
                .as("pinned copy of %s is current", info)
                .contains(e.getKey());
            pinned.merge(e.getKey(), 1, Integer::sum);
          }
          assertThat(pinCount).as("pins of %s (held: %s)", info, held).isEqualTo(heldHere);
          for (String c : info.copies()) {
            copiesOn.merge(c, 1, Integer::sum);
          }
        }
      }
      pinnedPages = pinned;
      MemoryStats stats = m.stats();
      for (Device d : devices) {
        assertThat(stats.device(d.name()).pinnedPages())
            .as("pinned pages of %s in stats", d.name())
            .isEqualTo((long) pinned.getOrDefault(d.name(), 0));
        long resident = d.residentBytes();
        assertThat(resident).as("resident bytes of %s", d.name()).isBetween(0L, d.capacity());
        if (exact) {
          assertThat(resident)
              .as("resident bytes of %s = its copies", d.name())
              .isEqualTo(copiesOn.getOrDefault(d.name(), 0) * ps);
          if (!d.hostAddressable()) {
            OpaqueBackend b = OpaqueBackend.of(d);
            assertThat(b.reservedBytes()).as("frames of %s", d.name()).isEqualTo(resident);
          }
        }
      }
      assertThat(m.pool().reserved()).as("pool reserved").isEqualTo(retained);
      assertThat(m.allocatedBytes()).isEqualTo(retained);
      assertThat(m.regions()).hasSize(lives.size());
      MemoryStats.SpillStats spill = stats.spill();
      assertThat(spill.usedBytes()).isBetween(0L, spill.capacity());
      spillPeak = Math.max(spillPeak, spill.usedBytes());
      assertThat(OpaqueBackend.violations()).isEmpty();
    }

    private void finish() {
      for (Held h : held) {
        checkContents(h.live, h.pin, "held pin at end");
        h.pin.close();
      }
      held.clear();
      settlePrefetches();
      checkInvariants(true);
      for (Live l : lives) {
        verifyWhole(l);
        // and once more on a random device, a page at a time
        Device d = anyDevice();
        for (int p = 0; p < l.region.pageCount(); p++) {
          long off = p * ps;
          long len = Math.min(ps, l.region.size() - off);
          compare(l, off, readVia(l.region, off, len, d, ps), "final read on " + d.name());
        }
      }
      checkInvariants(true);
    }

    @Override
    public void close() {
      try {
        for (Held h : held) {
          if (!h.pin.isClosed()) {
            h.pin.close();
          }
        }
        for (CompletableFuture<Integer> f : pending) {
          try {
            f.get(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            // already reported by the run; closing is all that is left to do
          }
        }
        for (Live l : lives) {
          l.region.close();
        }
      } finally {
        m.close();
      }
    }
  }
}
