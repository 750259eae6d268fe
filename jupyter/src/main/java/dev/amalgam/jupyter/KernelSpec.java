package dev.amalgam.jupyter;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A Jupyter kernelspec for the Amalgam kernel: {@code kernel.json} whose argv starts a JDK 25 with
 * the flags the engine needs, the class path and {@link AmalgamKernel}, and says that interrupts
 * come as messages (a signal would end the JVM).
 *
 * <pre>{@code
 * KernelSpec.forThisJvm("amalgam", List.of()).install(KernelSpec.userKernelsDir());
 * }</pre>
 */
public final class KernelSpec {
  /**
   * The JVM flags of every kernel: the engine's (native access, the Vector API), those the launcher
   * passes ({@code java.nio} opened for Arrow Java, the parallel collector, C2 without profiled
   * loop predicates: see docs/performance.md), and headless AWT for charts.
   */
  public static final List<String> ENGINE_FLAGS =
      List.of(
          "--enable-native-access=ALL-UNNAMED",
          "--add-modules",
          "jdk.incubator.vector",
          "-XX:+UseParallelGC",
          "-XX:-UseProfiledLoopPredicate",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "-Djava.awt.headless=true");

  private final String name;
  private final String displayName;
  private final Path java;
  private final List<String> jvmOptions;
  private final String classPath;

  private KernelSpec(
      String name, String displayName, Path java, List<String> jvmOptions, String classPath) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "kernel name '" + name + "' may only hold letters, digits, '.', '_' and '-'");
    }
    this.name = name;
    this.displayName = Objects.requireNonNull(displayName, "displayName is null");
    this.java = Objects.requireNonNull(java, "java is null");
    this.jvmOptions = List.copyOf(jvmOptions);
    this.classPath = Objects.requireNonNull(classPath, "classPath is null");
  }

  /** A kernelspec that starts {@code java} with {@code classPath} (entries made absolute). */
  public static KernelSpec of(
      String name, Path java, List<String> extraJvmOptions, String classPath) {
    return new KernelSpec(name, "Amalgam (Java 25)", java, extraJvmOptions, absolute(classPath));
  }

  /** A kernelspec for the JVM running now (its {@code java} and class path). */
  public static KernelSpec forThisJvm(String name, List<String> extraJvmOptions) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    int feature = Runtime.version().feature();
    if (feature < 25) {
      throw new IllegalStateException(
          "the kernel needs JDK 25 or later; this JVM is " + Runtime.version() + " at " + java);
    }
    return of(name, java, extraJvmOptions, System.getProperty("java.class.path", ""));
  }

  /** This kernelspec with another display name. */
  public KernelSpec withDisplayName(String display) {
    return new KernelSpec(name, display, java, jvmOptions, classPath);
  }

  /** The kernel's name (its folder under {@code kernels/}). */
  public String name() {
    return name;
  }

  /** The command Jupyter runs ({@code {connection_file}} is replaced by Jupyter). */
  public List<String> argv() {
    List<String> argv = new ArrayList<>();
    argv.add(java.toString());
    argv.addAll(ENGINE_FLAGS);
    argv.addAll(jvmOptions);
    argv.add("-cp");
    argv.add(classPath);
    argv.add(AmalgamKernel.class.getName());
    argv.add("{connection_file}");
    return argv;
  }

  /** The text of {@code kernel.json}. */
  public String json() {
    JsonObject o = new JsonObject();
    JsonArray argv = new JsonArray();
    argv().forEach(argv::add);
    o.add("argv", argv);
    o.addProperty("display_name", displayName);
    o.addProperty("language", "java");
    o.addProperty("interrupt_mode", "message");
    JsonObject meta = new JsonObject();
    meta.addProperty("debugger", false);
    o.add("metadata", meta);
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
  }

  /**
   * Writes {@code kernels/NAME/kernel.json} under {@code dataDir} (a Jupyter data directory) and
   * returns the kernel's folder. An existing kernelspec of that name is replaced.
   */
  public Path install(Path dataDir) {
    Path dir = dataDir.resolve("kernels").resolve(name);
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("kernel.json"), json(), StandardCharsets.UTF_8);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the kernelspec into " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The user's Jupyter data directory: {@code $JUPYTER_DATA_DIR}, else {@code ~/Library/Jupyter} on
   * macOS, else {@code $XDG_DATA_HOME/jupyter} or {@code ~/.local/share/jupyter}.
   */
  public static Path userDataDir() {
    String env = System.getenv("JUPYTER_DATA_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    Path home = Path.of(System.getProperty("user.home"));
    if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")) {
      return home.resolve("Library").resolve("Jupyter");
    }
    String xdg = System.getenv("XDG_DATA_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local/share");
    return base.resolve("jupyter");
  }

  /** The data directory of an installation prefix: {@code PREFIX/share/jupyter}. */
  public static Path prefixDataDir(Path prefix) {
    return prefix.resolve("share").resolve("jupyter");
  }

  private static String absolute(String classPath) {
    List<String> out = new ArrayList<>();
    for (String e : classPath.split(File.pathSeparator)) {
      if (e.isBlank()) {
        continue;
      }
      if (e.endsWith("*")) {
        Path dir = Path.of(e.substring(0, e.length() - 1)).toAbsolutePath();
        out.add(dir + File.separator + "*");
      } else {
        out.add(Path.of(e).toAbsolutePath().normalize().toString());
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("the kernel's class path is empty");
    }
    return String.join(File.pathSeparator, out);
  }
}
