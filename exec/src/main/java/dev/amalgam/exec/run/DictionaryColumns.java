package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.memory.NativeArena;
import dev.amalgam.memory.pool.MemoryConsumer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The dictionaries of the dictionary-encoded columns of a stream that an operator materializes (a
 * hash-join build, a spilled probe): rows are stored with their int32 indices, and each column's
 * dictionary is copied once, on its first batch, into memory this object owns (charged to the
 * consumer of that batch) — a scan's dictionary is a view of pinned pages that does not outlive the
 * morsel. Every later batch of a column must bring the same dictionary (a dictionary column of a
 * stream always reads one table column). Thread-safe; owns the copies until {@link #close()}.
 */
final class DictionaryColumns implements AutoCloseable {
  private final DataType[] types;
  private final @Nullable Vec[] copies;
  private final long[] seen;
  private final @Nullable MemoryConsumer[] chargedTo;
  private final long[] charged;
  private @Nullable Arena arena;
  private boolean closed;

  /** For a stream of columns of {@code types}. */
  DictionaryColumns(DataType[] types) {
    this.types = types.clone();
    this.copies = new Vec[types.length];
    this.seen = new long[types.length];
    this.chargedTo = new MemoryConsumer[types.length];
    this.charged = new long[types.length];
  }

  /** The types rows are stored in: dictionary columns as their int32 indices. */
  DataType[] storedTypes() {
    DataType[] t = types.clone();
    for (int i = 0; i < t.length; i++) {
      if (t[i].kind() == DataType.Kind.DICTIONARY_UTF8) {
        t[i] = DataType.INT32;
      }
    }
    return t;
  }

  /**
   * {@code b} with each dictionary column replaced by its indices (same selection); the column's
   * dictionary is copied on its first batch, charged to {@code charge}.
   *
   * @throws IllegalStateException when a column brings a dictionary other than its first one
   */
  Batch indices(Batch b, MemoryConsumer charge) {
    Vec[] cols = null;
    for (int c = 0; c < types.length; c++) {
      if (types[c].kind() != DataType.Kind.DICTIONARY_UTF8) {
        continue;
      }
      Vec v = b.column(c);
      if (v.type().kind() != DataType.Kind.DICTIONARY_UTF8) {
        throw new IllegalStateException(
            "column " + c + " should be " + types[c] + " but a batch brought " + v.type());
      }
      check(c, Objects.requireNonNull(v.dictionary(), "dictionary vec without dictionary"), charge);
      if (cols == null) {
        cols = b.columns().clone();
      }
      cols[c] = Vec.fixed(DataType.INT32, v.n(), v.values(), v.validity());
    }
    return cols == null ? b : new Batch(cols, b.n(), b.sel(), b.count());
  }

  private synchronized void check(int c, Vec d, MemoryConsumer charge) {
    if (closed) {
      throw new IllegalStateException("dictionary copies are closed");
    }
    Vec copy = copies[c];
    if (copy == null) {
      copies[c] = copyOf(c, d, charge);
      seen[c] = d.values().address();
      return;
    }
    if (d.values().address() == seen[c] && d.n() == copy.n()) {
      return;
    }
    if (!sameEntries(d, copy)) {
      throw new IllegalStateException(
          "column "
              + c
              + " brought a second dictionary ("
              + d.n()
              + " entries, first "
              + copy.n()
              + ")");
    }
    seen[c] = d.values().address();
  }

  private static boolean sameEntries(Vec a, Vec b) {
    if (a.n() != b.n()) {
      return false;
    }
    long offsetBytes = 4L * (a.n() + 1);
    if (a.values().asSlice(0, offsetBytes).mismatch(b.values().asSlice(0, offsetBytes)) >= 0) {
      return false;
    }
    long dataBytes = a.values().getAtIndex(ArrowLayout.INT32, a.n());
    return dataBytes == 0
        || Objects.requireNonNull(a.data())
                .asSlice(0, dataBytes)
                .mismatch(Objects.requireNonNull(b.data()).asSlice(0, dataBytes))
            < 0;
  }

  private Vec copyOf(int c, Vec d, MemoryConsumer charge) {
    long offsetBytes = 4L * (d.n() + 1);
    long dataBytes = d.values().getAtIndex(ArrowLayout.INT32, d.n());
    MemorySegment[] mem = allocate(offsetBytes, Math.max(8, dataBytes), c, charge);
    MemorySegment.copy(d.values(), 0, mem[0], 0, offsetBytes);
    if (dataBytes > 0) {
      MemorySegment.copy(Objects.requireNonNull(d.data()), 0, mem[1], 0, dataBytes);
    }
    return Vec.utf8(d.n(), mem[0], mem[1], null);
  }

  /** Offsets and data buffers for column {@code c}'s copy, charged to {@code charge}. */
  @SuppressWarnings("MustBeClosedChecker") // the arena is closed in close()
  private MemorySegment[] allocate(
      long offsetBytes, long dataBytes, int c, @Nullable MemoryConsumer charge) {
    if (charge != null) {
      charge.reserve(offsetBytes + dataBytes);
      chargedTo[c] = charge;
      charged[c] = offsetBytes + dataBytes;
    }
    Arena a = arena;
    if (a == null) {
      a = NativeArena.open();
      arena = a;
    }
    return new MemorySegment[] {a.allocate(offsetBytes, 64), a.allocate(dataBytes, 64)};
  }

  /**
   * Column {@code c} of rows stored by {@link #indices}: a dictionary column's indices with its
   * dictionary again; other columns as they are.
   */
  Vec column(Vec stored, int c) {
    if (types[c].kind() != DataType.Kind.DICTIONARY_UTF8) {
      return stored;
    }
    return new Vec(types[c], stored.n(), stored.values(), stored.validity(), null, dictionary(c));
  }

  private synchronized Vec dictionary(int c) {
    Vec d = copies[c];
    if (d == null) {
      if (closed) {
        throw new IllegalStateException("dictionary copies are closed");
      }
      // no batch brought this column: there are no rows, an empty dictionary does (not charged)
      MemorySegment[] mem = allocate(8, 8, c, null);
      d = Vec.utf8(0, mem[0].fill((byte) 0), mem[1], null);
      copies[c] = d;
    }
    return d;
  }

  /** A stored chunk's rows as a batch of the original types (valid while both are open). */
  Batch batch(Chunk stored) {
    Vec[] cols = stored.columns().clone();
    for (int c = 0; c < cols.length; c++) {
      cols[c] = column(cols[c], c);
    }
    return Batch.dense(cols, stored.rows());
  }

  /** Frees the copies and releases their reservation. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Arena a = arena;
    arena = null;
    if (a != null) {
      a.close();
    }
    for (int c = 0; c < chargedTo.length; c++) {
      MemoryConsumer m = chargedTo[c];
      if (m != null) {
        m.release(charged[c]);
        chargedTo[c] = null;
      }
    }
  }
}
