package dev.amalgam.exec.run;

import dev.amalgam.memory.Device;
import java.util.List;

/**
 * The start of a pipeline: cuts its input into morsels and reads one into a batch on the worker
 * that runs it. Thread-safe.
 */
public interface Source {
  /** The morsels, each with the member that holds its pages now (or none). */
  List<Morsel> morsels(QueryContext query);

  /**
   * Reads a morsel on {@code worker}'s device: pins its pages there (the pins go to the worker and
   * are closed after the batch has been pushed) and returns the batch.
   */
  Batch read(Morsel morsel, Worker worker);

  /**
   * Reads a morsel and pushes it into {@code head}, as one batch or several; the default pushes
   * {@link #read}'s batch.
   */
  default void push(Morsel morsel, Worker worker, Op head) {
    head.push(read(morsel, worker));
  }

  /** Starts moving a morsel's pages to {@code device} ahead of use (a hint). */
  default void prefetch(Morsel morsel, Device device) {}

  /** Whether the morsels must be pushed in order, by one worker (sorted input). */
  default boolean ordered() {
    return false;
  }

  /** One line for EXPLAIN. */
  String describe();

  /** Counters. */
  OpStats stats();
}
