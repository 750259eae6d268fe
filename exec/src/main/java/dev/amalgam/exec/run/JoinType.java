package dev.amalgam.exec.run;

/** The kind of a hash join, seen from the probe side (the left input) and the build side. */
public enum JoinType {
  /** Pairs of matching probe and build rows. */
  INNER,
  /** Inner pairs, plus each probe row without a match with nulls on the build side. */
  LEFT,
  /** Inner pairs, plus each build row without a match with nulls on the probe side. */
  RIGHT,
  /** Inner pairs, plus unmatched probe rows and unmatched build rows, each padded with nulls. */
  FULL,
  /** The probe rows with at least one match ({@code EXISTS}, {@code IN}); probe columns only. */
  SEMI,
  /** The probe rows without a match ({@code NOT EXISTS}); probe columns only. */
  ANTI;

  /** Whether unmatched probe rows are kept, padded with nulls (LEFT, FULL). */
  public boolean keepsUnmatchedProbe() {
    return this == LEFT || this == FULL;
  }

  /** Whether unmatched build rows are emitted at the end, padded with nulls (RIGHT, FULL). */
  public boolean keepsUnmatchedBuild() {
    return this == RIGHT || this == FULL;
  }

  /** Whether the output carries build columns (every type but SEMI and ANTI). */
  public boolean outputsBuildColumns() {
    return this != SEMI && this != ANTI;
  }
}
