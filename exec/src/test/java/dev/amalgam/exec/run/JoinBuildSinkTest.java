package dev.amalgam.exec.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.run.JoinTestData.ChunksSource;
import dev.amalgam.exec.run.JoinTestData.Fixture;
import dev.amalgam.kernels.KeyType;
import dev.amalgam.kernels.TableFullException;
import dev.amalgam.memory.pool.MemoryLimitExceededException;
import dev.amalgam.memory.pool.MemoryPool;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The join build: materialization, the table over all chunks, and ownership. */
final class JoinBuildSinkTest {
  private static final DataType[] TYPES = {DataType.INT64, DataType.UTF8, DataType.BOOL};

  private static List<Object[]> rows(int n, int distinct) {
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Object[] {i % 7 == 3 ? null : (long) (i % distinct), "r" + i, i % 2 == 0});
    }
    return out;
  }

  @Test
  void finish_uniqueKeysWithNulls_countsRowsAndHasNoDuplicates() {
    try (Fixture f = new Fixture(2)) {
      Chunk c = JoinTestData.chunk(TYPES, rows(500, 1000), f.input);
      try (ChunksSource s = new ChunksSource(List.of(c), false);
          JoinBuildSink b = JoinTestData.build(f, s, new int[] {0}, TYPES)) {
        assertThat(b.rowCount()).isEqualTo(500);
        assertThat(b.table().rowCount()).isEqualTo(500 - 71);
        assertThat(b.hasDuplicateKeys()).isFalse();
        assertThat(b.keyTypes()).containsExactly(KeyType.INT64);
        assertThat(b.stats().rowsIn()).isEqualTo(500);
      } finally {
        c.close();
      }
    }
  }

  @Test
  void finish_boolAndUtf8Keys_buildsOneTableWithDuplicates() {
    try (Fixture f = new Fixture(2)) {
      List<Chunk> cs =
          JoinTestData.chunks(
              new JoinTestData.Table(TYPES, rows(3000, 10)),
              200,
              new java.util.SplittableRandom(JoinTestData.BASE_SEED),
              f.input);
      try (ChunksSource s = new ChunksSource(cs, true, 1);
          JoinBuildSink b = JoinTestData.build(f, s, new int[] {2, 1}, TYPES)) {
        assertThat(b.keyTypes()).containsExactly(KeyType.INT32, KeyType.UTF8);
        assertThat(b.rowCount())
            .isEqualTo(
                JoinTestData.delivered(new JoinTestData.Table(TYPES, rows(3000, 10)), cs, true)
                    .size());
        assertThat(b.chunks()).hasSize(cs.size());
        assertThat(b.chunks().get(0).column(1).type()).isEqualTo(DataType.UTF8);
        assertThat(b.hasDuplicateKeys()).isFalse();
      } finally {
        cs.forEach(Chunk::close);
      }
    }
  }

  @Test
  void push_batchOfMoreThan65536Rows_splitsIntoChunks() {
    try (Fixture f = new Fixture(1)) {
      Chunk c = JoinTestData.chunk(TYPES, rows(140_000, 5), f.input);
      try (ChunksSource s = new ChunksSource(List.of(c), true);
          JoinBuildSink b = JoinTestData.build(f, s, new int[] {0}, TYPES)) {
        List<Object[]> delivered =
            JoinTestData.delivered(
                new JoinTestData.Table(TYPES, rows(140_000, 5)), List.of(c), true);
        long live = delivered.size();
        assertThat(b.rowCount()).isEqualTo(live);
        assertThat(b.chunks()).extracting(Chunk::rows).containsExactly(65536, (int) (live - 65536));
        assertThat(b.chunks().get(1).column(1).getObject(0)).isEqualTo(delivered.get(65536)[1]);
        assertThat(b.hasDuplicateKeys()).isTrue();
      } finally {
        c.close();
      }
    }
  }

  @Test
  void finish_emptyInput_givesAnEmptyTable() {
    try (Fixture f = new Fixture(2);
        JoinBuildSink b =
            JoinTestData.build(f, new ChunksSource(List.of(), false), new int[] {1}, TYPES)) {
      assertThat(b.rowCount()).isZero();
      assertThat(b.chunks()).isEmpty();
      assertThat(b.hasDuplicateKeys()).isFalse();
    }
  }

  @Test
  void close_afterFinish_releasesEverythingAndIsIdempotent() {
    try (Fixture f = new Fixture(1)) {
      Chunk c = JoinTestData.chunk(TYPES, rows(100, 3), f.input);
      try (ChunksSource s = new ChunksSource(List.of(c), false)) {
        JoinBuildSink b = JoinTestData.build(f, s, new int[] {0}, TYPES);
        assertThat(f.query.stateConsumer().reserved()).isPositive();
        b.close();
        b.close();
        assertThat(f.query.stateConsumer().reserved()).isZero();
        assertThatThrownBy(b::table).isInstanceOf(IllegalStateException.class);
      } finally {
        c.close();
      }
    }
  }

  @Test
  void finish_tableOverTheMemoryLimit_throwsAndCloseReleasesTheChunks() {
    MemoryPool pool = MemoryPool.create("join-limit", 1L << 20);
    try (Fixture f = new Fixture(1, 1, pool)) {
      Chunk c = JoinTestData.chunk(TYPES, rows(20_000, 20_000), f.input);
      try (ChunksSource s = new ChunksSource(List.of(c), false);
          JoinBuildSink b = new JoinBuildSink(new int[] {0, 1}, TYPES)) {
        assertThatThrownBy(() -> f.scheduler.run(new Pipeline(0, s, List.of(), b), f.query))
            .isInstanceOfAny(TableFullException.class, MemoryLimitExceededException.class);
        assertThat(b.isFinished()).isFalse();
        b.close();
        assertThat(f.query.stateConsumer().reserved()).isZero();
      } finally {
        c.close();
      }
    }
  }

  @Test
  void constructor_noKeysOrKeyOutOfRange_throws() {
    assertThatThrownBy(() -> new JoinBuildSink(new int[0], TYPES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one key");
    assertThatThrownBy(() -> new JoinBuildSink(new int[] {3}, TYPES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 3");
  }
}
