package dev.amalgam.exec.run;

/** Join kinds. */
public enum JoinType {
  INNER,
  LEFT,
  RIGHT,
  FULL,
  SEMI,
  ANTI
}
