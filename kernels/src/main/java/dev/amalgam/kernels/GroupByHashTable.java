package dev.amalgam.kernels;

import dev.amalgam.memory.pool.MemoryConsumer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Hash aggregation: groups rows by a key of one or several columns and keeps aggregates per group
 * (SQL {@code GROUP BY}). Groups are numbered {@code 0 .. groupCount() - 1} in the order their key
 * first arrived; a null key value forms its own group. Aggregates skip nulls: COUNT counts non-null
 * values, SUM / MIN / MAX / AVG of a group with no non-null value are null, COUNT(*) counts rows.
 * SUM and AVG of int64 throw {@link KernelException} on overflow. Float64 MIN / MAX order values as
 * {@link Double#compare} does (-0.0 below 0.0, NaN above everything); float64 sums add in row
 * order.
 *
 * <p>Memory: the CPU table (from {@link #builder()}) lives off-heap in buffers it owns, reserved
 * against the {@link MemoryConsumer} given at construction before they are allocated. When a growth
 * is refused, {@link #add} and {@link #merge} throw {@link TableFullException} and the table stays
 * consistent and usable. {@link #close()} frees everything and releases the reservation.
 *
 * <p>Threads: a table is used by one thread at a time (it may be handed between threads). Build one
 * partial table per worker or device, then {@link #merge} them on one thread.
 */
public interface GroupByHashTable extends AutoCloseable {

  /** The builder of the CPU implementation. */
  static Builder builder() {
    return new Builder();
  }

  /** The key column types, in order. */
  List<KeyType> keyTypes();

  /** The aggregates, in order. */
  List<Agg> aggregates();

  /**
   * Adds rows {@code [0, n)} (or the {@code n} rows {@code sel[0..n)}) of {@code keys} and {@code
   * values} (the aggregates' inputs, indexed by {@link Agg#input()}).
   *
   * @throws TableFullException when a growth is refused; the first {@link
   *     TableFullException#rowsAdded()} rows (in selection order) were added, the others were not
   * @throws KernelException on SUM / AVG int64 overflow; the aggregates are unspecified afterwards
   *     (the query failed) but the table can still be closed
   */
  void add(List<KeyColumn> keys, List<ValueColumn> values, int n, @Nullable MemorySegment sel);

  /**
   * Adds rows {@code [0, n)} (or the {@code n} rows {@code sel[0..n)}) of {@code values} to the one
   * group whose key is row 0 of {@code keys}: the same result as {@link #add} with every row's key
   * equal to that key, without hashing or probing per row. This is the path of aggregates without
   * GROUP BY, whose one group has a constant key.
   *
   * @throws TableFullException when the group is new and its insertion is refused; no row was added
   * @throws KernelException on SUM / AVG int64 overflow, as for {@link #add}
   */
  void addToOneGroup(
      List<KeyColumn> keys, List<ValueColumn> values, int n, @Nullable MemorySegment sel);

  /**
   * Folds every group of {@code other} (same key types and aggregates; left unchanged) into this
   * table; new keys are appended in {@code other}'s group order.
   *
   * @throws TableFullException when a growth is refused; this table is then unchanged
   * @throws IllegalArgumentException when {@code other} differs in keys, aggregates or kind
   */
  void merge(GroupByHashTable other);

  /** The number of groups. */
  int groupCount();

  /** Whether key column {@code key} of group {@code group} is null. */
  boolean isKeyNull(int group, int key);

  /** An int32 / date32 / int64 key value (0 for null). */
  long keyLong(int group, int key);

  /** A float64 key value (0.0 for null; -0.0 arrives as 0.0, any NaN as the canonical NaN). */
  double keyDouble(int group, int key);

  /** The bytes of a utf8 key value (empty for null). */
  byte[] keyBytes(int group, int key);

  /**
   * Whether aggregate {@code agg} of {@code group} is null (no non-null input; never for counts).
   */
  boolean isResultNull(int group, int agg);

  /** An aggregate whose {@link Agg#resultType()} is INT64 (0 when null). */
  long resultLong(int group, int agg);

  /** An aggregate whose {@link Agg#resultType()} is FLOAT64 (0.0 when null). */
  double resultDouble(int group, int agg);

  /** Bytes this table holds off-heap (reserved against its consumer). */
  long reservedBytes();

  /** Frees the table's memory and releases its reservation. Idempotent. */
  @Override
  void close();

  /**
   * Writes key column {@code key} of groups {@code [from, from + count)} as a fixed-width Arrow
   * column at {@code values[0..count)} (int32 for int32/date32 keys), and its validity bits when
   * {@code validity} is not null (a null key without a validity bitmap is an error).
   */
  default void readKey(
      int key, int from, int count, MemorySegment values, @Nullable MemorySegment validity) {
    KeyType type = keyTypes().get(key);
    checkRange(from, count, groupCount());
    if (type == KeyType.UTF8) {
      throw new IllegalArgumentException("key " + key + " is utf8: use readUtf8Key");
    }
    for (int i = 0; i < count; i++) {
      int g = from + i;
      boolean isNull = isKeyNull(g, key);
      writeValidity(validity, i, isNull, "key ", key, g);
      switch (type) {
        case INT32, DATE32 -> values.setAtIndex(ArrowLayout.INT32, i, (int) keyLong(g, key));
        case INT64 -> values.setAtIndex(ArrowLayout.INT64, i, keyLong(g, key));
        case FLOAT64 -> values.setAtIndex(ArrowLayout.FLOAT64, i, keyDouble(g, key));
        case UTF8 -> throw new AssertionError(type);
      }
    }
  }

  /**
   * The bytes {@link #readUtf8Key} needs in {@code data} for groups {@code [from, from + count)}.
   */
  default long utf8KeyBytes(int key, int from, int count) {
    checkRange(from, count, groupCount());
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      bytes += keyBytes(from + i, key).length;
    }
    return bytes;
  }

  /**
   * Writes utf8 key column {@code key} of groups {@code [from, from + count)} as an Arrow utf8
   * column ({@code count + 1} offsets from 0, the bytes, validity); returns the data bytes written.
   */
  default long readUtf8Key(
      int key,
      int from,
      int count,
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity) {
    if (keyTypes().get(key) != KeyType.UTF8) {
      throw new IllegalArgumentException("key " + key + " is not utf8: use readKey");
    }
    checkRange(from, count, groupCount());
    long at = 0;
    offsets.setAtIndex(ArrowLayout.INT32, 0, 0);
    for (int i = 0; i < count; i++) {
      int g = from + i;
      writeValidity(validity, i, isKeyNull(g, key), "key ", key, g);
      byte[] bytes = keyBytes(g, key);
      if (at + bytes.length > data.byteSize()) {
        throw new IllegalArgumentException(
            "readUtf8Key: data holds "
                + data.byteSize()
                + " bytes, too few for groups "
                + from
                + ".."
                + (from + count - 1)
                + " (see utf8KeyBytes)");
      }
      MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, at, bytes.length);
      at += bytes.length;
      offsets.setAtIndex(ArrowLayout.INT32, i + 1L, Math.toIntExact(at));
    }
    return at;
  }

  /**
   * Writes aggregate {@code agg} of groups {@code [from, from + count)} at {@code values[0..count)}
   * (int64 or float64 as {@link Agg#resultType()}), and its validity bits when {@code validity} is
   * not null (a null result without a validity bitmap is an error).
   */
  default void readResult(
      int agg, int from, int count, MemorySegment values, @Nullable MemorySegment validity) {
    ValueType type = aggregates().get(agg).resultType();
    checkRange(from, count, groupCount());
    for (int i = 0; i < count; i++) {
      int g = from + i;
      writeValidity(validity, i, isResultNull(g, agg), "aggregate ", agg, g);
      if (type == ValueType.INT64) {
        values.setAtIndex(ArrowLayout.INT64, i, resultLong(g, agg));
      } else {
        values.setAtIndex(ArrowLayout.FLOAT64, i, resultDouble(g, agg));
      }
    }
  }

  private static void checkRange(int from, int count, int groups) {
    if (from < 0 || count < 0 || from > groups - count) {
      throw new IndexOutOfBoundsException(
          "groups " + from + " .. " + from + " + " + count + " out of [0, " + groups + ")");
    }
  }

  /**
   * Sets validity bit {@code i}; a null without a bitmap is an error naming {@code what} (key or
   * aggregate) {@code index} of group {@code g}.
   */
  private static void writeValidity(
      @Nullable MemorySegment validity, int i, boolean isNull, String what, int index, int g) {
    if (validity != null) {
      Validity.set(validity, i, !isNull);
    } else if (isNull) {
      throw new IllegalArgumentException(
          what + index + " of group " + g + " is null but no validity bitmap was given");
    }
  }

  /** The type of an aggregate's input or result. */
  enum ValueType {
    /** int64 values. */
    INT64,
    /** float64 values. */
    FLOAT64
  }

  /** What an aggregate computes. */
  enum AggKind {
    /** Rows in the group; no input. */
    COUNT_STAR,
    /** Non-null input values. */
    COUNT,
    /** Sum of the non-null values (int64 overflow is an error). */
    SUM,
    /** Smallest non-null value. */
    MIN,
    /** Largest non-null value. */
    MAX,
    /** Mean of the non-null values, as float64. */
    AVG
  }

  /**
   * One aggregate: its kind, the index of its input in the {@code values} list of {@link #add}
   * ({@code -1} for COUNT(*)), and the input's type ({@code null} for COUNT(*)).
   *
   * @param kind what it computes
   * @param input index of the input value column, -1 for COUNT(*)
   * @param inputType the input's type, null for COUNT(*)
   */
  record Agg(AggKind kind, int input, @Nullable ValueType inputType) {
    /** Checks that COUNT(*) alone has no input. */
    public Agg {
      Objects.requireNonNull(kind, "kind is null");
      if ((kind == AggKind.COUNT_STAR) != (input == -1) || (input == -1) != (inputType == null)) {
        throw new IllegalArgumentException(
            kind == AggKind.COUNT_STAR
                ? "COUNT(*) takes no input (input -1, type null)"
                : kind + " needs an input index >= 0 and a type; got " + input + ", " + inputType);
      }
      if (input < -1) {
        throw new IllegalArgumentException("input index must be >= 0: " + input);
      }
    }

    /** COUNT(*). */
    public static Agg countStar() {
      return new Agg(AggKind.COUNT_STAR, -1, null);
    }

    /** COUNT(values[input]). */
    public static Agg count(int input, ValueType type) {
      return new Agg(AggKind.COUNT, input, type);
    }

    /** SUM(values[input]). */
    public static Agg sum(int input, ValueType type) {
      return new Agg(AggKind.SUM, input, type);
    }

    /** MIN(values[input]). */
    public static Agg min(int input, ValueType type) {
      return new Agg(AggKind.MIN, input, type);
    }

    /** MAX(values[input]). */
    public static Agg max(int input, ValueType type) {
      return new Agg(AggKind.MAX, input, type);
    }

    /** AVG(values[input]). */
    public static Agg avg(int input, ValueType type) {
      return new Agg(AggKind.AVG, input, type);
    }

    /** The result's type: INT64 for counts, FLOAT64 for AVG, the input's type otherwise. */
    public ValueType resultType() {
      return switch (kind) {
        case COUNT_STAR, COUNT -> ValueType.INT64;
        case AVG -> ValueType.FLOAT64;
        case SUM, MIN, MAX -> Objects.requireNonNull(inputType);
      };
    }
  }

  /**
   * One aggregate input column in Arrow layout.
   *
   * @param type int64 or float64
   * @param values the values
   * @param validity the validity bitmap, or {@code null} when no row is null
   */
  record ValueColumn(ValueType type, MemorySegment values, @Nullable MemorySegment validity) {
    /** Checks for nulls. */
    public ValueColumn {
      Objects.requireNonNull(type, "type is null");
      Objects.requireNonNull(values, "values is null");
    }

    /** An int64 column. */
    public static ValueColumn int64(MemorySegment values, @Nullable MemorySegment validity) {
      return new ValueColumn(ValueType.INT64, values, validity);
    }

    /** A float64 column. */
    public static ValueColumn float64(MemorySegment values, @Nullable MemorySegment validity) {
      return new ValueColumn(ValueType.FLOAT64, values, validity);
    }
  }

  /** Configures and builds a CPU {@link GroupByHashTable}. */
  final class Builder {
    private List<KeyType> keys = List.of();
    private List<Agg> aggregates = List.of();
    private int initialCapacity = 1024;
    private @Nullable MemoryConsumer consumer;

    private Builder() {}

    /** The key column types (1 to 64 columns). */
    public Builder keys(KeyType... types) {
      this.keys = List.of(types);
      return this;
    }

    /** The aggregates (none is allowed: then the table computes the distinct keys). */
    public Builder aggregates(Agg... aggregates) {
      this.aggregates = List.of(aggregates);
      return this;
    }

    /** The number of groups to make room for up front (default 1024). */
    public Builder initialCapacity(int groups) {
      if (groups < 0) {
        throw new IllegalArgumentException("initialCapacity must not be negative: " + groups);
      }
      this.initialCapacity = groups;
      return this;
    }

    /** The memory consumer every byte of the table is reserved against (required). */
    public Builder consumer(MemoryConsumer consumer) {
      this.consumer = Objects.requireNonNull(consumer, "consumer is null");
      return this;
    }

    /**
     * Builds the table.
     *
     * @throws dev.amalgam.memory.pool.MemoryLimitExceededException when its first buffers cannot be
     *     reserved
     */
    public GroupByHashTable build() {
      MemoryConsumer c = consumer;
      if (c == null) {
        throw new IllegalStateException("GroupByHashTable.builder(): consumer(...) is required");
      }
      if (keys.isEmpty() || keys.size() > KeyTable.MAX_KEYS) {
        throw new IllegalArgumentException(
            "a group-by needs 1 to " + KeyTable.MAX_KEYS + " key columns, got " + keys.size());
      }
      return new CpuGroupByHashTable(keys, aggregates, initialCapacity, c);
    }
  }
}
