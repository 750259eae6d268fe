package dev.amalgam.exec.store;

import dev.amalgam.memory.Region;

/**
 * The distinct values of a dictionary-encoded utf8 column: {@code size + 1} int32 offsets and the
 * data bytes, as read-mostly regions (replicated to the members that read them). Owns the regions.
 *
 * @param size number of entries
 * @param offsets int32 offsets
 * @param data UTF-8 bytes
 */
public record Dictionary(int size, Region offsets, Region data) implements AutoCloseable {
  @Override
  public void close() {
    offsets.close();
    data.close();
  }
}
