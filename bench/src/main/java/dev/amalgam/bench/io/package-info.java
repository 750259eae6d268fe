/** File load benchmarks: CSV and Parquet into Amalgam next to DuckDB. */
@NullMarked
package dev.amalgam.bench.io;

import org.jspecify.annotations.NullMarked;
