package dev.amalgam.risk;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads and writes a book in one on-disk format: {@link CsvBookFormat} or {@link ArrowBookFormat}.
 * {@link BookFiles} picks the implementation by the files a directory holds.
 */
interface BookSource {
  /** Reads and validates the book in {@code dir}. */
  Book read(Path dir) throws IOException;

  /** Writes {@code book} into {@code dir} (created if needed). */
  void write(Book book, Path dir) throws IOException;
}
