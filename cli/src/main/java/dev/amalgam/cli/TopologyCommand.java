package dev.amalgam.cli;

import dev.amalgam.memory.Topology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code amalgam topology}: shows a preset or checks and shows a topology file. */
@Command(
    name = "topology",
    mixinStandardHelpOptions = true,
    description = {
      "Show a topology: its devices, links and figures (simulated and modeled ones labelled).",
      "Given a file, check it and show it; errors name the line and field."
    })
public final class TopologyCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "NAME|FILE",
      description = "A preset (cpu, fused-pair, pcie-pair, nvl4, nvl8) or a topology file.")
  String name = Topology.DEFAULT_PRESET;

  @Option(names = "--list", description = "List the presets.")
  boolean list;

  @Option(names = "--text", description = "Print in the topology file format.")
  boolean text;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (list) {
      for (String p : Topology.presetNames()) {
        out.println(p + (p.equals(Topology.DEFAULT_PRESET) ? " (default)" : ""));
      }
      return 0;
    }
    Topology t =
        Topology.presetNames().contains(name)
            ? Topology.preset(name)
            : Topology.parse(Path.of(name));
    out.print(text ? t.toText() : t.describe());
    out.flush();
    return 0;
  }
}
