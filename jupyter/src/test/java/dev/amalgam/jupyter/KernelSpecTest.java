package dev.amalgam.jupyter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class KernelSpecTest {
  @Test
  void install_writesKernelJsonWithJdkFlagsClassPathAndMessageInterrupts(@TempDir Path dir)
      throws Exception {
    KernelSpec spec = KernelSpec.forThisJvm("amalgam", List.of("-Xmx3g"));
    Path installed = spec.install(KernelSpec.prefixDataDir(dir));
    assertThat(installed).isEqualTo(dir.resolve("share/jupyter/kernels/amalgam"));
    JsonObject o =
        new JsonParser()
            .parse(Files.readString(installed.resolve("kernel.json")))
            .getAsJsonObject();
    List<String> argv = new java.util.ArrayList<>();
    o.getAsJsonArray("argv").forEach(e -> argv.add(e.getAsString()));
    assertThat(argv.getFirst()).endsWith("/bin/java");
    assertThat(Files.isExecutable(Path.of(argv.getFirst()))).isTrue();
    assertThat(argv)
        .contains(
            "--enable-native-access=ALL-UNNAMED",
            "jdk.incubator.vector",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "-Xmx3g",
            "-cp",
            "dev.amalgam.jupyter.AmalgamKernel");
    assertThat(argv.getLast()).isEqualTo("{connection_file}");
    String cp = argv.get(argv.indexOf("-cp") + 1);
    assertThat(cp.split(java.io.File.pathSeparator)).allSatisfy(e -> assertThat(e).startsWith("/"));
    assertThat(o.get("interrupt_mode").getAsString()).isEqualTo("message");
    assertThat(o.get("language").getAsString()).isEqualTo("java");
  }

  @Test
  void name_withSlash_refused() {
    assertThatThrownBy(() -> KernelSpec.forThisJvm("../x", List.of()))
        .hasMessageContaining("'../x'");
  }
}
