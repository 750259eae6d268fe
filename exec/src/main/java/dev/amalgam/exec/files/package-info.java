/**
 * Files in SQL: the service interface through which {@code SELECT * FROM 'trades.parquet'}, {@code
 * read_csv('...')} and {@code COPY ... TO 'out.arrow'} reach file formats that live in other
 * modules.
 *
 * <pre>
 *  SQL text ──▶ dev.amalgam.exec.sql (finds file references, keeps line:column)
 *                   │ FileFormats.forPath / named       (java.util.ServiceLoader)
 *                   ▼
 *  TableFileFormat ──open──▶ FileSource ──load(FileScan)──▶ Table (temporary, dropped after the
 *        │                   (schema first)   (columns and                 statement)
 *        └──write(Result, path, FileOptions)   filters pushed down)
 * </pre>
 *
 * <p>The exec module holds only these interfaces; the formats (Arrow IPC, Arrow stream, CSV,
 * Parquet) are implemented in the arrow-io module and registered in its {@code
 * META-INF/services/dev.amalgam.exec.files.TableFileFormat}.
 */
@NullMarked
package dev.amalgam.exec.files;

import org.jspecify.annotations.NullMarked;
