package dev.amalgam.samples.tpch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.memory.Topology;
import org.junit.jupiter.api.Test;

final class JitWarmUpTest {

  @Test
  void run_executesEveryQueryOfEveryPass_andClosesItsEngine() {
    // the leak check after this test fails if the private engine or its tables stayed open
    String summary = JitWarmUp.run(Topology.preset("cpu"), 0.01, 2);

    assertThat(summary).startsWith("JIT warm-up: 44 TPC-H queries at sf 0.01 in ");
  }
}
