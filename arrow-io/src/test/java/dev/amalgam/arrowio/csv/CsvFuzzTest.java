package dev.amalgam.arrowio.csv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random corruptions of valid CSV files (inserted quotes, delimiters, line ends, random bytes,
 * truncation, broken gzip): with a schema or inferred, failing or rejecting, every load either
 * succeeds or throws {@link CsvFormatException}; nothing else escapes or hangs, no table stays
 * behind a failure, and in reject mode loaded + rejected rows never exceed the records read.
 */
final class CsvFuzzTest {
  private static final long SEED = 20260601L;
  private static final int CASES = 400;
  private static final byte[] NOISE = "\",\n\r\\'#;x9.-:T ".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private static String valid(Random rnd) {
    StringBuilder sb = new StringBuilder("id,price,day,note,flag\n");
    for (int i = 0; i < 300; i++) {
      sb.append(i)
          .append(',')
          .append(rnd.nextInt(100000) / 100.0)
          .append(',')
          .append("2024-0")
          .append(1 + rnd.nextInt(9))
          .append("-1")
          .append(rnd.nextInt(10))
          .append(',')
          .append(rnd.nextBoolean() ? "\"a, \"\"quoted\"\"\nnote\"" : "plain")
          .append(',')
          .append(rnd.nextBoolean())
          .append('\n');
    }
    return sb.toString();
  }

  @Test
  void read_randomCorruptions_failCleanlyOrSucceed() throws Exception {
    System.out.println("CsvFuzzTest seed " + SEED);
    Random rnd = new Random(SEED);
    Schema schema =
        Schema.of(
            Field.of("id", DataType.INT32),
            Field.of("price", DataType.decimal(10, 2)),
            Field.of("day", DataType.DATE32),
            Field.of("note", DataType.UTF8),
            Field.of("flag", DataType.BOOL));
    int failed = 0;
    try (Engine engine =
        Engine.builder().topology(dev.amalgam.memory.Topology.preset("cpu")).build()) {
      for (int c = 0; c < CASES; c++) {
        byte[] b = corrupt(valid(rnd).getBytes(StandardCharsets.UTF_8), rnd);
        boolean gzip = rnd.nextInt(5) == 0;
        if (gzip) {
          ByteArrayOutputStream z = new ByteArrayOutputStream();
          try (GZIPOutputStream out = new GZIPOutputStream(z)) {
            out.write(b);
          }
          b = z.toByteArray();
          if (rnd.nextBoolean()) {
            b[rnd.nextInt(10, b.length)] ^= (byte) rnd.nextInt(1, 256); // broken stream
          }
        }
        Path f = dir.resolve("case" + c + ".csv");
        Files.write(f, b);
        CsvOptions.Builder o = CsvOptions.builder().threads(2);
        if (rnd.nextBoolean()) {
          o.schema(schema);
        }
        boolean reject = rnd.nextBoolean();
        if (reject) {
          o.onError(CsvOptions.OnError.REJECT);
        }
        String name = "t" + c;
        try {
          CsvLoad load = CsvReader.read(engine, f, name, o.build(), 1 << (6 + rnd.nextInt(10)));
          assertThat(load.rowsLoaded() + load.rowsRejected()).isLessThanOrEqualTo(400);
          engine.dropTable(name);
          if (reject) {
            engine.dropTable(name + "_rejects");
          }
        } catch (CsvFormatException e) {
          failed++;
          assertThat(e.getMessage()).as("case %d", c).startsWith(f.toString());
          assertThat(engine.hasTable(name)).isFalse();
          assertThat(engine.hasTable(name + "_rejects")).isFalse();
        }
        Files.delete(f);
      }
      System.out.println("CsvFuzzTest: " + failed + " of " + CASES + " corrupted files refused");
      assertThat(failed).isGreaterThan(CASES / 10);
      assertThat(engine.tableNames()).isEmpty();
    }
  }

  private static byte[] corrupt(byte[] b, Random rnd) {
    byte[] out = b.clone();
    switch (rnd.nextInt(4)) {
      case 0 -> {
        for (int i = rnd.nextInt(1, 10); i > 0; i--) {
          out[rnd.nextInt(out.length)] = NOISE[rnd.nextInt(NOISE.length)];
        }
      }
      case 1 -> {
        for (int i = rnd.nextInt(1, 10); i > 0; i--) {
          out[rnd.nextInt(out.length)] = (byte) rnd.nextInt(256);
        }
      }
      case 2 -> out = java.util.Arrays.copyOf(out, rnd.nextInt(out.length));
      default -> out[rnd.nextInt(out.length)] = '"';
    }
    return out;
  }
}
