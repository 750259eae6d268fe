package dev.amalgam.exec.run;

import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.date;
import static dev.amalgam.exec.expr.Exprs.decimal;
import static dev.amalgam.exec.expr.Exprs.lit;
import static dev.amalgam.exec.expr.Exprs.nullOf;
import static dev.amalgam.exec.expr.Exprs.when;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.expr.Expr;
import dev.amalgam.exec.plan.Binder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class ConstantFolderTest {
  private static final Schema S =
      Schema.of(
          Field.of("d", DataType.decimal(15, 2)),
          Field.of("day", DataType.DATE32),
          Field.of("s", DataType.UTF8));

  private static BoundExpr bind(Expr e) {
    return Binder.bind(e, S);
  }

  @Test
  void decimalArithmeticAndCastBecomeOneConstant() {
    BoundExpr b =
        bind(col("d").ge(decimal("0.06").minus(decimal("0.01")).cast(DataType.decimal(15, 2))));
    assertThat(b).isInstanceOf(BoundExpr.Cmp.class);
    BoundExpr.Cmp c = (BoundExpr.Cmp) b;
    assertThat(c.left()).isInstanceOf(BoundExpr.ColumnRef.class);
    assertThat(c.right()).isEqualTo(new BoundExpr.Const(5L, DataType.decimal(15, 2)));
  }

  @Test
  void foldsNestedSubtreesButKeepsColumns() {
    BoundExpr b = bind(col("d").times(lit(2).plus(lit(3))));
    BoundExpr.Arith a = (BoundExpr.Arith) b;
    assertThat(a.left()).isInstanceOf(BoundExpr.ColumnRef.class);
    assertThat(a.right()).isInstanceOf(BoundExpr.Const.class);
    assertThat(a.right()).hasToString("5");
  }

  @Test
  void foldsDatesStringsCaseAndPredicates() {
    assertThat(bind(date("1994-01-01").year()))
        .isEqualTo(new BoundExpr.Const(1994, DataType.INT32));
    BoundExpr sub = bind(lit("amalgam").substring(1, 3));
    assertThat(sub).isInstanceOf(BoundExpr.Const.class);
    assertThat(new String((byte[]) ((BoundExpr.Const) sub).value(), StandardCharsets.UTF_8))
        .isEqualTo("ama");
    assertThat(bind(lit(3).between(1, 5).and(lit("x").like("x%"))))
        .isEqualTo(new BoundExpr.Const(true, DataType.BOOL));
    assertThat(bind(when(lit(1).gt(2), 10).otherwise(lit(20))))
        .isEqualTo(new BoundExpr.Const(20, DataType.INT32));
  }

  @Test
  void nullConstantsFoldToTypedNulls() {
    BoundExpr b = bind(col("d").plus(lit(1).plus(nullOf(DataType.INT32))));
    BoundExpr.Arith a = (BoundExpr.Arith) b;
    assertThat(a.right()).isInstanceOf(BoundExpr.Const.class);
    assertThat(((BoundExpr.Const) a.right()).value()).isNull();
  }

  @Test
  void aConstantThatFailsIsLeftForTheRowsThatReachIt() {
    // 1 / 0 is an error only when evaluated; CASE must be able to guard it
    BoundExpr b = bind(when(col("d").gt(0), lit(1).div(lit(0))).otherwise(lit(0)));
    BoundExpr.Case c = (BoundExpr.Case) b;
    assertThat(c.values().get(0)).isInstanceOf(BoundExpr.Arith.class);
    BoundExpr overflow = bind(lit(Long.MAX_VALUE).plus(lit(1L)));
    assertThat(overflow).isInstanceOf(BoundExpr.Arith.class);
  }
}
