package dev.amalgam.cli;

import dev.amalgam.exec.Engine;
import dev.amalgam.memory.Topology;
import dev.amalgam.samples.tpch.JitWarmUp;
import dev.amalgam.samples.tpch.TpchData;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code amalgam sql}: the SQL shell, one statement ({@code -c}) or a script ({@code -f}). */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "SQL on an engine: an interactive shell (history, multi-line statements ending with ';',",
      ".tables, .schema, .timer, .explain, .help), or one statement with -c, or a script with -f.",
      "Start with TPC-H data with --tpch SF."
    })
public final class SqlCommand implements Callable<Integer> {
  @Option(
      names = {"-c", "--command"},
      paramLabel = "SQL",
      description = "Run these statements (separated by ';') and exit.")
  @Nullable String command;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description =
          "Run the statements of a script and exit; stops at the first error (exit code 1)"
              + " unless --continue.")
  @Nullable Path file;

  @Option(
      names = "--continue",
      description = "With -f or -c: run the statements after a failed one too (exit code 1).")
  boolean keepGoing;

  @Option(
      names = "--format",
      defaultValue = "table",
      paramLabel = "table|csv|json",
      description = "How results are printed (default: ${DEFAULT-VALUE}).")
  String format = "table";

  @Option(
      names = "--max-rows",
      defaultValue = "1000",
      paramLabel = "N",
      description = "Rows shown of a result in table format (default: ${DEFAULT-VALUE}).")
  int maxRows = 1000;

  @Option(
      names = "--tpch",
      paramLabel = "SF",
      description = "Start with the 8 TPC-H tables generated at scale factor SF.")
  double tpch;

  @Option(
      names = "--topology",
      defaultValue = Topology.DEFAULT_PRESET,
      paramLabel = "NAME|FILE",
      description =
          "Preset (cpu, fused-pair, pcie-pair, nvl4, nvl8) or topology file (default:"
              + " ${DEFAULT-VALUE}).")
  String topology = Topology.DEFAULT_PRESET;

  @Option(
      names = "--no-jit-warm-up",
      description =
          "Do not warm the JIT in the background (by default the interactive shell, and any run"
              + " with --tpch, compile the engine's kernels over a private SF 0.01 TPC-H engine"
              + " while data loads or the shell waits, so that first queries do not run"
              + " uncompiled).")
  boolean noJitWarmUp;

  @Option(names = "--timer", description = "Print each statement's run time (like .timer on).")
  boolean timer;

  @Option(
      names = "--history",
      paramLabel = "FILE",
      description = "History file of the interactive shell (default: ~/.amalgam/sql_history).")
  @Nullable Path history;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ResultFormat fmt = ResultFormat.parse(format);
    if (command != null && file != null) {
      throw new IllegalArgumentException("give either -c or -f, not both");
    }
    if (tpch < 0 || Double.isNaN(tpch)) {
      throw new IllegalArgumentException("--tpch must be a positive scale factor, got " + tpch);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Topology t =
        Topology.presetNames().contains(topology)
            ? Topology.preset(topology)
            : Topology.parse(Path.of(topology));
    boolean interactive = command == null && file == null;
    if (!noJitWarmUp && (interactive || tpch > 0)) {
      var _ = JitWarmUp.start(t); // in the background; nothing waits for it
    }
    try (Engine engine = Engine.builder().topology(t).build()) {
      if (tpch > 0) {
        TpchData.load(
            engine, null, tpch, new PrintStream(System.err, true, StandardCharsets.UTF_8));
      }
      SqlShell shell = new SqlShell(engine, out, err, fmt, maxRows);
      shell.timer(timer);
      if (command != null) {
        return shell.run(command, null, keepGoing) == 0 ? 0 : 1;
      }
      if (file != null) {
        String text;
        try {
          text = Files.readString(file);
        } catch (NoSuchFileException e) {
          throw new IllegalArgumentException("no such file: " + file, e);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return shell.run(text, file.toString(), keepGoing) == 0 ? 0 : 1;
      }
      Path h =
          history != null
              ? history
              : Path.of(System.getProperty("user.home"), ".amalgam", "sql_history");
      try (Terminal terminal = TerminalBuilder.builder().name("amalgam").system(true).build()) {
        shell.interactive(terminal, h);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the terminal: " + e.getMessage(), e);
      }
      return 0;
    }
  }
}
