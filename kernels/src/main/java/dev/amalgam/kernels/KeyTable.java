package dev.amalgam.kernels;

import dev.amalgam.memory.pool.MemoryLimitExceededException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The open-addressing key store shared by {@link CpuGroupByHashTable} (groups) and {@link
 * CpuJoinHashTable} (distinct build keys): it maps a key of one or several columns to a dense group
 * id {@code 0, 1, ...} in first-insertion order, and owns per-group payload columns for its owner.
 * Not thread-safe for writes; {@link #findChunk} is read-only and may run on many threads at once
 * while nothing writes.
 *
 * <pre>
 *  slots     capacity entries (power of two) of one long, 0 = empty, else
 *            [hash high 32 bits | group id + 1]; for a single fixed-width key column each entry
 *            has a second long, the key's normalized value, so a probe reads one cache line
 *  hashes    one long per group: the key's hash (rehash without rehashing keys)
 *  keys[k]   one long per group per key column: the normalized value (int32/date32 sign-extended,
 *            float64 bits with -0.0 -> 0.0 and NaN canonical), or for utf8 the offset of the
 *            bytes in the string area; 0 for a null key
 *  lengths[k] one int per group per utf8 key column: the byte length
 *  nulls     one long per group: bit k set when key column k is null (tables that group nulls)
 *  payload[p] groupCapacity * width(p) bytes per payload column (width 4 or 8), set to the
 *            column's initial value when a group is created; an owner may name one column the
 *            row counter, which the probe loops increment for each row they assign
 *  strings   the string area: utf8 key bytes, appended, in its own block
 * </pre>
 *
 * At most an eighth of the slots are used while the table has up to 2^14 slots, a quarter up to
 * 2^16 and half beyond: small tables trade a little memory for fewer collisions, hence fewer
 * mispredicted probe branches, while their slots still fit in L2. Probing is linear. All the
 * per-group buffers form one block that is replaced as a whole when it grows.
 */
final class KeyTable implements AutoCloseable {
  /*
   * Growth and refusal: a new group that finds the table at groupCapacity doubles it (reserve the
   * new block, copy the group columns, rebuild the slots from the stored hashes in group order,
   * free the old block). The string area grows before a chunk for the chunk's bytes. When a
   * reservation is refused the caller gets a MemoryLimitExceededException and rollBack(mark)
   * removes the groups inserted since the mark in reverse insertion order, which restores the
   * slots exactly: with linear probing and no deletions, the last inserted key occupies a slot no
   * other key's probe sequence depends on. (The slots were rebuilt in group order at the last
   * growth, so group order is insertion order.) Payload updates wait until a chunk's keys are all
   * in, except the row counter of the dense int64 loop, which counts as it goes and is counted back
   * down for the chunk's rows when that chunk fails.
   *
   * Hot loops (probeDenseInt64, probeSingle, findDenseInt64) are static methods that receive the
   * segments as parameters and never reassign them, so the JIT hoists the segments' liveness and
   * bounds bookkeeping out of the loop; a new key ends the loop, is inserted by the caller (which
   * may grow the table), and the loop restarts with the new segments.
   */

  static final long TAG_MASK = 0xFFFFFFFF00000000L;
  static final int MAX_KEYS = 64;
  private static final int MIN_CAPACITY = 16;
  private static final int MAX_CAPACITY = 1 << 30;
  private static final int SMALL_TABLE = 1 << 16;
  private static final int TINY_TABLE = 1 << 14;
  private static final long LARGE_SLOTS_BYTES = 1 << 20;
  private static final long MIN_STRING_AREA = 1024;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

  private final String kind;
  private final String entryName;
  private final KeyType[] types;
  private final boolean nullKeys;
  private final int[] payloadWidths;
  private final long[] payloadInit;
  private final int countColumn;
  private final boolean anyUtf8;
  private final boolean inline;

  /**
   * Where {@link #setSlot} writes a slot's key word: -1 (the slot's second word) in inline tables,
   * 0 (the first word of {@link #KEY_SINK}) in the others. The write is unconditional on purpose: a
   * branch on {@link #inline} in code shared by both kinds of table was compiled for one kind and
   * then trapped on every insert into the other, millions of times, without being recompiled.
   */
  private final long keyWordMask;

  /** Receives the key words of tables that do not keep keys in their slots; never read. */
  private static final MemorySegment KEY_SINK = Arena.global().allocate(16, 16);

  /** {@link #slots} in inline tables, {@link #KEY_SINK} in the others. */
  private MemorySegment keyWords = KEY_SINK;

  private final int slotShift;
  private final TableMemory memory;

  private TableMemory.@Nullable Block block;
  private MemorySegment slots;
  private long mask;
  private int capacity;
  private int groupCapacity;
  private MemorySegment hashes;
  private final MemorySegment[] keys;
  private final MemorySegment[] lengths;
  private MemorySegment nulls;
  private final MemorySegment[] payload;
  private int groupCount;
  private int nullGroup = -1;

  private TableMemory.@Nullable Block stringBlock;
  private MemorySegment strings = MemorySegment.NULL;
  private long stringsUsed;

  /**
   * A key table of {@code types}; rows whose key has a null form their own groups when {@code
   * nullKeys}, and are skipped (group -1) otherwise. Payload column {@code p} has {@code
   * payloadWidths[p]} bytes per group (4 or 8) and starts at {@code payloadInit[p]}; column {@code
   * countColumn} (8 bytes; -1 for none) counts the rows assigned to each group.
   *
   * @throws MemoryLimitExceededException when the first block cannot be reserved
   */
  KeyTable(
      String kind,
      String entryName,
      KeyType[] types,
      boolean nullKeys,
      int[] payloadWidths,
      long[] payloadInit,
      int countColumn,
      int initialGroups,
      TableMemory memory) {
    this.kind = kind;
    this.entryName = entryName;
    this.types = types.clone();
    this.nullKeys = nullKeys;
    this.payloadWidths = payloadWidths.clone();
    this.payloadInit = payloadInit.clone();
    this.countColumn = countColumn;
    this.memory = memory;
    boolean utf8 = false;
    for (KeyType t : types) {
      utf8 |= t == KeyType.UTF8;
    }
    this.anyUtf8 = utf8;
    this.inline = types.length == 1 && types[0] != KeyType.UTF8;
    this.slotShift = inline ? 4 : 3;
    this.keyWordMask = inline ? -1L : 0L;
    this.keys = new MemorySegment[types.length];
    this.lengths = new MemorySegment[types.length];
    this.payload = new MemorySegment[payloadWidths.length];
    Arrays.fill(keys, MemorySegment.NULL);
    Arrays.fill(lengths, MemorySegment.NULL);
    Arrays.fill(payload, MemorySegment.NULL);
    this.slots = MemorySegment.NULL;
    this.hashes = MemorySegment.NULL;
    this.nulls = MemorySegment.NULL;
    int cap = MIN_CAPACITY;
    while (cap < MAX_CAPACITY && groupsFor(cap) < initialGroups) {
      cap <<= 1;
    }
    install(cap);
  }

  /** Per group, the 64-bit hash of its key ({@link #groupCount()} of them). */
  MemorySegment groupHashes() {
    return hashes;
  }

  /** Groups (distinct keys) in the table. */
  int groupCount() {
    return groupCount;
  }

  /** Slots in the table. */
  int capacity() {
    return capacity;
  }

  /** Payload column {@code p}; the segment changes when the table grows. */
  MemorySegment payload(int p) {
    return payload[p];
  }

  /** The key types. */
  KeyType[] types() {
    return types;
  }

  // ---- insertion ----

  /**
   * Assigns the rows at positions {@code [start, start + len)} their group ids in {@code gids[0,
   * len)} (int32), inserting new keys; {@code hashes[0, len)} holds their hashes. A row with a null
   * key gets -1 in tables that skip nulls.
   *
   * @throws MemoryLimitExceededException when a growth is refused; the groups this call inserted
   *     are removed again first, so the table is as before the call
   */
  void findOrInsert(
      KeyColumn[] cols,
      @Nullable MemorySegment sel,
      int start,
      int len,
      MemorySegment rowHashes,
      MemorySegment gids) {
    int markGroups = groupCount;
    try {
      if (anyUtf8) {
        ensureStrings(utf8Bytes(cols, sel, start, len));
      }
      if (inline && sel == null && cols[0].validity() == null && types[0] == KeyType.INT64) {
        if (isLarge()) {
          touchSlots(rowHashes, len, gids);
        }
        findOrInsertDenseInt64(cols[0], start, len, rowHashes, gids);
        return; // counted as it went
      } else if (inline) {
        findOrInsertSingle(cols[0], sel, start, len, rowHashes, gids);
      } else {
        for (int i = 0; i < len; i++) {
          int row = sel == null ? start + i : sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
          long h = rowHashes.getAtIndex(LONG, i);
          gids.setAtIndex(INT, i, findOrInsertRow(cols, row, h, true));
        }
      }
    } catch (MemoryLimitExceededException e) {
      rollBack(markGroups);
      throw e;
    }
    if (countColumn >= 0) {
      MemorySegment counts = payload[countColumn];
      for (int i = 0; i < len; i++) {
        int g = gids.getAtIndex(INT, i);
        if (g >= 0) {
          counts.setAtIndex(LONG, g, counts.getAtIndex(LONG, g) + 1);
        }
      }
    }
  }

  /**
   * The fastest path: one int64 key column without nulls or selection. Runs of rows whose keys are
   * present go through {@link #probeDenseInt64}, a loop with loop-invariant segments (so their
   * checks are hoisted); each new key stops the run, is inserted here, and the run resumes.
   */
  private void findOrInsertDenseInt64(
      KeyColumn c, int start, int len, MemorySegment rowHashes, MemorySegment gids) {
    KeyColumn[] cols = {c};
    MemorySegment values = c.values();
    int i = 0;
    try {
      while (true) {
        MemorySegment counts = countColumn < 0 ? null : payload[countColumn];
        i = probeDenseInt64(values, start, i, len, rowHashes, gids, slots, mask, nullGroup, counts);
        if (i >= len) {
          return;
        }
        int g = findOrInsertRow(cols, start + i, rowHashes.getAtIndex(LONG, i), true);
        gids.setAtIndex(INT, i, g);
        if (countColumn >= 0) {
          MemorySegment grown = payload[countColumn];
          grown.setAtIndex(LONG, g, grown.getAtIndex(LONG, g) + 1);
        }
        i++;
      }
    } catch (MemoryLimitExceededException e) {
      if (countColumn >= 0) {
        // un-count the rows [0, i) of the chunk; the caller then removes the chunk's new groups
        MemorySegment counts = payload[countColumn];
        for (int j = 0; j < i; j++) {
          int g = gids.getAtIndex(INT, j);
          counts.setAtIndex(LONG, g, counts.getAtIndex(LONG, g) - 1);
        }
      }
      throw e;
    }
  }

  /**
   * Finds the groups of rows from position {@code i}, counting each row in {@code counts} when it
   * is not null; returns the first position whose key is new.
   */
  private static int probeDenseInt64(
      MemorySegment values,
      int start,
      int i,
      int len,
      MemorySegment rowHashes,
      MemorySegment gids,
      MemorySegment slots,
      long mask,
      int nullGroup,
      @Nullable MemorySegment counts) {
    for (; i < len; i++) {
      long v = values.getAtIndex(ArrowLayout.INT64, (long) start + i);
      long pos = rowHashes.getAtIndex(LONG, i) & mask;
      while (true) {
        long off = pos << 4;
        long e = slots.get(LONG, off);
        if (slots.get(LONG, off + 8) == v && e != 0 && (int) e - 1 != nullGroup) {
          int g = (int) e - 1; // e holds group id + 1 < 2^31 in its low 32 bits
          gids.setAtIndex(INT, i, g);
          if (counts != null) {
            counts.setAtIndex(LONG, g, counts.getAtIndex(LONG, g) + 1);
          }
          break;
        }
        if (e == 0) {
          return i;
        }
        pos = (pos + 1) & mask;
      }
    }
    return len;
  }

  /** The fast path for one fixed-width key column (any type, nulls, selection). */
  private void findOrInsertSingle(
      KeyColumn c,
      @Nullable MemorySegment sel,
      int start,
      int len,
      MemorySegment rowHashes,
      MemorySegment gids) {
    KeyColumn[] cols = {c};
    int i = 0;
    while (true) {
      i = probeSingle(c, sel, start, i, len, rowHashes, gids, slots, mask, nullGroup);
      if (i >= len) {
        return;
      }
      int row = sel == null ? start + i : sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
      gids.setAtIndex(INT, i, findOrInsertRow(cols, row, rowHashes.getAtIndex(LONG, i), true));
      i++;
    }
  }

  /**
   * Finds the groups of rows from position {@code i}; returns the first one whose key is new or
   * null (those take the general path).
   */
  private static int probeSingle(
      KeyColumn c,
      @Nullable MemorySegment sel,
      int start,
      int i,
      int len,
      MemorySegment rowHashes,
      MemorySegment gids,
      MemorySegment slots,
      long mask,
      int nullGroup) {
    MemorySegment values = c.values();
    MemorySegment validity = c.validity();
    KeyType type = c.type();
    for (; i < len; i++) {
      int row = sel == null ? start + i : sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
      if (validity != null && !Validity.isValid(validity, row)) {
        return i;
      }
      long v = Hashing.keyBits(type, values, row);
      long pos = rowHashes.getAtIndex(LONG, i) & mask;
      while (true) {
        long off = pos << 4;
        long e = slots.get(LONG, off);
        if (slots.get(LONG, off + 8) == v && e != 0 && (int) e - 1 != nullGroup) {
          gids.setAtIndex(INT, i, (int) e - 1);
          break;
        }
        if (e == 0) {
          return i;
        }
        pos = (pos + 1) & mask;
      }
    }
    return len;
  }

  /** Finds row {@code row}'s group, inserting it when {@code insert}; -1 when absent or skipped. */
  private int findOrInsertRow(KeyColumn[] cols, int row, long h, boolean insert) {
    long rowNulls = 0;
    for (int k = 0; k < cols.length; k++) {
      if (!Validity.isValid(cols[k].validity(), row)) {
        rowNulls |= 1L << k;
      }
    }
    if (rowNulls != 0 && !nullKeys) {
      return -1;
    }
    long tag = h & TAG_MASK;
    long pos = h & mask;
    while (true) {
      long e = slots.get(LONG, pos << slotShift);
      if (e == 0) {
        return insert ? insert(cols, row, h, pos, rowNulls) : -1;
      }
      if ((e & TAG_MASK) == tag) {
        int g = (int) e - 1;
        if (rowEquals(cols, row, rowNulls, g)) {
          return g;
        }
      }
      pos = (pos + 1) & mask;
    }
  }

  private boolean rowEquals(KeyColumn[] cols, int row, long rowNulls, int g) {
    if (nullKeys && nulls.getAtIndex(LONG, g) != rowNulls) {
      return false;
    }
    for (int k = 0; k < cols.length; k++) {
      if ((rowNulls & (1L << k)) != 0) {
        continue;
      }
      KeyColumn c = cols[k];
      if (c.type() == KeyType.UTF8) {
        int len =
            c.values().getAtIndex(ArrowLayout.INT32, row + 1L) - Hashing.utf8Start(c.values(), row);
        if (lengths[k].getAtIndex(INT, g) != len) {
          return false;
        }
        long at = keys[k].getAtIndex(LONG, g);
        long from = Hashing.utf8Start(c.values(), row);
        MemorySegment data = Hashing.utf8Data(c);
        if (len > 0 && MemorySegment.mismatch(data, from, from + len, strings, at, at + len) >= 0) {
          return false;
        }
      } else if (keys[k].getAtIndex(LONG, g) != Hashing.keyBits(c.type(), c.values(), row)) {
        return false;
      }
    }
    return true;
  }

  /** Inserts row {@code row} as a new group at slot {@code pos} (found empty); returns its id. */
  private int insert(KeyColumn[] cols, int row, long h, long pos, long rowNulls) {
    if (groupCount == groupCapacity) {
      grow(groupCount + 1);
      pos = emptySlot(h);
    }
    int g = groupCount;
    hashes.setAtIndex(LONG, g, h);
    if (nullKeys) {
      nulls.setAtIndex(LONG, g, rowNulls);
    }
    for (int k = 0; k < cols.length; k++) {
      KeyColumn c = cols[k];
      long v = 0;
      if ((rowNulls & (1L << k)) == 0) {
        if (c.type() == KeyType.UTF8) {
          int len = Hashing.utf8Length(kind, c.values(), row);
          MemorySegment data = Hashing.utf8Data(c);
          v = appendString(data, Hashing.utf8Start(c.values(), row), len);
          lengths[k].setAtIndex(INT, g, len);
        } else {
          v = Hashing.keyBits(c.type(), c.values(), row);
        }
      } else if (c.type() == KeyType.UTF8) {
        lengths[k].setAtIndex(INT, g, 0);
      }
      keys[k].setAtIndex(LONG, g, v);
    }
    if (rowNulls != 0 && cols.length == 1) {
      nullGroup = g;
    }
    initPayload(g);
    setSlot(pos, h, g);
    groupCount = g + 1;
    return g;
  }

  // ---- lookup (read-only) ----

  /**
   * Finds the groups of the rows at positions {@code [start, start + len)} into {@code gids[0,
   * len)} (-1 when absent, or null in a null-skipping table); {@code rowHashes[0, len)} holds their
   * hashes. Read-only: may run on many threads at once, each with its own scratch.
   */
  void findChunk(
      KeyColumn[] cols,
      @Nullable MemorySegment sel,
      int start,
      int len,
      MemorySegment rowHashes,
      MemorySegment gids) {
    if (inline && sel == null && cols[0].validity() == null && types[0] == KeyType.INT64) {
      if (isLarge()) {
        touchSlots(rowHashes, len, gids);
      }
      findDenseInt64(cols[0].values(), start, len, rowHashes, gids, slots, mask, nullGroup);
      return;
    }
    if (inline && sel != null && cols[0].validity() == null && types[0] == KeyType.INT64) {
      if (isLarge()) {
        touchSlots(rowHashes, len, gids);
      }
      findSelectedInt64(cols[0].values(), sel, start, len, rowHashes, gids, slots, mask, nullGroup);
      return;
    }
    for (int i = 0; i < len; i++) {
      int row = sel == null ? start + i : sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
      gids.setAtIndex(INT, i, findOrInsertRow(cols, row, rowHashes.getAtIndex(LONG, i), false));
    }
  }

  /** Whether the slots are too large for the caches, so that probes miss in memory. */
  boolean isLarge() {
    return ((long) capacity << slotShift) > LARGE_SLOTS_BYTES;
  }

  /**
   * Loads the home slot of each of {@code len} hashes, in a loop without data-dependent branches,
   * so that the CPU keeps many cache misses in flight; the probe loop that follows, whose
   * mispredicted branches would otherwise serialize them, then finds its slots in cache. The sum is
   * stored in {@code sink[0]} (overwritten later) so that the loads are not optimized away.
   */
  void touchSlots(MemorySegment rowHashes, int len, MemorySegment sink) {
    MemorySegment slots = this.slots;
    long mask = this.mask;
    int shift = slotShift;
    long x = 0;
    for (int i = 0; i < len; i++) {
      long pos = rowHashes.getAtIndex(LONG, i);
      // the home slot and the one two further: a probe of up to three slots finds its lines cached
      x += slots.get(LONG, (pos & mask) << shift) + slots.get(LONG, ((pos + 2) & mask) << shift);
    }
    sink.setAtIndex(INT, 0, (int) x);
  }

  /** The find-only loop of {@link #probeDenseInt64}: absent keys get -1. */
  private static void findDenseInt64(
      MemorySegment values,
      int start,
      int len,
      MemorySegment rowHashes,
      MemorySegment gids,
      MemorySegment slots,
      long mask,
      int nullGroup) {
    for (int i = 0; i < len; i++) {
      long v = values.getAtIndex(ArrowLayout.INT64, (long) start + i);
      gids.setAtIndex(INT, i, findInt64(slots, mask, nullGroup, v, rowHashes.getAtIndex(LONG, i)));
    }
  }

  /** {@link #findDenseInt64} of the rows {@code sel[start, start + len)}. */
  private static void findSelectedInt64(
      MemorySegment values,
      MemorySegment sel,
      int start,
      int len,
      MemorySegment rowHashes,
      MemorySegment gids,
      MemorySegment slots,
      long mask,
      int nullGroup) {
    for (int i = 0; i < len; i++) {
      long v =
          values.getAtIndex(ArrowLayout.INT64, sel.getAtIndex(ArrowLayout.INT32, (long) start + i));
      gids.setAtIndex(INT, i, findInt64(slots, mask, nullGroup, v, rowHashes.getAtIndex(LONG, i)));
    }
  }

  /** The group of int64 key {@code v} with hash {@code h} in inline slots, -1 when absent. */
  private static int findInt64(MemorySegment slots, long mask, int nullGroup, long v, long h) {
    long pos = h & mask;
    while (true) {
      long off = pos << 4;
      long e = slots.get(LONG, off);
      if (slots.get(LONG, off + 8) == v && e != 0 && (int) e - 1 != nullGroup) {
        return (int) e - 1;
      }
      if (e == 0) {
        return -1;
      }
      pos = (pos + 1) & mask;
    }
  }

  // ---- merging ----

  /**
   * Finds or inserts the keys of groups {@code [start, start + len)} of {@code other} (same key
   * types), writing each one's group here to {@code gids[0, len)}; {@code hashes} is scratch for
   * {@code len} longs. Rows are not counted. A single fixed-width key probes in a loop over the
   * chunk (the slots of a large table loaded first, see {@link #touchSlots}); new keys and the
   * other kinds go through {@link #findOrInsertGroup}.
   *
   * @throws MemoryLimitExceededException when a growth is refused; the caller rolls back
   */
  void findOrInsertGroups(
      KeyTable other, int start, int len, MemorySegment hashes, MemorySegment gids) {
    MemorySegment.copy(other.hashes, 8L * start, hashes, 0, 8L * len);
    if (!inline || other.nullGroup >= 0) {
      for (int i = 0; i < len; i++) {
        gids.setAtIndex(INT, i, findOrInsertGroup(other, start + i, true));
      }
      return;
    }
    if (isLarge()) {
      touchSlots(hashes, len, gids);
    }
    MemorySegment otherKeys = other.keys[0];
    int i = 0;
    while (true) {
      i = probeGroups(otherKeys, start, i, len, hashes, gids, slots, mask, nullGroup);
      if (i >= len) {
        return;
      }
      gids.setAtIndex(INT, i, findOrInsertGroup(other, start + i, true));
      i++;
    }
  }

  /**
   * The probe loop of {@link #findOrInsertGroups} for an inline table: finds the groups of the
   * chunk's keys (normalized values in {@code keys}) from position {@code i}; returns the first
   * position whose key is new.
   */
  private static int probeGroups(
      MemorySegment keys,
      int start,
      int i,
      int len,
      MemorySegment hashes,
      MemorySegment gids,
      MemorySegment slots,
      long mask,
      int nullGroup) {
    for (; i < len; i++) {
      long v = keys.getAtIndex(LONG, (long) start + i);
      int g = findInt64(slots, mask, nullGroup, v, hashes.getAtIndex(LONG, i));
      if (g < 0) {
        return i;
      }
      gids.setAtIndex(INT, i, g);
    }
    return len;
  }

  /**
   * Finds group {@code og} of {@code other} (same key types) in this table, inserting it when
   * {@code insert}; -1 when absent.
   *
   * @throws MemoryLimitExceededException when a growth is refused (nothing inserted by this call)
   */
  int findOrInsertGroup(KeyTable other, int og, boolean insert) {
    long h = other.hashes.getAtIndex(LONG, og);
    long otherNulls = other.nullKeys ? other.nulls.getAtIndex(LONG, og) : 0;
    long tag = h & TAG_MASK;
    long pos = h & mask;
    while (true) {
      long e = slots.get(LONG, pos << slotShift);
      if (e == 0) {
        if (!insert) {
          return -1;
        }
        break;
      }
      if ((e & TAG_MASK) == tag) {
        int g = (int) e - 1;
        if (groupEquals(other, og, otherNulls, g)) {
          return g;
        }
      }
      pos = (pos + 1) & mask;
    }
    if (anyUtf8) {
      long bytes = 0;
      for (int k = 0; k < types.length; k++) {
        if (types[k] == KeyType.UTF8) {
          bytes += other.lengths[k].getAtIndex(INT, og);
        }
      }
      ensureStrings(bytes);
    }
    if (groupCount == groupCapacity) {
      grow(groupCount + 1);
      pos = emptySlot(h);
    }
    int g = groupCount;
    hashes.setAtIndex(LONG, g, h);
    if (nullKeys) {
      nulls.setAtIndex(LONG, g, otherNulls);
    }
    for (int k = 0; k < types.length; k++) {
      long v = other.keys[k].getAtIndex(LONG, og);
      if (types[k] == KeyType.UTF8) {
        int len = other.lengths[k].getAtIndex(INT, og);
        lengths[k].setAtIndex(INT, g, len);
        if ((otherNulls & (1L << k)) == 0) {
          v = appendString(other.strings, v, len);
        }
      }
      keys[k].setAtIndex(LONG, g, v);
    }
    if (otherNulls != 0 && types.length == 1) {
      nullGroup = g;
    }
    initPayload(g);
    setSlot(pos, h, g);
    groupCount = g + 1;
    return g;
  }

  private boolean groupEquals(KeyTable other, int og, long otherNulls, int g) {
    if (nullKeys && nulls.getAtIndex(LONG, g) != otherNulls) {
      return false;
    }
    for (int k = 0; k < types.length; k++) {
      if ((otherNulls & (1L << k)) != 0) {
        continue;
      }
      long a = keys[k].getAtIndex(LONG, g);
      long b = other.keys[k].getAtIndex(LONG, og);
      if (types[k] == KeyType.UTF8) {
        int len = lengths[k].getAtIndex(INT, g);
        if (other.lengths[k].getAtIndex(INT, og) != len) {
          return false;
        }
        if (len > 0
            && MemorySegment.mismatch(strings, a, a + len, other.strings, b, b + len) >= 0) {
          return false;
        }
      } else if (a != b) {
        return false;
      }
    }
    return true;
  }

  /**
   * Removes the groups {@code >= markGroups} in reverse insertion order, restoring the slots and
   * the string area as they were when the table held {@code markGroups} groups.
   */
  void rollBack(int markGroups) {
    for (int g = groupCount - 1; g >= markGroups; g--) {
      long h = hashes.getAtIndex(LONG, g);
      long pos = h & mask;
      while ((int) slots.get(LONG, pos << slotShift) != g + 1) {
        pos = (pos + 1) & mask;
      }
      slots.set(LONG, pos << slotShift, 0);
      for (int k = 0; k < types.length; k++) {
        boolean isNull = nullKeys && (nulls.getAtIndex(LONG, g) & (1L << k)) != 0;
        if (types[k] == KeyType.UTF8 && !isNull) {
          stringsUsed = Math.min(stringsUsed, keys[k].getAtIndex(LONG, g));
        }
      }
    }
    if (nullGroup >= markGroups) {
      nullGroup = -1;
    }
    groupCount = Math.min(groupCount, markGroups);
  }

  // ---- reading ----

  /** Whether key column {@code k} of group {@code g} is null. */
  boolean isNull(int g, int k) {
    return nullKeys && (nulls.getAtIndex(LONG, g) & (1L << k)) != 0;
  }

  /** The normalized value of fixed-width key column {@code k} of group {@code g}. */
  long keyBits(int g, int k) {
    return keys[k].getAtIndex(LONG, g);
  }

  /** The bytes of utf8 key column {@code k} of group {@code g} (empty for null). */
  MemorySegment keyString(int g, int k) {
    return strings.asSlice(keys[k].getAtIndex(LONG, g), lengths[k].getAtIndex(INT, g));
  }

  /** The stored hash of group {@code g}. */
  long hash(int g) {
    return hashes.getAtIndex(LONG, g);
  }

  // ---- memory ----

  /** Grows to hold at least {@code minGroups} groups. */
  private void grow(int minGroups) {
    int cap = capacity;
    while (groupsFor(cap) < minGroups) {
      if (cap >= MAX_CAPACITY) {
        throw new IllegalStateException(
            kind
                + " '"
                + memory.name()
                + "' cannot hold more than "
                + groupsFor(MAX_CAPACITY)
                + " "
                + entryName);
      }
      cap <<= 1;
    }
    install(cap);
  }

  /**
   * Allocates the group block for {@code cap} slots, moves the groups into it, frees the old one.
   */
  private void install(int cap) {
    int groups = groupsFor(cap);
    int utf8 = 0;
    for (KeyType t : types) {
      utf8 += t == KeyType.UTF8 ? 1 : 0;
    }
    long[] sizes = new long[3 + types.length + utf8 + payloadWidths.length];
    int s = 0;
    sizes[s++] = (long) cap << slotShift;
    sizes[s++] = 8L * groups;
    sizes[s++] = nullKeys ? 8L * groups : 0;
    for (int k = 0; k < types.length; k++) {
      sizes[s++] = 8L * groups;
      if (types[k] == KeyType.UTF8) {
        sizes[s++] = 4L * groups;
      }
    }
    for (int width : payloadWidths) {
      sizes[s++] = (long) width * groups;
    }
    TableMemory.Block next = memory.allocate(sizes);
    TableMemory.Block previous = block;
    int count = groupCount;
    s = 0;
    MemorySegment newSlots = next.segment(s++);
    MemorySegment newHashes = copy(hashes, next.segment(s++), 8L * count);
    MemorySegment newNulls = copy(nulls, next.segment(s++), nullKeys ? 8L * count : 0);
    for (int k = 0; k < types.length; k++) {
      keys[k] = copy(keys[k], next.segment(s++), 8L * count);
      if (types[k] == KeyType.UTF8) {
        lengths[k] = copy(lengths[k], next.segment(s++), 4L * count);
      } else {
        lengths[k] = MemorySegment.NULL;
      }
    }
    for (int p = 0; p < payloadWidths.length; p++) {
      payload[p] = copy(payload[p], next.segment(s++), (long) payloadWidths[p] * count);
    }
    long newMask = cap - 1L;
    MemorySegment newKeyWords = inline ? newSlots : KEY_SINK;
    for (int g = 0; g < count; g++) {
      long h = newHashes.getAtIndex(LONG, g);
      long pos = h & newMask;
      while (newSlots.get(LONG, pos << slotShift) != 0) {
        pos = (pos + 1) & newMask;
      }
      newSlots.set(LONG, pos << slotShift, (h & TAG_MASK) | (g + 1L));
      newKeyWords.set(LONG, ((pos << slotShift) + 8) & keyWordMask, keyWord(g));
    }
    block = next;
    slots = newSlots;
    keyWords = newKeyWords;
    hashes = newHashes;
    nulls = newNulls;
    capacity = cap;
    mask = newMask;
    groupCapacity = groups;
    memory.free(previous);
  }

  private static MemorySegment copy(MemorySegment from, MemorySegment to, long bytes) {
    if (bytes > 0) {
      MemorySegment.copy(from, 0, to, 0, bytes);
    }
    return to;
  }

  /** Sets the payload of new group {@code g} to the columns' initial values. */
  private void initPayload(int g) {
    for (int p = 0; p < payload.length; p++) {
      if (payloadWidths[p] == 8) {
        payload[p].setAtIndex(LONG, g, payloadInit[p]);
      } else {
        payload[p].setAtIndex(INT, g, (int) payloadInit[p]);
      }
    }
  }

  /** Points slot {@code pos} at group {@code g} (whose key is stored). */
  private void setSlot(long pos, long h, int g) {
    slots.set(LONG, pos << slotShift, (h & TAG_MASK) | (g + 1L));
    keyWords.set(LONG, ((pos << slotShift) + 8) & keyWordMask, keyWord(g));
  }

  /** Group {@code g}'s first key word (a value, or a utf8 key's string offset). */
  private long keyWord(int g) {
    return keys[0].getAtIndex(LONG, g);
  }

  /** Groups a table of {@code cap} slots holds at most. */
  private static int groupsFor(int cap) {
    return cap <= TINY_TABLE ? cap >>> 3 : cap <= SMALL_TABLE ? cap >>> 2 : cap >>> 1;
  }

  private long emptySlot(long h) {
    long pos = h & mask;
    while (slots.get(LONG, pos << slotShift) != 0) {
      pos = (pos + 1) & mask;
    }
    return pos;
  }

  /** Bytes of the non-null utf8 keys of positions [start, start + len). */
  private long utf8Bytes(KeyColumn[] cols, @Nullable MemorySegment sel, int start, int len) {
    long bytes = 0;
    for (KeyColumn c : cols) {
      if (c.type() != KeyType.UTF8 || len == 0) {
        continue;
      }
      MemorySegment offsets = c.values();
      if (sel == null && c.validity() == null) {
        bytes +=
            (long) offsets.getAtIndex(ArrowLayout.INT32, (long) start + len)
                - offsets.getAtIndex(ArrowLayout.INT32, start);
        continue;
      }
      for (int i = 0; i < len; i++) {
        int row = sel == null ? start + i : sel.getAtIndex(ArrowLayout.INT32, (long) start + i);
        if (Validity.isValid(c.validity(), row)) {
          bytes += Math.max(0, Hashing.utf8Length(kind, offsets, row));
        }
      }
    }
    return Math.max(0, bytes);
  }

  /** Makes room for {@code bytes} more string bytes. */
  private void ensureStrings(long bytes) {
    long need = stringsUsed + bytes;
    if (need <= strings.byteSize()) {
      return;
    }
    long size = Math.max(MIN_STRING_AREA, strings.byteSize());
    while (size < need) {
      size <<= 1;
    }
    TableMemory.Block next = memory.allocate(size);
    MemorySegment area = next.segment(0);
    if (stringsUsed > 0) {
      MemorySegment.copy(strings, 0, area, 0, stringsUsed);
    }
    TableMemory.Block previous = stringBlock;
    stringBlock = next;
    strings = area;
    memory.free(previous);
  }

  private long appendString(MemorySegment data, long from, int len) {
    long at = stringsUsed;
    if (len > 0) {
      MemorySegment.copy(data, from, strings, at, len);
    }
    stringsUsed = at + len;
    return at;
  }

  /** Frees every block. Idempotent. */
  @Override
  public void close() {
    TableMemory.Block b = block;
    TableMemory.Block sb = stringBlock;
    block = null;
    stringBlock = null;
    slots = MemorySegment.NULL;
    keyWords = KEY_SINK;
    hashes = MemorySegment.NULL;
    nulls = MemorySegment.NULL;
    strings = MemorySegment.NULL;
    try {
      memory.free(b);
    } finally {
      memory.free(sb);
    }
  }
}
