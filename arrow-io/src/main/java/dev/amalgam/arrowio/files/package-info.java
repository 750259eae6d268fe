/**
 * The formats of this module as SQL file formats ({@link dev.amalgam.exec.files.TableFileFormat}
 * services): {@code SELECT * FROM 'x.arrow' | 'x.arrows' | 'x.csv' | 'x.csv.gz' | 'x.parquet'},
 * {@code read_arrow / read_arrows / read_csv / read_parquet('...', options)} and {@code COPY ... TO
 * 'x.arrow' | 'x.arrows' | 'x.csv'}. Arrow IPC files are mapped (no copy), streams and CSV are
 * loaded whole when opened, Parquet is opened by its footer and read with the statement's columns
 * and filters (row groups skipped by statistics).
 */
@NullMarked
package dev.amalgam.arrowio.files;

import org.jspecify.annotations.NullMarked;
