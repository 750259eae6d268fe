package dev.amalgam.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.memory.Sizes;
import dev.amalgam.memory.Topology;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class MemoryDemoTest {
  @TempDir Path spill;

  @Test
  void run_smallFusedPair_placesMigratesEvictsAndSpillsWithoutLoss() {
    long page = 64 * Sizes.KiB;
    long gpu = 16 * page;
    MemoryDemo.Options o =
        new MemoryDemo.Options(
            Topology.preset("fused-pair", gpu, 2 * gpu), page, gpu * 3 / 2, 2 * gpu, spill);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    MemoryDemo.Outcome outcome =
        MemoryDemo.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);

    assertThat(outcome.ok()).isTrue();
    assertThat(outcome.checksums()).hasSize(3).containsOnly(outcome.expected());
    assertThat(outcome.stats().link("gpu0", "gpu1").bytes()).isPositive();
    assertThat(outcome.stats().device("gpu1").evictions()).isPositive();
    assertThat(outcome.stats().spill().writes()).isPositive();
    assertThat(text).contains("(simulated)").contains("modeled").contains("All checksums match.");
  }

  @Test
  void run_cpuTopology_worksWithTheHostAsOnlyMember() {
    long page = 64 * Sizes.KiB;
    MemoryDemo.Options o =
        new MemoryDemo.Options(
            Topology.preset("cpu", 16 * page, 16 * page), page, 24 * page, 16 * page, spill);
    MemoryDemo.Outcome outcome =
        MemoryDemo.run(
            o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(outcome.ok()).isTrue();
    assertThat(outcome.stats().spill().writes()).isPositive();
  }
}
