package dev.amalgam.memory;

import java.util.List;
import java.util.Objects;

/**
 * The path a transfer takes through a {@link Topology}: zero hops for a device to itself, one for a
 * direct link, more when the transfer is staged through intermediate devices (store and forward).
 *
 * @param hops the links crossed, in order; consecutive hops share a device
 */
public record Route(List<Hop> hops) {

  /** The route from a device to itself: no hops. */
  public static final Route LOCAL = new Route(List.of());

  /** Validates that the hops form a chain, and makes the list immutable. */
  public Route {
    hops = List.copyOf(Objects.requireNonNull(hops, "hops is null"));
    for (int i = 1; i < hops.size(); i++) {
      if (!hops.get(i - 1).to().equals(hops.get(i).from())) {
        throw new IllegalArgumentException(
            "hop "
                + i
                + " starts at '"
                + hops.get(i).from()
                + "' but hop "
                + (i - 1)
                + " ends at '"
                + hops.get(i - 1).to()
                + "'");
      }
    }
  }

  /** True when the transfer is staged through at least one intermediate device. */
  public boolean staged() {
    return hops.size() > 1;
  }

  /** True when the route has no hops (the source and destination are the same device). */
  public boolean isLocal() {
    return hops.isEmpty();
  }

  /** Modeled seconds to move {@code bytes} along this route, store-and-forward: the hop sum. */
  public double modeledSeconds(long bytes) {
    double seconds = 0;
    for (Hop hop : hops) {
      seconds += hop.link().modeledSeconds(bytes);
    }
    return seconds;
  }

  /** Renders the route as {@code gpu0 -[c2c]-> host -[c2c]-> gpu1}, or {@code local}. */
  @Override
  public String toString() {
    if (hops.isEmpty()) {
      return "local";
    }
    StringBuilder sb = new StringBuilder(hops.getFirst().from());
    for (Hop hop : hops) {
      sb.append(" -[").append(hop.link().type().id()).append("]-> ").append(hop.to());
    }
    return sb.toString();
  }

  /**
   * One hop of a route: a crossing of {@code link} from device {@code from} to device {@code to}.
   *
   * @param from the device the data leaves
   * @param to the device the data arrives at
   * @param link the link crossed, which joins {@code from} and {@code to}
   */
  public record Hop(String from, String to, LinkSpec link) {

    /** Validates that the link joins the two devices. */
    public Hop {
      Objects.requireNonNull(from, "from is null");
      Objects.requireNonNull(to, "to is null");
      Objects.requireNonNull(link, "link is null");
      if (!link.joins(from, to)) {
        throw new IllegalArgumentException(
            "link "
                + link.a()
                + "<->"
                + link.b()
                + " does not join '"
                + from
                + "' and '"
                + to
                + "'");
      }
    }

    /** Renders the hop as {@code gpu0 -[nvlink5]-> gpu1}. */
    @Override
    public String toString() {
      return from + " -[" + link.type().id() + "]-> " + to;
    }
  }
}
