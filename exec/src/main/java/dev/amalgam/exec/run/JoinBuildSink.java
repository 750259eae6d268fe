package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.JoinHashTable;
import dev.amalgam.kernels.KeyColumn;
import dev.amalgam.kernels.KeyType;
import dev.amalgam.kernels.TableFullException;
import dev.amalgam.memory.NativeArena;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryLimitExceededException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The build side of a hash join: each worker materializes its batches as chunks; when the pipeline
 * ends, one {@link JoinHashTable} is built over all of them, keyed by the key columns, with build
 * row ids {@code chunkIndex << 16 | row}. Probes ({@link JoinProbeSpec}) read the table and the
 * chunks. Owns both until {@link #close()}.
 *
 * <p>Dictionary-encoded columns are materialized as their int32 indices, with one copy of the
 * column's dictionary ({@link DictionaryColumns}); {@link #column} gives them back encoded, and key
 * columns hash by their strings. Bool keys hash as int32.
 */
public final class JoinBuildSink implements Sink, AutoCloseable {
  /*
   * Row ids: the low 16 bits are the row within its chunk, the bits above are the chunk's index in
   * chunks(). A chunk therefore holds at most 65536 rows; larger batches are split when they are
   * materialized. The table is built on the thread that runs finish(); after that it is only read
   * (any number of probing threads at once), until close().
   */

  /** Bits of a build row id that hold the row within its chunk. */
  static final int ROW_BITS = 16;

  /** Most rows of one chunk. */
  static final int MAX_CHUNK_ROWS = 1 << ROW_BITS;

  private final int[] keyColumns;
  private final DataType[] columnTypes;
  private final KeyType[] keyTypes;
  private final OpStats stats = new OpStats();
  private final List<Chunk> chunks = new ArrayList<>();
  private final DictionaryColumns dictionaries;
  private @Nullable JoinHashTable table;
  private @Nullable SpillStore spilled;
  private boolean spillable = true;
  private long rows;
  private boolean finished;
  private boolean closed;
  private int partitionCount = 1;
  private long partitionedFrom = PARTITIONED_MIN_ROWS;
  private Map<String, Integer> partitionsBuilt = Map.of();

  /**
   * A build keyed by columns {@code keyColumns} of input columns of compute types {@code
   * columnTypes}.
   *
   * @throws IllegalArgumentException when there is no key, or a key index is out of range
   */
  public JoinBuildSink(int[] keyColumns, DataType[] columnTypes) {
    Objects.requireNonNull(keyColumns, "keyColumns is null");
    Objects.requireNonNull(columnTypes, "columnTypes is null");
    if (keyColumns.length == 0) {
      throw new IllegalArgumentException("a hash join needs at least one key column");
    }
    this.keyColumns = keyColumns.clone();
    this.columnTypes = columnTypes.clone();
    this.keyTypes = new KeyType[keyColumns.length];
    this.dictionaries = new DictionaryColumns(columnTypes);
    for (int k = 0; k < keyColumns.length; k++) {
      int c = keyColumns[k];
      if (c < 0 || c >= columnTypes.length) {
        throw new IllegalArgumentException(
            "join build key " + k + ": column " + c + " is not in [0, " + columnTypes.length + ")");
      }
      keyTypes[k] = JoinKeys.keyType(columnTypes[c]);
    }
  }

  private final class Local extends Op {
    final Worker worker;
    final List<Chunk> mine = new ArrayList<>();

    Local(Worker worker) {
      super(null);
      this.worker = worker;
    }

    @Override
    public void push(Batch b) {
      long t0 = System.nanoTime();
      int n = b.count();
      if (b.width() != columnTypes.length) {
        throw new IllegalArgumentException(
            "join build expects " + columnTypes.length + " columns but got " + b.width());
      }
      MemoryConsumer consumer = worker.query().resultConsumer();
      Batch stored = dictionaries.indices(b, consumer);
      for (int from = 0; from < n; from += MAX_CHUNK_ROWS) {
        int len = Math.min(MAX_CHUNK_ROWS, n - from);
        Batch piece = from == 0 && len == n ? stored : slice(stored, from, len, worker.scratch());
        mine.add(Chunk.copyOf(piece, consumer));
      }
      stats.record(n, n, System.nanoTime() - t0);
    }
  }

  /** Live rows {@code [from, from + len)} of {@code b} as a batch with a selection. */
  private static Batch slice(Batch b, int from, int len, Scratch s) {
    MemorySegment sel = s.allocate(4L * len);
    for (int k = 0; k < len; k++) {
      sel.setAtIndex(ArrowLayout.INT32, k, b.row(from + k));
    }
    return b.withSelection(sel, len);
  }

  @Override
  public Op createLocal(Worker worker) {
    return new Local(worker);
  }

  @Override
  public synchronized void combine(Op local) {
    Local l = (Local) local;
    chunks.addAll(l.mine);
    l.mine.clear();
  }

  @Override
  public void discard(Op local) {
    Local l = (Local) local;
    for (Chunk c : l.mine) {
      c.close();
    }
    l.mine.clear();
  }

  /**
   * Builds the hash table over every chunk (charged to the query's state consumer).
   *
   * @throws dev.amalgam.kernels.TableFullException when the table cannot grow
   * @throws dev.amalgam.memory.pool.MemoryLimitExceededException when its first buffers cannot be
   *     reserved
   */
  @Override
  public synchronized void finish(QueryContext query) {
    if (closed) {
      throw new IllegalStateException("join build is closed");
    }
    if (finished) {
      throw new IllegalStateException("join build is already finished");
    }
    long t0 = System.nanoTime();
    long total = 0;
    for (Chunk c : chunks) {
      total += c.rows();
    }
    try {
      JoinHashTable t = buildTable(total, query);
      if (spillable && t.reservedBytes() > query.operatorLimit() / 4) {
        // a build table may hold at most a quarter of the query's working memory, so that the
        // other breakers of the query (more joins, the aggregation after them) find room
        t.close();
        spilled = partition(query);
      } else {
        table = t;
      }
    } catch (TableFullException | MemoryLimitExceededException e) {
      if (!spillable) {
        throw e;
      }
      spilled = partition(query);
    }
    rows = total;
    finished = true;
    stats.addNanos(System.nanoTime() - t0);
  }

  /**
   * Builds the table; a large build is split by key hash into partitions that the fused device's
   * workers fill in parallel, each partition on a worker of its home member (round robin over the
   * members): the build rows are first split by partition chunk by chunk (in parallel), then each
   * partition's table is filled from every chunk's rows of that partition.
   */
  @Override
  public synchronized void finish(QueryContext query, TaskRunner runner) {
    long total = 0;
    for (Chunk c : chunks) {
      total += c.rows();
    }
    int partitions = total < partitionedFrom ? 1 : partitionsFor(total, runner.totalWorkers());
    if (partitions <= 1 || closed || finished) {
      finish(query);
      return;
    }
    long t0 = System.nanoTime();
    JoinHashTable.Partitioned t = null;
    try {
      t = buildPartitioned(total, partitions, query, runner);
      if (spillable && t.reservedBytes() > query.operatorLimit() / 4) {
        t.close();
        t = null;
        spilled = partition(query);
      } else {
        table = t;
      }
    } catch (TableFullException | MemoryLimitExceededException e) {
      if (t != null) {
        t.close();
      }
      if (!spillable) {
        throw e;
      }
      spilled = partition(query);
    }
    rows = total;
    finished = true;
    stats.addNanos(System.nanoTime() - t0);
  }

  /** Rows from which a build is partitioned (below, one thread builds faster than it splits). */
  static final long PARTITIONED_MIN_ROWS = 1 << 16;

  /** Partitions for a build of {@code rows} over {@code workers} workers; 1 = one table. */
  static int partitionsFor(long rows, int workers) {
    if (rows == 0 || workers < 2) {
      return 1;
    }
    int p = Integer.highestOneBit(Math.min(workers, JoinHashTable.MAX_PARTITIONS / 2) * 2 - 1);
    return Math.max(2, p);
  }

  private JoinHashTable.Partitioned buildPartitioned(
      long total, int partitions, QueryContext query, TaskRunner runner) {
    JoinHashTable.Partitioned t =
        JoinHashTable.builder()
            .keys(keyTypes)
            .initialCapacity((int) Math.min(total, 1 << 30))
            .consumer(query.stateConsumer())
            .buildPartitioned(partitions);
    // the rows of each partition, per chunk: one int32 array per chunk, sliced by partition
    int n = chunks.size();
    MemorySegment[] rowsOf = new MemorySegment[n];
    int[][] starts = new int[n][];
    long splitBytes = 0;
    for (Chunk c : chunks) {
      splitBytes += 8L * c.rows();
    }
    MemoryConsumer consumer = query.stateConsumer();
    consumer.reserve(splitBytes);
    try (Arena arena = NativeArena.open()) {
      List<FinishTask> split = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int ci = i;
        split.add(
            new FinishTask(
                null,
                w -> {
                  Chunk c = chunks.get(ci);
                  int r = c.rows();
                  MemorySegment part;
                  MemorySegment rows;
                  synchronized (arena) {
                    part = arena.allocate(4L * Math.max(1, r), 64);
                    rows = arena.allocate(4L * Math.max(1, r), 64);
                  }
                  t.partitionOf(buildKeys(c), r, null, part);
                  int[] start = new int[partitions + 1];
                  for (int k = 0; k < r; k++) {
                    start[part.getAtIndex(ArrowLayout.INT32, k) + 1]++;
                  }
                  for (int p = 0; p < partitions; p++) {
                    start[p + 1] += start[p];
                  }
                  int[] at = Arrays.copyOf(start, partitions);
                  for (int k = 0; k < r; k++) {
                    rows.setAtIndex(
                        ArrowLayout.INT32, at[part.getAtIndex(ArrowLayout.INT32, k)]++, k);
                  }
                  rowsOf[ci] = rows;
                  starts[ci] = start;
                }));
      }
      runner.runAll(split, query);
      List<dev.amalgam.memory.Device> members = runner.members();
      List<FinishTask> fill = new ArrayList<>(partitions);
      for (int p = 0; p < partitions; p++) {
        int part = p;
        fill.add(
            new FinishTask(
                members.get(p % members.size()),
                w -> {
                  for (int i = 0; i < n; i++) {
                    int from = starts[i][part];
                    int count = starts[i][part + 1] - from;
                    if (count > 0) {
                      MemorySegment sel = rowsOf[i].asSlice(4L * from, 4L * count);
                      t.addTo(part, buildKeys(chunks.get(i)), count, sel, (long) i << ROW_BITS);
                    }
                  }
                }));
      }
      partitionsBuilt = runner.runAll(fill, query);
      partitionCount = partitions;
      return t;
    } catch (RuntimeException | Error e) {
      t.close();
      throw e;
    } finally {
      consumer.release(splitBytes);
    }
  }

  private JoinHashTable buildTable(long total, QueryContext query) {
    JoinHashTable t =
        JoinHashTable.builder()
            .keys(keyTypes)
            .initialCapacity((int) Math.min(total, 1 << 30))
            .consumer(query.stateConsumer())
            .build();
    try {
      for (int i = 0; i < chunks.size(); i++) {
        Chunk c = chunks.get(i);
        t.add(buildKeys(c), c.rows(), null, (long) i << ROW_BITS);
      }
      return t;
    } catch (RuntimeException | Error e) {
      t.close();
      throw e;
    }
  }

  private List<KeyColumn> buildKeys(Chunk c) {
    List<KeyColumn> keys = new ArrayList<>(keyColumns.length);
    for (int k : keyColumns) {
      keys.add(JoinKeys.buildKey(column(c, k)));
    }
    return keys;
  }

  /** The types chunks are stored and spilled in (dictionary columns as their indices). */
  DataType[] storedTypes() {
    return dictionaries.storedTypes();
  }

  /**
   * Column {@code c} of a chunk of {@link #chunks()} or of the {@link #spilled()} store, of its
   * input type (a dictionary column encoded again).
   */
  public Vec column(Chunk chunk, int c) {
    return dictionaries.column(chunk.column(c), c);
  }

  /** A chunk of {@link #chunks()} or of the {@link #spilled()} store as a batch of input types. */
  Batch batch(Chunk chunk) {
    return dictionaries.batch(chunk);
  }

  /** Moves every build row into {@link SpillPartitions#COUNT} hash partitions of a spill store. */
  private SpillStore partition(QueryContext query) {
    SpillStore store =
        new SpillStore(
            query.memory(),
            storedTypes(),
            SpillPartitions.COUNT,
            query.name() + " join build spill");
    try {
      for (Chunk c : chunks) {
        SpillPartitions.split(c, buildKeys(c), store, query.resultConsumer());
      }
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    for (Chunk c : chunks) {
      c.close();
    }
    chunks.clear();
    return store;
  }

  /**
   * The build rows in hash partitions when the table did not fit in the query's working memory (the
   * probe then partitions its rows the same way and joins partition by partition); null when the
   * table was built.
   */
  public synchronized @Nullable SpillStore spilled() {
    return spilled;
  }

  /** Partitions builds of at least {@code rows} rows (tests use small builds). */
  synchronized JoinBuildSink withPartitionedFrom(long rows) {
    partitionedFrom = rows;
    return this;
  }

  /** Hash partitions of the built table (1: one table). */
  synchronized int partitionCount() {
    return partitionCount;
  }

  /** Makes the build fail instead of partitioning when its table does not fit. */
  public synchronized JoinBuildSink withoutSpilling() {
    spillable = false;
    return this;
  }

  /**
   * The materialized build rows, in {@link #storedTypes()} (read them with {@link #column}); row id
   * {@code i << 16 | r} is row {@code r} of chunk {@code i}.
   */
  public synchronized List<Chunk> chunks() {
    return List.copyOf(chunks);
  }

  /**
   * The hash table over the chunks.
   *
   * @throws IllegalStateException before {@link #finish} or after {@link #close()}
   */
  public synchronized JoinHashTable table() {
    JoinHashTable t = table;
    if (t == null || closed) {
      throw new IllegalStateException(
          closed ? "join build is closed" : "join build is not finished yet");
    }
    return t;
  }

  /** Whether {@link #finish} has built the table (and {@link #close()} has not run). */
  public synchronized boolean isFinished() {
    return finished && !closed && spilled == null;
  }

  /** Build rows, rows with a null key included (after {@link #finish}). */
  public synchronized long rowCount() {
    return rows;
  }

  /** Whether some key is held by more than one build row (after {@link #finish}). */
  public boolean hasDuplicateKeys() {
    return table().hasDuplicateKeys();
  }

  /** The key columns, in key order. */
  public int[] keyColumns() {
    return keyColumns.clone();
  }

  /** The compute types of the input columns. */
  public DataType[] columnTypes() {
    return columnTypes.clone();
  }

  /** The key types the table hashes, in key order. */
  public List<KeyType> keyTypes() {
    return List.of(keyTypes);
  }

  @Override
  public String describe() {
    SpillStore s = spilled;
    return "HashJoinBuild keys "
        + Arrays.toString(keyColumns)
        + (partitionCount > 1 && s == null
            ? " ("
                + partitionCount
                + " hash partitions built in parallel: "
                + partitionsBuilt.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue())
                    .collect(java.util.stream.Collectors.joining(", "))
                + ")"
            : "")
        + (s == null
            ? ""
            : " (spilled " + s.rows() + " rows to " + SpillPartitions.COUNT + " partitions)");
  }

  @Override
  public OpStats stats() {
    return stats;
  }

  /** Frees the table and the chunks. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (table != null) {
        table.close();
      }
      if (spilled != null) {
        spilled.close();
      }
    } finally {
      table = null;
      spilled = null;
      for (Chunk c : chunks) {
        c.close();
      }
      chunks.clear();
      dictionaries.close();
    }
  }
}
