package dev.amalgam.exec;

import java.util.Objects;

/**
 * Where a table's row groups live on the fused device's members.
 *
 * <ul>
 *   <li>{@link #roundRobin()}: row group i on member i mod members (the default for large tables).
 *   <li>{@link #hash(String)}: rows partitioned by a hash of one column, one partition per member
 *       (so that equal keys share a member).
 *   <li>{@link #replicated()}: every row group read-mostly on every member (small dimension tables;
 *       the default for tables of one small row group).
 *   <li>{@link #pinned(String)}: every row group on one named device.
 *   <li>{@link #auto()}: replicated when the table is one row group of at most 16 MiB, else
 *       round-robin.
 * </ul>
 */
public sealed interface Placement {
  /** Round-robin row groups across members. */
  record RoundRobin() implements Placement {
    @Override
    public String toString() {
      return "round-robin";
    }
  }

  /** Hash-partitioned by a column. */
  record Hash(String column) implements Placement {
    /** Checks the column. */
    public Hash {
      Objects.requireNonNull(column, "column is null");
    }

    @Override
    public String toString() {
      return "hash(" + column + ")";
    }
  }

  /** Replicated read-mostly on every member. */
  record Replicated() implements Placement {
    @Override
    public String toString() {
      return "replicated";
    }
  }

  /** Everything on one device. */
  record Pinned(String device) implements Placement {
    /** Checks the device name. */
    public Pinned {
      Objects.requireNonNull(device, "device is null");
    }

    @Override
    public String toString() {
      return "pinned(" + device + ")";
    }
  }

  /** Chosen from the table's size. */
  record Auto() implements Placement {
    @Override
    public String toString() {
      return "auto";
    }
  }

  /** Round-robin. */
  static Placement roundRobin() {
    return new RoundRobin();
  }

  /** Hash-partitioned by {@code column}. */
  static Placement hash(String column) {
    return new Hash(column);
  }

  /** Replicated. */
  static Placement replicated() {
    return new Replicated();
  }

  /** Pinned to {@code device}. */
  static Placement pinned(String device) {
    return new Pinned(device);
  }

  /** Automatic. */
  static Placement auto() {
    return new Auto();
  }
}
