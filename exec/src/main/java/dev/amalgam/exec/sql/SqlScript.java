package dev.amalgam.exec.sql;

import dev.amalgam.exec.QueryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * SQL text cut into statements: split on {@code ;} outside string literals ({@code '...'} with
 * {@code ''} inside), quoted identifiers ({@code "..."}), line comments ({@code -- ...}) and block
 * comments ({@code /* ... *}{@code /}). Positions are 1-based lines and columns of the script.
 */
public final class SqlScript {
  private SqlScript() {}

  /**
   * One statement of a script, without its terminating {@code ;}.
   *
   * @param text the statement's text
   * @param offset where it starts in the script (a character index)
   * @param line the line it starts on (1-based)
   * @param column the column it starts at (1-based)
   */
  public record Statement(String text, int offset, int line, int column) {
    /**
     * The text preceded by blank lines and spaces, so that a line and column in it (an error's
     * position) is the line and column in the script.
     */
    public String positioned() {
      return "\n".repeat(line - 1) + " ".repeat(column - 1) + text;
    }
  }

  /** A lexical token: a word, a quoted identifier, a string, a number, or a symbol. */
  record Token(Kind kind, String text, int offset, int end, int line, int column) {
    /** Kinds of tokens. */
    enum Kind {
      WORD,
      QUOTED,
      STRING,
      SYMBOL
    }

    /** Whether this is the word {@code w} (case-insensitive). */
    boolean is(String w) {
      return kind == Kind.WORD && text.equalsIgnoreCase(w);
    }

    /** The identifier: a word folded to lower case, a quoted identifier as written. */
    String identifier() {
      return kind == Kind.WORD ? text.toLowerCase(Locale.ROOT) : text;
    }
  }

  /**
   * The statements of {@code script}, in order; text between semicolons holding only whitespace and
   * comments is skipped.
   *
   * @throws QueryException (INVALID) at the line and column where an unterminated string, quoted
   *     identifier or comment starts
   */
  public static List<Statement> split(String script) {
    List<Statement> out = new ArrayList<>();
    Lexer lx = new Lexer(script);
    int start = -1;
    int startLine = 0;
    int startColumn = 0;
    for (Token t = lx.next(); t != null; t = lx.next()) {
      if (t.kind() == Token.Kind.SYMBOL && t.text().equals(";")) {
        if (start >= 0) {
          out.add(
              new Statement(
                  script.substring(start, t.offset()).strip(), start, startLine, startColumn));
          start = -1;
        }
        continue;
      }
      if (start < 0) {
        start = t.offset();
        startLine = t.line();
        startColumn = t.column();
      }
    }
    if (start >= 0) {
      out.add(new Statement(script.substring(start).strip(), start, startLine, startColumn));
    }
    return out;
  }

  /**
   * Whether {@code text} is a complete statement for an interactive shell: it has something other
   * than whitespace and comments, and its last token is {@code ;} (outside strings and comments).
   * Text with an unterminated string or comment is not complete.
   */
  public static boolean isComplete(String text) {
    Lexer lx = new Lexer(text);
    @Nullable Token last = null;
    try {
      for (Token t = lx.next(); t != null; t = lx.next()) {
        last = t;
      }
    } catch (QueryException e) {
      return false;
    }
    return last != null && last.kind() == Token.Kind.SYMBOL && last.text().equals(";");
  }

  /** The first word of {@code sql} in upper case ({@code SELECT}, {@code CREATE}, ...), or "". */
  public static String firstWord(String sql) {
    try {
      List<Token> t = tokens(sql, 1);
      return t.isEmpty() || t.get(0).kind() != Token.Kind.WORD
          ? ""
          : t.get(0).text().toUpperCase(Locale.ROOT);
    } catch (QueryException e) {
      return "";
    }
  }

  /** The text without trailing whitespace, comments and semicolons (an empty string if none). */
  static String trimTerminators(String text) {
    Lexer lx = new Lexer(text);
    int end = 0;
    for (Token t = lx.next(); t != null; t = lx.next()) {
      if (!(t.kind() == Token.Kind.SYMBOL && t.text().equals(";"))) {
        end = t.end();
      }
    }
    return text.substring(0, end);
  }

  /** The first {@code max} tokens of {@code text}. */
  static List<Token> tokens(String text, int max) {
    Lexer lx = new Lexer(text);
    List<Token> out = new ArrayList<>();
    for (Token t = lx.next(); t != null && out.size() < max; t = lx.next()) {
      out.add(t);
    }
    return out;
  }

  private static final class Lexer {
    private final String s;
    private int i;
    private int line = 1;
    private int column = 1;

    Lexer(String s) {
      this.s = s;
    }

    private char peek(int ahead) {
      return i + ahead < s.length() ? s.charAt(i + ahead) : '\0';
    }

    private void advance() {
      char c = s.charAt(i++);
      if (c == '\n' || (c == '\r' && peek(0) != '\n')) {
        line++;
        column = 1;
      } else if (c != '\r') {
        column++;
      }
    }

    private QueryException unterminated(String what, int l, int c) {
      return new QueryException(
          QueryException.Code.INVALID,
          "syntax error at line " + l + ", column " + c + ": unterminated " + what,
          l,
          c,
          null);
    }

    /** The next token, or null at the end. */
    @Nullable Token next() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (Character.isWhitespace(c)) {
          advance();
        } else if (c == '-' && peek(1) == '-') {
          while (i < s.length() && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
            advance();
          }
        } else if (c == '/' && peek(1) == '*') {
          int l = line;
          int col = column;
          advance();
          advance();
          while (!(peek(0) == '*' && peek(1) == '/')) {
            if (i >= s.length()) {
              throw unterminated("comment", l, col);
            }
            advance();
          }
          advance();
          advance();
        } else {
          break;
        }
      }
      if (i >= s.length()) {
        return null;
      }
      int start = i;
      int l = line;
      int col = column;
      char c = s.charAt(i);
      if (c == '\'' || c == '"') {
        advance();
        StringBuilder text = new StringBuilder();
        while (true) {
          if (i >= s.length()) {
            throw unterminated(c == '\'' ? "string" : "quoted identifier", l, col);
          }
          char d = s.charAt(i);
          if (d == c) {
            if (peek(1) == c) {
              text.append(c);
              advance();
              advance();
              continue;
            }
            advance();
            break;
          }
          text.append(d);
          advance();
        }
        return new Token(
            c == '\'' ? Token.Kind.STRING : Token.Kind.QUOTED, text.toString(), start, i, l, col);
      }
      if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
        while (i < s.length()
            && (Character.isLetterOrDigit(s.charAt(i))
                || s.charAt(i) == '_'
                || s.charAt(i) == '$')) {
          advance();
        }
        return new Token(Token.Kind.WORD, s.substring(start, i), start, i, l, col);
      }
      advance();
      return new Token(Token.Kind.SYMBOL, String.valueOf(c), start, i, l, col);
    }
  }
}
