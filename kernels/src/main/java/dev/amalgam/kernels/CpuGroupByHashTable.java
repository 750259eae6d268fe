package dev.amalgam.kernels;

import dev.amalgam.memory.Sizes;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryLimitExceededException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The CPU {@link GroupByHashTable}: a {@link KeyTable} plus aggregate state per group. */
final class CpuGroupByHashTable implements GroupByHashTable {
  /*
   * Implementation notes.
   *
   * Rows are processed in chunks of CHUNK rows, in three steps per chunk, each a tight loop:
   * (1) hash the chunk's keys into a scratch buffer with the vectorized hash kernels
   * (CpuHashKernels.hashChunk); (2) find or insert each row's key in the KeyTable, writing a group
   * id per row into a second scratch buffer and counting the row in its group (a single fixed-width
   * key has its own loop that compares the normalized value stored in the slot, and a single int64
   * key without nulls one that also counts as it goes); (3) for each aggregate, one loop over the chunk that
   * updates the state of the row's group (separate loops keep each one simple and branch-light;
   * the state of a few thousand groups stays in L1/L2). Step (2) may grow the table; a refused
   * growth rolls back the chunk's new groups before step (3) touches anything, so a chunk is added
   * completely or not at all and TableFullException.rowsAdded() is the chunk's start.
   *
   * Aggregate state lives in the KeyTable's payload columns, one long per group each: one row count
   * per group shared by all aggregates (it is COUNT(*)), and per aggregate with an input the number
   * of null inputs skipped (non-null count = rows - nulls, which is COUNT, says whether a result is
   * null and divides AVG) and, except for COUNT, a value (long, or double bits). Counting nulls
   * rather than values means a chunk without nulls costs SUM a single add per row. New groups
   * start at the identity of each aggregate (0, or MAX_VALUE / MIN_VALUE for MIN / MAX, NaN /
   * -Infinity for float64 MIN / MAX, the ends of Double.compare's order), so MIN and MAX need no
   * first-value test. Float64 sums add in row order, so they equal the scalar reference bit for
   * bit.
   *
   * Merging is two passes: insert every group of the other table, a chunk at a time with the
   * probe loop of the inserts (rolled back entirely if a growth is refused), keeping each one's
   * group here in an int per group; then fold the states, one loop per payload column. A merge is
   * therefore all or nothing with respect to memory. The group ids of the first pass are an int
   * per merged group on the heap, not charged to the reservation.
   */

  private static final String KERNEL = "group-by hash table";
  private static final int CHUNK = 2048;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

  private static final int ROWS = 0;
  private static final AggregateKernels AGG = AggregateKernels.cpu();

  private final List<KeyType> keyTypes;
  private final List<Agg> aggList;
  private final Agg[] aggs;
  private final int[] valueColumn;
  private final int[] nullColumn;
  private final long[] identity;
  private final TableMemory memory;
  private final TableMemory.Block scratch;
  private final MemorySegment hashScratch;
  private final MemorySegment gidScratch;
  private final KeyTable table;
  private boolean closed;

  CpuGroupByHashTable(
      List<KeyType> keyTypes, List<Agg> aggregates, int initialGroups, MemoryConsumer consumer) {
    this.keyTypes = List.copyOf(keyTypes);
    this.aggList = List.copyOf(aggregates);
    this.aggs = aggList.toArray(new Agg[0]);
    this.valueColumn = new int[aggs.length];
    this.nullColumn = new int[aggs.length];
    this.identity = new long[aggs.length];
    int columns = 1; // ROWS
    for (int a = 0; a < aggs.length; a++) {
      Agg agg = aggs[a];
      boolean isLong = agg.inputType() == ValueType.INT64;
      nullColumn[a] = agg.kind() == AggKind.COUNT_STAR ? -1 : columns++;
      valueColumn[a] =
          agg.kind() == AggKind.COUNT_STAR || agg.kind() == AggKind.COUNT ? -1 : columns++;
      identity[a] =
          switch (agg.kind()) {
            case MIN -> isLong ? Long.MAX_VALUE : Hashing.CANONICAL_NAN;
            case MAX ->
                isLong ? Long.MIN_VALUE : Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
            case COUNT_STAR, COUNT, SUM, AVG -> 0;
          };
    }
    int[] widths = new int[columns];
    Arrays.fill(widths, 8);
    long[] init = new long[columns];
    for (int a = 0; a < aggs.length; a++) {
      if (valueColumn[a] >= 0) {
        init[valueColumn[a]] = identity[a];
      }
    }
    this.memory = new TableMemory(consumer);
    this.scratch = memory.allocate(8L * CHUNK, 4L * CHUNK);
    this.hashScratch = scratch.segment(0);
    this.gidScratch = scratch.segment(1);
    KeyTable t;
    try {
      t =
          new KeyTable(
              KERNEL,
              "groups",
              keyTypes.toArray(new KeyType[0]),
              true,
              widths,
              init,
              ROWS,
              initialGroups,
              memory);
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
  public List<Agg> aggregates() {
    return aggList;
  }

  @Override
  public void add(
      List<KeyColumn> keys, List<ValueColumn> values, int n, @Nullable MemorySegment sel) {
    checkOpen();
    Objects.requireNonNull(keys, "keys is null");
    Objects.requireNonNull(values, "values is null");
    int maxRow = Hashing.checkRows(KERNEL, n, sel);
    KeyColumn[] cols = Hashing.checkKeys(KERNEL, keys, keyTypes, maxRow);
    ValueColumn[] inputs = checkValues(values, maxRow);
    for (int start = 0; start < n; start += CHUNK) {
      int len = Math.min(CHUNK, n - start);
      CpuHashKernels.hashChunk(KERNEL, cols, sel, start, len, hashScratch);
      try {
        table.findOrInsert(cols, sel, start, len, hashScratch, gidScratch);
      } catch (MemoryLimitExceededException e) {
        throw TableFullException.of(KERNEL, memory.name(), table.groupCount(), "groups", start, e);
      }
      for (int a = 0; a < aggs.length; a++) {
        Agg agg = aggs[a];
        if (agg.kind() == AggKind.COUNT_STAR) {
          continue;
        }
        ValueColumn in = inputs[agg.input()];
        MemorySegment validity = in.validity();
        MemorySegment nulls = table.payload(nullColumn[a]);
        switch (agg.kind()) {
          case COUNT -> {
            if (validity != null) {
              countNulls(validity, sel, start, len, nulls);
            }
          }
          case SUM, AVG -> {
            MemorySegment sums = table.payload(valueColumn[a]);
            if (in.type() == ValueType.INT64) {
              sumLong(agg, in, sel, start, len, sums, nulls);
            } else {
              sumDouble(in, sel, start, len, sums, nulls);
            }
          }
          case MIN, MAX -> {
            MemorySegment best = table.payload(valueColumn[a]);
            boolean min = agg.kind() == AggKind.MIN;
            if (in.type() == ValueType.INT64) {
              minMaxLong(min, in, sel, start, len, best, nulls);
            } else {
              minMaxDouble(min, in, sel, start, len, best, nulls);
            }
          }
          case COUNT_STAR -> throw new AssertionError();
        }
      }
    }
  }

  @Override
  public void addToOneGroup(
      List<KeyColumn> keys, List<ValueColumn> values, int n, @Nullable MemorySegment sel) {
    checkOpen();
    Objects.requireNonNull(keys, "keys is null");
    Objects.requireNonNull(values, "values is null");
    int maxRow = Hashing.checkRows(KERNEL, n, sel);
    KeyColumn[] cols = Hashing.checkKeys(KERNEL, keys, keyTypes, 0);
    ValueColumn[] inputs = checkValues(values, maxRow);
    if (n == 0) {
      return;
    }
    // the group of key row 0, counted once by the insertion; the other n - 1 rows are added below
    CpuHashKernels.hashChunk(KERNEL, cols, null, 0, 1, hashScratch);
    try {
      table.findOrInsert(cols, null, 0, 1, hashScratch, gidScratch);
    } catch (MemoryLimitExceededException e) {
      throw TableFullException.of(KERNEL, memory.name(), table.groupCount(), "groups", 0, e);
    }
    long g = gidScratch.getAtIndex(INT, 0);
    MemorySegment rows = table.payload(ROWS);
    rows.setAtIndex(LONG, g, rows.getAtIndex(LONG, g) + n - 1);
    for (int a = 0; a < aggs.length; a++) {
      Agg agg = aggs[a];
      if (agg.kind() == AggKind.COUNT_STAR) {
        continue;
      }
      ValueColumn in = inputs[agg.input()];
      MemorySegment nulls = table.payload(nullColumn[a]);
      boolean isLong = in.type() == ValueType.INT64;
      long valid =
          switch (agg.kind()) {
            case COUNT -> AGG.count(in.validity(), sel, n);
            case SUM, AVG -> {
              MemorySegment sums = table.payload(valueColumn[a]);
              if (isLong) {
                AggregateKernels.LongResult r = AGG.sumInt64(in.values(), in.validity(), sel, n);
                long s0 = sums.getAtIndex(LONG, g);
                long total = s0 + r.value();
                if (((s0 ^ total) & (r.value() ^ total)) < 0) {
                  throw overflow(agg, Selection.row(sel, n - 1), s0, r.value());
                }
                sums.setAtIndex(LONG, g, total);
                yield r.count();
              } else {
                AggregateKernels.DoubleResult r =
                    AGG.sumFloat64(in.values(), in.validity(), sel, n);
                double s0 = Double.longBitsToDouble(sums.getAtIndex(LONG, g));
                sums.setAtIndex(LONG, g, Double.doubleToRawLongBits(s0 + r.value()));
                yield r.count();
              }
            }
            case MIN, MAX -> {
              MemorySegment best = table.payload(valueColumn[a]);
              boolean min = agg.kind() == AggKind.MIN;
              if (isLong) {
                AggregateKernels.LongResult r =
                    min
                        ? AGG.minInt64(in.values(), in.validity(), sel, n)
                        : AGG.maxInt64(in.values(), in.validity(), sel, n);
                if (r.count() > 0) {
                  long b = best.getAtIndex(LONG, g);
                  best.setAtIndex(LONG, g, min ? Math.min(r.value(), b) : Math.max(r.value(), b));
                }
                yield r.count();
              } else {
                AggregateKernels.DoubleResult r =
                    min
                        ? AGG.minFloat64(in.values(), in.validity(), sel, n)
                        : AGG.maxFloat64(in.values(), in.validity(), sel, n);
                if (r.count() > 0) {
                  int cmp =
                      Double.compare(r.value(), Double.longBitsToDouble(best.getAtIndex(LONG, g)));
                  if (min ? cmp < 0 : cmp > 0) {
                    best.setAtIndex(LONG, g, Double.doubleToRawLongBits(r.value()));
                  }
                }
                yield r.count();
              }
            }
            case COUNT_STAR -> throw new AssertionError();
          };
      nulls.setAtIndex(LONG, g, nulls.getAtIndex(LONG, g) + (n - valid));
    }
  }

  private ValueColumn[] checkValues(List<ValueColumn> values, int maxRow) {
    ValueColumn[] inputs = values.toArray(new ValueColumn[0]);
    for (int a = 0; a < aggs.length; a++) {
      Agg agg = aggs[a];
      if (agg.input() < 0) {
        continue;
      }
      if (agg.input() >= inputs.length) {
        throw new IllegalArgumentException(
            KERNEL
                + ": aggregate "
                + a
                + " ("
                + agg.kind()
                + ") reads value column "
                + agg.input()
                + " but only "
                + inputs.length
                + " were given");
      }
      ValueColumn in = inputs[agg.input()];
      if (in == null) {
        throw new NullPointerException(KERNEL + ": value column " + agg.input() + " is null");
      }
      if (in.type() != agg.inputType()) {
        throw new IllegalArgumentException(
            KERNEL
                + ": aggregate "
                + a
                + " ("
                + agg.kind()
                + ") expects "
                + agg.inputType()
                + " but value column "
                + agg.input()
                + " is "
                + in.type());
      }
      if (maxRow >= 0) {
        String name = "value column " + agg.input();
        Hashing.checkBytes(KERNEL, name + " values", in.values(), 8L * (maxRow + 1));
        MemorySegment validity = in.validity();
        if (validity != null) {
          Hashing.checkBytes(
              KERNEL, name + " validity", validity, ArrowLayout.bitmapBytes(maxRow + 1L));
        }
      }
    }
    return inputs;
  }

  // ---- aggregate update loops, one chunk at a time; gidScratch holds the groups ----

  private void countNulls(
      MemorySegment validity,
      @Nullable MemorySegment sel,
      int start,
      int len,
      MemorySegment nulls) {
    MemorySegment gids = gidScratch;
    for (int i = 0; i < len; i++) {
      int row = row(sel, start, i);
      if (!Validity.isValid(validity, row)) {
        long g = gids.getAtIndex(INT, i);
        nulls.setAtIndex(LONG, g, nulls.getAtIndex(LONG, g) + 1);
      }
    }
  }

  private void sumLong(
      Agg agg,
      ValueColumn in,
      @Nullable MemorySegment sel,
      int start,
      int len,
      MemorySegment sums,
      MemorySegment nulls) {
    MemorySegment gids = gidScratch;
    MemorySegment values = in.values();
    MemorySegment validity = in.validity();
    if (sel == null && validity == null) {
      sumLongDense(agg, values, gids, start, 0, len, sums);
      return;
    }
    if (sel == null && validity != null && (start & 63) == 0) {
      // 64 rows per validity word (start is a multiple of CHUNK); nulls are rare, so the branch
      // on a row's bit, taken from a register, is well predicted
      int i = 0;
      for (; i + 64 <= len; i += 64) {
        long w = validity.get(ArrowLayout.INT64, (long) (start + i) >>> 3);
        for (int j = 0; j < 64; j++) {
          long g = gids.getAtIndex(INT, i + j);
          if ((w & (1L << j)) == 0) {
            nulls.setAtIndex(LONG, g, nulls.getAtIndex(LONG, g) + 1);
            continue;
          }
          int row = start + i + j;
          long x = values.getAtIndex(ArrowLayout.INT64, row);
          long s = sums.getAtIndex(LONG, g);
          long r = s + x;
          if (((s ^ r) & (x ^ r)) < 0) {
            throw overflow(agg, row, s, x);
          }
          sums.setAtIndex(LONG, g, r);
        }
      }
      sumLongChecked(agg, values, validity, null, start, i, len, sums, nulls);
      return;
    }
    sumLongChecked(agg, values, validity, sel, start, 0, len, sums, nulls);
  }

  /** SUM(int64) of the valid rows start + [from, to), all non-null. */
  private static void sumLongDense(
      Agg agg,
      MemorySegment values,
      MemorySegment gids,
      int start,
      int from,
      int to,
      MemorySegment sums) {
    for (int i = from; i < to; i++) {
      long g = gids.getAtIndex(INT, i);
      long x = values.getAtIndex(ArrowLayout.INT64, (long) start + i);
      long s = sums.getAtIndex(LONG, g);
      long r = s + x;
      if (((s ^ r) & (x ^ r)) < 0) {
        throw overflow(agg, start + i, s, x);
      }
      sums.setAtIndex(LONG, g, r);
    }
  }

  /** SUM(int64) of positions [from, to), checking each row's validity. */
  private void sumLongChecked(
      Agg agg,
      MemorySegment values,
      @Nullable MemorySegment validity,
      @Nullable MemorySegment sel,
      int start,
      int from,
      int to,
      MemorySegment sums,
      MemorySegment nulls) {
    MemorySegment gids = gidScratch;
    for (int i = from; i < to; i++) {
      int row = row(sel, start, i);
      long g = gids.getAtIndex(INT, i);
      if (!Validity.isValid(validity, row)) {
        nulls.setAtIndex(LONG, g, nulls.getAtIndex(LONG, g) + 1);
        continue;
      }
      long x = values.getAtIndex(ArrowLayout.INT64, row);
      long s = sums.getAtIndex(LONG, g);
      long r = s + x;
      if (((s ^ r) & (x ^ r)) < 0) {
        throw overflow(agg, row, s, x);
      }
      sums.setAtIndex(LONG, g, r);
    }
  }

  private void sumDouble(
      ValueColumn in,
      @Nullable MemorySegment sel,
      int start,
      int len,
      MemorySegment sums,
      MemorySegment nulls) {
    MemorySegment gids = gidScratch;
    MemorySegment values = in.values();
    MemorySegment validity = in.validity();
    for (int i = 0; i < len; i++) {
      int row = row(sel, start, i);
      long g = gids.getAtIndex(INT, i);
      if (!Validity.isValid(validity, row)) {
        nulls.setAtIndex(LONG, g, nulls.getAtIndex(LONG, g) + 1);
        continue;
      }
      double x = values.getAtIndex(ArrowLayout.FLOAT64, row);
      double s = Double.longBitsToDouble(sums.getAtIndex(LONG, g));
      sums.setAtIndex(LONG, g, Double.doubleToRawLongBits(s + x));
    }
  }

  private void minMaxLong(
      boolean min,
      ValueColumn in,
      @Nullable MemorySegment sel,
      int start,
      int len,
      MemorySegment best,
      MemorySegment nulls) {
    MemorySegment gids = gidScratch;
    MemorySegment values = in.values();
    MemorySegment validity = in.validity();
    for (int i = 0; i < len; i++) {
      int row = row(sel, start, i);
      long g = gids.getAtIndex(INT, i);
      if (!Validity.isValid(validity, row)) {
        nulls.setAtIndex(LONG, g, nulls.getAtIndex(LONG, g) + 1);
        continue;
      }
      long x = values.getAtIndex(ArrowLayout.INT64, row);
      long b = best.getAtIndex(LONG, g);
      best.setAtIndex(LONG, g, min ? Math.min(x, b) : Math.max(x, b));
    }
  }

  private void minMaxDouble(
      boolean min,
      ValueColumn in,
      @Nullable MemorySegment sel,
      int start,
      int len,
      MemorySegment best,
      MemorySegment nulls) {
    MemorySegment gids = gidScratch;
    MemorySegment values = in.values();
    MemorySegment validity = in.validity();
    for (int i = 0; i < len; i++) {
      int row = row(sel, start, i);
      long g = gids.getAtIndex(INT, i);
      if (!Validity.isValid(validity, row)) {
        nulls.setAtIndex(LONG, g, nulls.getAtIndex(LONG, g) + 1);
        continue;
      }
      double x = values.getAtIndex(ArrowLayout.FLOAT64, row);
      int cmp = Double.compare(x, Double.longBitsToDouble(best.getAtIndex(LONG, g)));
      if (min ? cmp < 0 : cmp > 0) {
        best.setAtIndex(LONG, g, Double.doubleToRawLongBits(x));
      }
    }
  }

  private static int row(@Nullable MemorySegment sel, int start, int i) {
    return sel == null ? start + i : sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
  }

  private static KernelException overflow(Agg agg, int row, long sum, long x) {
    return KernelException.overflow(KERNEL + " " + agg.kind() + "(int64)", row, sum + " + " + x);
  }

  /** Non-null inputs of aggregate {@code a} in group {@code g} (rows for COUNT(*)). */
  private long nonNull(KeyTable t, int a, int g) {
    long rows = t.payload(ROWS).getAtIndex(LONG, g);
    return nullColumn[a] < 0 ? rows : rows - t.payload(nullColumn[a]).getAtIndex(LONG, g);
  }

  // ---- merge ----

  @Override
  public void merge(GroupByHashTable other) {
    checkOpen();
    Objects.requireNonNull(other, "other is null");
    if (other == this) {
      throw new IllegalArgumentException(KERNEL + ": cannot merge a table into itself");
    }
    if (!(other instanceof CpuGroupByHashTable o)) {
      throw new IllegalArgumentException(
          KERNEL + ": can merge only CPU tables, not " + other.getClass().getName());
    }
    o.checkOpen();
    if (!keyTypes.equals(o.keyTypes) || !aggList.equals(o.aggList)) {
      throw new IllegalArgumentException(
          KERNEL
              + ": cannot merge keys "
              + o.keyTypes
              + " / aggregates "
              + o.aggList
              + " into keys "
              + keyTypes
              + " / aggregates "
              + aggList);
    }
    int count = o.table.groupCount();
    // pass 1: find or insert every key, a chunk at a time (all or nothing); pass 2: fold states
    int[] gid = new int[count];
    int mark = table.groupCount();
    try {
      for (int start = 0; start < count; start += CHUNK) {
        int len = Math.min(CHUNK, count - start);
        table.findOrInsertGroups(o.table, start, len, hashScratch, gidScratch);
        MemorySegment.copy(gidScratch, INT, 0, gid, start, len);
      }
    } catch (MemoryLimitExceededException e) {
      table.rollBack(mark);
      throw TableFullException.of(KERNEL, memory.name(), table.groupCount(), "groups", -1, e);
    }
    for (int a = 0; a < aggs.length; a++) {
      if (valueColumn[a] >= 0) {
        combineValues(a, o, gid);
      }
    }
    for (int a = 0; a < aggs.length; a++) {
      if (nullColumn[a] >= 0) {
        addCounts(table.payload(nullColumn[a]), o.table.payload(nullColumn[a]), gid);
      }
    }
    addCounts(table.payload(ROWS), o.table.payload(ROWS), gid);
  }

  /** {@code mine[gid[og]] += theirs[og]} for every group {@code og} of the other table. */
  private static void addCounts(MemorySegment mine, MemorySegment theirs, int[] gid) {
    for (int og = 0; og < gid.length; og++) {
      int g = gid[og];
      mine.setAtIndex(LONG, g, mine.getAtIndex(LONG, g) + theirs.getAtIndex(LONG, og));
    }
  }

  /** Folds the values of aggregate {@code a} (SUM, AVG, MIN, MAX) of every group of o. */
  private void combineValues(int a, CpuGroupByHashTable o, int[] gid) {
    Agg agg = aggs[a];
    MemorySegment mine = table.payload(valueColumn[a]);
    MemorySegment theirs = o.table.payload(valueColumn[a]);
    MemorySegment rows = o.table.payload(ROWS);
    MemorySegment nulls = nullColumn[a] < 0 ? rows : o.table.payload(nullColumn[a]);
    boolean noNulls = nullColumn[a] < 0;
    boolean isLong = agg.inputType() == ValueType.INT64;
    AggKind kind = agg.kind();
    for (int og = 0; og < gid.length; og++) {
      if (!noNulls && rows.getAtIndex(LONG, og) == nulls.getAtIndex(LONG, og)) {
        continue; // no value in o's group
      }
      int g = gid[og];
      long x = theirs.getAtIndex(LONG, og);
      long v = mine.getAtIndex(LONG, g);
      switch (kind) {
        case SUM, AVG -> {
          if (isLong) {
            long r = v + x;
            if (((v ^ r) & (x ^ r)) < 0) {
              throw KernelException.overflow(
                  KERNEL + " merge " + kind + "(int64) of group", og, v + " + " + x);
            }
            mine.setAtIndex(LONG, g, r);
          } else {
            double r = Double.longBitsToDouble(v) + Double.longBitsToDouble(x);
            mine.setAtIndex(LONG, g, Double.doubleToRawLongBits(r));
          }
        }
        case MIN, MAX -> {
          int cmp =
              isLong
                  ? Long.compare(x, v)
                  : Double.compare(Double.longBitsToDouble(x), Double.longBitsToDouble(v));
          if (kind == AggKind.MIN ? cmp < 0 : cmp > 0) {
            mine.setAtIndex(LONG, g, x);
          }
        }
        case COUNT, COUNT_STAR -> throw new AssertionError();
      }
    }
  }

  // ---- results ----

  @Override
  public int groupCount() {
    checkOpen();
    return table.groupCount();
  }

  @Override
  public boolean isKeyNull(int group, int key) {
    checkGroup(group);
    Objects.checkIndex(key, keyTypes.size());
    return table.isNull(group, key);
  }

  @Override
  public long keyLong(int group, int key) {
    checkGroup(group);
    KeyType type = keyTypes.get(key);
    if (type != KeyType.INT32 && type != KeyType.INT64 && type != KeyType.DATE32) {
      throw new IllegalArgumentException("key " + key + " is " + type + ", not an integer");
    }
    return table.keyBits(group, key);
  }

  @Override
  public double keyDouble(int group, int key) {
    checkGroup(group);
    KeyType type = keyTypes.get(key);
    if (type != KeyType.FLOAT64) {
      throw new IllegalArgumentException("key " + key + " is " + type + ", not FLOAT64");
    }
    return Double.longBitsToDouble(table.keyBits(group, key));
  }

  @Override
  public byte[] keyBytes(int group, int key) {
    checkGroup(group);
    KeyType type = keyTypes.get(key);
    if (type != KeyType.UTF8) {
      throw new IllegalArgumentException("key " + key + " is " + type + ", not UTF8");
    }
    if (table.isNull(group, key)) {
      return new byte[0];
    }
    return table.keyString(group, key).toArray(ValueLayout.JAVA_BYTE);
  }

  @Override
  public boolean isResultNull(int group, int agg) {
    checkGroup(group);
    Objects.checkIndex(agg, aggs.length);
    return valueColumn[agg] >= 0 && nonNull(table, agg, group) == 0;
  }

  @Override
  public long resultLong(int group, int agg) {
    checkGroup(group);
    Agg a = aggs[agg];
    if (a.resultType() != ValueType.INT64) {
      throw new IllegalArgumentException("aggregate " + agg + " (" + a + ") is FLOAT64");
    }
    long count = nonNull(table, agg, group);
    if (valueColumn[agg] < 0) {
      return count;
    }
    return count == 0 ? 0 : table.payload(valueColumn[agg]).getAtIndex(LONG, group);
  }

  @Override
  public double resultDouble(int group, int agg) {
    checkGroup(group);
    Agg a = aggs[agg];
    if (a.resultType() != ValueType.FLOAT64) {
      throw new IllegalArgumentException("aggregate " + agg + " (" + a + ") is INT64");
    }
    long count = nonNull(table, agg, group);
    if (count == 0) {
      return 0.0;
    }
    long v = table.payload(valueColumn[agg]).getAtIndex(LONG, group);
    if (a.kind() == AggKind.AVG) {
      double sum = a.inputType() == ValueType.INT64 ? (double) v : Double.longBitsToDouble(v);
      return sum / count;
    }
    return Double.longBitsToDouble(v);
  }

  /*
   * readKey and readResult read the columns directly (the interface's defaults go through the
   * per-group accessors and their checks): writing out a large aggregation's groups is a pass over
   * every one of them.
   */

  @Override
  public void readKey(
      int key, int from, int count, MemorySegment values, @Nullable MemorySegment validity) {
    checkOpen();
    KeyType type = keyTypes.get(key);
    checkGroups(from, count);
    if (type == KeyType.UTF8) {
      throw new IllegalArgumentException("key " + key + " is utf8: use readUtf8Key");
    }
    for (int i = 0; i < count; i++) {
      int g = from + i;
      setValid(validity, i, !table.isNull(g, key), "key ", key, g);
      long bits = table.keyBits(g, key);
      if (type == KeyType.INT32 || type == KeyType.DATE32) {
        values.setAtIndex(ArrowLayout.INT32, i, (int) bits);
      } else {
        values.setAtIndex(LONG, i, bits); // int64 values, float64 bits
      }
    }
  }

  @Override
  public void readResult(
      int agg, int from, int count, MemorySegment values, @Nullable MemorySegment validity) {
    checkOpen();
    Agg a = aggs[Objects.checkIndex(agg, aggs.length)];
    checkGroups(from, count);
    MemorySegment rows = table.payload(ROWS);
    MemorySegment nulls = nullColumn[agg] < 0 ? null : table.payload(nullColumn[agg]);
    MemorySegment stored = valueColumn[agg] < 0 ? null : table.payload(valueColumn[agg]);
    boolean avgOfLongs = a.kind() == AggKind.AVG && a.inputType() == ValueType.INT64;
    for (int i = 0; i < count; i++) {
      int g = from + i;
      long n = rows.getAtIndex(LONG, g) - (nulls == null ? 0 : nulls.getAtIndex(LONG, g));
      if (stored == null) {
        values.setAtIndex(LONG, i, n); // COUNT, COUNT(*): never null
        setValid(validity, i, true, "aggregate ", agg, g);
        continue;
      }
      setValid(validity, i, n != 0, "aggregate ", agg, g);
      long v = n == 0 ? 0 : stored.getAtIndex(LONG, g);
      if (a.kind() == AggKind.AVG && n != 0) {
        double sum = avgOfLongs ? (double) v : Double.longBitsToDouble(v);
        v = Double.doubleToRawLongBits(sum / n);
      }
      values.setAtIndex(LONG, i, v); // int64 values, float64 bits (0.0 for null)
    }
  }

  private void checkGroups(int from, int count) {
    int groups = table.groupCount();
    if (from < 0 || count < 0 || from > groups - count) {
      throw new IndexOutOfBoundsException(
          "groups " + from + " .. " + from + " + " + count + " out of [0, " + groups + ")");
    }
  }

  private static void setValid(
      @Nullable MemorySegment validity, int i, boolean valid, String what, int index, int g) {
    if (validity != null) {
      Validity.set(validity, i, valid);
    } else if (!valid) {
      throw new IllegalArgumentException(
          what + index + " of group " + g + " is null but no validity bitmap was given");
    }
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
      memory.free(scratch);
      memory.close();
    }
  }

  /** E.g. {@code group-by hash table 'agg#1': 1000 groups in 4096 slots, 120.0 KiB}. */
  @Override
  public String toString() {
    return KERNEL
        + " '"
        + memory.name()
        + "': "
        + (closed
            ? "closed"
            : table.groupCount()
                + " groups in "
                + table.capacity()
                + " slots, "
                + Sizes.bytes(memory.reserved()));
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(KERNEL + " '" + memory.name() + "' is closed");
    }
  }

  private void checkGroup(int group) {
    checkOpen();
    Objects.checkIndex(group, table.groupCount());
  }
}
