package dev.amalgam.arrowio.files;

import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.files.FileScan;
import dev.amalgam.exec.files.FileSource;

/** A file loaded whole when it was opened (its table is already registered). */
final class Loaded implements FileSource {
  private final Table table;
  private final String summary;

  Loaded(Table table, String summary) {
    this.table = table;
    this.summary = summary;
  }

  @Override
  public Schema schema() {
    return table.schema();
  }

  @Override
  public Table load(FileScan scan) {
    return table;
  }

  @Override
  public String summary() {
    return summary;
  }
}
