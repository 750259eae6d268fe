package dev.amalgam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class RiskCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @Test
  void generateThenRun_writesBookReportAndCharts(@TempDir Path dir) throws Exception {
    Path book = dir.resolve("book");
    Path results = dir.resolve("results");
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(
              run(
                  "risk",
                  "generate",
                  "--instruments",
                  "200",
                  "--underlyings",
                  "6",
                  "--seed",
                  "3",
                  "--out",
                  book.toString()))
          .isZero();
      assertThat(
              run(
                  "risk",
                  "run",
                  "--book",
                  book.toString(),
                  "--scenarios",
                  "300",
                  "--horizon-days",
                  "2",
                  "--topology",
                  "cpu",
                  "--no-progress",
                  "--out",
                  results.toString()))
          .isZero();
    } finally {
      System.setOut(stdout);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "wrote book of 200 instruments",
            "Risk report: Monte Carlo",
            "By desk",
            "VaR 99%",
            "Euler 99%");
    assertThat(results.resolve("var_by_desk.svg")).exists();
    assertThat(Files.readString(results.resolve("report.txt"))).contains("By underlying");
  }

  @Test
  void run_malformedBook_failsNamingTheCell(@TempDir Path dir) throws Exception {
    Path book = dir.resolve("book");
    assertThat(
            run(
                "risk",
                "generate",
                "--instruments",
                "20",
                "--underlyings",
                "3",
                "--out",
                book.toString()))
        .isZero();
    Path market = book.resolve("market.csv");
    String[] lines = Files.readString(market).split("\n");
    String[] f = lines[1].split(",");
    lines[1] = f[0] + "," + f[1] + ",-0.25";
    Files.writeString(market, String.join("\n", lines) + "\n");
    assertThat(run("risk", "run", "--book", book.toString(), "--no-progress")).isEqualTo(1);
    assertThat(err.toString())
        .contains("market.csv:2:3: underlying '" + f[0] + "': volatility must be >= 0, got -0.25");
  }

  @Test
  void generateArrowThenRun_sameResultsAsCsvBook(@TempDir Path dir) throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (String format : new String[] {"csv", "arrow"}) {
        Path book = dir.resolve("book-" + format);
        assertThat(
                run(
                    "risk",
                    "generate",
                    "--instruments",
                    "150",
                    "--underlyings",
                    "5",
                    "--return-days",
                    "30",
                    "--format",
                    format,
                    "--out",
                    book.toString()))
            .isZero();
        assertThat(
                run(
                    "risk",
                    "run",
                    "--book",
                    book.toString(),
                    "--scenarios",
                    "200",
                    "--topology",
                    "cpu",
                    "--no-progress",
                    "--out",
                    dir.resolve("results-" + format).toString()))
            .isZero();
      }
    } finally {
      System.setOut(stdout);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("to " + dir.resolve("book-arrow") + " as arrow files");
    assertThat(dir.resolve("book-arrow/instruments.arrow")).exists();
    assertThat(dir.resolve("book-arrow/instruments.csv")).doesNotExist();
    for (String file : new String[] {"summary.csv", "groups.csv", "pnl.csv"}) {
      assertThat(Files.readString(dir.resolve("results-arrow").resolve(file)))
          .isEqualTo(Files.readString(dir.resolve("results-csv").resolve(file)));
    }
  }

  @Test
  void generate_unknownFormat_failsNamingIt(@TempDir Path dir) {
    assertThat(run("risk", "generate", "--format", "xlsx", "--out", dir.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("unknown book format 'xlsx' (valid: csv, arrow)");
  }

  @Test
  void benchRisk_helpListsOptions() {
    assertThat(run("bench", "risk", "--help")).isZero();
    assertThat(out.toString()).contains("--json", "--options", "--scenarios", "100000", "10000");
  }
}
