/**
 * Apache Arrow in and out of the engine: IPC files and streams ({@link
 * dev.amalgam.arrowio.arrow.ArrowIpc}), Arrow Java ({@link dev.amalgam.arrowio.arrow.ArrowJava})
 * and the C Data Interface ({@link dev.amalgam.arrowio.arrow.ArrowCData}).
 *
 * <pre>
 *  file (mmap) ─ IpcFileReader ─┐                         ┌─ mapped regions (in place)
 *  stream ────── IpcStreamReader ┼─ BatchDecoder ─ Decoded ┤
 *  Arrow Java ── ArrowJava ──────┤   (checks, decompress,  └─ ColumnBuilder ─ copied regions
 *  C stream ──── CDataImport ────┘    convert)        TableAssembler ─ TableData ─ Engine.register
 *
 *  Table / Result ─ BatchSource ─ HostBatch (pinned pages, or copies) ─┬─ IpcWriter (file, stream)
 *                                                                     ├─ ArrowJava (foreign bufs)
 *                                                                     └─ CDataExport (upcalls)
 * </pre>
 *
 * Everything but the public entry points, {@code ArrowLoad}, {@code ArrowCompression} and {@code
 * ArrowFormatException} is package-private. See docs/arrow-io.md for the zero-copy rules.
 */
@NullMarked
package dev.amalgam.arrowio.arrow;

import org.jspecify.annotations.NullMarked;
