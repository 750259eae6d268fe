package dev.amalgam.exec.run;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.HashKernels;
import dev.amalgam.kernels.KeyColumn;
import dev.amalgam.memory.pool.MemoryConsumer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Hash partitioning of spilled rows: the same keys always go to the same partition, whichever
 * operator (aggregation, join build, join probe) spills them.
 */
final class SpillPartitions {
  /** Partitions per spill. */
  static final int COUNT = 16;

  private SpillPartitions() {}

  /** The partition of each of the {@code n} rows of dense {@code keys}. */
  static int[] of(List<KeyColumn> keys, int n) {
    int[] out = new int[n];
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment h = arena.allocate(8L * Math.max(1, n), 8);
      HashKernels.cpu().hash(keys, n, null, h);
      for (int i = 0; i < n; i++) {
        long x = h.getAtIndex(ValueLayout.JAVA_LONG, i) * 0x9E3779B97F4A7C15L;
        out[i] = (int) (x >>> 60);
      }
    }
    return out;
  }

  /**
   * Appends the rows of dense chunk {@code c}, whose key columns are {@code keys}, to their
   * partitions of {@code store} (temporary copies charged to {@code consumer}).
   */
  static void split(Chunk c, List<KeyColumn> keys, SpillStore store, MemoryConsumer consumer) {
    int n = c.rows();
    int[] part = of(keys, n);
    int[] counts = new int[COUNT];
    for (int p : part) {
      counts[p]++;
    }
    // the rows of every partition in row order, partition after partition (one counting pass)
    int[] at = new int[COUNT];
    for (int p = 1; p < COUNT; p++) {
      at[p] = at[p - 1] + counts[p - 1];
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment sel = arena.allocate(4L * Math.max(1, n), 4);
      for (int i = 0; i < n; i++) {
        sel.setAtIndex(ArrowLayout.INT32, at[part[i]]++, i);
      }
      long start = 0;
      for (int p = 0; p < COUNT; p++) {
        int k = counts[p];
        if (k == 0) {
          continue;
        }
        MemorySegment rows = sel.asSlice(4L * start, 4L * k);
        start += k;
        try (Chunk piece = Chunk.copyOf(c.asBatch().withSelection(rows, k), consumer)) {
          store.append(p, piece);
        }
      }
    }
  }
}
