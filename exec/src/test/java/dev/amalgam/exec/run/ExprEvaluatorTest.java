package dev.amalgam.exec.run;

import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.lit;
import static dev.amalgam.exec.expr.Exprs.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.expr.Expr;
import dev.amalgam.exec.plan.Binder;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.KernelException;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class ExprEvaluatorTest {
  private static final Schema S =
      Schema.of(
          Field.of("i", DataType.INT32),
          Field.of("s", DataType.UTF8),
          Field.of("t", DataType.DICTIONARY_UTF8),
          Field.of("l", DataType.INT64));

  private MemoryPool pool;
  private MemoryConsumer consumer;
  private Scratch scratch;
  private Arena arena;
  private Batch batch;

  @BeforeEach
  void open() {
    pool = MemoryPool.create("test", 1L << 28);
    consumer = pool.consumer("scratch");
    scratch = new Scratch(consumer);
    arena = Arena.ofConfined();
    batch =
        Batch.dense(
            new Vec[] {
              TestColumns.vec(arena, DataType.INT32, new Object[] {0, 5, null, -2}),
              TestColumns.vec(arena, DataType.UTF8, new Object[] {"12", " -7 ", null, "1.5"}),
              TestColumns.vec(
                  arena, DataType.DICTIONARY_UTF8, new Object[] {"apple", "zz", null, "apple"}),
              TestColumns.vec(arena, DataType.INT64, new Object[] {Long.MAX_VALUE, 1L, 2L, 3L})
            },
            4);
  }

  @AfterEach
  void close() {
    arena.close();
    scratch.close();
    consumer.close();
    pool.close();
  }

  private List<Object> eval(Expr e, Batch b) {
    Vec v = ExprEvaluator.evaluate(Binder.bind(e, S), b, scratch);
    List<Object> out = new ArrayList<>();
    for (int k = 0; k < v.n(); k++) {
      out.add(TestColumns.read(v, k));
    }
    return out;
  }

  private List<Integer> filter(Expr e, Batch b) {
    MemorySegment out = arena.allocate(4L * Math.max(1, b.count()));
    int c = ExprEvaluator.filter(Binder.bind(e, S), b, scratch, out);
    List<Integer> rows = new ArrayList<>();
    for (int k = 0; k < c; k++) {
      rows.add(out.getAtIndex(ArrowLayout.INT32, k));
    }
    return rows;
  }

  @Test
  void evaluate_plainColumnWithoutSelection_returnsInputVec() {
    assertThat(ExprEvaluator.evaluate(Binder.bind(col("i"), S), batch, scratch))
        .isSameAs(batch.column(0));
  }

  @Test
  void evaluate_caseGuardsDivision_doesNotDivideByZero() {
    assertThat(eval(when(col("i").ne(0), lit(10).div(col("i"))).otherwise(lit(-1)), batch))
        .containsExactly(-1, 2, -1, -5);
  }

  @Test
  void evaluate_divisionByZero_throwsKernelException() {
    assertThatThrownBy(() -> eval(lit(10).div(col("i")), batch))
        .isInstanceOf(KernelException.class);
  }

  @Test
  void evaluate_integerOverflow_throwsKernelException() {
    assertThatThrownBy(() -> eval(col("l").plus(1L), batch))
        .isInstanceOf(KernelException.class)
        .hasMessageContaining("row 0");
  }

  @Test
  void evaluate_castTextToInt_parsesOrNamesBadValue() {
    Batch two = batch.withSelection(TestColumns.segment(arena, new int[] {0, 1, 2}), 3);
    assertThat(eval(col("s").cast(DataType.INT32), two)).containsExactly(12, -7, null);
    assertThat(eval(col("s").cast(DataType.decimal(5, 1)), batch))
        .containsExactly(120L, -70L, null, 15L);
    assertThatThrownBy(() -> eval(col("s").cast(DataType.INT32), batch))
        .isInstanceOf(KernelException.class)
        .hasMessageContaining("'1.5' is not a valid int32");
  }

  @Test
  void evaluate_castToTextAndBack_roundTrips() {
    assertThat(eval(col("i").cast(DataType.UTF8), batch)).containsExactly("0", "5", null, "-2");
    assertThat(eval(lit("1998-12-01").cast(DataType.DATE32).cast(DataType.UTF8), batch))
        .containsOnly("1998-12-01");
    assertThat(
            eval(lit("2024-02-29 13:45:01.25").cast(DataType.TIMESTAMP).cast(DataType.UTF8), batch))
        .containsOnly("2024-02-29 13:45:01.250000");
  }

  @Test
  void evaluate_dictionaryColumnUnderSelection_keepsDictionary() {
    Batch sel = batch.withSelection(TestColumns.segment(arena, new int[] {1, 3}), 2);
    Vec v = ExprEvaluator.evaluate(Binder.bind(col("t"), S), sel, scratch);
    assertThat(v.type()).isEqualTo(DataType.DICTIONARY_UTF8);
    assertThat(v.dictionary()).isSameAs(batch.column(2).dictionary());
    assertThat(eval(col("t"), sel)).containsExactly("zz", "apple");
    assertThat(eval(col("t").substring(2, 3), sel)).containsExactly("z", "ppl");
  }

  @Test
  void filter_dictionaryAndTextPredicates_useSelection() {
    Batch sel = batch.withSelection(TestColumns.segment(arena, new int[] {0, 2, 3}), 3);
    assertThat(filter(col("t").eq("apple"), sel)).containsExactly(0, 3);
    assertThat(filter(col("t").like("a%").and(col("i").lt(0)), sel)).containsExactly(3);
    assertThat(filter(col("t").isNull().or(col("i").eq(0)), sel)).containsExactly(0, 2);
    assertThat(filter(col("i").notIn(0, 7), batch)).containsExactly(1, 3);
    assertThat(filter(col("i").gt(0).not(), batch)).containsExactly(0, 3);
  }

  @Test
  void filter_threeValuedLogic_nullIsNotSelected() {
    Expr nullBool = new Expr.Literal(null, DataType.BOOL);
    assertThat(filter(col("i").ge(0).or(nullBool), batch)).containsExactly(0, 1);
    assertThat(filter(col("i").ge(0).and(nullBool).not(), batch)).containsExactly(3);
    assertThat(eval(col("i").ge(0).and(nullBool), batch)).containsExactly(null, null, null, false);
  }
}
