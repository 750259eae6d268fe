package dev.amalgam.memory;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.NullMarked;

/**
 * A process-wide registry of live memory-holding resources (pools, address spaces), which leak
 * checks inspect after every test.
 */
@NullMarked
public final class ResourceTracker {
  /*
   * Resources are kept by identity, not equals(), so that two resources that happen to be equal
   * are still tracked apart. Registration is rare (a pool or an address space, never a page), so a
   * lock around an IdentityHashMap is simpler than anything lock-free and costs nothing measurable.
   * The registry holds strong references: a resource that is never closed stays here, which is the
   * leak a test should see.
   */
  private static final IdentityHashMap<Tracked, Boolean> LIVE = new IdentityHashMap<>();

  private ResourceTracker() {}

  /** A resource that holds memory and must be closed; what leak checks ask about it. */
  public interface Tracked {
    /** A one-line description of the resource, such as {@code memory pool 'engine'}. */
    String describe();

    /**
     * Problems that must not outlive a test (pinned pages, outstanding reservations...), one line
     * each; empty when none.
     */
    List<String> leaks();
  }

  /**
   * Registers a live resource.
   *
   * @throws IllegalStateException if this very resource is already registered
   */
  public static void register(Tracked resource) {
    Objects.requireNonNull(resource, "resource is null");
    boolean added;
    synchronized (LIVE) {
      added = LIVE.putIfAbsent(resource, Boolean.TRUE) == null;
    }
    if (!added) {
      throw new IllegalStateException("resource is already registered: " + resource.describe());
    }
  }

  /** Unregisters a resource; does nothing if it is not registered, so close paths may repeat it. */
  public static void unregister(Tracked resource) {
    Objects.requireNonNull(resource, "resource is null");
    synchronized (LIVE) {
      LIVE.remove(resource);
    }
  }

  /**
   * A snapshot of the live resources: an unmodifiable set that compares its members by identity.
   */
  public static Set<Tracked> live() {
    Set<Tracked> copy = Collections.newSetFromMap(new IdentityHashMap<>());
    synchronized (LIVE) {
      copy.addAll(LIVE.keySet());
    }
    return Collections.unmodifiableSet(copy);
  }
}
