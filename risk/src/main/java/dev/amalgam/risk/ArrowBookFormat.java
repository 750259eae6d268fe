package dev.amalgam.risk;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.QueryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Arrow IPC layout of {@link BookFiles}: one file per table of {@link BookTables} ({@code
 * book.arrow}, {@code instruments.arrow}, ...), with the same columns, rows in {@code row_no}
 * order.
 *
 * <p>Both directions go through engine tables and SQL, so the file format itself is the engine's
 * business (found with {@link java.util.ServiceLoader}): reading runs {@code CREATE TABLE t AS
 * SELECT * FROM 'dir/x.arrow'} for each file and then {@link BookTables#read}, which checks the
 * columns and validates the book as for any engine tables; writing loads the book with {@link
 * BookTables#load} and runs {@code COPY (SELECT * FROM t ORDER BY row_no) TO 'dir/x.arrow'}.
 */
final class ArrowBookFormat implements BookSource {
  static final String EXTENSION = ".arrow";

  /** The tables of a book, by suffix; {@code returns} is optional. */
  static final List<String> TABLES =
      List.of("book", "instruments", "market", "curve", "correlation", "returns");

  static final String OPTIONAL = "returns";

  /** Tables of the private engine a read or write uses. */
  private static final String PREFIX = "book_file_";

  /** The file of table {@code suffix}, e.g. {@code market.arrow}. */
  static String file(String suffix) {
    return suffix + EXTENSION;
  }

  @Override
  public Book read(Path dir) throws IOException {
    try (Engine engine = Engine.open("cpu")) {
      return read(engine, dir, PREFIX);
    }
  }

  /**
   * Loads the files of {@code dir} into tables of {@code prefix} in {@code engine}, reads and
   * validates the book from them and drops the tables again.
   */
  static Book read(Engine engine, Path dir, String prefix) {
    List<String> missing = new ArrayList<>();
    for (String t : TABLES) {
      if (!t.equals(OPTIONAL) && !Files.isRegularFile(dir.resolve(file(t)))) {
        missing.add(file(t));
      }
    }
    if (!missing.isEmpty()) {
      throw BookException.of(
          "the book directory "
              + dir
              + " has no "
              + String.join(", ", missing)
              + " (an Arrow book needs "
              + String.join(", ", required())
              + "; "
              + file(OPTIONAL)
              + " is optional)");
    }
    List<String> loaded = new ArrayList<>();
    try {
      for (String t : TABLES) {
        Path f = dir.resolve(file(t));
        if (!Files.isRegularFile(f)) {
          continue;
        }
        try {
          engine.execute("CREATE TABLE " + prefix + t + " AS SELECT * FROM " + literal(f));
        } catch (QueryException e) {
          throw BookException.of("cannot read it as an Arrow IPC file: " + reason(e)).at(file(t));
        }
        loaded.add(prefix + t);
      }
      return BookTables.read(engine, prefix, table -> file(table.substring(prefix.length())));
    } finally {
      for (String t : loaded) {
        engine.dropTable(t);
      }
    }
  }

  /**
   * What went wrong reading a file: the message of the innermost cause (the format's own error,
   * naming the byte offset), or the query's message without the position in the internal SQL.
   */
  private static String reason(QueryException e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    if (t != e && m != null) {
      return m;
    }
    return String.valueOf(e.getMessage()).replaceFirst("^error at line \\d+, column \\d+: ", "");
  }

  private static List<String> required() {
    return TABLES.stream().filter(t -> !t.equals(OPTIONAL)).map(ArrowBookFormat::file).toList();
  }

  /** A SQL string literal naming {@code path}. */
  private static String literal(Path path) {
    return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
  }

  @Override
  public void write(Book book, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (Engine engine = Engine.open("cpu")) {
      BookTables.load(engine, book, PREFIX);
      for (String t : TABLES) {
        Path f = dir.resolve(file(t));
        if (!engine.hasTable(PREFIX + t)) {
          Files.deleteIfExists(f);
          continue;
        }
        engine.execute("COPY (SELECT * FROM " + PREFIX + t + " ORDER BY row_no) TO " + literal(f));
      }
    } catch (QueryException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
