package dev.amalgam.exec.files;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Result;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.TableBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * A test format ({@code .fake}): a first line {@code name:TYPE,...} (BIGINT, DOUBLE, VARCHAR,
 * DATE), then comma-separated rows, an empty field being NULL. It records what it was asked to load
 * so that tests can check the projection and filters the SQL layer pushes down.
 */
public final class FakeFileFormat implements TableFileFormat {
  /** Every scan loaded, in order. */
  public static final Queue<FileScan> SCANS = new ConcurrentLinkedQueue<>();

  /** Names of the tables loaded, in order. */
  public static final Queue<String> TABLES = new ConcurrentLinkedQueue<>();

  @Override
  public List<String> names() {
    return List.of("fake", "pretend");
  }

  @Override
  public List<String> extensions() {
    return List.of(".fake");
  }

  @Override
  public FileSource open(Engine engine, Path path, String tableName, FileOptions options)
      throws IOException {
    options.allowOnly(Set.of("eager", "fail_load"));
    List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(path + ": line 1: no header");
    }
    List<Field> fields = new ArrayList<>();
    for (String col : lines.get(0).split(",")) {
      String[] nt = col.split(":");
      DataType t =
          switch (nt[1]) {
            case "BIGINT" -> DataType.INT64;
            case "DOUBLE" -> DataType.FLOAT64;
            case "VARCHAR" -> DataType.UTF8;
            case "DATE" -> DataType.DATE32;
            default -> throw new IllegalArgumentException(path + ": line 1: bad type " + nt[1]);
          };
      fields.add(Field.of(nt[0], t));
    }
    Schema schema = new Schema(fields);
    boolean failLoad = Boolean.TRUE.equals(options.bool("fail_load"));
    boolean eager = Boolean.TRUE.equals(options.bool("eager"));
    FileSource src =
        new FileSource() {
          @Nullable Table table;

          @Override
          public Schema schema() {
            return schema;
          }

          @Override
          public Table load(FileScan scan) {
            if (table != null) {
              return table;
            }
            if (failLoad) {
              throw new IllegalStateException(path + ": line 2: broken row");
            }
            SCANS.add(scan);
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < schema.size(); i++) {
              if (scan.columns() == null || scan.columns().contains(schema.field(i).name())) {
                keep.add(i);
              }
            }
            List<Field> kept = new ArrayList<>();
            for (int i : keep) {
              kept.add(schema.field(i));
            }
            try (TableBuilder b = engine.createTable(tableName, new Schema(kept))) {
              for (String line : lines.subList(1, lines.size())) {
                String[] v = line.split(",", -1);
                Object[] row = new Object[keep.size()];
                for (int j = 0; j < keep.size(); j++) {
                  int c = keep.get(j);
                  row[j] = value(schema.field(c).type(), v[c]);
                }
                b.addRow(row);
              }
              table = b.build();
            }
            TABLES.add(tableName);
            return table;
          }

          @Override
          public String summary() {
            return "fake rows " + (lines.size() - 1);
          }
        };
    if (eager) {
      src.load(FileScan.all());
    }
    return src;
  }

  private static @Nullable Object value(DataType t, String s) {
    if (s.isEmpty()) {
      return null;
    }
    return switch (t.kind()) {
      case INT64 -> Long.parseLong(s);
      case FLOAT64 -> Double.parseDouble(s);
      case DATE32 -> LocalDate.parse(s);
      default -> s;
    };
  }

  @Override
  public boolean canWrite() {
    return true;
  }

  @Override
  public long write(Result result, Path path, FileOptions options) throws IOException {
    options.allowOnly(Set.of("fail_write"));
    StringBuilder sb = new StringBuilder();
    Schema s = result.schema();
    for (int i = 0; i < s.size(); i++) {
      DataType t = s.field(i).type();
      String type =
          switch (t.kind()) {
            case INT8, INT16, INT32, INT64 -> "BIGINT";
            case FLOAT32, FLOAT64, DECIMAL -> "DOUBLE";
            case DATE32 -> "DATE";
            default -> "VARCHAR";
          };
      sb.append(i == 0 ? "" : ",").append(s.field(i).name()).append(':').append(type);
    }
    sb.append('\n');
    Files.writeString(path, sb);
    if (Boolean.TRUE.equals(options.bool("fail_write"))) {
      throw new IOException("disk full (simulated)");
    }
    for (Result.Row row : result) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < s.size(); i++) {
        Object v = row.get(i);
        line.append(i == 0 ? "" : ",").append(v == null ? "" : v.toString());
      }
      sb.append(line).append('\n');
    }
    Files.writeString(path, sb);
    return result.rowCount();
  }
}
