package dev.amalgam.arrowio.csv;

import dev.amalgam.arrowio.csv.CsvChunker.Block;
import dev.amalgam.exec.ColumnValues;
import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import dev.amalgam.exec.Table;
import dev.amalgam.exec.TableBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * A CSV load, start to end.
 *
 * <pre>
 *  file ─▶ (gunzip) ─▶ CsvChunker ─▶ blocks of whole records ─▶ BlockParser × threads
 *                     (this thread)                             (typed column buffers, bad rows)
 *                                                                        │ in file order
 *                       TableBuilder.addBatch ◀──────────────────────────┘ (this thread)
 * </pre>
 *
 * The first block also gives the header and the sample for type inference. Blocks are parsed in
 * parallel but consumed in order, so line numbers (a running sum of each block's line count) and
 * the first error are those of the file. At most {@code threads + 1} parsed blocks wait at a time.
 * Any failure closes the builder, which frees what was written: a failed load leaves no table.
 */
final class CsvReader {
  /** The schema of a rejects table. */
  static final Schema REJECTS_SCHEMA =
      Schema.of(
          Field.notNull("line", DataType.INT64),
          Field.of("column", DataType.UTF8),
          Field.notNull("text", DataType.UTF8),
          Field.notNull("reason", DataType.UTF8));

  private CsvReader() {}

  private record Header(List<String> names, int lines, int dataStart) {}

  static CsvLoad read(Engine engine, Path file, String name, CsvOptions o) {
    return read(engine, file, name, o, CsvChunker.BLOCK_BYTES);
  }

  /** A load with blocks of {@code blockBytes} (tests use small ones to cross block boundaries). */
  static CsvLoad read(Engine engine, Path file, String name, CsvOptions o, int blockBytes) {
    Objects.requireNonNull(engine, "engine is null");
    Objects.requireNonNull(file, "file is null");
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(o, "options is null");
    boolean reject = o.onError() == CsvOptions.OnError.REJECT;
    String rejectsName = name + "_rejects";
    if (engine.hasTable(name)) {
      throw new IllegalArgumentException("table '" + name + "' already exists");
    }
    if (reject && engine.hasTable(rejectsName)) {
      throw new IllegalArgumentException(
          "table '" + rejectsName + "' already exists (it would hold the rejected rows)");
    }
    long t0 = System.nanoTime();
    try (InputStream in = open(file)) {
      return load(engine, file, name, rejectsName, o, in, t0, blockBytes);
    } catch (IOException e) {
      throw CsvFormatException.at(file, 0, "cannot read: " + e.getMessage(), e);
    }
  }

  private static InputStream open(Path file) throws IOException {
    boolean gzip;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer magic = ByteBuffer.allocate(2);
      while (magic.hasRemaining() && ch.read(magic) > 0) {
        // read up to two bytes
      }
      gzip =
          magic.position() == 2 && (magic.get(0) & 0xFF) == 0x1F && (magic.get(1) & 0xFF) == 0x8B;
    }
    InputStream raw = Files.newInputStream(file);
    if (!gzip) {
      return raw;
    }
    try {
      return new GZIPInputStream(raw, 1 << 16);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  private static CsvLoad load(
      Engine engine,
      Path file,
      String name,
      String rejectsName,
      CsvOptions o,
      InputStream in,
      long t0,
      int blockBytes)
      throws IOException {
    CsvChunker chunker = new CsvChunker(in, o, blockBytes);
    List<String> notes = new ArrayList<>();
    Block first = next(chunker, file);
    CsvTokenizer tok = new CsvTokenizer(o);
    Header header = header(file, o, first, tok);
    Schema given = o.schema();

    // the sample: the first block's records after the header
    FieldParser fp = new FieldParser(o.datePattern(), o.timestampPattern());
    List<List<byte[]>> sample = new ArrayList<>();
    int sampled = 0;
    boolean sampleToEnd = true;
    int fieldCount;
    if (o.header() && !header.names().isEmpty()) {
      fieldCount = header.names().size();
    } else if (given != null) {
      fieldCount = given.size();
    } else {
      fieldCount = -1;
    }
    @Nullable Block second = null;
    if (given == null && first != null) {
      tok.reset(first.bytes(), header.dataStart(), first.end());
      Set<String> tokens = new HashSet<>(o.nullTokens());
      while (sampled < o.sampleRows()) {
        boolean more;
        try {
          more = tok.next();
        } catch (CsvTokenizer.UnterminatedQuote u) {
          break; // reported with its line when the block is parsed
        }
        if (!more) {
          break;
        }
        int n = tok.fieldCount();
        if (fieldCount < 0) {
          fieldCount = n;
        }
        sampled++;
        if (n != fieldCount) {
          continue;
        }
        while (sample.size() < n) {
          sample.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
          int len = tok.length(i);
          byte[] a = tok.array(i);
          int off = tok.offset(i);
          if (len == 0) {
            continue;
          }
          byte[] v = Arrays.copyOfRange(a, off, off + len);
          if (!tok.quoted(i)
              && !tokens.isEmpty()
              && tokens.contains(new String(v, java.nio.charset.StandardCharsets.UTF_8))) {
            continue;
          }
          sample.get(i).add(v);
        }
      }
      sampleToEnd = tok.position() >= first.end();
      if (sampleToEnd) {
        second = next(chunker, file);
      }
    }
    if (fieldCount <= 0) {
      if (first == null || header.dataStart() >= first.end()) {
        throw CsvFormatException.at(
            file,
            0,
            "file has no header and no rows: cannot tell its columns; give a schema",
            null);
      }
      fieldCount = 1;
    }

    // the schema and where each field goes
    Schema schema;
    int[] fieldToColumn = new int[fieldCount];
    boolean inferred = given == null;
    if (given != null) {
      schema = given;
      if (o.header() && !header.names().isEmpty()) {
        mapHeader(file, header.names(), given, fieldToColumn);
      } else {
        for (int i = 0; i < fieldCount; i++) {
          fieldToColumn[i] = i;
        }
      }
    } else {
      List<String> names = columnNames(header.names(), fieldCount, o.header(), notes);
      boolean wholeFile = sampleToEnd && second == null;
      List<Field> fields = new ArrayList<>();
      for (int i = 0; i < fieldCount; i++) {
        List<byte[]> values = i < sample.size() ? sample.get(i) : List.of();
        fields.add(Field.of(names.get(i), CsvInference.infer(values, fp, wholeFile)));
        fieldToColumn[i] = i;
      }
      schema = new Schema(fields);
      notes.add(
          "types inferred from "
              + sampled
              + (wholeFile ? " rows (the whole file)" : " sampled rows")
              + ": "
              + schema);
    }
    int columns = schema.size();
    DataType[] types = new DataType[columns];
    String[] names = new String[columns];
    boolean[] notNull = new boolean[columns];
    for (int c = 0; c < columns; c++) {
      types[c] = schema.field(c).type();
      names[c] = schema.field(c).name();
      notNull[c] = !schema.field(c).nullable();
    }
    String hint =
        inferred
            ? " (type inferred from " + sampled + " rows; give a schema or a larger sampleRows)"
            : "";

    boolean reject = o.onError() == CsvOptions.OnError.REJECT;
    int threads = o.threads() > 0 ? o.threads() : Runtime.getRuntime().availableProcessors();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "csv-parse");
              t.setDaemon(true);
              return t;
            });
    TableBuilder builder = engine.createTable(name, schema);
    List<@Nullable Object[]> rejected = new ArrayList<>();
    long rowsRejected = 0;
    boolean done = false;
    ArrayDeque<Future<BlockParser.Parsed>> inFlight = new ArrayDeque<>();
    try {
      if (o.rowGroupRows() > 0) {
        builder.rowGroupRows(o.rowGroupRows());
      }
      long lineBase = header.lines();
      @Nullable Block block = first;
      int blockStart = header.dataStart();
      boolean secondPending = second != null;
      while (block != null || !inFlight.isEmpty()) {
        if (block != null && inFlight.size() <= threads) {
          Block b = block;
          int s = blockStart;
          inFlight.add(
              pool.submit(
                  () ->
                      new BlockParser(o, types, names, notNull, fieldToColumn)
                          .parse(b.bytes(), s, b.end())));
          if (secondPending) {
            block = second;
            secondPending = false;
          } else {
            block = next(chunker, file);
          }
          blockStart = block == null ? 0 : block.start();
          continue;
        }
        BlockParser.Parsed p = await(Objects.requireNonNull(inFlight.poll()));
        if (!p.errors.isEmpty()) {
          if (!reject) {
            BlockParser.RowError e = p.errors.get(0);
            throw CsvFormatException.badValue(
                file,
                lineBase + e.localLine() + 1,
                e.column(),
                e.text(),
                e.reason(),
                e.column() == null ? "" : hint);
          }
          long lastLine = -1;
          for (BlockParser.RowError e : p.errors) {
            long line = lineBase + e.localLine() + 1;
            rejected.add(new Object[] {line, e.column(), e.text(), e.reason()});
            if (line != lastLine) {
              rowsRejected++;
              lastLine = line;
            }
          }
        }
        if (p.rows > 0) {
          ColumnValues[] values = new ColumnValues[columns];
          for (int c = 0; c < columns; c++) {
            values[c] = p.columns[c].values();
          }
          builder.addBatch(values);
        }
        lineBase += p.lines;
      }
      long rows = builder.rowCount();
      Table table = builder.build();
      Table rejects = null;
      if (reject) {
        try {
          rejects = engine.createTable(rejectsName, REJECTS_SCHEMA).addRows(rejected).build();
        } catch (RuntimeException e) {
          engine.dropTable(name);
          throw e;
        }
      }
      done = true;
      return new CsvLoad(
          table,
          rejects,
          rows,
          rowsRejected,
          schema,
          inferred,
          notes,
          chunker.bytesRead(),
          System.nanoTime() - t0);
    } finally {
      if (!done) {
        for (Future<?> f : inFlight) {
          f.cancel(true);
        }
        builder.close();
      }
      pool.shutdownNow();
    }
  }

  private static @Nullable Block next(CsvChunker chunker, Path file) {
    try {
      return chunker.next();
    } catch (IOException e) {
      throw CsvFormatException.at(
          file, 0, "cannot read after " + chunker.bytesRead() + " bytes: " + e.getMessage(), e);
    }
  }

  private static BlockParser.Parsed await(Future<BlockParser.Parsed> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("CSV load interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    }
  }

  private static Header header(Path file, CsvOptions o, @Nullable Block first, CsvTokenizer tok) {
    if (first == null) {
      return new Header(List.of(), 0, 0);
    }
    if (!o.header()) {
      return new Header(List.of(), 0, first.start());
    }
    tok.reset(first.bytes(), first.start(), first.end());
    try {
      if (!tok.next()) {
        return new Header(List.of(), tok.lines(), first.end());
      }
    } catch (CsvTokenizer.UnterminatedQuote u) {
      throw CsvFormatException.at(
          file, u.fieldLine + 1, "unterminated quoted field in the header", null);
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < tok.fieldCount(); i++) {
      names.add(CsvText.decode(tok.array(i), tok.offset(i), tok.length(i), 1000).strip());
    }
    return new Header(names, tok.lines(), tok.position());
  }

  /** Header names made unique and non-empty (noting each change), or column0.. without one. */
  static List<String> columnNames(
      List<String> header, int fieldCount, boolean hasHeader, List<String> notes) {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < fieldCount; i++) {
      String n = hasHeader && i < header.size() ? header.get(i) : "";
      if (n.isEmpty()) {
        n = "column" + i;
        if (hasHeader) {
          notes.add("header field " + (i + 1) + " is empty; named it '" + n + "'");
        }
      }
      String base = n;
      for (int k = 2; !seen.add(n.toLowerCase(Locale.ROOT)); k++) {
        n = base + "_" + k;
      }
      if (!n.equals(base)) {
        notes.add("header name '" + base + "' is repeated; field " + (i + 1) + " is '" + n + "'");
      }
      out.add(n);
    }
    return out;
  }

  /** Maps header fields to schema columns by name (case-insensitive). */
  private static void mapHeader(Path file, List<String> header, Schema schema, int[] out) {
    Map<String, Integer> byName = new HashMap<>();
    for (int c = 0; c < schema.size(); c++) {
      byName.put(schema.field(c).name().toLowerCase(Locale.ROOT), c);
    }
    boolean[] used = new boolean[schema.size()];
    if (header.size() != schema.size()) {
      throw CsvFormatException.at(
          file,
          1,
          "the header has "
              + header.size()
              + " fields "
              + header
              + " but the schema has "
              + schema.size()
              + " columns "
              + schema.names(),
          null);
    }
    for (int i = 0; i < header.size(); i++) {
      Integer c = byName.get(header.get(i).toLowerCase(Locale.ROOT));
      if (c == null || used[c]) {
        throw CsvFormatException.at(
            file,
            1,
            "header field "
                + (i + 1)
                + " '"
                + header.get(i)
                + "' is "
                + (c == null ? "not a column of the schema " : "repeated in the header; schema ")
                + schema.names(),
            null);
      }
      used[c] = true;
      out[i] = c;
    }
  }
}
