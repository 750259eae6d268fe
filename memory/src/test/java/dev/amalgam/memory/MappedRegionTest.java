package dev.amalgam.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class MappedRegionTest {
  private static final long PAGE = 4096;

  @TempDir Path dir;

  private UnifiedMemory open(String preset, long gpuPages, long hostPages) {
    return UnifiedMemory.builder()
        .topology(Topology.preset(preset, gpuPages * PAGE, hostPages * PAGE))
        .pageSize(PAGE)
        .spillDirectory(dir.resolve("spill"))
        .spillCapacity(64 * PAGE)
        .pinTimeout(Duration.ofMillis(200))
        .build();
  }

  /** A file of {@code bytes} bytes where byte i is (byte) (i * 7 + i / PAGE), mapped read-only. */
  private MemorySegment mapFile(Arena arena, long bytes) throws IOException {
    Path f = dir.resolve("data.bin");
    byte[] b = new byte[(int) bytes];
    for (int i = 0; i < b.length; i++) {
      b[i] = expected(i);
    }
    Files.write(f, b);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes, arena);
    }
  }

  private static byte expected(long i) {
    return (byte) (i * 7 + i / PAGE);
  }

  private static void checkBytes(MemorySegment s, long regionOffset) {
    for (long i = 0; i < s.byteSize(); i++) {
      assertThat(s.get(ValueLayout.JAVA_BYTE, i)).isEqualTo(expected(regionOffset + i));
    }
  }

  @Test
  void mapReadOnly_hostReadPin_usesTheMappedBytesInPlace() throws IOException {
    try (UnifiedMemory m = open("cpu", 8, 16);
        Arena arena = Arena.ofShared()) {
      MemorySegment file = mapFile(arena, 3 * PAGE + 100);
      try (Region r = m.mapReadOnly(file.asSlice(10), "file", null)) {
        assertThat(r.isMapped()).isTrue();
        assertThat(r.size()).isEqualTo(3 * PAGE + 90);
        assertThat(r.pageCount()).isEqualTo(4);
        assertThat(r.page(0).zero()).isFalse();
        assertThat(r.page(0).dirty()).isFalse();
        assertThat(r.page(0).copies()).isEmpty();
        for (int p = 0; p < 4; p++) {
          long off = p * PAGE;
          long len = Math.min(PAGE, r.size() - off);
          try (Pin pin = r.pin(off, len, m.host(), AccessMode.READ)) {
            MemorySegment s = pin.segment();
            assertThat(s.address()).isEqualTo(file.address() + 10 + off);
            assertThat(s.byteSize()).isEqualTo(len);
            checkBytes(s, 10 + off);
          }
        }
        assertThat(r.page(3).copies()).containsExactly("host");
        assertThat(m.host().residentBytes()).isEqualTo(4 * PAGE);
        assertThat(m.stats().spill().bytesWritten()).isZero();
      }
      assertThat(m.host().residentBytes()).isZero();
      assertThat(m.pool().reserved()).isZero();
    }
  }

  @Test
  void mapReadOnly_writePins_areRefusedAndTheMemoryStaysUsable() throws IOException {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Arena arena = Arena.ofShared()) {
      MemorySegment file = mapFile(arena, 2 * PAGE);
      try (Region r = m.mapReadOnly(file, "file", null)) {
        for (AccessMode mode : new AccessMode[] {AccessMode.WRITE, AccessMode.OVERWRITE}) {
          assertThatThrownBy(() -> r.pin(0, 8, m.device("gpu0"), mode))
              .isInstanceOfSatisfying(
                  AmalgamMemoryException.class,
                  e -> assertThat(e.code()).isEqualTo(AmalgamMemoryException.Code.READ_ONLY))
              .hasMessageContaining("read-only");
        }
        assertThatThrownBy(() -> r.write(0, MemorySegment.ofArray(new byte[4])))
            .isInstanceOf(AmalgamMemoryException.class);
        try (Pin pin = r.pin(0, PAGE, m.host(), AccessMode.READ)) {
          checkBytes(pin.segment(), 0);
        }
      }
    }
  }

  @Test
  void mapReadOnly_pinOnAMember_copiesThePageThere_andEvictionWritesNothing() throws IOException {
    try (UnifiedMemory m = open("fused-pair", 8, 16);
        Arena arena = Arena.ofShared()) {
      MemorySegment file = mapFile(arena, 2 * PAGE + 50);
      Device g0 = m.device("gpu0");
      try (Region r = m.mapReadOnly(file, "file", null)) {
        try (Pin pin = r.pin(0, r.size(), g0, AccessMode.READ)) {
          assertThat(pin.chunkCount()).isEqualTo(3);
          for (int i = 0; i < 3; i++) {
            MemorySegment c = pin.chunk(i);
            assertThat(c.address()).isNotEqualTo(file.address() + pin.chunkOffset(i));
            checkBytes(c, pin.chunkOffset(i));
          }
        }
        assertThat(r.page(2).copies()).containsExactly("gpu0");
        assertThat(m.stats().link("host", "gpu0").bytes()).isEqualTo(2 * PAGE + 50);
        assertThat(r.evict(g0)).isEqualTo(3);
        assertThat(r.page(0).copies()).isEmpty();
        MemoryStats s = m.stats();
        assertThat(s.device("gpu0").writeBacks()).isZero();
        assertThat(s.spill().bytesWritten()).isZero();
        assertThat(m.device("host").residentBytes()).isZero();
        // back again, from the file
        try (Pin pin = r.pin(PAGE, PAGE + 50, m.device("gpu1"), AccessMode.READ)) {
          checkBytes(pin.chunk(0), PAGE);
          checkBytes(pin.chunk(1), 2 * PAGE);
        }
        // read-mostly: a host read keeps the member's replica and uses the mapping in place
        r.advise(Advice.READ_MOSTLY, m.host());
        try (Pin pin = r.pin(PAGE, 8, m.host(), AccessMode.READ)) {
          assertThat(pin.segment().address()).isEqualTo(file.address() + PAGE);
        }
        assertThat(r.page(1).copies()).containsExactlyInAnyOrder("gpu1", "host");
      }
    }
  }

  @Test
  void mapReadOnly_largerThanTheHost_evictsMappedPagesForFree() throws IOException {
    try (UnifiedMemory m = open("cpu", 2, 2);
        Arena arena = Arena.ofShared()) {
      MemorySegment file = mapFile(arena, 9 * PAGE);
      try (Region r = m.mapReadOnly(file, "file", null)) {
        for (int round = 0; round < 2; round++) {
          for (int p = 0; p < 9; p++) {
            try (Pin pin = r.pin(p * PAGE, PAGE, m.host(), AccessMode.READ)) {
              checkBytes(pin.segment(), p * PAGE);
            }
          }
        }
        MemoryStats s = m.stats();
        assertThat(s.device("host").evictions()).isGreaterThanOrEqualTo(7); // the first round alone
        assertThat(s.device("host").writeBacks()).isZero();
        assertThat(s.spill().bytesWritten()).isZero();
        assertThat(m.host().residentBytes()).isLessThanOrEqualTo(2 * PAGE);
      }
    }
  }

  @Test
  void mapReadOnly_onFree_runsOnceAfterTheRegionIsFreed_notWhilePinned() throws IOException {
    AtomicInteger freed = new AtomicInteger();
    try (UnifiedMemory m = open("cpu", 8, 16);
        Arena arena = Arena.ofShared()) {
      MemorySegment file = mapFile(arena, PAGE);
      Region r = m.mapReadOnly(file, "file", freed::incrementAndGet);
      Pin pin = r.pin(0, 16, m.host(), AccessMode.READ);
      assertThatThrownBy(r::close)
          .isInstanceOfSatisfying(
              AmalgamMemoryException.class,
              e -> assertThat(e.code()).isEqualTo(AmalgamMemoryException.Code.STILL_IN_USE));
      assertThat(freed).hasValue(0);
      pin.close();
      r.close();
      r.close();
      assertThat(freed).hasValue(1);
      assertThat(r.isClosed()).isTrue();
    }
  }

  @Test
  void mapReadOnly_leftOpen_isFreedByTheMemorysClose_andOnFreeRuns() throws IOException {
    AtomicInteger freed = new AtomicInteger();
    try (Arena arena = Arena.ofShared()) {
      MemorySegment file = mapFile(arena, PAGE);
      UnifiedMemory m = open("cpu", 8, 16);
      m.mapReadOnly(file, "file", freed::incrementAndGet);
      assertThatThrownBy(m::close).hasMessageContaining("file");
      assertThat(freed).hasValue(1);
    }
  }

  @Test
  void mapReadOnly_badSegments_areRejected() {
    try (UnifiedMemory m = open("cpu", 8, 16)) {
      assertThatThrownBy(() -> m.mapReadOnly(MemorySegment.ofArray(new byte[8]), "x", null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("native");
      try (Arena a = Arena.ofConfined()) {
        MemorySegment empty = a.allocate(8).asSlice(0, 0);
        assertThatThrownBy(() -> m.mapReadOnly(empty, "x", null))
            .isInstanceOf(IllegalArgumentException.class);
      }
      assertThat(m.regions()).isEmpty();
    }
  }
}
