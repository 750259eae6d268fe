package dev.amalgam.memory;

import dev.amalgam.memory.spi.DeviceBackend;
import dev.amalgam.memory.spi.DeviceBackendProvider;

/**
 * Provides {@link OpaqueBackend}s for devices declared with {@code backend=opaque} (tests only),
 * and through {@link NoPeer} the variant without peer copies, {@code backend=opaque-nopeer}.
 */
public final class OpaqueBackendProvider implements DeviceBackendProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} does this. */
  public OpaqueBackendProvider() {}

  /** Provides the variant that cannot copy to peers ({@code backend=opaque-nopeer}). */
  public static final class NoPeer implements DeviceBackendProvider {
    /** Creates the provider; {@link java.util.ServiceLoader} does this. */
    public NoPeer() {}

    @Override
    public String name() {
      return OpaqueBackend.NO_PEER_NAME;
    }

    @Override
    public DeviceBackend create(DeviceSpec spec, long frameSize) {
      return new OpaqueBackend(spec, frameSize, false);
    }
  }

  @Override
  public String name() {
    return OpaqueBackend.NAME;
  }

  @Override
  public DeviceBackend create(DeviceSpec spec, long frameSize) {
    return new OpaqueBackend(spec, frameSize, true);
  }
}
