package dev.amalgam.exec.run;

/**
 * A streaming operator of a physical plan (filter, project, limit, join probe): immutable, shared
 * by all workers, each of which {@link #create}s its own {@link Op}. May be called from many
 * threads at once.
 */
public interface OpSpec {
  /** A new instance for {@code worker}, pushing into {@code next}. */
  Op create(Worker worker, Op next);

  /** One line for EXPLAIN, e.g. {@code Filter (l_quantity < 24)}. */
  String describe();

  /** Counters over all instances. */
  OpStats stats();
}
