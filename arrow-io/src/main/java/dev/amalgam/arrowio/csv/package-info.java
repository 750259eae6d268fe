/**
 * CSV import: {@link dev.amalgam.arrowio.csv.Csv#read} loads a file (plain or gzip) into an engine
 * table with a given schema or types inferred from a sample, and reports or rejects the rows that
 * do not parse.
 *
 * <p>The parser is this package's own, over bytes: a file is read in 4 MiB blocks that end at a
 * record boundary (one pass of a small quote-aware state machine), blocks are tokenized and their
 * fields parsed straight into typed column arrays on several threads, and the arrays go to the
 * table through {@link dev.amalgam.exec.TableBuilder#addBatch} in file order. No string is made for
 * a number, a decimal or an ISO date; strings are copied once into the column's bytes.
 */
@NullMarked
package dev.amalgam.arrowio.csv;

import org.jspecify.annotations.NullMarked;
