package dev.amalgam.memory;

import java.util.Objects;

/**
 * A bidirectional link between two devices of a {@link Topology}.
 *
 * @param a one end (device name)
 * @param b the other end (device name)
 * @param type the interconnect technology
 * @param bytesPerSecondPerDirection bandwidth each way (defaults to the type's figure)
 * @param latencyNanos modeled latency of one transfer (defaults to the type's figure)
 */
public record LinkSpec(
    String a, String b, LinkType type, double bytesPerSecondPerDirection, long latencyNanos) {

  /** Validates the fields. */
  public LinkSpec {
    Objects.requireNonNull(a, "a is null");
    Objects.requireNonNull(b, "b is null");
    Objects.requireNonNull(type, "type is null");
    if (a.equals(b)) {
      throw new IllegalArgumentException("link joins device '" + a + "' to itself");
    }
    if (!(bytesPerSecondPerDirection > 0) || Double.isInfinite(bytesPerSecondPerDirection)) {
      throw new IllegalArgumentException(
          "link "
              + a
              + "<->"
              + b
              + ": bandwidth must be positive and finite, was "
              + bytesPerSecondPerDirection);
    }
    if (latencyNanos < 0) {
      throw new IllegalArgumentException(
          "link " + a + "<->" + b + ": latency must not be negative, was " + latencyNanos);
    }
  }

  /** A link with the type's public figures. */
  public static LinkSpec of(String a, String b, LinkType type) {
    return new LinkSpec(a, b, type, type.bytesPerSecondPerDirection(), type.latencyNanos());
  }

  /** Modeled seconds to move {@code bytes} over this link in one transfer. */
  public double modeledSeconds(long bytes) {
    return latencyNanos * 1e-9 + bytes / bytesPerSecondPerDirection;
  }

  /** True when this link joins the two named devices (either way round). */
  public boolean joins(String x, String y) {
    return (a.equals(x) && b.equals(y)) || (a.equals(y) && b.equals(x));
  }
}
