package dev.amalgam.arrowio.arrow;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.TableBuilder;
import dev.amalgam.memory.Topology;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/** Tables of every engine type, with nulls, for the Arrow tests. */
final class TestData {
  private TestData() {}

  static final long PAGE = 64 << 10;

  /** Rows per morsel at {@link #PAGE}: batches this long are mapped in place. */
  static final int MORSEL = 8192;

  static Engine engine(String preset) {
    return Engine.builder().topology(Topology.preset(preset)).pageSize(PAGE).build();
  }

  static final Schema ALL_TYPES =
      Schema.of(
          Field.notNull("id", DataType.INT64),
          Field.of("b", DataType.BOOL),
          Field.of("i8", DataType.INT8),
          Field.of("i16", DataType.INT16),
          Field.of("i32", DataType.INT32),
          Field.of("i64", DataType.INT64),
          Field.of("f32", DataType.FLOAT32),
          Field.of("f64", DataType.FLOAT64),
          Field.of("dec", DataType.decimal(12, 2)),
          Field.of("d", DataType.DATE32),
          Field.of("ts", DataType.TIMESTAMP),
          Field.of("s", DataType.UTF8),
          Field.of("k", DataType.DICTIONARY_UTF8));

  static final List<String> KEYS = List.of("alpha", "beta", "gamma", "", "délta ✓");

  /** Row {@code i} of the all-types table (deterministic in seed and i). */
  static @Nullable Object[] row(long seed, int i) {
    Random r = new Random(seed * 1_000_003L + i);
    boolean nul = r.nextInt(7) == 0;
    return new Object[] {
      (long) i,
      nul ? null : r.nextBoolean(),
      r.nextInt(9) == 0 ? null : (byte) r.nextInt(),
      r.nextInt(9) == 0 ? null : (short) r.nextInt(),
      r.nextInt(9) == 0 ? null : r.nextInt(),
      r.nextInt(9) == 0 ? null : r.nextLong(),
      r.nextInt(9) == 0 ? null : (double) (float) (r.nextGaussian() * 1e3),
      r.nextInt(9) == 0 ? null : r.nextGaussian() * 1e9,
      r.nextInt(9) == 0 ? null : BigDecimal.valueOf(r.nextLong() % 100_000_000_000L, 2),
      r.nextInt(9) == 0 ? null : LocalDate.ofEpochDay(r.nextInt(40_000) - 10_000),
      r.nextInt(9) == 0
          ? null
          : Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextInt(1_000_000) * 1000L),
      r.nextInt(9) == 0
          ? null
          : "s" + Integer.toString(r.nextInt(100_000), 36).repeat(r.nextInt(4)),
      r.nextInt(9) == 0 ? null : KEYS.get(r.nextInt(KEYS.size()))
    };
  }

  static Table allTypes(Engine engine, String name, int rows, long seed) {
    return allTypes(engine, name, rows, seed, MORSEL);
  }

  static Table allTypes(Engine engine, String name, int rows, long seed, int rowGroupRows) {
    try (TableBuilder b = engine.createTable(name, ALL_TYPES).rowGroupRows(rowGroupRows)) {
      for (int i = 0; i < rows; i++) {
        b.addRow(row(seed, i));
      }
      return b.build();
    }
  }

  /** All rows of a table, ordered by id. */
  static List<List<@Nullable Object>> rows(Engine engine, String table) {
    return engine.sql("SELECT * FROM " + table + " ORDER BY id").execute().toList();
  }
}
