package dev.amalgam.exec.run;

import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.decimal;
import static dev.amalgam.exec.expr.Exprs.lit;
import static dev.amalgam.exec.expr.Exprs.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.expr.Expr;
import dev.amalgam.exec.plan.BindException;
import dev.amalgam.exec.plan.Binder;
import dev.amalgam.kernels.CompareOp;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Random expression trees over random batches (every compute type, nulls, with and without a
 * selection, sizes across word and vector boundaries), evaluated and filtered by {@link
 * ExprEvaluator} and compared row by row with {@link Reference}. Each case prints its seed and
 * expression on failure; {@code -Damalgam.test.seed=N} replaces the base seed.
 */
final class ExprEvaluatorDifferentialTest {
  static final Schema SCHEMA =
      Schema.of(
          Field.of("i32", DataType.INT32),
          Field.of("i32b", DataType.INT32),
          Field.of("i64", DataType.INT64),
          Field.of("f64", DataType.FLOAT64),
          Field.of("dec", DataType.decimal(12, 2)),
          Field.of("dec2", DataType.decimal(10, 4)),
          Field.of("d", DataType.DATE32),
          Field.of("ts", DataType.TIMESTAMP),
          Field.of("s", DataType.UTF8),
          Field.of("ds", DataType.DICTIONARY_UTF8),
          Field.of("b", DataType.BOOL));

  private static final String[] CHARS = {"a", "b", "c", "%", "_", "é", "日", "A"};
  private static final String[] PATTERNS = {
    "a%", "%a", "%b%", "a_c", "%", "", "\\%%", "_", "é%", "%a%b%", "banana", "a\\_b"
  };

  private MemoryPool pool;
  private MemoryConsumer consumer;
  private Scratch scratch;

  @BeforeEach
  void open() {
    pool = MemoryPool.create("test", 1L << 30);
    consumer = pool.consumer("scratch");
    scratch = new Scratch(consumer);
  }

  @AfterEach
  void close() {
    scratch.close();
    consumer.close();
    pool.close();
  }

  @Test
  void evaluate_randomExpressions_matchReference() {
    run(base(1), 600, false);
  }

  @Test
  void filter_randomPredicates_matchReference() {
    run(base(2), 600, true);
  }

  private static long base(int salt) {
    return TestColumns.BASE_SEED * 31 + salt;
  }

  private void run(long base, int cases, boolean filter) {
    int compared = 0;
    for (int i = 0; i < cases; i++) {
      long seed = base + i;
      Random r = new Random(seed);
      Gen g = new Gen(r);
      Expr e = filter || r.nextInt(3) == 0 ? g.bool(3) : g.any(3);
      BoundExpr bound;
      try {
        bound = Binder.bind(e, SCHEMA);
      } catch (BindException ex) {
        continue; // e.g. a decimal product whose scale exceeds 18
      }
      int n = TestColumns.SIZES[i % TestColumns.SIZES.length];
      if (check(seed, r, e, bound, n, filter)) {
        compared++;
      }
      scratch.reset();
    }
    assertThat(compared).as("cases compared").isGreaterThan(cases / 2);
  }

  /** Returns false when the reference raised an error (the case is skipped). */
  private boolean check(long seed, Random r, Expr e, BoundExpr bound, int n, boolean filter) {
    String what =
        "seed " + seed + " (-Damalgam.test.seed), n=" + n + ": " + e + " bound as " + bound;
    try (Arena arena = Arena.ofConfined()) {
      Object[][] cols = randomColumns(r, n);
      Vec[] vecs = new Vec[cols.length];
      for (int c = 0; c < cols.length; c++) {
        vecs[c] = TestColumns.vec(arena, SCHEMA.field(c).type(), cols[c]);
      }
      int[] live = r.nextBoolean() ? null : TestColumns.randomSelection(r, n);
      Batch b =
          live == null
              ? Batch.dense(vecs, n)
              : new Batch(vecs, n, TestColumns.segment(arena, live), live.length);
      int count = b.count();
      Object[] expected = new Object[count];
      try {
        for (int k = 0; k < count; k++) {
          expected[k] = Reference.eval(bound, cols, b.row(k));
        }
      } catch (ArithmeticException ex) {
        return false;
      }
      if (filter) {
        MemorySegment out = arena.allocate(4L * Math.max(1, count));
        int got;
        try {
          got = ExprEvaluator.filter(bound, b, scratch, out);
        } catch (RuntimeException ex) {
          throw new AssertionError(what, ex);
        }
        List<Integer> want = new ArrayList<>();
        for (int k = 0; k < count; k++) {
          if (Boolean.TRUE.equals(expected[k])) {
            want.add(b.row(k));
          }
        }
        List<Integer> have = new ArrayList<>();
        for (int k = 0; k < got; k++) {
          have.add(out.getAtIndex(dev.amalgam.kernels.ArrowLayout.INT32, k));
        }
        assertThat(have).as(what).isEqualTo(want);
        // the same selection refined in place
        if (live != null && count > 0) {
          MemorySegment sel = TestColumns.segment(arena, live);
          int again = ExprEvaluator.filter(bound, b.withSelection(sel, count), scratch, sel);
          assertThat(again).as(what + " (in place)").isEqualTo(want.size());
        }
      } else {
        Vec v;
        try {
          v = ExprEvaluator.evaluate(bound, b, scratch);
        } catch (RuntimeException ex) {
          throw new AssertionError(what, ex);
        }
        assertThat(v.n()).as(what).isEqualTo(count);
        assertThat(v.type()).as(what).isEqualTo(bound.type());
        for (int k = 0; k < count; k++) {
          Object got = TestColumns.read(v, k);
          if (!TestColumns.same(got, expected[k])) {
            fail(
                what
                    + "\nrow "
                    + k
                    + " (physical "
                    + b.row(k)
                    + "): got "
                    + got
                    + ", want "
                    + expected[k]);
          }
        }
      }
      return true;
    }
  }

  static Object[][] randomColumns(Random r, int n) {
    Object[][] cols = new Object[SCHEMA.size()][n];
    for (int c = 0; c < SCHEMA.size(); c++) {
      boolean nullable = r.nextInt(3) != 0;
      for (int i = 0; i < n; i++) {
        if (nullable && r.nextInt(8) == 0) {
          continue;
        }
        cols[c][i] =
            switch (SCHEMA.field(c).name()) {
              case "i32", "i32b" -> r.nextInt(201) - 100;
              case "i64" -> (long) r.nextInt(2_000_001) - 1_000_000;
              case "f64" ->
                  switch (r.nextInt(20)) {
                    case 0 -> Double.NaN;
                    case 1 -> -0.0;
                    case 2 -> Double.POSITIVE_INFINITY;
                    default -> (r.nextInt(2001) - 1000) / 8.0;
                  };
              case "dec" -> (long) r.nextInt(2_000_001) - 1_000_000;
              case "dec2" -> (long) r.nextInt(20_000_001) - 10_000_000;
              case "d" -> r.nextInt(20_000);
              case "ts" -> r.nextLong() % (20_000L * 86_400_000_000L);
              case "s" -> randomText(r);
              case "ds" -> TestColumns.DICT.get(r.nextInt(TestColumns.DICT.size()));
              case "b" -> r.nextBoolean();
              default -> throw new IllegalStateException();
            };
      }
    }
    return cols;
  }

  static String randomText(Random r) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(6); i > 0; i--) {
      sb.append(CHARS[r.nextInt(CHARS.length)]);
    }
    return sb.toString();
  }

  /** Random typed expression trees. */
  static final class Gen {
    private final Random r;

    Gen(Random r) {
      this.r = r;
    }

    Expr any(int depth) {
      return switch (r.nextInt(7)) {
        case 0 -> i32(depth);
        case 1 -> i64(depth);
        case 2 -> f64(depth);
        case 3 -> dec(depth);
        case 4 -> text(depth);
        case 5 -> date(depth);
        default -> bool(depth);
      };
    }

    Expr i32(int depth) {
      int pick = depth <= 0 ? r.nextInt(3) : r.nextInt(11);
      return switch (pick) {
        case 0 -> col("i32");
        case 1 -> col("i32b");
        case 2 -> lit(r.nextInt(21) - 10);
        case 3 -> i32(depth - 1).plus(i32(depth - 1));
        case 4 -> i32(depth - 1).minus(i32(depth - 1));
        case 5 -> i32(depth - 1).times(i32(depth - 1));
        case 6 -> text(depth - 1).charLength();
        case 7 -> r.nextBoolean() ? date(depth - 1).year() : date(depth - 1).day();
        case 8 -> when(bool(depth - 1), i32(depth - 1)).otherwise(i32(depth - 1));
        case 9 -> r.nextBoolean() ? i32(depth - 1).div(i32(depth - 1)) : i32(depth - 1).mod(lit(7));
        default -> dec(depth - 1).cast(DataType.INT32);
      };
    }

    Expr i64(int depth) {
      int pick = depth <= 0 ? r.nextInt(2) : r.nextInt(6);
      return switch (pick) {
        case 0 -> col("i64");
        case 1 -> lit((long) r.nextInt(1000));
        case 2 -> i64(depth - 1).plus(i32(depth - 1));
        case 3 -> i32(depth - 1).times(lit(3L));
        case 4 -> i32(depth - 1).cast(DataType.INT64);
        default -> when(bool(depth - 1), i64(depth - 1));
      };
    }

    Expr f64(int depth) {
      int pick = depth <= 0 ? r.nextInt(2) : r.nextInt(7);
      return switch (pick) {
        case 0 -> col("f64");
        case 1 -> lit((r.nextInt(41) - 20) / 4.0);
        case 2 -> f64(depth - 1).plus(f64(depth - 1));
        case 3 -> i32(depth - 1).times(0.5);
        case 4 -> dec(depth - 1).cast(DataType.FLOAT64);
        case 5 -> f64(depth - 1).div(f64(depth - 1));
        default -> dec(depth - 1).minus(f64(depth - 1));
      };
    }

    Expr dec(int depth) {
      int pick = depth <= 0 ? r.nextInt(3) : r.nextInt(9);
      return switch (pick) {
        case 0 -> col("dec");
        case 1 -> col("dec2");
        case 2 -> decimal((r.nextInt(2001) - 1000) + ".5");
        case 3 -> dec(depth - 1).plus(dec(depth - 1));
        case 4 -> dec(depth - 1).times(lit(r.nextInt(5) - 2));
        case 5 -> dec(depth - 1).minus(i32(depth - 1));
        case 6 -> i32(depth - 1).cast(DataType.decimal(12, 2));
        case 7 -> dec(depth - 1).cast(DataType.decimal(14, 1));
        default ->
            r.nextBoolean()
                ? dec(depth - 1).div(dec(depth - 1))
                : dec(depth - 1).mod(decimal("0.7"));
      };
    }

    Expr date(int depth) {
      int pick = depth <= 0 ? 0 : r.nextInt(3);
      return switch (pick) {
        case 0 -> col("d");
        case 1 -> date(depth - 1).plus(lit(r.nextInt(100) - 50));
        default -> col("ts").cast(DataType.DATE32);
      };
    }

    Expr text(int depth) {
      int pick = depth <= 0 ? r.nextInt(3) : r.nextInt(8);
      return switch (pick) {
        case 0 -> col("s");
        case 1 -> col("ds");
        case 2 -> lit(randomText(r));
        case 3 -> text(depth - 1).substring(r.nextInt(4) - 1, r.nextInt(5));
        case 4 -> i32(depth - 1).cast(DataType.UTF8);
        case 5 -> when(bool(depth - 1), text(depth - 1)).otherwise(text(depth - 1));
        case 6 ->
            r.nextBoolean()
                ? dec(depth - 1).cast(DataType.UTF8)
                : date(depth - 1).cast(DataType.UTF8);
        default -> r.nextBoolean() ? col("ts").cast(DataType.UTF8) : col("b").cast(DataType.UTF8);
      };
    }

    Expr bool(int depth) {
      int pick = depth <= 0 ? r.nextInt(6) : r.nextInt(17);
      CompareOp op = CompareOp.values()[r.nextInt(6)];
      return switch (pick) {
        case 0 -> col("b");
        case 1 -> new Expr.Comparison(op, col("i32"), lit(r.nextInt(41) - 20));
        case 2 -> new Expr.Comparison(op, col("s"), lit(randomText(r)));
        case 3 -> new Expr.Comparison(op, col("ds"), lit(TestColumns.DICT.get(r.nextInt(6))));
        case 4 -> r.nextBoolean() ? col("f64").isNull() : col("ds").isNotNull();
        case 5 -> col(r.nextBoolean() ? "s" : "ds").like(PATTERNS[r.nextInt(PATTERNS.length)]);
        case 6 -> new Expr.Comparison(op, i32(depth - 1), i32(depth - 1));
        case 7 ->
            new Expr.Comparison(op, f64(depth - 1), r.nextBoolean() ? f64(depth - 1) : lit(1.5));
        case 8 ->
            new Expr.Comparison(op, dec(depth - 1), r.nextBoolean() ? dec(depth - 1) : lit(3));
        case 9 -> new Expr.Comparison(op, text(depth - 1), text(depth - 1));
        case 10 -> bool(depth - 1).and(bool(depth - 1));
        case 11 -> bool(depth - 1).or(bool(depth - 1));
        case 12 -> bool(depth - 1).not();
        case 13 ->
            switch (r.nextInt(4)) {
              case 0 -> col("i32").between(-10, 30);
              case 1 -> col("dec").between(decimal("-100.5"), decimal("2000"));
              case 2 -> col("s").between("a", "c");
              default -> i32(depth - 1).between(i32(depth - 1), lit(5));
            };
        case 14 ->
            switch (r.nextInt(5)) {
              case 0 -> col("i32").in(1, 2, 3, -5, 50);
              case 1 -> col("ds").notIn("apple", "zz");
              case 2 -> col("s").in("a", "b", "", "ab");
              case 3 -> col("f64").notIn(0.0, 1.5, Double.NaN);
              default ->
                  col("i32").in(lit(4), Expr.class.cast(new Expr.Literal(null, DataType.INT32)));
            };
        case 15 ->
            new Expr.Comparison(
                op, col("d"), lit(LocalDate.ofEpochDay(r.nextInt(20_000)).toString()));
        default ->
            r.nextBoolean()
                ? any(depth - 1).isNull()
                : new Expr.Comparison(op, col("ts"), col("d"));
      };
    }
  }
}
