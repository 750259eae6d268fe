package dev.amalgam.exec.files;

import dev.amalgam.exec.QueryException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Options given to a file in SQL ({@code read_csv('x.csv', header = false, delim = '|')} or {@code
 * COPY ... TO 'x.csv' (HEADER false, DELIMITER '|')}), each with its position, so that a format can
 * reject a bad one with the statement's line and column. Names are lower case. Values are {@link
 * String}, {@link Boolean}, {@link Long}, {@link Double}, {@code List} (from {@code [a, b]}) or
 * {@code Map<String, Object>} (from {@code {'a': 'INT'}}).
 */
public final class FileOptions {
  /** One option as written. */
  public record Option(String name, Object value, int line, int column) {
    /** Checks for nulls. */
    public Option {
      Objects.requireNonNull(name, "name is null");
      Objects.requireNonNull(value, "value is null");
    }
  }

  private final String where;
  private final int line;
  private final int column;
  private final Map<String, Option> options;

  /**
   * Options of one file reference.
   *
   * @param where what the options belong to, for messages (e.g. {@code read_csv('x.csv')})
   * @param line the line of the reference (1-based; 0 when not from SQL)
   * @param column its column
   * @throws QueryException (INVALID) when an option is given twice
   */
  public FileOptions(String where, int line, int column, List<Option> options) {
    this.where = Objects.requireNonNull(where, "where is null");
    this.line = line;
    this.column = column;
    Map<String, Option> m = new LinkedHashMap<>();
    for (Option o : options) {
      String key = o.name().toLowerCase(Locale.ROOT);
      if (m.put(key, o) != null) {
        throw at(o.line(), o.column(), where + ": option '" + key + "' is given twice");
      }
    }
    this.options = Collections.unmodifiableMap(m);
  }

  /** No options. */
  public static FileOptions none(String where) {
    return new FileOptions(where, 0, 0, List.of());
  }

  /** What the options belong to, e.g. {@code read_csv('x.csv')}. */
  public String where() {
    return where;
  }

  /** The options, by lower-case name, in the order given. */
  public Map<String, Option> all() {
    return options;
  }

  /** Whether option {@code name} was given. */
  public boolean has(String name) {
    return options.containsKey(name);
  }

  /**
   * Rejects options not in {@code known}.
   *
   * @throws QueryException at the first unknown option, listing the known ones
   */
  public void allowOnly(Collection<String> known) {
    for (Option o : options.values()) {
      if (!known.contains(o.name().toLowerCase(Locale.ROOT))) {
        throw error(
            o,
            "unknown option '"
                + o.name()
                + "'; options are: "
                + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  /** A string option (a quoted string or a bare word), or null when not given. */
  public @Nullable String string(String name) {
    Option o = options.get(name);
    if (o == null) {
      return null;
    }
    if (o.value() instanceof String s) {
      return s;
    }
    throw error(o, "option '" + name + "' takes a string; got " + describe(o.value()));
  }

  /** A one-character option, or null when not given. */
  public @Nullable Character character(String name) {
    String s = string(name);
    if (s == null) {
      return null;
    }
    String t = s.equals("\\t") ? "\t" : s;
    if (t.length() != 1) {
      throw error(
          Objects.requireNonNull(options.get(name)),
          "option '" + name + "' takes one character; got '" + s + "'");
    }
    return t.charAt(0);
  }

  /** A boolean option ({@code true}/{@code false}, {@code 1}/{@code 0}), or null. */
  public @Nullable Boolean bool(String name) {
    Option o = options.get(name);
    if (o == null) {
      return null;
    }
    Object v = o.value();
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Long l && (l == 0 || l == 1)) {
      return l == 1;
    }
    if (v instanceof String s) {
      String t = s.toLowerCase(Locale.ROOT);
      if (t.equals("true") || t.equals("false")) {
        return t.equals("true");
      }
    }
    throw error(o, "option '" + name + "' takes true or false; got " + describe(v));
  }

  /** An integer option, or null; it must lie in {@code [min, max]}. */
  public @Nullable Long integer(String name, long min, long max) {
    Option o = options.get(name);
    if (o == null) {
      return null;
    }
    if (!(o.value() instanceof Long l)) {
      throw error(o, "option '" + name + "' takes an integer; got " + describe(o.value()));
    }
    if (l < min || l > max) {
      throw error(o, "option '" + name + "' must be in [" + min + ", " + max + "]; got " + l);
    }
    return l;
  }

  /** A list of strings (a single string counts as a list of one), or null. */
  public @Nullable List<String> strings(String name) {
    Option o = options.get(name);
    if (o == null) {
      return null;
    }
    if (o.value() instanceof String s) {
      return List.of(s);
    }
    if (o.value() instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object x : list) {
        if (!(x instanceof String s)) {
          throw error(o, "option '" + name + "' takes strings; got " + describe(x));
        }
        out.add(s);
      }
      return out;
    }
    throw error(o, "option '" + name + "' takes a string or a list of strings");
  }

  /** A map of string to string ({@code {'a': 'INT', 'b': 'VARCHAR'}}), in order, or null. */
  public @Nullable Map<String, String> stringMap(String name) {
    Option o = options.get(name);
    if (o == null) {
      return null;
    }
    if (!(o.value() instanceof Map<?, ?> map)) {
      throw error(
          o, "option '" + name + "' takes a map like {'col': 'TYPE'}; got " + describe(o.value()));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof String v)) {
        throw error(o, "option '" + name + "': the value of '" + e.getKey() + "' is not a string");
      }
      out.put(String.valueOf(e.getKey()), v);
    }
    return out;
  }

  /** An INVALID error at option {@code o}'s position that names what the options belong to. */
  public QueryException error(Option o, String message) {
    return at(o.line(), o.column(), where + ": " + message);
  }

  /** An INVALID error at option {@code name}'s position (or the reference's, if not given). */
  public QueryException error(String name, String message) {
    Option o = options.get(name);
    return o != null ? error(o, message) : at(line, column, where + ": " + message);
  }

  private static String describe(Object v) {
    return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
  }

  private static QueryException at(int line, int column, String message) {
    if (line <= 0) {
      return new QueryException(QueryException.Code.INVALID, message);
    }
    return new QueryException(
        QueryException.Code.INVALID,
        "error at line " + line + ", column " + column + ": " + message,
        line,
        column,
        null);
  }

  @Override
  public String toString() {
    return where + " " + options.values();
  }
}
