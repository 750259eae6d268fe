package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Window functions over rows sorted by partition then order keys (a {@link SortSink} runs first):
 * keeps the rows, then in {@link #finish} finds partitions and peer groups, computes each function
 * over its frame, and writes the rows with the function columns appended, in the sorted order.
 *
 * <p><b>Frames.</b> Each row's frame is a row range {@code [lo, hi]} of its partition; both ends
 * move forward from row to row. A frame that starts at the partition's first row is accumulated
 * forward, one that ends at its last row backward, and any other one row by row. COUNT and sums of
 * integers and decimals use exact prefix sums. Memory: the rows and the function columns are
 * reserved against the query's operator state (the window's input must fit in the query's working
 * memory; the sort before it spills).
 */
public final class WindowSink implements Sink, AutoCloseable {
  private static final int OUT_ROWS = 65536;

  private final WindowSpec spec;
  private final DataType[] types;
  private final DataType[] outTypes;
  private final OpStats stats = new OpStats();
  private final List<Chunk> inputs = new ArrayList<>();
  private final List<Chunk> output = new ArrayList<>();

  /** A window over rows of {@code types} (compute types, dictionaries decoded). */
  public WindowSink(WindowSpec spec, DataType[] types) {
    this.spec = spec;
    this.types = types.clone();
    this.outTypes = new DataType[types.length + spec.functions().size()];
    System.arraycopy(types, 0, outTypes, 0, types.length);
    for (int i = 0; i < spec.functions().size(); i++) {
      outTypes[types.length + i] = spec.functions().get(i).type();
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
      if (b.count() > 0) {
        mine.add(Chunk.copyOf(b, worker.query().stateConsumer()));
      }
      stats.record(b.count(), 0, System.nanoTime() - t0);
    }
  }

  @Override
  public Op createLocal(Worker worker) {
    return new Local(worker);
  }

  @Override
  public synchronized void combine(Op local) {
    inputs.addAll(((Local) local).mine);
    ((Local) local).mine.clear();
  }

  @Override
  public void discard(Op local) {
    for (Chunk c : ((Local) local).mine) {
      c.close();
    }
    ((Local) local).mine.clear();
  }

  @Override
  public void finish(QueryContext query) {
    long t0 = System.nanoTime();
    if (inputs.isEmpty()) {
      return;
    }
    try (Chunk all = Chunk.concat(inputs, types, query.stateConsumer())) {
      for (Chunk c : inputs) {
        c.close();
      }
      inputs.clear();
      int n = all.rows();
      int[] pstart = new int[n];
      int[] pend = new int[n];
      int[] gstart = new int[n];
      int[] gend = new int[n];
      bounds(all, pstart, pend, gstart, gend);
      List<Computed> computed = new ArrayList<>();
      for (WindowSpec.Function f : spec.functions()) {
        computed.add(compute(f, all, pstart, pend, gstart, gend));
      }
      DataType[] ft = new DataType[computed.size()];
      long[] utf8 = new long[ft.length];
      boolean[] nullable = new boolean[ft.length];
      for (int i = 0; i < ft.length; i++) {
        ft[i] = spec.functions().get(i).type();
        nullable[i] = true;
        utf8[i] = computed.get(i).utf8Bytes(all);
      }
      try (Chunk fn = Chunk.allocate(ft, n, utf8, nullable, query.stateConsumer())) {
        for (int i = 0; i < ft.length; i++) {
          computed.get(i).write(all, fn.column(i));
        }
        Vec[] cols = new Vec[outTypes.length];
        System.arraycopy(all.columns(), 0, cols, 0, types.length);
        System.arraycopy(fn.columns(), 0, cols, types.length, ft.length);
        try (Arena arena = Arena.ofConfined()) {
          MemorySegment sel = arena.allocate(4L * Math.min(n, OUT_ROWS), 64);
          for (int from = 0; from < n; from += OUT_ROWS) {
            int k = Math.min(OUT_ROWS, n - from);
            for (int r = 0; r < k; r++) {
              sel.setAtIndex(ArrowLayout.INT32, r, from + r);
            }
            output.add(Chunk.copyOf(new Batch(cols, n, sel, k), query.resultConsumer()));
          }
        }
      }
      stats.record(0, n, System.nanoTime() - t0);
    }
  }

  // ---- partitions and peers ------------------------------------------------------------------

  private void bounds(Chunk all, int[] pstart, int[] pend, int[] gstart, int[] gend) {
    int n = all.rows();
    int ps = 0;
    int gs = 0;
    for (int i = 0; i < n; i++) {
      boolean newPartition = i > 0 && differs(all, spec.partition(), i);
      boolean newPeer = newPartition || (i > 0 && differsOrder(all, i));
      if (newPartition) {
        for (int j = ps; j < i; j++) {
          pend[j] = i;
        }
        ps = i;
      }
      if (newPeer) {
        for (int j = gs; j < i; j++) {
          gend[j] = i;
        }
        gs = i;
      }
      pstart[i] = ps;
      gstart[i] = gs;
    }
    for (int j = ps; j < n; j++) {
      pend[j] = n;
    }
    for (int j = gs; j < n; j++) {
      gend[j] = n;
    }
  }

  private static boolean differs(Chunk all, int[] cols, int i) {
    for (int c : cols) {
      if (compare(all.column(c), i, i - 1) != 0) {
        return true;
      }
    }
    return false;
  }

  private boolean differsOrder(Chunk all, int i) {
    for (SortSink.Key k : spec.order()) {
      if (compare(all.column(k.column()), i, i - 1) != 0) {
        return true;
      }
    }
    return false;
  }

  /** Compares rows {@code i} and {@code j} of {@code v}; nulls equal each other, first. */
  private static int compare(Vec v, int i, int j) {
    boolean a = v.isNull(i);
    boolean b = v.isNull(j);
    if (a || b) {
      return a == b ? 0 : (a ? -1 : 1);
    }
    return switch (v.type().kind()) {
      case BOOL -> Boolean.compare(v.getBool(i), v.getBool(j));
      case INT8, INT16, INT32, DATE32 -> Integer.compare(v.getInt(i), v.getInt(j));
      case FLOAT32, FLOAT64 -> {
        double x = v.getDouble(i);
        double y = v.getDouble(j);
        yield x == y ? 0 : Double.compare(x, y);
      }
      case UTF8, DICTIONARY_UTF8 -> compareUtf8(v, i, j);
      default -> Long.compare(v.getLong(i), v.getLong(j));
    };
  }

  private static int compareUtf8(Vec v, int i, int j) {
    MemorySegment d = Objects.requireNonNull(v.data());
    int xs = v.values().getAtIndex(ArrowLayout.INT32, i);
    int xe = v.values().getAtIndex(ArrowLayout.INT32, i + 1L);
    int ys = v.values().getAtIndex(ArrowLayout.INT32, j);
    int ye = v.values().getAtIndex(ArrowLayout.INT32, j + 1L);
    long m = MemorySegment.mismatch(d, xs, xe, d, ys, ye);
    if (m < 0) {
      return 0;
    }
    if (m == xe - xs) {
      return -1;
    }
    if (m == ye - ys) {
      return 1;
    }
    return Integer.compare(
        Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, xs + m)),
        Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, ys + m)));
  }

  // ---- frames ----------------------------------------------------------------------------------

  private long lo(int i, int ps, int gs) {
    WindowSpec.Bound b = spec.lower();
    return switch (b.kind()) {
      case UNBOUNDED_PRECEDING -> ps;
      case PRECEDING -> Math.max(ps, (long) i - b.offset());
      case CURRENT_ROW -> spec.rows() ? i : gs;
      case FOLLOWING -> (long) i + b.offset();
      case UNBOUNDED_FOLLOWING -> Long.MAX_VALUE;
    };
  }

  private long hi(int i, int pe, int ge) {
    WindowSpec.Bound b = spec.upper();
    return switch (b.kind()) {
      case UNBOUNDED_PRECEDING -> Long.MIN_VALUE;
      case PRECEDING -> (long) i - b.offset();
      case CURRENT_ROW -> spec.rows() ? i : ge - 1L;
      case FOLLOWING -> Math.min(pe - 1L, (long) i + b.offset());
      case UNBOUNDED_FOLLOWING -> pe - 1L;
    };
  }

  /** A function's values: numbers, or for value functions the row each value comes from. */
  private final class Computed {
    final WindowSpec.Function f;
    final int n;
    final long @Nullable [] longs;
    final double @Nullable [] doubles;
    final boolean[] isNull;

    /** Value functions: the source row, -1 for NULL, -2 for the default. */
    final int @Nullable [] source;

    Computed(WindowSpec.Function f, int n, boolean value) {
      this.f = f;
      this.n = n;
      this.isNull = new boolean[n];
      boolean dbl = f.type().kind() == DataType.Kind.FLOAT64;
      this.source = value ? new int[n] : null;
      this.longs = !value && !dbl ? new long[n] : null;
      this.doubles = !value && dbl ? new double[n] : null;
    }

    long utf8Bytes(Chunk all) {
      int[] src = source;
      if (src == null || f.type().kind() != DataType.Kind.UTF8) {
        return 0;
      }
      Vec v = all.column(f.argument());
      long bytes = 0;
      for (int s : src) {
        if (s >= 0 && !v.isNull(s)) {
          bytes +=
              v.values().getAtIndex(ArrowLayout.INT32, s + 1L)
                  - v.values().getAtIndex(ArrowLayout.INT32, s);
        } else if (s == -2 && f.defaultValue() != null) {
          bytes += f.defaultValue().toString().getBytes(StandardCharsets.UTF_8).length;
        }
      }
      return bytes;
    }

    void write(Chunk all, Vec out) {
      MemorySegment validity = Objects.requireNonNull(out.validity());
      MemorySegment values = out.values();
      int[] src = source;
      if (src == null) {
        long[] l = longs;
        double[] d = doubles;
        for (int r = 0; r < n; r++) {
          if (isNull[r]) {
            continue;
          }
          Validity.set(validity, r, true);
          if (d != null) {
            values.setAtIndex(ArrowLayout.FLOAT64, r, d[r]);
          } else {
            values.setAtIndex(ArrowLayout.INT64, r, Objects.requireNonNull(l)[r]);
          }
        }
        return;
      }
      Vec v = all.column(f.argument());
      DataType t = f.type();
      long at = 0;
      for (int r = 0; r < n; r++) {
        int s = src[r];
        Object def = f.defaultValue();
        boolean valid = s >= 0 ? !v.isNull(s) : s == -2 && def != null;
        if (valid) {
          Validity.set(validity, r, true);
        }
        switch (t.kind()) {
          case UTF8 -> {
            if (valid) {
              byte[] b =
                  s >= 0
                      ? v.getBytes(s)
                      : Objects.requireNonNull(def).toString().getBytes(StandardCharsets.UTF_8);
              MemorySegment.copy(
                  b, 0, Objects.requireNonNull(out.data()), ValueLayout.JAVA_BYTE, at, b.length);
              at += b.length;
            }
            values.setAtIndex(ArrowLayout.INT32, r + 1L, (int) at);
          }
          case BOOL -> {
            if (valid && (s >= 0 ? v.getBool(s) : (Boolean) Objects.requireNonNull(def))) {
              Validity.set(values, r, true);
            }
          }
          case INT32 ->
              values.setAtIndex(
                  ArrowLayout.INT32,
                  r,
                  !valid ? 0 : s >= 0 ? v.getInt(s) : (Integer) Objects.requireNonNull(def));
          case DATE32 ->
              values.setAtIndex(
                  ArrowLayout.INT32,
                  r,
                  !valid
                      ? 0
                      : s >= 0
                          ? v.getInt(s)
                          : (int) ((LocalDate) Objects.requireNonNull(def)).toEpochDay());
          case FLOAT64 ->
              values.setAtIndex(
                  ArrowLayout.FLOAT64,
                  r,
                  !valid ? 0 : s >= 0 ? v.getDouble(s) : (Double) Objects.requireNonNull(def));
          default ->
              values.setAtIndex(
                  ArrowLayout.INT64,
                  r,
                  !valid ? 0 : s >= 0 ? v.getLong(s) : defaultLong(Objects.requireNonNull(def), t));
        }
      }
    }
  }

  private static long defaultLong(Object def, DataType t) {
    return switch (def) {
      case BigDecimal d -> d.setScale(t.scale(), RoundingMode.HALF_UP).unscaledValue().longValue();
      case Instant i -> ChronoUnit.MICROS.between(Instant.EPOCH, i);
      default -> ((Number) def).longValue();
    };
  }

  private Computed compute(
      WindowSpec.Function f, Chunk all, int[] pstart, int[] pend, int[] gstart, int[] gend) {
    int n = all.rows();
    boolean value =
        switch (f.kind()) {
          case MIN, MAX, FIRST_VALUE, LAST_VALUE, LAG, LEAD -> true;
          default -> false;
        };
    Computed out = new Computed(f, n, value);
    long[] longs = out.longs;
    int[] source = out.source;
    switch (f.kind()) {
      case ROW_NUMBER -> {
        for (int i = 0; i < n; i++) {
          Objects.requireNonNull(longs)[i] = i - pstart[i] + 1L;
        }
      }
      case RANK -> {
        for (int i = 0; i < n; i++) {
          Objects.requireNonNull(longs)[i] = gstart[i] - pstart[i] + 1L;
        }
      }
      case DENSE_RANK -> {
        long rank = 0;
        for (int i = 0; i < n; i++) {
          rank = i == pstart[i] ? 1 : (gstart[i] == i ? rank + 1 : rank);
          Objects.requireNonNull(longs)[i] = rank;
        }
      }
      case LAG, LEAD -> {
        long step = f.kind() == WindowSpec.Kind.LAG ? -f.offset() : f.offset();
        for (int i = 0; i < n; i++) {
          long j = i + step;
          Objects.requireNonNull(source)[i] = j >= pstart[i] && j < pend[i] ? (int) j : -2;
        }
      }
      default -> framed(f, all, out, pstart, pend, gstart, gend);
    }
    return out;
  }

  private void framed(
      WindowSpec.Function f,
      Chunk all,
      Computed out,
      int[] pstart,
      int[] pend,
      int[] gstart,
      int[] gend) {
    int n = all.rows();
    Vec arg = f.argument() >= 0 ? all.column(f.argument()) : null;
    boolean exact =
        arg != null
            && arg.type().kind() != DataType.Kind.FLOAT64
            && arg.type().kind() != DataType.Kind.FLOAT32;
    // exact prefix sums and counts: prefix[i] = over rows [0, i)
    long[] count = new long[0];
    long @Nullable [] sum = null;
    if (f.kind() == WindowSpec.Kind.COUNT
        || f.kind() == WindowSpec.Kind.SUM
        || f.kind() == WindowSpec.Kind.SUM0
        || f.kind() == WindowSpec.Kind.AVG) {
      Vec a = Objects.requireNonNull(arg);
      count = new long[n + 1];
      sum = exact ? new long[n + 1] : null;
      for (int i = 0; i < n; i++) {
        boolean valid = !a.isNull(i);
        count[i + 1] = count[i] + (valid ? 1 : 0);
        long[] sm = sum;
        if (sm != null) {
          long x =
              valid ? (a.type().kind() == DataType.Kind.INT32 ? a.getInt(i) : a.getLong(i)) : 0;
          sm[i + 1] = Math.addExact(sm[i], x);
        }
      }
    }
    boolean forward = spec.lower().kind() == WindowSpec.BoundKind.UNBOUNDED_PRECEDING;
    boolean backward = spec.upper().kind() == WindowSpec.BoundKind.UNBOUNDED_FOLLOWING;
    double scale =
        arg != null && arg.type().kind() == DataType.Kind.DECIMAL
            ? Math.pow(10, arg.type().scale())
            : 1;
    int i = 0;
    while (i < n) {
      int ps = pstart[i];
      int pe = pend[i];
      // running state for a frame anchored at one end of the partition
      double acc = 0;
      int best = -1;
      int edge = backward && !forward ? pe : ps - 1;
      int[] order = new int[pe - ps];
      for (int k = 0; k < order.length; k++) {
        order[k] = backward && !forward ? pe - 1 - k : ps + k;
      }
      for (int r : order) {
        long lo = Math.max(ps, lo(r, ps, gstart[r]));
        long hi = Math.min(pe - 1L, hi(r, pe, gend[r]));
        boolean empty = lo > hi;
        switch (f.kind()) {
          case COUNT_STAR -> Objects.requireNonNull(out.longs)[r] = empty ? 0 : hi - lo + 1;
          case COUNT ->
              Objects.requireNonNull(out.longs)[r] =
                  empty ? 0 : count[(int) hi + 1] - count[(int) lo];
          case FIRST_VALUE -> Objects.requireNonNull(out.source)[r] = empty ? -1 : (int) lo;
          case LAST_VALUE -> Objects.requireNonNull(out.source)[r] = empty ? -1 : (int) hi;
          case SUM, SUM0, AVG -> {
            long c = empty ? 0 : count[(int) hi + 1] - count[(int) lo];
            if (c == 0) {
              if (f.kind() == WindowSpec.Kind.SUM0) {
                setZero(out, r);
              } else {
                out.isNull[r] = true;
              }
              continue;
            }
            long[] sm = sum;
            if (sm != null) {
              long s = Math.subtractExact(sm[(int) hi + 1], sm[(int) lo]);
              if (f.kind() == WindowSpec.Kind.AVG) {
                Objects.requireNonNull(out.doubles)[r] = s / scale / c;
              } else {
                Objects.requireNonNull(out.longs)[r] = s;
              }
              continue;
            }
            Vec a = Objects.requireNonNull(arg);
            double total;
            if (forward || backward) {
              // extend the running sum to the frame's moving end
              if (forward) {
                while (edge < hi) {
                  edge++;
                  acc += a.isNull(edge) ? 0 : a.getDouble(edge);
                }
              } else {
                while (edge > lo) {
                  edge--;
                  acc += a.isNull(edge) ? 0 : a.getDouble(edge);
                }
              }
              total = acc;
            } else {
              total = 0;
              for (long x = lo; x <= hi; x++) {
                total += a.isNull((int) x) ? 0 : a.getDouble((int) x);
              }
            }
            if (f.kind() == WindowSpec.Kind.AVG) {
              Objects.requireNonNull(out.doubles)[r] = total / c;
            } else {
              Objects.requireNonNull(out.doubles)[r] = total;
            }
          }
          case MIN, MAX -> {
            Vec a = Objects.requireNonNull(arg);
            int sign = f.kind() == WindowSpec.Kind.MIN ? 1 : -1;
            if (empty) {
              Objects.requireNonNull(out.source)[r] = -1;
              continue;
            }
            if (forward || backward) {
              if (forward) {
                while (edge < hi) {
                  edge++;
                  best = better(a, edge, best, sign);
                }
              } else {
                while (edge > lo) {
                  edge--;
                  best = better(a, edge, best, sign);
                }
              }
              Objects.requireNonNull(out.source)[r] = best;
            } else {
              int b = -1;
              for (long x = lo; x <= hi; x++) {
                b = better(a, (int) x, b, sign);
              }
              Objects.requireNonNull(out.source)[r] = b;
            }
          }
          default -> throw new IllegalStateException("not a framed function: " + f.kind());
        }
      }
      i = pe;
    }
  }

  private static void setZero(Computed out, int r) {
    if (out.doubles != null) {
      Objects.requireNonNull(out.doubles)[r] = 0;
    } else {
      Objects.requireNonNull(out.longs)[r] = 0;
    }
  }

  /** The better of row {@code x} and row {@code best} (-1: none) for MIN (sign 1) or MAX. */
  private static int better(Vec a, int x, int best, int sign) {
    if (a.isNull(x)) {
      return best;
    }
    if (best < 0) {
      return x;
    }
    return sign * compare(a, x, best) < 0 ? x : best;
  }

  /** The rows with the function columns, in order (owned by this sink until taken). */
  public List<Chunk> take() {
    List<Chunk> out = new ArrayList<>(output);
    output.clear();
    return out;
  }

  @Override
  public String describe() {
    return "Window " + spec;
  }

  @Override
  public OpStats stats() {
    return stats;
  }

  @Override
  public void close() {
    for (Chunk c : inputs) {
      c.close();
    }
    inputs.clear();
    for (Chunk c : take()) {
      c.close();
    }
  }
}
