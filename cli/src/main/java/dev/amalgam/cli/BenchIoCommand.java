package dev.amalgam.cli;

import dev.amalgam.arrowio.arrow.ArrowCData;
import dev.amalgam.arrowio.arrow.ArrowIpc;
import dev.amalgam.arrowio.arrow.ArrowLoad;
import dev.amalgam.bench.io.FileLoadBench;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Result;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.duckdb.DuckDBConnection;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code amalgam bench io}: loading data, next to the physical limit and DuckDB in the same
 * process. Each section appends measurements to one list; sections for other formats add theirs to
 * {@link #SECTIONS}.
 */
@Command(
    name = "io",
    aliases = "io-files",
    mixinStandardHelpOptions = true,
    description = {
      "Open-and-scan of a large Arrow IPC file through the memory mapping, next to a plain",
      "sequential read of the same file (the limit) and DuckDB scanning the same Arrow data;",
      "CSV (plain, gzip) and Parquet (snappy, zstd) load rates next to DuckDB loading the same",
      "files; and SELECT ... FROM 'file.parquet' next to DuckDB's read_parquet. All in-process."
    })
public final class BenchIoCommand implements Callable<Integer> {
  /**
   * One measurement.
   *
   * @param name what was measured
   * @param bytes bytes processed
   * @param seconds median seconds
   * @param duckdbSeconds median seconds of DuckDB doing the same, or null
   * @param note how it was measured
   */
  public record Measurement(
      String name, long bytes, double seconds, @Nullable Double duckdbSeconds, String note) {
    double gbps() {
      return bytes / seconds / 1e9;
    }
  }

  /**
   * Settings every section sees.
   *
   * @param dir a temporary directory for files
   * @param sizeBytes size of the large Arrow file
   * @param repetitions timed runs per measurement
   * @param rows rows of the generated CSV and Parquet files
   * @param topology the preset topology of the CSV and Parquet engine
   */
  public record Settings(Path dir, long sizeBytes, int repetitions, long rows, String topology) {}

  /** A group of measurements (a format). */
  public interface Section {
    /** Runs the measurements and appends them. */
    void run(Settings settings, List<Measurement> out) throws Exception;
  }

  /** The sections run, in order; other formats append theirs here. */
  static final List<Section> SECTIONS = List.of(new ArrowSection(), new FilesSection());

  @Option(
      names = "--size-mb",
      defaultValue = "1024",
      description = "Size of the generated Arrow file in MiB (default: ${DEFAULT-VALUE}).")
  long sizeMb = 1024;

  @Option(
      names = "--repetitions",
      defaultValue = "3",
      description =
          "Timed runs per measurement; the median is reported (default: ${DEFAULT-VALUE}).")
  int repetitions = 3;

  @Option(names = "--json", description = "One JSON object per measurement.")
  boolean json;

  @Option(
      names = "--rows",
      defaultValue = "2000000",
      paramLabel = "N",
      description = "Rows of the generated CSV and Parquet files (default: ${DEFAULT-VALUE}).")
  long rows = 2_000_000;

  @Option(
      names = "--topology",
      defaultValue = "fused-pair",
      description =
          "Preset topology of the engine loading CSV and Parquet (default: ${DEFAULT-VALUE}).")
  String topology = "fused-pair";

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("amalgam-bench-io");
    List<Measurement> out = new ArrayList<>();
    try {
      Settings s = new Settings(dir, sizeMb << 20, Math.max(1, repetitions), rows, topology);
      for (Section section : SECTIONS) {
        section.run(s, out);
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
    print(out, json, System.out);
    return 0;
  }

  static void print(List<Measurement> ms, boolean json, PrintStream out) {
    if (json) {
      for (Measurement m : ms) {
        StringBuilder sb = new StringBuilder();
        sb.append(
            String.format(
                Locale.ROOT,
                "{\"name\":\"%s\",\"gbps\":%.3f,\"seconds\":%.4f,\"bytes\":%d",
                m.name(),
                m.gbps(),
                m.seconds(),
                m.bytes()));
        if (m.duckdbSeconds() != null) {
          double duck = m.bytes() / m.duckdbSeconds() / 1e9;
          sb.append(
              String.format(
                  Locale.ROOT, ",\"duckdb_gbps\":%.3f,\"vs_duckdb\":%.3f", duck, m.gbps() / duck));
        }
        sb.append(",\"note\":\"").append(m.note().replace("\"", "'")).append("\"}");
        out.println(sb);
      }
      return;
    }
    out.println(
        "bench io (medians; files are in the page cache; GB/s are file bytes per second,"
            + " compressed bytes for gzip and Parquet; other processes share this machine's CPUs)");
    out.printf(
        Locale.ROOT,
        "%-40s %10s %10s %12s %10s%n",
        "measurement",
        "GB/s",
        "seconds",
        "DuckDB GB/s",
        "vs DuckDB");
    for (Measurement m : ms) {
      String duck = "";
      String ratio = "";
      if (m.duckdbSeconds() != null) {
        double d = m.bytes() / m.duckdbSeconds() / 1e9;
        duck = String.format(Locale.ROOT, "%.2f", d);
        ratio = String.format(Locale.ROOT, "%.2fx", m.gbps() / d);
      }
      out.printf(
          Locale.ROOT,
          "%-40s %10.2f %10.4f %12s %10s%n",
          m.name(),
          m.gbps(),
          m.seconds(),
          duck,
          ratio);
    }
    for (Measurement m : ms) {
      out.println("  " + m.name() + ": " + m.note());
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  /**
   * CSV and Parquet: files written by DuckDB, loaded by both engines ({@link FileLoadBench}), and
   * one SQL query over the Parquet file in both.
   */
  static final class FilesSection implements Section {
    @Override
    public void run(Settings s, List<Measurement> out) {
      for (FileLoadBench.Measurement m :
          FileLoadBench.measure(
              new FileLoadBench.Config(s.rows(), s.repetitions(), s.topology()))) {
        String note =
            m.name().startsWith("sql ")
                ? String.format(
                    Locale.ROOT,
                    "engine.execute(\"%s\") on %s vs DuckDB's read_parquet of the same file"
                        + " (reading the file is part of both); sequential read %.2f GB/s; the"
                        + " file's load in one run: %s",
                    FileLoadBench.SQL_QUERY.formatted("'lineitem-zstd.parquet'"),
                    s.topology(),
                    m.bytes() / m.readSeconds() / 1e9,
                    m.detail())
                : String.format(
                    Locale.ROOT,
                    "%d rows (lineitem-like, 9 columns) written by DuckDB; load into a table on %s"
                        + " vs DuckDB CREATE TABLE AS SELECT * FROM read_%s; sequential read %.2f"
                        + " GB/s",
                    s.rows(),
                    s.topology(),
                    m.name().startsWith("csv") ? "csv" : "parquet",
                    m.bytes() / m.readSeconds() / 1e9);
        out.add(
            new Measurement(
                (m.name().startsWith("sql ") ? "" : "load ") + m.name(),
                m.bytes(),
                m.seconds(),
                m.duckSeconds(),
                note));
      }
    }
  }

  /**
   * Arrow IPC: the mapped open-and-scan, the sequential-read limit, and DuckDB on the same data.
   */
  static final class ArrowSection implements Section {
    private static final String SCAN = "SELECT sum(id), sum(x), sum(k) FROM %s";

    @Override
    public void run(Settings s, List<Measurement> out) throws Exception {
      Path file = s.dir().resolve("bench.arrow");
      long rows = generate(file, s.sizeBytes());
      long bytes = Files.size(file);
      // the limit: read the file sequentially into one reused buffer
      List<Double> read = new ArrayList<>();
      ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20);
      for (int i = 0; i < s.repetitions() + 1; i++) {
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
          while (ch.read(buf) >= 0) {
            buf.clear();
          }
        }
        if (i > 0) {
          read.add((System.nanoTime() - t0) * 1e-9);
        }
      }
      out.add(
          new Measurement(
              "arrow-ipc sequential read (limit)",
              bytes,
              median(read),
              null,
              "FileChannel.read of the whole file into an 8 MiB buffer"));
      List<Double> open = new ArrayList<>();
      List<Double> scan = new ArrayList<>();
      List<Double> duck = new ArrayList<>();
      String summary = "";
      try (Engine engine = Engine.open("cpu");
          BufferAllocator allocator = new RootAllocator();
          Connection conn = DriverManager.getConnection("jdbc:duckdb:")) {
        Object expected = null;
        for (int i = 0; i < s.repetitions() + 1; i++) {
          long t0 = System.nanoTime();
          ArrowLoad load = ArrowIpc.open(engine, file, "t");
          long t1 = System.nanoTime();
          Result r = engine.sql(String.format(SCAN, "t")).execute();
          long t2 = System.nanoTime();
          if (i == 0) {
            // warm-up: let the JIT compile the scan and aggregation before anything is timed
            for (int w = 0; w < 5; w++) {
              engine.sql(String.format(SCAN, "t")).execute();
            }
          }
          summary = load.summary();
          expected = r.get(0, 0);
          // DuckDB scans the same mapped buffers through the C Data Interface
          long d0 = System.nanoTime();
          Object got;
          try (ArrowArrayStream cs = ArrowArrayStream.allocateNew(allocator)) {
            ArrowCData.exportStream(
                engine.catalogTable("t"), MemorySegment.ofAddress(cs.memoryAddress()));
            ((DuckDBConnection) conn).registerArrowStream("v", cs);
            try (Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery(String.format(SCAN, "v"))) {
              rs.next();
              got = rs.getLong(1);
            }
          }
          long d1 = System.nanoTime();
          if (!String.valueOf(got).equals(String.valueOf(expected))) {
            throw new IllegalStateException(
                "DuckDB's sum(id) " + got + " differs from " + expected);
          }
          engine.dropTable("t");
          if (i > 0) {
            open.add((t1 - t0) * 1e-9);
            scan.add((t2 - t0) * 1e-9);
            duck.add((d1 - d0) * 1e-9);
          }
        }
      }
      out.add(
          new Measurement(
              "arrow-ipc open (mmap)",
              bytes,
              median(open),
              null,
              "ArrowIpc.open: footer and metadata parsed, buffers mapped as regions; " + summary));
      out.add(
          new Measurement(
              "arrow-ipc open+scan (mmap, cpu)",
              bytes,
              median(scan),
              median(duck),
              String.format(
                  Locale.ROOT,
                  "%d rows; %s on topology cpu (host only), after a JIT warm-up; DuckDB: the same"
                      + " mapped buffers exported through ArrowCData and registered as a view",
                  rows,
                  SCAN.formatted("t"))));
    }

    /** Writes about {@code size} bytes of (id int64, x float64, k int32) in batches of 1Mi rows. */
    static long generate(Path file, long size) throws IOException {
      int batch = 1 << 20;
      long rows = Math.max(batch, size / 20 / batch * batch);
      try (BufferAllocator a = new RootAllocator();
          BigIntVector id = new BigIntVector("id", a);
          Float8Vector x = new Float8Vector("x", a);
          IntVector k = new IntVector("k", a);
          VectorSchemaRoot root = VectorSchemaRoot.of(id, x, k);
          FileChannel ch =
              FileChannel.open(
                  file,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.TRUNCATE_EXISTING,
                  StandardOpenOption.WRITE);
          ArrowFileWriter w = new ArrowFileWriter(root, null, ch, Map.of())) {
        w.start();
        for (long start = 0; start < rows; start += batch) {
          id.allocateNew(batch);
          x.allocateNew(batch);
          k.allocateNew(batch);
          for (int i = 0; i < batch; i++) {
            long v = start + i;
            id.set(i, v);
            x.set(i, v * 0.5);
            k.set(i, (int) (v % 1000));
          }
          root.setRowCount(batch);
          w.writeBatch();
        }
        w.end();
      }
      return rows;
    }
  }
}
