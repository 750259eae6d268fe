package dev.amalgam.samples.tpch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class TpchVerifyTest {
  /** The queries that must match DuckDB at sf 0.01 on fused-pair: all 22. */
  static final Set<Integer> PASSING =
      Set.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22);

  @Test
  void verify_sf001_cpuAndATinyTopologyThatEvictsAndSpills_everyQueryMatchesDuckDb() {
    List<String> broken = new ArrayList<>();
    for (boolean tiny : new boolean[] {false, true}) {
      dev.amalgam.exec.Engine.Builder b =
          tiny
              ? dev.amalgam.exec.Engine.builder()
                  .topology(dev.amalgam.memory.Topology.preset("fused-pair", 1L << 20, 8L << 20))
                  .pageSize(64 << 10)
                  .queryMemoryLimit(8L << 20)
                  .workersPerMember(1)
              : dev.amalgam.exec.Engine.builder()
                  .topology(dev.amalgam.memory.Topology.preset("cpu"));
      String label = tiny ? "fused-pair with 1 MiB members, 8 MiB host, 8 MiB per query" : "cpu";
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
      TpchVerify.Report report = TpchVerify.run(0.01, b, label, TpchQueries.all(), out);
      String text = bytes.toString(StandardCharsets.UTF_8);
      System.out.print(text);
      for (TpchVerify.Outcome o : report.outcomes()) {
        if (!o.passed()) {
          broken.add(label + ": " + o.line());
        }
      }
    }
    assertThat(broken).isEmpty();
  }

  @Test
  void verify_sf001_fusedPair_everyPassingQueryMatchesDuckDb() {
    List<TpchQueries.TpchQuery> queries = TpchQueries.all();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    TpchVerify.Report report = TpchVerify.run(0.01, "fused-pair", queries, out);
    String text = bytes.toString(StandardCharsets.UTF_8);
    System.out.print(text);

    List<String> broken = new ArrayList<>();
    for (TpchVerify.Outcome o : report.outcomes()) {
      if (PASSING.contains(o.query().number()) && !o.passed()) {
        broken.add(o.line());
      }
    }
    assertThat(broken).as(text).isEmpty();
    assertThat(text).contains(report.passed() + " passed, " + report.failed() + " failed");
  }

  @Test
  void compare_detectsDifferencesAndToleratesRounding() {
    List<List<Object>> a = List.of(List.of("x", 1.0), List.of("y", 2.0));
    List<List<Object>> reversed = List.of(List.of("y", 2.0 * (1 + 1e-9)), List.of("x", 1.0));
    assertThat(TpchVerify.compare(a, reversed, false)).isNull();
    assertThat(TpchVerify.compare(a, reversed, true)).startsWith("row 0:");
    assertThat(TpchVerify.compare(a, List.of(List.of("x", 1.0), List.of("y", 2.001)), false))
        .contains("row 1");
    assertThat(TpchVerify.compare(a, a.subList(0, 1), true)).contains("2 rows, duckdb 1");
  }

  @Test
  void queries_areTwentyTwoNumberedInOrder() {
    assertThat(TpchQueries.all()).hasSize(22);
    for (int i = 1; i <= 22; i++) {
      assertThat(TpchQueries.get(i).number()).isEqualTo(i);
      assertThat(TpchQueries.get(i).name()).isEqualTo(String.format("Q%02d", i));
    }
    assertThat(TpchData.tableNames()).hasSize(8).contains("lineitem", "partsupp", "nation");
  }
}
