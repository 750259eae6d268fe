package dev.amalgam.exec.run;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one operator over all workers: rows in and out, and the time spent in it. */
public final class OpStats {
  final LongAdder rowsIn = new LongAdder();
  final LongAdder rowsOut = new LongAdder();
  final LongAdder nanos = new LongAdder();
  final LongAdder batches = new LongAdder();

  /** Rows that came in. */
  public long rowsIn() {
    return rowsIn.sum();
  }

  /** Rows that went out. */
  public long rowsOut() {
    return rowsOut.sum();
  }

  /** Nanoseconds spent in the operator itself (summed over workers). */
  public long nanos() {
    return nanos.sum();
  }

  /** Batches seen. */
  public long batches() {
    return batches.sum();
  }

  /** Records one batch. */
  public void record(long in, long out, long ns) {
    rowsIn.add(in);
    rowsOut.add(out);
    nanos.add(ns);
    batches.increment();
  }

  /** Adds time only. */
  public void addNanos(long ns) {
    nanos.add(ns);
  }

  /** Adds output rows only. */
  public void addRowsOut(long rows) {
    rowsOut.add(rows);
  }
}
