package dev.amalgam.memory.spi;

import dev.amalgam.memory.DeviceSpec;

/**
 * Creates backends of one kind; found through {@link java.util.ServiceLoader}, so that optional
 * modules (TornadoVM, CUDA) add device kinds without the memory module depending on them.
 */
public interface DeviceBackendProvider {
  /** The backend name that topology files use in {@code backend=...}. */
  String name();

  /** Creates a backend for one device; {@code frameSize} is the unified memory's page size. */
  DeviceBackend create(DeviceSpec spec, long frameSize);
}
