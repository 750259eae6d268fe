package dev.amalgam.risk;

import dev.amalgam.exec.ColumnValues;
import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Placement;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.TableBuilder;
import dev.amalgam.memory.Device;
import dev.amalgam.memory.Topology;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A risk batch job: scenarios (Monte Carlo or historical), full revaluation of the book in every
 * scenario, P&amp;L per scenario stored in engine tables and aggregated through the engine into
 * VaR, expected shortfall, Euler contributions and Greeks per desk, book and underlying.
 *
 * <pre>{@code
 * RiskReport r = RiskJob.builder()
 *     .book(SyntheticBook.generate(5_000, 20, 7))
 *     .method(RiskJob.Method.MONTE_CARLO).scenarios(10_000).horizonDays(10)
 *     .confidence(0.99, 0.975).seed(42)
 *     .topology("fused-pair")                      // or .engine(anEngine)
 *     .build().run();
 * System.out.print(r.format());
 * }</pre>
 *
 * The same book, method, scenarios, horizon and seed give the same numbers, bit for bit, on any
 * topology and any number of workers (see {@link Scenarios}, {@link Revaluation}, {@link
 * RiskMath}). A job is immutable; {@link #run()} may be called more than once.
 */
public final class RiskJob {
  /** How scenarios are made. */
  public enum Method {
    /** Correlated geometric Brownian motion over the horizon (Philox4x32-10 streams). */
    MONTE_CARLO("mc", "Monte Carlo"),
    /** Overlapping H-day windows of the book's historical daily returns. */
    HISTORICAL("hist", "historical simulation");

    private final String code;
    private final String label;

    Method(String code, String label) {
      this.code = code;
      this.label = label;
    }

    /** {@code mc} or {@code hist}. */
    public String code() {
      return code;
    }

    /** A readable name. */
    public String label() {
      return label;
    }

    /**
     * Parses {@code mc} or {@code hist}.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Method parse(String text) {
      for (Method m : values()) {
        if (m.code.equalsIgnoreCase(text.trim())) {
          return m;
        }
      }
      throw new IllegalArgumentException("method '" + text + "' is not one of mc, hist");
    }
  }

  /** Receives progress; called from worker threads, so it must be thread-safe and quick. */
  @FunctionalInterface
  public interface Progress {
    /** {@code done} of {@code total} units of {@code phase} are finished. */
    void update(String phase, long done, long total);

    /** No progress reporting. */
    Progress NONE = (phase, done, total) -> {};
  }

  /** Monte Carlo scenarios when none are set. */
  public static final int DEFAULT_SCENARIOS = 10_000;

  /**
   * Scenarios per revaluation task: a worker prices every option of the book in this many scenarios
   * at once (vector lanes over scenarios), so a job's revaluation splits into {@code ceil(scenarios
   * / REVALUATION_BLOCK)} tasks.
   */
  public static final int REVALUATION_BLOCK = Revaluation.SCENARIO_BLOCK;

  private static final AtomicLong JOBS = new AtomicLong();

  private final @Nullable Book book;
  private final @Nullable String bookTables;
  private final Method method;
  private final int scenarios;
  private final int horizonDays;
  private final List<Double> confidences;
  private final long seed;
  private final @Nullable Engine engine;
  private final String topology;
  private final List<RiskLevel> levels;
  private final Progress progress;
  private final boolean keepTables;

  private RiskJob(Builder b) {
    this.book = b.book;
    this.bookTables = b.bookTables;
    this.method = b.method;
    this.scenarios = b.scenarios;
    this.horizonDays = b.horizonDays;
    this.confidences = List.copyOf(b.confidences);
    this.seed = b.seed;
    this.engine = b.engine;
    this.topology = b.topology;
    this.levels = List.copyOf(b.levels);
    this.progress = b.progress;
    this.keepTables = b.keepTables;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a job. */
  public static final class Builder {
    private @Nullable Book book;
    private @Nullable String bookTables;
    private Method method = Method.MONTE_CARLO;
    private int scenarios;
    private int horizonDays = 1;
    private List<Double> confidences = List.of(0.99, 0.975);
    private long seed = 1;
    private @Nullable Engine engine;
    private String topology = Topology.DEFAULT_PRESET;
    private List<RiskLevel> levels = List.of(RiskLevel.DESK, RiskLevel.BOOK, RiskLevel.UNDERLYING);
    private Progress progress = Progress.NONE;
    private boolean keepTables;

    private Builder() {}

    /** The book to value. */
    public Builder book(Book b) {
      this.book = Objects.requireNonNull(b, "book is null");
      this.bookTables = null;
      return this;
    }

    /**
     * Reads the book from the engine's tables {@code prefix + "instruments"}, ... (see {@link
     * BookTables}); needs {@link #engine(Engine)}.
     */
    public Builder bookTables(String prefix) {
      this.bookTables = Objects.requireNonNull(prefix, "prefix is null");
      this.book = null;
      return this;
    }

    /** Monte Carlo (default) or historical. */
    public Builder method(Method m) {
      this.method = Objects.requireNonNull(m, "method is null");
      return this;
    }

    /**
     * Scenarios: for Monte Carlo (default 10,000 when 0 or not set); for historical simulation the
     * most recent {@code k} windows (0 or not set: every window of the returns).
     */
    public Builder scenarios(int k) {
      if (k < 0 || k > 50_000_000) {
        throw new IllegalArgumentException("scenarios must be in [0, 50,000,000], got " + k);
      }
      this.scenarios = k;
      return this;
    }

    /** Horizon in trading days (default 1). */
    public Builder horizonDays(int h) {
      if (h < 1 || h > 2520) {
        throw new IllegalArgumentException("horizon must be 1 to 2520 trading days, got " + h);
      }
      this.horizonDays = h;
      return this;
    }

    /** Confidence levels, e.g. 0.99, 0.975 (default both); each in (0, 1). */
    public Builder confidence(double... levels) {
      if (levels.length == 0) {
        throw new IllegalArgumentException("at least one confidence level is needed");
      }
      LinkedHashSet<Double> set = new LinkedHashSet<>();
      for (double c : levels) {
        if (!(c > 0.0 && c < 1.0)) {
          throw new IllegalArgumentException("confidence must be in (0, 1), got " + c);
        }
        set.add(c);
      }
      this.confidences = List.copyOf(set);
      return this;
    }

    /** The Monte Carlo seed (default 1). */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /** Runs on this engine (which the job does not close). */
    public Builder engine(Engine e) {
      this.engine = Objects.requireNonNull(e, "engine is null");
      return this;
    }

    /** Opens an engine on this topology preset for the run (default {@code fused-pair}). */
    public Builder topology(String preset) {
      this.topology = Objects.requireNonNull(preset, "preset is null");
      this.engine = null;
      return this;
    }

    /** The levels risk is broken down by (default desk, book, underlying; none = total only). */
    public Builder groupBy(RiskLevel... by) {
      this.levels = List.copyOf(new LinkedHashSet<>(List.of(by)));
      return this;
    }

    /** Where progress goes (default nowhere). */
    public Builder progress(Progress p) {
      this.progress = Objects.requireNonNull(p, "progress is null");
      return this;
    }

    /**
     * Keeps the job's tables (positions, cells, P&amp;L) in the engine after the run, for queries;
     * their names are in {@link RiskReport#tables()}. Default: they are dropped.
     */
    public Builder keepTables(boolean keep) {
      this.keepTables = keep;
      return this;
    }

    /** The job. */
    public RiskJob build() {
      if (book == null && bookTables == null) {
        throw new IllegalStateException("a job needs a book: call book(...) or bookTables(...)");
      }
      if (bookTables != null && engine == null) {
        throw new IllegalStateException("bookTables(...) needs engine(...)");
      }
      return new RiskJob(this);
    }
  }

  /**
   * Runs the job.
   *
   * @throws BookException when the book (from tables) is malformed
   * @throws IllegalArgumentException when historical simulation has too few returns
   */
  public RiskReport run() {
    Engine e = engine;
    if (e != null) {
      return run(e);
    }
    try (Engine own = Engine.open(topology)) {
      return run(own);
    }
  }

  private RiskReport run(Engine engine) {
    long t0 = System.nanoTime();
    Book b = book != null ? book : BookTables.read(engine, Objects.requireNonNull(bookTables));
    int k = scenarios;
    if (method == Method.MONTE_CARLO && k == 0) {
      k = DEFAULT_SCENARIOS;
    }
    if (method == Method.HISTORICAL) {
      HistoricalReturns r = b.returns();
      if (r == null) {
        throw new IllegalArgumentException(
            "historical simulation needs returns; the book has none");
      }
      if (k == 0) {
        k = Scenarios.windows(r, horizonDays);
      }
      if (k == 0) {
        throw new IllegalArgumentException(
            r.days() + " days of returns give no window of " + horizonDays + " days");
      }
    }
    Positions p = new Positions(b, horizonDays, levels);
    String prefix = "risk" + JOBS.incrementAndGet() + "_";
    List<String> created = new ArrayList<>();
    boolean ok = false;
    try {
      long t1 = System.nanoTime();
      PositionGreeks greeks = PositionGreeks.compute(p);
      writePositions(engine, prefix + "positions", p, greeks);
      created.add(prefix + "positions");
      writeCells(engine, prefix + "cells", p);
      created.add(prefix + "cells");
      long t2 = System.nanoTime();
      progress.update("scenarios", 0, k);
      double[] spots =
          method == Method.MONTE_CARLO
              ? Scenarios.monteCarlo(engine, p, k, horizonDays, seed, progress)
              : Scenarios.historical(p, k, horizonDays, progress);
      long t3 = System.nanoTime();
      progress.update("revaluation", 0, k);
      long[] pnl = Revaluation.run(engine, p, spots, k, progress);
      long t4 = System.nanoTime();
      writePnl(engine, prefix + "pnl", p, pnl, k);
      created.add(prefix + "pnl");
      long t5 = System.nanoTime();
      progress.update("aggregation", 0, 1 + levels.size());
      Aggregation agg = new Aggregation(engine, prefix, p, k, confidences, progress);
      RiskReport.Greeks total = agg.totalGreeks();
      List<RiskReport.Measure> totals = agg.totals();
      Map<RiskLevel, List<RiskReport.GroupRisk>> groups = new EnumMap<>(RiskLevel.class);
      for (RiskLevel level : levels) {
        groups.put(level, agg.groups(level));
      }
      long t6 = System.nanoTime();
      RiskReport.Timings timings =
          new RiskReport.Timings(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t6 - t0);
      RiskReport.Setup setup =
          new RiskReport.Setup(
              method,
              k,
              horizonDays,
              confidences,
              seed,
              b.market().valuationDate(),
              b.market().currency(),
              p.instruments(),
              p.options,
              p.underlyings,
              p.cells(),
              describe(engine));
      ok = true;
      return new RiskReport(
          setup, totals, groups, total, agg.totalPnl(), timings, keepTables ? created : List.of());
    } finally {
      if (!keepTables || !ok) {
        for (String t : created) {
          engine.dropTable(t);
        }
      }
    }
  }

  static String describe(Engine engine) {
    StringBuilder sb = new StringBuilder();
    sb.append(engine.fusedDevice().name()).append(": ");
    boolean first = true;
    for (Map.Entry<String, Integer> w : engine.workers().entrySet()) {
      Device d = null;
      for (Device m : engine.fusedDevice().members()) {
        if (m.name().equals(w.getKey())) {
          d = m;
        }
      }
      sb.append(first ? "" : ", ")
          .append(w.getKey())
          .append(d != null && d.spec().simulated() ? " (simulated)" : "")
          .append(' ')
          .append(w.getValue())
          .append(w.getValue() == 1 ? " worker" : " workers");
      first = false;
    }
    return sb.toString();
  }

  // ---- the job's tables ---------------------------------------------------------------------

  private static void writePositions(Engine e, String name, Positions p, PositionGreeks g) {
    Schema schema =
        Schema.of(
            Field.of("id", DataType.UTF8),
            Field.of("desk", DataType.DICTIONARY_UTF8),
            Field.of("book", DataType.DICTIONARY_UTF8),
            Field.of("underlying", DataType.DICTIONARY_UTF8),
            Field.of("type", DataType.DICTIONARY_UTF8),
            Field.of("quantity", DataType.FLOAT64),
            Field.of("mtm", DataType.INT64),
            Field.of("delta", DataType.INT64),
            Field.of("gamma", DataType.INT64),
            Field.of("vega", DataType.INT64),
            Field.of("theta", DataType.INT64),
            Field.of("rho", DataType.INT64));
    try (TableBuilder tb = e.createTable(name, schema)) {
      for (int i = 0; i < g.instruments.length; i++) {
        Instrument ins = g.instruments[i];
        tb.addRow(
            ins.id(),
            ins.desk(),
            ins.book(),
            ins.underlying(),
            ins.type().label(),
            ins.quantity(),
            g.units[0][i],
            g.units[1][i],
            g.units[2][i],
            g.units[3][i],
            g.units[4][i],
            g.units[5][i]);
      }
      tb.build();
    }
  }

  private static void writeCells(Engine e, String name, Positions p) {
    List<Field> fields = new ArrayList<>();
    fields.add(Field.of("cell", DataType.INT32));
    int nl = p.levels.size();
    for (RiskLevel l : p.levels) {
      fields.add(Field.of(l.column(), DataType.DICTIONARY_UTF8));
    }
    for (RiskLevel l : p.levels) {
      fields.add(Field.of(l.column() + "_id", DataType.INT32));
    }
    try (TableBuilder tb = e.createTable(name, Schema.of(fields.toArray(new Field[0])))) {
      tb.placement(Placement.replicated());
      for (int c = 0; c < p.cells(); c++) {
        Object[] row = new Object[1 + 2 * nl];
        row[0] = c;
        String[] keys = p.cellKeys.get(c);
        System.arraycopy(keys, 0, row, 1, nl);
        for (int l = 0; l < nl; l++) {
          row[1 + nl + l] = p.groupId(l, keys[l]);
        }
        tb.addRow(row);
      }
      tb.build();
    }
  }

  /** Rows per batch when loading the P&amp;L table. */
  private static final int PNL_BATCH = 1 << 16;

  /**
   * The P&amp;L table: one row per (scenario, cell) with the cell's group id at every level
   * (denormalised, so that a breakdown is one GROUP BY without a join), loaded in primitive
   * batches.
   */
  private static void writePnl(Engine e, String name, Positions p, long[] pnl, int scenarios) {
    int nl = p.levels.size();
    List<Field> fields = new ArrayList<>();
    fields.add(Field.of("scenario", DataType.INT32));
    fields.add(Field.of("cell", DataType.INT32));
    for (RiskLevel l : p.levels) {
      fields.add(Field.of(l.column() + "_id", DataType.INT32));
    }
    fields.add(Field.of("pnl", DataType.INT64));
    int cells = p.cells();
    long[][] ids = new long[nl][cells];
    for (int c = 0; c < cells; c++) {
      String[] keys = p.cellKeys.get(c);
      for (int l = 0; l < nl; l++) {
        ids[l][c] = p.groupId(l, keys[l]);
      }
    }
    int members = e.fusedDevice().members().size();
    long rows = (long) scenarios * cells;
    int perGroup = (int) Math.max(1, Math.min(1 << 22, (rows + 2L * members - 1) / (2L * members)));
    long[][] cols = new long[3 + nl][PNL_BATCH];
    try (TableBuilder tb = e.createTable(name, Schema.of(fields.toArray(new Field[0])))) {
      tb.placement(Placement.roundRobin()).rowGroupRows(perGroup);
      for (long r0 = 0; r0 < rows; r0 += PNL_BATCH) {
        int n = (int) Math.min(PNL_BATCH, rows - r0);
        for (int i = 0; i < n; i++) {
          long r = r0 + i;
          int s = (int) (r / cells);
          int c = (int) (r - (long) s * cells);
          cols[0][i] = s;
          cols[1][i] = c;
          for (int l = 0; l < nl; l++) {
            cols[2 + l][i] = ids[l][c];
          }
          cols[2 + nl][i] = pnl[(int) r];
        }
        ColumnValues[] batch = new ColumnValues[cols.length];
        for (int k = 0; k < cols.length; k++) {
          batch[k] = ColumnValues.ofLongs(cols[k], n, null);
        }
        tb.addBatch(batch);
      }
      tb.build();
    }
  }

  // ---- aggregation through the engine ----------------------------------------------------

  /** Per-scenario P&amp;L by group and Greeks by group, from SQL over the job's tables. */
  private static final class Aggregation {
    private final Engine engine;
    private final String prefix;
    private final Positions p;
    private final int scenarios;
    private final List<Double> confidences;
    private final Progress progress;
    private final long[] total;
    private final int[] order;
    private final int tailRanks;
    private int done;

    Aggregation(
        Engine engine,
        String prefix,
        Positions p,
        int scenarios,
        List<Double> confidences,
        Progress progress) {
      this.engine = engine;
      this.prefix = prefix;
      this.p = p;
      this.scenarios = scenarios;
      this.confidences = confidences;
      this.progress = progress;
      Result r =
          engine
              .sql("SELECT scenario, SUM(pnl) AS pnl FROM " + prefix + "pnl GROUP BY scenario")
              .execute();
      total = new long[scenarios];
      for (Result.Row row : r) {
        total[(int) row.getLong("scenario")] = row.getLong("pnl");
      }
      // the tail and the Euler windows need the lowest ranks only
      int ranks = 0;
      for (double c : confidences) {
        ranks = Math.max(ranks, RiskMath.tailCount(scenarios, c));
      }
      tailRanks = ranks;
      order = RiskMath.smallest(total, ranks + RiskMath.eulerHalfWidth(scenarios));
      progress.update("aggregation", ++done, 1 + p.levels.size());
    }

    double[] totalPnl() {
      double[] out = new double[scenarios];
      for (int s = 0; s < scenarios; s++) {
        out[s] = total[s] / Revaluation.UNITS_PER_CURRENCY;
      }
      return out;
    }

    List<RiskReport.Measure> totals() {
      List<RiskReport.Measure> out = new ArrayList<>();
      for (double c : confidences) {
        int k = RiskMath.tailCount(scenarios, c);
        out.add(
            new RiskReport.Measure(c, RiskMath.var(total, order, k), RiskMath.es(total, order, k)));
      }
      return out;
    }

    RiskReport.Greeks totalGreeks() {
      Result r =
          engine
              .sql(
                  "SELECT SUM(mtm) AS mtm, SUM(delta) AS delta, SUM(gamma) AS gamma, SUM(vega) AS"
                      + " vega, SUM(theta) AS theta, SUM(rho) AS rho FROM "
                      + prefix
                      + "positions")
              .execute();
      return greeks(r.row(0));
    }

    private static RiskReport.Greeks greeks(Result.Row row) {
      double u = Revaluation.UNITS_PER_CURRENCY;
      return new RiskReport.Greeks(
          row.getLong("mtm") / u,
          row.getLong("delta") / u,
          row.getLong("gamma") / u,
          row.getLong("vega") / u,
          row.getLong("theta") / u,
          row.getLong("rho") / u);
    }

    List<RiskReport.GroupRisk> groups(RiskLevel level) {
      String col = level.column();
      int li = p.levels.indexOf(level);
      // integer group ids, denormalised into the P&L table: no join, and grouping by (int, int)
      // is much cheaper than by (int, utf8)
      Result r =
          engine
              .sql(
                  "SELECT scenario, "
                      + col
                      + "_id AS grp, SUM(pnl) AS pnl FROM "
                      + prefix
                      + "pnl GROUP BY scenario, "
                      + col
                      + "_id")
              .execute();
      int nGroups = p.groupKeys.get(li).size();
      long[][] byId = new long[nGroups][];
      for (Result.Row row : r) {
        int id = (int) row.getLong("grp");
        long[] v = byId[id];
        if (v == null) {
          v = new long[scenarios];
          byId[id] = v;
        }
        v[(int) row.getLong("scenario")] = row.getLong("pnl");
      }
      Result g =
          engine
              .sql(
                  "SELECT "
                      + col
                      + " AS grp, COUNT(*) AS n, SUM(mtm) AS mtm, SUM(delta) AS delta, SUM(gamma)"
                      + " AS gamma, SUM(vega) AS vega, SUM(theta) AS theta, SUM(rho) AS rho FROM "
                      + prefix
                      + "positions GROUP BY "
                      + col)
              .execute();
      List<RiskReport.GroupRisk> out = new ArrayList<>();
      int m = RiskMath.eulerHalfWidth(scenarios);
      long[] totalWindow = new long[confidences.size()];
      int[] ks = new int[confidences.size()];
      List<Double> totalVar = new ArrayList<>();
      for (int i = 0; i < ks.length; i++) {
        ks[i] = RiskMath.tailCount(scenarios, confidences.get(i));
        totalWindow[i] = RiskMath.windowSum(total, order, ks[i], m);
        totalVar.add(RiskMath.var(total, order, ks[i]));
      }
      for (Result.Row row : g) {
        String key = row.getString("grp");
        long[] v = byId[p.groupId(li, key)];
        if (v == null) {
          v = new long[scenarios];
        }
        int[] own = RiskMath.smallest(v, tailRanks);
        List<RiskReport.Measure> standalone = new ArrayList<>();
        List<Double> euler = new ArrayList<>();
        List<Double> esc = new ArrayList<>();
        for (int i = 0; i < ks.length; i++) {
          int k = ks[i];
          standalone.add(
              new RiskReport.Measure(
                  confidences.get(i), RiskMath.var(v, own, k), RiskMath.es(v, own, k)));
          euler.add(
              RiskMath.euler(totalVar.get(i), RiskMath.windowSum(v, order, k, m), totalWindow[i]));
          esc.add(-RiskMath.tailSum(v, order, k) / (double) k / Revaluation.UNITS_PER_CURRENCY);
        }
        out.add(
            new RiskReport.GroupRisk(
                level, key, (int) row.getLong("n"), standalone, euler, esc, greeks(row)));
      }
      out.sort(
          (a, b) -> {
            int c = Double.compare(b.eulerVar().getFirst(), a.eulerVar().getFirst());
            return c != 0 ? c : a.key().compareTo(b.key());
          });
      progress.update("aggregation", ++done, 1 + p.levels.size());
      return out;
    }
  }
}
