package dev.amalgam.arrowio.csv;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Reads the input in large blocks that end at a record boundary, so that blocks can be parsed in
 * parallel. Finding the boundary takes one pass of a small state machine over each block (field
 * start, unquoted, quoted, after a closing quote, comment line): a line end inside quotes is not a
 * boundary. A block ends after an LF; the last block ends at the end of the input. A UTF-8 byte
 * order mark at the start is dropped. Not thread-safe; blocks are independent arrays.
 */
final class CsvChunker {
  /** Bytes per block, unless one record is longer. */
  static final int BLOCK_BYTES = 4 << 20;

  private static final int START = 0;
  private static final int UNQUOTED = 1;
  private static final int QUOTED = 2;
  private static final int AFTER_QUOTE = 3;
  private static final int COMMENT = 4;

  /** A block of whole records: {@code bytes[start..end)}. */
  record Block(int index, byte[] bytes, int start, int end) {}

  private final InputStream in;
  private final byte delim;
  private final int quote;
  private final int escape;
  private final int comment;
  private final int blockBytes;
  private byte[] buf;
  private int len;
  private boolean eof;
  private boolean first = true;
  private int index;
  private long bytesRead;

  CsvChunker(InputStream in, CsvOptions o, int blockBytes) {
    this.in = in;
    this.delim = o.delimiter();
    this.quote = o.quote();
    this.escape = o.escape();
    this.comment = o.comment();
    this.blockBytes = blockBytes;
    this.buf = new byte[blockBytes];
  }

  /** Bytes read from the input so far. */
  long bytesRead() {
    return bytesRead;
  }

  private void fill(int target) throws IOException {
    if (buf.length < target) {
      buf = Arrays.copyOf(buf, target);
    }
    while (len < target && !eof) {
      int n = in.read(buf, len, target - len);
      if (n < 0) {
        eof = true;
      } else {
        len += n;
        bytesRead += n;
      }
    }
  }

  /** The next block, or null at the end of the input. */
  @Nullable Block next() throws IOException {
    int target = blockBytes;
    while (true) {
      fill(target);
      int start = 0;
      if (first
          && len >= 3
          && (buf[0] & 0xFF) == 0xEF
          && (buf[1] & 0xFF) == 0xBB
          && (buf[2] & 0xFF) == 0xBF) {
        start = 3;
      }
      if (len == start && eof) {
        return null;
      }
      int cut = eof ? len : lastRecordEnd(start, len);
      if (cut <= start) {
        // one record is longer than the block: read more
        target = (int) Math.min(Integer.MAX_VALUE - 16, 2L * Math.max(target, len));
        if (target <= len) {
          throw new IOException("a single CSV record is longer than 2 GiB");
        }
        continue;
      }
      first = false;
      byte[] out = buf;
      int rest = len - cut;
      buf = new byte[Math.max(blockBytes, rest)];
      System.arraycopy(out, cut, buf, 0, rest);
      len = rest;
      return new Block(index++, out, start, cut);
    }
  }

  /** The position after the last LF outside quotes in {@code [from, to)}, or {@code from}. */
  private int lastRecordEnd(int from, int to) {
    byte[] b = buf;
    int state = START;
    boolean recordStart = true;
    int cut = from;
    for (int p = from; p < to; p++) {
      byte c = b[p];
      switch (state) {
        case UNQUOTED -> {
          // only a delimiter or a line end matters here: skip to the next one
          while (c != '\n' && c != delim && ++p < to) {
            c = b[p];
          }
          if (p == to) {
            return cut;
          }
          if (c == '\n') {
            cut = p + 1;
            state = START;
            recordStart = true;
          } else {
            state = START;
          }
        }
        case START -> {
          if (c == '\n') {
            cut = p + 1;
            state = START;
            recordStart = true;
            continue;
          }
          if (recordStart && comment >= 0 && c == comment) {
            state = COMMENT;
          } else if (c == delim) {
            state = START;
          } else if (state == START && quote >= 0 && c == quote) {
            state = QUOTED;
          } else {
            state = UNQUOTED;
          }
          recordStart = false;
        }
        case QUOTED -> {
          while (c != quote && c != escape && ++p < to) {
            c = b[p];
          }
          if (p == to) {
            return cut;
          }
          if (c == escape && escape != quote) {
            p++;
          } else {
            state = AFTER_QUOTE;
          }
        }
        case AFTER_QUOTE -> {
          if (c == quote && escape == quote) {
            state = QUOTED;
          } else if (c == '\n') {
            cut = p + 1;
            state = START;
            recordStart = true;
          } else if (c == delim) {
            state = START;
          } else {
            state = UNQUOTED;
          }
        }
        default -> { // COMMENT
          if (c == '\n') {
            cut = p + 1;
            state = START;
            recordStart = true;
          }
        }
      }
    }
    return cut;
  }
}
