package dev.amalgam.cli;

import dev.amalgam.memory.Sizes;
import dev.amalgam.memory.Topology;
import dev.amalgam.samples.MemoryDemo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code amalgam demo}: a guided tour of the engine. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Show the unified memory layer at work on a fused device (simulated members):",
      "placement across members, migration with prefetch, eviction to host and disk."
    })
public final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--topology",
      defaultValue = Topology.DEFAULT_PRESET,
      paramLabel = "NAME|FILE",
      description =
          "Preset (${COMPLETION-CANDIDATES}) or topology file (default: ${DEFAULT-VALUE}).")
  String topology = Topology.DEFAULT_PRESET;

  @Option(
      names = "--gpu-capacity",
      defaultValue = "128MiB",
      paramLabel = "SIZE",
      description = "Capacity of each GPU member (default: ${DEFAULT-VALUE}).")
  String gpuCapacity = "128MiB";

  @Option(
      names = "--host-capacity",
      defaultValue = "256MiB",
      paramLabel = "SIZE",
      description = "Capacity of host memory for pages (default: ${DEFAULT-VALUE}).")
  String hostCapacity = "256MiB";

  @Option(
      names = "--data-size",
      defaultValue = "192MiB",
      paramLabel = "SIZE",
      description = "Size of the data set (default: ${DEFAULT-VALUE}).")
  String dataSize = "192MiB";

  @Option(
      names = "--page-size",
      defaultValue = "2MiB",
      paramLabel = "SIZE",
      description = "Page size (default: ${DEFAULT-VALUE}).")
  String pageSize = "2MiB";

  @Option(
      names = "--spill-dir",
      paramLabel = "DIR",
      description = "Spill directory (default: the system temporary directory).")
  Path spillDir = Path.of(System.getProperty("java.io.tmpdir"), "amalgam-spill");

  @Override
  public Integer call() {
    long gpu = Sizes.parseBytes(gpuCapacity);
    long host = Sizes.parseBytes(hostCapacity);
    Topology t =
        Topology.presetNames().contains(topology)
            ? Topology.preset(topology, gpu, host)
            : Topology.parse(Path.of(topology)).withCapacities(gpu, host);
    MemoryDemo.Options o =
        new MemoryDemo.Options(
            t, Sizes.parseBytes(pageSize), Sizes.parseBytes(dataSize), 2 * gpu, spillDir);
    MemoryDemo.Outcome outcome = MemoryDemo.run(o, System.out);
    return outcome.ok() ? 0 : 1;
  }
}
