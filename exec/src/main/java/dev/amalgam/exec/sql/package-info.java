/**
 * The SQL front end: {@link dev.amalgam.exec.sql.SqlFrontEnd} parses and validates SQL with Apache
 * Calcite against the engine's catalog, removes and decorrelates subqueries, and lowers the
 * relational plan to the engine's logical plan through the fluent query API.
 *
 * <pre>
 *   SQL text --parse/validate--> SqlNode --SqlToRelConverter--> RelNode
 *     --HepPlanner (subqueries -> correlates), RelDecorrelator, HepPlanner (joins, semi-joins)-->
 *   RelNode --RelLowering + RexTranslator--> Query (PlanNode) --Optimizer--> pipelines
 * </pre>
 */
@NullMarked
package dev.amalgam.exec.sql;

import org.jspecify.annotations.NullMarked;
