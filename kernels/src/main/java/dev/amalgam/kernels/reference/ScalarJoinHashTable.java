package dev.amalgam.kernels.reference;

import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.JoinHashTable;
import dev.amalgam.kernels.KeyColumn;
import dev.amalgam.kernels.KeyType;
import dev.amalgam.kernels.Selection;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The plain reference of {@link JoinHashTable}: a {@link HashMap} from the key (a list of boxed
 * values) to the list of build row ids. On-heap, no memory accounting; for tests and benchmarks.
 */
public final class ScalarJoinHashTable implements JoinHashTable {
  private final List<KeyType> keyTypes;
  private final Map<List<@Nullable Object>, List<Long>> rows = new HashMap<>();
  private long rowCount;
  private boolean duplicates;

  /** A table with the given key types. */
  public ScalarJoinHashTable(List<KeyType> keyTypes) {
    this.keyTypes = List.copyOf(keyTypes);
  }

  @Override
  public List<KeyType> keyTypes() {
    return keyTypes;
  }

  @Override
  public void add(List<KeyColumn> keys, int n, @Nullable MemorySegment sel, long firstRowId) {
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      List<@Nullable Object> key = ScalarGroupByHashTable.key(keys, row);
      if (key.contains(null)) {
        continue;
      }
      List<Long> ids = rows.computeIfAbsent(key, x -> new ArrayList<>());
      duplicates |= !ids.isEmpty();
      ids.add(firstRowId + row);
      rowCount++;
    }
  }

  /** The build row ids matching probe row {@code row}; empty when none (or a null key). */
  private List<Long> matches(List<KeyColumn> keys, int row) {
    List<@Nullable Object> key = ScalarGroupByHashTable.key(keys, row);
    if (key.contains(null)) {
      return List.of();
    }
    return rows.getOrDefault(key, List.of());
  }

  @Override
  public long rowCount() {
    return rowCount;
  }

  @Override
  public int keyCount() {
    return rows.size();
  }

  @Override
  public boolean hasDuplicateKeys() {
    return duplicates;
  }

  @Override
  public Probe probe(List<KeyColumn> keys, int n, @Nullable MemorySegment sel) {
    List<long[]> pairs = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      for (long id : matches(keys, row)) {
        pairs.add(new long[] {row, id});
      }
    }
    return new Probe() {
      private int at;

      @Override
      public int next(MemorySegment probeRows, MemorySegment buildRows, int capacity) {
        int count = 0;
        while (count < capacity && at < pairs.size()) {
          long[] p = pairs.get(at++);
          probeRows.setAtIndex(ArrowLayout.INT32, count, (int) p[0]);
          buildRows.setAtIndex(ArrowLayout.INT64, count, p[1]);
          count++;
        }
        return count;
      }

      @Override
      public boolean isDone() {
        return at == pairs.size();
      }
    };
  }

  @Override
  public int probeUnique(
      List<KeyColumn> keys,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment probeRows,
      MemorySegment buildRows) {
    if (duplicates) {
      throw new IllegalStateException("the table has duplicate keys");
    }
    int count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      List<Long> ids = matches(keys, row);
      if (!ids.isEmpty()) {
        probeRows.setAtIndex(ArrowLayout.INT32, count, row);
        buildRows.setAtIndex(ArrowLayout.INT64, count, ids.get(0));
        count++;
      }
    }
    return count;
  }

  @Override
  public int probeSemi(
      List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out) {
    return exists(keys, n, sel, out, true);
  }

  @Override
  public int probeAnti(
      List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out) {
    return exists(keys, n, sel, out, false);
  }

  private int exists(
      List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out, boolean want) {
    int count = 0;
    for (int k = 0; k < n; k++) {
      int row = Selection.row(sel, k);
      if (!matches(keys, row).isEmpty() == want) {
        out.setAtIndex(ArrowLayout.INT32, count++, row);
      }
    }
    return count;
  }

  @Override
  public long reservedBytes() {
    return 0;
  }

  @Override
  public void close() {}
}
