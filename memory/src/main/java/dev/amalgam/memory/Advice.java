package dev.amalgam.memory;

/** Hints about how a region will be used, as in CUDA's {@code cudaMemAdvise}. */
public enum Advice {
  /**
   * Mostly read: a read on another device creates a read-only replica instead of moving the page; a
   * write invalidates the other replicas.
   */
  READ_MOSTLY,
  /**
   * The device the pages should live on: reads elsewhere replicate rather than move them, and
   * eviction from that device chooses them last.
   */
  PREFERRED_LOCATION,
  /**
   * The device will read the pages where they are: its read pins map a host-addressable copy on
   * another device over the link instead of moving the page.
   */
  ACCESSED_BY
}
