package dev.amalgam.exec.sql;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.Engine;
import dev.amalgam.exec.Field;
import dev.amalgam.exec.Schema;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;

/** The engine's catalog as a Calcite schema: one table per engine table, row types mapped. */
final class CatalogSchema extends AbstractSchema {
  private final Map<String, Table> tables = new LinkedHashMap<>();

  CatalogSchema(Engine engine) {
    for (String name : engine.tableNames()) {
      tables.put(name, new CatalogTable(name, engine.catalogTable(name).schema()));
    }
  }

  @Override
  protected Map<String, Table> getTableMap() {
    return tables;
  }

  /** One engine table; {@link #name()} is its catalog name. */
  static final class CatalogTable extends AbstractTable {
    private final String name;
    private final Schema schema;

    CatalogTable(String name, Schema schema) {
      this.name = name;
      this.schema = schema;
    }

    String name() {
      return name;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory f) {
      RelDataTypeFactory.Builder b = f.builder();
      for (Field field : schema.fields()) {
        b.add(
            field.name(), f.createTypeWithNullability(sqlType(f, field.type()), field.nullable()));
      }
      return b.build();
    }
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
