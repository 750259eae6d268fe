package dev.amalgam.exec;

import dev.amalgam.exec.plan.Lowering;
import dev.amalgam.exec.plan.Optimizer;
import dev.amalgam.exec.plan.PlanNode;
import dev.amalgam.exec.run.Chunk;
import dev.amalgam.exec.run.Pipeline;
import dev.amalgam.exec.run.QueryContext;
import dev.amalgam.exec.run.Scheduler;
import dev.amalgam.exec.store.TableData;
import dev.amalgam.exec.store.TableWriter;
import dev.amalgam.kernels.KernelException;
import dev.amalgam.kernels.TableFullException;
import dev.amalgam.memory.AmalgamMemoryException;
import dev.amalgam.memory.Device;
import dev.amalgam.memory.FusedDevice;
import dev.amalgam.memory.MemoryStats;
import dev.amalgam.memory.Topology;
import dev.amalgam.memory.UnifiedMemory;
import dev.amalgam.memory.pool.MemoryLimitExceededException;
import dev.amalgam.memory.pool.MemoryPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * The engine: a fused device with its unified memory, a catalog of tables, and the scheduler that
 * runs queries on the members' workers. Thread-safe: many queries may run at once. Closing it waits
 * for running queries and frees every table.
 *
 * <pre>{@code
 * try (Engine engine = Engine.open(Topology.preset("fused-pair"))) {
 *   engine.createTable("t", schema).addRow(...).build();
 *   Result r = engine.table("t").filter(col("x").lt(24)).groupBy("k").agg(sum(col("y"))).execute();
 *   System.out.println(r.format());
 * }
 * }</pre>
 */
public final class Engine implements AutoCloseable {
  private final UnifiedMemory memory;
  private final @Nullable MemoryPool ownPool;
  private final Scheduler scheduler;
  private final long queryMemoryLimit;
  private final Map<String, Table> catalog = new ConcurrentHashMap<>();
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final AtomicLong queryIds = new AtomicLong();
  private final AtomicLong catalogVersion = new AtomicLong();
  private final Map<Long, QueryContext> running = new ConcurrentHashMap<>();
  private final com.github.benmanes.caffeine.cache.Cache<String, Query> plans =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(512).build();
  private final com.github.benmanes.caffeine.cache.Cache<String, dev.amalgam.exec.sql.PreparedQuery>
      prepared = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(512).build();
  private volatile boolean closed;

  private Engine(Builder b) {
    MemoryPool pool = b.memoryLimit > 0 ? MemoryPool.create("engine", b.memoryLimit) : null;
    UnifiedMemory.Builder mb = UnifiedMemory.builder().topology(b.topology);
    if (b.pageSize > 0) {
      mb.pageSize(b.pageSize);
    }
    if (b.spillDirectory != null) {
      mb.spillDirectory(b.spillDirectory);
    }
    if (pool != null) {
      mb.pool(pool);
    }
    UnifiedMemory m;
    try {
      m = mb.build();
    } catch (RuntimeException e) {
      if (pool != null) {
        pool.close();
      }
      throw e;
    }
    this.memory = m;
    this.ownPool = pool;
    List<Device> members = memory.fusedDevice().members();
    int[] workers = new int[members.size()];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = b.workersPerMember > 0 ? b.workersPerMember : members.get(i).spec().workers();
    }
    this.scheduler = new Scheduler(memory, members, workers);
    this.queryMemoryLimit =
        b.queryMemoryLimit > 0
            ? b.queryMemoryLimit
            : Math.max(64L << 20, memory.host().capacity() / 2);
  }

  /** The limit on each query's working memory. */
  public long queryMemoryLimit() {
    return queryMemoryLimit;
  }

  /** An engine on {@code topology} with default settings. */
  public static Engine open(Topology topology) {
    return builder().topology(topology).build();
  }

  /** An engine on a preset topology ({@code cpu}, {@code fused-pair}, ...). */
  public static Engine open(String preset) {
    return open(Topology.preset(preset));
  }

  /** A builder of an engine. */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a new engine. */
  public static final class Builder {
    private Topology topology = Topology.preset(Topology.DEFAULT_PRESET);
    private long pageSize;
    private long memoryLimit;
    private int workersPerMember;
    private long queryMemoryLimit;
    private @Nullable Path spillDirectory;

    private Builder() {}

    /** The topology (default {@code fused-pair}). */
    public Builder topology(Topology t) {
      this.topology = Objects.requireNonNull(t, "topology is null");
      return this;
    }

    /** Bytes per page of unified memory (default 2 MiB). */
    public Builder pageSize(long bytes) {
      this.pageSize = bytes;
      return this;
    }

    /**
     * A limit on all memory the engine reserves: tables and queries' operator state (default: the
     * capacity of all tiers).
     */
    public Builder memoryLimit(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("memory limit must be positive; was " + bytes);
      }
      this.memoryLimit = bytes;
      return this;
    }

    /**
     * A limit on each query's working memory (hash tables, sort buffers, scratch); an aggregation
     * that reaches it spills partitions to host memory and the spill file (default: half of the
     * host's capacity).
     */
    public Builder queryMemoryLimit(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("query memory limit must be positive; was " + bytes);
      }
      this.queryMemoryLimit = bytes;
      return this;
    }

    /** Worker threads per member device (default: each device's own worker count). */
    public Builder workersPerMember(int workers) {
      if (workers <= 0) {
        throw new IllegalArgumentException("workers per member must be positive; was " + workers);
      }
      this.workersPerMember = workers;
      return this;
    }

    /** Where pages evicted past the host go (default: a temporary directory). */
    public Builder spillDirectory(Path dir) {
      this.spillDirectory = Objects.requireNonNull(dir, "dir is null");
      return this;
    }

    /** Opens the engine. */
    public Engine build() {
      return new Engine(this);
    }
  }

  // ---- catalog --------------------------------------------------------------------------------

  /** Starts a new table; {@link TableBuilder#build()} registers it. */
  public TableBuilder createTable(String name, Schema schema) {
    checkOpen();
    if (catalog.containsKey(name)) {
      throw new IllegalArgumentException("table '" + name + "' already exists");
    }
    return new TableBuilder(this, name, schema);
  }

  TableWriter newWriter(String name, Schema schema, Placement placement, int rowGroupRows) {
    return new TableWriter(
        memory, name, schema, placement, memory.fusedDevice().members(), rowGroupRows);
  }

  /** Registers a built table; fails (freeing it) when the name is taken. */
  public Table register(TableData data) {
    lock.readLock().lock();
    try {
      checkOpen();
      Table t = new Table(data);
      if (catalog.putIfAbsent(data.name(), t) != null) {
        data.close();
        throw new IllegalArgumentException("table '" + data.name() + "' already exists");
      }
      catalogVersion.incrementAndGet();
      return t;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * A query from SQL text, parsed, validated against the catalog and decorrelated with Apache
   * Calcite, then lowered to the same plan the fluent API builds.
   *
   * <p>Plans are cached (Caffeine) by SQL text and catalog version.
   *
   * @throws QueryException (INVALID) naming the line and column of a syntax or validation error
   */
  public Query sql(String sql) {
    checkOpen();
    // plans are immutable; a table added or dropped changes the catalog version and so the key.
    // Scripts hand statements over padded to their line and column (for error positions); the
    // padding cannot change a plan that was made without an error, so it is not part of the key
    String key = catalogVersion() + "\u0000" + sql.strip();
    return plans.get(key, k -> dev.amalgam.exec.sql.SqlFrontEnd.query(this, sql));
  }

  /**
   * Runs one SQL statement: a query (its rows), {@code EXPLAIN [ANALYZE] query} (the plan or the
   * profile, one line per row), {@code CREATE TABLE name (col type [NOT NULL], ...)}, {@code CREATE
   * [OR REPLACE] TABLE name AS query}, {@code INSERT INTO name [(cols)] VALUES ... | query} or
   * {@code DROP TABLE [IF EXISTS] name} (one row: {@code status}, {@code rows}).
   *
   * <p>Tables are immutable: INSERT writes a new version of the table (its rows, then the new ones)
   * and swaps it into the catalog, which changes the catalog version.
   *
   * @throws QueryException INVALID naming the line and column of a syntax or validation error
   */
  public Result execute(String sql) {
    return dev.amalgam.exec.sql.SqlFrontEnd.execute(this, sql, null, false);
  }

  /** {@link #execute(String)}; {@code handle} can cancel it from another thread. */
  public Result execute(String sql, Handle handle) {
    return dev.amalgam.exec.sql.SqlFrontEnd.execute(
        this, sql, Objects.requireNonNull(handle, "handle is null"), false);
  }

  /**
   * A query with parameters ({@code ?}) planned once, run with {@link
   * dev.amalgam.exec.sql.PreparedQuery#execute(Object...)}. Cached like {@link #sql}.
   */
  public dev.amalgam.exec.sql.PreparedQuery prepare(String sql) {
    checkOpen();
    String key = catalogVersion() + "\u0000" + sql;
    return prepared.get(key, k -> dev.amalgam.exec.sql.SqlFrontEnd.prepare(this, sql));
  }

  /** Plans of SQL texts in the plan cache now. */
  public long cachedPlans() {
    return plans.estimatedSize();
  }

  /** A query over the table named {@code name}. */
  public Query table(String name) {
    return new Query(this, PlanNode.Scan.of(catalogTable(name).data()), null);
  }

  /**
   * The table named {@code name}.
   *
   * @throws IllegalArgumentException listing the tables when there is none
   */
  public Table catalogTable(String name) {
    Table t = catalog.get(name);
    if (t == null) {
      throw new IllegalArgumentException(
          "no table '" + name + "'; tables are: " + String.join(", ", tableNames()));
    }
    return t;
  }

  /** Whether a table of that name exists. */
  public boolean hasTable(String name) {
    return catalog.containsKey(name);
  }

  /**
   * Table names, sorted; tables a SQL statement opened from files for its duration (named {@code
   * $file...}) are not listed.
   */
  public List<String> tableNames() {
    List<String> names = new ArrayList<>();
    for (String n : catalog.keySet()) {
      if (!n.startsWith(dev.amalgam.exec.files.FileFormats.TEMPORARY_PREFIX)) {
        names.add(n);
      }
    }
    names.sort(null);
    return names;
  }

  /** A number that changes whenever a table is added or dropped (for plan caches). */
  public long catalogVersion() {
    return catalogVersion.get();
  }

  /**
   * Starts a new version of {@code current} (tables are immutable); {@link TableBuilder#build()}
   * swaps it into the catalog in place of {@code current}, waiting for running queries, and frees
   * the old version. The build fails when the table was replaced or dropped in the meantime.
   */
  public TableBuilder replaceTable(Table current, Schema schema) {
    checkOpen();
    return new TableBuilder(this, current, schema);
  }

  Table swap(Table current, TableData data) {
    lock.writeLock().lock();
    try {
      if (closed || catalog.get(current.name()) != current) {
        data.close();
        checkOpen();
        throw new QueryException(
            QueryException.Code.INVALID,
            "table '"
                + current.name()
                + "' was replaced or dropped while its new version was built; run the statement"
                + " again");
      }
      Table t = new Table(data);
      catalog.put(data.name(), t);
      catalogVersion.incrementAndGet();
      current.data().close();
      return t;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Drops a table, waiting for running queries, and frees its memory. */
  public void dropTable(String name) {
    lock.writeLock().lock();
    try {
      Table t = catalog.remove(name);
      if (t == null) {
        throw new IllegalArgumentException("no table '" + name + "'");
      }
      catalogVersion.incrementAndGet();
      t.data().close();
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- devices ----------------------------------------------------------------------------------

  /** The unified memory. */
  public UnifiedMemory memory() {
    return memory;
  }

  /** The fused device queries run on. */
  public FusedDevice fusedDevice() {
    return memory.fusedDevice();
  }

  private int totalWorkers() {
    int n = 0;
    for (int i = 0; i < scheduler.members().size(); i++) {
      n += scheduler.workers(i);
    }
    return n;
  }

  /** The scheduler's worker count on each member. */
  public Map<String, Integer> workers() {
    Map<String, Integer> out = new LinkedHashMap<>();
    List<Device> members = scheduler.members();
    for (int i = 0; i < members.size(); i++) {
      out.put(members.get(i).name(), scheduler.workers(i));
    }
    return out;
  }

  /**
   * Runs tasks {@code 0 .. count - 1} on the members' worker threads (the ones queries use) and
   * waits for them: each member takes a contiguous share and idle workers help the others. A task
   * must give the same result whichever member or worker runs it. The first failure is rethrown.
   */
  public void runTasks(int count, WorkerTask task) {
    checkOpen();
    scheduler.runTasks(count, task::run);
  }

  /** One of the independent tasks of {@link #runTasks}. */
  @FunctionalInterface
  public interface WorkerTask {
    /** Runs task {@code index} on a worker thread of {@code member}. */
    void run(int index, Device member) throws Exception;
  }

  // ---- running queries
  // ----------------------------------------------------------------------------

  /** Cancels every running query. */
  public void cancelAll() {
    running.values().forEach(QueryContext::cancel);
  }

  /** Queries running now. */
  public int runningQueries() {
    return running.size();
  }

  /** A handle on a query being run (for cancellation). */
  public static final class Handle {
    private volatile @Nullable QueryContext context;
    private volatile boolean cancelled;

    /** Cancels the query: it stops between morsels with a CANCELLED error. */
    public void cancel() {
      cancelled = true;
      QueryContext c = context;
      if (c != null) {
        c.cancel();
      }
    }

    void attach(QueryContext c) {
      context = c;
      if (cancelled) {
        c.cancel();
      }
    }
  }

  Result execute(
      PlanNode plan, @Nullable Duration timeout, @Nullable Handle handle, boolean analyze) {
    lock.readLock().lock();
    try {
      checkOpen();
      long id = queryIds.incrementAndGet();
      PlanNode optimized = Optimizer.optimize(plan);
      MemoryStats before = analyze ? memory.stats() : null;
      long t0 = System.nanoTime();
      try (QueryContext q = new QueryContext("query-" + id, memory, timeout, queryMemoryLimit)) {
        running.put(id, q);
        if (handle != null) {
          handle.attach(q);
        }
        try (Lowering lowered = Lowering.of(optimized, scheduler.members(), totalWorkers())) {
          for (Pipeline p : lowered.pipelines()) {
            scheduler.run(p, q);
          }
          List<Chunk> chunks = lowered.result().take();
          try {
            Result r = Result.of(optimized.schema(), chunks);
            if (analyze) {
              String text =
                  Explain.analyze(
                      optimized,
                      q.profiles(),
                      Objects.requireNonNull(before),
                      memory.stats(),
                      System.nanoTime() - t0,
                      r.rowCount());
              return r.withAnalysis(text);
            }
            return r;
          } finally {
            for (Chunk c : chunks) {
              c.close();
            }
          }
        } finally {
          running.remove(id);
        }
      }
    } catch (QueryException e) {
      throw e;
    } catch (KernelException e) {
      throw new QueryException(QueryException.Code.ARITHMETIC, String.valueOf(e.getMessage()), e);
    } catch (MemoryLimitExceededException | TableFullException e) {
      throw new QueryException(
          QueryException.Code.MEMORY_LIMIT, "query ran out of memory: " + e.getMessage(), e);
    } catch (AmalgamMemoryException e) {
      throw new QueryException(QueryException.Code.MEMORY_LIMIT, String.valueOf(e.getMessage()), e);
    } catch (IllegalArgumentException e) {
      throw new QueryException(QueryException.Code.INVALID, String.valueOf(e.getMessage()), e);
    } catch (RuntimeException e) {
      throw new QueryException(QueryException.Code.INTERNAL, "query failed: " + e, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  String explain(PlanNode plan) {
    checkOpen();
    PlanNode optimized = Optimizer.optimize(plan);
    try (Lowering lowered = Lowering.of(optimized, scheduler.members(), totalWorkers())) {
      return Explain.plan(optimized, lowered.pipelines(), this);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("engine is closed");
    }
  }

  /** Waits for running queries, drops every table and closes the unified memory. Idempotent. */
  @Override
  public void close() {
    cancelAll();
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      scheduler.close();
      for (Table t : catalog.values()) {
        t.data().close();
      }
      catalog.clear();
      memory.close();
      if (ownPool != null) {
        ownPool.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "engine on " + memory.fusedDevice() + " with " + catalog.size() + " tables";
  }
}
