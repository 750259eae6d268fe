package dev.amalgam.exec.files;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;

/**
 * The file formats on the class path: every {@link TableFileFormat} registered in {@code
 * META-INF/services/dev.amalgam.exec.files.TableFileFormat}, loaded once.
 */
public final class FileFormats {
  /** Names of tables opened for a statement start with this (they are not listed as tables). */
  public static final String TEMPORARY_PREFIX = "$file";

  private static final class Loaded {
    static final List<TableFileFormat> ALL = load();

    private static List<TableFileFormat> load() {
      List<TableFileFormat> out = new ArrayList<>();
      for (TableFileFormat f :
          ServiceLoader.load(TableFileFormat.class, FileFormats.class.getClassLoader())) {
        out.add(f);
      }
      return List.copyOf(out);
    }
  }

  private FileFormats() {}

  /** Every format found, in class-path order. */
  public static List<TableFileFormat> all() {
    return Loaded.ALL;
  }

  /** The format whose extension {@code path} ends with, or null. */
  public static @Nullable TableFileFormat forPath(Path path) {
    Objects.requireNonNull(path, "path is null");
    TableFileFormat best = null;
    int bestLength = -1;
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    for (TableFileFormat f : all()) {
      if (!f.matches(path)) {
        continue;
      }
      int len = 0;
      for (String ext : f.extensions()) {
        if (lower.endsWith(ext)) {
          len = Math.max(len, ext.length());
        }
      }
      if (len > bestLength) {
        best = f;
        bestLength = len;
      }
    }
    return best;
  }

  /** The format with name {@code name} (case-insensitive), or null. */
  public static @Nullable TableFileFormat named(String name) {
    for (TableFileFormat f : all()) {
      for (String n : f.names()) {
        if (n.equalsIgnoreCase(name)) {
          return f;
        }
      }
    }
    return null;
  }

  /** Every extension known, for messages ({@code .arrow, .csv, ...}). */
  public static List<String> extensions() {
    List<String> out = new ArrayList<>();
    for (TableFileFormat f : all()) {
      out.addAll(f.extensions());
    }
    return out;
  }

  /** Every canonical format name, for messages. */
  public static List<String> names() {
    List<String> out = new ArrayList<>();
    for (TableFileFormat f : all()) {
      out.add(f.names().get(0));
    }
    return out;
  }
}
