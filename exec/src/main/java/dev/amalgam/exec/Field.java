package dev.amalgam.exec;

import java.util.Objects;

/**
 * A named, typed column of a schema.
 *
 * @param name the column name (case-sensitive; the SQL front end folds case before lookup)
 * @param type the type
 * @param nullable whether the column may hold nulls
 */
public record Field(String name, DataType type, boolean nullable) {
  /** Checks the name and type. */
  public Field {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(type, "type is null");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a field name must not be blank");
    }
  }

  /** A nullable field. */
  public static Field of(String name, DataType type) {
    return new Field(name, type, true);
  }

  /** A field that holds no nulls. */
  public static Field notNull(String name, DataType type) {
    return new Field(name, type, false);
  }

  /** The same field under another name. */
  public Field withName(String newName) {
    return new Field(newName, type, nullable);
  }

  @Override
  public String toString() {
    return name + " " + type + (nullable ? "" : " not null");
  }
}
