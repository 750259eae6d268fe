package dev.amalgam.arrowio.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.TableBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ArrowErrorsTest {
  @TempDir Path dir;

  private static final int ROWS = 1234;

  /** A small valid file: one int64 column of ROWS rows (values buffer of 8 * ROWS bytes). */
  private byte[] smallFile(Engine engine) throws IOException {
    try (TableBuilder b =
        engine.createTable(
            "src", Schema.of(Field.of("x", DataType.INT64), Field.of("s", DataType.UTF8)))) {
      for (int i = 0; i < ROWS; i++) {
        b.addRow((long) i * 3, i % 5 == 0 ? null : "v" + i);
      }
      b.build();
    }
    Path f = dir.resolve("small.arrow");
    ArrowIpc.write(engine.catalogTable("src"), f);
    return Files.readAllBytes(f);
  }

  private Path file(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  /** Checks that a failed load left nothing behind and the engine still answers queries. */
  private static void assertUsable(Engine engine, int regionsBefore) {
    assertThat(engine.hasTable("bad")).isFalse();
    assertThat(engine.memory().regions()).hasSize(regionsBefore);
    assertThat(engine.sql("SELECT count(*) FROM src").execute().get(0, 0)).isEqualTo((long) ROWS);
  }

  private static int indexOfLong(byte[] bytes, long value, int from) {
    byte[] pat = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    outer:
    for (int i = from; i <= bytes.length - 8; i++) {
      for (int j = 0; j < 8; j++) {
        if (bytes[i + j] != pat[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void open_truncatedFile_saysTruncatedAndWhere() throws IOException {
    try (Engine engine = TestData.engine("cpu")) {
      byte[] ok = smallFile(engine);
      int regions = engine.memory().regions().size();
      for (int len : new int[] {0, 5, 17, ok.length / 2, ok.length - 1}) {
        Path p = file("t" + len + ".arrow", Arrays.copyOf(ok, len));
        assertThatThrownBy(() -> ArrowIpc.open(engine, p, "bad"))
            .isInstanceOfSatisfying(
                ArrowFormatException.class,
                e -> {
                  assertThat(e.source()).isEqualTo(p.toString());
                  assertThat(e.getMessage()).containsAnyOf("truncated", "magic");
                });
        assertUsable(engine, regions);
      }
    }
  }

  @Test
  void open_wrongMagic_isRejectedAtByteZero() throws IOException {
    try (Engine engine = TestData.engine("cpu")) {
      byte[] b = smallFile(engine);
      b[0] = 'P';
      b[1] = 'A';
      Path p = file("magic.arrow", b);
      assertThatThrownBy(() -> ArrowIpc.open(engine, p, "bad"))
          .isInstanceOfSatisfying(ArrowFormatException.class, e -> assertThat(e.offset()).isZero())
          .hasMessageContaining("ARROW1");
      assertUsable(engine, 0 + engine.memory().regions().size());
    }
  }

  @Test
  void open_bufferOutsideTheBody_orNegativeLength_namesColumnAndOffset() throws IOException {
    try (Engine engine = TestData.engine("cpu")) {
      byte[] ok = smallFile(engine);
      int regions = engine.memory().regions().size();
      int at = indexOfLong(ok, 8L * ROWS, 8);
      assertThat(at).isPositive();
      for (long bad : new long[] {1L << 40, -8}) {
        byte[] b = ok.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, bad);
        Path p = file("buf" + bad + ".arrow", b);
        assertThatThrownBy(() -> ArrowIpc.open(engine, p, "bad"))
            .isInstanceOfSatisfying(
                ArrowFormatException.class, e -> assertThat(e.offset()).isPositive())
            .hasMessageContaining("column 'x'")
            .hasMessageContaining("outside the body");
        assertUsable(engine, regions);
      }
    }
  }

  @Test
  void open_corruptedFooterLength_isRejected() throws IOException {
    try (Engine engine = TestData.engine("cpu")) {
      byte[] b = smallFile(engine);
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length - 10, 1 << 30);
      Path p = file("footer.arrow", b);
      assertThatThrownBy(() -> ArrowIpc.open(engine, p, "bad"))
          .isInstanceOf(ArrowFormatException.class)
          .hasMessageContaining("footer length");
    }
  }

  @Test
  void readStream_batchesOfAnotherSchema_isASchemaMismatch() {
    try (Engine engine = TestData.engine("cpu")) {
      TestData.allTypes(engine, "a", 100, 1);
      try (TableBuilder b = engine.createTable("src", Schema.of(Field.of("x", DataType.INT64)))) {
        for (int i = 0; i < ROWS; i++) {
          b.addRow((long) i);
        }
        b.build();
      }
      ByteArrayOutputStream a = new ByteArrayOutputStream();
      ArrowIpc.writeStream(engine.catalogTable("a"), a);
      ByteArrayOutputStream x = new ByteArrayOutputStream();
      ArrowIpc.writeStream(engine.catalogTable("src"), x);
      byte[] sa = a.toByteArray();
      byte[] sx = x.toByteArray();
      int la = 8 + ByteBuffer.wrap(sa).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
      int lx = 8 + ByteBuffer.wrap(sx).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
      ByteArrayOutputStream spliced = new ByteArrayOutputStream();
      spliced.write(sa, 0, la);
      spliced.write(sx, lx, sx.length - lx);
      int regions = engine.memory().regions().size();
      assertThatThrownBy(
              () ->
                  ArrowIpc.readStream(
                      engine, new ByteArrayInputStream(spliced.toByteArray()), "bad"))
          .isInstanceOf(ArrowFormatException.class)
          .hasMessageContaining("schema mismatch");
      assertUsable(engine, regions);
    }
  }

  @Test
  void open_unsupportedType_namesTheColumnAndType() throws IOException {
    try (Engine engine = TestData.engine("cpu");
        BufferAllocator allocator = new RootAllocator()) {
      smallFile(engine);
      Path p = dir.resolve("time.arrow");
      try (TimeMilliVector v = new TimeMilliVector("t_of_day", allocator)) {
        v.allocateNew(3);
        v.set(0, 1);
        v.set(1, 2);
        v.set(2, 3);
        v.setValueCount(3);
        try (VectorSchemaRoot root = VectorSchemaRoot.of(v);
            FileChannel ch =
                FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            ArrowFileWriter w = new ArrowFileWriter(root, null, ch, Map.of())) {
          w.start();
          w.writeBatch();
          w.end();
        }
      }
      int regions = engine.memory().regions().size();
      assertThatThrownBy(() -> ArrowIpc.open(engine, p, "bad"))
          .isInstanceOf(ArrowFormatException.class)
          .hasMessageContaining("column 't_of_day'")
          .hasMessageContaining("unsupported type Time");
      assertUsable(engine, regions);
    }
  }

  @Test
  void open_nameTaken_isAnIllegalArgument() throws IOException {
    try (Engine engine = TestData.engine("cpu")) {
      smallFile(engine);
      Path p = dir.resolve("small.arrow");
      assertThatThrownBy(() -> ArrowIpc.open(engine, p, "src"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already exists");
    }
  }

  /** Loads corrupted bytes; a load that succeeds is queried and dropped. */
  private static void tryLoad(Engine engine, Path p, boolean stream) throws IOException {
    try {
      ArrowLoad load =
          stream
              ? ArrowIpc.readStream(engine, new ByteArrayInputStream(Files.readAllBytes(p)), "bad")
              : ArrowIpc.open(engine, p, "bad");
      try {
        engine.sql("SELECT count(*), count(s), sum(x), max(s) FROM bad").execute();
      } catch (QueryException e) {
        // corrupted values (e.g. utf8 offsets) found by the query: an error, not a crash
      } finally {
        engine.dropTable(load.table().name());
      }
    } catch (ArrowFormatException e) {
      // expected for most corruptions
    } catch (IllegalArgumentException e) {
      if (!String.valueOf(e.getMessage()).contains("already exists")) {
        throw e;
      }
    }
  }

  @Test
  void fuzz_randomCorruptionsAndTruncations_onlyRaiseArrowFormatException() throws IOException {
    long seed = Long.getLong("fuzz.seed", 20260601L);
    System.out.println("ArrowErrorsTest fuzz seed " + seed + " (-Dfuzz.seed=...)");
    Random r = new Random(seed);
    try (Engine engine = TestData.engine("cpu")) {
      byte[] plain = smallFile(engine);
      Path zf = dir.resolve("z.arrow");
      ArrowIpc.write(engine.catalogTable("src"), zf, ArrowCompression.ZSTD);
      byte[] zstd = Files.readAllBytes(zf);
      ByteArrayOutputStream so = new ByteArrayOutputStream();
      ArrowIpc.writeStream(engine.catalogTable("src"), so);
      byte[] stream = so.toByteArray();
      int regions = engine.memory().regions().size();
      for (int k = 0; k < 300; k++) {
        int kind = k % 3;
        byte[] base = kind == 0 ? plain : kind == 1 ? zstd : stream;
        byte[] b = base.clone();
        int op = r.nextInt(4);
        if (op == 0) {
          b = Arrays.copyOf(b, r.nextInt(b.length));
        } else if (op == 1) {
          for (int i = 1 + r.nextInt(8); i > 0; i--) {
            b[r.nextInt(b.length)] = (byte) r.nextInt(256);
          }
        } else {
          // overwrite an aligned int32 with an extreme value (lengths, offsets, counts)
          int at = r.nextInt(b.length / 4) * 4;
          int[] extremes = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 20, r.nextInt()};
          ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, extremes[r.nextInt(6)]);
        }
        Path p = file("fuzz" + k + ".arrow", b);
        boolean isStream = kind == 2;
        int caseNo = k;
        assertTimeoutPreemptively(
            Duration.ofSeconds(20),
            () -> tryLoad(engine, p, isStream),
            () -> "fuzz case " + caseNo + " (seed " + seed + ") hung");
        assertThat(engine.memory().regions()).as("case %d", k).hasSize(regions);
        Files.delete(p);
      }
      assertUsable(engine, regions);
    }
  }
}
