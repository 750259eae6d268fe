package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;

/** TEMPORARY compile stub. */
public final class JoinProbeSpec implements OpSpec {
  public JoinProbeSpec(
      JoinType type,
      JoinBuildSink build,
      int[] probeKeyColumns,
      DataType[] probeTypes,
      DataType[] buildTypes) {}

  @Override
  public Op create(Worker worker, Op next) {
    throw new UnsupportedOperationException("stub");
  }

  @Override
  public String describe() {
    return "stub";
  }

  @Override
  public OpStats stats() {
    return new OpStats();
  }
}
