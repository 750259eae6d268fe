package dev.amalgam.bench.jmh;

import dev.amalgam.memory.AccessMode;
import dev.amalgam.memory.Device;
import dev.amalgam.memory.Pin;
import dev.amalgam.memory.Region;
import dev.amalgam.memory.Topology;
import dev.amalgam.memory.UnifiedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Unified memory operations, one page at a time, next to a plain copy of the same page.
 *
 * <p>{@code pinResident}: pin + view + unpin of a page already on the pinning device. {@code
 * migratePage}: a read pin that moves one page between the two members of {@code fused-pair}.
 * {@code copyPage}: {@link MemorySegment#copy} of one page between two buffers (the limit). Run
 * with {@code ./amalgam bench jmh MemoryOps} (add {@code -p pageSize=65536} to change sizes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MemoryOpsBenchmark {
  /** Bytes per page. */
  @Param({"65536", "2097152"})
  public long pageSize;

  private UnifiedMemory memory;
  private Region region;
  private Device gpu0;
  private Device gpu1;
  private Arena arena;
  private MemorySegment a;
  private MemorySegment b;
  private int next;

  /** Opens fused-pair with room for 8 pages per member and places 8 pages on gpu0. */
  @Setup(Level.Trial)
  @SuppressWarnings("MustBeClosedChecker") // closed in tearDown()
  public void setUp() {
    memory =
        UnifiedMemory.builder()
            .topology(Topology.preset("fused-pair", 16 * pageSize, 16 * pageSize))
            .pageSize(pageSize)
            .build();
    region = memory.allocate(8 * pageSize, "jmh");
    gpu0 = memory.device("gpu0");
    gpu1 = memory.device("gpu1");
    for (int p = 0; p < 8; p++) {
      try (Pin pin = region.pin(p * pageSize, pageSize, gpu0, AccessMode.WRITE)) {
        pin.segment().fill((byte) p);
      }
    }
    arena = Arena.ofConfined();
    a = arena.allocate(pageSize, 64);
    b = arena.allocate(pageSize, 64);
  }

  /** Frees everything. */
  @TearDown(Level.Trial)
  public void tearDown() {
    region.close();
    memory.close();
    arena.close();
  }

  /** Pin + view + unpin of a resident page. */
  @Benchmark
  public long pinResident() {
    try (Pin pin = region.pin((next++ & 7) * pageSize, 64, gpu0, AccessMode.READ)) {
      return pin.segment().byteSize();
    }
  }

  /** A read pin that moves the page to the other member (alternating direction). */
  @Benchmark
  public long migratePage() {
    int n = next++;
    Device to = ((n >> 3) & 1) == 0 ? gpu1 : gpu0;
    try (Pin pin = region.pin((n & 7) * pageSize, 8, to, AccessMode.READ)) {
      return pin.length();
    }
  }

  /** One page copied with MemorySegment.copy. */
  @Benchmark
  public MemorySegment copyPage() {
    MemorySegment.copy(a, 0, b, 0, pageSize);
    return b;
  }
}
