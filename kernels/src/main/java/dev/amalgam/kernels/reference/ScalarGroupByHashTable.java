package dev.amalgam.kernels.reference;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.GroupByHashTable;
import dev.amalgam.kernels.KernelException;
import dev.amalgam.kernels.KeyColumn;
import dev.amalgam.kernels.KeyType;
import dev.amalgam.kernels.Selection;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The plain reference of {@link GroupByHashTable}: a {@link HashMap} from the key (a list of boxed
 * values) to the group's index, and boxed-free state arrays per group. On-heap, no memory
 * accounting; for tests and benchmarks only.
 */
public final class ScalarGroupByHashTable implements GroupByHashTable {
  private static final class State {
    long count;
    long value;
    double dvalue;
  }

  private final List<KeyType> keyTypes;
  private final List<Agg> aggs;
  private final Map<List<@Nullable Object>, Integer> index = new HashMap<>();
  private final List<List<@Nullable Object>> keys = new ArrayList<>();
  private final List<State[]> states = new ArrayList<>();

  /** A table with the given key types and aggregates. */
  public ScalarGroupByHashTable(List<KeyType> keyTypes, List<Agg> aggregates) {
    this.keyTypes = List.copyOf(keyTypes);
    this.aggs = List.copyOf(aggregates);
  }

  /** The key value of a column at a row, normalized the way the group-by compares keys. */
  static @Nullable Object keyValue(KeyColumn c, int row) {
    if (!Validity.isValid(c.validity(), row)) {
      return null;
    }
    return switch (c.type()) {
      case INT32, DATE32 -> (long) c.values().getAtIndex(ArrowLayout.INT32, row);
      case INT64 -> c.values().getAtIndex(ArrowLayout.INT64, row);
      case FLOAT64 -> {
        double d = c.values().getAtIndex(ArrowLayout.FLOAT64, row);
        yield d == 0.0 ? 0.0 : Double.isNaN(d) ? Double.NaN : d;
      }
      case UTF8 -> {
        MemorySegment data = c.data();
        if (data == null) {
          throw new IllegalArgumentException("utf8 column without data");
        }
        yield ByteBuffer.wrap(ScalarHashKernels.utf8(c.values(), data, row));
      }
    };
  }

  /** The key of a row over all columns. */
  static List<@Nullable Object> key(List<KeyColumn> cols, int row) {
    @Nullable Object[] key = new Object[cols.size()];
    for (int k = 0; k < key.length; k++) {
      key[k] = keyValue(cols.get(k), row);
    }
    return Arrays.asList(key);
  }

  @Override
  public List<KeyType> keyTypes() {
    return keyTypes;
  }

  @Override
  public List<Agg> aggregates() {
    return aggs;
  }

  private State[] group(List<@Nullable Object> key) {
    Integer g = index.get(key);
    if (g != null) {
      return states.get(g);
    }
    index.put(key, keys.size());
    keys.add(key);
    State[] s = new State[aggs.size()];
    for (int a = 0; a < s.length; a++) {
      s[a] = new State();
    }
    states.add(s);
    return s;
  }

  @Override
  public void addToOneGroup(
      List<KeyColumn> keyColumns, List<ValueColumn> values, int n, @Nullable MemorySegment sel) {
    if (n == 0) {
      return;
    }
    State[] s = group(key(keyColumns, 0));
    for (int k = 0; k < n; k++) {
      accumulate(s, values, Selection.row(sel, k));
    }
  }

  @Override
  public void add(
      List<KeyColumn> keyColumns, List<ValueColumn> values, int n, @Nullable MemorySegment sel) {
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      accumulate(group(key(keyColumns, row)), values, row);
    }
  }

  private void accumulate(State[] s, List<ValueColumn> values, int row) {
    for (int a = 0; a < aggs.size(); a++) {
      Agg agg = aggs.get(a);
      State st = s[a];
      if (agg.kind() == AggKind.COUNT_STAR) {
        st.count++;
        continue;
      }
      ValueColumn in = values.get(agg.input());
      if (!Validity.isValid(in.validity(), row)) {
        continue;
      }
      boolean isLong = in.type() == ValueType.INT64;
      long lv = isLong ? in.values().getAtIndex(ArrowLayout.INT64, row) : 0;
      double dv = isLong ? 0 : in.values().getAtIndex(ArrowLayout.FLOAT64, row);
      switch (agg.kind()) {
        case COUNT -> {}
        case SUM, AVG -> {
          if (isLong) {
            st.value = add(agg, row, st.value, lv);
          } else {
            st.dvalue += dv;
          }
        }
        case MIN, MAX -> {
          int cmp = isLong ? Long.compare(lv, st.value) : Double.compare(dv, st.dvalue);
          if (st.count == 0 || (agg.kind() == AggKind.MIN ? cmp < 0 : cmp > 0)) {
            st.value = lv;
            st.dvalue = dv;
          }
        }
        case COUNT_STAR -> throw new AssertionError();
      }
      st.count++;
    }
  }

  private static long add(Agg agg, int row, long a, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw KernelException.overflow(
          "group-by hash table " + agg.kind() + "(int64)", row, a + " + " + b);
    }
  }

  @Override
  public void merge(GroupByHashTable other) {
    if (!(other instanceof ScalarGroupByHashTable o) || other == this) {
      throw new IllegalArgumentException("can merge only another ScalarGroupByHashTable");
    }
    if (!keyTypes.equals(o.keyTypes) || !aggs.equals(o.aggs)) {
      throw new IllegalArgumentException("keys or aggregates differ");
    }
    for (int og = 0; og < o.keys.size(); og++) {
      State[] mine = group(o.keys.get(og));
      State[] theirs = o.states.get(og);
      for (int a = 0; a < aggs.size(); a++) {
        Agg agg = aggs.get(a);
        State m = mine[a];
        State t = theirs[a];
        boolean isLong = agg.inputType() == ValueType.INT64;
        if (t.count > 0) {
          switch (agg.kind()) {
            case SUM, AVG -> {
              if (isLong) {
                m.value = add(agg, og, m.value, t.value);
              } else {
                m.dvalue += t.dvalue;
              }
            }
            case MIN, MAX -> {
              int cmp =
                  isLong ? Long.compare(t.value, m.value) : Double.compare(t.dvalue, m.dvalue);
              if (m.count == 0 || (agg.kind() == AggKind.MIN ? cmp < 0 : cmp > 0)) {
                m.value = t.value;
                m.dvalue = t.dvalue;
              }
            }
            case COUNT, COUNT_STAR -> {}
          }
        }
        m.count += t.count;
      }
    }
  }

  @Override
  public int groupCount() {
    return keys.size();
  }

  @Override
  public boolean isKeyNull(int group, int key) {
    return keys.get(group).get(key) == null;
  }

  @Override
  public long keyLong(int group, int key) {
    Object v = keys.get(group).get(key);
    return v == null ? 0 : (Long) v;
  }

  @Override
  public double keyDouble(int group, int key) {
    Object v = keys.get(group).get(key);
    return v == null ? 0.0 : (Double) v;
  }

  @Override
  public byte[] keyBytes(int group, int key) {
    Object v = keys.get(group).get(key);
    return v == null ? new byte[0] : ((ByteBuffer) v).array().clone();
  }

  @Override
  public boolean isResultNull(int group, int agg) {
    AggKind kind = aggs.get(agg).kind();
    return kind != AggKind.COUNT && kind != AggKind.COUNT_STAR && states.get(group)[agg].count == 0;
  }

  @Override
  public long resultLong(int group, int agg) {
    State s = states.get(group)[agg];
    return switch (aggs.get(agg).kind()) {
      case COUNT, COUNT_STAR -> s.count;
      default -> s.count == 0 ? 0 : s.value;
    };
  }

  @Override
  public double resultDouble(int group, int agg) {
    State s = states.get(group)[agg];
    if (s.count == 0) {
      return 0.0;
    }
    Agg a = aggs.get(agg);
    if (a.kind() == AggKind.AVG) {
      double sum = a.inputType() == ValueType.INT64 ? (double) s.value : s.dvalue;
      return sum / s.count;
    }
    return s.dvalue;
  }

  @Override
  public long reservedBytes() {
    return 0;
  }

  @Override
  public void close() {}
}
