package dev.amalgam.exec.sql;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.Statistic;
import org.apache.calcite.schema.Statistics;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.jspecify.annotations.Nullable;

/** The engine's catalog as a Calcite schema: one table per engine table, row types mapped. */
final class CatalogSchema extends AbstractSchema {
  private final Map<String, Table> tables = new LinkedHashMap<>();

  CatalogSchema(Engine engine, Map<String, FileTable> files) {
    for (String name : engine.tableNames()) {
      dev.amalgam.exec.Table t = engine.catalogTable(name);
      tables.put(name, new CatalogTable(name, t.schema(), t));
    }
    tables.putAll(files);
  }

  @Override
  protected Map<String, Table> getTableMap() {
    return tables;
  }

  /** One engine table; {@link #name()} is its catalog name. */
  static final class CatalogTable extends AbstractTable {
    private final String name;
    private final Schema schema;
    private final Statistic statistic;
    private final dev.amalgam.exec.Table table;

    CatalogTable(String name, Schema schema, dev.amalgam.exec.Table table) {
      this.name = name;
      this.schema = schema;
      this.table = table;
      // the row count drives join ordering and the choice of the build side
      this.statistic = Statistics.of(table.rowCount(), List.of());
    }

    /** Estimated distinct values of column {@code ordinal}, -1 when unknown. */
    double distinctCount(int ordinal) {
      return table.data().distinctCount(ordinal);
    }

    @Override
    public Statistic getStatistic() {
      return statistic;
    }

    String name() {
      return name;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory f) {
      return rowType(f, schema);
    }
  }

  /**
   * A file read by the statement: planned with the file's schema; {@link #loaded} names the engine
   * table it was loaded into (perhaps with fewer columns) once the plan is known.
   */
  static final class FileTable extends AbstractTable {
    private final String identifier;
    private final Schema schema;
    private @Nullable String tableName;
    private @Nullable Schema loadedSchema;

    FileTable(String identifier, Schema schema) {
      this.identifier = identifier;
      this.schema = schema;
    }

    /** The identifier the statement's text names it by. */
    String identifier() {
      return identifier;
    }

    /** The file's schema. */
    Schema schema() {
      return schema;
    }

    void loaded(String name, Schema loaded) {
      this.tableName = name;
      this.loadedSchema = loaded;
    }

    /** The engine table holding the file's rows, or null before it is loaded. */
    @Nullable String tableName() {
      return tableName;
    }

    /** The loaded table's schema (the file's columns the plan uses), or null. */
    @Nullable Schema loadedSchema() {
      return loadedSchema;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory f) {
      return rowType(f, schema);
    }
  }

  static RelDataType rowType(RelDataTypeFactory f, Schema schema) {
    RelDataTypeFactory.Builder b = f.builder();
    for (Field field : schema.fields()) {
      b.add(field.name(), f.createTypeWithNullability(sqlType(f, field.type()), field.nullable()));
    }
    return b.build();
  }

  /** The SQL type of an engine type. */
  static RelDataType sqlType(RelDataTypeFactory f, DataType t) {
    return switch (t.kind()) {
      case BOOL -> f.createSqlType(SqlTypeName.BOOLEAN);
      case INT8 -> f.createSqlType(SqlTypeName.TINYINT);
      case INT16 -> f.createSqlType(SqlTypeName.SMALLINT);
      case INT32 -> f.createSqlType(SqlTypeName.INTEGER);
      case INT64 -> f.createSqlType(SqlTypeName.BIGINT);
      case FLOAT32 -> f.createSqlType(SqlTypeName.REAL);
      case FLOAT64 -> f.createSqlType(SqlTypeName.DOUBLE);
      case DECIMAL -> f.createSqlType(SqlTypeName.DECIMAL, t.precision(), t.scale());
      case DATE32 -> f.createSqlType(SqlTypeName.DATE);
      case TIMESTAMP -> f.createSqlType(SqlTypeName.TIMESTAMP);
      case UTF8, DICTIONARY_UTF8 -> f.createSqlType(SqlTypeName.VARCHAR);
    };
  }
}
