package dev.amalgam.arrowio.files;

import dev.amalgam.arrowio.arrow.ArrowIpc;
import dev.amalgam.arrowio.arrow.ArrowLoad;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.files.FileOptions;
import dev.amalgam.exec.files.FileSource;
import dev.amalgam.exec.files.TableFileFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

/**
 * Arrow IPC streams ({@code .arrows}): read (copied) by {@link ArrowIpc#readStream} when the
 * statement opens them; written by {@link ArrowIpc#writeStream}.
 */
public final class ArrowStreamFormat implements TableFileFormat {
  /** For {@link java.util.ServiceLoader}. */
  public ArrowStreamFormat() {}

  @Override
  public List<String> names() {
    return List.of("arrows", "arrow_stream");
  }

  @Override
  public List<String> extensions() {
    return List.of(".arrows");
  }

  @Override
  public FileSource open(Engine engine, Path path, String tableName, FileOptions options)
      throws IOException {
    options.allowOnly(Set.of());
    try (InputStream in = Files.newInputStream(path)) {
      ArrowLoad load = ArrowIpc.readStream(engine, in, tableName);
      return new Loaded(load.table(), load.summary());
    }
  }

  @Override
  public boolean canWrite() {
    return true;
  }

  @Override
  public long write(Result result, Path path, FileOptions options) throws IOException {
    options.allowOnly(Set.of("compression", "codec"));
    try (FileChannel out =
        FileChannel.open(
            path,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ArrowIpc.writeStream(result, out, ArrowFileFormat.compression(options));
    }
    return result.rowCount();
  }
}
