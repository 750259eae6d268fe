package dev.amalgam.exec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An ordered list of uniquely named fields.
 *
 * @param fields the fields
 */
public record Schema(List<Field> fields) {
  /** Copies the list and checks that names are unique. */
  public Schema {
    fields = List.copyOf(Objects.requireNonNull(fields, "fields is null"));
    Set<String> names = new HashSet<>();
    for (Field f : fields) {
      if (!names.add(f.name())) {
        throw new IllegalArgumentException("duplicate column name '" + f.name() + "' in " + fields);
      }
    }
  }

  /** A schema of the given fields. */
  public static Schema of(Field... fields) {
    return new Schema(List.of(fields));
  }

  /** Number of columns. */
  public int size() {
    return fields.size();
  }

  /** Field {@code i}. */
  public Field field(int i) {
    return fields.get(i);
  }

  /** The field named {@code name}. */
  public Field field(String name) {
    return fields.get(indexOf(name));
  }

  /**
   * The index of the field named {@code name}.
   *
   * @throws IllegalArgumentException naming the column and listing the ones that exist
   */
  public int indexOf(String name) {
    int i = find(name);
    if (i < 0) {
      throw new IllegalArgumentException(
          "column '"
              + name
              + "' not found; columns are: "
              + names().stream().collect(Collectors.joining(", ")));
    }
    return i;
  }

  /** The index of the field named {@code name}, or -1. */
  public int find(String name) {
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The column names in order. */
  public List<String> names() {
    List<String> out = new ArrayList<>(fields.size());
    for (Field f : fields) {
      out.add(f.name());
    }
    return out;
  }

  @Override
  public String toString() {
    return fields.stream().map(Field::toString).collect(Collectors.joining(", ", "(", ")"));
  }
}
