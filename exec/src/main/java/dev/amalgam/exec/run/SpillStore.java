package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.memory.Region;
import dev.amalgam.memory.UnifiedMemory;
import dev.amalgam.memory.pool.MemoryConsumer;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spilled rows, in partitions: each appended chunk's buffers become regions of unified memory (one
 * region per appended chunk) written through host pins, so they live in host memory while it has
 * room and move to the spill file when it has not (the memory layer's tiers). Reading a chunk back
 * copies it into a new chunk. Thread-safe for appends; owns its regions until {@link #close()}.
 */
final class SpillStore implements AutoCloseable {
  /** Where one column's buffers lie in a stored piece's region (-1: absent). */
  private record Column(
      long values, long valueBytes, long validity, long validityBytes, long data, long dataBytes) {}

  /** One appended chunk: all its buffers in one region, one after another. */
  private record Stored(int rows, Region region, List<Column> columns) {}

  private final UnifiedMemory memory;
  private final DataType[] types;
  private final String consumer;
  private final List<List<Stored>> partitions = new ArrayList<>();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong rows = new AtomicLong();

  SpillStore(UnifiedMemory memory, DataType[] types, int partitions, String consumer) {
    this.memory = memory;
    this.types = types.clone();
    this.consumer = consumer;
    for (int i = 0; i < partitions; i++) {
      this.partitions.add(new ArrayList<>());
    }
  }

  /** Adds an empty partition (a sorted run) and returns its index. */
  synchronized int newPartition() {
    partitions.add(new ArrayList<>());
    return partitions.size() - 1;
  }

  synchronized int partitionCount() {
    return partitions.size();
  }

  long bytes() {
    return bytes.get();
  }

  long rows() {
    return rows.get();
  }

  private static long align(long x) {
    return (x + 7) & ~7L;
  }

  /** Stores the rows of a dense chunk in partition {@code p}. */
  void append(int p, Chunk chunk) {
    int n = chunk.rows();
    List<Column> cols = new ArrayList<>();
    long at = 0;
    for (int c = 0; c < types.length; c++) {
      Vec v = chunk.column(c);
      long valueBytes =
          switch (types[c].kind()) {
            case BOOL -> ArrowLayout.bitmapBytes(n);
            case UTF8 -> 4L * (n + 1);
            default -> (types[c].kind().width() == 8 ? 8L : 4L) * n;
          };
      long values = at;
      at = align(at + valueBytes);
      long validity = -1;
      long validityBytes = 0;
      if (v.validity() != null) {
        validity = at;
        validityBytes = ArrowLayout.bitmapBytes(n);
        at = align(at + validityBytes);
      }
      long data = -1;
      long dataBytes = 0;
      if (types[c].kind() == DataType.Kind.UTF8) {
        data = at;
        dataBytes = v.values().getAtIndex(ArrowLayout.INT32, n);
        at = align(at + dataBytes);
      }
      cols.add(new Column(values, valueBytes, validity, validityBytes, data, dataBytes));
    }
    Region region = memory.allocate(Math.max(8, at), consumer);
    try {
      for (int c = 0; c < types.length; c++) {
        Vec v = chunk.column(c);
        Column col = cols.get(c);
        write(region, col.values(), v.values(), col.valueBytes());
        MemorySegment validity = v.validity();
        if (validity != null) {
          write(region, col.validity(), validity, col.validityBytes());
        }
        MemorySegment data = v.data();
        if (data != null && col.data() >= 0) {
          write(region, col.data(), data, col.dataBytes());
        }
      }
    } catch (RuntimeException e) {
      region.close();
      throw e;
    }
    bytes.addAndGet(at);
    synchronized (this) {
      partitions.get(p).add(new Stored(n, region, cols));
    }
    rows.addAndGet(n);
  }

  private static void write(Region r, long offset, MemorySegment src, long length) {
    if (length > 0) {
      r.write(offset, src.asSlice(0, length));
    }
  }

  /** Rows stored in partition {@code p}. */
  synchronized long rows(int p) {
    long n = 0;
    for (Stored st : partitions.get(p)) {
      n += st.rows();
    }
    return n;
  }

  /** Number of chunks in partition {@code p}. */
  synchronized int chunks(int p) {
    return partitions.get(p).size();
  }

  /** Chunk {@code i} of partition {@code p}, read back into a new chunk charged to {@code c}. */
  Chunk read(int p, int i, MemoryConsumer c) {
    Stored s;
    synchronized (this) {
      s = partitions.get(p).get(i);
    }
    boolean[] nullable = new boolean[types.length];
    long[] utf8 = new long[types.length];
    for (int k = 0; k < types.length; k++) {
      nullable[k] = s.columns().get(k).validity() >= 0;
      utf8[k] = s.columns().get(k).dataBytes();
    }
    Chunk out = Chunk.allocate(types, s.rows(), utf8, nullable, c);
    try {
      for (int k = 0; k < types.length; k++) {
        Column col = s.columns().get(k);
        Vec v = out.column(k);
        if (col.valueBytes() > 0) {
          s.region().read(col.values(), v.values().asSlice(0, col.valueBytes()));
        }
        MemorySegment vv = v.validity();
        if (vv != null && col.validityBytes() > 0) {
          s.region().read(col.validity(), vv.asSlice(0, col.validityBytes()));
        }
        MemorySegment vd = v.data();
        if (vd != null && col.dataBytes() > 0) {
          s.region().read(col.data(), vd.asSlice(0, col.dataBytes()));
        }
      }
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /** Frees partition {@code p}'s regions. */
  synchronized void release(int p) {
    for (Stored s : partitions.get(p)) {
      s.region().close();
    }
    partitions.get(p).clear();
  }

  @Override
  public synchronized void close() {
    for (int p = 0; p < partitions.size(); p++) {
      release(p);
    }
  }
}
