package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Schema;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A source of constant rows (SELECT without FROM, VALUES): when the pipeline starts it writes the
 * rows into one chunk charged to the query's result consumer and pushes it as one ordered morsel.
 */
public final class ValuesSource implements Source, AutoCloseable {
  private final List<List<@Nullable Object>> rows;
  private final DataType[] types;
  private final OpStats stats = new OpStats();
  private volatile @Nullable Chunk chunk;

  /** A source of {@code rows}, Java values of {@code schema}'s compute types. */
  public ValuesSource(List<List<@Nullable Object>> rows, Schema schema) {
    this.rows = List.copyOf(rows);
    this.types = new DataType[schema.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = schema.field(i).type().computeType();
    }
  }

  @Override
  public List<Morsel> morsels(QueryContext query) {
    close();
    if (rows.isEmpty()) {
      return List.of();
    }
    Chunk c = build(query);
    chunk = c;
    return List.of(new Morsel(0, 0, 0, c.rows(), c.bytes(), null));
  }

  private Chunk build(QueryContext query) {
    int n = rows.size();
    long[] utf8 = new long[types.length];
    boolean[] nullable = new boolean[types.length];
    for (List<@Nullable Object> r : rows) {
      for (int c = 0; c < types.length; c++) {
        Object v = r.get(c);
        nullable[c] |= v == null;
        if (v != null && types[c].kind() == DataType.Kind.UTF8) {
          utf8[c] += v.toString().getBytes(StandardCharsets.UTF_8).length;
        }
      }
    }
    Chunk out = Chunk.allocate(types, n, utf8, nullable, query.resultConsumer());
    try {
      for (int c = 0; c < types.length; c++) {
        write(out.column(c), c);
      }
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  private void write(Vec vec, int c) {
    MemorySegment values = vec.values();
    MemorySegment validity = vec.validity();
    DataType t = types[c];
    long at = 0;
    for (int r = 0; r < rows.size(); r++) {
      Object v = rows.get(r).get(c);
      if (v != null && validity != null) {
        Validity.set(validity, r, true);
      }
      switch (t.kind()) {
        case BOOL -> {
          if (v != null && (Boolean) v) {
            Validity.set(values, r, true);
          }
        }
        case INT32 -> values.setAtIndex(ArrowLayout.INT32, r, v == null ? 0 : (Integer) v);
        case DATE32 ->
            values.setAtIndex(
                ArrowLayout.INT32, r, v == null ? 0 : (int) ((LocalDate) v).toEpochDay());
        case INT64 -> values.setAtIndex(ArrowLayout.INT64, r, v == null ? 0 : (Long) v);
        case FLOAT64 -> values.setAtIndex(ArrowLayout.FLOAT64, r, v == null ? 0 : (Double) v);
        case DECIMAL ->
            values.setAtIndex(
                ArrowLayout.INT64,
                r,
                v == null
                    ? 0
                    : ((BigDecimal) v)
                        .setScale(t.scale(), RoundingMode.HALF_UP)
                        .unscaledValue()
                        .longValueExact());
        case TIMESTAMP ->
            values.setAtIndex(
                ArrowLayout.INT64,
                r,
                v == null ? 0 : ChronoUnit.MICROS.between(Instant.EPOCH, (Instant) v));
        case UTF8 -> {
          if (v != null) {
            byte[] b = v.toString().getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(
                b, 0, Objects.requireNonNull(vec.data()), ValueLayout.JAVA_BYTE, at, b.length);
            at += b.length;
          }
          values.setAtIndex(ArrowLayout.INT32, r + 1L, (int) at);
        }
        default -> throw new IllegalArgumentException("constant rows of type " + t);
      }
    }
  }

  @Override
  public Batch read(Morsel morsel, Worker worker) {
    Chunk c = Objects.requireNonNull(chunk, "values source read before morsels()");
    stats.record(c.rows(), c.rows(), 0);
    return c.asBatch();
  }

  @Override
  public boolean ordered() {
    return true;
  }

  @Override
  public String describe() {
    return "Values (" + rows.size() + (rows.size() == 1 ? " row)" : " rows)");
  }

  @Override
  public OpStats stats() {
    return stats;
  }

  /** Frees the chunk. Idempotent. */
  @Override
  public void close() {
    Chunk c = chunk;
    chunk = null;
    if (c != null) {
      c.close();
    }
  }
}
