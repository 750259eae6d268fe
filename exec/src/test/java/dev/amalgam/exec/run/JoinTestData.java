package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.Validity;
import dev.amalgam.memory.Device;
import dev.amalgam.memory.Topology;
import dev.amalgam.memory.UnifiedMemory;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Test fixtures for hash joins: tables of raw values turned into chunks, a source over chunks that
 * can select rows and dictionary-encode columns, pipelines run on a scheduler over the fused-pair
 * preset, and a nested-loop reference join.
 */
final class JoinTestData {
  /** The base seed of the randomized tests; override with -Damalgam.test.seed=N. */
  static final long BASE_SEED = Long.getLong("amalgam.test.seed", 0x5EED_101EL);

  private JoinTestData() {}

  /**
   * Rows of raw values: Integer (int32, date32 days), Long (int64, decimal unscaled, timestamp
   * micros), Double, Boolean, String, or null.
   */
  record Table(DataType[] types, List<Object[]> rows) {}

  /** The memory, scheduler and query a test runs pipelines in. */
  static final class Fixture implements AutoCloseable {
    final UnifiedMemory memory;
    final Scheduler scheduler;
    final QueryContext query;
    final MemoryConsumer input;
    final int instances;
    private final MemoryPool pool;

    /** {@code workersPerMember} workers on each member of the fused pair. */
    Fixture(int workersPerMember) {
      this(workersPerMember, Integer.MAX_VALUE);
    }

    /** At most {@code maxMembers} members. */
    Fixture(int workersPerMember, int maxMembers) {
      this(workersPerMember, maxMembers, null);
    }

    /** Charging everything to {@code pool} (closed with the fixture) when it is not null. */
    Fixture(int workersPerMember, int maxMembers, MemoryPool pool) {
      this(workersPerMember, maxMembers, pool, pool == null ? Long.MAX_VALUE / 4 : pool.limit());
    }

    /**
     * Operator memory (hash tables) limited to {@code operatorLimit} bytes; results and spills
     * unlimited.
     */
    Fixture(int workersPerMember, long operatorLimit) {
      this(workersPerMember, Integer.MAX_VALUE, null, operatorLimit);
    }

    private Fixture(int workersPerMember, int maxMembers, MemoryPool pool, long operatorLimit) {
      this.pool = pool;
      UnifiedMemory.Builder b = UnifiedMemory.builder().topology(Topology.preset("fused-pair"));
      memory = (pool == null ? b : b.pool(pool)).build();
      List<Device> all = memory.fusedDevice().members();
      List<Device> members = all.subList(0, Math.min(maxMembers, all.size()));
      int[] w = new int[members.size()];
      Arrays.fill(w, workersPerMember);
      scheduler = new Scheduler(memory, members, w);
      query = new QueryContext("join-test", memory, null, operatorLimit);
      input = memory.pool().consumer("join test input");
      instances = workersPerMember * members.size();
    }

    @Override
    public void close() {
      try {
        query.close();
        input.close();
      } finally {
        scheduler.close();
        try {
          memory.close();
        } finally {
          if (pool != null) {
            pool.close();
          }
        }
      }
    }
  }

  /** Splits {@code table} into chunks of 1 to {@code maxChunk} rows (none for no rows). */
  static List<Chunk> chunks(Table table, int maxChunk, SplittableRandom rnd, MemoryConsumer c) {
    List<Chunk> out = new ArrayList<>();
    try {
      int at = 0;
      while (at < table.rows().size()) {
        int len = Math.min(table.rows().size() - at, 1 + rnd.nextInt(maxChunk));
        out.add(chunk(table.types(), table.rows().subList(at, at + len), c));
        at += len;
      }
      return out;
    } catch (RuntimeException e) {
      out.forEach(Chunk::close);
      throw e;
    }
  }

  /** A chunk holding {@code rows}; a column gets a validity bitmap only when it has a null. */
  static Chunk chunk(DataType[] types, List<Object[]> rows, MemoryConsumer consumer) {
    int n = rows.size();
    long[] utf8 = new long[types.length];
    boolean[] nullable = new boolean[types.length];
    for (Object[] r : rows) {
      for (int c = 0; c < types.length; c++) {
        if (r[c] == null) {
          nullable[c] = true;
        } else if (types[c].kind() == DataType.Kind.UTF8) {
          utf8[c] += ((String) r[c]).getBytes(StandardCharsets.UTF_8).length;
        }
      }
    }
    Chunk chunk = Chunk.allocate(types, n, utf8, nullable, consumer);
    for (int c = 0; c < types.length; c++) {
      Vec v = chunk.column(c);
      long at = 0;
      for (int i = 0; i < n; i++) {
        Object x = rows.get(i)[c];
        if (x != null && v.validity() != null) {
          Validity.set(v.validity(), i, true);
        }
        switch (types[c].kind()) {
          case BOOL -> Validity.set(v.values(), i, x != null && (Boolean) x);
          case INT32, DATE32 ->
              v.values().setAtIndex(ArrowLayout.INT32, i, x == null ? 0x5A5A : (Integer) x);
          case INT64, DECIMAL, TIMESTAMP ->
              v.values().setAtIndex(ArrowLayout.INT64, i, x == null ? 0x5A5AL : (Long) x);
          case FLOAT64 ->
              v.values().setAtIndex(ArrowLayout.FLOAT64, i, x == null ? 99.5 : (Double) x);
          case UTF8 -> {
            if (x != null) {
              byte[] b = ((String) x).getBytes(StandardCharsets.UTF_8);
              MemorySegment.copy(b, 0, v.data(), ValueLayout.JAVA_BYTE, at, b.length);
              at += b.length;
            }
            v.values().setAtIndex(ArrowLayout.INT32, i + 1L, (int) at);
          }
          default -> throw new IllegalArgumentException("no test data for " + types[c]);
        }
      }
    }
    return chunk;
  }

  /** Whether row {@code row} of a chunk is live when a source selects ({@code row % 3 != 1}). */
  static boolean selected(int row) {
    return row % 3 != 1;
  }

  /** The raw rows a {@link ChunksSource} over {@code chunks} delivers, in order. */
  static List<Object[]> delivered(Table t, List<Chunk> chunks, boolean select) {
    List<Object[]> out = new ArrayList<>();
    int at = 0;
    for (Chunk c : chunks) {
      for (int r = 0; r < c.rows(); r++) {
        if (!select || selected(r)) {
          out.add(t.rows().get(at + r));
        }
      }
      at += c.rows();
    }
    return out;
  }

  /**
   * A source over chunks (one morsel each) that can narrow each batch to the rows {@link #selected}
   * and present utf8 columns dictionary-encoded.
   */
  static final class ChunksSource implements Source, AutoCloseable {
    private final List<Vec[]> columns = new ArrayList<>();
    private final List<Chunk> chunks;
    private final boolean select;
    private final Arena arena = Arena.ofShared();
    private final OpStats stats = new OpStats();

    /** Dictionary columns with a dictionary per chunk (as a probe may see them). */
    ChunksSource(List<Chunk> chunks, boolean select, int... dictionaryColumns) {
      this(chunks, select, false, dictionaryColumns);
    }

    /**
     * Dictionary columns with one dictionary per chunk, or with {@code shared} one per column for
     * all chunks (as a table scan delivers them).
     */
    ChunksSource(List<Chunk> chunks, boolean select, boolean shared, int... dictionaryColumns) {
      this.chunks = List.copyOf(chunks);
      this.select = select;
      List<Map<String, Integer>> dictionaries = new ArrayList<>();
      for (int d : dictionaryColumns) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        if (shared) {
          for (Chunk c : chunks) {
            Vec v = c.column(d);
            for (int i = 0; i < v.n(); i++) {
              if (!v.isNull(i)) {
                ids.computeIfAbsent(
                    new String(v.getBytes(i), StandardCharsets.UTF_8), k -> ids.size());
              }
            }
          }
        }
        dictionaries.add(ids);
      }
      List<Vec> sharedDictionaries = new ArrayList<>();
      for (Map<String, Integer> ids : dictionaries) {
        sharedDictionaries.add(shared ? dictionary(ids) : null);
      }
      for (Chunk c : chunks) {
        Vec[] cols = c.columns().clone();
        for (int k = 0; k < dictionaryColumns.length; k++) {
          int d = dictionaryColumns[k];
          cols[d] =
              shared
                  ? encode(cols[d], dictionaries.get(k), sharedDictionaries.get(k))
                  : encode(cols[d], new LinkedHashMap<>(), null);
        }
        columns.add(cols);
      }
    }

    /** {@code v} as indices into {@code ids} (added to), with {@code dict} or a new dictionary. */
    private Vec encode(Vec v, Map<String, Integer> ids, @Nullable Vec dict) {
      MemorySegment idx = arena.allocate(4L * Math.max(1, v.n()));
      for (int i = 0; i < v.n(); i++) {
        if (v.isNull(i)) {
          idx.setAtIndex(ArrowLayout.INT32, i, 0);
        } else {
          String s = new String(v.getBytes(i), StandardCharsets.UTF_8);
          idx.setAtIndex(ArrowLayout.INT32, i, ids.computeIfAbsent(s, k -> ids.size()));
        }
      }
      Vec d = dict != null ? dict : dictionary(ids);
      return new Vec(DataType.DICTIONARY_UTF8, v.n(), idx, v.validity(), null, d);
    }

    private Vec dictionary(Map<String, Integer> ids) {
      List<byte[]> entries = new ArrayList<>();
      long total = 0;
      for (String s : ids.keySet()) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        entries.add(b);
        total += b.length;
      }
      MemorySegment offsets = arena.allocate(4L * (entries.size() + 1));
      MemorySegment data = arena.allocate(Math.max(8, total));
      long at = 0;
      for (int e = 0; e < entries.size(); e++) {
        byte[] b = entries.get(e);
        MemorySegment.copy(b, 0, data, ValueLayout.JAVA_BYTE, at, b.length);
        at += b.length;
        offsets.setAtIndex(ArrowLayout.INT32, e + 1L, (int) at);
      }
      return Vec.utf8(entries.size(), offsets, data, null);
    }

    @Override
    public List<Morsel> morsels(QueryContext query) {
      List<Morsel> out = new ArrayList<>();
      for (int i = 0; i < chunks.size(); i++) {
        out.add(new Morsel(i, 0, 0, chunks.get(i).rows(), chunks.get(i).bytes(), null));
      }
      return out;
    }

    @Override
    public Batch read(Morsel morsel, Worker worker) {
      int rows = chunks.get(morsel.source()).rows();
      Batch b = Batch.dense(columns.get(morsel.source()), rows);
      stats.record(rows, rows, 0);
      if (!select) {
        return b;
      }
      MemorySegment sel = worker.scratch().allocate(4L * Math.max(1, rows));
      int count = 0;
      for (int r = 0; r < rows; r++) {
        if (selected(r)) {
          sel.setAtIndex(ArrowLayout.INT32, count++, r);
        }
      }
      return b.withSelection(sel, count);
    }

    @Override
    public String describe() {
      return "TestChunks";
    }

    @Override
    public OpStats stats() {
      return stats;
    }

    @Override
    public void close() {
      arena.close();
    }
  }

  /** Runs the build pipeline of {@code source} into a new build sink. */
  static JoinBuildSink build(Fixture f, Source source, int[] keys, DataType[] types) {
    return build(f, source, keys, types, JoinBuildSink.PARTITIONED_MIN_ROWS);
  }

  /** A build partitioned by hash once it has {@code partitionedFrom} rows. */
  static JoinBuildSink build(
      Fixture f, Source source, int[] keys, DataType[] types, long partitionedFrom) {
    JoinBuildSink sink = new JoinBuildSink(keys, types).withPartitionedFrom(partitionedFrom);
    try {
      f.scheduler.run(new Pipeline(0, source, List.of(), sink), f.query);
      return sink;
    } catch (RuntimeException e) {
      sink.close();
      throw e;
    }
  }

  /** What a probe pipeline produced. */
  record Result(List<List<Object>> rows, int largestBatch, int batches) {}

  /** Runs {@code ops} over {@code source} into a collector and reads the rows back. */
  static Result run(Fixture f, Source source, List<OpSpec> ops) {
    try (CollectSink out = new CollectSink("collect")) {
      f.scheduler.run(new Pipeline(1, source, ops, out), f.query);
      List<List<Object>> rows = new ArrayList<>();
      int largest = 0;
      List<Chunk> chunks = out.chunks();
      for (Chunk c : chunks) {
        largest = Math.max(largest, c.rows());
        for (int r = 0; r < c.rows(); r++) {
          List<Object> row = new ArrayList<>(c.columns().length);
          for (Vec v : c.columns()) {
            row.add(v.getObject(r));
          }
          rows.add(row);
        }
      }
      return new Result(rows, largest, chunks.size());
    }
  }

  /** A raw value as {@link Vec#getObject} returns it. */
  static Object java(DataType t, Object raw) {
    if (raw == null) {
      return null;
    }
    return switch (t.kind()) {
      case DATE32 -> LocalDate.ofEpochDay((Integer) raw);
      case DECIMAL -> BigDecimal.valueOf((Long) raw, t.scale());
      case TIMESTAMP -> Instant.EPOCH.plus((Long) raw, ChronoUnit.MICROS);
      default -> raw;
    };
  }

  private static boolean keyEquals(Object a, Object b) {
    if (a == null || b == null) {
      return false;
    }
    if (a instanceof Double x && b instanceof Double y) {
      return x.doubleValue() == y.doubleValue() || (x.isNaN() && y.isNaN());
    }
    return a.equals(b);
  }

  private static boolean matches(Object[] p, int[] pk, Object[] b, int[] bk) {
    for (int k = 0; k < pk.length; k++) {
      if (!keyEquals(p[pk[k]], b[bk[k]])) {
        return false;
      }
    }
    return true;
  }

  private static List<Object> row(DataType[] pt, Object[] p, DataType[] bt, Object[] b) {
    List<Object> out = new ArrayList<>(pt.length + (bt == null ? 0 : bt.length));
    for (int c = 0; c < pt.length; c++) {
      out.add(p == null ? null : java(pt[c], p[c]));
    }
    if (bt != null) {
      for (int c = 0; c < bt.length; c++) {
        out.add(b == null ? null : java(bt[c], b[c]));
      }
    }
    return out;
  }

  /** The nested-loop join of {@code probe} and {@code build} rows. */
  static List<List<Object>> reference(
      JoinType type,
      DataType[] pt,
      List<Object[]> probe,
      int[] pk,
      DataType[] bt,
      List<Object[]> build,
      int[] bk) {
    List<List<Object>> out = new ArrayList<>();
    boolean[] matchedBuild = new boolean[build.size()];
    DataType[] buildOut = type.outputsBuildColumns() ? bt : null;
    for (Object[] p : probe) {
      boolean any = false;
      for (int j = 0; j < build.size(); j++) {
        Object[] b = build.get(j);
        if (matches(p, pk, b, bk)) {
          any = true;
          matchedBuild[j] = true;
          if (type.outputsBuildColumns() && type.outputsProbeColumns()) {
            out.add(row(pt, p, bt, b));
          }
        }
      }
      if ((type == JoinType.SEMI && any) || (type == JoinType.ANTI && !any)) {
        out.add(row(pt, p, null, null));
      }
      if (type.keepsUnmatchedProbe() && !any) {
        out.add(row(pt, p, buildOut, null));
      }
    }
    if (type.keepsUnmatchedBuild()) {
      for (int j = 0; j < build.size(); j++) {
        if (!matchedBuild[j]) {
          out.add(row(pt, null, bt, build.get(j)));
        }
      }
    }
    if (!type.outputsProbeColumns()) {
      for (int j = 0; j < build.size(); j++) {
        if (matchedBuild[j] == (type == JoinType.RIGHT_SEMI)) {
          out.add(row(bt, build.get(j), null, null));
        }
      }
    }
    return out;
  }

  /** Rows as a multiset (row -> count). */
  static Map<List<Object>, Integer> multiset(List<List<Object>> rows) {
    Map<List<Object>, Integer> out = new HashMap<>();
    for (List<Object> r : rows) {
      out.merge(r, 1, Integer::sum);
    }
    return out;
  }
}
