/**
 * The engine and its query API: open an {@link dev.amalgam.exec.Engine} on a topology, build tables
 * ({@link dev.amalgam.exec.TableBuilder}) that are placed across the fused device's members, and
 * query them with {@link dev.amalgam.exec.Query}; results come back as {@link
 * dev.amalgam.exec.Result}. Sub-packages: {@code expr} (expressions users build), {@code plan}
 * (binding, the logical plan, the optimizer and lowering), {@code run} (vectors, operators,
 * pipelines, the scheduler), {@code store} (tables in unified memory).
 */
@NullMarked
package dev.amalgam.exec;

import org.jspecify.annotations.NullMarked;
