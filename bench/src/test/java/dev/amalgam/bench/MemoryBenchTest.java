package dev.amalgam.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.memory.Sizes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks that the benchmark runs and reports every key; never how fast anything is. */
final class MemoryBenchTest {
  @TempDir Path spill;

  @Test
  void run_tinyConfig_reportsEveryKeyInTableAndJson() {
    MemoryBench.Config c = new MemoryBench.Config("fused-pair", 64 * Sizes.KiB, Sizes.MiB, 1);
    MemoryBench.Result r = MemoryBench.run(c, spill, 1000);
    String json = r.toJson();
    for (String key :
        new String[] {
          "memcpy_gbps",
          "migrate_gbps",
          "pin_resident_ns",
          "fault_ns",
          "evict_gbps",
          "migrate_vs_memcpy"
        }) {
      assertThat(r.get(key)).as(key).isPositive();
      assertThat(json).contains("\"" + key + "\":");
      assertThat(r.toTable()).contains(key);
    }
    assertThat(json).startsWith("{").endsWith("}").contains("\"simulated\":true");
    assertThat(r.toTable()).contains("MODELED");
  }
}
