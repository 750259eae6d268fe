package dev.amalgam.arrowio.parquet;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Schema;
import java.nio.file.Path;

/**
 * Reads Parquet files into engine tables, keeping the file's row groups as the table's.
 *
 * <pre>{@code
 * ParquetLoad load = Parquet.read(engine, Path.of("lineitem.parquet"), "lineitem",
 *     ParquetOptions.builder()
 *         .columns("l_orderkey", "l_quantity", "l_shipdate")
 *         .filter(ParquetPredicate.ge("l_shipdate", LocalDate.of(1998, 1, 1)))
 *         .build());
 * System.out.println(load.summary()); // rows, row groups read and skipped, MB/s
 * }</pre>
 */
public final class Parquet {
  private Parquet() {}

  /**
   * Reads {@code file} into a new table {@code name}.
   *
   * @throws ParquetFormatException naming the file and byte offset, row group or column when the
   *     file is not valid Parquet, holds a type the engine cannot store, or does not have a column
   *     or row group asked for; no table is then created
   * @throws IllegalArgumentException when the table already exists
   */
  public static ParquetLoad read(Engine engine, Path file, String name, ParquetOptions options) {
    return ParquetReader.read(engine, file, name, options);
  }

  /**
   * The schema {@code file} loads as, read from its footer (nothing else is read).
   *
   * @throws ParquetFormatException as {@link #read(Engine, Path, String, ParquetOptions)}
   */
  public static Schema schema(Path file) {
    return ParquetReader.schema(file);
  }

  /** {@link #read(Engine, Path, String, ParquetOptions)} of every column and row group. */
  public static ParquetLoad read(Engine engine, Path file, String name) {
    return read(engine, file, name, ParquetOptions.defaults());
  }
}
