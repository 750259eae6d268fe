package dev.amalgam.memory.spi;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutorService;

/**
 * Provides one device's memory and compute: allocates its frames, copies bytes in and out of them,
 * and runs work on the device's own worker threads.
 *
 * <p>A backend whose memory is not host-addressable (real GPU memory behind CUDA or TornadoVM)
 * returns false from {@link #hostAddressable()} and implements the copies with its own transfer
 * calls (e.g. {@code cuMemcpyHtoD}/{@code DtoH}); the memory layer then stages transfers through
 * host buffers and never asks for a {@link #hostView}. A backend that can copy directly to another
 * device (NVLink peer copies) overrides {@link #copyToPeer}.
 *
 * <p>Thread safety: all methods may be called from many threads at once, for different frames. The
 * memory layer never copies into a frame while another thread reads or writes it.
 */
public interface DeviceBackend extends AutoCloseable {
  /** The backend's name, e.g. {@code host} or {@code sim}. */
  String name();

  /** True when frames are ordinary host memory that {@link #hostView} can expose. */
  boolean hostAddressable();

  /**
   * Allocates a frame of {@code bytes}. The contents are unspecified.
   *
   * @throws OutOfMemoryError or an {@code AmalgamMemoryException} when the device has no room
   */
  Frame allocate(long bytes);

  /** Returns a frame to the backend. The frame must not be used afterwards. */
  void free(Frame frame);

  /** Sets every byte of the frame to zero. */
  void zero(Frame frame);

  /**
   * A host segment over the frame's bytes, valid until the frame is freed.
   *
   * @throws UnsupportedOperationException when the backend is not host-addressable
   */
  MemorySegment hostView(Frame frame);

  /** Copies {@code length} bytes from the frame at {@code srcOffset} to host memory. */
  void copyToHost(Frame src, long srcOffset, MemorySegment dst, long length);

  /** Copies {@code length} bytes from host memory into the frame at {@code dstOffset}. */
  void copyFromHost(MemorySegment src, Frame dst, long dstOffset, long length);

  /**
   * Copies {@code length} bytes directly from one of this backend's frames into a frame of {@code
   * dstBackend} (a peer copy over a direct link) when the hardware can; returns false, having done
   * nothing, when it cannot, in which case the memory layer stages the copy through the host.
   */
  default boolean copyToPeer(Frame src, DeviceBackend dstBackend, Frame dst, long length) {
    return false;
  }

  /** The device's worker threads: kernels and asynchronous copies (prefetch) run here. */
  ExecutorService workers();

  /** Bytes of device memory the backend holds from the system (frames in use and cached). */
  long reservedBytes();

  /** Frees all device memory and stops the workers. Frames must not be used afterwards. */
  @Override
  void close();
}
