package dev.amalgam.samples;

import static dev.amalgam.exec.expr.Exprs.avg;
import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.countStar;
import static dev.amalgam.exec.expr.Exprs.date;
import static dev.amalgam.exec.expr.Exprs.sum;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Placement;
import dev.amalgam.exec.Query;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.TableBuilder;
import dev.amalgam.memory.Topology;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The query demo: generates a trading book (trades, instruments) on a fused device, runs a few
 * analytic queries with the fluent API and prints their results and one EXPLAIN ANALYZE, which
 * shows where each morsel ran and what moved over which link.
 */
public final class QueryDemo {
  private QueryDemo() {}

  /** What to run. */
  public record Options(Topology topology, long pageSize, long trades, int workersPerMember) {}

  private static final String[] DESKS = {"rates", "fx", "credit", "equities", "commodities"};
  private static final String[] SECTORS = {"tech", "energy", "banks", "health", "industrials"};

  /** Runs the demo; prints to {@code out}. */
  public static void run(Options o, PrintStream out) {
    Engine.Builder b = Engine.builder().topology(o.topology()).pageSize(o.pageSize());
    if (o.workersPerMember() > 0) {
      b.workersPerMember(o.workersPerMember());
    }
    try (Engine engine = b.build()) {
      out.println("amalgam demo: " + engine.fusedDevice() + ", workers " + engine.workers());
      if (engine.fusedDevice().simulated()) {
        out.println(
            "(simulated members: host memory and CPU threads; link times are modeled from"
                + " public specs)");
      }
      long t0 = System.nanoTime();
      Table trades = loadTrades(engine, o.trades());
      Table instruments = loadInstruments(engine);
      out.printf(
          Locale.ROOT,
          "loaded %d trades and %d instruments in %.1f s%n  %s%n  %s%n%n",
          trades.rowCount(),
          instruments.rowCount(),
          (System.nanoTime() - t0) / 1e9,
          trades,
          instruments);

      show(
          out,
          "1. Notional by desk in 2024-Q1",
          engine
              .table("trades")
              .filter(col("trade_date").between(date("2024-01-01"), date("2024-03-31")))
              .groupBy("desk")
              .agg(sum(col("notional")).as("notional"), countStar().as("trades"))
              .orderBy(col("notional").desc()));

      Query top =
          engine
              .table("trades")
              .groupBy("instrument")
              .agg(sum(col("qty")).as("qty"), sum(col("notional")).as("notional"))
              .join(engine.table("instruments"), col("instrument").eq(col("id")))
              .select("symbol", "sector", "qty", "notional")
              .orderBy(col("qty").desc())
              .limit(10);
      show(out, "2. Top 10 instruments by quantity traded", top);

      show(
          out,
          "3. Average price and volume by sector for large trades",
          engine
              .table("trades")
              .filter(col("qty").gt(5_000))
              .join(engine.table("instruments"), col("instrument").eq(col("id")))
              .groupBy("sector")
              .agg(avg(col("price")).as("avg_price"), countStar().as("trades"))
              .orderBy("sector"));

      out.println("EXPLAIN of query 2:");
      out.println(top.explain());
      out.println("EXPLAIN ANALYZE of query 2:");
      Result r = top.explainAnalyze();
      out.println(r.analysis());
    }
  }

  private static void show(PrintStream out, String title, Query q) {
    long t0 = System.nanoTime();
    Result r = q.execute();
    double ms = (System.nanoTime() - t0) / 1e6;
    out.printf(Locale.ROOT, "%s (%.1f ms)%n%s%n", title, ms, r.format(12));
  }

  private static Table loadTrades(Engine engine, long n) {
    SplittableRandom rnd = new SplittableRandom(7);
    TableBuilder b =
        engine
            .createTable(
                "trades",
                Schema.of(
                    Field.notNull("trade_id", DataType.INT64),
                    Field.notNull("desk", DataType.DICTIONARY_UTF8),
                    Field.notNull("instrument", DataType.INT32),
                    Field.notNull("qty", DataType.INT64),
                    Field.notNull("price", DataType.decimal(12, 2)),
                    Field.notNull("trade_date", DataType.DATE32),
                    Field.notNull("notional", DataType.FLOAT64)))
            .placement(Placement.roundRobin());
    LocalDate start = LocalDate.of(2023, 1, 1);
    for (long i = 0; i < n; i++) {
      long qty = 1 + rnd.nextLong(10_000);
      BigDecimal price = BigDecimal.valueOf(100 + rnd.nextLong(100_000), 2);
      b.addRow(
          i,
          DESKS[rnd.nextInt(DESKS.length)],
          (int) Math.min(499, Math.abs(rnd.nextInt(500) * rnd.nextDouble())),
          qty,
          price,
          start.plusDays(rnd.nextInt(730)),
          qty * price.doubleValue());
    }
    return b.build();
  }

  private static Table loadInstruments(Engine engine) {
    TableBuilder b =
        engine.createTable(
            "instruments",
            Schema.of(
                Field.notNull("id", DataType.INT32),
                Field.notNull("symbol", DataType.UTF8),
                Field.notNull("sector", DataType.DICTIONARY_UTF8)));
    for (int i = 0; i < 500; i++) {
      b.addRow(i, String.format(Locale.ROOT, "SYM%03d", i), SECTORS[i % SECTORS.length]);
    }
    return b.build();
  }
}
