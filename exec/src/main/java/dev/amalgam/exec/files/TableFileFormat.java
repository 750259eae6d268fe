package dev.amalgam.exec.files;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A file format SQL can read ({@code FROM 'x.ext'}, {@code read_<name>('x')}) and perhaps write
 * ({@code COPY ... TO 'x.ext'}). Implementations are found with {@link java.util.ServiceLoader}
 * (see {@link FileFormats}); they must have a public no-argument constructor and be thread-safe
 * (one instance serves every engine and statement).
 */
public interface TableFileFormat {
  /**
   * The format's names, the first being its canonical one: {@code read_<name>(...)} and {@code COPY
   * ... (FORMAT <name>)} select it (lower case, e.g. {@code parquet}).
   */
  List<String> names();

  /** The file name endings this format is chosen for, e.g. {@code .csv}, {@code .csv.gz}. */
  List<String> extensions();

  /** Whether a path names a file of this format (by default: by {@link #extensions()}). */
  default boolean matches(Path path) {
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    for (String ext : extensions()) {
      if (lower.endsWith(ext)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Opens {@code path} for a statement: at least its schema is known when this returns. A format
   * that cannot learn its schema cheaply may load the table here, as {@code tableName}; otherwise
   * {@link FileSource#load} does, with the statement's projection and filters. The statement drops
   * the table {@code tableName} and closes the source when it ends.
   *
   * @param options the options given in SQL ({@link FileOptions#allowOnly} rejects unknown ones)
   * @throws IOException when the file cannot be read
   * @throws RuntimeException the format's own exception for malformed input, naming the file and
   *     where in it; the SQL layer adds the statement's line and column
   */
  FileSource open(Engine engine, Path path, String tableName, FileOptions options)
      throws IOException;

  /** Whether {@link #write} is implemented. */
  default boolean canWrite() {
    return false;
  }

  /** Why {@link #write} is not implemented (shown in the COPY error). */
  default String whyNoWrite() {
    return "this format is read-only";
  }

  /**
   * Writes {@code result} to {@code path} (created or replaced; the caller writes to a temporary
   * name next to the target and renames it, so a failed write leaves no partial file).
   *
   * @return rows written
   * @throws UnsupportedOperationException when {@link #canWrite()} is false
   */
  default long write(Result result, Path path, FileOptions options) throws IOException {
    throw new UnsupportedOperationException(whyNoWrite());
  }
}
