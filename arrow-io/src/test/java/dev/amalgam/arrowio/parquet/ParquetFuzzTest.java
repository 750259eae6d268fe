package dev.amalgam.arrowio.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.arrowio.filetesting.DuckCompare;
import dev.amalgam.exec.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random corruptions of valid Parquet files (flipped bytes, overwritten runs, truncation, footer
 * damage): every read either succeeds or throws {@link ParquetFormatException}; nothing else
 * escapes, nothing hangs, no table or memory stays behind, and the engine still reads a good file.
 */
final class ParquetFuzzTest {
  private static final long SEED = 20260602L;
  private static final int CASES = 300;

  @TempDir Path dir;

  @Test
  void read_randomCorruptions_failCleanlyOrSucceed() throws Exception {
    System.out.println("ParquetFuzzTest seed " + SEED);
    Path[] good = new Path[3];
    String[] codecs = {"zstd", "snappy", "gzip"};
    try (DuckCompare duck = new DuckCompare()) {
      for (int i = 0; i < 3; i++) {
        good[i] = dir.resolve("good-" + codecs[i] + ".parquet");
        duck.exec(
            "COPY (SELECT i AS id, i * 0.5 AS x, (i % 100)::DECIMAL(9,2) AS d,"
                + " CASE WHEN i % 3 = 0 THEN NULL ELSE 'v' || (i % 10) END AS s,"
                + " DATE '2020-01-01' + (i % 50)::INT AS dt FROM range(5000) r(i)) TO '"
                + good[i]
                + "' (FORMAT parquet, COMPRESSION "
                + codecs[i]
                + ", ROW_GROUP_SIZE 2048)");
      }
    }
    Random rnd = new Random(SEED);
    int failed = 0;
    try (Engine engine =
        Engine.builder().topology(dev.amalgam.memory.Topology.preset("cpu")).build()) {
      for (int c = 0; c < CASES; c++) {
        byte[] b = Files.readAllBytes(good[c % 3]);
        byte[] bad = corrupt(b, rnd);
        Path f = dir.resolve("case" + c + ".parquet");
        Files.write(f, bad);
        String name = "t" + c;
        try {
          Parquet.read(engine, f, name, ParquetOptions.builder().threads(2).build());
          engine.dropTable(name);
        } catch (ParquetFormatException e) {
          failed++;
          assertThat(e.getMessage()).as("case %d", c).startsWith(f.toString());
          assertThat(engine.hasTable(name)).isFalse();
        }
        Files.delete(f);
      }
      System.out.println(
          "ParquetFuzzTest: " + failed + " of " + CASES + " corrupted files refused");
      assertThat(failed).isGreaterThan(CASES / 3);
      assertThat(Parquet.read(engine, good[0], "ok").rowsLoaded()).isEqualTo(5000);
    }
  }

  static byte[] corrupt(byte[] b, Random rnd) {
    byte[] out = b.clone();
    switch (rnd.nextInt(6)) {
      case 0 -> { // flip a few random bytes anywhere
        for (int i = rnd.nextInt(1, 8); i > 0; i--) {
          out[rnd.nextInt(out.length)] ^= (byte) rnd.nextInt(1, 256);
        }
      }
      case 1 -> { // overwrite a run in the data
        int at = rnd.nextInt(4, out.length - 8);
        int n = Math.min(rnd.nextInt(1, 200), out.length - 8 - at);
        for (int i = 0; i < n; i++) {
          out[at + i] = (byte) rnd.nextInt(256);
        }
      }
      case 2 -> { // truncate
        out = Arrays.copyOf(out, rnd.nextInt(out.length));
      }
      case 3 -> { // damage the footer (the last 10% of the file)
        int from = out.length - Math.max(16, out.length / 10);
        for (int i = rnd.nextInt(1, 6); i > 0; i--) {
          out[rnd.nextInt(from, out.length - 8)] ^= (byte) rnd.nextInt(1, 256);
        }
      }
      case 4 -> { // wrong footer length
        int len = rnd.nextInt();
        int at = out.length - 8;
        out[at] = (byte) len;
        out[at + 1] = (byte) (len >> 8);
        out[at + 2] = (byte) (len >> 16);
        out[at + 3] = (byte) (len >> 24);
      }
      default -> { // a byte flipped in a page (the first half of the file)
        out[rnd.nextInt(4, out.length / 2)] ^= (byte) (1 << rnd.nextInt(8));
      }
    }
    return out;
  }
}
