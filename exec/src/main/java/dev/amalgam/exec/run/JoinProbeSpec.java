package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.JoinHashTable;
import dev.amalgam.kernels.KeyColumn;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The probe side of a hash join: a streaming operator that looks each input (probe) batch up in a
 * finished {@link JoinBuildSink} and pushes the joined rows. INNER, LEFT, RIGHT and FULL output
 * every probe column, then every build column, in pieces of at most 65536 rows; SEMI and ANTI push
 * the input batch itself with a narrower selection. Null keys never match.
 *
 * <p>RIGHT and FULL remember which build rows matched; the last of the spec's operator instances to
 * {@link Op#finish() finish} emits the build rows that never matched, with nulls on the probe side,
 * through its own downstream, before finishing it.
 *
 * <p>SEMI and ANTI may carry a residual condition over the pair (probe columns, then build columns,
 * as INNER would output them): a probe row counts as matched only when the condition is true for at
 * least one of its key matches ({@code EXISTS (... WHERE key = key AND a <> b)}).
 *
 * <p>One spec serves one run of its pipeline, after the build pipeline has finished.
 */
public final class JoinProbeSpec implements OpSpec {
  /*
   * Implementation notes.
   *
   * Matching. Without duplicate build keys, probeUnique gives at most one pair per probe row in one
   * call; otherwise the table's Probe hands out pairs in pieces of at most 65536. Pairs come in
   * probe-row order, so LEFT/FULL interleave the unmatched probe rows with a cursor over the
   * batch's live rows (ascending), and the output keeps probe-row order.
   *
   * Memory. Each input batch gets one set of output buffers in the worker's scratch, sized for one
   * piece, reused for every piece of that batch: a piece is consumed once the downstream push
   * returns (see Op#push), and the scratch itself is reset only after the whole morsel.
   *
   * Unmatched build rows (RIGHT/FULL). A bitset per build chunk, shared by all instances, set with
   * an atomic OR (a plain read first, so that rows matched often do not contend). Each instance's
   * finish() counts itself; the instance that makes the count reach the number of instances is the
   * last: every other instance has pushed its last batch before counting itself, and the atomic
   * counter orders those bitset writes before the last instance's reads. The number of instances is
   * given to the constructor (the scheduler's workers for the pipeline) or, when it is not, taken
   * as the number created so far, which is only right when every worker creates its operator before
   * any worker finishes; an instance created after the emission fails the run instead of joining
   * wrongly.
   */

  /** Most rows of one output batch. */
  static final int OUT_ROWS = 65536;

  private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

  private final JoinType type;
  private final JoinBuildSink build;
  private final int[] probeKeys;
  private final DataType[] probeTypes;
  private final DataType[] buildTypes;
  private final DataType[] outputTypes;
  private final @Nullable BoundExpr residual;

  /** The pair columns (probe then build) the residual reads. */
  private final BitSet residualReads;

  private final DataType[] pairTypes;
  private final int instances;
  private final OpStats stats = new OpStats();
  private final AtomicInteger created = new AtomicInteger();
  private final AtomicInteger finished = new AtomicInteger();
  private final AtomicBoolean emitted = new AtomicBoolean();
  private volatile @Nullable State state;

  /**
   * A probe of {@code build} with keys {@code probeKeyColumns} of input columns of compute types
   * {@code probeTypes}; {@code buildTypes} are the build side's column types. For RIGHT and FULL
   * the number of operator instances is taken as the number created (see {@link
   * #JoinProbeSpec(JoinType, JoinBuildSink, int[], DataType[], DataType[], int)}).
   *
   * @throws IllegalArgumentException when the keys do not pair up with the build keys by type
   */
  public JoinProbeSpec(
      JoinType type,
      JoinBuildSink build,
      int[] probeKeyColumns,
      DataType[] probeTypes,
      DataType[] buildTypes) {
    this(type, build, probeKeyColumns, probeTypes, buildTypes, 0);
  }

  /**
   * As {@link #JoinProbeSpec(JoinType, JoinBuildSink, int[], DataType[], DataType[])}, with the
   * number of operator instances the run will create ({@code 1} for an ordered source, else the
   * scheduler's workers summed over members; 0 = count them as they are created), which RIGHT and
   * FULL need to find the last instance to finish.
   *
   * @throws IllegalArgumentException when the keys do not pair up with the build keys by type, or
   *     {@code instances} is negative
   */
  public JoinProbeSpec(
      JoinType type,
      JoinBuildSink build,
      int[] probeKeyColumns,
      DataType[] probeTypes,
      DataType[] buildTypes,
      int instances) {
    this(type, build, probeKeyColumns, probeTypes, buildTypes, instances, null);
  }

  /**
   * As {@link #JoinProbeSpec(JoinType, JoinBuildSink, int[], DataType[], DataType[], int)}, for a
   * SEMI or ANTI join with a {@code residual} condition (bool) over the probe columns followed by
   * the build columns; {@code null} for none.
   *
   * @throws IllegalArgumentException as the other constructors, or when a residual is given for
   *     another join type or is not bool
   */
  public JoinProbeSpec(
      JoinType type,
      JoinBuildSink build,
      int[] probeKeyColumns,
      DataType[] probeTypes,
      DataType[] buildTypes,
      int instances,
      @Nullable BoundExpr residual) {
    this.type = Objects.requireNonNull(type, "type is null");
    if (residual != null) {
      if (!type.testsExistence()) {
        throw new IllegalArgumentException(
            "hash join "
                + type
                + ": a residual condition is only evaluated by SEMI and ANTI (and RIGHT_SEMI,"
                + " RIGHT_ANTI)");
      }
      if (residual.type().kind() != DataType.Kind.BOOL) {
        throw new IllegalArgumentException(
            "hash join residual must be bool; got " + residual.type() + ": " + residual);
      }
    }
    this.residual = residual;
    this.build = Objects.requireNonNull(build, "build is null");
    this.probeKeys = Objects.requireNonNull(probeKeyColumns, "probeKeyColumns is null").clone();
    this.probeTypes = computeTypes(Objects.requireNonNull(probeTypes, "probeTypes is null"));
    this.buildTypes = computeTypes(Objects.requireNonNull(buildTypes, "buildTypes is null"));
    if (instances < 0) {
      throw new IllegalArgumentException("instances must not be negative: " + instances);
    }
    this.instances = instances;
    int[] buildKeys = build.keyColumns();
    if (probeKeys.length != buildKeys.length) {
      throw new IllegalArgumentException(
          "hash join: "
              + probeKeys.length
              + " probe keys "
              + Arrays.toString(probeKeys)
              + " but "
              + buildKeys.length
              + " build keys "
              + Arrays.toString(buildKeys));
    }
    if (this.buildTypes.length != build.columnTypes().length) {
      throw new IllegalArgumentException(
          "hash join: "
              + this.buildTypes.length
              + " build types but the build has "
              + build.columnTypes().length
              + " columns");
    }
    for (int k = 0; k < probeKeys.length; k++) {
      int p = probeKeys[k];
      if (p < 0 || p >= this.probeTypes.length) {
        throw new IllegalArgumentException(
            "hash join probe key "
                + k
                + ": column "
                + p
                + " is not in [0, "
                + this.probeTypes.length
                + ")");
      }
      DataType pt = this.probeTypes[p];
      DataType bt = this.buildTypes[buildKeys[k]];
      if (!JoinKeys.compatible(pt, bt)) {
        throw new IllegalArgumentException(
            "hash join key "
                + k
                + ": probe column "
                + p
                + " of type "
                + pt
                + " cannot be compared with build column "
                + buildKeys[k]
                + " of type "
                + bt
                + " (cast one side first)");
      }
    }
    this.outputTypes = outputTypes(type, this.probeTypes, this.buildTypes);
    this.pairTypes = outputTypes(JoinType.INNER, this.probeTypes, this.buildTypes);
    this.residualReads = new BitSet();
    if (residual != null) {
      BoundExpr.refs(residual, residualReads);
    }
  }

  private static DataType[] computeTypes(DataType[] types) {
    DataType[] out = new DataType[types.length];
    for (int i = 0; i < types.length; i++) {
      DataType t = Objects.requireNonNull(types[i], "type is null");
      out[i] = t.kind() == DataType.Kind.DICTIONARY_UTF8 ? t : t.computeType();
    }
    return out;
  }

  private static DataType[] outputTypes(JoinType type, DataType[] probe, DataType[] build) {
    if (!type.outputsBuildColumns()) {
      return probe.clone();
    }
    if (!type.outputsProbeColumns()) {
      return build.clone();
    }
    DataType[] out = new DataType[probe.length + build.length];
    for (int i = 0; i < probe.length; i++) {
      boolean decode =
          type.keepsUnmatchedBuild() && probe[i].kind() == DataType.Kind.DICTIONARY_UTF8;
      out[i] = decode ? DataType.UTF8 : probe[i];
    }
    System.arraycopy(build, 0, out, probe.length, build.length);
    return out;
  }

  /**
   * The compute types of the output columns: the probe columns (for RIGHT and FULL with dictionary
   * columns decoded to utf8), then, except for SEMI and ANTI, the build columns (dictionary columns
   * still encoded).
   */
  public DataType[] outputTypes() {
    return outputTypes.clone();
  }

  /** The join type. */
  public JoinType type() {
    return type;
  }

  /** What every instance shares once the build is finished. */
  private static final class State {
    final JoinHashTable table;
    final boolean unique;
    final Vec[][] buildColumns;
    final boolean[] buildNullable;
    final int[] chunkRows;
    final long[][] matched;

    State(JoinBuildSink build, int width, boolean trackMatches) {
      this.table = build.table();
      this.unique = !table.hasDuplicateKeys();
      List<Chunk> chunks = build.chunks();
      buildColumns = new Vec[width][chunks.size()];
      buildNullable = new boolean[width];
      chunkRows = new int[chunks.size()];
      matched = new long[trackMatches ? chunks.size() : 0][];
      for (int i = 0; i < chunks.size(); i++) {
        Chunk chunk = chunks.get(i);
        chunkRows[i] = chunk.rows();
        if (trackMatches) {
          matched[i] = new long[(chunk.rows() + 63) >>> 6];
        }
        for (int c = 0; c < width; c++) {
          Vec v = build.column(chunk, c);
          buildColumns[c][i] = v;
          buildNullable[c] |= v.validity() != null;
        }
      }
    }

    void mark(long id) {
      long[] words = matched[(int) (id >>> JoinBuildSink.ROW_BITS)];
      int r = (int) (id & (JoinBuildSink.MAX_CHUNK_ROWS - 1));
      long bit = 1L << (r & 63);
      if ((words[r >>> 6] & bit) == 0) {
        WORDS.getAndBitwiseOr(words, r >>> 6, bit);
      }
    }
  }

  private State state() {
    State s = state;
    if (s == null) {
      synchronized (this) {
        s = state;
        if (s == null) {
          if (!build.isFinished()) {
            throw new IllegalStateException(
                "hash join probe started before its build side was finished");
          }
          s = new State(build, buildTypes.length, type.tracksBuildMatches());
          state = s;
        }
      }
    }
    return s;
  }

  @Override
  public Op create(Worker worker, Op next) {
    State s = state();
    if (type.tracksBuildMatches()) {
      int n = created.incrementAndGet();
      if (emitted.get()) {
        throw new IllegalStateException(
            "hash join "
                + type
                + ": an operator instance was created after the unmatched build rows were emitted;"
                + " give the constructor the number of instances");
      }
      if (instances > 0 && n > instances) {
        throw new IllegalStateException(
            "hash join " + type + ": more than the " + instances + " instances announced");
      }
    }
    return new ProbeOp(worker, next, s);
  }

  /** One worker's probe. */
  private final class ProbeOp extends Op {
    private final Worker worker;
    private final State state;
    private final int probeWidth = probeTypes.length;
    private long downstreamNanos;
    private long rowsOut;

    ProbeOp(Worker worker, Op next, State state) {
      super(next);
      this.worker = worker;
      this.state = state;
    }

    @Override
    public void push(Batch b) {
      long t0 = System.nanoTime();
      downstreamNanos = 0;
      rowsOut = 0;
      int n = b.count();
      if (b.width() != probeWidth) {
        throw new IllegalArgumentException(
            "hash join probe expects " + probeWidth + " columns but got " + b.width());
      }
      if (n > 0) {
        Scratch s = worker.scratch();
        // the pieces emitted for this batch have been consumed when join returns: free them, so
        // that a chain of joins below one scan batch does not pile up scratch memory
        long mark = s.mark();
        try {
          List<KeyColumn> keys = new ArrayList<>(probeKeys.length);
          for (int k : probeKeys) {
            keys.add(JoinKeys.probeKey(b.column(k), s));
          }
          switch (type) {
            case SEMI, ANTI -> {
              if (residual == null) {
                exists(b, keys, s);
              } else {
                existsWhere(b, keys, s, residual);
              }
            }
            case RIGHT_SEMI, RIGHT_ANTI -> markMatches(b, keys, s);
            default -> join(b, keys, s);
          }
        } finally {
          s.release(mark);
        }
      }
      stats.record(n, rowsOut, System.nanoTime() - t0 - downstreamNanos);
    }

    private void exists(Batch b, List<KeyColumn> keys, Scratch s) {
      int n = b.count();
      MemorySegment out = s.allocate(4L * n);
      int m =
          type == JoinType.SEMI
              ? state.table.probeSemi(keys, n, b.sel(), out)
              : state.table.probeAnti(keys, n, b.sel(), out);
      if (m > 0) {
        emit(b.withSelection(out, m));
      }
    }

    /**
     * SEMI/ANTI with a residual: tests the condition on every key match, piece by piece, marks the
     * probe rows with a true one, then pushes the batch with the marked (SEMI) or unmarked (ANTI)
     * rows selected.
     */
    private void existsWhere(Batch b, List<KeyColumn> keys, Scratch s, BoundExpr cond) {
      int n = b.count();
      int rows = 0;
      for (int i = 0; i < n; i++) {
        rows = Math.max(rows, b.row(i) + 1);
      }
      long[] hit = new long[(rows + 63) >>> 6];
      if (state.unique) {
        MemorySegment pr = s.allocate(4L * n);
        MemorySegment br = s.allocate(8L * n);
        int m = state.table.probeUnique(keys, n, b.sel(), pr, br);
        testPairs(b, s, cond, new JoinPieces(s, pairTypes, Math.min(OUT_ROWS, n)), pr, br, m, hit);
      } else {
        int cap = Math.min(OUT_ROWS, Math.max(1024, 2 * n));
        MemorySegment pr = s.allocate(4L * cap);
        MemorySegment br = s.allocate(8L * cap);
        JoinPieces pieces = new JoinPieces(s, pairTypes, cap);
        JoinHashTable.Probe probe = state.table.probe(keys, n, b.sel());
        while (true) {
          int m = probe.next(pr, br, cap);
          testPairs(b, s, cond, pieces, pr, br, m, hit);
          if (m < cap) {
            break;
          }
        }
      }
      boolean keepHit = type == JoinType.SEMI;
      MemorySegment out = s.allocate(4L * n);
      int m = 0;
      for (int i = 0; i < n; i++) {
        int r = b.row(i);
        if (((hit[r >>> 6] & (1L << (r & 63))) != 0) == keepHit) {
          out.setAtIndex(ArrowLayout.INT32, m++, r);
        }
      }
      if (m > 0) {
        emit(b.withSelection(out, m));
      }
    }

    /**
     * RIGHT_SEMI/RIGHT_ANTI: marks the build rows of this batch's key matches (those for which the
     * residual holds); the last instance to finish emits the marked or the unmarked build rows.
     */
    private void markMatches(Batch b, List<KeyColumn> keys, Scratch s) {
      int n = b.count();
      BoundExpr cond = residual;
      if (state.unique) {
        MemorySegment pr = s.allocate(4L * n);
        MemorySegment br = s.allocate(8L * n);
        int m = state.table.probeUnique(keys, n, b.sel(), pr, br);
        if (cond == null) {
          markAll(br, m);
        } else {
          testPairs(
              b, s, cond, new JoinPieces(s, pairTypes, Math.min(OUT_ROWS, n)), pr, br, m, null);
        }
        return;
      }
      int cap = Math.min(OUT_ROWS, Math.max(1024, 2 * n));
      MemorySegment pr = s.allocate(4L * cap);
      MemorySegment br = s.allocate(8L * cap);
      JoinPieces pieces = cond == null ? null : new JoinPieces(s, pairTypes, cap);
      JoinHashTable.Probe probe = state.table.probe(keys, n, b.sel());
      while (true) {
        int m = probe.next(pr, br, cap);
        if (cond == null || pieces == null) {
          markAll(br, m);
        } else {
          testPairs(b, s, cond, pieces, pr, br, m, null);
        }
        if (m < cap) {
          break;
        }
      }
    }

    private void markAll(MemorySegment br, int m) {
      for (int i = 0; i < m; i++) {
        state.mark(br.getAtIndex(ArrowLayout.INT64, i));
      }
    }

    /**
     * Marks the pairs of the {@code m} pairs for which {@code cond} holds: their probe rows in
     * {@code hit}, or, when {@code hit} is null, their build rows in the shared match bitsets.
     */
    private void testPairs(
        Batch b,
        Scratch s,
        BoundExpr cond,
        JoinPieces pieces,
        MemorySegment pr,
        MemorySegment br,
        int m,
        long @Nullable [] hit) {
      int cap = pieces.capacity();
      for (int from = 0; from < m; from += cap) {
        int len = Math.min(cap, m - from);
        MemorySegment rows = pr.asSlice(4L * from);
        MemorySegment ids = br.asSlice(8L * from);
        // only the columns the condition reads are gathered; the others stay empty
        Vec[] cols = new Vec[pairTypes.length];
        for (int c = 0; c < probeWidth; c++) {
          cols[c] =
              residualReads.get(c)
                  ? pieces.probe(c, b.column(c), rows, len)
                  : Vec.fixed(pairTypes[c], 0, MemorySegment.NULL, null);
        }
        for (int c = 0; c < buildTypes.length; c++) {
          int at = probeWidth + c;
          cols[at] =
              residualReads.get(at)
                  ? pieces.build(at, state.buildColumns[c], ids, len, state.buildNullable[c])
                  : Vec.fixed(pairTypes[at], 0, MemorySegment.NULL, null);
        }
        // the pieces' buffers were taken before the mark and stay for the next piece
        long mark = s.mark();
        try {
          MemorySegment sel = s.allocate(4L * len);
          int k = ExprEvaluator.filter(cond, Batch.dense(cols, len), s, sel);
          for (int j = 0; j < k; j++) {
            int p = sel.getAtIndex(ArrowLayout.INT32, j);
            if (hit == null) {
              state.mark(ids.getAtIndex(ArrowLayout.INT64, p));
            } else {
              int r = rows.getAtIndex(ArrowLayout.INT32, p);
              hit[r >>> 6] |= 1L << (r & 63);
            }
          }
        } finally {
          s.release(mark);
        }
      }
    }

    private void emit(Batch out) {
      long t = System.nanoTime();
      rowsOut += out.count();
      downstream().push(out);
      downstreamNanos += System.nanoTime() - t;
    }

    private void join(Batch b, List<KeyColumn> keys, Scratch s) {
      int n = b.count();
      if (state.unique) {
        MemorySegment pr = s.allocate(4L * n);
        MemorySegment br = s.allocate(8L * n);
        int m = state.table.probeUnique(keys, n, b.sel(), pr, br);
        Pieces p = new Pieces(b, s, Math.min(OUT_ROWS, n));
        p.pairs(pr, br, m);
        p.end();
        return;
      }
      int cap = Math.min(OUT_ROWS, Math.max(1024, 2 * n));
      MemorySegment pr = s.allocate(4L * cap);
      MemorySegment br = s.allocate(8L * cap);
      Pieces p = new Pieces(b, s, cap);
      JoinHashTable.Probe probe = state.table.probe(keys, n, b.sel());
      while (!p.stopped) {
        int m = probe.next(pr, br, cap);
        p.pairs(pr, br, m);
        if (m < cap) {
          break;
        }
      }
      p.end();
    }

    /** The pieces of one input batch. */
    private final class Pieces {
      final Batch batch;
      final Scratch scratch;
      final JoinPieces out;
      final boolean outerProbe = type.keepsUnmatchedProbe();
      final boolean markBuild = type.keepsUnmatchedBuild();
      @Nullable MemorySegment rows;
      @Nullable MemorySegment ids;
      int count;
      boolean nullIds;
      int cursor;
      boolean stopped;

      Pieces(Batch batch, Scratch scratch, int capacity) {
        this.batch = batch;
        this.scratch = scratch;
        this.out = new JoinPieces(scratch, outputTypes, capacity);
      }

      /** Takes {@code m} pairs (probe row, build row id). */
      void pairs(MemorySegment pr, MemorySegment br, int m) {
        if (markBuild) {
          for (int i = 0; i < m; i++) {
            state.mark(br.getAtIndex(ArrowLayout.INT64, i));
          }
        }
        if (!outerProbe) {
          int cap = out.capacity();
          for (int from = 0; from < m && !stopped; from += cap) {
            int len = Math.min(cap, m - from);
            flush(pr.asSlice(4L * from), br.asSlice(8L * from), len, false);
          }
          return;
        }
        int live = batch.count();
        for (int i = 0; i < m && !stopped; i++) {
          int p = pr.getAtIndex(ArrowLayout.INT32, i);
          while (cursor < live && batch.row(cursor) < p) {
            add(batch.row(cursor++), -1);
          }
          if (cursor < live && batch.row(cursor) == p) {
            cursor++;
          }
          add(p, br.getAtIndex(ArrowLayout.INT64, i));
        }
      }

      private void add(int probeRow, long buildId) {
        if (stopped) {
          return;
        }
        MemorySegment r = rows;
        MemorySegment d = ids;
        if (r == null || d == null) {
          r = scratch.allocate(4L * out.capacity());
          d = scratch.allocate(8L * out.capacity());
          rows = r;
          ids = d;
        }
        r.setAtIndex(ArrowLayout.INT32, count, probeRow);
        d.setAtIndex(ArrowLayout.INT64, count, buildId);
        nullIds |= buildId < 0;
        if (++count == out.capacity()) {
          flushOwn();
        }
      }

      private void flushOwn() {
        if (count > 0) {
          flush(Objects.requireNonNull(rows), Objects.requireNonNull(ids), count, nullIds);
        }
        count = 0;
        nullIds = false;
      }

      /** Pushes the unmatched probe rows left (LEFT, FULL) and the last piece. */
      void end() {
        if (outerProbe) {
          int live = batch.count();
          while (cursor < live && !stopped) {
            add(batch.row(cursor++), -1);
          }
          if (!stopped) {
            flushOwn();
          }
        }
      }

      private void flush(MemorySegment pr, MemorySegment br, int len, boolean hasNullIds) {
        Vec[] cols = new Vec[outputTypes.length];
        for (int c = 0; c < probeWidth; c++) {
          cols[c] = out.probe(c, batch.column(c), pr, len);
        }
        for (int c = 0; c < buildTypes.length; c++) {
          cols[probeWidth + c] =
              out.build(
                  probeWidth + c,
                  state.buildColumns[c],
                  br,
                  len,
                  hasNullIds || state.buildNullable[c]);
        }
        emit(Batch.dense(cols, len));
        stopped = downstream().done();
      }
    }

    @Override
    public void finish() {
      if (type.tracksBuildMatches()) {
        int done = finished.incrementAndGet();
        boolean last = instances > 0 ? done == instances : done == created.get();
        if (last && emitted.compareAndSet(false, true)) {
          long t0 = System.nanoTime();
          downstreamNanos = 0;
          rowsOut = 0;
          emitUnmatchedBuild();
          stats.addRowsOut(rowsOut);
          stats.addNanos(System.nanoTime() - t0 - downstreamNanos);
        }
      }
      super.finish();
    }

    private void emitUnmatchedBuild() {
      long total = 0;
      for (int rows : state.chunkRows) {
        total += rows;
      }
      if (total == 0 || downstream().done()) {
        return;
      }
      Scratch s = worker.scratch();
      JoinPieces out = new JoinPieces(s, outputTypes, (int) Math.min(OUT_ROWS, total));
      int cap = out.capacity();
      MemorySegment ids = s.allocate(8L * cap);
      int count = 0;
      boolean wantMatched = type == JoinType.RIGHT_SEMI;
      for (int ci = 0; ci < state.chunkRows.length; ci++) {
        long[] words = state.matched[ci];
        int rows = state.chunkRows[ci];
        for (int r = 0; r < rows; r++) {
          long w = (long) WORDS.getAcquire(words, r >>> 6);
          if (((w & (1L << (r & 63))) != 0) != wantMatched) {
            continue;
          }
          ids.setAtIndex(ArrowLayout.INT64, count++, ((long) ci << JoinBuildSink.ROW_BITS) | r);
          if (count == cap) {
            if (flushUnmatched(out, ids, count)) {
              return;
            }
            count = 0;
          }
        }
      }
      if (count > 0) {
        flushUnmatched(out, ids, count);
      }
    }

    /**
     * Pushes one piece of build rows (RIGHT, FULL: unmatched, with nulls on the probe side;
     * RIGHT_SEMI, RIGHT_ANTI: build columns only); returns whether downstream wants no more.
     */
    private boolean flushUnmatched(JoinPieces out, MemorySegment ids, int count) {
      Vec[] cols = new Vec[outputTypes.length];
      int base = type.outputsProbeColumns() ? probeWidth : 0;
      for (int c = 0; c < base; c++) {
        cols[c] = out.nulls(c, count);
      }
      for (int c = 0; c < buildTypes.length; c++) {
        cols[base + c] =
            out.build(base + c, state.buildColumns[c], ids, count, state.buildNullable[c]);
      }
      emit(Batch.dense(cols, count));
      return downstream().done();
    }
  }

  @Override
  public String describe() {
    return "HashJoin "
        + type
        + " probe keys "
        + Arrays.toString(probeKeys)
        + " = build keys "
        + Arrays.toString(build.keyColumns())
        + (residual == null ? "" : " where " + residual);
  }

  @Override
  public OpStats stats() {
    return stats;
  }
}
