package dev.amalgam.exec.sql;

import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Query;
import dev.amalgam.exec.QueryException;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.files.FileFormats;
import dev.amalgam.exec.files.FileOptions;
import dev.amalgam.exec.files.TableFileFormat;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** {@code COPY (query) TO 'path' [(options)]} and {@code COPY table TO 'path' [(options)]}. */
final class Copy {
  /*
   * Recognized by its first word (Calcite's grammar has no COPY). The query between the
   * parentheses is handed to the query path with everything outside it blanked, so that its error
   * positions are those of the statement. The rows are computed first (a Result), then written by
   * the format to a temporary file next to the target, which is renamed over the target only when
   * the write succeeded: a failed COPY leaves no partial file, and COPY may overwrite a file the
   * query itself read.
   */

  private Copy() {}

  static Result execute(Engine engine, FileScope files, Engine.@Nullable Handle handle) {
    String text = files.text();
    List<SqlScript.Token> t = SqlScript.tokens(text, Integer.MAX_VALUE);
    SqlScript.Token copy = t.get(0);
    if (t.size() < 2) {
      throw Statements.syntax(copy, "COPY needs (query) or a table name, then TO 'file'");
    }
    int i = 1;
    SqlScript.Token src = t.get(i);
    Query query;
    if (FileScope.isSymbol(src, "(")) {
      int depth = 0;
      int close = -1;
      for (int k = i; k < t.size(); k++) {
        if (FileScope.isSymbol(t.get(k), "(")) {
          depth++;
        } else if (FileScope.isSymbol(t.get(k), ")") && --depth == 0) {
          close = k;
          break;
        }
      }
      if (close < 0) {
        throw Statements.syntax(src, "missing ')' after the query of COPY");
      }
      if (close == i + 1) {
        throw Statements.syntax(src, "COPY () needs a query inside the parentheses");
      }
      String inner =
          Statements.blank(text, t.get(i + 1).offset()).substring(0, t.get(close).offset());
      query = Statements.query(engine, inner, files);
      i = close + 1;
    } else if (src.kind() == SqlScript.Token.Kind.WORD
        || src.kind() == SqlScript.Token.Kind.QUOTED) {
      String name = Statements.find(engine, src.identifier());
      if (name == null) {
        throw FileScope.at(src.line(), src.column(), Statements.noTable(engine, src.identifier()));
      }
      query = engine.table(name);
      i++;
    } else {
      throw Statements.syntax(src, "expected (query) or a table name after COPY");
    }
    if (i >= t.size() || !t.get(i).is("to")) {
      SqlScript.Token bad = i < t.size() ? t.get(i) : t.get(i - 1);
      if (bad.is("from")) {
        throw Statements.syntax(
            bad,
            "COPY ... FROM is not supported; load a file with CREATE TABLE t AS SELECT * FROM"
                + " 'file' or INSERT INTO t SELECT * FROM 'file'");
      }
      throw Statements.syntax(bad, "expected TO 'file' in COPY");
    }
    i++;
    if (i >= t.size() || t.get(i).kind() != SqlScript.Token.Kind.STRING) {
      SqlScript.Token bad = i < t.size() ? t.get(i) : t.get(i - 1);
      throw Statements.syntax(bad, "expected the file's path as a string after TO");
    }
    SqlScript.Token pathTok = t.get(i++);
    String pathText = pathTok.text();
    String where = "COPY TO '" + pathText + "'";
    List<FileOptions.Option> opts = new ArrayList<>();
    if (i < t.size() && t.get(i).is("with")) {
      i++;
    }
    if (i < t.size() && FileScope.isSymbol(t.get(i), "(")) {
      SqlScript.Token open = t.get(i++);
      while (true) {
        if (i >= t.size()) {
          throw Statements.syntax(open, "missing ')' after the options of COPY");
        }
        SqlScript.Token name = t.get(i);
        if (FileScope.isSymbol(name, ")")) {
          i++;
          break;
        }
        if (name.kind() != SqlScript.Token.Kind.WORD) {
          throw Statements.syntax(name, "expected an option like FORMAT csv or HEADER true");
        }
        i++;
        Object value = Boolean.TRUE; // HEADER alone means HEADER true
        if (i < t.size() && FileScope.isSymbol(t.get(i), "=")) {
          i++;
        }
        if (i < t.size()
            && !FileScope.isSymbol(t.get(i), ",")
            && !FileScope.isSymbol(t.get(i), ")")) {
          int[] at = {i};
          value = FileScope.value(t, at, where);
          i = at[0];
        }
        opts.add(
            new FileOptions.Option(
                name.text().toLowerCase(Locale.ROOT), value, name.line(), name.column()));
        if (i < t.size() && FileScope.isSymbol(t.get(i), ",")) {
          i++;
        }
      }
    }
    if (i < t.size()) {
      throw Statements.syntax(t.get(i), "unexpected '" + t.get(i).text() + "' after COPY ... TO");
    }
    FileOptions all = new FileOptions(where, pathTok.line(), pathTok.column(), opts);
    Path path;
    try {
      path = Path.of(pathText);
    } catch (InvalidPathException e) {
      throw FileScope.at(
          pathTok.line(),
          pathTok.column(),
          "'" + pathText + "' is not a valid path: " + e.getMessage());
    }
    TableFileFormat format = format(path, pathText, all, pathTok);
    if (!format.canWrite()) {
      throw FileScope.at(
          pathTok.line(),
          pathTok.column(),
          "cannot write '"
              + pathText
              + "' as "
              + format.names().get(0)
              + ": "
              + format.whyNoWrite());
    }
    List<FileOptions.Option> rest = new ArrayList<>();
    for (FileOptions.Option o : opts) {
      if (!o.name().equals("format")) {
        rest.add(o);
      }
    }
    FileOptions options = new FileOptions(where, pathTok.line(), pathTok.column(), rest);
    Path abs = path.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw FileScope.at(
          pathTok.line(),
          pathTok.column(),
          "cannot write '" + pathText + "': directory " + dir + " does not exist");
    }
    if (Files.isDirectory(abs)) {
      throw FileScope.at(
          pathTok.line(), pathTok.column(), "cannot write '" + pathText + "': it is a directory");
    }
    Result rows = Statements.run(query, handle, false);
    Path tmp =
        dir.resolve(
            "."
                + abs.getFileName()
                + ".tmp-"
                + ProcessHandle.current().pid()
                + "-"
                + System.nanoTime());
    long n;
    try {
      n = format.write(rows, tmp, options);
      try {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (QueryException e) {
      deleteQuietly(tmp);
      throw e.line() > 0
          ? e
          : FileScope.at(pathTok.line(), pathTok.column(), where + ": " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp);
      throw new QueryException(
          QueryException.Code.INVALID,
          "error at line "
              + pathTok.line()
              + ", column "
              + pathTok.column()
              + ": cannot write '"
              + pathText
              + "': "
              + e.getMessage(),
          pathTok.line(),
          pathTok.column(),
          e);
    }
    return Statements.status(
        "copied "
            + n
            + (n == 1 ? " row" : " rows")
            + " to "
            + pathText
            + " ("
            + format.names().get(0)
            + ")",
        n);
  }

  private static TableFileFormat format(
      Path path, String pathText, FileOptions options, SqlScript.Token at) {
    if (FileFormats.all().isEmpty()) {
      throw FileScope.noFormats(at.line(), at.column(), "COPY TO '" + pathText + "'");
    }
    if (options.has("format")) {
      String name = options.string("format");
      TableFileFormat f = name == null ? null : FileFormats.named(name);
      if (f == null) {
        throw options.error(
            "format",
            "unknown format '" + name + "'; formats are " + String.join(", ", FileFormats.names()));
      }
      return f;
    }
    TableFileFormat f = FileFormats.forPath(path);
    if (f == null) {
      throw FileScope.at(
          at.line(),
          at.column(),
          "'"
              + pathText
              + "': unknown file extension; known are "
              + String.join(", ", FileFormats.extensions())
              + ", or give (FORMAT name) with one of "
              + String.join(", ", FileFormats.names()));
    }
    return f;
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // the temporary file is named so that it can be recognized and removed by hand
    }
  }
}
