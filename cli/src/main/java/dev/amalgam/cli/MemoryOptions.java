package dev.amalgam.cli;

import dev.amalgam.memory.Sizes;
import dev.amalgam.memory.Topology;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by commands that open a unified memory: topology, page size, spill directory. */
final class MemoryOptions {
  @Option(
      names = "--topology",
      defaultValue = Topology.DEFAULT_PRESET,
      paramLabel = "NAME|FILE",
      description =
          "Preset (cpu, fused-pair, pcie-pair, nvl4, nvl8) or topology file (default: ${DEFAULT-VALUE}).")
  String topology = Topology.DEFAULT_PRESET;

  @Option(
      names = "--page-size",
      defaultValue = "2MiB",
      paramLabel = "SIZE",
      description = "Page size, e.g. 64KiB, 2MiB (default: ${DEFAULT-VALUE}).")
  String pageSize = "2MiB";

  @Option(
      names = "--spill-dir",
      paramLabel = "DIR",
      description = "Spill directory (default: the system temporary directory).")
  Path spillDir = Path.of(System.getProperty("java.io.tmpdir"), "amalgam-spill");

  long pageSizeBytes() {
    return Sizes.parseBytes(pageSize);
  }

  /** The topology with these capacities: a preset by name, else a topology file. */
  Topology topology(long gpuCapacity, long hostCapacity) {
    return Topology.presetNames().contains(topology)
        ? Topology.preset(topology, gpuCapacity, hostCapacity)
        : Topology.parse(Path.of(topology)).withCapacities(gpuCapacity, hostCapacity);
  }
}
