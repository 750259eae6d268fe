package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.KeyColumn;
import dev.amalgam.kernels.KeyType;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * Join key columns for {@link dev.amalgam.kernels.JoinHashTable}: which {@link KeyType} a compute
 * type hashes as, and the key column of a vec (bool widened to int32, dictionary utf8 decoded).
 */
final class JoinKeys {
  private JoinKeys() {}

  /** The key type values of compute type {@code t} hash and compare as. */
  static KeyType keyType(DataType t) {
    return switch (t.kind()) {
      case BOOL, INT8, INT16, INT32 -> KeyType.INT32;
      case DATE32 -> KeyType.DATE32;
      case INT64, DECIMAL, TIMESTAMP -> KeyType.INT64;
      case FLOAT32, FLOAT64 -> KeyType.FLOAT64;
      case UTF8, DICTIONARY_UTF8 -> KeyType.UTF8;
    };
  }

  /**
   * Whether keys of types {@code a} and {@code b} may be compared for equality as stored: the same
   * key type and, for decimals, the same scale.
   */
  static boolean compatible(DataType a, DataType b) {
    if (keyType(a) != keyType(b)) {
      return false;
    }
    boolean da = a.kind() == DataType.Kind.DECIMAL;
    boolean db = b.kind() == DataType.Kind.DECIMAL;
    if (da || db) {
      return da == db && a.scale() == b.scale();
    }
    boolean ta = a.kind() == DataType.Kind.TIMESTAMP;
    boolean tb = b.kind() == DataType.Kind.TIMESTAMP;
    return ta == tb;
  }

  /**
   * The key column over all {@code v.n()} physical rows of {@code v}; bool and dictionary vecs are
   * converted into {@code s}.
   */
  static KeyColumn probeKey(Vec v, Scratch s) {
    return switch (v.type().kind()) {
      case BOOL ->
          KeyColumn.int32(boolAsInt32(v, s.allocate(4L * Math.max(1, v.n()))), v.validity());
      case DICTIONARY_UTF8 -> decodeDictionary(v, s::allocate);
      default -> plain(v);
    };
  }

  /**
   * The key column of a materialized build column; bool and dictionary columns are converted into
   * memory the garbage collector frees (the table copies the keys it keeps).
   */
  static KeyColumn buildKey(Vec v) {
    if (v.type().kind() == DataType.Kind.BOOL) {
      // native, not a heap segment: see dev.amalgam.kernels.NativeScratch
      MemorySegment out = Arena.ofAuto().allocate(4L * Math.max(1, v.n()), 8);
      return KeyColumn.int32(boolAsInt32(v, out), v.validity());
    }
    if (v.type().kind() == DataType.Kind.DICTIONARY_UTF8) {
      return decodeDictionary(v, bytes -> Arena.ofAuto().allocate(bytes, 8));
    }
    return plain(v);
  }

  private static KeyColumn plain(Vec v) {
    KeyType t = keyType(v.type());
    if (t == KeyType.UTF8) {
      return KeyColumn.utf8(
          v.values(), Objects.requireNonNull(v.data(), "utf8 vec without data"), v.validity());
    }
    return new KeyColumn(t, v.values(), v.validity(), null);
  }

  private static MemorySegment boolAsInt32(Vec v, MemorySegment out) {
    for (int i = 0; i < v.n(); i++) {
      out.setAtIndex(ArrowLayout.INT32, i, v.getBool(i) ? 1 : 0);
    }
    return out;
  }

  private static KeyColumn decodeDictionary(Vec v, LongFunction<MemorySegment> allocate) {
    Vec dict = Objects.requireNonNull(v.dictionary(), "dictionary vec without dictionary");
    MemorySegment dictData = Objects.requireNonNull(dict.data(), "dictionary without data");
    MemorySegment validity = v.validity();
    int n = v.n();
    long total = 0;
    for (int i = 0; i < n; i++) {
      if (Validity.isValid(validity, i)) {
        int idx = v.values().getAtIndex(ArrowLayout.INT32, i);
        total +=
            dict.values().getAtIndex(ArrowLayout.INT32, idx + 1L)
                - dict.values().getAtIndex(ArrowLayout.INT32, idx);
      }
    }
    MemorySegment offsets = allocate.apply(4L * (n + 1));
    MemorySegment data = allocate.apply(Math.max(8, total));
    long at = 0;
    for (int i = 0; i < n; i++) {
      if (Validity.isValid(validity, i)) {
        int idx = v.values().getAtIndex(ArrowLayout.INT32, i);
        int from = dict.values().getAtIndex(ArrowLayout.INT32, idx);
        int len = dict.values().getAtIndex(ArrowLayout.INT32, idx + 1L) - from;
        MemorySegment.copy(dictData, from, data, at, len);
        at += len;
      }
      offsets.setAtIndex(ArrowLayout.INT32, i + 1L, (int) at);
    }
    return KeyColumn.utf8(offsets, data, validity);
  }
}
