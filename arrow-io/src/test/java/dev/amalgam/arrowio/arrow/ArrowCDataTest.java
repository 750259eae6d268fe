package dev.amalgam.arrowio.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSet;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

final class ArrowCDataTest {
  @Test
  void exportThenImport_everyType_roundTripsWithoutCopyingMorselBatches() {
    try (Engine engine = TestData.engine("cpu");
        Arena arena = Arena.ofConfined()) {
      TestData.allTypes(engine, "t", 3 * TestData.MORSEL, 8);
      MemorySegment stream = ArrowCData.allocateStream(arena);
      ArrowCData.exportStream(engine.catalogTable("t"), stream);
      ArrowLoad load = ArrowCData.importStream(engine, stream, "c");
      assertThat(load.batches()).isEqualTo(3);
      assertThat(load.mappedBytes()).isPositive();
      assertThat(load.notes()).noneMatch(n -> n.contains("coalesced"));
      assertThat(TestData.rows(engine, "c")).isEqualTo(TestData.rows(engine, "t"));
      // the imported table holds the exported arrays (and so the source's pins) until dropped
      engine.dropTable("c");
      engine.dropTable("t");
    }
  }

  @Test
  void exportResult_thenImport_roundTrips() {
    try (Engine engine = TestData.engine("fused-pair");
        Arena arena = Arena.ofConfined()) {
      TestData.allTypes(engine, "t", 2000, 9);
      Result r = engine.sql("SELECT id, s, dec, ts, d FROM t WHERE b ORDER BY id").execute();
      MemorySegment stream = ArrowCData.allocateStream(arena);
      ArrowCData.exportStream(r, stream);
      ArrowCData.importStream(engine, stream, "c");
      assertThat(TestData.rows(engine, "c")).isEqualTo(r.toList());
    }
  }

  private static final String DUCK_TABLE =
      "CREATE TABLE d AS SELECT i AS id, i % 3 = 0 AS b, (i % 100)::TINYINT AS i8,"
          + " (i * 7)::INTEGER AS i32, i * 1000003 AS i64, i / 3.0 AS f64,"
          + " (i / 100.0)::DECIMAL(12,2) AS dec, DATE '2020-01-01' + (i % 1000)::INTEGER AS dt,"
          + " TIMESTAMP '2021-06-01 00:00:00' + INTERVAL (i) SECOND AS ts,"
          + " CASE WHEN i % 11 = 0 THEN NULL ELSE 'v' || (i % 17)::VARCHAR END AS s"
          + " FROM range(50000) t(i)";

  @Test
  void duckdb_arrowExportStream_importsIntoTheEngine() throws Exception {
    try (Engine engine = TestData.engine("cpu");
        BufferAllocator allocator = new RootAllocator();
        Connection conn = DriverManager.getConnection("jdbc:duckdb:")) {
      try (Statement st = conn.createStatement()) {
        st.execute(DUCK_TABLE);
      }
      try (Statement st = conn.createStatement();
          ResultSet rs = st.executeQuery("SELECT * FROM d ORDER BY id");
          ArrowArrayStream cs = ArrowArrayStream.allocateNew(allocator)) {
        // the exported stream owns the reader and closes it when released
        ArrowReader reader =
            (ArrowReader) ((DuckDBResultSet) rs).arrowExportStream(allocator, 16384);
        Data.exportArrayStream(allocator, reader, cs);
        ArrowLoad load =
            ArrowCData.importStream(engine, MemorySegment.ofAddress(cs.memoryAddress()), "d");
        assertThat(load.table().rowCount()).isEqualTo(50_000);
        assertThat(load.mappedBytes()).isPositive(); // DuckDB's buffers used in place
      }
      List<@Nullable Object> ours =
          engine
              .sql(
                  "SELECT count(*), count(s), sum(i64), sum(i32), sum(dec), max(dt), max(ts),"
                      + " sum(CASE WHEN b THEN 1 ELSE 0 END), sum(i8) FROM d")
              .execute()
              .row(0)
              .values();
      try (Statement st = conn.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT count(*), count(s), sum(i64), sum(i32), sum(dec), max(dt)::VARCHAR,"
                      + " max(ts)::VARCHAR, sum(CASE WHEN b THEN 1 ELSE 0 END), sum(i8) FROM d")) {
        rs.next();
        assertThat(((Number) ours.get(0)).longValue()).isEqualTo(rs.getLong(1));
        assertThat(((Number) ours.get(1)).longValue()).isEqualTo(rs.getLong(2));
        assertThat(((Number) ours.get(2)).longValue()).isEqualTo(rs.getLong(3));
        assertThat(((Number) ours.get(3)).longValue()).isEqualTo(rs.getLong(4));
        assertThat(((java.math.BigDecimal) ours.get(4)).compareTo(rs.getBigDecimal(5))).isZero();
        assertThat(String.valueOf(ours.get(5))).isEqualTo(rs.getString(6));
        assertThat(String.valueOf(ours.get(6)).replace("T", " ").replace("Z", ""))
            .startsWith(rs.getString(7));
        assertThat(((Number) ours.get(7)).longValue()).isEqualTo(rs.getLong(8));
        assertThat(((Number) ours.get(8)).longValue()).isEqualTo(rs.getLong(9));
      }
      // release DuckDB's (Arrow Java's) buffers before the allocator closes
      engine.dropTable("d");
    }
  }

  @Test
  void exportStream_registeredInDuckdb_isQueriedThere() throws Exception {
    try (Engine engine = TestData.engine("cpu");
        BufferAllocator allocator = new RootAllocator();
        Connection conn = DriverManager.getConnection("jdbc:duckdb:")) {
      TestData.allTypes(engine, "t", 3 * TestData.MORSEL + 123, 10);
      List<@Nullable Object> ours =
          engine
              .sql(
                  "SELECT count(*), count(s), sum(i64 % 1000), sum(i32 % 1000), sum(dec), max(d),"
                      + " count(k), sum(CASE WHEN b THEN 1 ELSE 0 END) FROM t")
              .execute()
              .row(0)
              .values();
      try (ArrowArrayStream cs = ArrowArrayStream.allocateNew(allocator)) {
        ArrowCData.exportStream(
            engine.catalogTable("t"), MemorySegment.ofAddress(cs.memoryAddress()));
        ((DuckDBConnection) conn).registerArrowStream("v", cs);
        try (Statement st = conn.createStatement();
            ResultSet rs =
                st.executeQuery(
                    "SELECT count(*), count(s), sum(i64 % 1000), sum(i32 % 1000), sum(dec),"
                        + " max(d)::VARCHAR, count(k), sum(CASE WHEN b THEN 1 ELSE 0 END) FROM v")) {
          rs.next();
          assertThat(((Number) ours.get(0)).longValue()).isEqualTo(rs.getLong(1));
          assertThat(((Number) ours.get(1)).longValue()).isEqualTo(rs.getLong(2));
          assertThat(((Number) ours.get(2)).longValue()).isEqualTo(rs.getLong(3));
          assertThat(((Number) ours.get(3)).longValue()).isEqualTo(rs.getLong(4));
          assertThat(((java.math.BigDecimal) ours.get(4)).compareTo(rs.getBigDecimal(5))).isZero();
          assertThat(String.valueOf(ours.get(5))).isEqualTo(rs.getString(6));
          assertThat(((Number) ours.get(6)).longValue()).isEqualTo(rs.getLong(7));
          assertThat(((Number) ours.get(7)).longValue()).isEqualTo(rs.getLong(8));
        }
      }
    }
  }
}
