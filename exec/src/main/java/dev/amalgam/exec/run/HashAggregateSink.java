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
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Hash aggregation (GROUP BY, DISTINCT, and whole-input aggregates): each worker fills its own
 * partial hash table; the partials are merged on one thread when the pipeline ends and the groups
 * are written out as chunks (keys first, then aggregates). Without keys the input is one group and
 * an empty input still gives one row (COUNT 0, other aggregates NULL).
 *
 * <p>Dictionary-encoded keys are grouped by their indices (one dictionary per table column) and
 * decoded when the groups are written out.
 */
public final class HashAggregateSink implements Sink, AutoCloseable {
  private static final int OUT_ROWS = 65536;

  private final List<BoundExpr> keys;
  private final List<AggSpec> aggs;
  private final List<Agg> tableAggs = new ArrayList<>();
  private final List<Integer> valueOf = new ArrayList<>();
  private final KeyType[] keyTypes;
  private final OpStats stats = new OpStats();
  private @Nullable GroupByHashTable merged;
  private final List<byte[] @Nullable []> dictionaries = new ArrayList<>();
  private final List<Chunk> output = new ArrayList<>();

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
    int values = 0;
    for (AggSpec a : aggs) {
      if (a.function() == AggCall.Function.COUNT_STAR) {
        tableAggs.add(Agg.countStar());
        valueOf.add(-1);
        continue;
      }
      BoundExpr arg = a.argument();
      ValueType vt =
          arg != null && arg.type().computeType().kind() == DataType.Kind.FLOAT64
              ? ValueType.FLOAT64
              : ValueType.INT64;
      int input = values++;
      valueOf.add(input);
      tableAggs.add(
          switch (a.function()) {
            case SUM -> Agg.sum(input, vt);
            case COUNT -> Agg.count(input, vt);
            case MIN -> Agg.min(input, vt);
            case MAX -> Agg.max(input, vt);
            case AVG -> Agg.avg(input, vt);
            case COUNT_STAR -> throw new AssertionError();
          });
    }
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

  private GroupByHashTable newTable(Worker w) {
    return GroupByHashTable.builder()
        .keys(keyTypes)
        .aggregates(tableAggs.toArray(Agg[]::new))
        .consumer(w.query().stateConsumer())
        .build();
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
      GroupByHashTable t = table;
      if (t == null) {
        t = newTable(worker);
        table = t;
      }
      Scratch s = worker.scratch();
      List<KeyColumn> keyCols = new ArrayList<>(keyTypes.length);
      if (keys.isEmpty()) {
        keyCols.add(KeyColumn.int32(s.allocate(4L * n), null));
      }
      for (int i = 0; i < keys.size(); i++) {
        Vec v = ExprEvaluator.evaluate(keys.get(i), b, s);
        keyCols.add(keyColumn(i, v, s));
      }
      List<ValueColumn> values = new ArrayList<>();
      for (AggSpec a : aggs) {
        BoundExpr arg = a.argument();
        if (arg == null) {
          continue;
        }
        Vec v = ExprEvaluator.evaluate(arg, b, s);
        values.add(valueColumn(v, a.function(), s));
      }
      t.add(keyCols, values, n, null);
      stats.record(n, 0, System.nanoTime() - t0);
    }
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
        return KeyColumn.utf8(v.values(), java.util.Objects.requireNonNull(v.data()), v.validity());
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
    Vec d = java.util.Objects.requireNonNull(v.dictionary());
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
    if (t.kind().width() == 8 && t.kind() != DataType.Kind.FLOAT64) {
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

  @Override
  public Op createLocal(Worker worker) {
    return new Local(worker);
  }

  @Override
  public void combine(Op local) {
    GroupByHashTable t = ((Local) local).table;
    if (t == null) {
      return;
    }
    ((Local) local).table = null;
    if (merged == null) {
      merged = t;
      return;
    }
    try {
      merged.merge(t);
    } finally {
      t.close();
    }
  }

  @Override
  public void discard(Op local) {
    GroupByHashTable t = ((Local) local).table;
    if (t != null) {
      t.close();
    }
  }

  @Override
  public void finish(QueryContext query) {
    long t0 = System.nanoTime();
    GroupByHashTable t = merged;
    try {
      int groups = t == null ? 0 : t.groupCount();
      if (keys.isEmpty() && groups == 0) {
        output.add(emptyGroup(query));
      }
      for (int from = 0; from < groups; from += OUT_ROWS) {
        output.add(
            writeGroups(
                java.util.Objects.requireNonNull(t),
                from,
                Math.min(OUT_ROWS, groups - from),
                query));
      }
      stats.record(0, groups == 0 && keys.isEmpty() ? 1 : groups, System.nanoTime() - t0);
    } finally {
      if (t != null) {
        t.close();
      }
      merged = null;
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
    java.util.Arrays.fill(nullable, true);
    Chunk c = Chunk.allocate(types, 1, new long[types.length], nullable, query.stateConsumer());
    for (int a = 0; a < aggs.size(); a++) {
      AggCall.Function f = aggs.get(a).function();
      Vec v = c.column(a);
      boolean count = f == AggCall.Function.COUNT || f == AggCall.Function.COUNT_STAR;
      Validity.set(java.util.Objects.requireNonNull(v.validity()), 0, count);
    }
    return c;
  }

  private Chunk writeGroups(GroupByHashTable t, int from, int count, QueryContext query) {
    DataType[] types = outputTypes();
    long[] utf8 = new long[types.length];
    boolean[] nullable = new boolean[types.length];
    java.util.Arrays.fill(nullable, true);
    for (int k = 0; k < keys.size(); k++) {
      if (keyTypes[k] == KeyType.UTF8) {
        utf8[k] = t.utf8KeyBytes(k, from, count);
      } else if (keys.get(k).type().kind() == DataType.Kind.DICTIONARY_UTF8) {
        byte[][] dict = java.util.Objects.requireNonNull(dictionaries.get(k));
        long bytes = 0;
        for (int g = from; g < from + count; g++) {
          if (!t.isKeyNull(g, k)) {
            bytes += dict[(int) t.keyLong(g, k)].length;
          }
        }
        utf8[k] = bytes;
      }
    }
    Chunk c = Chunk.allocate(types, count, utf8, nullable, query.stateConsumer());
    try {
      for (int k = 0; k < keys.size(); k++) {
        Vec v = c.column(k);
        DataType kt = keys.get(k).type();
        if (keyTypes[k] == KeyType.UTF8) {
          t.readUtf8Key(
              k, from, count, v.values(), java.util.Objects.requireNonNull(v.data()), v.validity());
        } else if (kt.kind() == DataType.Kind.DICTIONARY_UTF8) {
          byte[][] dict = java.util.Objects.requireNonNull(dictionaries.get(k));
          MemorySegment data = java.util.Objects.requireNonNull(v.data());
          long at = 0;
          for (int i = 0; i < count; i++) {
            int g = from + i;
            boolean isNull = t.isKeyNull(g, k);
            Validity.set(java.util.Objects.requireNonNull(v.validity()), i, !isNull);
            if (!isNull) {
              byte[] b = dict[(int) t.keyLong(g, k)];
              MemorySegment.copy(b, 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, at, b.length);
              at += b.length;
            }
            v.values().setAtIndex(ArrowLayout.INT32, i + 1L, (int) at);
          }
        } else if (kt.kind() == DataType.Kind.BOOL) {
          for (int i = 0; i < count; i++) {
            boolean isNull = t.isKeyNull(from + i, k);
            Validity.set(java.util.Objects.requireNonNull(v.validity()), i, !isNull);
            if (!isNull && t.keyLong(from + i, k) != 0) {
              Validity.set(v.values(), i, true);
            }
          }
        } else {
          t.readKey(k, from, count, v.values(), v.validity());
        }
      }
      for (int a = 0; a < aggs.size(); a++) {
        Vec v = c.column(keys.size() + a);
        DataType rt = aggs.get(a).type();
        boolean narrow = rt.kind() == DataType.Kind.INT32 || rt.kind() == DataType.Kind.DATE32;
        if (narrow) {
          for (int i = 0; i < count; i++) {
            boolean isNull = t.isResultNull(from + i, a);
            Validity.set(java.util.Objects.requireNonNull(v.validity()), i, !isNull);
            v.values().setAtIndex(ArrowLayout.INT32, i, (int) t.resultLong(from + i, a));
          }
        } else {
          t.readResult(a, from, count, v.values(), v.validity());
        }
        if (aggs.get(a).function() == AggCall.Function.AVG) {
          BoundExpr arg = aggs.get(a).argument();
          if (arg != null && arg.type().kind() == DataType.Kind.DECIMAL) {
            double scale = Math.pow(10, arg.type().scale());
            for (int i = 0; i < count; i++) {
              v.values().setAtIndex(ArrowLayout.FLOAT64, i, v.getDouble(i) / scale);
            }
          }
        }
      }
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The output chunks (owned by this sink until {@link #take()}). */
  public List<Chunk> take() {
    List<Chunk> out = new ArrayList<>(output);
    output.clear();
    return out;
  }

  @Override
  public String describe() {
    return (aggs.isEmpty() ? "HashDistinct " : "HashAggregate ")
        + (keys.isEmpty() ? "" : "keys " + keys + " ")
        + (aggs.isEmpty() ? "" : "aggs " + aggs);
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
    if (merged != null) {
      merged.close();
      merged = null;
    }
  }
}
