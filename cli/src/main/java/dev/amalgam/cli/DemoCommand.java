package dev.amalgam.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code amalgam demo}: a guided tour of the engine. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run a short demonstration of the engine.")
public final class DemoCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.err.println("not built yet");
    return 2;
  }
}
