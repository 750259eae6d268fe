package dev.amalgam.kernels;

import dev.amalgam.memory.pool.MemoryConsumer;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The build side of a hash join: build rows keyed by one or several columns, each with a caller
 * chosen int64 row id; probes find, for each probe row, the build rows with an equal key. SQL
 * semantics: a key with a null in any column never matches (build rows with a null key are not
 * kept; probe rows with one have no match), float64 -0.0 equals 0.0 and NaN equals NaN.
 *
 * <p>Outputs: probe rows are int32 row indices of the probe columns (the selected rows, ascending),
 * build rows are the int64 row ids given to {@link #add}. Matches come in probe-row order, and for
 * one probe row in the order the build rows were added.
 *
 * <p>Memory: as {@link GroupByHashTable} (off-heap, reserved against a {@link MemoryConsumer},
 * {@link TableFullException} on a refused growth, {@link #close()} releases everything).
 *
 * <p>Threads: {@link #add} runs on one thread at a time; once the build is done, any number of
 * threads may probe at once (each with its own {@link Probe}). Never add while probing.
 */
public interface JoinHashTable extends AutoCloseable {

  /** The builder of the CPU implementation. */
  static Builder builder() {
    return new Builder();
  }

  /** The key column types, in order. */
  List<KeyType> keyTypes();

  /**
   * Adds build rows {@code [0, n)} (or {@code sel[0..n)}); row {@code r} gets row id {@code
   * firstRowId + r}. Rows with a null key are skipped.
   *
   * @throws TableFullException when a growth is refused; the first {@link
   *     TableFullException#rowsAdded()} rows (in selection order) were added, the others were not
   */
  void add(List<KeyColumn> keys, int n, @Nullable MemorySegment sel, long firstRowId);

  /** Build rows held (rows with a null key are not held). */
  long rowCount();

  /** Distinct keys held. */
  int keyCount();

  /** Whether some key is held by more than one build row. */
  boolean hasDuplicateKeys();

  /**
   * Starts probing rows {@code [0, n)} (or {@code sel[0..n)}) of {@code keys}; the probe columns
   * must stay readable until the probe is drained.
   */
  Probe probe(List<KeyColumn> keys, int n, @Nullable MemorySegment sel);

  /**
   * The unique-key fast path: for a table without duplicate keys, writes one (probe row, build row
   * id) pair per matching probe row into {@code probeRows} (int32) and {@code buildRows} (int64),
   * each holding {@code n} entries; returns the number of pairs.
   *
   * @throws IllegalStateException when the table has duplicate keys (use {@link #probe})
   */
  int probeUnique(
      List<KeyColumn> keys,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment probeRows,
      MemorySegment buildRows);

  /**
   * Semi join: writes the probe rows with at least one match as an ascending selection into {@code
   * out} (n int32s); returns their count.
   */
  int probeSemi(List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out);

  /**
   * Anti join ({@code NOT EXISTS}): writes the probe rows without a match (rows with a null key
   * included) as an ascending selection into {@code out} (n int32s); returns their count.
   */
  int probeAnti(List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out);

  /** Bytes this table holds off-heap (reserved against its consumer). */
  long reservedBytes();

  /** Frees the table's memory and releases its reservation. Idempotent. */
  @Override
  void close();

  /**
   * A probe in progress: hands out the match pairs of a batch of probe rows in pieces as large as
   * the caller's output buffers, for keys with many matches.
   */
  interface Probe {
    /**
     * Writes up to {@code capacity} (probe row, build row id) pairs into {@code probeRows} (int32)
     * and {@code buildRows} (int64); returns how many. Fewer than {@code capacity} (0 at the end)
     * means the probe is drained.
     */
    int next(MemorySegment probeRows, MemorySegment buildRows, int capacity);

    /** Whether every pair has been handed out. */
    boolean isDone();
  }

  /** Most partitions of a {@link Partitioned} table. */
  int MAX_PARTITIONS = 64;

  /**
   * A join table split by key hash into independent partitions, so that several threads can fill it
   * at once (one per partition) and each partition can live with the member that built it. Probes
   * behave as on one table (same outputs, same order).
   *
   * <p>On a {@link TableFullException} from {@link #add} or {@link #addTo}, some rows may have been
   * added and others not ({@link TableFullException#rowsAdded()} is not meaningful here): discard
   * the table.
   */
  interface Partitioned extends JoinHashTable {
    /** The number of partitions (a power of two). */
    int partitions();

    /**
     * Writes the partition of rows {@code [0, n)} (or {@code sel[0..n)}) as an int32 at {@code
     * out[row]} (out holds at least largest row + 1 entries).
     */
    void partitionOf(List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out);

    /**
     * Adds rows {@code sel[0..n)}, all of partition {@code partition} (as {@link #partitionOf}
     * says), with row ids {@code firstRowId + row}. Calls for different partitions may run at the
     * same time on different threads; calls for one partition must not.
     */
    void addTo(int partition, List<KeyColumn> keys, int n, MemorySegment sel, long firstRowId);
  }

  /** Configures and builds a CPU {@link JoinHashTable}. */
  final class Builder {
    private List<KeyType> keys = List.of();
    private int initialCapacity = 1024;
    private @Nullable MemoryConsumer consumer;

    private Builder() {}

    /** The key column types (1 to 64 columns). */
    public Builder keys(KeyType... types) {
      this.keys = List.of(types);
      return this;
    }

    /** The number of build rows (and distinct keys) to make room for up front (default 1024). */
    public Builder initialCapacity(int rows) {
      if (rows < 0) {
        throw new IllegalArgumentException("initialCapacity must not be negative: " + rows);
      }
      this.initialCapacity = rows;
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
    public JoinHashTable build() {
      MemoryConsumer c = consumer;
      if (c == null) {
        throw new IllegalStateException("JoinHashTable.builder(): consumer(...) is required");
      }
      if (keys.isEmpty() || keys.size() > KeyTable.MAX_KEYS) {
        throw new IllegalArgumentException(
            "a join needs 1 to " + KeyTable.MAX_KEYS + " key columns, got " + keys.size());
      }
      return new CpuJoinHashTable(keys, initialCapacity, c);
    }

    /**
     * Builds a table of {@code partitions} partitions (a power of two up to {@link
     * #MAX_PARTITIONS}), the initial capacity spread over them.
     *
     * @throws dev.amalgam.memory.pool.MemoryLimitExceededException when its first buffers cannot be
     *     reserved
     */
    public Partitioned buildPartitioned(int partitions) {
      MemoryConsumer c = consumer;
      if (c == null) {
        throw new IllegalStateException("JoinHashTable.builder(): consumer(...) is required");
      }
      if (keys.isEmpty() || keys.size() > KeyTable.MAX_KEYS) {
        throw new IllegalArgumentException(
            "a join needs 1 to " + KeyTable.MAX_KEYS + " key columns, got " + keys.size());
      }
      return new PartitionedJoinHashTable(keys, partitions, initialCapacity, c);
    }
  }
}
