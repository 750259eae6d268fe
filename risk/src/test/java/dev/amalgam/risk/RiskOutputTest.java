package dev.amalgam.risk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RiskOutputTest {
  @Test
  void write_report_writesCsvPngAndSvg(@TempDir Path dir) throws IOException {
    RiskReport r =
        RiskJob.builder()
            .book(SyntheticBook.generate(120, 5, 3))
            .scenarios(500)
            .horizonDays(2)
            .topology("cpu")
            .build()
            .run();
    List<Path> files = RiskOutput.write(r, dir);
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .contains(
            "summary.csv",
            "groups.csv",
            "greeks.csv",
            "pnl.csv",
            "pnl_histogram.png",
            "pnl_histogram.svg",
            "var_by_desk.png",
            "var_by_desk.svg",
            "report.txt");
    byte[] png = Files.readAllBytes(dir.resolve("var_by_desk.png"));
    assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    assertThat(Files.readString(dir.resolve("pnl_histogram.svg"))).contains("<svg", "VaR 99%");
    List<String> pnl = Files.readAllLines(dir.resolve("pnl.csv"));
    assertThat(pnl).hasSize(501);
    assertThat(Files.readAllLines(dir.resolve("summary.csv")).get(1))
        .startsWith("mc,500,2,1,0.99," + r.total(0.99).var() + ",");
  }
}
