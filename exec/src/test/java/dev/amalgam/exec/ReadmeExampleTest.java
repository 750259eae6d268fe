package dev.amalgam.exec;

import static dev.amalgam.exec.expr.Exprs.avg;
import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.countStar;
import static dev.amalgam.exec.expr.Exprs.sum;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The README's first query, as written there. */
final class ReadmeExampleTest {
  @Test
  void firstQuery_runsAsTheReadmeShows() {
    try (Engine engine = Engine.open("fused-pair")) {
      TableBuilder trades =
          engine.createTable(
              "trades",
              Schema.of(
                  Field.of("desk", DataType.DICTIONARY_UTF8),
                  Field.of("qty", DataType.INT64),
                  Field.of("price", DataType.decimal(12, 2))));
      trades
          .addRow("rates", 100L, new BigDecimal("99.50"))
          .addRow("fx", 250L, new BigDecimal("1.07"))
          .build();
      Query q =
          engine
              .table("trades")
              .filter(col("qty").gt(50))
              .groupBy("desk")
              .agg(
                  sum(col("qty")).as("qty"), avg(col("price")).as("avg_price"), countStar().as("n"))
              .orderBy(col("qty").desc());
      String table = q.execute().format();
      assertThat(table).contains("desk", "fx", "250", "rates", "99.5");
      assertThat(table.indexOf("fx")).isLessThan(table.indexOf("rates"));
      assertThat(q.explainAnalyze().analysis()).contains("device gpu0", "links");
      Result bySql =
          engine
              .sql(
                  "SELECT desk, SUM(qty) AS qty FROM trades WHERE qty > 50 GROUP BY desk ORDER BY qty DESC")
              .execute();
      assertThat(bySql.row(0).getString("desk")).isEqualTo("fx");
      assertThat(bySql.row(0).getLong("qty")).isEqualTo(250);
      long cached = engine.cachedPlans();
      engine.sql(
          "SELECT desk, SUM(qty) AS qty FROM trades WHERE qty > 50 GROUP BY desk ORDER BY qty DESC");
      assertThat(engine.cachedPlans()).isEqualTo(cached);
      engine.createTable("other", Schema.of(Field.of("a", DataType.INT32))).addRow(1).build();
      Result again =
          engine
              .sql(
                  "SELECT desk, SUM(qty) AS qty FROM trades WHERE qty > 50 GROUP BY desk ORDER BY qty DESC")
              .execute();
      assertThat(again.toList()).isEqualTo(bySql.toList());
      assertThat(engine.cachedPlans()).isEqualTo(cached + 1);
    }
  }
}
