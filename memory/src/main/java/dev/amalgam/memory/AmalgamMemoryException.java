package dev.amalgam.memory;

import java.util.Objects;

/**
 * An error of the unified memory layer: bad use of its API or a limit that cannot be met. The
 * message says what was wrong, where (device, region, page) and what the limit was; {@link #code()}
 * says which kind of error it is. The memory stays usable after any of these.
 */
public final class AmalgamMemoryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Kinds of memory errors. */
  public enum Code {
    /** A region, pin or memory was used after it was closed. */
    CLOSED,
    /** An offset or length lies outside a region. */
    OUT_OF_RANGE,
    /** A pin was closed twice. */
    UNPINNED_TWICE,
    /** A device has no room and nothing on it can be evicted. */
    DEVICE_FULL,
    /** An allocation can never fit in all tiers together. */
    TOO_LARGE,
    /** The spill tier is full or cannot be written. */
    SPILL_FAILED,
    /** A pin waited too long for conflicting pins on other devices. */
    PIN_TIMEOUT,
    /** A device or backend name is unknown. */
    UNKNOWN_DEVICE,
    /** A view was asked of memory the host cannot address, or over several pages. */
    NOT_ADDRESSABLE,
    /** A region was closed while pinned, or the memory was closed with live regions. */
    STILL_IN_USE,
    /** A write pin was asked of a read-only (mapped) region. */
    READ_ONLY
  }

  private final Code code;

  private AmalgamMemoryException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code is null");
  }

  private AmalgamMemoryException(Code code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code is null");
  }

  /** Which kind of error this is. */
  public Code code() {
    return code;
  }

  static AmalgamMemoryException closed(String what) {
    return new AmalgamMemoryException(Code.CLOSED, what + " is closed");
  }

  static AmalgamMemoryException outOfRange(String region, long offset, long length, long size) {
    return new AmalgamMemoryException(
        Code.OUT_OF_RANGE,
        String.format(
            "range [%d, %d) (offset %d, length %d) is outside %s of %d bytes",
            offset, offset + length, offset, length, region, size));
  }

  static AmalgamMemoryException unpinnedTwice(String pin) {
    return new AmalgamMemoryException(Code.UNPINNED_TWICE, "unpinned twice: " + pin);
  }

  static AmalgamMemoryException deviceFull(
      String device, long capacity, long resident, long pinned, long requested) {
    return new AmalgamMemoryException(
        Code.DEVICE_FULL,
        String.format(
            "device '%s' has no room for %s: capacity %s, resident %s, of which %s pinned and"
                + " no other page could be evicted",
            device,
            Sizes.bytes(requested),
            Sizes.bytes(capacity),
            Sizes.bytes(resident),
            Sizes.bytes(pinned)));
  }

  static AmalgamMemoryException backendFull(
      String device, long capacity, long reserved, long requested) {
    return new AmalgamMemoryException(
        Code.DEVICE_FULL,
        String.format(
            "device '%s' backend cannot allocate %s: capacity %s, %s already allocated",
            device, Sizes.bytes(requested), Sizes.bytes(capacity), Sizes.bytes(reserved)));
  }

  static AmalgamMemoryException tooLarge(
      long requested, long allocated, long allTiers, String tiers) {
    return new AmalgamMemoryException(
        Code.TOO_LARGE,
        String.format(
            "cannot allocate %s: %s already allocated and all tiers together hold %s (%s)",
            Sizes.bytes(requested), Sizes.bytes(allocated), Sizes.bytes(allTiers), tiers));
  }

  static AmalgamMemoryException spillFailed(String message, Throwable cause) {
    return new AmalgamMemoryException(Code.SPILL_FAILED, message, cause);
  }

  static AmalgamMemoryException spillFull(String path, long capacity) {
    return new AmalgamMemoryException(
        Code.SPILL_FAILED,
        "spill file " + path + " is full: its limit is " + Sizes.bytes(capacity));
  }

  static AmalgamMemoryException pinTimeout(String page, String device, String holders, long ms) {
    return new AmalgamMemoryException(
        Code.PIN_TIMEOUT,
        String.format("waited %d ms to pin %s on %s: it is pinned %s", ms, page, device, holders));
  }

  static AmalgamMemoryException unknownDevice(String name, String known) {
    return new AmalgamMemoryException(
        Code.UNKNOWN_DEVICE, "unknown device '" + name + "'; devices: " + known);
  }

  static AmalgamMemoryException unknownBackend(String backend, String device, String known) {
    return new AmalgamMemoryException(
        Code.UNKNOWN_DEVICE,
        "no backend '" + backend + "' for device '" + device + "'; available: " + known);
  }

  static AmalgamMemoryException notAddressable(String message) {
    return new AmalgamMemoryException(Code.NOT_ADDRESSABLE, message);
  }

  static AmalgamMemoryException readOnly(String region, AccessMode mode) {
    return new AmalgamMemoryException(
        Code.READ_ONLY, "cannot pin " + region + " for " + mode + ": it is read-only (mapped)");
  }

  static AmalgamMemoryException stillInUse(String message) {
    return new AmalgamMemoryException(Code.STILL_IN_USE, message);
  }
}
