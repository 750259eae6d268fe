package dev.amalgam.cli;

import dev.amalgam.jupyter.KernelSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code amalgam jupyter}: the Jupyter kernel. */
@Command(
    name = "jupyter",
    mixinStandardHelpOptions = true,
    description = "The Amalgam Jupyter kernel (Java cells with JShell, %%sql, rich display).",
    subcommands = {JupyterCommand.Install.class, JupyterCommand.Show.class})
public final class JupyterCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where a kernelspec goes. */
  static final class Where {
    @Option(names = "--user", description = "Into the user's Jupyter data directory (the default).")
    boolean user;

    @Option(
        names = "--prefix",
        paramLabel = "DIR",
        description = "Into DIR/share/jupyter/kernels (e.g. a virtualenv or a temporary prefix).")
    Path prefix;

    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description = "Into DIR/kernels (a Jupyter data directory, as in JUPYTER_PATH).")
    Path dataDir;

    Path resolve() {
      if (prefix != null) {
        return KernelSpec.prefixDataDir(prefix);
      }
      if (dataDir != null) {
        return dataDir;
      }
      return KernelSpec.userDataDir();
    }
  }

  abstract static class SpecOptions {
    @Option(
        names = "--name",
        defaultValue = "amalgam",
        description = "The kernel's name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(
        names = "--display-name",
        description = "The name notebooks show (default: Amalgam (Java 25)).")
    String displayName;

    @Option(
        names = "--jvm-option",
        paramLabel = "OPT",
        description = "An extra JVM option of the kernel, e.g. --jvm-option=-Xmx8g (repeatable).")
    List<String> jvmOptions = new ArrayList<>();

    KernelSpec spec() {
      KernelSpec s = KernelSpec.forThisJvm(name, jvmOptions);
      return displayName == null ? s : s.withDisplayName(displayName);
    }
  }

  /** {@code amalgam jupyter install}. */
  @Command(
      name = "install",
      mixinStandardHelpOptions = true,
      description = {
        "Install the kernelspec: kernel.json starting this JDK with the engine's flags, the class"
            + " path of this build and the kernel.",
        "Replaces a kernelspec of the same name."
      })
  static final class Install extends SpecOptions implements Callable<Integer> {
    @ArgGroup(exclusive = true)
    Where where = new Where();

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      KernelSpec s = spec();
      Path dir = s.install((where == null ? new Where() : where).resolve());
      PrintWriter out = spec.commandLine().getOut();
      out.println("installed kernelspec '" + s.name() + "' in " + dir);
      out.println("  java: " + s.argv().getFirst());
      out.println(
          "  run a notebook: jupyter nbconvert --to notebook --execute NOTEBOOK.ipynb"
              + " --ExecutePreprocessor.kernel_name="
              + s.name());
      out.flush();
      return 0;
    }
  }

  /** {@code amalgam jupyter kernelspec}: prints kernel.json. */
  @Command(
      name = "kernelspec",
      mixinStandardHelpOptions = true,
      description = "Print the kernel.json that install would write.")
  static final class Show extends SpecOptions implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.print(spec().json());
      out.flush();
      return 0;
    }
  }
}
