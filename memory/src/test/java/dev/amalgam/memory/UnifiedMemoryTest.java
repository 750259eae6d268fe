package dev.amalgam.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class UnifiedMemoryTest {
  private static final long PAGE = 4096;

  @TempDir Path spillDir;

  private UnifiedMemory open(String preset, long gpuPages, long hostPages) {
    return UnifiedMemory.builder()
        .topology(Topology.preset(preset, gpuPages * PAGE, hostPages * PAGE))
        .pageSize(PAGE)
        .spillDirectory(spillDir)
        .spillCapacity(1024 * PAGE)
        .pinTimeout(Duration.ofMillis(200))
        .build();
  }

  private static void fill(Region r, long offset, long length, byte value) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment s = a.allocate(length);
      s.fill(value);
      r.write(offset, s);
    }
  }

  private static byte byteAt(Region r, long offset) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment s = a.allocate(1);
      r.read(offset, s);
      return s.get(ValueLayout.JAVA_BYTE, 0);
    }
  }

  @Test
  void allocate_untouchedPages_readAsZeroAndLiveNowhere() {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Region r = m.allocate(3 * PAGE + 10, "t")) {
      assertThat(r.pageCount()).isEqualTo(4);
      assertThat(r.retainedBytes()).isEqualTo(4 * PAGE);
      assertThat(r.page(0).zero()).isTrue();
      assertThat(r.page(0).copies()).isEmpty();
      assertThat(byteAt(r, 3 * PAGE + 9)).isZero();
      assertThat(m.pool().reserved()).isEqualTo(4 * PAGE);
    }
  }

  @Test
  void pin_write_thenReadOnOtherMember_migratesOverNvlink() {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Region r = m.allocate(PAGE, "t")) {
      Device g0 = m.device("gpu0");
      Device g1 = m.device("gpu1");
      try (Pin p = r.pin(g0, AccessMode.WRITE)) {
        p.segment().set(ValueLayout.JAVA_LONG, 8, 42L);
      }
      assertThat(r.page(0).current()).containsExactly("gpu0");
      try (Pin p = r.pin(g1, AccessMode.READ)) {
        assertThat(p.segment().get(ValueLayout.JAVA_LONG, 8)).isEqualTo(42L);
      }
      assertThat(r.page(0).copies()).containsExactly("gpu1");
      MemoryStats s = m.stats();
      assertThat(s.link("gpu0", "gpu1").bytes()).isEqualTo(PAGE);
      assertThat(s.link("gpu0", "gpu1").modeledSeconds()).isGreaterThan(0);
      assertThat(s.device("gpu1").migrationsIn()).isEqualTo(1);
      assertThat(s.device("gpu0").migrationsOut()).isEqualTo(1);
      assertThat(s.device("gpu1").faults()).isEqualTo(1);
    }
  }

  @Test
  void pin_pciePair_gpuToGpuIsStagedThroughHost() {
    try (UnifiedMemory m = open("pcie-pair", 8, 16);
        Region r = m.allocate(PAGE, "t")) {
      fillOn(r, m.device("gpu0"), (byte) 7);
      try (Pin p = r.pin(m.device("gpu1"), AccessMode.READ)) {
        assertThat(p.segment().get(ValueLayout.JAVA_BYTE, 100)).isEqualTo((byte) 7);
      }
      assertThat(m.route(m.device("gpu0"), m.device("gpu1")).staged()).isTrue();
      MemoryStats s = m.stats();
      assertThat(s.link("gpu0", "host").bytes()).isEqualTo(PAGE);
      assertThat(s.link("gpu1", "host").bytes()).isEqualTo(PAGE);
      assertThat(r.page(0).copies()).containsExactly("gpu1");
    }
  }

  private static void fillOn(Region r, Device d, byte v) {
    try (Pin p = r.pin(d, AccessMode.WRITE)) {
      for (int i = 0; i < p.chunkCount(); i++) {
        p.chunk(i).fill(v);
      }
    }
  }

  @Test
  void readMostly_readsReplicate_andWriteInvalidatesReplicas() {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Region r = m.allocate(PAGE, "t")) {
      r.advise(Advice.READ_MOSTLY, m.host());
      fillOn(r, m.host(), (byte) 1);
      try (Pin a = r.pin(m.device("gpu0"), AccessMode.READ);
          Pin b = r.pin(m.device("gpu1"), AccessMode.READ)) {
        assertThat(a.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 1);
        assertThat(b.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 1);
      }
      assertThat(r.page(0).current()).containsExactlyInAnyOrder("host", "gpu0", "gpu1");
      fillOn(r, m.device("gpu1"), (byte) 2);
      assertThat(r.page(0).copies()).containsExactly("gpu1");
      assertThat(byteAt(r, 0)).isEqualTo((byte) 2);
      assertThat(m.stats().device("gpu0").replications()).isEqualTo(1);
    }
  }

  @Test
  void oversubscription_evictsDownToHostAndSpill_andLosesNothing() {
    try (UnifiedMemory m = open("fused-pair", 2, 3);
        Region r = m.allocate(16 * PAGE, "big")) {
      Device g0 = m.device("gpu0");
      for (int p = 0; p < 16; p++) {
        try (Pin pin = r.pin(p * PAGE, PAGE, g0, AccessMode.WRITE)) {
          pin.segment().fill((byte) (p + 1));
        }
      }
      assertThat(g0.residentBytes()).isLessThanOrEqualTo(2 * PAGE);
      assertThat(m.host().residentBytes()).isLessThanOrEqualTo(3 * PAGE);
      MemoryStats s = m.stats();
      assertThat(s.device("gpu0").evictions()).isEqualTo(14);
      assertThat(s.spill().writes()).isGreaterThan(0);
      for (int p = 0; p < 16; p++) {
        try (Pin pin = r.pin(p * PAGE, PAGE, m.device("gpu1"), AccessMode.READ)) {
          MemorySegment seg = pin.segment();
          assertThat(seg.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) (p + 1));
          assertThat(seg.get(ValueLayout.JAVA_BYTE, PAGE - 1)).isEqualTo((byte) (p + 1));
        }
      }
      assertThat(m.stats().spill().reads()).isGreaterThan(0);
    }
  }

  @Test
  void cleanPageFromSpill_isEvictedAgainWithoutWriteBack() {
    try (UnifiedMemory m = open("cpu", 1, 1);
        Region r = m.allocate(2 * PAGE, "t")) {
      fill(r, 0, PAGE, (byte) 3);
      fill(r, PAGE, PAGE, (byte) 4); // evicts page 0 to spill
      assertThat(r.page(0).spilled()).isTrue();
      assertThat(byteAt(r, 0)).isEqualTo((byte) 3); // page 0 back, page 1 spilled
      long writes = m.stats().spill().writes();
      assertThat(byteAt(r, PAGE)).isEqualTo((byte) 4); // page 0 clean: dropped, not rewritten
      assertThat(m.stats().spill().writes()).isEqualTo(writes);
      assertThat(r.page(0).dirty()).isFalse();
    }
  }

  @Test
  void pinnedPages_areNeverEvicted_andFullDeviceGivesClearError() {
    try (UnifiedMemory m = open("fused-pair", 2, 4);
        Region r = m.allocate(3 * PAGE, "t")) {
      Device g0 = m.device("gpu0");
      try (Pin a = r.pin(0, PAGE, g0, AccessMode.WRITE);
          Pin b = r.pin(PAGE, PAGE, g0, AccessMode.WRITE)) {
        a.segment().fill((byte) 9);
        assertThatThrownBy(() -> r.pin(2 * PAGE, PAGE, g0, AccessMode.WRITE))
            .isInstanceOf(AmalgamMemoryException.class)
            .hasMessageContaining("device 'gpu0' has no room")
            .hasMessageContaining("8.0 KiB pinned");
        assertThat(b.isClosed()).isFalse();
      }
      try (Pin c = r.pin(2 * PAGE, PAGE, g0, AccessMode.WRITE)) {
        assertThat(c.segment().byteSize()).isEqualTo(PAGE);
      }
      assertThat(byteAt(r, 0)).isEqualTo((byte) 9);
    }
  }

  @Test
  void pin_outOfRange_unpinTwice_accessAfterClose_giveClearErrors() {
    try (UnifiedMemory m = open("fused-pair", 4, 4)) {
      Region r = m.allocate(PAGE, "t");
      assertThatThrownBy(() -> r.pin(PAGE - 8, 16, m.host(), AccessMode.READ))
          .isInstanceOf(AmalgamMemoryException.class)
          .hasMessageContaining("range [4088, 4104)")
          .hasMessageContaining("4096 bytes");
      Pin p = r.pin(m.host(), AccessMode.WRITE);
      MemorySegment seg = p.segment();
      p.close();
      assertThatThrownBy(p::close)
          .isInstanceOf(AmalgamMemoryException.class)
          .hasMessageContaining("unpinned twice");
      assertThatThrownBy(() -> seg.get(ValueLayout.JAVA_BYTE, 0))
          .isInstanceOf(IllegalStateException.class);
      r.close();
      r.close();
      assertThatThrownBy(() -> r.pin(m.host(), AccessMode.READ))
          .isInstanceOf(AmalgamMemoryException.class)
          .hasMessageContaining("is closed");
      assertThat(m.pool().reserved()).isZero();
    }
  }

  @Test
  void closeRegion_whilePinned_isRefusedAndFreesNothing() {
    try (UnifiedMemory m = open("fused-pair", 4, 4);
        Region r = m.allocate(PAGE, "t")) {
      try (Pin p = r.pin(m.device("gpu0"), AccessMode.WRITE)) {
        p.segment().fill((byte) 5);
        assertThatThrownBy(r::close)
            .isInstanceOf(AmalgamMemoryException.class)
            .hasMessageContaining("is pinned on gpu0 (1 pin, writing)");
      }
      assertThat(byteAt(r, 1)).isEqualTo((byte) 5);
    }
  }

  @Test
  void allocation_largerThanEveryTier_isRefused() {
    try (UnifiedMemory m = open("fused-pair", 4, 4)) {
      assertThatThrownBy(() -> m.allocate(10_000 * PAGE, "huge"))
          .isInstanceOf(AmalgamMemoryException.class)
          .hasMessageContaining("cannot allocate")
          .hasMessageContaining("all tiers together hold");
      try (Region r = m.allocate(PAGE, "small")) {
        assertThat(r.size()).isEqualTo(PAGE);
      }
    }
  }

  @Test
  void spillDirectory_notWritable_isReportedAtOpen() throws Exception {
    Path file = Files.createFile(spillDir.resolve("not-a-dir"));
    assertThatThrownBy(
            () ->
                UnifiedMemory.builder()
                    .topology(Topology.preset("cpu", PAGE * 4, PAGE * 4))
                    .pageSize(PAGE)
                    .spillDirectory(file.resolve("sub"))
                    .spillCapacity(PAGE * 4)
                    .build())
        .isInstanceOf(AmalgamMemoryException.class)
        .hasMessageContaining("spill directory")
        .hasMessageContaining("not writable");
  }

  @Test
  void spill_atExactlyAllTiersFull_stillMovesPagesBothWays() {
    try (UnifiedMemory m =
            UnifiedMemory.builder()
                .topology(Topology.preset("cpu", PAGE, PAGE))
                .pageSize(PAGE)
                .spillDirectory(spillDir)
                .spillCapacity(PAGE)
                .build();
        Region a = m.allocate(PAGE, "a");
        Region b = m.allocate(PAGE, "b")) {
      fill(a, 0, PAGE, (byte) 1);
      fill(b, 0, PAGE, (byte) 2); // a spills: the file is full
      assertThat(byteAt(a, 0)).isEqualTo((byte) 1); // a back on host, its slot kept as backing
      assertThat(byteAt(b, 0)).isEqualTo((byte) 2); // b must spill: a's clean slot is reclaimed
      assertThat(byteAt(a, 9)).isEqualTo((byte) 1);
      assertThat(m.stats().spill().usedBytes()).isLessThanOrEqualTo(2 * PAGE);
    }
  }

  @Test
  void prefetch_movesPagesOnTheDeviceWorkers() throws Exception {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Region r = m.allocate(4 * PAGE, "t")) {
      fill(r, 0, 4 * PAGE, (byte) 6);
      int moved = r.prefetch(m.device("gpu1")).get();
      assertThat(moved).isEqualTo(4);
      assertThat(r.page(3).copies()).containsExactly("gpu1");
      assertThat(m.stats().device("gpu1").prefetched()).isEqualTo(4);
      try (Pin p = r.pin(2 * PAGE, PAGE, m.device("gpu1"), AccessMode.READ)) {
        assertThat(p.segment().get(ValueLayout.JAVA_BYTE, 7)).isEqualTo((byte) 6);
      }
      assertThat(m.stats().device("gpu1").faults()).isZero();
    }
  }

  @Test
  void accessedBy_readsRemoteCopyWithoutMoving() {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Region r = m.allocate(PAGE, "t")) {
      fillOn(r, m.device("gpu0"), (byte) 8);
      r.advise(Advice.ACCESSED_BY, m.device("gpu1"));
      try (Pin p = r.pin(m.device("gpu1"), AccessMode.READ)) {
        assertThat(p.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 8);
      }
      assertThat(r.page(0).copies()).containsExactly("gpu0");
      assertThat(m.stats().device("gpu1").remoteReads()).isEqualTo(1);
    }
  }

  @Test
  void preferredLocation_keepsCopyThereWhenOthersRead() {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Region r = m.allocate(PAGE, "t")) {
      fillOn(r, m.device("gpu0"), (byte) 8);
      r.advise(Advice.PREFERRED_LOCATION, m.device("gpu0"));
      assertThat(byteAt(r, 0)).isEqualTo((byte) 8);
      assertThat(r.page(0).current()).containsExactlyInAnyOrder("gpu0", "host");
    }
  }

  @Test
  void overwrite_ofWholePage_doesNotCopyOldBytesIn() {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Region r = m.allocate(2 * PAGE, "t")) {
      fillOn(r, m.device("gpu0"), (byte) 1);
      try (Pin p = r.pin(0, PAGE, m.device("gpu1"), AccessMode.OVERWRITE)) {
        p.segment().fill((byte) 2);
      }
      assertThat(m.stats().link("gpu0", "gpu1").bytes()).isZero();
      // a partial overwrite must keep the bytes it does not cover
      try (Pin p = r.pin(PAGE, 10, m.device("gpu1"), AccessMode.OVERWRITE)) {
        p.segment().fill((byte) 3);
      }
      assertThat(byteAt(r, PAGE + 9)).isEqualTo((byte) 3);
      assertThat(byteAt(r, PAGE + 10)).isEqualTo((byte) 1);
      assertThat(byteAt(r, 0)).isEqualTo((byte) 2);
    }
  }

  @Test
  void writePin_waitsForReadersOnOtherDevices_thenTimesOutClearly() throws Exception {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Region r = m.allocate(PAGE, "t")) {
      fillOn(r, m.host(), (byte) 1);
      ExecutorService ex = Executors.newSingleThreadExecutor();
      try (Pin reader = r.pin(m.host(), AccessMode.READ)) {
        Future<?> f =
            ex.submit(
                () -> {
                  assertThatThrownBy(() -> r.pin(m.device("gpu0"), AccessMode.WRITE))
                      .isInstanceOf(AmalgamMemoryException.class)
                      .hasMessageContaining("waited 200 ms to pin page 0")
                      .hasMessageContaining("pinned on host (1 pin)");
                });
        f.get();
        assertThat(reader.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 1);
      } finally {
        ex.shutdown();
      }
    }
  }

  @Test
  void writePin_proceedsOnceReaderUnpins() throws Exception {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Region r = m.allocate(PAGE, "t")) {
      fillOn(r, m.host(), (byte) 1);
      ExecutorService ex = Executors.newSingleThreadExecutor();
      CountDownLatch started = new CountDownLatch(1);
      try {
        Pin reader = r.pin(m.host(), AccessMode.READ);
        Future<Byte> f =
            ex.submit(
                () -> {
                  started.countDown();
                  try (Pin w = r.pin(m.device("gpu0"), AccessMode.WRITE)) {
                    byte b = w.segment().get(ValueLayout.JAVA_BYTE, 0);
                    w.segment().fill((byte) 2);
                    return b;
                  }
                });
        started.await();
        Thread.sleep(20);
        reader.close();
        assertThat(f.get()).isEqualTo((byte) 1);
        assertThat(byteAt(r, 0)).isEqualTo((byte) 2);
      } finally {
        ex.shutdown();
      }
    }
  }

  @Test
  void multiPagePin_exposesOneChunkPerPage() {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Region r = m.allocate(3 * PAGE, "t")) {
      try (Pin p = r.pin(100, 2 * PAGE, m.device("gpu0"), AccessMode.WRITE)) {
        assertThat(p.chunkCount()).isEqualTo(3);
        assertThat(p.chunk(0).byteSize()).isEqualTo(PAGE - 100);
        assertThat(p.chunk(2).byteSize()).isEqualTo(100);
        assertThat(p.chunkOffset(1)).isEqualTo(PAGE);
        assertThatThrownBy(p::segment)
            .isInstanceOf(AmalgamMemoryException.class)
            .hasMessageContaining("spans 3 pages");
      }
    }
  }

  @Test
  void closeMemory_withOpenPin_isRefused_andWithOpenRegion_reportsLeak() {
    UnifiedMemory m = open("fused-pair", 4, 4);
    Region r = m.allocate(PAGE, "leaky-operator");
    Pin p = r.pin(m.host(), AccessMode.READ);
    assertThatThrownBy(m::close)
        .isInstanceOf(AmalgamMemoryException.class)
        .hasMessageContaining("1 pins are open");
    p.close();
    assertThatThrownBy(m::close)
        .isInstanceOf(AmalgamMemoryException.class)
        .hasMessageContaining("leaky-operator 4.0 KiB");
    assertThat(r.isClosed()).isTrue();
    m.close();
  }

  @Test
  void migrate_andEvict_moveAllPagesExplicitly() {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Region r = m.allocate(4 * PAGE, "t")) {
      fill(r, 0, 4 * PAGE, (byte) 4);
      r.migrate(m.device("gpu1"));
      for (int i = 0; i < 4; i++) {
        assertThat(r.page(i).copies()).containsExactly("gpu1");
      }
      assertThat(r.evict(m.device("gpu1"))).isEqualTo(4);
      assertThat(r.page(0).copies()).containsExactly("host");
      assertThat(m.stats().device("gpu1").writeBacks()).isEqualTo(4);
      assertThat(byteAt(r, 4 * PAGE - 1)).isEqualTo((byte) 4);
    }
  }

  @Test
  void stats_format_labelsSimulatedDevicesAndModeledTimes() {
    try (UnifiedMemory m = open("fused-pair", 4, 4)) {
      String text = m.stats().format();
      assertThat(text).contains("gpu (simulated)").contains("modeled").contains("nvlink5");
      assertThat(m.fusedDevice().members())
          .extracting(Device::name)
          .containsExactly("gpu0", "gpu1");
      assertThat(m.fusedDevice().toString()).contains("simulated");
    }
  }
}
