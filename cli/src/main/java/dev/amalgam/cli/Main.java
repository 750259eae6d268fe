package dev.amalgam.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** Entry point of the {@code amalgam} command line. */
@Command(
    name = "amalgam",
    mixinStandardHelpOptions = true,
    version = "amalgam 0.1.0",
    description = "Embedded, off-heap, unified-memory analytics engine for the JVM.",
    subcommands = {
      DemoCommand.class,
      BenchCommand.class,
      TopologyCommand.class,
      TpchCommand.class,
      SqlCommand.class,
      RiskCommand.class,
      JupyterCommand.class
    })
public final class Main implements Runnable {

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean verbose;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    // No subcommand given: show what there is.
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command line with amalgam's error handling. */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setExecutionExceptionHandler(Main::handleExecutionException);
    return cmd;
  }

  /** Runs the command line and returns its exit code (for tests and embedding). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * An exception escaping a command prints its message (the stack trace only with {@code
   * --verbose}) and exits with code 1.
   */
  private static int handleExecutionException(
      Exception ex, CommandLine commandLine, ParseResult parseResult) {
    if (isVerbose(parseResult)) {
      ex.printStackTrace(commandLine.getErr());
    } else {
      String message = ex.getMessage();
      commandLine
          .getErr()
          .println(
              commandLine
                  .getColorScheme()
                  .errorText("amalgam: " + (message != null ? message : ex.toString())));
    }
    commandLine.getErr().flush();
    return 1;
  }

  private static boolean isVerbose(ParseResult parseResult) {
    for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
      if (pr.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
