package dev.amalgam.exec.plan;

import static dev.amalgam.exec.expr.Exprs.col;
import static dev.amalgam.exec.expr.Exprs.date;
import static dev.amalgam.exec.expr.Exprs.decimal;
import static dev.amalgam.exec.expr.Exprs.lit;
import static dev.amalgam.exec.expr.Exprs.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.expr.Expr;
import dev.amalgam.exec.run.BoundExpr;
import dev.amalgam.kernels.LikePattern;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

final class BinderTest {
  private static final Schema S =
      Schema.of(
          Field.of("a", DataType.INT32),
          Field.of("b", DataType.INT64),
          Field.of("name", DataType.UTF8),
          Field.of("price", DataType.decimal(12, 2)),
          Field.of("x", DataType.FLOAT64),
          Field.of("d", DataType.DATE32),
          Field.of("small", DataType.INT8),
          Field.of("f", DataType.FLOAT32),
          Field.of("tag", DataType.DICTIONARY_UTF8),
          Field.of("flag", DataType.BOOL));

  private static BoundExpr bind(Expr e) {
    return Binder.bind(e, S);
  }

  @Test
  void bind_sameTextLiteralTwice_givesEqualConstants() {
    Schema s = Schema.of(Field.of("name", DataType.UTF8));
    assertThat(Binder.bind(col("name").eq("x"), s)).isEqualTo(Binder.bind(col("name").eq("x"), s));
    assertThat(Binder.bind(col("name").eq("x"), s))
        .isNotEqualTo(Binder.bind(col("name").eq("y"), s));
  }

  @Test
  void bind_unknownColumn_listsColumns() {
    assertThatThrownBy(() -> bind(col("zz").plus(col("a"))))
        .isInstanceOf(BindException.class)
        .hasMessage(
            "column 'zz' not found in (zz + a); columns are: a, b, name, price, x, d, small, f,"
                + " tag, flag");
  }

  @Test
  void bind_compareStringWithInt_namesBothTypes() {
    assertThatThrownBy(() -> bind(col("name").lt(5L)))
        .isInstanceOf(BindException.class)
        .hasMessage("cannot compare utf8 with int64 in (name < 5)");
  }

  @Test
  void bind_arithmeticOnText_namesOperatorAndTypes() {
    assertThatThrownBy(() -> bind(col("name").plus(1)))
        .hasMessage("cannot apply + to utf8 and int32 in (name + 1)");
    assertThatThrownBy(() -> bind(col("d").times(2)))
        .hasMessage("cannot apply * to date32 and int32 in (d * 2)");
  }

  @Test
  void bind_nonBoolCondition_fails() {
    assertThatThrownBy(() -> bind(col("a").and(col("flag"))))
        .hasMessage("AND term a is int32, not bool in (a AND flag)");
    assertThatThrownBy(() -> bind(col("a").not()))
        .hasMessage("NOT operand a is int32, not bool in (NOT a)");
    assertThatThrownBy(() -> bind(when(col("a"), 1)))
        .hasMessage("CASE condition a is int32, not bool in CASE WHEN a THEN 1 END");
  }

  @Test
  void bind_stringFunctionOnNumber_fails() {
    assertThatThrownBy(() -> bind(col("a").like("x%")))
        .hasMessage("LIKE needs utf8; a is int32 in (a LIKE 'x%')");
    assertThatThrownBy(() -> bind(col("a").charLength()))
        .hasMessage("CHAR_LENGTH needs utf8; a is int32 in CHAR_LENGTH(a)");
    assertThatThrownBy(() -> bind(col("name").substring(1, -1)))
        .hasMessage("SUBSTRING length must be >= 0; was -1 in SUBSTRING(name FROM 1 FOR -1)");
    assertThatThrownBy(() -> bind(col("name").year()))
        .hasMessage("cannot extract YEAR from utf8 (need date32) in EXTRACT(YEAR FROM name)");
  }

  @Test
  void bind_badLikePattern_fails() {
    assertThatThrownBy(() -> bind(col("name").like("ab\\")))
        .isInstanceOf(BindException.class)
        .hasMessageStartingWith("bad LIKE pattern 'ab\\'");
  }

  @Test
  void bind_caseWithIncompatibleValues_fails() {
    assertThatThrownBy(() -> bind(when(col("flag"), "x").otherwise(lit(1))))
        .hasMessage(
            "CASE values have incompatible types utf8 and int32 in CASE WHEN flag THEN 'x' ELSE 1"
                + " END");
  }

  @Test
  void bind_badCasts_fail() {
    assertThatThrownBy(() -> bind(col("d").cast(DataType.INT32)))
        .hasMessage("cannot cast date32 to int32 in CAST(d AS int32)");
    assertThatThrownBy(() -> bind(col("a").cast(DataType.INT8)))
        .hasMessage("CAST to int8 is not supported; cast to int32 in CAST(a AS int8)");
  }

  @Test
  void bind_inWithColumnValue_fails() {
    assertThatThrownBy(() -> bind(col("a").in(col("b"))))
        .hasMessage("IN values must be literals; got b in (a IN (b))");
  }

  @Test
  void bind_badDateText_fails() {
    assertThatThrownBy(() -> bind(col("d").lt("1998-13-01")))
        .hasMessage("'1998-13-01' is not a date (yyyy-mm-dd) in (d < '1998-13-01')");
  }

  @Test
  void bind_literalOutOfRange_fails() {
    assertThatThrownBy(() -> bind(new Expr.Literal(300, DataType.INT8)))
        .hasMessage("literal 300 (Integer) is not a valid int8 in 300");
  }

  @Test
  void bind_decimalProductScaleTooLarge_fails() {
    Expr e = col("price").times(decimal("0.0000000001")).times(decimal("0.0000001"));
    assertThatThrownBy(() -> bind(e))
        .isInstanceOf(BindException.class)
        .hasMessageContaining("decimal multiply result scale 19");
  }

  @Test
  void bind_comparisonWithLiteral_coercesLiteralExactly() {
    assertThat(bind(col("a").lt(5L)))
        .isEqualTo(
            new BoundExpr.Cmp(
                dev.amalgam.kernels.CompareOp.LT,
                ref(0, DataType.INT32, "a"),
                new BoundExpr.Const(5, DataType.INT32)));
    BoundExpr.Cmp p = (BoundExpr.Cmp) bind(col("price").gt(0.05));
    assertThat(p.right()).isEqualTo(new BoundExpr.Const(5L, DataType.decimal(12, 2)));
    BoundExpr.Cmp q = (BoundExpr.Cmp) bind(col("a").lt(2.5));
    assertThat(q.left())
        .isEqualTo(new BoundExpr.CastTo(ref(0, DataType.INT32, "a"), DataType.FLOAT64));
    BoundExpr.Cmp dt = (BoundExpr.Cmp) bind(col("d").ge("1998-12-01"));
    assertThat(dt.right())
        .isEqualTo(
            new BoundExpr.Const((int) LocalDate.parse("1998-12-01").toEpochDay(), DataType.DATE32));
  }

  @Test
  void bind_arithmetic_widensPerSqlRules() {
    assertThat(bind(col("a").plus(col("b"))).type()).isEqualTo(DataType.INT64);
    assertThat(bind(col("a").plus(col("x"))).type()).isEqualTo(DataType.FLOAT64);
    assertThat(bind(col("price").times(col("a"))).type()).isEqualTo(DataType.decimal(18, 2));
    assertThat(bind(col("price").times(2)).type()).isEqualTo(DataType.decimal(13, 2));
    assertThat(bind(col("price").plus(col("x"))).type()).isEqualTo(DataType.FLOAT64);
    assertThat(bind(col("d").plus(3)).type()).isEqualTo(DataType.DATE32);
    assertThat(bind(lit(3).plus(col("d"))).type()).isEqualTo(DataType.DATE32);
    assertThat(bind(col("d").minus(date("1998-01-01"))).type()).isEqualTo(DataType.INT32);
  }

  @Test
  void bind_storageTypes_readInComputeTypesExceptDictionary() {
    assertThat(bind(col("small")).type()).isEqualTo(DataType.INT32);
    assertThat(bind(col("f")).type()).isEqualTo(DataType.FLOAT64);
    assertThat(bind(col("tag")).type()).isEqualTo(DataType.DICTIONARY_UTF8);
    BoundExpr.Cmp c = (BoundExpr.Cmp) bind(col("tag").eq("x"));
    assertThat(c.left().type()).isEqualTo(DataType.DICTIONARY_UTF8);
    BoundExpr.Case k = (BoundExpr.Case) bind(when(col("flag"), col("tag")).otherwise(lit("y")));
    assertThat(k.type()).isEqualTo(DataType.UTF8);
    assertThat(k.values().get(0)).isInstanceOf(BoundExpr.CastTo.class);
  }

  @Test
  void bind_literals_foldToConstRepresentation() {
    assertThat(bind(decimal("12.50")))
        .isEqualTo(new BoundExpr.Const(1250L, DataType.decimal(4, 2)));
    assertThat(bind(lit(java.time.Instant.ofEpochSecond(1, 5000))))
        .isEqualTo(new BoundExpr.Const(1_000_005L, DataType.TIMESTAMP));
    assertThat(bind(lit(LocalDate.ofEpochDay(42))))
        .isEqualTo(new BoundExpr.Const(42, DataType.DATE32));
    assertThat(((BoundExpr.Const) bind(lit("hé"))).value())
        .isEqualTo("hé".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(bind(lit(new BigDecimal("1e3"))))
        .isEqualTo(new BoundExpr.Const(1000L, DataType.decimal(4, 0)));
  }

  @Test
  void bind_likeAndInWithNull_bindsPatternsAndThreeValuedNull() {
    BoundExpr.Like l = (BoundExpr.Like) bind(col("name").startsWith("50%"));
    assertThat(l.pattern().kind()).isEqualTo(LikePattern.Kind.PREFIX);
    BoundExpr in =
        bind(col("a").in(1, 2).or(col("a").in(lit(3), new Expr.Literal(null, DataType.INT32))));
    assertThat(in.toString()).isEqualTo("((a IN [1, 2]) OR ((a IN [3]) OR null))");
  }

  @Test
  void nameOf_aliasColumnOrText() {
    assertThat(Binder.nameOf(col("a").plus(1).as("y"))).isEqualTo("y");
    assertThat(Binder.nameOf(col("a"))).isEqualTo("a");
    assertThat(Binder.nameOf(col("a").plus(1))).isEqualTo("(a + 1)");
    assertThat(bind(col("a").plus(1).as("y")).type()).isEqualTo(DataType.INT32);
  }

  private static BoundExpr ref(int i, DataType t, String name) {
    return new BoundExpr.ColumnRef(i, t, name);
  }
}
