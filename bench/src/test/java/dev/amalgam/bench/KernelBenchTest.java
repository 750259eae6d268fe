package dev.amalgam.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks the report format of the kernel benchmark harness; never how fast anything is. */
final class KernelBenchTest {
  @Test
  void row_toJson_hasTheDocumentedKeys() {
    KernelBench.Row r = new KernelBench.Row("Filter.gt", 1e9, 12.0, 0.8, 1e8, 10.0);
    assertThat(r.toJson())
        .startsWith("{\"kernel\":\"Filter.gt\"")
        .contains("\"rows_per_s\":1000000000.0")
        .contains("\"gbps\":12.000")
        .contains("\"vs_copy\":0.800")
        .contains("\"vs_scalar\":10.000");
  }

  @Test
  void row_withoutScalarRun_writesNullRatio() {
    KernelBench.Row r = new KernelBench.Row("Hash.x", 1e6, 1.0, 0.1, Double.NaN, Double.NaN);
    assertThat(r.toJson()).contains("\"vs_scalar\":null");
    assertThat(new KernelBench.Result(15.0, List.of(r)).toTable()).contains("Hash.x", "15.00 GB/s");
  }

  @Test
  void row_withIterationRange_showsSlowestAndFastest() {
    KernelBench.Row r =
        new KernelBench.Row("Filter.gt", 2.0e9, 20.0, 1.0, 1e8, 20.0, 1.9e9, 2.31e9);
    assertThat(r.toJson())
        .contains("\"min_rows_per_s\":1900000000.000")
        .contains("\"max_rows_per_s\":2310000000.000");
    assertThat(new KernelBench.Result(15.0, List.of(r)).toTable()).contains("1.90-2.31 G");
    KernelBench.Row mixed =
        new KernelBench.Row("Hash.y", 1.0e9, 16.0, 1.0, Double.NaN, Double.NaN, 9.5e8, 1.2e9);
    assertThat(new KernelBench.Result(15.0, List.of(mixed)).toTable()).contains("950.00 M-1.20 G");
  }

  @Test
  void copyGbps_isMeasured() {
    assertThat(KernelBench.copyGbps()).isPositive();
  }
}
