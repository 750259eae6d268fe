package dev.amalgam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class JupyterCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @Test
  void install_prefix_writesTheKernelspec(@TempDir Path dir) throws Exception {
    assertThat(run("jupyter", "install", "--prefix", dir.toString(), "--name", "amalgam-test"))
        .isZero();
    Path json = dir.resolve("share/jupyter/kernels/amalgam-test/kernel.json");
    assertThat(json).exists();
    assertThat(Files.readString(json))
        .contains("\"interrupt_mode\": \"message\"")
        .contains("dev.amalgam.jupyter.AmalgamKernel")
        .contains("--enable-native-access=ALL-UNNAMED")
        .contains("{connection_file}");
    assertThat(out.toString())
        .contains("installed kernelspec 'amalgam-test' in " + json.getParent());
  }

  @Test
  void install_prefixAndDataDir_refused(@TempDir Path dir) {
    assertThat(run("jupyter", "install", "--prefix", dir.toString(), "--data-dir", dir.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("mutually exclusive");
  }

  @Test
  void kernelspec_printsTheJsonWithExtraJvmOptions() {
    assertThat(run("jupyter", "kernelspec", "--jvm-option=-Xmx3g", "--display-name", "Mine"))
        .isZero();
    assertThat(out.toString()).contains("\"-Xmx3g\"").contains("\"display_name\": \"Mine\"");
  }
}
