package dev.amalgam.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class TopologyTest {
  private static final long PAGE = 2 * Sizes.MiB;

  static List<String> presets() {
    return Topology.presetNames();
  }

  @Test
  void presetNames_always_listsTheFivePresetsWithFusedPairAsDefault() {
    assertThat(Topology.presetNames())
        .containsExactly("cpu", "fused-pair", "pcie-pair", "nvl4", "nvl8");
    assertThat(Topology.presetNames()).contains(Topology.DEFAULT_PRESET);
    assertThat(Topology.DEFAULT_PRESET).isEqualTo("fused-pair");
  }

  @Test
  void preset_cpu_hasOnlyTheHostAsMember() {
    Topology t = Topology.preset("cpu");

    assertThat(t.devices()).extracting(DeviceSpec::name).containsExactly("host");
    assertThat(t.links()).isEmpty();
    assertThat(t.gpus()).isEmpty();
    assertThat(t.members()).containsExactly(t.host());
    DeviceSpec host = t.host();
    assertThat(host.kind()).isEqualTo(DeviceKind.HOST);
    assertThat(host.backend()).isEqualTo("host");
    assertThat(host.capacityBytes()).isEqualTo(8 * Sizes.GiB);
    assertThat(host.memoryBandwidthBytesPerSecond()).isEqualTo(200e9);
    assertThat(host.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void preset_fusedPair_twoSimulatedB200sOnNvlink5AndC2c() {
    Topology t = Topology.preset("fused-pair");

    assertThat(t.name()).isEqualTo("fused-pair");
    assertThat(t.devices()).extracting(DeviceSpec::name).containsExactly("host", "gpu0", "gpu1");
    assertThat(t.members()).extracting(DeviceSpec::name).containsExactly("gpu0", "gpu1");
    for (DeviceSpec gpu : t.gpus()) {
      assertThat(gpu.kind()).isEqualTo(DeviceKind.GPU);
      assertThat(gpu.backend()).isEqualTo("sim");
      assertThat(gpu.simulated()).isTrue();
      assertThat(gpu.capacityBytes()).isEqualTo(2 * Sizes.GiB);
      assertThat(gpu.memoryBandwidthBytesPerSecond()).isEqualTo(8e12);
      assertThat(gpu.workers()).isEqualTo(2);
    }
    assertThat(t.links())
        .containsExactlyInAnyOrder(
            LinkSpec.of("gpu0", "gpu1", LinkType.NVLINK5),
            LinkSpec.of("gpu0", "host", LinkType.NVLINK_C2C),
            LinkSpec.of("gpu1", "host", LinkType.NVLINK_C2C));
    assertThat(LinkType.NVLINK5.bytesPerSecondPerDirection()).isEqualTo(900e9);
    assertThat(LinkType.NVLINK_C2C.bytesPerSecondPerDirection()).isEqualTo(450e9);
  }

  @Test
  void preset_pciePair_hasNoGpuToGpuLink() {
    Topology t = Topology.preset("pcie-pair");

    assertThat(t.gpus()).extracting(DeviceSpec::name).containsExactly("gpu0", "gpu1");
    assertThat(t.links())
        .containsExactlyInAnyOrder(
            LinkSpec.of("gpu0", "host", LinkType.PCIE5),
            LinkSpec.of("gpu1", "host", LinkType.PCIE5));
  }

  @Test
  void preset_nvl8_isAFullNvlink4MeshOfSimulatedH100s() {
    Topology t = Topology.preset("nvl8");

    assertThat(t.devices()).hasSize(9);
    assertThat(t.gpus()).hasSize(8);
    assertThat(t.gpus())
        .allSatisfy(g -> assertThat(g.memoryBandwidthBytesPerSecond()).isEqualTo(3.35e12));
    assertThat(t.links()).hasSize(8 * 7 / 2 + 8);
    assertThat(t.links().stream().filter(l -> l.type() == LinkType.NVLINK4)).hasSize(28);
    assertThat(t.links().stream().filter(l -> l.type() == LinkType.PCIE5)).hasSize(8);
  }

  @Test
  void preset_nvl4_hasFourGpusAndSixNvlinks() {
    Topology t = Topology.preset("nvl4");

    assertThat(t.gpus())
        .extracting(DeviceSpec::name)
        .containsExactly("gpu0", "gpu1", "gpu2", "gpu3");
    assertThat(t.links().stream().filter(l -> l.type() == LinkType.NVLINK4)).hasSize(6);
  }

  @Test
  void preset_customCapacities_appliesThemToGpusAndHost() {
    Topology t = Topology.preset("nvl4", 64 * Sizes.MiB, 256 * Sizes.MiB);

    assertThat(t.gpus()).allSatisfy(g -> assertThat(g.capacityBytes()).isEqualTo(64 * Sizes.MiB));
    assertThat(t.host().capacityBytes()).isEqualTo(256 * Sizes.MiB);
  }

  @Test
  void preset_unknownName_listsValidNames() {
    assertThatThrownBy(() -> Topology.preset("dgx9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'dgx9'")
        .hasMessageContaining("cpu, fused-pair, pcie-pair, nvl4, nvl8");
  }

  @Test
  void withCapacities_resizesEveryDeviceAndKeepsLinks() {
    Topology t = Topology.preset("fused-pair");

    Topology small = t.withCapacities(Sizes.MiB, 4 * Sizes.MiB);

    assertThat(small.gpus()).allSatisfy(g -> assertThat(g.capacityBytes()).isEqualTo(Sizes.MiB));
    assertThat(small.host().capacityBytes()).isEqualTo(4 * Sizes.MiB);
    assertThat(small.links()).isEqualTo(t.links());
    assertThat(small).isNotEqualTo(t);
    assertThat(small.withCapacities(2 * Sizes.GiB, 8 * Sizes.GiB)).isEqualTo(t);
  }

  @Test
  void deviceAndIndexOf_knownNames_findThemInDeclarationOrder() {
    Topology t = Topology.preset("fused-pair");

    assertThat(t.indexOf("host")).isZero();
    assertThat(t.indexOf("gpu1")).isEqualTo(2);
    assertThat(t.device("gpu0").name()).isEqualTo("gpu0");
    assertThat(t.hasDevice("gpu1")).isTrue();
    assertThat(t.hasDevice("gpu2")).isFalse();
  }

  @Test
  void device_unknownName_namesTheKnownDevices() {
    Topology t = Topology.preset("fused-pair");

    assertThatThrownBy(() -> t.device("gpu7"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'gpu7'")
        .hasMessageContaining("host, gpu0, gpu1");
    assertThatThrownBy(() -> t.indexOf("gpu7")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void route_fusedPairGpuToGpu_isDirectOverNvlink5() {
    Route r = Topology.preset("fused-pair").route("gpu0", "gpu1", PAGE);

    assertThat(r.hops()).hasSize(1);
    assertThat(r.staged()).isFalse();
    assertThat(r.isLocal()).isFalse();
    assertThat(r.hops().getFirst().link().type()).isEqualTo(LinkType.NVLINK5);
    assertThat(r).hasToString("gpu0 -[nvlink5]-> gpu1");
    assertThat(r.modeledSeconds(PAGE)).isCloseTo(1e-6 + PAGE / 900e9, within(1e-15));
  }

  @Test
  void route_pciePairGpuToGpu_isStagedThroughTheHost() {
    Route r = Topology.preset("pcie-pair").route("gpu0", "gpu1", PAGE);

    assertThat(r.staged()).isTrue();
    assertThat(r.hops())
        .extracting(Route.Hop::from, Route.Hop::to)
        .containsExactly(tuple("gpu0", "host"), tuple("host", "gpu1"));
    assertThat(r).hasToString("gpu0 -[pcie5]-> host -[pcie5]-> gpu1");
    assertThat(r.modeledSeconds(PAGE))
        .isEqualTo(2 * LinkSpec.of("a", "b", LinkType.PCIE5).modeledSeconds(PAGE));
  }

  @Test
  void route_nvl8AnyGpuPair_isDirectOverNvlink4() {
    Topology t = Topology.preset("nvl8");

    for (DeviceSpec a : t.gpus()) {
      for (DeviceSpec b : t.gpus()) {
        if (a != b) {
          Route r = t.route(a.name(), b.name(), PAGE);
          assertThat(r.hops()).hasSize(1);
          assertThat(r.hops().getFirst().link().type()).isEqualTo(LinkType.NVLINK4);
        }
      }
    }
  }

  @Test
  void route_hostToGpu_isTheDirectHostLink() {
    assertThat(Topology.preset("fused-pair").route("host", "gpu1", PAGE))
        .hasToString("host -[c2c]-> gpu1");
    assertThat(Topology.preset("nvl4").route("host", "gpu3", 64))
        .hasToString("host -[pcie5]-> gpu3");
  }

  @Test
  void route_sameDevice_isLocal() {
    Route r = Topology.preset("fused-pair").route("gpu0", "gpu0", PAGE);

    assertThat(r.isLocal()).isTrue();
    assertThat(r.hops()).isEmpty();
    assertThat(r.modeledSeconds(PAGE)).isZero();
    assertThat(r).hasToString("local");
  }

  @Test
  void route_sizeChangesTradeOff_picksLatencyBoundOrBandwidthBoundPath() {
    // a -- b direct: slow but low latency; a -- h -- b: fast links, high latency each
    Topology t =
        Topology.builder("trade-off")
            .device(new DeviceSpec("h", DeviceKind.HOST, "host", Sizes.GiB, 1e9, 1))
            .device(new DeviceSpec("a", DeviceKind.GPU, "sim", Sizes.GiB, 1e9, 1))
            .device(new DeviceSpec("b", DeviceKind.GPU, "sim", Sizes.GiB, 1e9, 1))
            .link(new LinkSpec("a", "b", LinkType.PCIE4, 1e9, 100))
            .link(new LinkSpec("a", "h", LinkType.NVLINK5, 1e12, 1_000_000))
            .link(new LinkSpec("h", "b", LinkType.NVLINK5, 1e12, 1_000_000))
            .build();

    assertThat(t.route("a", "b", 1024).staged()).isFalse();
    assertThat(t.route("a", "b", Sizes.GiB).staged()).isTrue();
  }

  @Test
  void route_equalCostPaths_preferLowerDeviceIndexDeterministically() {
    Topology.Builder b =
        Topology.builder("diamond")
            .device(new DeviceSpec("h", DeviceKind.HOST, "host", Sizes.GiB, 1e9, 1));
    for (String g : List.of("x", "m2", "m1", "y")) {
      b.device(new DeviceSpec(g, DeviceKind.GPU, "sim", Sizes.GiB, 1e9, 1));
    }
    Topology t =
        b.link(LinkSpec.of("x", "m1", LinkType.PCIE5))
            .link(LinkSpec.of("m1", "y", LinkType.PCIE5))
            .link(LinkSpec.of("x", "m2", LinkType.PCIE5))
            .link(LinkSpec.of("m2", "y", LinkType.PCIE5))
            .link(LinkSpec.of("h", "x", LinkType.PCIE5))
            .build();

    assertThat(t.route("x", "y", PAGE)).hasToString("x -[pcie5]-> m2 -[pcie5]-> y");
    assertThat(t.route("x", "y", 4096)).hasToString("x -[pcie5]-> m2 -[pcie5]-> y");
  }

  @Test
  void route_cachedAndUncachedSizes_agree() {
    Topology t = Topology.preset("nvl4");

    for (DeviceSpec a : t.devices()) {
      for (DeviceSpec b : t.devices()) {
        assertThat(t.route(a.name(), b.name(), PAGE))
            .isEqualTo(t.route(a.name(), b.name(), PAGE + 1));
      }
    }
  }

  @Test
  void route_unknownDeviceOrNegativeSize_throws() {
    Topology t = Topology.preset("fused-pair");

    assertThatThrownBy(() -> t.route("gpu0", "gpu9", 1)).hasMessageContaining("'gpu9'");
    assertThatThrownBy(() -> t.route("gpu0", "gpu1", -1)).hasMessageContaining("-1");
  }

  @Test
  void route_hopsNotChained_throws() {
    LinkSpec ab = LinkSpec.of("a", "b", LinkType.PCIE5);
    LinkSpec cd = LinkSpec.of("c", "d", LinkType.PCIE5);

    assertThatThrownBy(
            () -> new Route(List.of(new Route.Hop("a", "b", ab), new Route.Hop("c", "d", cd))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Route.Hop("a", "c", ab))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @MethodSource("presets")
  void describe_preset_listsDevicesLinksAndLabelsModeledFigures(String preset) {
    Topology t = Topology.preset(preset);

    String text = t.describe();

    assertThat(text).startsWith("topology " + preset);
    for (DeviceSpec d : t.devices()) {
      assertThat(text).contains(d.name());
    }
    if (!t.gpus().isEmpty()) {
      assertThat(text).contains("sim (simulated)").contains("2.0 GiB");
    }
    assertThat(text).contains("8.0 GiB").contains("200 GB/s");
    assertThat(text.strip().lines().reduce((x, y) -> y).orElseThrow())
        .startsWith("link figures: public specs;")
        .contains("modeled");
  }

  @Test
  void describe_fusedPair_showsLinkFigures() {
    String text = Topology.preset("fused-pair").describe();

    assertThat(text)
        .contains("gpu0 <-> gpu1")
        .contains("nvlink5")
        .contains("900 GB/s")
        .contains("450 GB/s")
        .contains("8.00 TB/s")
        .contains("1.0 us");
  }

  @ParameterizedTest
  @MethodSource("presets")
  void toText_preset_parsesBackToAnEqualTopology(String preset) {
    Topology t = Topology.preset(preset, 3 * Sizes.MiB + 4096, 5 * Sizes.GiB);

    assertThat(Topology.parse(t.toText(), preset + ".topo")).isEqualTo(t);
  }

  @Test
  void toText_oddFigures_roundTripsExactly() {
    Topology t =
        Topology.builder("odd")
            .device(new DeviceSpec("h", DeviceKind.HOST, "host", 12345, 123.456e9, 3))
            .device(new DeviceSpec("g", DeviceKind.GPU, "sim", 7 * Sizes.KiB, Math.PI * 1e12, 5))
            .link(new LinkSpec("g", "h", LinkType.PCIE4, 1.0 / 3 * 1e11, 1_500))
            .build();

    assertThat(Topology.parse(t.toText(), "odd.topo")).isEqualTo(t);
  }

  @Test
  void equalsHashCodeToString_samePreset_areEqualAndReadable() {
    Topology a = Topology.preset("fused-pair");
    Topology b = Topology.preset("fused-pair");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(Topology.preset("pcie-pair"));
    assertThat(a.toString()).contains("fused-pair").contains("gpu0<->gpu1 nvlink5");
  }

  @Test
  void build_noHost_throws() {
    Topology.Builder b =
        Topology.builder("x").device(new DeviceSpec("g", DeviceKind.GPU, "sim", 1, 1, 1));

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no host device");
  }

  @Test
  void build_twoHosts_throws() {
    Topology.Builder b =
        Topology.builder("x")
            .device(new DeviceSpec("h1", DeviceKind.HOST, "host", 1, 1, 1))
            .device(new DeviceSpec("h2", DeviceKind.HOST, "host", 1, 1, 1))
            .link(LinkSpec.of("h1", "h2", LinkType.PCIE5));

    assertThatThrownBy(b::build).hasMessageContaining("more than one host");
  }

  @Test
  void build_duplicateDeviceOrLinkOrUnknownEnd_throws() {
    DeviceSpec h = new DeviceSpec("h", DeviceKind.HOST, "host", 1, 1, 1);
    DeviceSpec g = new DeviceSpec("g", DeviceKind.GPU, "sim", 1, 1, 1);

    assertThatThrownBy(() -> Topology.builder("x").device(h).device(h).build())
        .hasMessageContaining("duplicate device 'h'");
    assertThatThrownBy(
            () ->
                Topology.builder("x")
                    .device(h)
                    .device(g)
                    .link(LinkSpec.of("g", "h", LinkType.PCIE5))
                    .link(LinkSpec.of("h", "g", LinkType.PCIE4))
                    .build())
        .hasMessageContaining("duplicate link");
    assertThatThrownBy(
            () ->
                Topology.builder("x").device(h).link(LinkSpec.of("h", "z", LinkType.PCIE5)).build())
        .hasMessageContaining("unknown device 'z'");
  }

  @Test
  void build_unreachableGpuOrMismatchedBackend_throws() {
    DeviceSpec h = new DeviceSpec("h", DeviceKind.HOST, "host", 1, 1, 1);

    assertThatThrownBy(
            () ->
                Topology.builder("x")
                    .device(h)
                    .device(new DeviceSpec("g", DeviceKind.GPU, "sim", 1, 1, 1))
                    .build())
        .hasMessageContaining("'g' is not reachable from host 'h'");
    assertThatThrownBy(
            () ->
                Topology.builder("x")
                    .device(h)
                    .device(new DeviceSpec("g", DeviceKind.GPU, "host", 1, 1, 1))
                    .link(LinkSpec.of("g", "h", LinkType.PCIE5))
                    .build())
        .hasMessageContaining("backend 'host' does not fit kind gpu");
  }
}
