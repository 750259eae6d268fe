package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.KeyColumn;
import dev.amalgam.memory.pool.MemoryConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The probe side of a hash join that falls back to a partitioned (Grace) join when its build did
 * not fit: while the build's table exists this is the plain {@link JoinProbeSpec}; when the build
 * spilled its rows into hash partitions, every worker writes its probe rows into the same
 * partitions of a probe spill, and the last worker to finish joins them partition by partition —
 * one partition's hash table in working memory at a time — and pushes the result on. Spilled probe
 * rows keep dictionary columns as indices ({@link DictionaryColumns}); {@link #close()} frees what
 * a failed or cancelled run left.
 */
public final class PartitionedJoinSpec implements OpSpec, AutoCloseable {
  private final JoinType type;
  private final JoinBuildSink build;
  private final int[] probeKeys;
  private final DataType[] probeTypes;
  private final DataType[] buildTypes;
  private final JoinProbeSpec inMemory;
  private final int instances;
  private final @Nullable BoundExpr residual;
  private final AtomicInteger finished = new AtomicInteger();
  private final OpStats stats = new OpStats();
  private volatile @Nullable SpillStore probeSpill;
  private final DictionaryColumns probeDictionaries;

  /** A probe of {@code build} by {@code instances} workers (see {@link JoinProbeSpec}). */
  public PartitionedJoinSpec(
      JoinType type,
      JoinBuildSink build,
      int[] probeKeys,
      DataType[] probeTypes,
      DataType[] buildTypes,
      int instances) {
    this(type, build, probeKeys, probeTypes, buildTypes, instances, null);
  }

  /**
   * A probe of {@code build} with a residual condition for SEMI and ANTI (see {@link
   * JoinProbeSpec#JoinProbeSpec(JoinType, JoinBuildSink, int[], DataType[], DataType[], int,
   * BoundExpr)}).
   */
  public PartitionedJoinSpec(
      JoinType type,
      JoinBuildSink build,
      int[] probeKeys,
      DataType[] probeTypes,
      DataType[] buildTypes,
      int instances,
      @Nullable BoundExpr residual) {
    this.type = type;
    this.residual = residual;
    this.build = build;
    this.probeKeys = probeKeys.clone();
    this.probeTypes = probeTypes.clone();
    this.buildTypes = buildTypes.clone();
    this.instances = instances;
    this.probeDictionaries = new DictionaryColumns(probeTypes);
    this.inMemory =
        new JoinProbeSpec(type, build, probeKeys, probeTypes, buildTypes, instances, residual);
  }

  private SpillStore probeSpill(QueryContext q) {
    SpillStore s = probeSpill;
    if (s == null) {
      synchronized (this) {
        s = probeSpill;
        if (s == null) {
          s =
              new SpillStore(
                  q.memory(),
                  probeDictionaries.storedTypes(),
                  SpillPartitions.COUNT,
                  q.name() + " join probe spill");
          probeSpill = s;
        }
      }
    }
    return s;
  }

  @Override
  public Op create(Worker worker, Op next) {
    // the build has finished when the probe pipeline starts: its mode is fixed for the whole run
    Op direct = build.spilled() == null ? inMemory.create(worker, next) : null;
    return new Op(next) {
      @Override
      public void push(Batch b) {
        if (direct != null) {
          direct.push(b);
          return;
        }
        long t0 = System.nanoTime();
        QueryContext q = worker.query();
        MemoryConsumer consumer = q.resultConsumer();
        try (Chunk c = Chunk.copyOf(probeDictionaries.indices(b, consumer), consumer)) {
          List<KeyColumn> keys = new ArrayList<>();
          for (int k : probeKeys) {
            keys.add(JoinKeys.buildKey(probeDictionaries.column(c.column(k), k)));
          }
          SpillPartitions.split(c, keys, probeSpill(q), q.resultConsumer());
        }
        stats.record(b.count(), 0, System.nanoTime() - t0);
      }

      @Override
      public boolean done() {
        return direct != null ? direct.done() : super.done();
      }

      @Override
      public void finish() {
        if (direct != null) {
          direct.finish();
          return;
        }
        if (finished.incrementAndGet() == instances) {
          joinPartitions(java.util.Objects.requireNonNull(build.spilled()), worker, downstream());
        }
        downstream().finish();
      }
    };
  }

  private void joinPartitions(SpillStore buildSpill, Worker worker, Op out) {
    long t0 = System.nanoTime();
    QueryContext q = worker.query();
    SpillStore probes = probeSpill(q);
    Op sink =
        new Op(null) {
          @Override
          public void push(Batch b) {
            out.push(b);
          }

          @Override
          public void finish() {}

          @Override
          public boolean done() {
            return out.done();
          }
        };
    try {
      for (int p = 0; p < SpillPartitions.COUNT; p++) {
        try (JoinBuildSink part =
            new JoinBuildSink(build.keyColumns(), build.columnTypes()).withoutSpilling()) {
          Op local = part.createLocal(worker);
          for (int i = 0; i < buildSpill.chunks(p); i++) {
            try (Chunk c = buildSpill.read(p, i, q.resultConsumer())) {
              local.push(build.batch(c));
            }
          }
          part.combine(local);
          part.finish(q);
          buildSpill.release(p);
          JoinProbeSpec probe =
              new JoinProbeSpec(type, part, probeKeys, probeTypes, buildTypes, 1, residual);
          Op op = probe.create(worker, sink);
          for (int i = 0; i < probes.chunks(p) && !sink.done(); i++) {
            try (Chunk c = probes.read(p, i, q.resultConsumer())) {
              op.push(probeDictionaries.batch(c));
            }
            worker.scratch().reset();
          }
          op.finish();
          worker.scratch().reset();
          probes.release(p);
          stats.addRowsOut(probe.stats().rowsOut());
        }
      }
    } finally {
      probes.close();
    }
    // the dictionaries stay: batches pushed on may still be read downstream until the query ends
    stats.addNanos(System.nanoTime() - t0);
  }

  @Override
  public String describe() {
    SpillStore s = probeSpill;
    return inMemory.describe()
        + (s == null
            ? ""
            : " (partitioned join: " + SpillPartitions.COUNT + " partitions spilled)");
  }

  /** Frees the probe spill and the copies of its dictionaries. Idempotent. */
  @Override
  public void close() {
    SpillStore s = probeSpill;
    if (s != null) {
      s.close();
    }
    probeDictionaries.close();
  }

  @Override
  public OpStats stats() {
    SpillStore s = probeSpill;
    return s == null ? inMemory.stats() : stats;
  }
}
