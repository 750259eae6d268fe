package dev.amalgam.kernels;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Hashing of key columns to 64-bit hashes, for hash tables and hash partitioning.
 *
 * <p>Every method takes a row count {@code n} and an optional selection: with {@code sel == null}
 * it hashes rows {@code [0, n)}; otherwise the {@code n} rows {@code sel[0..n)} (ascending). Hashes
 * are written at the row's own index, {@code out[row]} (int64), so {@code out} must hold {@code
 * maxRow + 1} longs; entries of unselected rows are left untouched. The {@code combine*} methods
 * update {@code hashes[row]} in place, which is how a key of several columns is hashed: the first
 * column with {@code hash*}, each further one with {@code combine*} (see {@link #hash}).
 *
 * <p>The function, fixed so that every implementation (and every device) agrees:
 *
 * <pre>
 *  fmix64(k)      = murmur3 finalizer: k ^= k>>>33; k *= 0xff51afd7ed558ccd; k ^= k>>>33;
 *                   k *= 0xc4ceb9fe1a85ec53; k ^= k>>>33
 *  hash(int64 v)  = fmix64(v ^ 0x9e3779b97f4a7c15)
 *  hash(int32 v)  = hash((int64) v)                  (date32 the same: equal values, equal hashes)
 *  hash(float64)  = hash(bits), bits of -0.0 taken as 0.0, of any NaN as 0x7ff8000000000000
 *  hash(utf8 b)   = h = 0x9e3779b97f4a7c15; for each 8-byte little-endian word w of b (the last
 *                   one zero-padded): h = rotl(h ^ (w * 0xff51afd7ed558ccd), 31) * 0xc4ceb9fe1a85ec53;
 *                   then fmix64(h ^ length)
 *  hash(null)     = {@link #NULL_HASH}
 *  combine(h, x)  = fmix64(h * 0xc2b2ae3d27d4eb4f + x), x = hash of the next column's value
 * </pre>
 */
public interface HashKernels {
  /** The hash of a null value, whatever the column type. */
  long NULL_HASH = 0x5851F42D4C957F2DL;

  /** The CPU implementation (Vector API for fixed-width columns, scalar for utf8). */
  static HashKernels cpu() {
    return CpuHashKernels.INSTANCE;
  }

  /** out[row] = hash of int32 (or date32) values[row]; nulls get {@link #NULL_HASH}. */
  void hashInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out);

  /** out[row] = hash of int64 values[row]; nulls get {@link #NULL_HASH}. */
  void hashInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out);

  /** out[row] = hash of float64 values[row] (-0.0 as 0.0, NaNs as one); nulls get NULL_HASH. */
  void hashFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out);

  /** out[row] = hash of the bytes of utf8 row {@code row}; nulls get {@link #NULL_HASH}. */
  void hashUtf8(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment out);

  /** hashes[row] = combine(hashes[row], hash of int32 values[row]); a null mixes in NULL_HASH. */
  void combineInt32(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes);

  /** hashes[row] = combine(hashes[row], hash of int64 values[row]); a null mixes in NULL_HASH. */
  void combineInt64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes);

  /** hashes[row] = combine(hashes[row], hash of float64 values[row]); a null mixes NULL_HASH. */
  void combineFloat64(
      MemorySegment values,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes);

  /** hashes[row] = combine(hashes[row], hash of utf8 row {@code row}); a null mixes NULL_HASH. */
  void combineUtf8(
      MemorySegment offsets,
      MemorySegment data,
      @Nullable MemorySegment validity,
      int n,
      @Nullable MemorySegment sel,
      MemorySegment hashes);

  /** out[row] = hash of the row's key over all {@code keys} (first hashed, the rest combined). */
  default void hash(List<KeyColumn> keys, int n, @Nullable MemorySegment sel, MemorySegment out) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("hash: at least one key column is needed");
    }
    for (int k = 0; k < keys.size(); k++) {
      KeyColumn c = keys.get(k);
      MemorySegment data = c.data();
      boolean first = k == 0;
      switch (c.type()) {
        case INT32, DATE32 -> {
          if (first) {
            hashInt32(c.values(), c.validity(), n, sel, out);
          } else {
            combineInt32(c.values(), c.validity(), n, sel, out);
          }
        }
        case INT64 -> {
          if (first) {
            hashInt64(c.values(), c.validity(), n, sel, out);
          } else {
            combineInt64(c.values(), c.validity(), n, sel, out);
          }
        }
        case FLOAT64 -> {
          if (first) {
            hashFloat64(c.values(), c.validity(), n, sel, out);
          } else {
            combineFloat64(c.values(), c.validity(), n, sel, out);
          }
        }
        case UTF8 -> {
          if (data == null) {
            throw new IllegalArgumentException("hash: utf8 key column " + k + " has no data");
          }
          if (first) {
            hashUtf8(c.values(), data, c.validity(), n, sel, out);
          } else {
            combineUtf8(c.values(), data, c.validity(), n, sel, out);
          }
        }
      }
    }
  }
}
