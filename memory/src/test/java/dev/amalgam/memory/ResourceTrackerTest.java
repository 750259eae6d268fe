package dev.amalgam.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class ResourceTrackerTest {

  /** Equal to every other instance, to show the tracker compares by identity. */
  private record Stub(String name) implements ResourceTracker.Tracked {
    @Override
    public String describe() {
      return name;
    }

    @Override
    public List<String> leaks() {
      return List.of();
    }
  }

  @Test
  void register_equalButDistinctResources_tracksBothByIdentity() {
    Stub a = new Stub("same");
    Stub b = new Stub("same");
    ResourceTracker.register(a);
    ResourceTracker.register(b);
    try {
      Set<ResourceTracker.Tracked> live = ResourceTracker.live();
      assertThat(live).hasSizeGreaterThanOrEqualTo(2);
      assertThat(live.stream().filter(t -> t == a)).hasSize(1);
      assertThat(live.stream().filter(t -> t == b)).hasSize(1);

      ResourceTracker.unregister(a);
      assertThat(ResourceTracker.live().stream().filter(t -> t == a)).isEmpty();
      assertThat(ResourceTracker.live().stream().filter(t -> t == b)).hasSize(1);
    } finally {
      ResourceTracker.unregister(a);
      ResourceTracker.unregister(b);
    }
  }

  @Test
  void register_twice_throwsNamingResource() {
    Stub a = new Stub("twice");
    ResourceTracker.register(a);
    try {
      assertThatThrownBy(() -> ResourceTracker.register(a))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("twice");
    } finally {
      ResourceTracker.unregister(a);
    }
  }

  @Test
  void unregister_unknownResource_doesNothing() {
    Set<ResourceTracker.Tracked> before = ResourceTracker.live();
    ResourceTracker.unregister(new Stub("never registered"));
    assertThat(ResourceTracker.live()).hasSameSizeAs(before);
  }

  @Test
  void live_snapshot_isUnaffectedByLaterChangesAndUnmodifiable() {
    Stub a = new Stub("snap");
    Set<ResourceTracker.Tracked> before = ResourceTracker.live();
    ResourceTracker.register(a);
    try {
      assertThat(before.contains(a)).isFalse();
      assertThatThrownBy(() -> before.add(a)).isInstanceOf(UnsupportedOperationException.class);
    } finally {
      ResourceTracker.unregister(a);
    }
  }
}
