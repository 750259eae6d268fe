package dev.amalgam.exec.files;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a statement needs of a file: the columns it reads (null: all) and filters every row it uses
 * passes (ANDed).
 */
public record FileScan(@Nullable List<String> columns, List<FileFilter> filters) {
  /** Copies the lists. */
  public FileScan {
    columns = columns == null ? null : List.copyOf(columns);
    filters = List.copyOf(Objects.requireNonNull(filters, "filters is null"));
  }

  /** Every column, no filter. */
  public static FileScan all() {
    return new FileScan(null, List.of());
  }
}
