package dev.amalgam.kernels;

import dev.amalgam.memory.pool.MemoryConsumer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * A {@link JoinHashTable.Partitioned}: {@code P} independent {@link CpuJoinHashTable}s, a key's
 * rows all in partition {@code hash >>> (64 - log2 P)} (the top bits; the tables index their slots
 * with the low bits, so the two do not correlate).
 *
 * <p>Probes go a chunk of 2,048 probe rows at a time: each row is hashed once, tested against a
 * Bloom filter of all keys (built by the first probe), and the rows that pass are split by
 * partition in scratch and looked up in their partition's table; the result lands per position of
 * the chunk, so every probe emits in probe-row order without merging. A probe row lives in one
 * partition, so the order of the build rows of one probe row is its partition's (build order).
 */
final class PartitionedJoinHashTable implements JoinHashTable.Partitioned {
  private static final String KERNEL = "partitioned join hash table";
  private static final ValueLayout.OfInt INT = ArrowLayout.INT32;
  private static final ValueLayout.OfLong LONG = ArrowLayout.INT64;
  private static final int CHUNK = 2048;

  /** Bytes of a {@link Lookup}'s scratch: three arrays of longs and four of ints per chunk. */
  private static final long LOOKUP_BYTES = 40L * CHUNK;

  private final List<KeyType> keyTypes;

  /** Lookup blocks of drained probes, for later probes (any thread). */
  private final ConcurrentLinkedQueue<MemorySegment> spareBlocks = new ConcurrentLinkedQueue<>();

  private final CpuJoinHashTable[] parts;
  private final int shift;
  private final TableMemory bloomMemory;
  private boolean closed;

  /**
   * The Bloom filter of the keys, built by the first probe after the last add (null before, or when
   * its memory was refused); {@link #bloomMask} masks its word index.
   */
  private volatile TableMemory.@Nullable Block bloom;

  private long bloomMask;
  private boolean bloomRefused;

  PartitionedJoinHashTable(
      List<KeyType> keyTypes, int partitions, int initialRows, MemoryConsumer consumer) {
    if (partitions < 1 || partitions > MAX_PARTITIONS || Integer.bitCount(partitions) != 1) {
      throw new IllegalArgumentException(
          KERNEL
              + ": partitions must be a power of two in [1, "
              + MAX_PARTITIONS
              + "], was "
              + partitions);
    }
    this.keyTypes = List.copyOf(keyTypes);
    this.parts = new CpuJoinHashTable[partitions];
    this.shift = 64 - Integer.numberOfTrailingZeros(partitions);
    this.bloomMemory = new TableMemory(consumer);
    int each = (int) Math.min(Integer.MAX_VALUE, (long) initialRows / partitions + 1);
    try {
      for (int p = 0; p < partitions; p++) {
        parts[p] = new CpuJoinHashTable(keyTypes, each, consumer);
      }
    } catch (RuntimeException | Error e) {
      closeParts();
      throw e;
    }
  }

  @Override
  public int partitions() {
    return parts.length;
  }

  @Override
  public List<KeyType> keyTypes() {
    return keyTypes;
  }

  @Override
  public void partitionOf(
      List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out) {
    checkOpen();
    int maxRow = Hashing.checkRows(KERNEL + " partitionOf", n, sel);
    Hashing.checkKeys(KERNEL + " partitionOf", keys, keyTypes, maxRow);
    Hashing.checkBytes(KERNEL + " partitionOf", "out", out, 4L * (maxRow + 1));
    if (n == 0) {
      return;
    }
    if (parts.length == 1) {
      for (int k = 0; k < n; k++) {
        out.setAtIndex(INT, row(sel, k), 0);
      }
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment hashes = arena.allocate(8L * (maxRow + 1), 64);
      HashKernels.cpu().hash(keys, n, sel, hashes);
      for (int k = 0; k < n; k++) {
        int r = row(sel, k);
        out.setAtIndex(INT, r, (int) (hashes.getAtIndex(LONG, r) >>> shift));
      }
    }
  }

  @Override
  public void addTo(
      int partition, List<KeyColumn> keys, int n, MemorySegment sel, long firstRowId) {
    checkOpen();
    Objects.checkIndex(partition, parts.length);
    dropBloom();
    parts[partition].add(keys, n, sel, firstRowId);
  }

  @Override
  public void add(List<KeyColumn> keys, int n, @Nullable MemorySegment sel, long firstRowId) {
    checkOpen();
    if (n == 0) {
      return;
    }
    dropBloom();
    int maxRow = Hashing.checkRows(KERNEL + " add", n, sel);
    try (Arena arena = Arena.ofConfined()) {
      Split split = split(keys, n, sel, maxRow, arena);
      for (int p = 0; p < parts.length; p++) {
        int c = split.count(p);
        if (c > 0) {
          parts[p].add(keys, c, split.sel(p), firstRowId);
        }
      }
    }
  }

  /** The probe rows of each partition, ascending, in one int32 array sliced by partition. */
  private record Split(MemorySegment rows, int[] start) {
    int count(int p) {
      return start[p + 1] - start[p];
    }

    MemorySegment sel(int p) {
      return rows.asSlice(4L * start[p], 4L * count(p));
    }
  }

  private Split split(
      List<KeyColumn> keys, int n, @Nullable MemorySegment sel, int maxRow, Arena arena) {
    MemorySegment rows = arena.allocate(4L * Math.max(1, n), 64);
    MemorySegment partOf =
        parts.length == 1 ? rows : arena.allocate(4L * Math.max(1, maxRow + 1), 64);
    return split(keys, n, sel, rows, partOf);
  }

  /** Splits the rows by partition into {@code rows}, using {@code partOf} (maxRow + 1 ints). */
  private Split split(
      List<KeyColumn> keys,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment rows,
      MemorySegment partOf) {
    int[] start = new int[parts.length + 1];
    if (parts.length == 1) {
      for (int k = 0; k < n; k++) {
        rows.setAtIndex(INT, k, row(sel, k));
      }
      start[1] = n;
      return new Split(rows, start);
    }
    partitionOf(keys, n, sel, partOf);
    int[] counts = new int[parts.length];
    for (int k = 0; k < n; k++) {
      counts[partOf.getAtIndex(INT, row(sel, k))]++;
    }
    for (int p = 0; p < parts.length; p++) {
      start[p + 1] = start[p] + counts[p];
    }
    int[] at = java.util.Arrays.copyOf(start, parts.length);
    for (int k = 0; k < n; k++) {
      int r = row(sel, k);
      rows.setAtIndex(INT, at[partOf.getAtIndex(INT, r)]++, r);
    }
    return new Split(rows, start);
  }

  private static int row(@Nullable MemorySegment sel, int k) {
    return sel == null ? k : sel.getAtIndex(INT, k);
  }

  @Override
  public long rowCount() {
    checkOpen();
    long sum = 0;
    for (CpuJoinHashTable t : parts) {
      sum += t.rowCount();
    }
    return sum;
  }

  @Override
  public int keyCount() {
    checkOpen();
    long sum = 0;
    for (CpuJoinHashTable t : parts) {
      sum += t.keyCount();
    }
    return (int) Math.min(Integer.MAX_VALUE, sum);
  }

  @Override
  public boolean hasDuplicateKeys() {
    checkOpen();
    for (CpuJoinHashTable t : parts) {
      if (t.hasDuplicateKeys()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int probeUnique(
      List<KeyColumn> keys,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment probeRows,
      MemorySegment buildRows) {
    checkOpen();
    String kernel = KERNEL + " probeUnique";
    if (hasDuplicateKeys()) {
      throw new IllegalStateException(kernel + ": the table has duplicate keys; use probe()");
    }
    int maxRow = Hashing.checkRows(kernel, n, sel);
    Hashing.checkBytes(kernel, "probeRows", probeRows, 4L * n);
    Hashing.checkBytes(kernel, "buildRows", buildRows, 8L * n);
    if (n == 0) {
      return 0;
    }
    if (parts.length == 1) {
      return parts[0].probeUnique(keys, n, sel, probeRows, buildRows);
    }
    KeyColumn[] cols = Hashing.checkKeys(kernel, keys, keyTypes, maxRow);
    Lookup lookup = new Lookup();
    int count = 0;
    for (int start = 0; start < n; start += CHUNK) {
      int len = Math.min(CHUNK, n - start);
      lookup.find(cols, sel, start, len, Lookup.ROW_IDS);
      MemorySegment match = lookup.match;
      for (int i = 0; i < len; i++) {
        long b = match.getAtIndex(LONG, i);
        if (b != 0) {
          probeRows.setAtIndex(INT, count, row(sel, start + i));
          buildRows.setAtIndex(LONG, count, b - 1);
          count++;
        }
      }
    }
    return count;
  }

  /**
   * The lookup of one chunk of probe rows in a partitioned table: each row is hashed once, the
   * chunk's rows are split by partition in per-thread scratch (a few KiB, not per-batch arrays),
   * each partition's rows are looked up in its table, and the result is written per position of the
   * chunk, so that the callers emit in probe-row order without merging.
   */
  private final class Lookup {
    /**
     * Per position of the chunk, 0 when its key is absent, else: 1 ({@link #EXISTS}), the build row
     * id + 1 of its key's first entry ({@link #ROW_IDS}), or its partition in the high and that
     * entry (index + 1) in the low 32 bits ({@link #ENTRIES}).
     */
    final MemorySegment match;

    private final MemorySegment hashes;
    private final MemorySegment partHashes;
    private final MemorySegment partRows;
    private final MemorySegment partPos;
    private final MemorySegment gids;
    private final MemorySegment candidates;
    private final int[] at = new int[parts.length + 1];
    private final int[] cursor = new int[parts.length];

    /** The filter this call tests, null once a chunk showed that most rows pass it. */
    private @Nullable MemorySegment filter = bloom();

    private final long filterMask = bloomMask;

    /** {@link #find} modes: what a match holds. */
    static final int EXISTS = 0;

    static final int ROW_IDS = 1;
    static final int ENTRIES = 2;

    /** A lookup in the calling thread's scratch (valid until the thread's next lookup). */
    Lookup() {
      this(NativeScratch.get(NativeScratch.PARTITION_SLOT, LOOKUP_BYTES));
    }

    /** A lookup in {@code block} ({@link #LOOKUP_BYTES}). */
    Lookup(MemorySegment block) {
      this.hashes = block.asSlice(0, 8L * CHUNK);
      this.partHashes = block.asSlice(8L * CHUNK, 8L * CHUNK);
      this.match = block.asSlice(16L * CHUNK, 8L * CHUNK);
      this.partRows = block.asSlice(24L * CHUNK, 4L * CHUNK);
      this.partPos = block.asSlice(28L * CHUNK, 4L * CHUNK);
      this.gids = block.asSlice(32L * CHUNK, 4L * CHUNK);
      this.candidates = block.asSlice(36L * CHUNK, 4L * CHUNK);
    }

    /**
     * Looks up positions {@code [start, start + len)} ({@code len <= CHUNK}) into {@link #match}.
     */
    void find(KeyColumn[] cols, @Nullable MemorySegment sel, int start, int len, int mode) {
      CpuHashKernels.hashChunk(KERNEL, cols, sel, start, len, hashes);
      java.util.Arrays.fill(at, 0);
      int c = 0;
      MemorySegment words = filter;
      if (words != null) {
        long mask = filterMask;
        for (int i = 0; i < len; i++) {
          long h = hashes.getAtIndex(LONG, i);
          match.setAtIndex(LONG, i, 0);
          if (mayContain(words, mask, h)) {
            at[(int) (h >>> shift) + 1]++;
            candidates.setAtIndex(INT, c++, i);
          }
        }
        if (c > len - (len >>> 2)) {
          filter = null; // most rows pass: the filter costs more than it saves
        }
      } else {
        for (int i = 0; i < len; i++) {
          at[(int) (hashes.getAtIndex(LONG, i) >>> shift) + 1]++;
          candidates.setAtIndex(INT, i, i);
        }
        c = len;
      }
      for (int p = 0; p < parts.length; p++) {
        at[p + 1] += at[p];
        cursor[p] = at[p];
      }
      for (int j = 0; j < c; j++) {
        int i = candidates.getAtIndex(INT, j);
        long h = hashes.getAtIndex(LONG, i);
        int k = cursor[(int) (h >>> shift)]++;
        partHashes.setAtIndex(LONG, k, h);
        partRows.setAtIndex(INT, k, row(sel, start + i));
        partPos.setAtIndex(INT, k, i);
      }
      for (int p = 0; p < parts.length; p++) {
        int from = at[p];
        int count = at[p + 1] - from;
        if (count == 0) {
          continue;
        }
        CpuJoinHashTable t = parts[p];
        MemorySegment g = gids.asSlice(0, 4L * count);
        t.keyTable()
            .findChunk(cols, partRows, from, count, partHashes.asSlice(8L * from, 8L * count), g);
        MemorySegment heads = t.heads();
        MemorySegment ids = t.rowIds();
        for (int k = 0; k < count; k++) {
          int gid = g.getAtIndex(INT, k);
          long m = 0;
          if (gid >= 0) {
            int e = heads.getAtIndex(INT, gid);
            m =
                e == 0
                    ? 0
                    : switch (mode) {
                      case ROW_IDS -> ids.getAtIndex(LONG, e - 1L) + 1;
                      case ENTRIES -> (long) p << 32 | e;
                      default -> 1;
                    };
          }
          match.setAtIndex(LONG, partPos.getAtIndex(INT, from + k), m);
        }
      }
    }
  }

  @Override
  public int probeSemi(
      List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out) {
    return probeFilter(keys, n, sel, out, true);
  }

  @Override
  public int probeAnti(
      List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out) {
    return probeFilter(keys, n, sel, out, false);
  }

  private int probeFilter(
      List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out, boolean semi) {
    checkOpen();
    String kernel = KERNEL + (semi ? " probeSemi" : " probeAnti");
    int maxRow = Hashing.checkRows(kernel, n, sel);
    Hashing.checkBytes(kernel, "out", out, 4L * n);
    if (n == 0) {
      return 0;
    }
    if (parts.length == 1) {
      return semi ? parts[0].probeSemi(keys, n, sel, out) : parts[0].probeAnti(keys, n, sel, out);
    }
    KeyColumn[] cols = Hashing.checkKeys(kernel, keys, keyTypes, maxRow);
    Lookup lookup = new Lookup();
    int count = 0;
    for (int start = 0; start < n; start += CHUNK) {
      int len = Math.min(CHUNK, n - start);
      lookup.find(cols, sel, start, len, Lookup.EXISTS);
      MemorySegment match = lookup.match;
      for (int i = 0; i < len; i++) {
        if ((match.getAtIndex(LONG, i) != 0) == semi) {
          out.setAtIndex(INT, count++, row(sel, start + i));
        }
      }
    }
    return count;
  }

  @Override
  public Probe probe(List<KeyColumn> keys, int n, @Nullable MemorySegment sel) {
    checkOpen();
    int maxRow = Hashing.checkRows(KERNEL + " probe", n, sel);
    Hashing.checkKeys(KERNEL + " probe", keys, keyTypes, maxRow);
    if (parts.length == 1) {
      return parts[0].probe(keys, n, sel);
    }
    return new ChainProbe(Hashing.checkKeys(KERNEL + " probe", keys, keyTypes, maxRow), n, sel);
  }

  /**
   * A probe with duplicate keys: a chunk of probe rows at a time goes through a {@link Lookup} (so
   * each row is hashed once and rows the Bloom filter rejects are not looked up), which leaves per
   * position of the chunk the partition and first entry of its key; the probe then walks each
   * position's chain in its partition, in probe-row order. Its lookup block outlives a call to
   * {@link #next}, so it is the probe's own, taken from (and given back to) the table's spares.
   */
  private final class ChainProbe implements Probe {
    private final KeyColumn[] cols;
    private final int n;
    private final @Nullable MemorySegment sel;
    private final MemorySegment block = takeBlock();
    private final Lookup lookup = new Lookup(block);
    private int chunkStart;
    private int chunkLen;
    private int k;
    private int row;
    private int entry;
    private CpuJoinHashTable part = parts[0];
    private boolean released;

    ChainProbe(KeyColumn[] cols, int n, @Nullable MemorySegment sel) {
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
            lookup.find(cols, sel, chunkStart, chunkLen, Lookup.ENTRIES);
          }
          long m = lookup.match.getAtIndex(LONG, k - chunkStart);
          row = row(sel, k);
          entry = (int) m;
          part = parts[(int) (m >>> 32)];
          k++;
          continue;
        }
        // walk this row's chain with the partition's buffers in locals (checks hoisted)
        MemorySegment ids = part.rowIds();
        MemorySegment next = part.nextEntries();
        int e = entry;
        int r = row;
        while (e != 0 && count < capacity) {
          probeRows.setAtIndex(INT, count, r);
          buildRows.setAtIndex(LONG, count, ids.getAtIndex(LONG, e - 1L));
          count++;
          e = next.getAtIndex(INT, e - 1L);
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
        spareBlocks.offer(block);
      }
      return done;
    }
  }

  /** A lookup block from the spares of finished probes, or a new one. */
  private MemorySegment takeBlock() {
    MemorySegment b = spareBlocks.poll();
    return b != null ? b : Arena.ofAuto().allocate(LOOKUP_BYTES, 64);
  }

  @Override
  public long reservedBytes() {
    long sum = 0;
    for (CpuJoinHashTable t : parts) {
      if (t != null) {
        sum += t.reservedBytes();
      }
    }
    return sum + bloomMemory.reserved();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(KERNEL + " is closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    dropBloom();
    bloomMemory.close();
    closeParts();
  }

  // ---- Bloom filter ----

  /*
   * Probes of a large build mostly miss in the caches: each row's lookup loads a slot of a table of
   * several MiB. When most probe rows have no match (TPC-H Q5: 85% of lineitem finds no order of
   * 1994), a Bloom filter of about one byte per key, small enough for the L2 cache, rejects most of
   * them before the lookup. It is blocked (both bits of a key in one 64-bit word, chosen by bits
   * 24+ of the hash; the bit positions come from bits 0-11, and the partitions from the top bits),
   * so a test is one load. A probe call stops testing when most rows of a chunk pass (a join whose
   * rows mostly match would pay for the test and gain nothing).
   */

  /** Keys per word of the filter: 8 bits per key, two bits set per key. */
  private static final int KEYS_PER_WORD = 8;

  private static boolean mayContain(MemorySegment words, long mask, long h) {
    long w = words.getAtIndex(LONG, (h >>> 24) & mask);
    long bits = (1L << (h & 63)) | (1L << ((h >>> 6) & 63));
    return (w & bits) == bits;
  }

  /** The filter's words, building it on the first call after an add; null when refused. */
  private @Nullable MemorySegment bloom() {
    TableMemory.Block b = bloom;
    if (b != null) {
      return b.segment(0);
    }
    synchronized (this) {
      b = bloom;
      if (b == null) {
        if (bloomRefused) {
          return null;
        }
        b = buildBloom();
        if (b == null) {
          return null;
        }
        bloom = b;
      }
      return b.segment(0);
    }
  }

  private TableMemory.@Nullable Block buildBloom() {
    long keys = 0;
    for (CpuJoinHashTable t : parts) {
      keys += t.keyTable().groupCount();
    }
    long words = Long.highestOneBit(Math.max(1, keys / KEYS_PER_WORD)) << 1;
    TableMemory.Block b;
    try {
      b = bloomMemory.allocate(8 * words);
    } catch (dev.amalgam.memory.pool.MemoryLimitExceededException e) {
      bloomRefused = true; // probes then look every row up, as without a filter
      return null;
    }
    MemorySegment w = b.segment(0);
    long mask = words - 1;
    for (CpuJoinHashTable t : parts) {
      KeyTable kt = t.keyTable();
      MemorySegment hashes = kt.groupHashes();
      for (int g = 0, n = kt.groupCount(); g < n; g++) {
        long h = hashes.getAtIndex(LONG, g);
        long at = (h >>> 24) & mask;
        w.setAtIndex(
            LONG, at, w.getAtIndex(LONG, at) | (1L << (h & 63)) | (1L << ((h >>> 6) & 63)));
      }
    }
    bloomMask = mask;
    return b;
  }

  private synchronized void dropBloom() {
    TableMemory.Block b = bloom;
    bloomRefused = false;
    if (b != null) {
      bloom = null;
      bloomMemory.free(b);
    }
  }

  private void closeParts() {
    for (CpuJoinHashTable t : parts) {
      if (t != null) {
        t.close();
      }
    }
  }

  @Override
  public String toString() {
    return KERNEL + ": " + parts.length + " partitions";
  }
}
