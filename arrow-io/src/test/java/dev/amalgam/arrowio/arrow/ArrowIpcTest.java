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

  private static final dev.amalgam.exec.Schema IN_PLACE_TYPES =
      dev.amalgam.exec.Schema.of(
          dev.amalgam.exec.Field.notNull("id", dev.amalgam.exec.DataType.INT64),
          dev.amalgam.exec.Field.of("b", dev.amalgam.exec.DataType.BOOL),
          dev.amalgam.exec.Field.of("i32", dev.amalgam.exec.DataType.INT32),
          dev.amalgam.exec.Field.of("f64", dev.amalgam.exec.DataType.FLOAT64),
          dev.amalgam.exec.Field.of("d", dev.amalgam.exec.DataType.DATE32),
          dev.amalgam.exec.Field.of("ts", dev.amalgam.exec.DataType.TIMESTAMP),
          dev.amalgam.exec.Field.of("s", dev.amalgam.exec.DataType.UTF8),
          dev.amalgam.exec.Field.of("k", dev.amalgam.exec.DataType.DICTIONARY_UTF8));

  private static void inPlaceTable(Engine engine, String name, int rows) {
    try (dev.amalgam.exec.TableBuilder b =
        engine.createTable(name, IN_PLACE_TYPES).rowGroupRows(TestData.MORSEL)) {
      for (int i = 0; i < rows; i++) {
        Object[] all = TestData.row(11, i);
        b.addRow(all[0], all[1], all[4], all[7], all[9], all[10], all[11], all[12]);
      }
      b.build();
    }
  }

  @Test
  void open_uncompressedFileOfWholeMorsels_copiesNothing_andRegionsLieInTheMapping()
      throws java.io.IOException {
    try (Engine engine = TestData.engine("cpu")) {
      inPlaceTable(engine, "t", 4 * TestData.MORSEL);
      Path f = dir.resolve("z.arrow");
      ArrowIpc.write(engine.catalogTable("t"), f);
      ArrowLoad load = ArrowIpc.open(engine, f, "m");
      assertThat(load.copiedBytes()).isZero();
      assertThat(load.notes()).isEmpty();
      assertThat(load.mappedBytes()).isPositive().isLessThan(java.nio.file.Files.size(f));
      assertThat(load.table().placement()).startsWith("mapped");
      byte[] file = java.nio.file.Files.readAllBytes(f);
      for (dev.amalgam.exec.store.RowGroup g : load.table().data().rowGroups()) {
        for (dev.amalgam.exec.store.ColumnChunk c : g.chunks()) {
          dev.amalgam.memory.Region r = c.values();
          assertThat(r.isMapped()).isTrue();
          java.lang.foreign.MemorySegment backing = java.util.Objects.requireNonNull(r.backing());
          assertThat(backing.isMapped()).isTrue();
          try (dev.amalgam.memory.Pin pin =
              r.pin(
                  0,
                  Math.min(r.size(), TestData.PAGE),
                  engine.memory().host(),
                  dev.amalgam.memory.AccessMode.READ)) {
            // the host view is the mapping itself
            assertThat(pin.segment().address()).isEqualTo(backing.address());
          }
          // and the bytes are the file's: find them at the offset the mapping implies
          byte[] head =
              backing
                  .asSlice(0, Math.min(64, backing.byteSize()))
                  .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
          assertThat(indexOf(file, head)).isNotNegative();
        }
      }
      assertThat(TestData.rows(engine, "m")).isEqualTo(TestData.rows(engine, "t"));
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void queriesOverAMappedFile_equalTheSameQueriesOverTheBuiltTable_onFusedPair() {
    try (Engine engine = TestData.engine("fused-pair")) {
      inPlaceTable(engine, "t", 5 * TestData.MORSEL);
      Path f = dir.resolve("q.arrow");
      ArrowIpc.write(engine.catalogTable("t"), f);
      ArrowIpc.open(engine, f, "m");
      for (String q :
          List.of(
              "SELECT k, count(*), sum(i32), min(f64), max(ts) FROM %s GROUP BY k ORDER BY k",
              "SELECT count(*) FROM %s WHERE b AND s LIKE 's1%%'",
              "SELECT d, count(*) FROM %s WHERE i32 > 0 GROUP BY d ORDER BY d LIMIT 20",
              "SELECT count(DISTINCT s), count(s) FROM %s")) {
        assertThat(engine.sql(String.format(q, "m")).execute().toList())
            .as(q)
            .isEqualTo(engine.sql(String.format(q, "t")).execute().toList());
      }
      engine.dropTable("m");
    }
  }

  @Test
  void emptyTable_roundTripsThroughFileAndStream() {
    try (Engine engine = TestData.engine("cpu")) {
      TestData.allTypes(engine, "t", 0, 1);
      Path f = dir.resolve("e.arrow");
      ArrowIpc.write(engine.catalogTable("t"), f);
      ArrowLoad load = ArrowIpc.open(engine, f, "m");
      assertThat(load.table().rowCount()).isZero();
      assertThat(load.table().schema()).isEqualTo(TestData.ALL_TYPES);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ArrowIpc.writeStream(engine.catalogTable("t"), out);
      ArrowIpc.readStream(engine, new ByteArrayInputStream(out.toByteArray()), "s");
      assertThat(engine.sql("SELECT count(*) FROM s").execute().get(0, 0)).isEqualTo(0L);
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
