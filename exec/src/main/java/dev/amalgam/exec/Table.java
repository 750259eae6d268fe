package dev.amalgam.exec;

import dev.amalgam.exec.store.RowGroup;
import dev.amalgam.exec.store.TableData;
import dev.amalgam.memory.Device;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A named, immutable table in the engine's catalog: a schema and row groups placed on the fused
 * device's members. Its memory belongs to the engine and is freed when it is dropped or the engine
 * closes.
 */
public final class Table {
  private final TableData data;

  Table(TableData data) {
    this.data = data;
  }

  /** The name. */
  public String name() {
    return data.name();
  }

  /** The schema (storage types). */
  public Schema schema() {
    return data.schema();
  }

  /** Rows. */
  public long rowCount() {
    return data.rowCount();
  }

  /** Row groups. */
  public int rowGroupCount() {
    return data.rowGroups().size();
  }

  /** Bytes of the table's buffers. */
  public long bytes() {
    return data.bytes();
  }

  /** The placement policy applied, e.g. {@code round-robin} or {@code replicated (auto)}. */
  public String placement() {
    return data.placement();
  }

  /** Row groups per device they were placed on (a replicated row group counts on each). */
  public Map<String, Integer> rowGroupsByDevice() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (RowGroup g : data.rowGroups()) {
      for (Device d : g.homes()) {
        out.merge(d.name(), 1, Integer::sum);
      }
    }
    return out;
  }

  /** The stored data (for the engine's planner and the I/O module). */
  public TableData data() {
    return data;
  }

  /** Column names. */
  public List<String> columnNames() {
    return data.schema().names();
  }

  @Override
  public String toString() {
    return "table "
        + name()
        + " "
        + schema()
        + ": "
        + rowCount()
        + " rows in "
        + rowGroupCount()
        + " row groups, "
        + placement()
        + " "
        + rowGroupsByDevice();
  }
}
