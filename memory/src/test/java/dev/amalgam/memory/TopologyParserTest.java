package dev.amalgam.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class TopologyParserTest {
  private static final String SOURCE = "my.topo";

  private static final String HEADER =
      """
      topology t
      device host kind=host capacity=1GiB
      device gpu0 kind=gpu capacity=1GiB
      link gpu0 host type=pcie5
      """;

  private static TopologyFormatException error(String text) {
    TopologyFormatException e =
        catchThrowableOfType(TopologyFormatException.class, () -> Topology.parse(text, SOURCE));
    assertThat(e).as("expected a TopologyFormatException").isNotNull();
    assertThat(e.sourceName()).isEqualTo(SOURCE);
    return e;
  }

  /** Parses HEADER plus {@code line} (line 5) and checks the error's location and field. */
  private static TopologyFormatException errorOnLine5(String line, String field) {
    TopologyFormatException e = error(HEADER + line + "\n");
    assertThat(e.line()).isEqualTo(5);
    assertThat(e.field()).isEqualTo(field);
    assertThat(e).hasMessageStartingWith(SOURCE + ":5: field '" + field + "': ");
    return e;
  }

  @Test
  void parse_documentedExample_buildsTheTopology() {
    String text =
        """
        # comment; blank lines ok

        topology my-box
        device host kind=host capacity=64GiB bandwidth=200GB/s workers=4
        device gpu0 kind=gpu backend=sim capacity=16GiB bandwidth=3.35TB/s workers=2
        device gpu1 kind=gpu capacity=16GiB
        link gpu0 host type=pcie5                       # figures default to the type's
        link gpu1 host type=pcie5
        link gpu0 gpu1 type=nvlink4 bandwidth=450GB/s latency=1us
        """;

    Topology t = Topology.parse(text, SOURCE);

    assertThat(t.name()).isEqualTo("my-box");
    assertThat(t.host())
        .isEqualTo(new DeviceSpec("host", DeviceKind.HOST, "host", 64 * Sizes.GiB, 200e9, 4));
    assertThat(t.device("gpu0"))
        .isEqualTo(new DeviceSpec("gpu0", DeviceKind.GPU, "sim", 16 * Sizes.GiB, 3.35e12, 2));
    assertThat(t.device("gpu1"))
        .isEqualTo(new DeviceSpec("gpu1", DeviceKind.GPU, "sim", 16 * Sizes.GiB, 3.35e12, 2));
    assertThat(t.links())
        .containsExactly(
            LinkSpec.of("gpu0", "host", LinkType.PCIE5),
            LinkSpec.of("gpu1", "host", LinkType.PCIE5),
            new LinkSpec("gpu0", "gpu1", LinkType.NVLINK4, 450e9, 1_000));
    assertThat(t.route("gpu0", "gpu1", 2 * Sizes.MiB)).hasToString("gpu0 -[nvlink4]-> gpu1");
  }

  @Test
  void parse_describeLikeFusedPair_equalsThePreset() {
    String text =
        """
        topology fused-pair
        device host kind=host capacity=8GiB bandwidth=200GB/s
        device gpu0 kind=gpu backend=sim capacity=2GiB bandwidth=8TB/s workers=2
        device gpu1 kind=gpu backend=sim capacity=2GiB bandwidth=8TB/s workers=2
        link gpu0 gpu1 type=nvlink5 bandwidth=900GB/s latency=1us
        link gpu0 host type=c2c
        link gpu1 host type=c2c
        """;

    assertThat(Topology.parse(text, "fused.topo")).isEqualTo(Topology.preset("fused-pair"));
  }

  @Test
  void parse_noTopologyDirective_namesItAfterTheFile() {
    String text = HEADER.replace("topology t\n", "");

    assertThat(Topology.parse(text, "/etc/amalgam/lab box.topo").name()).isEqualTo("lab-box");
  }

  @Test
  void parse_linkBeforeItsDevices_isAccepted() {
    String text =
        """
        link gpu0 host type=c2c
        device gpu0 kind=gpu capacity=1GiB
        device host kind=host capacity=1GiB
        """;

    assertThat(Topology.parse(text, SOURCE).links()).hasSize(1);
  }

  @Test
  void parse_path_readsTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("lab.topo");
    Files.writeString(file, HEADER);

    assertThat(Topology.parse(file).devices()).hasSize(2);
  }

  @Test
  void parse_unreadableFile_reportsLineZeroWithCause(@TempDir Path dir) {
    Path missing = dir.resolve("missing.topo");

    TopologyFormatException e =
        catchThrowableOfType(TopologyFormatException.class, () -> Topology.parse(missing));

    assertThat(e.line()).isZero();
    assertThat(e.field()).isEqualTo("file");
    assertThat(e.sourceName()).isEqualTo(missing.toString());
    assertThat(e).hasMessageStartingWith(missing + ": ").hasCauseInstanceOf(IOException.class);
  }

  @Test
  void parse_unknownDirective_listsValidOnes() {
    assertThat(errorOnLine5("gpu gpu1 kind=gpu", "directive"))
        .hasMessageContaining("unknown directive 'gpu'")
        .hasMessageContaining("topology, device, link");
  }

  @Test
  void parse_duplicateTopologyDirective_throws() {
    assertThat(errorOnLine5("topology again", "directive"))
        .hasMessageContaining("duplicate 'topology'");
  }

  @Test
  void parse_missingDeviceName_throws() {
    assertThat(errorOnLine5("device kind=gpu capacity=1GiB", "name"))
        .hasMessageContaining("missing device name");
    assertThat(errorOnLine5("device", "name")).hasMessageContaining("missing device name");
  }

  @Test
  void parse_duplicateDevice_pointsAtTheSecond() {
    assertThat(errorOnLine5("device gpu0 kind=gpu capacity=1GiB", "name"))
        .hasMessageContaining("duplicate device 'gpu0'");
  }

  @Test
  void parse_unknownKey_listsValidKeys() {
    assertThat(errorOnLine5("device gpu1 kind=gpu capacity=1GiB colour=green", "colour"))
        .hasMessageContaining("unknown key 'colour'")
        .hasMessageContaining("kind, backend, capacity, bandwidth, workers");
  }

  @Test
  void parse_tokenWithoutValue_throws() {
    assertThat(errorOnLine5("device gpu1 kind=gpu capacity", "capacity"))
        .hasMessageContaining("expected key=value, got 'capacity'");
  }

  @Test
  void parse_duplicateKey_showsBothValues() {
    assertThat(errorOnLine5("device gpu1 kind=gpu capacity=1GiB capacity=2GiB", "capacity"))
        .hasMessageContaining("duplicate key 'capacity'")
        .hasMessageContaining("'1GiB'")
        .hasMessageContaining("'2GiB'");
  }

  @Test
  void parse_missingCapacity_throws() {
    assertThat(errorOnLine5("device gpu1 kind=gpu", "capacity"))
        .hasMessageContaining("missing required key 'capacity'");
  }

  @Test
  void parse_missingKind_throws() {
    assertThat(errorOnLine5("device gpu1 capacity=1GiB", "kind"))
        .hasMessageContaining("missing required key 'kind'");
  }

  @Test
  void parse_badKind_listsValidKinds() {
    assertThat(errorOnLine5("device gpu1 kind=tpu capacity=1GiB", "kind"))
        .hasMessageContaining("'tpu'")
        .hasMessageContaining("host, gpu");
  }

  @Test
  void parse_badCapacityUnit_namesTheUnit() {
    assertThat(errorOnLine5("device gpu1 kind=gpu capacity=16XB", "capacity"))
        .hasMessage(
            "my.topo:5: field 'capacity': cannot parse '16XB' as a size: unknown unit 'XB'");
  }

  @Test
  void parse_zeroCapacity_throws() {
    assertThat(errorOnLine5("device gpu1 kind=gpu capacity=0", "capacity"))
        .hasMessageContaining("capacity must be positive");
  }

  @Test
  void parse_badBackend_listsValidOnes() {
    assertThat(errorOnLine5("device gpu1 kind=gpu backend=simm capacity=1GiB", "backend"))
        .hasMessageContaining("unknown backend 'simm'")
        .hasMessageContaining("(valid: host, sim");
  }

  @Test
  void parse_backendNotFittingKind_throws() {
    assertThat(errorOnLine5("device gpu1 kind=gpu backend=host capacity=1GiB", "backend"))
        .hasMessageContaining("does not fit kind gpu");
  }

  @Test
  void parse_badDeviceBandwidth_throws() {
    assertThat(errorOnLine5("device gpu1 kind=gpu capacity=1GiB bandwidth=fast", "bandwidth"))
        .hasMessageContaining("'fast'");
  }

  @Test
  void parse_badWorkers_throws() {
    assertThat(errorOnLine5("device gpu1 kind=gpu capacity=1GiB workers=two", "workers"))
        .hasMessageContaining("'two'");
    assertThat(errorOnLine5("device gpu1 kind=gpu capacity=1GiB workers=0", "workers"))
        .hasMessageContaining("must be positive");
  }

  @Test
  void parse_unknownLinkType_listsValidTypes() {
    assertThat(errorOnLine5("link gpu0 host type=infiniband", "type"))
        .hasMessageContaining("unknown link type 'infiniband'")
        .hasMessageContaining("nv-hbi, nvlink5, nvlink4, c2c, pcie5, pcie4");
  }

  @Test
  void parse_missingLinkType_throws() {
    assertThat(errorOnLine5("link gpu0 host bandwidth=1GB/s", "type"))
        .hasMessageContaining("missing required key 'type'");
  }

  @Test
  void parse_badLinkBandwidth_throws() {
    assertThat(errorOnLine5("link gpu0 gpu1 type=nvlink4 bandwidth=9XB/s", "bandwidth"))
        .hasMessageContaining("'9XB/s'");
  }

  @Test
  void parse_badLinkLatency_throws() {
    assertThat(errorOnLine5("link gpu0 gpu1 type=nvlink4 latency=1fortnight", "latency"))
        .hasMessageContaining("'1fortnight'");
  }

  @Test
  void parse_linkWithoutTwoDevices_throws() {
    assertThat(errorOnLine5("link gpu0 type=pcie5", "device"))
        .hasMessageContaining("needs two device names");
  }

  @Test
  void parse_linkToUnknownDevice_namesKnownDevices() {
    assertThat(errorOnLine5("link gpu0 gpu9 type=nvlink4", "device"))
        .hasMessageContaining("unknown device 'gpu9'")
        .hasMessageContaining("known: host, gpu0");
  }

  @Test
  void parse_duplicateLink_pointsAtTheSecond() {
    assertThat(errorOnLine5("link host gpu0 type=c2c", "link"))
        .hasMessageContaining("duplicate link between 'host' and 'gpu0'");
  }

  @Test
  void parse_linkToItself_throws() {
    assertThat(errorOnLine5("link gpu0 gpu0 type=nvlink4", "link"))
        .hasMessageContaining("link joins device 'gpu0' to itself");
  }

  @Test
  void parse_noHost_reportsTheWholeSource() {
    TopologyFormatException e = error("device gpu0 kind=gpu capacity=1GiB\n");

    assertThat(e.line()).isZero();
    assertThat(e.field()).isEqualTo("kind");
    assertThat(e).hasMessageStartingWith("my.topo: field 'kind': no host device");
  }

  @Test
  void parse_secondHost_pointsAtIt() {
    assertThat(errorOnLine5("device cpu1 kind=host capacity=1GiB", "kind"))
        .hasMessageContaining("more than one host device: 'host' and 'cpu1'");
  }

  @Test
  void parse_unreachableDevice_pointsAtItsDeclaration() {
    assertThat(errorOnLine5("device gpu1 kind=gpu capacity=1GiB", "link"))
        .hasMessageContaining("device 'gpu1' is not reachable from host 'host'");
  }

  @Test
  void parse_badTopologyName_throws() {
    TopologyFormatException e = error("topology two words\n");

    assertThat(e.line()).isEqualTo(1);
    assertThat(e.field()).isEqualTo("name");
    assertThat(e).hasMessageStartingWith("my.topo:1: field 'name': ");
  }
}
