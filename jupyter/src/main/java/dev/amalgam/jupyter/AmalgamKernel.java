package dev.amalgam.jupyter;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The Amalgam Jupyter kernel: Java cells evaluated with JShell in this JVM, the engine on the class
 * path, magics ({@code %%sql}, {@code %tpch}, {@code %topology}, {@code %explain}, ...) and rich
 * display. Started by Jupyter with the connection file as its only argument (see {@link
 * KernelSpec}).
 *
 * <p>Start-up: the connection is bound and answering (kernel_info, heartbeat) before the Java
 * evaluator is ready; the evaluator and the engine are made on a thread of their own right away,
 * and the first cell waits for them.
 */
public final class AmalgamKernel extends BaseKernel {
  // held here: java.util.logging keeps loggers weakly, and a collected one forgets its level.
  // The library's channel loops log under names of their own ("Loop-shell", ...), so the root
  // logger is quieted too, unless a logging configuration was given.
  private static final List<Logger> QUIET =
      System.getProperty("java.util.logging.config.file") == null
          ? List.of(Logger.getLogger(""), Logger.getLogger("Jupyter"))
          : List.of(Logger.getLogger("Jupyter"));

  private final NotebookSession session;
  private final LanguageInfo language =
      new LanguageInfo(
          "java",
          Runtime.version().toString(),
          "text/x-java-source",
          ".jshell",
          "java",
          "java",
          "script");

  /** A kernel whose cells see {@code classPath}. */
  public AmalgamKernel(String classPath) {
    this.session = new NotebookSession(classPath, this::display);
    Notebook.attach(session);
  }

  NotebookSession session() {
    return session;
  }

  @Override
  public @Nullable DisplayData eval(String code) throws Exception {
    return session.eval(code);
  }

  @Override
  public LanguageInfo getLanguageInfo() {
    return language;
  }

  @Override
  public String getBanner() {
    return "Amalgam " + Runtime.version() + " (Java cells, %%sql; %lsmagic for magics)";
  }

  @Override
  public String isComplete(String code) {
    try {
      return switch (session.completeness(code)) {
        case "complete" -> IS_COMPLETE_YES;
        case "incomplete" -> "    ";
        default -> IS_COMPLETE_BAD;
      };
    } catch (RuntimeException e) {
      return IS_COMPLETE_MAYBE;
    }
  }

  @Override
  public @Nullable ReplacementOptions complete(String code, int at) {
    if (code.stripLeading().startsWith("%")) {
      return null;
    }
    int[] anchor = new int[1];
    List<String> options = session.evaluator().complete(code, at, anchor);
    return options.isEmpty() ? null : new ReplacementOptions(options, anchor[0], at);
  }

  @Override
  public void interrupt() {
    session.interrupt();
  }

  @Override
  public List<String> formatError(Exception e) {
    List<String> lines = new ArrayList<>();
    if (e instanceof CellException c) {
      lines.add(errorStyler.primary(c.kind() + ": " + firstLine(c.getMessage())));
      String msg = String.valueOf(c.getMessage());
      int nl = msg.indexOf('\n');
      if (nl >= 0) {
        for (String l : msg.substring(nl + 1).split("\n")) {
          lines.add(errorStyler.secondary(l));
        }
      }
      return lines;
    }
    return super.formatError(e);
  }

  private static String firstLine(@Nullable String s) {
    String t = String.valueOf(s);
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }

  @Override
  public void onShutdown(boolean isRestarting) {
    session.close();
  }

  /**
   * Starts the kernel on the connection file {@code args[0]}; returns when Jupyter shuts it down.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: AmalgamKernel CONNECTION_FILE (Jupyter passes it)");
      System.exit(2);
    }
    // the library logs every message at INFO
    QUIET.forEach(l -> l.setLevel(Level.WARNING));
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    // no logging backend is bound: SLF4J's notice about it would land in the first cell's output
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
    Thread.setDefaultUncaughtExceptionHandler(
        (t, e) -> {
          System.err.println("amalgam kernel: thread " + t.getName() + " failed: " + e);
          e.printStackTrace();
          if (t instanceof io.github.spencerpark.jupyter.channels.Loop) {
            // a channel loop is gone: better a dead kernel Jupyter can restart than a hung one
            Runtime.getRuntime().halt(1);
          }
        });
    String contents = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    KernelConnectionProperties props = KernelConnectionProperties.parse(contents);
    JupyterConnection connection = new JupyterConnection(props);
    AmalgamKernel kernel = new AmalgamKernel(System.getProperty("java.class.path", ""));
    kernel.becomeHandlerForConnection(connection);
    connection.connect();
    Thread warm =
        new Thread(
            () -> {
              try {
                kernel.session.evaluator();
              } catch (RuntimeException e) {
                System.err.println("amalgam kernel: warm-up failed: " + e);
              }
            },
            "amalgam-warmup");
    warm.setDaemon(true);
    warm.start();
    connection.waitUntilClose();
    kernel.session.close();
    System.out.flush();
    System.exit(0);
  }
}
