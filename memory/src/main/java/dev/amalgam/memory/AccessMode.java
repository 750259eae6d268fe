package dev.amalgam.memory;

/** How a pin will access its pages. */
public enum AccessMode {
  /** Read only: other devices may hold current replicas at the same time. */
  READ,
  /** Read and write: the pinning device's copy becomes the only current one. */
  WRITE,
  /**
   * Write every byte of the range without reading it first: like {@link #WRITE}, but the old
   * contents of fully covered pages are not copied in.
   */
  OVERWRITE;

  /** True for the modes that write. */
  public boolean writes() {
    return this != READ;
  }
}
