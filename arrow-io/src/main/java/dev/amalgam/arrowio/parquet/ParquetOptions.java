package dev.amalgam.arrowio.parquet;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What to read of a Parquet file: columns (default all), row groups (default all), predicates
 * (ANDed) that skip row groups by their statistics and select rows, and decoding threads.
 * Immutable; start from {@link #defaults()} or {@link #builder()}.
 */
public final class ParquetOptions {
  private final @Nullable List<String> columns;
  private final @Nullable List<Integer> rowGroups;
  private final List<ParquetPredicate> filters;
  private final int threads;

  private ParquetOptions(Builder b) {
    this.columns = b.columns == null ? null : List.copyOf(b.columns);
    this.rowGroups = b.rowGroups == null ? null : List.copyOf(b.rowGroups);
    this.filters = List.copyOf(b.filters);
    this.threads = b.threads;
  }

  /** Every column and row group, no filter. */
  public static ParquetOptions defaults() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The columns to read in this order, or null for all. */
  public @Nullable List<String> columns() {
    return columns;
  }

  /** The row groups (0-based) to read, or null for all. */
  public @Nullable List<Integer> rowGroups() {
    return rowGroups;
  }

  /** Predicates, ANDed. */
  public List<ParquetPredicate> filters() {
    return filters;
  }

  /** Decoding threads (0: one per available core). */
  public int threads() {
    return threads;
  }

  /** Builds {@link ParquetOptions}. */
  public static final class Builder {
    private @Nullable List<String> columns;
    private @Nullable List<Integer> rowGroups;
    private final List<ParquetPredicate> filters = new ArrayList<>();
    private int threads;

    private Builder() {}

    /** Reads only these columns, in this order. */
    public Builder columns(String... names) {
      this.columns = List.of(names);
      return this;
    }

    /** Reads only these row groups (0-based). */
    public Builder rowGroups(int... indices) {
      List<Integer> l = new ArrayList<>();
      for (int i : indices) {
        l.add(i);
      }
      this.rowGroups = l;
      return this;
    }

    /** Adds a predicate (ANDed with the others). */
    public Builder filter(ParquetPredicate p) {
      filters.add(Objects.requireNonNull(p, "predicate is null"));
      return this;
    }

    /** Decoding threads (default: one per available core). */
    public Builder threads(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("threads must be positive; was " + n);
      }
      this.threads = n;
      return this;
    }

    /** The options. */
    public ParquetOptions build() {
      return new ParquetOptions(this);
    }
  }
}
