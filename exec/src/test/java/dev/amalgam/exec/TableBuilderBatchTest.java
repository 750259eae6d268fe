package dev.amalgam.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

final class TableBuilderBatchTest {
  private static final Schema SCHEMA =
      Schema.of(
          Field.of("b", DataType.BOOL),
          Field.of("i8", DataType.INT8),
          Field.of("i32", DataType.INT32),
          Field.of("i64", DataType.INT64),
          Field.of("f32", DataType.FLOAT32),
          Field.of("f64", DataType.FLOAT64),
          Field.of("dec", DataType.decimal(10, 2)),
          Field.of("d", DataType.DATE32),
          Field.of("ts", DataType.TIMESTAMP),
          Field.of("s", DataType.UTF8),
          Field.of("k", DataType.DICTIONARY_UTF8));

  private static Engine engine() {
    return Engine.builder().pageSize(64 << 10).build();
  }

  /** Random rows as Java values (every fourth value of a column null). */
  private static List<@Nullable Object[]> rows(int n, long seed) {
    Random rnd = new Random(seed);
    List<@Nullable Object[]> out = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      @Nullable Object[] row =
          new Object[] {
            rnd.nextBoolean(),
            (byte) rnd.nextInt(-128, 128),
            rnd.nextInt(),
            rnd.nextLong(),
            (float) rnd.nextInt(1000) / 4,
            rnd.nextDouble(),
            BigDecimal.valueOf(rnd.nextLong(-99_999_999L, 99_999_999L), 2),
            LocalDate.ofEpochDay(rnd.nextInt(20000)),
            Instant.EPOCH.plusNanos(rnd.nextLong(0, 1L << 50) * 1000),
            "s" + rnd.nextInt(100000),
            "k" + rnd.nextInt(5)
          };
      for (int c = 0; c < row.length; c++) {
        if (rnd.nextInt(4) == 0) {
          row[c] = null;
        }
      }
      out.add(row);
    }
    return out;
  }

  /** The same rows as column arrays. */
  private static ColumnValues[] columns(List<@Nullable Object[]> rows) {
    int n = rows.size();
    ColumnValues[] out = new ColumnValues[SCHEMA.size()];
    for (int c = 0; c < SCHEMA.size(); c++) {
      long[] nulls = new long[(n + 63) >>> 6];
      DataType t = SCHEMA.field(c).type();
      switch (ColumnValues.shapeOf(t)) {
        case LONGS -> {
          long[] v = new long[n];
          for (int r = 0; r < n; r++) {
            Object x = rows.get(r)[c];
            if (x == null) {
              nulls[r >>> 6] |= 1L << r;
              continue;
            }
            v[r] =
                switch (x) {
                  case Boolean b -> b ? 1 : 0;
                  case Number num when t.kind() != DataType.Kind.DECIMAL -> num.longValue();
                  case BigDecimal d -> d.unscaledValue().longValueExact();
                  case LocalDate d -> d.toEpochDay();
                  case Instant i -> i.getEpochSecond() * 1_000_000 + i.getNano() / 1000;
                  default -> throw new AssertionError(x);
                };
          }
          out[c] = ColumnValues.ofLongs(v, n, nulls);
        }
        case DOUBLES -> {
          double[] v = new double[n];
          for (int r = 0; r < n; r++) {
            Object x = rows.get(r)[c];
            if (x == null) {
              nulls[r >>> 6] |= 1L << r;
            } else {
              v[r] = ((Number) x).doubleValue();
            }
          }
          out[c] = ColumnValues.ofDoubles(v, n, nulls);
        }
        case UTF8 -> {
          int[] offsets = new int[n + 1];
          StringBuilder sb = new StringBuilder();
          for (int r = 0; r < n; r++) {
            Object x = rows.get(r)[c];
            if (x == null) {
              nulls[r >>> 6] |= 1L << r;
            } else {
              sb.append(x);
            }
            offsets[r + 1] = sb.length();
          }
          out[c] =
              ColumnValues.ofUtf8(
                  offsets, sb.toString().getBytes(StandardCharsets.UTF_8), n, nulls);
        }
      }
    }
    return out;
  }

  /** Every row as text, sorted (a scan's row order is not fixed). */
  private static List<String> all(Engine e, String table) {
    List<String> out = new ArrayList<>();
    for (List<@Nullable Object> row : e.sql("SELECT * FROM " + table).execute().toList()) {
      out.add(row.toString());
    }
    out.sort(null);
    return out;
  }

  @Test
  void addBatch_acrossRowGroups_equalsAddRow() {
    try (Engine e = engine()) {
      List<@Nullable Object[]> rows = rows(20_000, 42);
      e.createTable("byrow", SCHEMA).rowGroupRows(8192).addRows(rows).build();
      TableBuilder b = e.createTable("bybatch", SCHEMA).rowGroupRows(8192);
      // uneven batches that straddle row-group boundaries
      int[] cuts = {0, 1, 5000, 8192, 8193, 17000, 20_000};
      for (int i = 0; i + 1 < cuts.length; i++) {
        b.addBatch(columns(rows.subList(cuts[i], cuts[i + 1])));
      }
      Table t = b.build();
      assertThat(t.rowCount()).isEqualTo(20_000);
      assertThat(t.rowGroupCount()).isEqualTo(3);
      assertThat(all(e, "bybatch")).isEqualTo(all(e, "byrow"));
    }
  }

  @Test
  void endRowGroup_cutsRowGroupsWhereAsked() {
    try (Engine e = engine()) {
      List<@Nullable Object[]> rows = rows(3000, 7);
      TableBuilder b = e.createTable("t", SCHEMA).rowGroupRows(100_000);
      b.addBatch(columns(rows.subList(0, 1000))).endRowGroup();
      b.endRowGroup(); // nothing pending: no empty row group
      b.addBatch(columns(rows.subList(1000, 3000))).endRowGroup();
      Table t = b.build();
      assertThat(t.rowGroupCount()).isEqualTo(2);
      assertThat(t.data().rowGroups().get(0).rows()).isEqualTo(1000);
      assertThat(t.data().rowGroups().get(1).rows()).isEqualTo(2000);
    }
  }

  @Test
  void addBatch_hashPlacement_keepsEveryRow() {
    try (Engine e = engine()) {
      List<@Nullable Object[]> rows = rows(5000, 3);
      e.createTable("byrow", SCHEMA).addRows(rows).build();
      e.createTable("t", SCHEMA).placement(Placement.hash("k")).addBatch(columns(rows)).build();
      String q = "SELECT k, COUNT(*), SUM(i32) FROM %s GROUP BY k ORDER BY k";
      assertThat(e.sql(q.formatted("t")).execute().toList())
          .isEqualTo(e.sql(q.formatted("byrow")).execute().toList());
    }
  }

  @Test
  void addBatch_valueOutOfRange_namesColumnAndRowAndAddsNothing() {
    try (Engine e = engine();
        TableBuilder b =
            e.createTable(
                "t", Schema.of(Field.of("a", DataType.INT64), Field.of("x", DataType.INT8)))) {
      b.addBatch(
          ColumnValues.ofLongs(new long[] {1, 2}, 2, null),
          ColumnValues.ofLongs(new long[] {1, 2}, 2, null));
      assertThatThrownBy(
              () ->
                  b.addBatch(
                      ColumnValues.ofLongs(new long[] {3, 4}, 2, null),
                      ColumnValues.ofLongs(new long[] {5, 300}, 2, null)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("table 't' column 'x' (int8) row 3: 300 out of range [-128, 127]");
      assertThat(b.rowCount()).isEqualTo(2);
    }
  }

  @Test
  void addBatch_wrongShapeOrSizeOrNull_isRejected() {
    try (Engine e = engine();
        TableBuilder b =
            e.createTable(
                "t",
                Schema.of(Field.notNull("a", DataType.INT64), Field.of("f", DataType.FLOAT64)))) {
      assertThatThrownBy(
              () ->
                  b.addBatch(
                      ColumnValues.ofLongs(new long[] {1}, 1, null),
                      ColumnValues.ofLongs(new long[] {1}, 1, null)))
          .hasMessage("table 't' column 'f' (float64): expected DOUBLES values, got LONGS");
      assertThatThrownBy(
              () ->
                  b.addBatch(
                      ColumnValues.ofLongs(new long[] {1, 2}, 2, null),
                      ColumnValues.ofDoubles(new double[] {1}, 1, null)))
          .hasMessage("table 't' column 'f' (float64): 1 values, column 'a' has 2");
      assertThatThrownBy(
              () ->
                  b.addBatch(
                      ColumnValues.ofLongs(new long[] {1}, 1, new long[] {1}),
                      ColumnValues.ofDoubles(new double[] {1}, 1, null)))
          .hasMessage("table 't' column 'a' (int64) row 0: column is not null");
      assertThatThrownBy(() -> b.addBatch(ColumnValues.ofLongs(new long[] {1}, 1, null)))
          .hasMessageContaining("1 columns given for 2");
      assertThat(b.rowCount()).isZero();
    }
  }
}
