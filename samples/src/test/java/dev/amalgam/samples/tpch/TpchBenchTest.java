package dev.amalgam.samples.tpch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

final class TpchBenchTest {

  @Test
  void json_onePerQueryWithColdTimes_thenTheGeometricMean() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    List<TpchBench.Timing> timings =
        TpchBench.run(
            0.01,
            "fused-pair",
            List.of(TpchQueries.get(1), TpchQueries.get(6)),
            1,
            1,
            false,
            true,
            out);
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();

    assertThat(lines).hasSize(3);
    assertThat(lines.get(0))
        .startsWith("{\"query\":\"Q01\"")
        .contains("\"amalgam_ms\":", "\"duckdb_ms\":", "\"ratio\":", "\"cold_amalgam_ms\":")
        .doesNotContain("null");
    assertThat(lines.get(1)).startsWith("{\"query\":\"Q06\"");
    double geomean = Math.sqrt(timings.get(0).ratio() * timings.get(1).ratio());
    assertThat(lines.get(2))
        .startsWith("{\"geomean_ratio\":")
        .contains(String.format(Locale.ROOT, "%.4f", geomean), "\"queries\":2");
  }

  @Test
  void text_withoutWarmUpPasses_hasNoColdLine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    TpchBench.run(0.01, "cpu", List.of(TpchQueries.get(6)), 1, 0, false, false, out);
    String text = bytes.toString(StandardCharsets.UTF_8);

    assertThat(text).contains("Q06", "geometric mean of the ratios").doesNotContain("cold");
  }
}
