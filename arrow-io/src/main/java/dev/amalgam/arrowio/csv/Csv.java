package dev.amalgam.arrowio.csv;

import dev.amalgam.exec.Engine;
import java.nio.file.Path;

/**
 * Loads CSV files into engine tables.
 *
 * <pre>{@code
 * CsvLoad load = Csv.read(engine, Path.of("trades.csv"), "trades",
 *     CsvOptions.builder().nullTokens("NULL").onError(CsvOptions.OnError.REJECT).build());
 * System.out.println(load.summary());        // rows loaded, rejected, MB/s
 * engine.sql("SELECT * FROM trades_rejects"); // line, column, text, reason of each bad row
 * }</pre>
 */
public final class Csv {
  private Csv() {}

  /**
   * Reads {@code file} (plain or gzip, detected by its magic bytes) into a new table {@code name}.
   *
   * @throws CsvFormatException naming file, line, column and text when the file does not parse
   *     (with {@link CsvOptions.OnError#FAIL}) or cannot be read; no table is then created
   * @throws IllegalArgumentException when the table (or its rejects table) already exists
   */
  public static CsvLoad read(Engine engine, Path file, String name, CsvOptions options) {
    return CsvReader.read(engine, file, name, options);
  }

  /** {@link #read(Engine, Path, String, CsvOptions)} with {@link CsvOptions#defaults()}. */
  public static CsvLoad read(Engine engine, Path file, String name) {
    return read(engine, file, name, CsvOptions.defaults());
  }
}
