package dev.amalgam.arrowio.arrow;

import static dev.amalgam.arrowio.arrow.CDataLayout.*;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.memory.ResourceTracker;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Exports batch sources through the Arrow C Data Interface. A stream's {@code get_next} fills an
 * ArrowArray whose buffers point at the engine's pinned host pages (or, where a buffer spans
 * non-contiguous pages or needs converting, at a copy); the pins and copies are held until the
 * consumer calls {@code release}, on the top-level array or on children it moved out.
 *
 * <p>Callbacks are upcall stubs made once per process; every exported struct carries an id in its
 * {@code private_data} that names its state in {@link #NODES}. Unreleased streams and arrays are
 * tracked for leak checks.
 */
final class CDataExport {
  private CDataExport() {}

  /** The memory an exported struct owns, and what its release must also release. */
  private static final class Node {
    final Arena arena;
    final List<MemorySegment> owned = new ArrayList<>();
    final @Nullable Runnable onRelease;

    Node(Arena arena, @Nullable Runnable onRelease) {
      this.arena = arena;
      this.onRelease = onRelease;
    }
  }

  private static final Map<Long, Node> NODES = new ConcurrentHashMap<>();
  private static final Map<Long, Stream> STREAMS = new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong(1);
  private static final MemorySegment ZERO = Arena.global().allocate(64, 64);

  private static final MemorySegment RELEASE_SCHEMA;
  private static final MemorySegment RELEASE_ARRAY;
  private static final MemorySegment GET_SCHEMA;
  private static final MemorySegment GET_NEXT;
  private static final MemorySegment LAST_ERROR_FN;
  private static final MemorySegment RELEASE_STREAM;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      Linker linker = Linker.nativeLinker();
      MethodType rel = MethodType.methodType(void.class, MemorySegment.class);
      MethodType get = MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class);
      RELEASE_SCHEMA =
          linker.upcallStub(
              l.findStatic(CDataExport.class, "releaseSchema", rel), RELEASE, Arena.global());
      RELEASE_ARRAY =
          linker.upcallStub(
              l.findStatic(CDataExport.class, "releaseArray", rel), RELEASE, Arena.global());
      RELEASE_STREAM =
          linker.upcallStub(
              l.findStatic(CDataExport.class, "releaseStream", rel), RELEASE, Arena.global());
      GET_SCHEMA =
          linker.upcallStub(l.findStatic(CDataExport.class, "getSchema", get), GET, Arena.global());
      GET_NEXT =
          linker.upcallStub(l.findStatic(CDataExport.class, "getNext", get), GET, Arena.global());
      LAST_ERROR_FN =
          linker.upcallStub(
              l.findStatic(
                  CDataExport.class,
                  "lastError",
                  MethodType.methodType(MemorySegment.class, MemorySegment.class)),
              LAST_ERROR,
              Arena.global());
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** An exported stream's state. */
  private static final class Stream implements ResourceTracker.Tracked {
    final BatchSource src;
    final String what;
    final Arena arena = Arena.ofShared();
    int next;
    MemorySegment error = MemorySegment.NULL;

    Stream(BatchSource src, String what) {
      this.src = src;
      this.what = what;
    }

    @Override
    public String describe() {
      return "C data stream export of " + what + " (not released)";
    }

    @Override
    public List<String> leaks() {
      return List.of();
    }
  }

  /** Fills {@code out} (an ArrowArrayStream) with a stream over the source. */
  static void exportStream(BatchSource src, MemorySegment out, String what) {
    MemorySegment s = out.reinterpret(STREAM.byteSize());
    long id = IDS.getAndIncrement();
    Stream st = new Stream(src, what);
    STREAMS.put(id, st);
    ResourceTracker.register(st);
    s.set(PTR, T_GET_SCHEMA, GET_SCHEMA);
    s.set(PTR, T_GET_NEXT, GET_NEXT);
    s.set(PTR, T_GET_LAST_ERROR, LAST_ERROR_FN);
    s.set(PTR, T_RELEASE, RELEASE_STREAM);
    s.set(I64, T_PRIVATE, id);
  }

  private static @Nullable Stream stream(MemorySegment s) {
    return STREAMS.get(s.reinterpret(STREAM.byteSize()).get(I64, T_PRIVATE));
  }

  static int getSchema(MemorySegment stream, MemorySegment out) {
    Stream st = stream(stream);
    if (st == null) {
      return 22; // EINVAL: released
    }
    try {
      exportSchema(st.src.schema(), out);
      return 0;
    } catch (Throwable e) {
      fail(st, e);
      return 5;
    }
  }

  static int getNext(MemorySegment stream, MemorySegment out) {
    Stream st = stream(stream);
    if (st == null) {
      return 22;
    }
    try {
      MemorySegment a = out.reinterpret(ARRAY.byteSize());
      synchronized (st) {
        if (st.next >= st.src.batchCount()) {
          a.fill((byte) 0); // release == NULL: end of stream
          return 0;
        }
        exportBatch(st.src, st.next++, a, st.what);
      }
      return 0;
    } catch (Throwable e) {
      fail(st, e);
      return 5;
    }
  }

  private static void fail(Stream st, Throwable e) {
    st.error = st.arena.allocateFrom(String.valueOf(e));
  }

  static MemorySegment lastError(MemorySegment stream) {
    Stream st = stream(stream);
    return st == null ? MemorySegment.NULL : st.error;
  }

  static void releaseStream(MemorySegment stream) {
    MemorySegment s = stream.reinterpret(STREAM.byteSize());
    Stream st = STREAMS.remove(s.get(I64, T_PRIVATE));
    s.set(PTR, T_RELEASE, MemorySegment.NULL);
    if (st != null) {
      ResourceTracker.unregister(st);
      st.arena.close();
    }
  }

  // ---- schema -------------------------------------------------------------------------------

  @SuppressWarnings("MustBeClosedChecker") // nodes own their arenas until released
  static void exportSchema(Schema schema, MemorySegment out) {
    MemorySegment top = out.reinterpret(SCHEMA.byteSize());
    Node n = new Node(Arena.ofShared(), null);
    int cols = schema.size();
    MemorySegment children = n.arena.allocate(8L * cols, 8);
    for (int c = 0; c < cols; c++) {
      MemorySegment child = n.arena.allocate(SCHEMA);
      Field f = schema.field(c);
      Node cn = new Node(Arena.ofShared(), null);
      MemorySegment dict = MemorySegment.NULL;
      if (f.type().kind() == DataType.Kind.DICTIONARY_UTF8) {
        dict = cn.arena.allocate(SCHEMA);
        Node dn = new Node(Arena.ofShared(), null);
        fillSchema(dict, dn, "u", "", 0, 0, MemorySegment.NULL, MemorySegment.NULL);
        cn.owned.add(dict);
      }
      fillSchema(
          child,
          cn,
          ArrowColumn.format(f.type()),
          f.name(),
          f.nullable() ? FLAG_NULLABLE : 0,
          0,
          MemorySegment.NULL,
          dict);
      children.setAtIndex(PTR, c, child);
      n.owned.add(child);
    }
    fillSchema(top, n, "+s", "", 0, cols, children, MemorySegment.NULL);
  }

  private static void fillSchema(
      MemorySegment s,
      Node n,
      String format,
      String name,
      long flags,
      long nChildren,
      MemorySegment children,
      MemorySegment dictionary) {
    long id = IDS.getAndIncrement();
    NODES.put(id, n);
    s.set(PTR, S_FORMAT, n.arena.allocateFrom(format));
    s.set(PTR, S_NAME, n.arena.allocateFrom(name));
    s.set(PTR, S_METADATA, MemorySegment.NULL);
    s.set(I64, S_FLAGS, flags);
    s.set(I64, S_N_CHILDREN, nChildren);
    s.set(PTR, S_CHILDREN, children);
    s.set(PTR, S_DICTIONARY, dictionary);
    s.set(PTR, S_RELEASE, RELEASE_SCHEMA);
    s.set(I64, S_PRIVATE, id);
  }

  static void releaseSchema(MemorySegment s) {
    release(s.reinterpret(SCHEMA.byteSize()), S_RELEASE, S_PRIVATE, SCHEMA.byteSize());
  }

  static void releaseArray(MemorySegment s) {
    release(s.reinterpret(ARRAY.byteSize()), A_RELEASE, A_PRIVATE, ARRAY.byteSize());
  }

  private static void release(MemorySegment s, long relOff, long privOff, long size) {
    try {
      if (s.get(PTR, relOff).address() == 0) {
        return;
      }
      Node n = NODES.remove(s.get(I64, privOff));
      s.set(PTR, relOff, MemorySegment.NULL);
      if (n == null) {
        return;
      }
      for (MemorySegment c : n.owned) {
        release(c.reinterpret(size), relOff, privOff, size);
      }
      n.arena.close();
      if (n.onRelease != null) {
        n.onRelease.run();
      }
    } catch (Throwable e) {
      // never let an exception unwind into native code; the leak check reports what stays open
    }
  }

  // ---- arrays -------------------------------------------------------------------------------

  /** Keeps a batch's pins and copies until every node exported over it is released. */
  private static final class BatchRef implements ResourceTracker.Tracked {
    final List<HostBatch> batches = new ArrayList<>();
    final Arena conversions = Arena.ofShared();
    final AtomicInteger refs = new AtomicInteger(1);
    final String what;

    BatchRef(String what) {
      this.what = what;
      ResourceTracker.register(this);
    }

    Runnable retain() {
      refs.incrementAndGet();
      return this::release;
    }

    void release() {
      if (refs.decrementAndGet() == 0) {
        ResourceTracker.unregister(this);
        for (HostBatch b : batches) {
          b.close();
        }
        conversions.close();
      }
    }

    @Override
    public String describe() {
      return "C data array export of " + what + " (not released)";
    }

    @Override
    public List<String> leaks() {
      return List.of();
    }
  }

  @SuppressWarnings("MustBeClosedChecker")
  static void exportBatch(BatchSource src, int index, MemorySegment out, String what) {
    Schema schema = src.schema();
    BatchRef ref = new BatchRef(what + " batch " + index);
    try {
      HostBatch hb = src.batch(index);
      ref.batches.add(hb);
      Node top = new Node(Arena.ofShared(), ref.retain());
      int cols = schema.size();
      MemorySegment children = top.arena.allocate(8L * cols, 8);
      for (int c = 0; c < cols; c++) {
        DataType t = schema.field(c).type();
        MemorySegment child = top.arena.allocate(ARRAY);
        Node cn = new Node(Arena.ofShared(), ref.retain());
        MemorySegment dict = MemorySegment.NULL;
        if (t.kind() == DataType.Kind.DICTIONARY_UTF8) {
          HostBatch d = java.util.Objects.requireNonNull(src.dictionary(c));
          ref.batches.add(d);
          dict = cn.arena.allocate(ARRAY);
          Node dn = new Node(Arena.ofShared(), ref.retain());
          fillArray(dict, dn, d.columns[0], DataType.UTF8, ref.conversions, MemorySegment.NULL);
          cn.owned.add(dict);
        }
        fillArray(child, cn, hb.columns[c], t, ref.conversions, dict);
        children.setAtIndex(PTR, c, child);
        top.owned.add(child);
      }
      long id = IDS.getAndIncrement();
      NODES.put(id, top);
      MemorySegment bufs = top.arena.allocate(8, 8);
      bufs.set(PTR, 0, MemorySegment.NULL);
      out.set(I64, A_LENGTH, hb.rows);
      out.set(I64, A_NULL_COUNT, 0);
      out.set(I64, A_OFFSET, 0);
      out.set(I64, A_N_BUFFERS, 1);
      out.set(I64, A_N_CHILDREN, cols);
      out.set(PTR, A_BUFFERS, bufs);
      out.set(PTR, A_CHILDREN, children);
      out.set(PTR, A_DICTIONARY, MemorySegment.NULL);
      out.set(PTR, A_RELEASE, RELEASE_ARRAY);
      out.set(I64, A_PRIVATE, id);
    } finally {
      ref.release(); // the exporter's own reference; the nodes hold theirs
    }
  }

  private static void fillArray(
      MemorySegment a,
      Node n,
      HostBatch.Column col,
      DataType t,
      Arena conversions,
      MemorySegment dictionary) {
    List<MemorySegment> bufs = IpcWriter.buffers(t, col, conversions);
    MemorySegment ptrs = n.arena.allocate(8L * bufs.size(), 8);
    for (int i = 0; i < bufs.size(); i++) {
      MemorySegment b = bufs.get(i);
      MemorySegment p = b.byteSize() > 0 ? b : (i == 0 ? MemorySegment.NULL : ZERO);
      ptrs.setAtIndex(PTR, i, p);
    }
    long id = IDS.getAndIncrement();
    NODES.put(id, n);
    a.set(I64, A_LENGTH, col.rows());
    a.set(I64, A_NULL_COUNT, col.nullCount());
    a.set(I64, A_OFFSET, 0);
    a.set(I64, A_N_BUFFERS, bufs.size());
    a.set(I64, A_N_CHILDREN, 0);
    a.set(PTR, A_BUFFERS, ptrs);
    a.set(PTR, A_CHILDREN, MemorySegment.NULL);
    a.set(PTR, A_DICTIONARY, dictionary);
    a.set(PTR, A_RELEASE, RELEASE_ARRAY);
    a.set(I64, A_PRIVATE, id);
  }
}
