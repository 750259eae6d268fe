package dev.amalgam.memory.spi;

/**
 * A block of one device's memory, allocated and owned by that device's {@link DeviceBackend}. The
 * unified memory layer holds one frame per resident copy of a page. A frame is an opaque handle: it
 * need not be addressable from the host (a CUDA device pointer, a TornadoVM device buffer).
 */
public interface Frame {
  /** Size of the frame in bytes. */
  long size();
}
