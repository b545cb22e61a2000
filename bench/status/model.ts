import { z } from 'zod';

/**
 * The document `geobench status --json` prints (docs/status.md): one schema's tables, materialized
 * views, indexes, partition trees, pg_cron jobs and migrations, as read from the catalogs. Every
 * report is validated against this schema before it is printed. Sizes are bytes; timestamps are
 * ISO 8601 UTC strings; a row estimate is `null` when PostgreSQL has none (reltuples = -1: never
 * vacuumed or analyzed).
 */
export const STATUS_FORMAT = 'geobench-status/1';

const bytes = z.number().int().nonnegative();
const timestamp = z.iso.datetime({ offset: true });
/** pg_class.reltuples, rounded; null = unknown (-1, never analyzed). */
const rowEstimate = z.number().int().nonnegative().nullable();

export const TableStatusSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(['table', 'partitioned table']),
  /** Leaf partitions (0 for a plain table). */
  partitions: z.number().int().nonnegative(),
  /** Main fork plus free-space and visibility maps (summed over the partitions). */
  heapBytes: bytes,
  /** TOAST table and its index. */
  toastBytes: bytes,
  indexBytes: bytes,
  /** heap + toast + indexes. */
  totalBytes: bytes,
  /** Sum of the known estimates of the leaves; null when none is known. */
  rowEstimate,
  /** false when some leaf partition has no estimate (then rowEstimate is a lower bound). */
  rowEstimateComplete: z.boolean(),
});

export const LastRefreshSchema = z.strictObject({
  /** When the last refresh finished, or null when unknown. */
  at: timestamp.nullable(),
  /** Where `at` comes from: the schema's mv_refresh_log table, or nowhere (PostgreSQL records no refresh time). */
  source: z.enum(['mv_refresh_log', 'unknown']),
  /** The log row's `status` column as text, when the log has one. */
  status: z.string().nullable(),
});

export const MaterializedViewStatusSchema = z.strictObject({
  name: z.string(),
  /** false = created WITH NO DATA or never refreshed: reading it fails. */
  populated: z.boolean(),
  rowEstimate,
  heapBytes: bytes,
  indexBytes: bytes,
  totalBytes: bytes,
  lastRefresh: LastRefreshSchema,
});

export const IndexStatusSchema = z.strictObject({
  /** The top-level table or materialized view the index belongs to. */
  table: z.string(),
  /** The relation it is defined on: `table`, or a partition for an index local to one partition. */
  on: z.string(),
  name: z.string(),
  /** Access method: btree, gist, brin, … */
  method: z.string(),
  unique: z.boolean(),
  primary: z.boolean(),
  /** false = an interrupted CREATE INDEX CONCURRENTLY left it unusable. */
  valid: z.boolean(),
  /** For a partitioned index: the sum of its leaf index partitions. */
  bytes,
  /** Leaf index partitions summed (0 for a plain index). */
  partitions: z.number().int().nonnegative(),
  /** pg_get_indexdef. */
  definition: z.string(),
});

export const PartitionStatusSchema = z.strictObject({
  name: z.string(),
  parent: z.string(),
  /** 1 = a direct partition of the root. */
  level: z.number().int().positive(),
  isLeaf: z.boolean(),
  /** pg_get_expr(relpartbound): `FOR VALUES FROM (…) TO (…)`, `DEFAULT`, … (timestamps in UTC). */
  bound: z.string().nullable(),
  rowEstimate,
  totalBytes: bytes,
});

export const PartitionTreeSchema = z.strictObject({
  table: z.string(),
  /** pg_get_partkeydef, e.g. `RANGE (created_at)`. */
  key: z.string(),
  /** Depth first; siblings by name, DEFAULT last. */
  partitions: z.array(PartitionStatusSchema),
});

export const CronRunSchema = z.strictObject({
  runid: z.number().int(),
  /** pg_cron's status: starting, running, sending, connecting, succeeded, failed. */
  status: z.string().nullable(),
  start: timestamp.nullable(),
  end: timestamp.nullable(),
  returnMessage: z.string().nullable(),
});

export const CronJobSchema = z.strictObject({
  jobid: z.number().int(),
  name: z.string().nullable(),
  schedule: z.string(),
  command: z.string(),
  database: z.string(),
  username: z.string(),
  active: z.boolean(),
  /** Runs recorded in cron.job_run_details, and how many of them failed. */
  runs: z.number().int().nonnegative(),
  failedRuns: z.number().int().nonnegative(),
  lastRun: CronRunSchema.nullable(),
});

export const CronStatusSchema = z.strictObject({
  /** false when the server has no cron schema (pg_cron not installed in this database). */
  installed: z.boolean(),
  /** Why jobs could not be listed (`pg_cron not installed`, a permission error), else null. */
  note: z.string().nullable(),
  /** Jobs named `<schema>:…` or whose command names the schema. */
  jobs: z.array(CronJobSchema),
});

export const MigrationStatusSchema = z.strictObject({
  tag: z.string(),
  file: z.string(),
  state: z.enum(['applied', 'pending', 'edited', 'unknown']),
  appliedAt: timestamp.nullable(),
  durationMs: z.number().nonnegative().nullable(),
});

export const StatusReportSchema = z.strictObject({
  format: z.literal(STATUS_FORMAT),
  generatedAt: timestamp,
  schema: z.string(),
  server: z.strictObject({
    /** The connection as displayed everywhere in geobench: never with a password. */
    target: z.string(),
    database: z.string(),
    version: z.string(),
    /** Installed versions of postgis, pg_cron, pg_partman (null = not installed). */
    extensions: z.record(z.string(), z.string().nullable()),
  }),
  dataset: z.strictObject({
    status: z.enum(['complete', 'incomplete']),
    scale: z.number(),
    seed: z.number().int(),
    totalRows: z.number().int().nonnegative(),
    completedAt: timestamp.nullable(),
  }).nullable(),
  /** Top-level tables (partitions are summed into their root), largest first. */
  tables: z.array(TableStatusSchema),
  materializedViews: z.array(MaterializedViewStatusSchema),
  /** By table, then name; includes the materialized views' indexes. */
  indexes: z.array(IndexStatusSchema),
  partitionTrees: z.array(PartitionTreeSchema),
  /** The functions of `<schema>_api` (OPT3's RPC functions). */
  api: z.strictObject({
    schema: z.string(),
    exists: z.boolean(),
    functions: z.array(z.strictObject({ name: z.string(), arguments: z.string() })),
  }),
  cron: CronStatusSchema,
  /** Baseline first, then sql/'s migrations in order, then ledger rows sql/ does not know. */
  migrations: z.array(MigrationStatusSchema),
  /** Things the reader should know (an incomplete dataset, an unreadable refresh log, …). */
  warnings: z.array(z.string()),
});

export type StatusReport = z.infer<typeof StatusReportSchema>;
export type TableStatus = z.infer<typeof TableStatusSchema>;
export type MaterializedViewStatus = z.infer<typeof MaterializedViewStatusSchema>;
export type IndexStatus = z.infer<typeof IndexStatusSchema>;
export type PartitionStatus = z.infer<typeof PartitionStatusSchema>;
export type PartitionTree = z.infer<typeof PartitionTreeSchema>;
export type CronStatus = z.infer<typeof CronStatusSchema>;
export type CronJob = z.infer<typeof CronJobSchema>;
export type MigrationStatus = z.infer<typeof MigrationStatusSchema>;
