package dev.amalgam.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.risk.RiskJob;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks what the risk benchmark runs and reports; never how fast anything is. */
final class RiskBenchTest {
  private static RiskBench.Config config(int options, int scenarios, long strata, int warmup) {
    return new RiskBench.Config(options, scenarios, 4, 5, "fused-pair", strata, warmup, 3);
  }

  @Test
  void oneThreadScenarios_aTenthInWholeBlocks() {
    int b = RiskJob.REVALUATION_BLOCK;
    assertThat(RiskBench.oneThreadScenarios(config(100_000, 10_000, 20_000_000, 1000)))
        .isEqualTo((1000 + b - 1) / b * b);
    assertThat(RiskBench.oneThreadScenarios(config(1000, 1000, 20_000_000, 1000))).isEqualTo(b);
    assertThat(RiskBench.oneThreadScenarios(config(1000, 100, 20_000_000, 1000))).isEqualTo(100);
  }

  @Test
  void run_warmsUpThenComparesWithTheSameJobOnOneThread() {
    List<String> phases = new ArrayList<>();
    RiskBench.Result r =
        RiskBench.run(
            config(200, 600, 100_000, 300),
            (phase, done, total) -> {
              if (phases.isEmpty() || !phases.getLast().equals(phase)) {
                phases.add(phase);
              }
            });
    assertThat(phases.getFirst()).startsWith("warm-up ");
    assertThat(phases).contains("1 thread revaluation", "revaluation");
    assertThat(phases.indexOf("revaluation")).isGreaterThan(phases.indexOf("1 thread revaluation"));
    assertThat(r.values())
        .containsEntry("warmup_scenarios", 300)
        .containsEntry("one_thread_scenarios", 256)
        .containsEntry("workers", 4)
        .containsKeys("reval_per_s", "reval_one_thread_per_s", "reval_vs_one_thread", "ratio")
        .doesNotContainKeys("kernel_per_thread_per_s", "reval_vs_kernel_cores");
    assertThat(r.report().setup().scenarios()).isEqualTo(600);
    assertThat(r.toTable())
        .contains(
            "same job on 1 worker thread",
            "timed job ran after a warm-up job (300 scenarios, same book and topology)",
            "revaluation on 4 workers ran");
    assertThat(r.toJson()).contains("\"reval_vs_one_thread\": ");
  }
}
