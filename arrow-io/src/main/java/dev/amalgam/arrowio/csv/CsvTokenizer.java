package dev.amalgam.arrowio.csv;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Splits bytes that start at a record boundary into records and fields (RFC 4180 with options): a
 * field is quoted when it starts with the quote; inside quotes the escape (or a doubled quote)
 * stands for the next byte, and delimiters and line ends are data. Records end at LF or CRLF
 * outside quotes. Fields point into the input; a field with escapes is unescaped into a scratch
 * buffer. Lines are counted by LF bytes, inside quotes too, so that they are the physical lines an
 * editor shows.
 *
 * <p>One instance per thread; fields are valid until the next {@link #next()}.
 */
final class CsvTokenizer {
  private final byte delim;
  private final int quote;
  private final int escape;
  private final int comment;
  private final boolean skipBlank;

  private byte[] buf = new byte[0];
  private int pos;
  private int end;
  private int line;

  private int count;
  private int[] offs = new int[16];
  private int[] lens = new int[16];
  private boolean[] quoted = new boolean[16];
  private boolean[] inScratch = new boolean[16];
  private byte[] scratch = new byte[256];
  private int scratchLen;

  private int recordLine;
  private int recordStart;
  private int recordEnd;
  private @Nullable String recordError;

  CsvTokenizer(CsvOptions o) {
    this.delim = o.delimiter();
    this.quote = o.quote();
    this.escape = o.escape();
    this.comment = o.comment();
    this.skipBlank = o.skipBlankLines();
  }

  /** Tokenizes {@code b[start..end)}; lines count from 0 at {@code start}. */
  void reset(byte[] b, int start, int stop) {
    this.buf = b;
    this.pos = start;
    this.end = stop;
    this.line = 0;
  }

  /** Position after the last record read. */
  int position() {
    return pos;
  }

  /** LF bytes consumed so far. */
  int lines() {
    return line;
  }

  private void addField(int off, int len, boolean q, boolean scratchField) {
    if (count == offs.length) {
      int n = count * 2;
      offs = Arrays.copyOf(offs, n);
      lens = Arrays.copyOf(lens, n);
      quoted = Arrays.copyOf(quoted, n);
      inScratch = Arrays.copyOf(inScratch, n);
    }
    offs[count] = off;
    lens[count] = len;
    quoted[count] = q;
    inScratch[count] = scratchField;
    count++;
  }

  private void toScratch(int from, int to) {
    int n = to - from;
    if (scratchLen + n > scratch.length) {
      scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, scratchLen + n));
    }
    System.arraycopy(buf, from, scratch, scratchLen, n);
    scratchLen += n;
  }

  /**
   * Reads the next record; false at the end of the input.
   *
   * @throws UnterminatedQuote when a quoted field runs to the end of the input
   */
  boolean next() {
    count = 0;
    scratchLen = 0;
    recordError = null;
    byte[] b = buf;
    int p = pos;
    // skip comment lines and (optionally) blank lines
    while (p < end) {
      if (comment >= 0 && b[p] == comment) {
        while (p < end && b[p] != '\n') {
          p++;
        }
        if (p < end) {
          p++;
          line++;
        }
        continue;
      }
      if (skipBlank) {
        if (b[p] == '\n') {
          p++;
          line++;
          continue;
        }
        if (b[p] == '\r' && p + 1 < end && b[p + 1] == '\n') {
          p += 2;
          line++;
          continue;
        }
      }
      break;
    }
    if (p >= end) {
      pos = p;
      return false;
    }
    recordLine = line;
    recordStart = p;
    while (true) {
      if (p < end && quote >= 0 && b[p] == quote) {
        p = quotedField(p + 1);
      } else {
        int s = p;
        while (p < end) {
          byte c = b[p];
          if (c == delim || c == '\n') {
            break;
          }
          p++;
        }
        int e = p;
        if (e > s && b[e - 1] == '\r' && (p == end || b[p] == '\n')) {
          e--;
        }
        addField(s, e - s, false, false);
      }
      if (p >= end) {
        break;
      }
      if (b[p] == delim) {
        p++;
        if (p == end) {
          addField(p, 0, false, false); // a trailing delimiter ends with an empty field
          break;
        }
        continue;
      }
      // LF
      p++;
      line++;
      break;
    }
    recordEnd = p;
    pos = p;
    return true;
  }

  /** Parses a quoted field whose content starts at {@code p}; returns the position after it. */
  private int quotedField(int p) {
    byte[] b = buf;
    int s = p;
    int startLine = line;
    boolean copied = false;
    int scratchStart = scratchLen;
    while (true) {
      if (p >= end) {
        throw new UnterminatedQuote(recordStart, recordLine, startLine);
      }
      byte c = b[p];
      if (c == quote) {
        if (escape == quote && p + 1 < end && b[p + 1] == quote) {
          toScratch(s, p + 1);
          copied = true;
          p += 2;
          s = p;
          continue;
        }
        break;
      }
      if (c == escape && escape != quote) {
        if (p + 1 >= end) {
          throw new UnterminatedQuote(recordStart, recordLine, startLine);
        }
        toScratch(s, p);
        toScratch(p + 1, p + 2);
        if (b[p + 1] == '\n') {
          line++;
        }
        copied = true;
        p += 2;
        s = p;
        continue;
      }
      if (c == '\n') {
        line++;
      }
      p++;
    }
    // b[p] is the closing quote
    int contentEnd = p;
    p++;
    // text between the closing quote and the next delimiter is an error; keep it as data
    int after = p;
    while (p < end && b[p] != delim && b[p] != '\n') {
      p++;
    }
    int tail = p;
    if (tail > after && b[tail - 1] == '\r' && (p == end || b[p] == '\n')) {
      tail--;
    }
    if (tail > after) {
      recordError = "unexpected text after a closing quote";
    }
    if (copied || tail > after) {
      toScratch(s, contentEnd);
      toScratch(after, tail);
      addField(scratchStart, scratchLen - scratchStart, true, true);
    } else {
      addField(s, contentEnd - s, true, false);
    }
    return p;
  }

  /** Fields of the current record. */
  int fieldCount() {
    return count;
  }

  /** The bytes field {@code i} lies in. */
  byte[] array(int i) {
    return inScratch[i] ? scratch : buf;
  }

  /** The offset of field {@code i} in {@link #array}. */
  int offset(int i) {
    return offs[i];
  }

  /** The length of field {@code i}. */
  int length(int i) {
    return lens[i];
  }

  /** Whether field {@code i} was quoted. */
  boolean quoted(int i) {
    return quoted[i];
  }

  /** Line (LF count from the start) the current record starts on. */
  int recordLine() {
    return recordLine;
  }

  /** A syntax problem of the current record (text after a closing quote), or null. */
  @Nullable String recordError() {
    return recordError;
  }

  /** The raw text of the current record, without the line end, at most {@code max} chars. */
  String recordText(int max) {
    int e = recordEnd;
    if (e > recordStart && buf[e - 1] == '\n') {
      e--;
    }
    if (e > recordStart && buf[e - 1] == '\r') {
      e--;
    }
    return CsvText.decode(buf, recordStart, e - recordStart, max);
  }

  /** A quoted field that does not end before the input does. */
  static final class UnterminatedQuote extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Offset of the record in the block. */
    final int recordStart;

    /** Line of the record (from the block start). */
    final int recordLine;

    /** Line the quoted field starts on (from the block start). */
    final int fieldLine;

    UnterminatedQuote(int recordStart, int recordLine, int fieldLine) {
      super(null, null, false, false);
      this.recordStart = recordStart;
      this.recordLine = recordLine;
      this.fieldLine = fieldLine;
    }
  }
}
