package dev.amalgam.risk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;

final class RiskJobTest {
  private static final Book BOOK = SyntheticBook.generate(400, 8, 11);

  private static RiskReport run(String topology, RiskJob.Method method, int scenarios) {
    return RiskJob.builder()
        .book(BOOK)
        .method(method)
        .scenarios(scenarios)
        .horizonDays(5)
        .confidence(0.99, 0.975)
        .seed(42)
        .topology(topology)
        .build()
        .run();
  }

  @Test
  void run_monteCarlo_esIsAtLeastVarAndEulerSumsToTotal() {
    RiskReport r = run("fused-pair", RiskJob.Method.MONTE_CARLO, 2000);
    System.out.print(r.format());
    for (RiskReport.Measure m : r.totals()) {
      assertThat(m.var()).isPositive();
      assertThat(m.es()).isGreaterThanOrEqualTo(m.var());
    }
    for (RiskLevel level : RiskLevel.values()) {
      List<RiskReport.GroupRisk> groups = r.groups(level);
      for (int i = 0; i < r.totals().size(); i++) {
        int c = i;
        double euler = groups.stream().mapToDouble(g -> g.eulerVar().get(c)).sum();
        double es = groups.stream().mapToDouble(g -> g.esContribution().get(c)).sum();
        assertThat(euler)
            .isCloseTo(
                r.totals().get(i).var(), org.assertj.core.data.Percentage.withPercentage(1e-9));
        assertThat(es)
            .isCloseTo(
                r.totals().get(i).es(), org.assertj.core.data.Percentage.withPercentage(1e-9));
      }
    }
  }

  @Test
  void run_sameSeed_identicalOnCpuFusedPairAndNvl4() {
    RiskReport cpu = run("cpu", RiskJob.Method.MONTE_CARLO, 1000);
    RiskReport pair = run("fused-pair", RiskJob.Method.MONTE_CARLO, 1000);
    RiskReport nvl4 = run("nvl4", RiskJob.Method.MONTE_CARLO, 1000);
    assertThat(pair.pnl()).containsExactly(cpu.pnl());
    assertThat(nvl4.pnl()).containsExactly(cpu.pnl());
    assertThat(pair.totals()).isEqualTo(cpu.totals());
    assertThat(nvl4.totals()).isEqualTo(cpu.totals());
    for (RiskLevel level : RiskLevel.values()) {
      assertThat(pair.groups(level)).isEqualTo(cpu.groups(level));
      assertThat(nvl4.groups(level)).isEqualTo(cpu.groups(level));
    }
    assertThat(nvl4.greeks()).isEqualTo(cpu.greeks());
  }

  @Test
  void run_engineGiven_isLeftOpenAndTablesDropped() {
    try (Engine e = Engine.open("fused-pair")) {
      RiskReport r = RiskJob.builder().book(BOOK).scenarios(200).engine(e).build().run();
      assertThat(r.tables()).isEmpty();
      assertThat(e.tableNames()).isEmpty();
    }
  }
}
