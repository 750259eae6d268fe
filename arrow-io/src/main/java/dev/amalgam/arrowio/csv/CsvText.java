package dev.amalgam.arrowio.csv;

import java.nio.charset.StandardCharsets;

/** Field bytes as text for messages and the rejects table. */
final class CsvText {
  private CsvText() {}

  /** UTF-8 (malformed bytes replaced), cut to {@code max} characters with an ellipsis. */
  static String decode(byte[] a, int off, int len, int max) {
    String s = new String(a, off, Math.min(len, max * 4 + 4), StandardCharsets.UTF_8);
    return s.length() > max ? s.substring(0, max) + "..." : s;
  }
}
