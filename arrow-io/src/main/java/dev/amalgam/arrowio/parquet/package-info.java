/**
 * Parquet read: {@link dev.amalgam.arrowio.parquet.Parquet#read} decodes a file with Hardwood (a
 * Parquet reader with no mandatory dependencies; snappy-java and zstd-jni add those codecs) and
 * writes each Parquet row group as one engine row group through {@link
 * dev.amalgam.exec.TableBuilder#addBatch}. Column projection, row-group selection and predicates
 * checked against row-group statistics happen before any page is read.
 */
@NullMarked
package dev.amalgam.arrowio.parquet;

import org.jspecify.annotations.NullMarked;
