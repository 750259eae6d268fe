package dev.amalgam.arrowio.files;

import dev.amalgam.arrowio.arrow.ArrowCompression;
import dev.amalgam.arrowio.arrow.ArrowIpc;
import dev.amalgam.arrowio.arrow.ArrowLoad;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.files.FileOptions;
import dev.amalgam.exec.files.FileSource;
import dev.amalgam.exec.files.TableFileFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Arrow IPC files ({@code .arrow}, {@code .feather} (v2), {@code .ipc}): mapped into the unified
 * memory by {@link ArrowIpc#open} when the statement opens them; written by {@link ArrowIpc#write}
 * with {@code (COMPRESSION zstd | lz4 | none)}.
 */
public final class ArrowFileFormat implements TableFileFormat {
  /** For {@link java.util.ServiceLoader}. */
  public ArrowFileFormat() {}

  @Override
  public List<String> names() {
    return List.of("arrow", "feather", "ipc");
  }

  @Override
  public List<String> extensions() {
    return List.of(".arrow", ".feather", ".ipc");
  }

  @Override
  public FileSource open(Engine engine, Path path, String tableName, FileOptions options) {
    options.allowOnly(Set.of());
    ArrowLoad load = ArrowIpc.open(engine, path, tableName);
    return new Loaded(load.table(), load.summary());
  }

  @Override
  public boolean canWrite() {
    return true;
  }

  @Override
  public long write(Result result, Path path, FileOptions options) {
    options.allowOnly(Set.of("compression", "codec"));
    ArrowIpc.write(result, path, compression(options));
    return result.rowCount();
  }

  static ArrowCompression compression(FileOptions options) {
    String key = options.has("codec") ? "codec" : "compression";
    String c = options.string(key);
    if (c == null) {
      return ArrowCompression.NONE;
    }
    return switch (c.toLowerCase(Locale.ROOT)) {
      case "none", "uncompressed" -> ArrowCompression.NONE;
      case "zstd" -> ArrowCompression.ZSTD;
      case "lz4", "lz4_frame" -> ArrowCompression.LZ4_FRAME;
      default -> throw options.error(key, "compression '" + c + "' is not one of zstd, lz4, none");
    };
  }
}
