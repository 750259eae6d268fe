package dev.amalgam.arrowio.arrow;

import dev.amalgam.kernels.ArrowLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The dictionaries of an IPC source as batches define them (first, delta and replacement
 * dictionaries), and the one engine dictionary per id they merge into. An engine column has one
 * dictionary of distinct values; Arrow's may repeat values or be replaced mid-stream, so each Arrow
 * index maps to an engine index. When that map is the identity and the dictionary arrived in one
 * piece, in place, its buffers are used as they are.
 */
final class DictionaryState implements BatchDecoder.Dictionaries {
  /** The state of one dictionary id. */
  static final class Entry {
    final List<byte[]> merged = new ArrayList<>();
    final Map<ByteBuffer, Integer> index = new HashMap<>();
    int[] remap = new int[0];
    int arrowSize;
    boolean identity = true;
    @Nullable Decoded inPlace;
    int batches;
  }

  private final String source;
  private final Map<Long, Entry> byId = new HashMap<>();

  DictionaryState(String source) {
    this.source = source;
  }

  /** Applies a dictionary batch. */
  void add(long id, Decoded d, boolean delta, long offset) {
    if (d.nullCount() > 0) {
      throw ArrowFormatException.at(
          source, offset, "dictionary " + id + " holds null values (not supported)");
    }
    Entry e = byId.get(id);
    boolean fresh = e == null;
    if (e == null) {
      e = new Entry();
      byId.put(id, e);
    }
    e.batches++;
    int n = d.rows();
    int start = delta ? e.arrowSize : 0;
    if (!delta) {
      e.identity = true; // a first or replacement dictionary: judged on its own entries
    }
    int[] remap = java.util.Arrays.copyOf(e.remap, start + n);
    MemorySegment offsets = d.values();
    MemorySegment data = java.util.Objects.requireNonNull(d.data());
    int first = offsets.getAtIndex(ArrowLayout.INT32, 0);
    for (int i = 0; i < n; i++) {
      int a = offsets.getAtIndex(ArrowLayout.INT32, i);
      int b = offsets.getAtIndex(ArrowLayout.INT32, i + 1);
      if (b < a || a < first || b > data.byteSize()) {
        throw ArrowFormatException.at(
            source, offset, "dictionary " + id + " offsets decrease at entry " + i);
      }
      byte[] bytes = data.asSlice(a, b - a).toArray(ValueLayout.JAVA_BYTE);
      ByteBuffer key = ByteBuffer.wrap(bytes);
      Integer at = e.index.get(key);
      if (at == null) {
        at = e.merged.size();
        e.index.put(key, at);
        e.merged.add(bytes);
      }
      remap[start + i] = at;
      if (at != start + i) {
        e.identity = false;
      }
    }
    e.remap = remap;
    e.arrowSize = start + n;
    e.inPlace = fresh && d.inPlace() && first == 0 ? d : null;
  }

  /** True when the Arrow dictionary with this id holds exactly these entries now. */
  boolean matches(long id, Decoded d) {
    Entry e = byId.get(id);
    if (e == null || e.arrowSize != d.rows()) {
      return false;
    }
    MemorySegment offsets = d.values();
    MemorySegment data = java.util.Objects.requireNonNull(d.data());
    for (int i = 0; i < d.rows(); i++) {
      int a = offsets.getAtIndex(ArrowLayout.INT32, i);
      int b = offsets.getAtIndex(ArrowLayout.INT32, i + 1);
      byte[] have = e.merged.get(e.remap[i]);
      if (b - a != have.length
          || MemorySegment.mismatch(data, a, b, MemorySegment.ofArray(have), 0, have.length)
              != -1) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int size(long id) {
    Entry e = byId.get(id);
    return e == null ? -1 : e.arrowSize;
  }

  @Override
  public int @Nullable [] remap(long id) {
    Entry e = byId.get(id);
    return e == null || e.identity ? null : e.remap;
  }

  /** The state of an id, or null when no dictionary batch defined it. */
  @Nullable Entry entry(long id) {
    return byId.get(id);
  }
}
