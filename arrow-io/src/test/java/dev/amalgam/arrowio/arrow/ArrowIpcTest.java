package dev.amalgam.arrowio.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Table;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ArrowIpcTest {
  @TempDir Path dir;

  @Test
  void writeThenOpen_everyTypeWithNulls_roundTripsAndMapsWholeMorsels() {
    try (Engine engine = TestData.engine("cpu")) {
      Table t = TestData.allTypes(engine, "t", 3 * TestData.MORSEL + 1000, 1);
      Path f = dir.resolve("t.arrow");
      ArrowIpc.write(t, f);
      ArrowLoad load = ArrowIpc.open(engine, f, "m");
      assertThat(load.batches()).isEqualTo(4);
      assertThat(load.table().rowCount()).isEqualTo(t.rowCount());
      assertThat(load.mappedBytes()).isPositive();
      assertThat(load.copiedBytes()).isPositive(); // the short last batch and decimal128
      assertThat(load.notes()).anyMatch(n -> n.contains("decimal128"));
      assertThat(load.notes()).anyMatch(n -> n.contains("coalesced"));
      List<List<@Nullable Object>> expected = TestData.rows(engine, "t");
      assertThat(TestData.rows(engine, "m")).isEqualTo(expected);
      engine.dropTable("m");
    }
  }

  @Test
  void writeStreamThenReadStream_everyType_roundTrips() {
    try (Engine engine = TestData.engine("fused-pair")) {
      TestData.allTypes(engine, "t", 20_000, 2, 4096);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ArrowIpc.writeStream(engine.catalogTable("t"), out);
      ArrowLoad load =
          ArrowIpc.readStream(engine, new ByteArrayInputStream(out.toByteArray()), "s");
      assertThat(load.mappedBytes()).isZero();
      assertThat(TestData.rows(engine, "s")).isEqualTo(TestData.rows(engine, "t"));
    }
  }

  @Test
  void writeResult_fileAndStream_roundTrip() {
    try (Engine engine = TestData.engine("cpu")) {
      TestData.allTypes(engine, "t", 5000, 3);
      Result r = engine.sql("SELECT * FROM t WHERE i32 > 0 OR i32 IS NULL ORDER BY id").execute();
      Path f = dir.resolve("r.arrow");
      ArrowIpc.write(r, f, ArrowCompression.ZSTD);
      ArrowIpc.open(engine, f, "rf");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ArrowIpc.writeStream(r, out);
      ArrowIpc.readStream(engine, new ByteArrayInputStream(out.toByteArray()), "rs");
      List<List<@Nullable Object>> expected = r.toList();
      assertThat(TestData.rows(engine, "rf")).isEqualTo(expected);
      assertThat(TestData.rows(engine, "rs")).isEqualTo(expected);
    }
  }
}
