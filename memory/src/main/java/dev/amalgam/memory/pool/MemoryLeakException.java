package dev.amalgam.memory.pool;

import java.util.Objects;

/**
 * Thrown when a memory pool or consumer is closed while it still holds bytes; the message says who
 * leaked how much.
 */
public final class MemoryLeakException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private MemoryLeakException(String report) {
    super(report);
  }

  /** An exception whose message is {@code report}, the account of what leaked. */
  public static MemoryLeakException of(String report) {
    return new MemoryLeakException(Objects.requireNonNull(report, "report is null"));
  }
}
