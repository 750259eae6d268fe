package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;

/** TEMPORARY compile stub. */
public final class JoinBuildSink implements Sink, AutoCloseable {
  public JoinBuildSink(int[] keyColumns, DataType[] columnTypes) {}

  @Override
  public Op createLocal(Worker worker) {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public void combine(Op local) {}

  @Override
  public void finish(QueryContext query) {}

  @Override
  public String describe() {
    return "stub";
  }

  @Override
  public OpStats stats() {
    return new OpStats();
  }

  @Override
  public void close() {}
}
