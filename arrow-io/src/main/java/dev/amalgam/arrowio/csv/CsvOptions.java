package dev.amalgam.arrowio.csv;

import dev.amalgam.exec.Schema;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to read a CSV file: dialect (delimiter, quote, escape, comments, header), null tokens, date
 * formats, the schema or how to infer one, and what to do with rows that do not parse. Immutable;
 * start from {@link #defaults()} or {@link #builder()}.
 *
 * <p>Defaults: comma-delimited, {@code "} quotes doubled inside quoted fields, a header line, no
 * comment character, blank lines skipped, no null tokens (an empty unquoted field is null in
 * non-string columns and the empty string in string columns), ISO dates and timestamps, types
 * inferred from the first 10,000 rows, fail on the first bad row.
 */
public final class CsvOptions {
  /** What a load does with a row that does not parse. */
  public enum OnError {
    /** Fail the load with a {@link CsvFormatException} naming file, line, column and text. */
    FAIL,
    /**
     * Leave the row out of the table and record it in the engine table {@code <name>_rejects}
     * (line, column, text, reason).
     */
    REJECT
  }

  private final byte delimiter;
  private final int quote;
  private final int escape;
  private final int comment;
  private final boolean header;
  private final boolean skipBlankLines;
  private final List<String> nullTokens;
  private final boolean emptyStringIsNull;
  private final @Nullable String datePattern;
  private final @Nullable String timestampPattern;
  private final @Nullable Schema schema;
  private final int sampleRows;
  private final OnError onError;
  private final int threads;
  private final int rowGroupRows;

  private CsvOptions(Builder b) {
    this.delimiter = b.delimiter;
    this.quote = b.quote;
    this.escape = b.escape;
    this.comment = b.comment;
    this.header = b.header;
    this.skipBlankLines = b.skipBlankLines;
    this.nullTokens = List.copyOf(b.nullTokens);
    this.emptyStringIsNull = b.emptyStringIsNull;
    this.datePattern = b.datePattern;
    this.timestampPattern = b.timestampPattern;
    this.schema = b.schema;
    this.sampleRows = b.sampleRows;
    this.onError = b.onError;
    this.threads = b.threads;
    this.rowGroupRows = b.rowGroupRows;
  }

  /** The defaults. */
  public static CsvOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.delimiter = delimiter;
    b.quote = quote;
    b.escape = escape;
    b.comment = comment;
    b.header = header;
    b.skipBlankLines = skipBlankLines;
    b.nullTokens = nullTokens;
    b.emptyStringIsNull = emptyStringIsNull;
    b.datePattern = datePattern;
    b.timestampPattern = timestampPattern;
    b.schema = schema;
    b.sampleRows = sampleRows;
    b.onError = onError;
    b.threads = threads;
    b.rowGroupRows = rowGroupRows;
    return b;
  }

  /** The field delimiter byte. */
  public byte delimiter() {
    return delimiter;
  }

  /** The quote byte, or -1 for none. */
  public int quote() {
    return quote;
  }

  /** The escape byte inside quoted fields (the quote itself means doubled quotes), or -1. */
  public int escape() {
    return escape;
  }

  /** The comment byte that starts a line to skip, or -1 for none. */
  public int comment() {
    return comment;
  }

  /** Whether the first record is a header of column names. */
  public boolean header() {
    return header;
  }

  /** Whether empty lines are skipped (otherwise they are rows). */
  public boolean skipBlankLines() {
    return skipBlankLines;
  }

  /** Unquoted field texts that mean SQL NULL in every column. */
  public List<String> nullTokens() {
    return nullTokens;
  }

  /** Whether an empty unquoted field is null in string columns too. */
  public boolean emptyStringIsNull() {
    return emptyStringIsNull;
  }

  /** The {@link DateTimeFormatter} pattern of dates, or null for ISO {@code yyyy-MM-dd}. */
  public @Nullable String datePattern() {
    return datePattern;
  }

  /** The pattern of timestamps, or null for ISO ({@code yyyy-MM-dd[ T]HH:mm:ss[.f][offset]}). */
  public @Nullable String timestampPattern() {
    return timestampPattern;
  }

  /** The schema, or null to infer one. */
  public @Nullable Schema schema() {
    return schema;
  }

  /** Rows sampled to infer types. */
  public int sampleRows() {
    return sampleRows;
  }

  /** What to do with rows that do not parse. */
  public OnError onError() {
    return onError;
  }

  /** Parser threads (0: one per available core). */
  public int threads() {
    return threads;
  }

  /** Rows per engine row group (0: the engine's default). */
  public int rowGroupRows() {
    return rowGroupRows;
  }

  /** Builds {@link CsvOptions}. */
  public static final class Builder {
    private byte delimiter = ',';
    private int quote = '"';
    private int escape = '"';
    private int comment = -1;
    private boolean header = true;
    private boolean skipBlankLines = true;
    private List<String> nullTokens = List.of();
    private boolean emptyStringIsNull;
    private @Nullable String datePattern;
    private @Nullable String timestampPattern;
    private @Nullable Schema schema;
    private int sampleRows = 10_000;
    private OnError onError = OnError.FAIL;
    private int threads;
    private int rowGroupRows;

    private Builder() {}

    private static int ascii(char c, String what) {
      if (c == '\n' || c == '\r' || c > 127) {
        throw new IllegalArgumentException(
            what + " must be an ASCII character other than CR and LF; was U+" + (int) c);
      }
      return c;
    }

    /** The field delimiter (default {@code ,}); an ASCII character. */
    public Builder delimiter(char c) {
      this.delimiter = (byte) ascii(c, "delimiter");
      return this;
    }

    /** The quote character (default {@code "}). */
    public Builder quote(char c) {
      this.quote = ascii(c, "quote");
      return this;
    }

    /** No quoting: quote characters are data. */
    public Builder noQuote() {
      this.quote = -1;
      this.escape = -1;
      return this;
    }

    /**
     * The escape character inside quoted fields (default: the quote, i.e. {@code ""} is one quote);
     * e.g. {@code \\}.
     */
    public Builder escape(char c) {
      this.escape = ascii(c, "escape");
      return this;
    }

    /** Lines starting with {@code c} are skipped (default: none). */
    public Builder comment(char c) {
      this.comment = ascii(c, "comment");
      return this;
    }

    /** Whether the first record holds column names (default true). */
    public Builder header(boolean present) {
      this.header = present;
      return this;
    }

    /** Whether empty lines are skipped (default true). */
    public Builder skipBlankLines(boolean skip) {
      this.skipBlankLines = skip;
      return this;
    }

    /** Unquoted texts that mean NULL, e.g. {@code "NULL", "\\N", "NA"} (default none). */
    public Builder nullTokens(String... tokens) {
      for (String t : tokens) {
        Objects.requireNonNull(t, "null token is null");
      }
      this.nullTokens = List.of(tokens);
      return this;
    }

    /** Whether an empty unquoted field is null in string columns too (default false). */
    public Builder emptyStringIsNull(boolean b) {
      this.emptyStringIsNull = b;
      return this;
    }

    /** Dates in this {@link DateTimeFormatter} pattern, e.g. {@code dd/MM/yyyy}. */
    public Builder datePattern(String pattern) {
      var unused = DateTimeFormatter.ofPattern(pattern); // fails early on a bad pattern
      this.datePattern = pattern;
      return this;
    }

    /** Timestamps in this pattern, e.g. {@code dd/MM/yyyy HH:mm:ss}. */
    public Builder timestampPattern(String pattern) {
      var unused = DateTimeFormatter.ofPattern(pattern);
      this.timestampPattern = pattern;
      return this;
    }

    /** The column types (and names, when there is no header); no inference. */
    public Builder schema(Schema s) {
      this.schema = Objects.requireNonNull(s, "schema is null");
      return this;
    }

    /** Rows sampled to infer types (default 10,000). */
    public Builder sampleRows(int rows) {
      if (rows <= 0) {
        throw new IllegalArgumentException("sampleRows must be positive; was " + rows);
      }
      this.sampleRows = rows;
      return this;
    }

    /** What to do with rows that do not parse (default {@link OnError#FAIL}). */
    public Builder onError(OnError mode) {
      this.onError = Objects.requireNonNull(mode, "mode is null");
      return this;
    }

    /** Parser threads (default: one per available core). */
    public Builder threads(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("threads must be positive; was " + n);
      }
      this.threads = n;
      return this;
    }

    /** Rows per engine row group (default: the engine's). */
    public Builder rowGroupRows(int rows) {
      if (rows <= 0) {
        throw new IllegalArgumentException("rowGroupRows must be positive; was " + rows);
      }
      this.rowGroupRows = rows;
      return this;
    }

    /** The options. */
    public CsvOptions build() {
      if (quote >= 0 && quote == delimiter) {
        throw new IllegalArgumentException("quote and delimiter are both '" + (char) quote + "'");
      }
      if (comment >= 0 && (comment == delimiter || comment == quote)) {
        throw new IllegalArgumentException(
            "comment '" + (char) comment + "' is also the delimiter or quote");
      }
      return new CsvOptions(this);
    }
  }
}
