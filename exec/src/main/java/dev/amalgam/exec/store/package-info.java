/**
 * Tables in unified memory: each row group's column buffers are {@link dev.amalgam.memory.Region}s
 * placed on a member of the fused device.
 *
 * <pre>
 *  TableData ── RowGroup[0] (home gpu0) ── ColumnChunk a: values | validity
 *            │                         └── ColumnChunk s: offsets | data | validity
 *            └─ RowGroup[1] (home gpu1) ── ...
 *  dictionary<utf8> columns: indices per chunk, one dictionary per table column (read-mostly)
 * </pre>
 *
 * A row group is cut into morsels of {@link dev.amalgam.exec.store.TableData#morselRows()} rows,
 * chosen so that every fixed-width buffer's bytes of a morsel lie within one page: a pinned morsel
 * is then one zero-copy segment per buffer. Only utf8 data (and offsets that straddle a page) may
 * need staging into a contiguous scratch buffer.
 */
@NullMarked
package dev.amalgam.exec.store;

import org.jspecify.annotations.NullMarked;
