/**
 * The device backend SPI: how a device's memory is allocated, copied and computed on.
 *
 * <p>Backends implement {@link dev.amalgam.memory.spi.DeviceBackend} and are named by a device's
 * {@code backend} in the topology. {@code host} and {@code sim} are built in; others are found
 * through {@link dev.amalgam.memory.spi.DeviceBackendProvider} with {@link
 * java.util.ServiceLoader}.
 */
@NullMarked
package dev.amalgam.memory.spi;

import org.jspecify.annotations.NullMarked;
