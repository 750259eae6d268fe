package dev.amalgam.arrowio.files;

import dev.amalgam.arrowio.parquet.Parquet;
import dev.amalgam.arrowio.parquet.ParquetLoad;
import dev.amalgam.arrowio.parquet.ParquetOptions;
import dev.amalgam.arrowio.parquet.ParquetPredicate;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.files.FileFilter;
import dev.amalgam.exec.files.FileOptions;
import dev.amalgam.exec.files.FileScan;
import dev.amalgam.exec.files.FileSource;
import dev.amalgam.exec.files.TableFileFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parquet files: the footer gives the schema when the statement opens them; the rows are read once
 * the plan is known, with its columns and its comparisons as row-group statistics filters ({@link
 * Parquet#read}). Writing is not supported: Hardwood reads only.
 */
public final class ParquetFileFormat implements TableFileFormat {
  /** For {@link java.util.ServiceLoader}. */
  public ParquetFileFormat() {}

  @Override
  public List<String> names() {
    return List.of("parquet");
  }

  @Override
  public List<String> extensions() {
    return List.of(".parquet", ".parq");
  }

  @Override
  public FileSource open(Engine engine, Path path, String tableName, FileOptions options) {
    options.allowOnly(Set.of("threads"));
    Long threads = options.integer("threads", 1, 1024);
    Schema schema = Parquet.schema(path);
    return new FileSource() {
      private @Nullable ParquetLoad load;

      @Override
      public Schema schema() {
        return schema;
      }

      @Override
      public Table load(FileScan scan) {
        ParquetOptions.Builder b = ParquetOptions.builder();
        List<String> cols = scan.columns();
        if (cols != null) {
          b.columns(cols.toArray(String[]::new));
        }
        for (FileFilter f : scan.filters()) {
          b.filter(
              new ParquetPredicate(
                  f.column(), ParquetPredicate.Op.valueOf(f.op().name()), f.value()));
        }
        if (threads != null) {
          b.threads(threads.intValue());
        }
        ParquetLoad l = Parquet.read(engine, path, tableName, b.build());
        load = l;
        return l.table();
      }

      @Override
      public String summary() {
        ParquetLoad l = load;
        return l == null ? "not read" : l.summary();
      }
    };
  }

  @Override
  public String whyNoWrite() {
    return "writing Parquet is not supported (Hardwood, the Parquet library used here, only reads);"
        + " write .arrow, .arrows or .csv instead";
  }
}
