package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.expr.AggCall;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.GroupByHashTable;
import dev.amalgam.kernels.GroupByHashTable.Agg;
import dev.amalgam.kernels.GroupByHashTable.ValueColumn;
import dev.amalgam.kernels.GroupByHashTable.ValueType;
import dev.amalgam.kernels.KeyColumn;
import dev.amalgam.kernels.KeyType;
import dev.amalgam.kernels.TableFullException;
import dev.amalgam.kernels.Validity;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryLimitExceededException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Hash aggregation (GROUP BY, DISTINCT, and whole-input aggregates): each worker fills its own
 * partial hash table; the partials are merged on one thread when the pipeline ends and the groups
 * are written out as chunks (keys first, then aggregates). Without keys the input is one group and
 * an empty input still gives one row (COUNT 0, other aggregates NULL).
 *
 * <p><b>Spilling.</b> Tables reserve against the query's operator memory. When a table may not
 * grow, its groups are written out as partial rows (keys, then per aggregate its partial state:
 * sums, counts, minima, maxima; AVG is kept as SUM and COUNT) into {@value #PARTITIONS} hash
 * partitions of a {@link SpillStore} (unified memory: host, then the spill file), the table is
 * emptied and the batch goes on. At the end, if anything spilled, the merged table is spilled too
 * and each partition is aggregated on its own from its partial rows (SUM of sums and counts, MIN of
 * minima, MAX of maxima), needing about 1/{@value #PARTITIONS} of the memory.
 *
 * <p>Dictionary-encoded keys are grouped by their indices (one dictionary per table column) and
 * decoded when the groups are written out.
 */
public final class HashAggregateSink implements Sink, AutoCloseable {
  static final int PARTITIONS = SpillPartitions.COUNT;
  private static final KeyType[] PACKED_KEY = {KeyType.INT64};
  private static final int OUT_ROWS = 65536;

  private final List<BoundExpr> keys;
  private final List<AggSpec> aggs;

  /**
   * Aggregates the tables compute: one per user aggregate, two (SUM, COUNT) for AVG, each kept once
   * (SUM(x) and AVG(x) share the SUM).
   */
  private final List<Agg> internal = new ArrayList<>();

  /** Per user aggregate, its internal aggregate (for AVG: the SUM). */
  private final int[] firstInternal;

  /** Per AVG, its internal COUNT (-1 for the other aggregates). */
  private final int[] avgCount;

  /**
   * The distinct aggregate arguments, evaluated once per batch: SUM(x) and AVG(x) share x and the
   * internal SUM over it.
   */
  private final List<BoundExpr> valueArgs = new ArrayList<>();

  /**
   * Per value argument, a function that reads its values: COUNT when only COUNT does (the values
   * then need no widening).
   */
  private final List<AggCall.Function> valueFunctions = new ArrayList<>();

  /** The aggregates of a table over spilled partial rows. */
  private final Agg[] mergeAggs;

  private final ValueType[] partialTypes;
  private final KeyType[] keyTypes;

  /**
   * How the keys are packed into one int64, or null. Decided by the first batch (dictionary sizes
   * come with it), before any table exists; see {@link #tableKeys()}.
   */
  private volatile @Nullable KeyPacking packing;

  private volatile boolean packingDecided;
  private final OpStats stats = new OpStats();
  private final List<byte[] @Nullable []> dictionaries = new ArrayList<>();
  private final List<Chunk> output = new ArrayList<>();
  private final AtomicLong spilledGroups = new AtomicLong();
  private final List<GroupByHashTable> pending = new ArrayList<>();
  private @Nullable QueryContext pendingQuery;
  private long parallelMergeFrom = PARALLEL_MERGE_MIN_GROUPS;
  private volatile int parallelMerges;
  private final java.util.concurrent.atomic.AtomicInteger locals =
      new java.util.concurrent.atomic.AtomicInteger();
  private @Nullable GroupByHashTable merged;
  private volatile @Nullable SpillStore spill;

  /** Groups by {@code keys} (none: one group) computing {@code aggs}. */
  public HashAggregateSink(List<BoundExpr> keys, List<AggSpec> aggs) {
    this.keys = List.copyOf(keys);
    this.aggs = List.copyOf(aggs);
    int k = Math.max(1, keys.size());
    keyTypes = new KeyType[k];
    keyTypes[0] = KeyType.INT32;
    for (int i = 0; i < keys.size(); i++) {
      keyTypes[i] = keyType(keys.get(i).type());
      dictionaries.add(null);
    }
    firstInternal = new int[aggs.size()];
    avgCount = new int[aggs.size()];
    Arrays.fill(avgCount, -1);
    for (int a = 0; a < aggs.size(); a++) {
      AggSpec s = aggs.get(a);
      if (s.function() == AggCall.Function.COUNT_STAR) {
        firstInternal[a] = internalIndex(Agg.countStar());
        continue;
      }
      BoundExpr arg = Objects.requireNonNull(s.argument());
      ValueType vt =
          arg.type().computeType().kind() == DataType.Kind.FLOAT64
              ? ValueType.FLOAT64
              : ValueType.INT64;
      int input = valueArgs.indexOf(arg);
      if (input < 0) {
        input = valueArgs.size();
        valueArgs.add(arg);
        valueFunctions.add(s.function());
      }
      if (s.function() != AggCall.Function.COUNT) {
        valueFunctions.set(input, s.function());
      }
      switch (s.function()) {
        case SUM -> firstInternal[a] = internalIndex(Agg.sum(input, vt));
        case COUNT -> firstInternal[a] = internalIndex(Agg.count(input, vt));
        case MIN -> firstInternal[a] = internalIndex(Agg.min(input, vt));
        case MAX -> firstInternal[a] = internalIndex(Agg.max(input, vt));
        case AVG -> {
          firstInternal[a] = internalIndex(Agg.sum(input, vt));
          avgCount[a] = internalIndex(Agg.count(input, vt));
        }
        case COUNT_STAR -> throw new AssertionError();
      }
    }
    mergeAggs = new Agg[internal.size()];
    partialTypes = new ValueType[internal.size()];
    for (int j = 0; j < internal.size(); j++) {
      Agg a = internal.get(j);
      ValueType pt = a.resultType();
      partialTypes[j] = pt;
      mergeAggs[j] =
          switch (a.kind()) {
            case SUM, COUNT, COUNT_STAR -> Agg.sum(j, pt);
            case MIN -> Agg.min(j, pt);
            case MAX -> Agg.max(j, pt);
            case AVG -> throw new AssertionError("AVG is computed as SUM / COUNT");
          };
    }
  }

  /** The index of internal aggregate {@code a}, added unless an equal one is there. */
  private int internalIndex(Agg a) {
    int i = internal.indexOf(a);
    if (i < 0) {
      i = internal.size();
      internal.add(a);
    }
    return i;
  }

  private static KeyType keyType(DataType t) {
    return switch (t.kind()) {
      case INT8, INT16, INT32, BOOL, DICTIONARY_UTF8 -> KeyType.INT32;
      case DATE32 -> KeyType.DATE32;
      case INT64, DECIMAL, TIMESTAMP -> KeyType.INT64;
      case FLOAT32, FLOAT64 -> KeyType.FLOAT64;
      case UTF8 -> KeyType.UTF8;
    };
  }

  private static DataType keyStorage(KeyType k) {
    return switch (k) {
      case INT32 -> DataType.INT32;
      case DATE32 -> DataType.DATE32;
      case INT64 -> DataType.INT64;
      case FLOAT64 -> DataType.FLOAT64;
      case UTF8 -> DataType.UTF8;
    };
  }

  /** The tables' key columns: {@link #keyTypes}, or one int64 when the keys are packed. */
  private KeyType[] tableKeys() {
    return packing != null ? PACKED_KEY : keyTypes;
  }

  private GroupByHashTable.Builder tableBuilder(MemoryConsumer consumer, boolean merging) {
    return GroupByHashTable.builder()
        .keys(tableKeys())
        .aggregates(merging ? mergeAggs : internal.toArray(Agg[]::new))
        .consumer(consumer);
  }

  private GroupByHashTable newTable(MemoryConsumer consumer, boolean merging) {
    return tableBuilder(consumer, merging).build();
  }

  /**
   * A merging table sized for {@code groups} groups up front, so that a large merge does not grow
   * it by doubling (each growth allocates a zero-filled block and rehashes every group); the
   * default size when that much memory is refused.
   */
  private GroupByHashTable newMergeTable(MemoryConsumer consumer, long groups) {
    try {
      return tableBuilder(consumer, true).initialCapacity((int) Math.min(groups, 1 << 28)).build();
    } catch (MemoryLimitExceededException e) {
      return newTable(consumer, true); // grow as needed, spilling if it must
    }
  }

  private final class Local extends Op {
    final Worker worker;
    @Nullable GroupByHashTable table;

    Local(Worker worker) {
      super(null);
      this.worker = worker;
    }

    @Override
    public void push(Batch b) {
      long t0 = System.nanoTime();
      int n = b.count();
      if (n == 0) {
        return;
      }
      Scratch s = worker.scratch();
      List<KeyColumn> keyCols = new ArrayList<>(keyTypes.length);
      if (keys.isEmpty()) {
        // no GROUP BY: one group, key 0, and no hashing per row (addToOneGroup)
        keyCols.add(KeyColumn.int32(s.allocate(4L), null));
      }
      Vec[] keyVecs = new Vec[keys.size()];
      for (int i = 0; i < keys.size(); i++) {
        keyVecs[i] = ExprEvaluator.evaluate(keys.get(i), b, s);
      }
      if (!packingDecided) {
        decidePacking(keyVecs);
      }
      KeyPacking p = packing;
      if (p != null) {
        for (int i = 0; i < keyVecs.length; i++) {
          if (keyVecs[i].type().kind() == DataType.Kind.DICTIONARY_UTF8) {
            captureDictionary(i, keyVecs[i]);
          }
        }
        MemorySegment packed = s.allocate(8L * n);
        p.pack(keyVecs, n, packed);
        keyCols.add(new KeyColumn(KeyType.INT64, packed, null, null));
      } else {
        for (int i = 0; i < keyVecs.length; i++) {
          keyCols.add(keyColumn(i, keyVecs[i], s));
        }
      }
      List<ValueColumn> values = new ArrayList<>(valueArgs.size());
      for (int i = 0; i < valueArgs.size(); i++) {
        values.add(
            valueColumn(ExprEvaluator.evaluate(valueArgs.get(i), b, s), valueFunctions.get(i), s));
      }
      add(keyCols, values, n, s);
      stats.record(n, 0, System.nanoTime() - t0);
    }

    private void add(List<KeyColumn> keyCols, List<ValueColumn> values, int n, Scratch s) {
      MemorySegment sel = null;
      int count = n;
      while (true) {
        GroupByHashTable t = table;
        if (t == null) {
          t = newTable(worker.query().stateConsumer(), false);
          table = t;
        }
        try {
          if (keys.isEmpty()) {
            t.addToOneGroup(keyCols, values, count, sel);
          } else {
            t.add(keyCols, values, count, sel);
          }
          if (t.reservedBytes() > budget(worker.query())) {
            // keep each worker's table to its share of the query's memory, so that every worker
            // (and the merge) finds room: spill now rather than starve the others
            spillTable(t, worker.query(), true);
            t.close();
            table = null;
          }
          return;
        } catch (TableFullException e) {
          int done = e.rowsAdded();
          if (t.groupCount() == 0) {
            throw e;
          }
          spillTable(t, worker.query(), true);
          t.close();
          table = null;
          MemorySegment rest = s.allocate(4L * (count - done));
          for (int k = done; k < count; k++) {
            rest.setAtIndex(
                ArrowLayout.INT32,
                k - done,
                sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k));
          }
          sel = rest;
          count -= done;
        }
      }
    }
  }

  private synchronized void decidePacking(Vec[] keyVecs) {
    if (packingDecided) {
      return;
    }
    List<DataType> types = new ArrayList<>();
    int[] dictionarySizes = new int[keyVecs.length];
    for (int i = 0; i < keyVecs.length; i++) {
      Vec v = keyVecs[i];
      types.add(v.type());
      Vec d = v.dictionary();
      dictionarySizes[i] = d == null ? -1 : d.n();
    }
    KeyPacking p = KeyPacking.of(types, dictionarySizes);
    if (p != null) {
      packing = p;
    }
    packingDecided = true;
  }

  /** Whether key {@code k} of group {@code g} is null (the user's key, packed or not). */
  private boolean keyNull(GroupByHashTable t, int g, int k) {
    KeyPacking p = packing;
    return p != null ? p.isNull(t.keyLong(g, 0), k) : t.isKeyNull(g, k);
  }

  /** Key {@code k} of group {@code g} as a long (int32 values, dictionary indices, 0/1). */
  private long keyValue(GroupByHashTable t, int g, int k) {
    KeyPacking p = packing;
    return p != null ? p.value(t.keyLong(g, 0), k) : t.keyLong(g, k);
  }

  private KeyColumn keyColumn(int key, Vec v, Scratch s) {
    switch (v.type().kind()) {
      case DICTIONARY_UTF8 -> {
        captureDictionary(key, v);
        return KeyColumn.int32(v.values(), v.validity());
      }
      case BOOL -> {
        MemorySegment out = s.allocate(4L * v.n());
        for (int i = 0; i < v.n(); i++) {
          out.setAtIndex(ArrowLayout.INT32, i, v.getBool(i) ? 1 : 0);
        }
        return KeyColumn.int32(out, v.validity());
      }
      case UTF8 -> {
        return KeyColumn.utf8(v.values(), Objects.requireNonNull(v.data()), v.validity());
      }
      default -> {
        return new KeyColumn(keyTypes[key], v.values(), v.validity(), null);
      }
    }
  }

  private synchronized void captureDictionary(int key, Vec v) {
    if (dictionaries.get(key) != null) {
      return;
    }
    Vec d = Objects.requireNonNull(v.dictionary());
    byte[][] entries = new byte[d.n()][];
    for (int i = 0; i < d.n(); i++) {
      entries[i] = d.getBytes(i);
    }
    dictionaries.set(key, entries);
  }

  private static ValueColumn valueColumn(Vec v, AggCall.Function f, Scratch s) {
    DataType t = v.type();
    if (t.kind() == DataType.Kind.FLOAT64) {
      return ValueColumn.float64(v.values(), v.validity());
    }
    if (t.kind().width() == 8) {
      return ValueColumn.int64(v.values(), v.validity());
    }
    MemorySegment out = s.allocate(8L * v.n());
    if (f != AggCall.Function.COUNT) {
      if (t.kind() != DataType.Kind.INT32 && t.kind() != DataType.Kind.DATE32) {
        throw new IllegalArgumentException("cannot aggregate a " + t + " with " + f);
      }
      for (int i = 0; i < v.n(); i++) {
        out.setAtIndex(ArrowLayout.INT64, i, v.values().getAtIndex(ArrowLayout.INT32, i));
      }
    }
    return ValueColumn.int64(out, v.validity());
  }

  // ---- spilling ---------------------------------------------------------------------------

  private DataType[] spillTypes() {
    KeyType[] tk = tableKeys();
    DataType[] t = new DataType[tk.length + internal.size()];
    for (int k = 0; k < tk.length; k++) {
      t[k] = keyStorage(tk[k]);
    }
    for (int j = 0; j < internal.size(); j++) {
      t[tk.length + j] = partialTypes[j] == ValueType.FLOAT64 ? DataType.FLOAT64 : DataType.INT64;
    }
    return t;
  }

  private SpillStore spillStore(QueryContext q) {
    SpillStore s = spill;
    if (s == null) {
      synchronized (this) {
        s = spill;
        if (s == null) {
          s = new SpillStore(q.memory(), spillTypes(), PARTITIONS, q.name() + " aggregation spill");
          spill = s;
        }
      }
    }
    return s;
  }

  /** Writes every group of {@code t} as partial rows into the spill partitions. */
  private void spillTable(GroupByHashTable t, QueryContext q, boolean overLimit) {
    SpillStore store = spillStore(q);
    DataType[] types = spillTypes();
    MemoryConsumer c = q.resultConsumer();
    int groups = t.groupCount();
    if (overLimit) {
      spilledGroups.addAndGet(groups);
    }
    for (int from = 0; from < groups; from += OUT_ROWS) {
      int n = Math.min(OUT_ROWS, groups - from);
      try (Chunk block = partialRows(t, from, n, types, c)) {
        SpillPartitions.split(block, keyColumnsOf(block), store, c);
      }
    }
  }

  private Chunk partialRows(
      GroupByHashTable t, int from, int n, DataType[] types, MemoryConsumer c) {
    KeyType[] tk = tableKeys();
    boolean[] nullable = new boolean[types.length];
    Arrays.fill(nullable, true);
    long[] utf8 = new long[types.length];
    for (int k = 0; k < tk.length; k++) {
      if (tk[k] == KeyType.UTF8) {
        utf8[k] = t.utf8KeyBytes(k, from, n);
      }
    }
    Chunk block = Chunk.allocate(types, n, utf8, nullable, c);
    try {
      for (int k = 0; k < tk.length; k++) {
        Vec v = block.column(k);
        if (tk[k] == KeyType.UTF8) {
          t.readUtf8Key(k, from, n, v.values(), Objects.requireNonNull(v.data()), v.validity());
        } else {
          t.readKey(k, from, n, v.values(), v.validity());
        }
      }
      for (int j = 0; j < internal.size(); j++) {
        Vec v = block.column(tk.length + j);
        t.readResult(j, from, n, v.values(), v.validity());
      }
      return block;
    } catch (RuntimeException e) {
      block.close();
      throw e;
    }
  }

  private List<KeyColumn> keyColumnsOf(Chunk block) {
    KeyType[] tk = tableKeys();
    List<KeyColumn> cols = new ArrayList<>();
    for (int k = 0; k < tk.length; k++) {
      Vec v = block.column(k);
      // partial rows are written with a bitmap; without a null, the merge takes the table's
      // null-free paths (a packed or single int64 key: the dense one)
      MemorySegment valid = v.validity();
      if (valid != null && Validity.nullCount(valid, block.rows()) == 0) {
        valid = null;
      }
      cols.add(
          tk[k] == KeyType.UTF8
              ? KeyColumn.utf8(v.values(), Objects.requireNonNull(v.data()), valid)
              : new KeyColumn(tk[k], v.values(), valid, null));
    }
    return cols;
  }

  // ---- combine and finish ------------------------------------------------------------------

  @Override
  public Op createLocal(Worker worker) {
    locals.incrementAndGet();
    return new Local(worker);
  }

  /**
   * A worker's share of the query's working memory for its table: a quarter of the limit split
   * between the workers (a table may double while it grows, and the merge needs room).
   */
  private long budget(QueryContext q) {
    return q.operatorLimit() / (4L * Math.max(1, locals.get()));
  }

  @Override
  public void combine(Op local) {
    Local l = (Local) local;
    GroupByHashTable t = l.table;
    if (t == null) {
      return;
    }
    l.table = null;
    pending.add(t);
    pendingQuery = l.worker.query();
  }

  /** Merges the combined local tables one after another into one. */
  private void mergePending() {
    QueryContext q = pendingQuery;
    List<GroupByHashTable> tables = new ArrayList<>(pending);
    pending.clear();
    for (int i = 0; i < tables.size(); i++) {
      try {
        mergeOne(tables.get(i), Objects.requireNonNull(q));
      } catch (RuntimeException | Error e) {
        for (int j = i + 1; j < tables.size(); j++) {
          tables.get(j).close();
        }
        throw e;
      }
    }
  }

  private void mergeOne(GroupByHashTable t, QueryContext query) {
    GroupByHashTable m = merged;
    if (m == null) {
      merged = t;
      return;
    }
    try {
      m.merge(t);
    } catch (TableFullException e) {
      // the merged table may not grow: spill it and keep the newcomer as the merged table
      spillTable(m, query, true);
      m.close();
      merged = t;
      return;
    }
    t.close();
  }

  @Override
  public void discard(Op local) {
    GroupByHashTable t = ((Local) local).table;
    if (t != null) {
      t.close();
    }
  }

  /** Groups over all local tables from which they are merged in parallel. */
  static final long PARALLEL_MERGE_MIN_GROUPS = 1 << 16;

  /**
   * Merges the local tables: a large aggregation that has not spilled writes every local table's
   * groups as partial rows into the hash partitions (in parallel, one task per table) and then
   * aggregates the partitions in parallel, one task per partition; a small one merges the tables
   * one after another on this thread.
   */
  @Override
  public void finish(QueryContext query, TaskRunner runner) {
    long groups = 0;
    for (GroupByHashTable t : pending) {
      groups += t.groupCount();
    }
    // an aggregation that already spilled is short of memory: its partitions are aggregated one
    // at a time, so that only one partition's table is held at once
    if (keys.isEmpty()
        || runner.totalWorkers() < 2
        || spill != null
        || groups < parallelMergeFrom) {
      finish(query);
      return;
    }
    long t0 = System.nanoTime();
    List<GroupByHashTable> tables = new ArrayList<>(pending);
    pending.clear();
    List<FinishTask> split = new ArrayList<>();
    try {
      spillStore(query);
      for (GroupByHashTable t : tables) {
        split.add(new FinishTask(null, w -> spillTable(t, query, false)));
      }
      runner.runAll(split, query);
    } finally {
      for (GroupByHashTable t : tables) {
        t.close();
      }
    }
    SpillStore store = Objects.requireNonNull(spill);
    AtomicLong out = new AtomicLong();
    List<FinishTask> merge = new ArrayList<>();
    List<dev.amalgam.memory.Device> members = runner.members();
    for (int p = 0; p < store.partitionCount(); p++) {
      int part = p;
      merge.add(
          new FinishTask(
              members.get(p % members.size()),
              w -> out.addAndGet(aggregatePartition(store, part, query))));
    }
    runner.runAll(merge, query);
    parallelMerges = store.partitionCount();
    stats.record(0, out.get(), System.nanoTime() - t0);
  }

  @Override
  public void finish(QueryContext query) {
    long t0 = System.nanoTime();
    mergePending();
    GroupByHashTable t = merged;
    merged = null;
    long groups = 0;
    try {
      SpillStore store = spill;
      if (store != null) {
        if (t != null) {
          spillTable(t, query, true);
          t.close();
          t = null;
        }
        for (int p = 0; p < store.partitionCount(); p++) {
          groups += aggregatePartition(store, p, query);
        }
      } else if (t != null) {
        groups = t.groupCount();
        for (int from = 0; from < t.groupCount(); from += OUT_ROWS) {
          output.add(writeGroups(t, from, Math.min(OUT_ROWS, t.groupCount() - from), query));
        }
      }
      if (keys.isEmpty() && groups == 0) {
        output.add(emptyGroup(query));
        groups = 1;
      }
      stats.record(0, groups, System.nanoTime() - t0);
    } finally {
      if (t != null) {
        t.close();
      }
    }
  }

  private int aggregatePartition(SpillStore store, int p, QueryContext query) {
    int chunks = store.chunks(p);
    if (chunks == 0) {
      return 0;
    }
    // the partition's partial rows bound its groups (equal when each key was in one local table)
    try (GroupByHashTable t = newMergeTable(query.stateConsumer(), store.rows(p))) {
      for (int i = 0; i < chunks; i++) {
        try (Chunk block = store.read(p, i, query.resultConsumer())) {
          List<ValueColumn> partials = new ArrayList<>();
          for (int j = 0; j < internal.size(); j++) {
            Vec v = block.column(tableKeys().length + j);
            partials.add(
                partialTypes[j] == ValueType.FLOAT64
                    ? ValueColumn.float64(v.values(), v.validity())
                    : ValueColumn.int64(v.values(), v.validity()));
          }
          t.add(keyColumnsOf(block), partials, block.rows(), null);
        }
      }
      store.release(p);
      for (int from = 0; from < t.groupCount(); from += OUT_ROWS) {
        Chunk c = writeGroups(t, from, Math.min(OUT_ROWS, t.groupCount() - from), query);
        synchronized (output) {
          output.add(c);
        }
      }
      return t.groupCount();
    }
  }

  private DataType[] outputTypes() {
    DataType[] types = new DataType[keys.size() + aggs.size()];
    for (int i = 0; i < keys.size(); i++) {
      DataType kt = keys.get(i).type();
      types[i] = kt.kind() == DataType.Kind.DICTIONARY_UTF8 ? DataType.UTF8 : kt.computeType();
    }
    for (int a = 0; a < aggs.size(); a++) {
      types[keys.size() + a] = aggs.get(a).type();
    }
    return types;
  }

  private Chunk emptyGroup(QueryContext query) {
    DataType[] types = outputTypes();
    boolean[] nullable = new boolean[types.length];
    Arrays.fill(nullable, true);
    Chunk c = Chunk.allocate(types, 1, new long[types.length], nullable, query.resultConsumer());
    for (int a = 0; a < aggs.size(); a++) {
      AggCall.Function f = aggs.get(a).function();
      Vec v = c.column(a);
      boolean count = f == AggCall.Function.COUNT || f == AggCall.Function.COUNT_STAR;
      Validity.set(Objects.requireNonNull(v.validity()), 0, count);
    }
    return c;
  }

  /** Writes groups of a table (raw or merging: same aggregate layout) as output rows. */
  private Chunk writeGroups(GroupByHashTable t, int from, int count, QueryContext query) {
    DataType[] types = outputTypes();
    long[] utf8 = new long[types.length];
    boolean[] nullable = new boolean[types.length];
    Arrays.fill(nullable, true);
    for (int k = 0; k < keys.size(); k++) {
      if (keyTypes[k] == KeyType.UTF8) {
        utf8[k] = t.utf8KeyBytes(k, from, count);
      } else if (keys.get(k).type().kind() == DataType.Kind.DICTIONARY_UTF8) {
        byte[][] dict = dictionary(k);
        long bytes = 0;
        for (int g = from; g < from + count; g++) {
          if (!keyNull(t, g, k)) {
            bytes += dict[(int) keyValue(t, g, k)].length;
          }
        }
        utf8[k] = bytes;
      }
    }
    Chunk c = Chunk.allocate(types, count, utf8, nullable, query.resultConsumer());
    try {
      for (int k = 0; k < keys.size(); k++) {
        writeKey(t, k, from, count, c.column(k));
      }
      for (int a = 0; a < aggs.size(); a++) {
        writeAggregate(t, a, from, count, c.column(keys.size() + a));
      }
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private byte[][] dictionary(int key) {
    byte[][] d = dictionaries.get(key);
    if (d == null) {
      throw new IllegalStateException("dictionary key " + key + " saw no dictionary");
    }
    return d;
  }

  private void writeKey(GroupByHashTable t, int k, int from, int count, Vec v) {
    DataType kt = keys.get(k).type();
    MemorySegment validity = Objects.requireNonNull(v.validity());
    if (keyTypes[k] == KeyType.UTF8) {
      t.readUtf8Key(k, from, count, v.values(), Objects.requireNonNull(v.data()), validity);
    } else if (kt.kind() == DataType.Kind.DICTIONARY_UTF8) {
      byte[][] dict = dictionary(k);
      MemorySegment data = Objects.requireNonNull(v.data());
      long at = 0;
      for (int i = 0; i < count; i++) {
        int g = from + i;
        boolean isNull = keyNull(t, g, k);
        Validity.set(validity, i, !isNull);
        if (!isNull) {
          byte[] b = dict[(int) keyValue(t, g, k)];
          MemorySegment.copy(b, 0, data, ValueLayout.JAVA_BYTE, at, b.length);
          at += b.length;
        }
        v.values().setAtIndex(ArrowLayout.INT32, i + 1L, (int) at);
      }
    } else if (kt.kind() == DataType.Kind.BOOL) {
      for (int i = 0; i < count; i++) {
        boolean isNull = keyNull(t, from + i, k);
        Validity.set(validity, i, !isNull);
        if (!isNull && keyValue(t, from + i, k) != 0) {
          Validity.set(v.values(), i, true);
        }
      }
    } else if (packing != null) {
      // packed keys are 32-bit: int8 / int16 / int32 / date32 in their int32 compute type
      for (int i = 0; i < count; i++) {
        boolean isNull = keyNull(t, from + i, k);
        Validity.set(validity, i, !isNull);
        v.values().setAtIndex(ArrowLayout.INT32, i, isNull ? 0 : (int) keyValue(t, from + i, k));
      }
    } else {
      t.readKey(k, from, count, v.values(), validity);
    }
  }

  private void writeAggregate(GroupByHashTable t, int a, int from, int count, Vec v) {
    AggSpec spec = aggs.get(a);
    int j = firstInternal[a];
    MemorySegment validity = Objects.requireNonNull(v.validity());
    DataType rt = spec.type();
    if (spec.function() == AggCall.Function.AVG) {
      BoundExpr arg = Objects.requireNonNull(spec.argument());
      double scale =
          arg.type().kind() == DataType.Kind.DECIMAL ? Math.pow(10, arg.type().scale()) : 1;
      boolean floats = partialTypes[j] == ValueType.FLOAT64;
      for (int i = 0; i < count; i++) {
        int g = from + i;
        long n = t.resultLong(g, avgCount[a]);
        Validity.set(validity, i, n > 0);
        if (n > 0) {
          double sum = floats ? t.resultDouble(g, j) : (double) t.resultLong(g, j);
          v.values().setAtIndex(ArrowLayout.FLOAT64, i, sum / n / scale);
        }
      }
      return;
    }
    if (rt.kind() == DataType.Kind.INT32 || rt.kind() == DataType.Kind.DATE32) {
      for (int i = 0; i < count; i++) {
        boolean isNull = t.isResultNull(from + i, j);
        Validity.set(validity, i, !isNull);
        v.values().setAtIndex(ArrowLayout.INT32, i, (int) t.resultLong(from + i, j));
      }
      return;
    }
    t.readResult(j, from, count, v.values(), validity);
  }

  /** Merges in parallel from {@code groups} groups (tests use small aggregations). */
  HashAggregateSink withParallelMergeFrom(long groups) {
    parallelMergeFrom = groups;
    return this;
  }

  /** Partitions merged in parallel by the last finish (0: merged on one thread). */
  int parallelMerges() {
    return parallelMerges;
  }

  /** Groups written to the spill partitions (0 when everything fit). */
  public long spilledGroups() {
    return spilledGroups.get();
  }

  /** The output chunks (owned by this sink until {@link #take()}). */
  public List<Chunk> take() {
    List<Chunk> out = new ArrayList<>(output);
    output.clear();
    return out;
  }

  @Override
  public String describe() {
    long s = spilledGroups.get();
    KeyPacking p = packing;
    return (aggs.isEmpty() ? "HashDistinct " : "HashAggregate ")
        + (keys.isEmpty() ? "" : "keys " + keys + " ")
        + (p == null ? "" : "(" + p + ") ")
        + (aggs.isEmpty() ? "" : "aggs " + aggs)
        + (s > 0 ? " (spilled " + s + " partial groups to " + PARTITIONS + " partitions)" : "")
        + (parallelMerges > 0 ? " (merged in parallel in " + parallelMerges + " partitions)" : "");
  }

  @Override
  public OpStats stats() {
    return stats;
  }

  @Override
  public void close() {
    for (Chunk c : take()) {
      c.close();
    }
    for (GroupByHashTable t : pending) {
      t.close();
    }
    pending.clear();
    if (merged != null) {
      merged.close();
      merged = null;
    }
    SpillStore s = spill;
    spill = null;
    if (s != null) {
      s.close();
    }
  }
}
