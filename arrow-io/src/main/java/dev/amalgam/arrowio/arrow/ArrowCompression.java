package dev.amalgam.arrowio.arrow;

/** Compression of IPC record-batch bodies (per buffer, as the Arrow format defines it). */
public enum ArrowCompression {
  /** Uncompressed: a mapped file's buffers are then used in place. */
  NONE,
  /** LZ4 frame format. */
  LZ4_FRAME,
  /** Zstandard. */
  ZSTD
}
