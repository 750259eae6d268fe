package dev.amalgam.arrowio.arrow;

import org.jspecify.annotations.Nullable;

/**
 * Arrow data that cannot be read: a truncated or corrupted file, wrong magic bytes, metadata that
 * points outside the file, a schema that changes between batches, or a type the engine does not
 * hold. The message names the source (file or stream) and the byte offset where the problem lies.
 * The engine is left as it was: nothing of a failed load stays in its catalog or memory.
 */
public final class ArrowFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final long offset;

  ArrowFormatException(String source, long offset, String message, @Nullable Throwable cause) {
    super(source + (offset >= 0 ? " at byte " + offset : "") + ": " + message, cause);
    this.source = source;
    this.offset = offset;
  }

  static ArrowFormatException at(String source, long offset, String message) {
    return new ArrowFormatException(source, offset, message, null);
  }

  static ArrowFormatException at(String source, long offset, String message, Throwable cause) {
    return new ArrowFormatException(source, offset, message, cause);
  }

  /** The file or stream the data came from. */
  public String source() {
    return source;
  }

  /** The byte offset in the source where the problem was found, or -1 when none applies. */
  public long offset() {
    return offset;
  }
}
