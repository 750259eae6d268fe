package dev.amalgam.kernels;

import dev.amalgam.memory.Sizes;
import dev.amalgam.memory.pool.MemoryLimitExceededException;

/**
 * A hash table could not grow because its memory consumer's pool refused the reservation; the table
 * is unchanged by the refused step and stays usable (read it, spill it, close it). The cause is the
 * pool's {@link MemoryLimitExceededException}, which names the largest consumers.
 */
public final class TableFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String table;
  private final long entries;
  private final long requestedBytes;
  private final long limitBytes;
  private final int rowsAdded;

  private TableFullException(
      String message,
      String table,
      long entries,
      long requestedBytes,
      long limitBytes,
      int rowsAdded,
      MemoryLimitExceededException cause) {
    super(message, cause);
    this.table = table;
    this.entries = entries;
    this.requestedBytes = requestedBytes;
    this.limitBytes = limitBytes;
    this.rowsAdded = rowsAdded;
  }

  /**
   * The error for table {@code table} (its consumer's name), of kind {@code kind} ({@code "group-by
   * hash table"}), holding {@code entries} {@code entryName}s when {@code cause} refused its
   * growth, after {@code rowsAdded} rows of the current call had been added.
   */
  static TableFullException of(
      String kind,
      String table,
      long entries,
      String entryName,
      int rowsAdded,
      MemoryLimitExceededException cause) {
    String message =
        kind
            + " '"
            + table
            + "' cannot grow beyond "
            + entries
            + " "
            + entryName
            + ": "
            + Sizes.bytes(cause.requestedBytes())
            + " more would pass the limit "
            + Sizes.bytes(cause.limitBytes())
            + " of memory pool '"
            + cause.poolName()
            + "' ("
            + Sizes.bytes(cause.reservedBytes())
            + " reserved); "
            + (rowsAdded < 0
                ? "nothing was changed"
                : "the first " + rowsAdded + " rows of this call were added, the others were not")
            + " ["
            + cause.getMessage()
            + "]";
    return new TableFullException(
        message, table, entries, cause.requestedBytes(), cause.limitBytes(), rowsAdded, cause);
  }

  /** The table's name (the name of its memory consumer). */
  public String table() {
    return table;
  }

  /** The groups (group-by) or distinct keys (join) the table held when growth was refused. */
  public long entries() {
    return entries;
  }

  /** The bytes the refused growth asked for. */
  public long requestedBytes() {
    return requestedBytes;
  }

  /** The limit of the pool that refused, in bytes. */
  public long limitBytes() {
    return limitBytes;
  }

  /**
   * How many rows of the failed call (in selection order) were added before the refusal; the rest
   * were not. -1 for a merge, which is all or nothing.
   */
  public int rowsAdded() {
    return rowsAdded;
  }
}
