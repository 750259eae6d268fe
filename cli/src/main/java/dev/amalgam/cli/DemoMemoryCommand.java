package dev.amalgam.cli;

import dev.amalgam.memory.Sizes;
import dev.amalgam.samples.MemoryDemo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amalgam demo memory}: the unified memory layer at work. */
@Command(
    name = "memory",
    mixinStandardHelpOptions = true,
    description = {
      "Show the unified memory layer at work on a fused device (simulated members):",
      "placement across members, migration with prefetch, eviction to host and disk."
    })
public final class DemoMemoryCommand implements Callable<Integer> {

  @Mixin MemoryOptions memory = new MemoryOptions();

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

  @Override
  public Integer call() {
    long gpu = Sizes.parseBytes(gpuCapacity);
    long host = Sizes.parseBytes(hostCapacity);
    MemoryDemo.Options o =
        new MemoryDemo.Options(
            memory.topology(gpu, host),
            memory.pageSizeBytes(),
            Sizes.parseBytes(dataSize),
            2 * gpu,
            memory.spillDir);
    MemoryDemo.Outcome outcome = MemoryDemo.run(o, System.out);
    return outcome.ok() ? 0 : 1;
  }
}
