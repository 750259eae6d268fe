package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Several narrow group keys packed into one int64, so that a group-by over them takes the hash
 * table's single-int64 path (one slot compare per row) instead of comparing key columns one by one.
 * Each key gets a field of the int64 holding a code:
 *
 * <pre>
 *  dictionary utf8 with d entries   index 0..d-1, null = d        bits for d + 1 codes
 *  bool                             0 / 1, null = 2               2 bits
 *  int8 / int16 / int32 / date32    the 32 value bits, null = 2^32  33 bits
 * </pre>
 *
 * Keys pack when there are at least two and their fields fit in 64 bits. The code of a null is
 * never the code of a value, so the packed key has no nulls of its own and equal packed keys mean
 * equal keys, nulls included (GROUP BY puts nulls in one group).
 */
final class KeyPacking {
  private final DataType.Kind[] kinds;
  private final int[] shifts;
  private final int[] bits;
  private final long[] nullCodes;

  private KeyPacking(DataType.Kind[] kinds, int[] shifts, int[] bits, long[] nullCodes) {
    this.kinds = kinds;
    this.shifts = shifts;
    this.bits = bits;
    this.nullCodes = nullCodes;
  }

  /**
   * The packing for keys of {@code types} (compute types; dictionary keys with {@code
   * dictionarySizes[k]} entries), or null when they do not pack.
   */
  static @Nullable KeyPacking of(List<DataType> types, int[] dictionarySizes) {
    int n = types.size();
    if (n < 2) {
      return null;
    }
    DataType.Kind[] kinds = new DataType.Kind[n];
    int[] shifts = new int[n];
    int[] bits = new int[n];
    long[] nullCodes = new long[n];
    int used = 0;
    for (int k = 0; k < n; k++) {
      DataType.Kind kind = types.get(k).kind();
      kinds[k] = kind;
      switch (kind) {
        case DICTIONARY_UTF8 -> {
          int d = dictionarySizes[k];
          if (d < 0) {
            return null;
          }
          nullCodes[k] = d;
          bits[k] = Math.max(1, 64 - Long.numberOfLeadingZeros(d));
        }
        case BOOL -> {
          nullCodes[k] = 2;
          bits[k] = 2;
        }
        case INT8, INT16, INT32, DATE32 -> {
          nullCodes[k] = 1L << 32;
          bits[k] = 33;
        }
        default -> {
          return null;
        }
      }
      shifts[k] = used;
      used += bits[k];
      if (used > 64) {
        return null;
      }
    }
    return new KeyPacking(kinds, shifts, bits, nullCodes);
  }

  /**
   * Writes the packed keys of rows {@code [0, n)} of {@code keys} into {@code out} (n int64s).
   *
   * @throws IllegalStateException when a key's type is not the one this packing was made for, or a
   *     dictionary index is outside the dictionary it was made for
   */
  void pack(Vec[] keys, int n, MemorySegment out) {
    for (int k = 0; k < keys.length; k++) {
      Vec v = keys[k];
      MemorySegment values = v.values();
      MemorySegment validity = v.validity();
      int shift = shifts[k];
      long nullCode = nullCodes[k];
      boolean first = k == 0;
      if (v.type().kind() != kinds[k]) {
        throw new IllegalStateException(
            "group key " + k + " is " + v.type() + ", packed as " + kinds[k]);
      }
      if (kinds[k] == DataType.Kind.BOOL) {
        for (int i = 0; i < n; i++) {
          long code =
              validity != null && !Validity.isValid(validity, i)
                  ? nullCode
                  : Validity.isValid(values, i) ? 1 : 0;
          put(out, i, first, code << shift);
        }
      } else if (validity == null) {
        // dictionary indices are below nullCode; int32 codes are below 2^32 = nullCode
        long max = 0;
        for (int i = 0; i < n; i++) {
          long code = values.getAtIndex(ArrowLayout.INT32, i) & 0xFFFF_FFFFL;
          max = Math.max(max, code);
          put(out, i, first, code << shift);
        }
        checkIndex(k, max);
      } else {
        long max = 0;
        for (int i = 0; i < n; i++) {
          long code = nullCode;
          if (Validity.isValid(validity, i)) {
            code = values.getAtIndex(ArrowLayout.INT32, i) & 0xFFFF_FFFFL;
            max = Math.max(max, code);
          }
          put(out, i, first, code << shift);
        }
        checkIndex(k, max);
      }
    }
  }

  private static void put(MemorySegment out, int i, boolean first, long shifted) {
    out.setAtIndex(
        ArrowLayout.INT64, i, first ? shifted : out.getAtIndex(ArrowLayout.INT64, i) | shifted);
  }

  private void checkIndex(int k, long max) {
    if (kinds[k] == DataType.Kind.DICTIONARY_UTF8 && max >= nullCodes[k]) {
      throw new IllegalStateException(
          "group key "
              + k
              + ": dictionary index "
              + max
              + " outside the "
              + nullCodes[k]
              + " entries its packing was made for");
    }
  }

  private long code(long packed, int k) {
    return (packed >>> shifts[k]) & ((1L << bits[k]) - 1); // bits[k] <= 33
  }

  /** Whether key {@code k} of {@code packed} is null. */
  boolean isNull(long packed, int k) {
    return code(packed, k) == nullCodes[k];
  }

  /** Key {@code k} of {@code packed} (not null): the dictionary index, 0/1, or the int32 value. */
  long value(long packed, int k) {
    long c = code(packed, k);
    return kinds[k] == DataType.Kind.DICTIONARY_UTF8 || kinds[k] == DataType.Kind.BOOL
        ? c
        : (int) c;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("packed keys [");
    for (int k = 0; k < kinds.length; k++) {
      b.append(k == 0 ? "" : ", ").append(bits[k]).append(" bits");
    }
    return b.append(']').toString();
  }
}
