/**
 * Server-side evidence for a load run: pg_stat_statements and pg_stat_database deltas, relation
 * sizes, EXPLAIN plans and their summaries, server and client CPU time. Pure parsers and diffs
 * plus thin I/O that takes a connected `pg.Client`; no connection string reaches a result.
 */
export type { Unavailable } from './unavailable.ts';
export {
  countersByType, diffStatements, parseStatementRow, snapshotStatements,
  type StatementCounters, type StatementDelta, type StatementRow, type StatementsDelta, type StatementsSnapshot,
} from './statements.ts';
export { identifyStatements, queryIdOf, type StatementIds, type StatementToIdentify } from './query-ids.ts';
export {
  diffDatabaseStats, parseDatabaseRow, snapshotDatabaseStats,
  type DatabaseCounters, type DatabaseDelta, type DatabaseSnapshot,
} from './database-stats.ts';
export { assembleSizes, measureSizes, DATASET_TABLE, type IndexSize, type RelationSize, type SchemaSizes } from './sizes.ts';
export { explainAnalyze, parseExplainText } from './explain.ts';
export { planShape, summarizePlan, type ExplainJson, type ExplainResult, type PlanNode, type PlanSummary } from './plan-summary.ts';
export {
  clientCpu, clockTicksPerSecond, diffClientCpu, diffServerCpu, parseProcStat, serverTicks, snapshotClientCpu, snapshotServerCpu,
  type ClientCpuDelta, type ClientCpuSnapshot, type ProcStat, type ServerCpuDelta, type ServerCpuSnapshot,
} from './server-cpu.ts';
