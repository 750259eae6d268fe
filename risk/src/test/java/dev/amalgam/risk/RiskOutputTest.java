package dev.amalgam.risk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
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
            "summary.arrow",
            "groups.arrow",
            "greeks.arrow",
            "pnl.arrow",
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

  @Test
  void write_report_arrowFilesHoldTheSameValuesAsTheReport(@TempDir Path dir) throws IOException {
    RiskReport r =
        RiskJob.builder()
            .book(SyntheticBook.generate(80, 4, 5))
            .scenarios(300)
            .horizonDays(1)
            .topology("cpu")
            .build()
            .run();
    RiskOutput.write(r, dir);
    // read back with Arrow Java
    try (BufferAllocator allocator = new RootAllocator();
        FileChannel ch = FileChannel.open(dir.resolve("pnl.arrow"), StandardOpenOption.READ);
        ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
      assertThat(reader.loadNextBatch()).isTrue();
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertThat(root.getRowCount()).isEqualTo(300);
      Float8Vector pnl = (Float8Vector) root.getVector("pnl");
      for (int i = 0; i < 300; i++) {
        assertThat(pnl.get(i)).isEqualTo(r.pnl()[i]);
      }
    }
    // and through the engine's SQL, which maps the file
    try (Engine engine = Engine.open("cpu")) {
      Result g =
          engine.execute(
              "SELECT \"key\", \"var\" FROM '"
                  + dir.resolve("groups.arrow")
                  + "' WHERE \"level\" = 'desk' AND \"confidence\" = 0.99 ORDER BY \"key\"");
      List<RiskReport.GroupRisk> desks = r.groups(RiskLevel.DESK);
      assertThat(g.rowCount()).isEqualTo(desks.size());
      for (int i = 0; i < desks.size(); i++) {
        int row = i;
        RiskReport.GroupRisk d =
            desks.stream().filter(x -> x.key().equals(g.get(row, "key"))).findFirst().orElseThrow();
        assertThat(g.get(row, "var")).isEqualTo(d.standalone().getFirst().var());
      }
      Result s =
          engine.execute(
              "SELECT \"var\" FROM '"
                  + dir.resolve("summary.arrow")
                  + "' WHERE \"confidence\" = 0.99");
      assertThat(s.get(0, "var")).isEqualTo(r.total(0.99).var());
    }
  }
}
