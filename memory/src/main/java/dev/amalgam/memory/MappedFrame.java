package dev.amalgam.memory;

import dev.amalgam.memory.spi.Frame;
import java.lang.foreign.MemorySegment;

/**
 * The host copy of a page of a mapped region: the backing bytes themselves, not a frame of the host
 * backend. Never freed through a backend; the last page of a region may be shorter than a page.
 */
record MappedFrame(MemorySegment segment) implements Frame {
  @Override
  public long size() {
    return segment.byteSize();
  }
}
