package dev.amalgam.exec;

import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.countStar;
import static dev.amalgam.exec.expr.Exprs.max;
import static dev.amalgam.exec.expr.Exprs.sum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.memory.Topology;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class EngineSmokeTest {
  @Test
  void groupBy_onFusedPair_matchesReference() {
    try (Engine engine =
        Engine.builder().topology(Topology.preset("fused-pair")).pageSize(64 << 10).build()) {
      TableBuilder b =
          engine
              .createTable(
                  "t", Schema.of(Field.of("k", DataType.INT64), Field.of("v", DataType.INT64)))
              .placement(Placement.roundRobin())
              .rowGroupRows(20000);
      Map<Long, Long> sums = new HashMap<>();
      for (long i = 0; i < 100_000; i++) {
        long k = i % 37;
        b.addRow(k, i);
        sums.merge(k, i, Long::sum);
      }
      Table t = b.build();
      assertThat(t.rowGroupsByDevice()).containsOnlyKeys("gpu0", "gpu1");
      Result r =
          engine
              .table("t")
              .groupBy("k")
              .agg(sum(col("v")).as("s"), countStar().as("n"), max(col("v")).as("m"))
              .explainAnalyze();
      System.out.println(r.analysis());
      assertThat(r.rowCount()).isEqualTo(37);
      for (Result.Row row : r) {
        assertThat(row.getLong("s")).isEqualTo(sums.get(row.getLong("k")));
      }
      System.out.println(r.format(5));
    }
  }
}
