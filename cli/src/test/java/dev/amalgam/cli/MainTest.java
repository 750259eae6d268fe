package dev.amalgam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class MainTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(CommandLine cmd, String... args) {
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @Test
  void helpListsTheCommands() {
    assertThat(run(Main.commandLine(), "--help")).isZero();
    assertThat(out.toString()).contains("demo", "bench", "--version");
  }

  @Test
  void versionIsPrinted() {
    assertThat(run(Main.commandLine(), "--version")).isZero();
    assertThat(out.toString()).contains("amalgam 0.1.0");
  }

  @Test
  void benchMemoryHasItsOptions() {
    assertThat(run(Main.commandLine(), "bench", "memory", "--help")).isZero();
    assertThat(out.toString())
        .contains("--json", "--page-size", "--topology", "2MiB", "fused-pair");
  }

  @Test
  void unknownOptionIsAUsageError() {
    assertThat(run(Main.commandLine(), "--no-such-option")).isEqualTo(2);
    assertThat(err.toString()).contains("--no-such-option");
  }

  @Command(name = "boom")
  static final class Boom implements Runnable {
    @Override
    public void run() {
      throw new IllegalStateException("it broke");
    }
  }

  @Test
  void exceptionsPrintTheMessageOnly() {
    CommandLine cmd = Main.commandLine().addSubcommand(new Boom());
    assertThat(run(cmd, "boom")).isEqualTo(1);
    assertThat(err.toString()).contains("amalgam: it broke").doesNotContain("\tat ");
  }

  @Test
  void verbosePrintsTheStackTrace() {
    CommandLine cmd = Main.commandLine().addSubcommand(new Boom());
    assertThat(run(cmd, "boom", "--verbose")).isEqualTo(1);
    assertThat(err.toString()).contains("IllegalStateException: it broke", "\tat ");
  }

  @Test
  void topology_preset_isDescribedWithSimulatedLabels() {
    assertThat(run(Main.commandLine(), "topology", "pcie-pair")).isZero();
    assertThat(out.toString()).contains("gpu0", "pcie5", "(simulated)", "modeled");
  }

  @Test
  void topology_badFile_namesLineAndField(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    java.nio.file.Path f = dir.resolve("box.topo");
    java.nio.file.Files.writeString(
        f, "device host kind=host capacity=1GiB\ndevice gpu0 kind=gpu capacity=16XB\n");
    assertThat(run(Main.commandLine(), "topology", f.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("box.topo:2: field 'capacity'", "16XB");
  }
}
