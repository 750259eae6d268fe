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
  ANTI,
  /**
   * The build rows with at least one match; build columns only: {@code EXISTS} with the outer side
   * built and the subquery's side probing (when the outer side is the smaller one).
   */
  RIGHT_SEMI,
  /** The build rows without a match; build columns only ({@code NOT EXISTS}, outer side built). */
  RIGHT_ANTI;

  /** Whether the probe remembers which build rows matched (RIGHT, FULL, RIGHT_SEMI, RIGHT_ANTI). */
  public boolean tracksBuildMatches() {
    return this == RIGHT || this == FULL || this == RIGHT_SEMI || this == RIGHT_ANTI;
  }

  /** Whether the output carries probe columns (every type but RIGHT_SEMI and RIGHT_ANTI). */
  public boolean outputsProbeColumns() {
    return this != RIGHT_SEMI && this != RIGHT_ANTI;
  }

  /** Whether the join only tests for matches (SEMI, ANTI, RIGHT_SEMI, RIGHT_ANTI). */
  public boolean testsExistence() {
    return this == SEMI || this == ANTI || this == RIGHT_SEMI || this == RIGHT_ANTI;
  }

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
