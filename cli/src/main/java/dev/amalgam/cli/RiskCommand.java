package dev.amalgam.cli;

import dev.amalgam.exec.Engine;
import dev.amalgam.risk.Book;
import dev.amalgam.risk.BookFiles;
import dev.amalgam.risk.BookTables;
import dev.amalgam.risk.RiskJob;
import dev.amalgam.risk.RiskLevel;
import dev.amalgam.risk.RiskOutput;
import dev.amalgam.risk.RiskReport;
import dev.amalgam.risk.SyntheticBook;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code amalgam risk}: synthetic books and risk batch jobs (VaR, ES, Euler, Greeks). */
@Command(
    name = "risk",
    mixinStandardHelpOptions = true,
    description = "Risk batch jobs: generate a book, run Monte Carlo or historical VaR on it.",
    subcommands = {RiskCommand.Generate.class, RiskCommand.Run.class})
public final class RiskCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code amalgam risk generate}. */
  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Write a synthetic equity derivatives book (desks, books, equities, forwards, calls, puts,",
        "market data, a USD curve, a correlation matrix, daily returns) as CSV or Arrow IPC files",
        "into DIR."
      })
  public static final class Generate implements Callable<Integer> {
    @Option(
        names = "--instruments",
        defaultValue = "5000",
        paramLabel = "N",
        description = "Instruments (default: ${DEFAULT-VALUE}).")
    int instruments = 5000;

    @Option(
        names = "--underlyings",
        defaultValue = "20",
        paramLabel = "M",
        description = "Underlyings (default: ${DEFAULT-VALUE}).")
    int underlyings = 20;

    @Option(
        names = "--seed",
        defaultValue = "1",
        paramLabel = "S",
        description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(
        names = "--return-days",
        defaultValue = "500",
        paramLabel = "D",
        description = "Days of historical returns, 0 for none (default: ${DEFAULT-VALUE}).")
    int returnDays = 500;

    @Option(
        names = "--format",
        defaultValue = "csv",
        paramLabel = "csv|arrow",
        description =
            "File format: csv (book.csv, instruments.csv, ...) or arrow (book.arrow,"
                + " instruments.arrow, ... Arrow IPC files) (default: ${DEFAULT-VALUE}).")
    String format = "csv";

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Book directory.")
    Path out = Path.of(".");

    @Override
    public Integer call() {
      BookFiles.Format f = BookFiles.Format.parse(format);
      Book b =
          SyntheticBook.generate(
              instruments, underlyings, seed, SyntheticBook.DEFAULT_VALUATION_DATE, returnDays);
      BookFiles.write(b, out, f);
      System.out.println("wrote " + b + " to " + out + " as " + f.label() + " files");
      return 0;
    }
  }

  /** {@code amalgam risk run}. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Load a book directory (CSV or Arrow IPC files) into engine tables, run the risk job on",
        "the fused device and print the report; with --out also write CSV and Arrow results and",
        "PNG/SVG charts there."
      })
  public static final class Run implements Callable<Integer> {
    @Option(
        names = "--book",
        required = true,
        paramLabel = "DIR",
        description = "Book directory: CSV files or Arrow IPC files (found by their names).")
    Path book = Path.of(".");

    @Option(
        names = "--scenarios",
        defaultValue = "0",
        paramLabel = "K",
        description = "Scenarios (default: 10,000 for mc, every window for hist).")
    int scenarios;

    @Option(
        names = "--horizon-days",
        defaultValue = "1",
        paramLabel = "H",
        description = "Horizon in trading days (default: ${DEFAULT-VALUE}).")
    int horizonDays = 1;

    @Option(
        names = "--confidence",
        split = ",",
        defaultValue = "0.99,0.975",
        paramLabel = "C",
        description = "Confidence levels, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Double> confidence = new ArrayList<>();

    @Option(
        names = "--method",
        defaultValue = "mc",
        paramLabel = "mc|hist",
        description = "Monte Carlo or historical simulation (default: ${DEFAULT-VALUE}).")
    String method = "mc";

    @Option(
        names = "--seed",
        defaultValue = "1",
        paramLabel = "S",
        description = "Monte Carlo seed (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(
        names = "--group-by",
        split = ",",
        defaultValue = "desk,book,underlying",
        paramLabel = "LEVEL",
        description = "Levels to break down by (default: ${DEFAULT-VALUE}).")
    List<String> groupBy = new ArrayList<>();

    @Option(
        names = "--topology",
        defaultValue = "fused-pair",
        paramLabel = "NAME",
        description = "Topology preset (default: ${DEFAULT-VALUE}).")
    String topology = "fused-pair";

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "Write report.txt, CSV and Arrow results and PNG/SVG charts here.")
    @org.jspecify.annotations.Nullable
    Path out;

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    @Override
    public Integer call() {
      Book b = BookFiles.read(book);
      double[] conf = confidence.stream().mapToDouble(Double::doubleValue).toArray();
      RiskLevel[] levels = groupBy.stream().map(RiskLevel::parse).toArray(RiskLevel[]::new);
      ProgressBar bar = new ProgressBar(System.err, !noProgress);
      RiskReport r;
      try (Engine engine = Engine.open(topology)) {
        BookTables.load(engine, b, "book_");
        r =
            RiskJob.builder()
                .bookTables("book_")
                .engine(engine)
                .method(RiskJob.Method.parse(method))
                .scenarios(scenarios)
                .horizonDays(horizonDays)
                .confidence(conf)
                .seed(seed)
                .groupBy(levels)
                .progress(bar)
                .build()
                .run();
      } finally {
        bar.finish();
      }
      System.out.print(r.format());
      if (out != null) {
        List<Path> files = RiskOutput.write(r, out);
        System.out.println("wrote " + files.size() + " files to " + out);
      }
      return 0;
    }
  }

  /** A one-line progress bar on stderr, redrawn at most every 1%. */
  static final class ProgressBar implements RiskJob.Progress {
    private final PrintStream err;
    private final boolean on;
    private String phase = "";
    private int shown = -1;
    private boolean drawn;

    ProgressBar(PrintStream err, boolean on) {
      this.err = err;
      this.on = on;
    }

    @Override
    public synchronized void update(String p, long done, long total) {
      if (!on) {
        return;
      }
      int pct = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
      if (p.equals(phase) && pct == shown) {
        return;
      }
      phase = p;
      shown = pct;
      int width = 30;
      int fill = pct * width / 100;
      err.print(
          String.format(
              Locale.ROOT,
              "\r%-12s [%s%s] %3d%%",
              p,
              "#".repeat(fill),
              " ".repeat(width - fill),
              pct));
      err.flush();
      drawn = true;
    }

    synchronized void finish() {
      if (drawn) {
        err.println();
      }
    }
  }
}
