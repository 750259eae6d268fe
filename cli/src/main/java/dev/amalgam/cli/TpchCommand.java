package dev.amalgam.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code amalgam tpch}: TPC-H data and queries. */
@Command(
    name = "tpch",
    mixinStandardHelpOptions = true,
    description = "TPC-H: generate the data and check the 22 queries against DuckDB.",
    subcommands = {TpchVerifyCommand.class})
public final class TpchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
