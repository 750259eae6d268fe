package dev.amalgam.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code amalgam bench}: benchmarks. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Run benchmarks.",
    subcommands = {
      BenchMemoryCommand.class,
      BenchKernelsCommand.class,
      BenchJmhCommand.class,
      BenchScalingCommand.class,
      BenchTpchCommand.class,
      BenchRiskCommand.class,
      BenchIoCommand.class
    })
public final class BenchCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.err.println("not built yet");
    return 2;
  }
}
