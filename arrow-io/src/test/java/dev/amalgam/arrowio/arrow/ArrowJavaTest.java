package dev.amalgam.arrowio.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ArrowJavaTest {
  @TempDir Path dir;

  @Test
  void toArrowReader_thenFromArrowReader_everyTypeRoundTrips() throws IOException {
    try (Engine engine = TestData.engine("fused-pair");
        BufferAllocator allocator = new RootAllocator()) {
      TestData.allTypes(engine, "t", 3 * TestData.MORSEL + 77, 4);
      try (ArrowReader reader = ArrowJava.toArrowReader(engine.catalogTable("t"), allocator)) {
        ArrowLoad load = ArrowJava.fromArrowReader(engine, reader, "back");
        assertThat(load.batches()).isEqualTo(4);
      }
      assertThat(TestData.rows(engine, "back")).isEqualTo(TestData.rows(engine, "t"));
    }
  }

  @Test
  void toVectorSchemaRoot_ofAResult_holdsItsValues_andComesBack() {
    try (Engine engine = TestData.engine("cpu");
        BufferAllocator allocator = new RootAllocator()) {
      TestData.allTypes(engine, "t", 3000, 5);
      Result r = engine.sql("SELECT id, i32, dec, s, k, ts FROM t ORDER BY id").execute();
      try (VectorSchemaRoot root = ArrowJava.toVectorSchemaRoot(r, allocator)) {
        assertThat(root.getRowCount()).isEqualTo(3000);
        assertThat(root.getVector("id").getObject(17)).isEqualTo(17L);
        Object dec = r.get(5, "dec");
        assertThat(root.getVector("dec").getObject(5)).isEqualTo(dec);
        ArrowJava.fromVectorSchemaRoot(engine, root, null, "back");
      }
      assertThat(TestData.rows(engine, "back")).isEqualTo(r.toList());
    }
  }

  @Test
  void open_filesArrowJavaWroteCompressed_readEqual() throws IOException {
    for (CompressionUtil.CodecType codec :
        new CompressionUtil.CodecType[] {
          CompressionUtil.CodecType.ZSTD, CompressionUtil.CodecType.LZ4_FRAME
        }) {
      try (Engine engine = TestData.engine("cpu");
          BufferAllocator allocator = new RootAllocator()) {
        TestData.allTypes(engine, "t", 2 * TestData.MORSEL + 5, 6);
        Path f = dir.resolve("java-" + codec + ".arrow");
        try (ArrowReader reader = ArrowJava.toArrowReader(engine.catalogTable("t"), allocator);
            FileChannel ch =
                FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            ArrowFileWriter w =
                new ArrowFileWriter(
                    reader.getVectorSchemaRoot(),
                    reader,
                    ch,
                    Map.of(),
                    IpcOption.DEFAULT,
                    CommonsCompressionFactory.INSTANCE,
                    codec)) {
          w.start();
          while (reader.loadNextBatch()) {
            w.writeBatch();
          }
          w.end();
        }
        ArrowLoad load = ArrowIpc.open(engine, f, "m");
        assertThat(load.notes()).anyMatch(n -> n.contains("compressed"));
        assertThat(TestData.rows(engine, "m")).isEqualTo(TestData.rows(engine, "t"));
      }
    }
  }

  @Test
  void arrowJavaReads_filesWrittenHere_compressedOrNot() throws IOException {
    for (ArrowCompression c : ArrowCompression.values()) {
      try (Engine engine = TestData.engine("cpu");
          BufferAllocator allocator = new RootAllocator()) {
        TestData.allTypes(engine, "t", TestData.MORSEL + 300, 7);
        Path f = dir.resolve("ours-" + c + ".arrow");
        ArrowIpc.write(engine.catalogTable("t"), f, c);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
            ArrowFileReader reader =
                new ArrowFileReader(ch, allocator, CommonsCompressionFactory.INSTANCE)) {
          ArrowJava.fromArrowReader(engine, reader, "back");
        }
        assertThat(TestData.rows(engine, "back")).isEqualTo(TestData.rows(engine, "t"));
      }
    }
  }
}
