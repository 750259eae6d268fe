package dev.amalgam.kernels;

import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryLimitExceededException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/** The CPU {@link JoinHashTable}: a {@link KeyTable} of distinct keys with a chain of rows each. */
final class CpuJoinHashTable implements JoinHashTable {
  /*
   * Implementation notes.
   *
   * The KeyTable maps each distinct non-null key to a key id and keeps two int payload columns
   * per key: head and tail of its chain of entries (entry index + 1, 0 = none). Entries are
   * parallel arrays in their own block: the build row id (long) and the next entry of the same key
   * (int, index + 1). Appending at the tail keeps each chain in build order. The entry block
   * grows (doubling) before a chunk for the whole chunk, and the KeyTable rolls its own growth
   * back on refusal, so a chunk is added completely or not at all.
   *
   * Probing goes a chunk of rows at a time: hash the chunk (vectorized), look every row's key up
   * (for a single int64 key in a tight loop whose rows are independent, so that the CPU overlaps
   * their cache misses on a large table), then walk the chains. The probe is read-only and keeps
   * its position and scratch in its own objects, so it may run on many threads at once. The unique
   * path skips the chains: with no duplicate key, head is the only entry.
   */

  private static final String KERNEL = "join hash table";
  private static final int CHUNK = 2048;
  private static final long BLOCK_BYTES = 16L * CHUNK;
  private static final int HEAD = 0;
  private static final int TAIL = 1;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final long MIN_ENTRIES = 1024;

  private final List<KeyType> keyTypes;

  /** Probe blocks of finished iterator probes, reused by later ones (any thread). */
  private final ConcurrentLinkedQueue<MemorySegment> spareBlocks = new ConcurrentLinkedQueue<>();

  private final TableMemory memory;
  private final TableMemory.Block scratch;
  private final MemorySegment hashScratch;
  private final MemorySegment gidScratch;
  private final KeyTable table;
  private TableMemory.@Nullable Block entryBlock;
  private MemorySegment rowIds = MemorySegment.NULL;
  private MemorySegment next = MemorySegment.NULL;
  private long entryCapacity;
  private long entryCount;
  private boolean duplicates;
  private boolean closed;

  CpuJoinHashTable(List<KeyType> keyTypes, int initialRows, MemoryConsumer consumer) {
    this.keyTypes = List.copyOf(keyTypes);
    this.memory = new TableMemory(consumer);
    this.scratch = memory.allocate(8L * CHUNK, 4L * CHUNK);
    this.hashScratch = scratch.segment(0);
    this.gidScratch = scratch.segment(1);
    KeyTable t;
    try {
      t =
          new KeyTable(
              KERNEL,
              "distinct keys",
              keyTypes.toArray(new KeyType[0]),
              false,
              new int[] {4, 4},
              new long[] {0, 0},
              -1,
              initialRows,
              memory);
      try {
        ensureEntries(Math.max(MIN_ENTRIES, initialRows));
      } catch (RuntimeException | Error e) {
        t.close();
        throw e;
      }
    } catch (RuntimeException | Error e) {
      memory.free(scratch);
      throw e;
    }
    this.table = t;
  }

  @Override
  public List<KeyType> keyTypes() {
    return keyTypes;
  }

  @Override
  public void add(List<KeyColumn> keys, int n, @Nullable MemorySegment sel, long firstRowId) {
    checkOpen();
    Objects.requireNonNull(keys, "keys is null");
    if (firstRowId < 0) {
      throw new IllegalArgumentException(KERNEL + ": firstRowId must be >= 0: " + firstRowId);
    }
    int maxRow = Hashing.checkRows(KERNEL, n, sel);
    KeyColumn[] cols = Hashing.checkKeys(KERNEL, keys, keyTypes, maxRow);
    for (int start = 0; start < n; start += CHUNK) {
      int len = Math.min(CHUNK, n - start);
      try {
        ensureEntries(entryCount + len);
        CpuHashKernels.hashChunk(KERNEL, cols, sel, start, len, hashScratch);
        table.findOrInsert(cols, sel, start, len, hashScratch, gidScratch);
      } catch (MemoryLimitExceededException e) {
        throw TableFullException.of(KERNEL, memory.name(), entryCount, "build rows", start, e);
      }
      MemorySegment heads = table.payload(HEAD);
      MemorySegment tails = table.payload(TAIL);
      MemorySegment gids = gidScratch;
      for (int i = 0; i < len; i++) {
        long g = gids.getAtIndex(INT, i);
        if (g < 0) {
          continue;
        }
        int row = sel == null ? start + i : sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
        long e = entryCount++;
        rowIds.setAtIndex(LONG, e, firstRowId + row);
        next.setAtIndex(INT, e, 0);
        int tail = tails.getAtIndex(INT, g);
        if (tail == 0) {
          heads.setAtIndex(INT, g, (int) (e + 1));
        } else {
          next.setAtIndex(INT, tail - 1L, (int) (e + 1));
          duplicates = true;
        }
        tails.setAtIndex(INT, g, (int) (e + 1));
      }
    }
  }

  private void ensureEntries(long needed) {
    if (needed <= entryCapacity) {
      return;
    }
    if (needed > Integer.MAX_VALUE - 1) {
      throw new IllegalStateException(
          KERNEL
              + " '"
              + memory.name()
              + "' cannot hold more than "
              + (Integer.MAX_VALUE - 1)
              + " build rows");
    }
    long cap = Math.max(MIN_ENTRIES, entryCapacity);
    while (cap < needed) {
      cap = Math.min(cap * 2, Integer.MAX_VALUE - 1);
    }
    TableMemory.Block b = memory.allocate(8 * cap, 4 * cap);
    MemorySegment ids = b.segment(0);
    MemorySegment nx = b.segment(1);
    if (entryCount > 0) {
      MemorySegment.copy(rowIds, 0, ids, 0, 8 * entryCount);
      MemorySegment.copy(next, 0, nx, 0, 4 * entryCount);
    }
    TableMemory.Block previous = entryBlock;
    entryBlock = b;
    rowIds = ids;
    next = nx;
    entryCapacity = cap;
    memory.free(previous);
  }

  @Override
  public long rowCount() {
    checkOpen();
    return entryCount;
  }

  @Override
  public int keyCount() {
    checkOpen();
    return table.groupCount();
  }

  @Override
  public boolean hasDuplicateKeys() {
    checkOpen();
    return duplicates;
  }

  /** The key table (for a partitioned table's lookups, which hash each probe row once). */
  KeyTable keyTable() {
    return table;
  }

  /** Per key id, its first entry (index + 1). */
  MemorySegment heads() {
    return table.payload(HEAD);
  }

  /** Per entry, the next entry of its key (index + 1, 0 = none). */
  MemorySegment nextEntries() {
    return next;
  }

  /** Per entry, its build row id. */
  MemorySegment rowIds() {
    return rowIds;
  }

  private KeyColumn[] checkProbe(
      String kernel, List<KeyColumn> keys, int n, @Nullable MemorySegment sel) {
    checkOpen();
    Objects.requireNonNull(keys, "keys is null");
    int maxRow = Hashing.checkRows(kernel, n, sel);
    return Hashing.checkKeys(kernel, keys, keyTypes, maxRow);
  }

  /**
   * Per-call scratch of a probe: the hashes and key ids of one chunk of probe rows. Transient (a
   * probe call's working set, not table state; freed by the garbage collector), so that probes on
   * many threads need neither locks nor reservations. Native rather than heap memory: the key table
   * reads it next to the native key columns, and a mix of heap and native segments at the same
   * accessor sites keeps the JIT from optimizing them (see {@link NativeScratch}).
   */
  private final class ProbeChunk {
    final MemorySegment block;
    final MemorySegment hashes;
    final MemorySegment gids;
    final MemorySegment entries;

    /** A chunk over {@code block} (at least {@link #BLOCK_BYTES}). */
    ProbeChunk(MemorySegment block) {
      this.block = block;
      this.hashes = block.asSlice(0, 8L * CHUNK);
      this.gids = block.asSlice(8L * CHUNK, 4L * CHUNK);
      this.entries = block.asSlice(12L * CHUNK, 4L * CHUNK);
    }

    /** Hashes and looks up positions [start, start + len). */
    void find(KeyColumn[] cols, @Nullable MemorySegment sel, int start, int len) {
      CpuHashKernels.hashChunk(KERNEL, cols, sel, start, len, hashes);
      table.findChunk(cols, sel, start, len, hashes, gids);
    }

    /** The key id of position {@code i} of the chunk, -1 when absent. */
    int gid(int i) {
      return gids.getAtIndex(INT, i);
    }

    /**
     * Fetches the first chain entry (index + 1, 0 when absent) of each of the chunk's {@code len}
     * rows into {@code entries}, and on a large table touches their row ids, both in loops without
     * data-dependent branches so that cache misses overlap.
     */
    void heads(int len) {
      MemorySegment heads = table.payload(HEAD);
      for (int i = 0; i < len; i++) {
        int g = gids.getAtIndex(INT, i);
        int e = heads.getAtIndex(INT, Math.max(g, 0));
        entries.setAtIndex(INT, i, g < 0 ? 0 : e);
      }
      if (table.isLarge()) {
        MemorySegment ids = rowIds;
        long x = 0;
        for (int i = 0; i < len; i++) {
          x += ids.getAtIndex(LONG, Math.max(entries.getAtIndex(INT, i) - 1L, 0));
        }
        hashes.setAtIndex(LONG, 0, x);
      }
    }

    /** The first chain entry (index + 1) of position {@code i}, 0 when absent; after heads(). */
    int entry(int i) {
      return entries.getAtIndex(INT, i);
    }
  }

  @Override
  public Probe probe(List<KeyColumn> keys, int n, @Nullable MemorySegment sel) {
    KeyColumn[] cols = checkProbe(KERNEL + " probe", keys, n, sel);
    return new CpuProbe(cols, n, sel);
  }

  @Override
  public int probeUnique(
      List<KeyColumn> keys,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment probeRows,
      MemorySegment buildRows) {
    String kernel = KERNEL + " probeUnique";
    KeyColumn[] cols = checkProbe(kernel, keys, n, sel);
    if (duplicates) {
      throw new IllegalStateException(
          kernel + ": table '" + memory.name() + "' has duplicate keys; use probe()");
    }
    Hashing.checkBytes(kernel, "probeRows", probeRows, 4L * n);
    Hashing.checkBytes(kernel, "buildRows", buildRows, 8L * n);
    ProbeChunk chunk = new ProbeChunk(NativeScratch.get(NativeScratch.PROBE_SLOT, BLOCK_BYTES));
    MemorySegment ids = rowIds;
    int count = 0;
    for (int start = 0; start < n; start += CHUNK) {
      int len = Math.min(CHUNK, n - start);
      chunk.find(cols, sel, start, len);
      chunk.heads(len);
      for (int i = 0; i < len; i++) {
        int e = chunk.entry(i);
        if (e != 0) {
          int row = sel == null ? start + i : sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
          probeRows.setAtIndex(ArrowLayout.INT32, count, row);
          buildRows.setAtIndex(ArrowLayout.INT64, count, ids.getAtIndex(LONG, e - 1L));
          count++;
        }
      }
    }
    return count;
  }

  @Override
  public int probeSemi(
      List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out) {
    return probeExists(KERNEL + " probeSemi", keys, n, sel, out, true);
  }

  @Override
  public int probeAnti(
      List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out) {
    return probeExists(KERNEL + " probeAnti", keys, n, sel, out, false);
  }

  private int probeExists(
      String kernel,
      List<KeyColumn> keys,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out,
      boolean wanted) {
    KeyColumn[] cols = checkProbe(kernel, keys, n, sel);
    Hashing.checkBytes(kernel, "out", out, 4L * n);
    ProbeChunk chunk = new ProbeChunk(NativeScratch.get(NativeScratch.PROBE_SLOT, BLOCK_BYTES));
    int count = 0;
    for (int start = 0; start < n; start += CHUNK) {
      int len = Math.min(CHUNK, n - start);
      chunk.find(cols, sel, start, len);
      for (int i = 0; i < len; i++) {
        if ((chunk.gid(i) >= 0) == wanted) {
          int row = sel == null ? start + i : sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
          out.setAtIndex(ArrowLayout.INT32, count++, row);
        }
      }
    }
    return count;
  }

  @Override
  public long reservedBytes() {
    return memory.reserved();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      table.close();
    } finally {
      memory.free(entryBlock);
      entryBlock = null;
      memory.free(scratch);
      memory.close();
    }
  }

  /** E.g. {@code join hash table 'build#1': 4096 rows, 1000 distinct keys}. */
  @Override
  public String toString() {
    return KERNEL
        + " '"
        + memory.name()
        + "': "
        + (closed ? "closed" : entryCount + " rows, " + table.groupCount() + " distinct keys");
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(KERNEL + " '" + memory.name() + "' is closed");
    }
  }

  /**
   * A probe's position: the chunk of probe rows looked up last, the next position in it, and the
   * next entry of the current row's chain.
   */
  private final class CpuProbe implements Probe {
    private final KeyColumn[] cols;
    private final int n;
    private final @Nullable MemorySegment sel;
    private final ProbeChunk chunk = new ProbeChunk(takeBlock());
    private int chunkStart;
    private int chunkLen;
    private int k;
    private int row;
    private int entry;
    private boolean released;

    CpuProbe(KeyColumn[] cols, int n, @Nullable MemorySegment sel) {
      this.cols = cols;
      this.n = n;
      this.sel = sel;
    }

    @Override
    public int next(MemorySegment probeRows, MemorySegment buildRows, int capacity) {
      checkOpen();
      Hashing.checkPairOutputs(KERNEL + " probe", probeRows, buildRows, capacity);
      int count = 0;
      while (count < capacity) {
        if (entry == 0) {
          if (k >= n) {
            break;
          }
          if (k == chunkStart + chunkLen) {
            chunkStart = k;
            chunkLen = Math.min(CHUNK, n - k);
            chunk.find(cols, sel, chunkStart, chunkLen);
            chunk.heads(chunkLen);
          }
          MemorySegment s = sel;
          row = s == null ? k : s.getAtIndex(ArrowLayout.INT32, k);
          entry = chunk.entry(k - chunkStart);
          k++;
          continue;
        }
        // walk this row's chain with the buffers in locals (checks hoisted)
        MemorySegment ids = rowIds;
        MemorySegment links = next;
        int e = entry;
        int r = row;
        while (e != 0 && count < capacity) {
          probeRows.setAtIndex(ArrowLayout.INT32, count, r);
          buildRows.setAtIndex(ArrowLayout.INT64, count, ids.getAtIndex(LONG, e - 1L));
          count++;
          e = links.getAtIndex(INT, e - 1L);
        }
        entry = e;
      }
      return count;
    }

    @Override
    public boolean isDone() {
      boolean done = entry == 0 && k >= n;
      if (done && !released) {
        released = true;
        spareBlocks.offer(chunk.block);
      }
      return done;
    }
  }

  /** A probe block from the spares of finished probes, or a new one. */
  private MemorySegment takeBlock() {
    MemorySegment b = spareBlocks.poll();
    return b != null ? b : Arena.ofAuto().allocate(BLOCK_BYTES, 64);
  }
}
