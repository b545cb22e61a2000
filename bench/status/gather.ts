import type pg from 'pg';
import { GeobenchError } from '../core/errors.ts';
import { withClient } from '../db/connect.ts';
import { redact } from '../db/redact.ts';
import { assertOwnSchema } from '../db/schema.ts';
import type { DbTarget } from '../db/target.ts';
import { readManifest } from '../dataset/manifest.ts';
import type { Migration } from '../migrate/catalog.ts';
import { migrationStatus, type StatusRow } from '../migrate/runner.ts';
import {
  STATUS_FORMAT,
  StatusReportSchema,
  type CronJob,
  type CronStatus,
  type IndexStatus,
  type MaterializedViewStatus,
  type MigrationStatus,
  type PartitionStatus,
  type PartitionTree,
  type StatusReport,
  type TableStatus,
} from './model.ts';

/**
 * Reads the status of one of geobench's schemas from the catalogs (docs/status.md). Every query
 * passes the schema as a parameter; the few statements that must name a relation of the schema
 * (the refresh log) quote a name checked by assertOwnSchema. All reads run in one READ ONLY
 * transaction: status never changes anything.
 */

type Row = Record<string, unknown>;

const DATASET_TABLE = 'geometrias';
export const REFRESH_LOG_TABLE = 'mv_refresh_log';
/** Refresh-log statuses (lower-case) that record an attempt, not a refresh. */
export const NOT_A_REFRESH = ['skipped', 'failed', 'error', 'running', 'started'];

const int = (v: unknown): number => (v === null || v === undefined ? 0 : Math.round(Number(v)));
const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : new Date(String(v)).toISOString());
const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * A relation's row estimate from the reltuples of its leaves (a plain table is its own leaf):
 * reltuples = -1 means never vacuumed or analyzed, i.e. unknown. Returns the sum of the known
 * estimates (null when none is known; 0 for a partitioned table without partitions).
 */
export function rowEstimateOf(knownSum: number, unknownLeaves: number, leaves: number): { rowEstimate: number | null; complete: boolean } {
  if (leaves > 0 && unknownLeaves >= leaves) return { rowEstimate: null, complete: false };
  return { rowEstimate: Math.max(0, Math.round(knownSum)), complete: unknownLeaves === 0 };
}

/**
 * Orders a partition tree depth first from its root: each parent followed by its children,
 * siblings by name with DEFAULT partitions last. Pure.
 */
export function orderPartitions(root: string, rows: readonly PartitionStatus[]): PartitionStatus[] {
  const byParent = new Map<string, PartitionStatus[]>();
  for (const r of rows) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r]);
  const isDefault = (p: PartitionStatus): number => (p.bound === 'DEFAULT' ? 1 : 0);
  const out: PartitionStatus[] = [];
  const seen = new Set<string>();
  const visit = (parent: string): void => {
    const children = [...(byParent.get(parent) ?? [])].sort((a, b) => isDefault(a) - isDefault(b) || a.name.localeCompare(b.name));
    for (const c of children) {
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      out.push(c);
      visit(c.name);
    }
  };
  visit(root);
  // Anything not reachable from the root (cannot happen with pg_partition_tree) is kept, at the end.
  for (const r of rows) if (!seen.has(r.name)) out.push(r);
  return out;
}

/**
 * The bare view name a refresh-log row refers to: `vw_x`, `schema.vw_x` or `"schema"."vw_x"`
 * (regclass text) all name `vw_x` of `schema`; a name qualified with another schema names nothing
 * here (null). Pure.
 */
export function bareViewName(raw: string, schema: string): string | null {
  const parts = raw.trim().match(/("([^"]|"")*"|[^.]+)/g)?.map((p) => (p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p.toLowerCase())) ?? [];
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2 && parts[0] === schema) return parts[1]!;
  return null;
}

/** The regular expression (ARE, case-insensitive) for a cron command that names `schema` as a whole word. */
export function schemaWordPattern(schema: string): string {
  return `(^|[^a-z0-9_$])${assertOwnSchema(schema)}([^a-z0-9_$]|$)`;
}

/** migrationStatus rows (the ledger against sql/) as JSON-ready values. */
export function toMigrationStatus(rows: readonly StatusRow[]): MigrationStatus[] {
  return rows.map((r) => ({
    tag: r.tag,
    file: r.file,
    state: r.state,
    appliedAt: r.appliedAt ? r.appliedAt.toISOString() : null,
    durationMs: r.durationMs === undefined || !Number.isFinite(r.durationMs) ? null : Math.round(r.durationMs),
  }));
}

/**
 * Runs `fn` under a savepoint: if it fails, the transaction goes on and `onError` supplies the
 * fallback (a query that may legitimately fail, e.g. on a table another tool shaped differently).
 */
async function tolerant<T>(client: pg.Client, fn: () => Promise<T>, onError: (message: string) => T): Promise<T> {
  await client.query('SAVEPOINT status_probe');
  try {
    const value = await fn();
    await client.query('RELEASE SAVEPOINT status_probe');
    return value;
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT status_probe');
    return onError(redact((err as Error).message));
  }
}

/** geobench's data schemas on the server (for the hint when the asked one does not exist). */
async function ownSchemas(client: pg.Client): Promise<string[]> {
  const res = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname ~ '^geobench(_[a-z0-9_]+)?$' AND nspname !~ '_api$' ORDER BY 1`);
  return res.rows.map((r) => r.nspname);
}

/** Fails clearly when the schema does not exist or holds no dataset. */
export async function requireDataset(client: pg.Client, schema: string, where: string): Promise<void> {
  const res = await client.query(
    `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema,
            EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')) AS dataset`,
    [schema, DATASET_TABLE],
  );
  const { schema: hasSchema, dataset } = res.rows[0] as { schema: boolean; dataset: boolean };
  if (!hasSchema) {
    const others = await ownSchemas(client);
    throw new GeobenchError(`schema '${schema}' does not exist in ${where}`, {
      hint: others.length > 0
        ? `geobench schemas there: ${others.join(', ')} (pick one with --schema), or run \`geobench --schema ${schema} dataset generate\``
        : `run \`geobench --schema ${schema} dataset generate\` first`,
    });
  }
  if (!dataset) {
    throw new GeobenchError(`no dataset in schema '${schema}' of ${where} (no ${DATASET_TABLE} table)`, {
      hint: `run \`geobench --schema ${schema} dataset generate\` first`,
    });
  }
}

async function readServer(client: pg.Client): Promise<{ database: string; version: string; extensions: Record<string, string | null> }> {
  const res = await client.query(
    `SELECT current_database() AS database, current_setting('server_version') AS version,
            (SELECT extversion FROM pg_extension WHERE extname = 'postgis') AS postgis,
            (SELECT extversion FROM pg_extension WHERE extname = 'pg_cron') AS pg_cron,
            (SELECT extversion FROM pg_extension WHERE extname = 'pg_partman') AS pg_partman`,
  );
  const r = res.rows[0] as Row;
  return {
    database: String(r.database),
    version: String(r.version),
    extensions: { postgis: textOrNull(r.postgis), pg_cron: textOrNull(r.pg_cron), pg_partman: textOrNull(r.pg_partman) },
  };
}

// Top-level tables and materialized views of the schema; a partitioned table summed over its
// leaves (pg_partition_tree lists nothing for a plain relation, so that one is its own leaf).
const RELATIONS = `
  WITH rel AS (
    SELECT c.oid, c.relname, c.relkind, c.relispopulated
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
  ),
  leaf AS (
    SELECT rel.oid AS root, t.relid AS leaf FROM rel, pg_partition_tree(rel.oid) t WHERE rel.relkind = 'p' AND t.isleaf
    UNION ALL
    SELECT rel.oid, rel.oid FROM rel WHERE rel.relkind <> 'p'
  )
  SELECT rel.relname AS name, rel.relkind AS kind, rel.relispopulated AS populated,
         CASE WHEN rel.relkind = 'p' THEN pg_get_partkeydef(rel.oid) END AS partition_key,
         count(leaf.leaf) AS leaves,
         count(leaf.leaf) FILTER (WHERE leaf.leaf <> rel.oid) AS partitions,
         count(leaf.leaf) FILTER (WHERE lc.reltuples < 0) AS unknown_leaves,
         coalesce(sum(lc.reltuples) FILTER (WHERE lc.reltuples >= 0), 0) AS known_rows,
         coalesce(sum(pg_table_size(leaf.leaf) - coalesce(pg_total_relation_size(NULLIF(lc.reltoastrelid, 0::oid)), 0)), 0) AS heap_bytes,
         coalesce(sum(pg_total_relation_size(NULLIF(lc.reltoastrelid, 0::oid))), 0) AS toast_bytes,
         coalesce(sum(pg_indexes_size(leaf.leaf)), 0) AS index_bytes
    FROM rel LEFT JOIN leaf ON leaf.root = rel.oid LEFT JOIN pg_class lc ON lc.oid = leaf.leaf
   GROUP BY rel.oid, rel.relname, rel.relkind, rel.relispopulated`;

interface Relations {
  readonly tables: TableStatus[];
  readonly views: Array<Omit<MaterializedViewStatus, 'lastRefresh'>>;
  readonly partitionKeys: Map<string, string>;
}

async function readRelations(client: pg.Client, schema: string): Promise<Relations> {
  const res = await client.query(RELATIONS, [schema]);
  const tables: TableStatus[] = [];
  const views: Array<Omit<MaterializedViewStatus, 'lastRefresh'>> = [];
  const partitionKeys = new Map<string, string>();
  for (const r of res.rows as Row[]) {
    const heapBytes = Math.max(0, int(r.heap_bytes));
    const toastBytes = int(r.toast_bytes);
    const indexBytes = int(r.index_bytes);
    const estimate = rowEstimateOf(Number(r.known_rows), int(r.unknown_leaves), int(r.leaves));
    const name = String(r.name);
    if (r.kind === 'm') {
      views.push({ name, populated: r.populated === true, rowEstimate: estimate.rowEstimate, heapBytes: heapBytes + toastBytes, indexBytes, totalBytes: heapBytes + toastBytes + indexBytes });
      continue;
    }
    if (r.kind === 'p') partitionKeys.set(name, String(r.partition_key));
    tables.push({
      name,
      kind: r.kind === 'p' ? 'partitioned table' : 'table',
      partitions: int(r.partitions),
      heapBytes,
      toastBytes,
      indexBytes,
      totalBytes: heapBytes + toastBytes + indexBytes,
      rowEstimate: estimate.rowEstimate,
      rowEstimateComplete: estimate.complete,
    });
  }
  tables.sort((a, b) => b.totalBytes - a.totalBytes || a.name.localeCompare(b.name));
  views.sort((a, b) => a.name.localeCompare(b.name));
  return { tables, views, partitionKeys };
}

// Indexes of the schema's tables, partitions and materialized views; an index attached to a
// partitioned index is counted in its parent (a partitioned index 'I' has no storage of its own:
// its size is the sum of its leaves). An index local to one partition is listed on that partition.
const INDEXES = `
  SELECT coalesce(root.relname, t.relname) AS table_name, t.relname AS on_name, ic.relname AS name, am.amname AS method,
         i.indisunique AS is_unique, i.indisprimary AS is_primary, i.indisvalid AS is_valid,
         CASE WHEN ic.relkind = 'I'
              THEN (SELECT coalesce(sum(pg_relation_size(pt.relid)), 0) FROM pg_partition_tree(ic.oid) pt WHERE pt.isleaf)
              ELSE pg_relation_size(ic.oid) END AS bytes,
         CASE WHEN ic.relkind = 'I'
              THEN (SELECT count(*) FROM pg_partition_tree(ic.oid) pt WHERE pt.isleaf)
              ELSE 0 END AS partitions,
         pg_get_indexdef(ic.oid) AS definition
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_am am ON am.oid = ic.relam
    LEFT JOIN pg_class root ON root.oid = pg_partition_root(t.oid) AND root.oid <> t.oid
   WHERE n.nspname = $1 AND t.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition
   ORDER BY 1, 3`;

async function readIndexes(client: pg.Client, schema: string): Promise<IndexStatus[]> {
  const res = await client.query(INDEXES, [schema]);
  return (res.rows as Row[]).map((r) => ({
    table: String(r.table_name),
    on: String(r.on_name),
    name: String(r.name),
    method: String(r.method),
    unique: r.is_unique === true,
    primary: r.is_primary === true,
    valid: r.is_valid === true,
    bytes: int(r.bytes),
    partitions: int(r.partitions),
    definition: String(r.definition),
  }));
}

// Every partition below each top-level partitioned table, with its bound, its row estimate and size
// (summed over its own leaves, so a sub-partitioned partition shows its subtree's).
const PARTITIONS = `
  SELECT r.relname AS root,
         CASE WHEN c.relnamespace = r.relnamespace THEN c.relname ELSE c.oid::regclass::text END AS name,
         CASE WHEN p.relnamespace = r.relnamespace THEN p.relname ELSE p.oid::regclass::text END AS parent,
         t.level, t.isleaf AS is_leaf, pg_get_expr(c.relpartbound, c.oid) AS bound,
         agg.leaves, agg.unknown_leaves, agg.known_rows, agg.total_bytes
    FROM pg_class r
    JOIN pg_namespace n ON n.oid = r.relnamespace
    CROSS JOIN LATERAL pg_partition_tree(r.oid) t
    JOIN pg_class c ON c.oid = t.relid
    JOIN pg_class p ON p.oid = t.parentrelid
    CROSS JOIN LATERAL (
      SELECT count(*) AS leaves,
             count(*) FILTER (WHERE lc.reltuples < 0) AS unknown_leaves,
             coalesce(sum(lc.reltuples) FILTER (WHERE lc.reltuples >= 0), 0) AS known_rows,
             coalesce(sum(pg_total_relation_size(l.relid)), 0) AS total_bytes
        FROM pg_partition_tree(c.oid) l JOIN pg_class lc ON lc.oid = l.relid
       WHERE l.isleaf
    ) agg
   WHERE n.nspname = $1 AND r.relkind = 'p' AND NOT r.relispartition AND t.level > 0`;

async function readPartitionTrees(client: pg.Client, schema: string, keys: ReadonlyMap<string, string>): Promise<PartitionTree[]> {
  const res = await client.query(PARTITIONS, [schema]);
  const byRoot = new Map<string, PartitionStatus[]>();
  for (const r of res.rows as Row[]) {
    const root = String(r.root);
    const row: PartitionStatus = {
      name: String(r.name),
      parent: String(r.parent),
      level: int(r.level),
      isLeaf: r.is_leaf === true,
      bound: textOrNull(r.bound),
      rowEstimate: rowEstimateOf(Number(r.known_rows), int(r.unknown_leaves), int(r.leaves)).rowEstimate,
      totalBytes: int(r.total_bytes),
    };
    byRoot.set(root, [...(byRoot.get(root) ?? []), row]);
  }
  return [...keys.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([table, key]) => ({ table, key, partitions: orderPartitions(table, byRoot.get(table) ?? []) }));
}

export interface RefreshLog {
  /** bare view name → last finished refresh */
  readonly byView: Map<string, { at: string | null; status: string | null }>;
  readonly warning: string | null;
}

/**
 * Last refresh per materialized view from `<schema>.mv_refresh_log` (OPT5's log) when that table
 * exists with columns view_name and finished_at (and optionally status): the latest finished row
 * per view, not counting rows whose status is one of NOT_A_REFRESH. Anything else (no table, other columns, a failing read) gives no times, never an
 * invented one.
 */
export async function readRefreshLog(client: pg.Client, schema: string): Promise<RefreshLog> {
  const empty = (warning: string | null): RefreshLog => ({ byView: new Map(), warning });
  const cols = await client.query<{ attname: string; type: string }>(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped`,
    [schema, REFRESH_LOG_TABLE],
  );
  if (cols.rows.length === 0) return empty(null);
  const types = new Map(cols.rows.map((r) => [r.attname, r.type]));
  if (!types.has('view_name') || !types.has('finished_at')) {
    return empty(`${schema}.${REFRESH_LOG_TABLE} has no view_name / finished_at columns: last refresh times are unknown`);
  }
  if (!/^(timestamp|date)/.test(types.get('finished_at')!)) {
    return empty(`${schema}.${REFRESH_LOG_TABLE}.finished_at is ${types.get('finished_at')}, not a timestamp: last refresh times are unknown`);
  }
  const hasStatus = types.has('status');
  const status = hasStatus ? `(array_agg(status::text ORDER BY finished_at DESC))[1]` : 'NULL::text';
  // A row whose status says nothing was refreshed (OPT5 logs 'skipped' when another session was
  // refreshing the view) is not a refresh.
  const refreshed = hasStatus ? `AND lower(coalesce(status::text, '')) <> ALL ($1::text[])` : '';
  // The schema name was checked by assertOwnSchema (lower-case letters, digits, _): safe to quote.
  const table = `"${assertOwnSchema(schema)}".${REFRESH_LOG_TABLE}`;
  return tolerant(client, async () => {
    const res = await client.query(
      `SELECT view_name::text AS view_name, max(finished_at)::timestamptz AS finished_at, ${status} AS status
         FROM ${table} WHERE finished_at IS NOT NULL AND view_name IS NOT NULL ${refreshed} GROUP BY view_name::text`,
      hasStatus ? [NOT_A_REFRESH] : [],
    );
    const byView = new Map<string, { at: string | null; status: string | null }>();
    for (const r of res.rows as Row[]) {
      const name = bareViewName(String(r.view_name), schema);
      const at = iso(r.finished_at);
      if (!name) continue;
      const prev = byView.get(name);
      if (!prev || (at && (!prev.at || at > prev.at))) byView.set(name, { at, status: textOrNull(r.status) });
    }
    return { byView, warning: null };
  }, (message) => empty(`cannot read ${schema}.${REFRESH_LOG_TABLE}: ${message}; last refresh times are unknown`));
}

/**
 * pg_cron jobs of this schema: named `<schema>:…` (OPT4/OPT5's convention) or whose command names
 * the schema as a whole word; each with its last run from cron.job_run_details.
 */
export async function readCron(client: pg.Client, schema: string): Promise<CronStatus> {
  const hasCron = await client.query(`SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'cron') AS schema`);
  if (!hasCron.rows[0].schema) return { installed: false, note: 'pg_cron not installed', jobs: [] };
  // to_regclass fails (rather than returning null) without USAGE on the schema.
  const p = await tolerant(client, async () => {
    const r = await client.query(`SELECT to_regclass('cron.job') IS NOT NULL AS job, to_regclass('cron.job_run_details') IS NOT NULL AS details`);
    return { ...(r.rows[0] as { job: boolean; details: boolean }), error: null as string | null };
  }, (message) => ({ job: false, details: false, error: message }));
  if (p.error) return { installed: true, note: `cannot read pg_cron's jobs: ${p.error}`, jobs: [] };
  if (!p.job) return { installed: false, note: 'pg_cron not installed (a cron schema without cron.job)', jobs: [] };
  return tolerant(client, async (): Promise<CronStatus> => {
    const jobs = await client.query(
      `SELECT j.jobid, j.jobname, j.schedule, j.command, j.database, j.username, j.active
         FROM cron.job j
        WHERE starts_with(coalesce(j.jobname, ''), $1 || ':') OR j.command ~* $2
        ORDER BY j.jobname NULLS LAST, j.jobid`,
      [schema, schemaWordPattern(schema)],
    );
    const ids = (jobs.rows as Row[]).map((r) => String(r.jobid));
    const last = new Map<string, Row>();
    const counts = new Map<string, Row>();
    let note: string | null = null;
    if (ids.length > 0 && p.details) {
      const runs = await client.query(
        `SELECT DISTINCT ON (d.jobid) d.jobid, d.runid, d.status, d.start_time, d.end_time, d.return_message
           FROM cron.job_run_details d WHERE d.jobid = ANY($1::bigint[])
          ORDER BY d.jobid, d.start_time DESC NULLS LAST, d.runid DESC`,
        [ids],
      );
      for (const r of runs.rows as Row[]) last.set(String(r.jobid), r);
      const agg = await client.query(
        `SELECT jobid, count(*) AS runs, count(*) FILTER (WHERE status = 'failed') AS failed
           FROM cron.job_run_details WHERE jobid = ANY($1::bigint[]) GROUP BY jobid`,
        [ids],
      );
      for (const r of agg.rows as Row[]) counts.set(String(r.jobid), r);
    } else if (ids.length > 0) {
      note = 'cron.job_run_details not found: last runs unknown';
    }
    return {
      installed: true,
      note,
      jobs: (jobs.rows as Row[]).map((r): CronJob => {
        const id = String(r.jobid);
        const run = last.get(id);
        return {
          jobid: int(r.jobid),
          name: textOrNull(r.jobname),
          schedule: String(r.schedule),
          command: redact(String(r.command)),
          database: String(r.database),
          username: String(r.username),
          active: r.active !== false,
          runs: int(counts.get(id)?.runs),
          failedRuns: int(counts.get(id)?.failed),
          lastRun: run
            ? { runid: int(run.runid), status: textOrNull(run.status), start: iso(run.start_time), end: iso(run.end_time), returnMessage: run.return_message == null ? null : redact(String(run.return_message)) }
            : null,
        };
      }),
    };
  }, (message) => ({ installed: true, note: `cannot read pg_cron's jobs: ${message}`, jobs: [] }));
}

async function readApi(client: pg.Client, schema: string): Promise<StatusReport['api']> {
  const api = `${schema}_api`;
  const res = await client.query(
    `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists,
            coalesce((SELECT json_agg(json_build_object('name', p.proname, 'arguments', pg_get_function_identity_arguments(p.oid)) ORDER BY p.proname, p.oid)
                        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1), '[]'::json) AS functions`,
    [api],
  );
  const r = res.rows[0] as { exists: boolean; functions: Array<{ name: string; arguments: string }> };
  return { schema: api, exists: r.exists, functions: r.functions.map((f) => ({ name: f.name, arguments: f.arguments })) };
}

export interface GatherOptions {
  /** How the server is shown (DbTarget.display: never a password). */
  readonly target: string;
  /** The ledger compared with sql/ (migrationStatus). */
  readonly migrations: readonly StatusRow[];
  readonly warnings?: readonly string[];
  readonly now?: Date;
}

/**
 * Gathers the report with `client` (which must not be inside a transaction). Fails with a
 * GeobenchError when the schema does not exist or holds no dataset.
 */
export async function gatherStatus(client: pg.Client, schema: string, options: GatherOptions): Promise<StatusReport> {
  assertOwnSchema(schema);
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    // Bounds and times in UTC whatever the server's default; never wait long behind a migration's lock.
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    await client.query(`SET LOCAL lock_timeout = '10s'`);
    await client.query(`SET LOCAL statement_timeout = '120s'`);
    await requireDataset(client, schema, options.target);
    const warnings = [...(options.warnings ?? [])];
    const server = await readServer(client);
    const manifest = await readManifest(client, schema);
    if (!manifest) warnings.push(`no dataset manifest in ${schema}: the dataset was not made by \`geobench dataset generate\``);
    else if (manifest.status !== 'complete') warnings.push(`the dataset in ${schema} is incomplete (${manifest.note ?? 'generation did not finish'})`);
    const relations = await readRelations(client, schema);
    const indexes = await readIndexes(client, schema);
    const partitionTrees = await readPartitionTrees(client, schema, relations.partitionKeys);
    const log = await readRefreshLog(client, schema);
    if (log.warning) warnings.push(log.warning);
    const cron = await readCron(client, schema);
    const api = await readApi(client, schema);
    await client.query('COMMIT');
    const report: StatusReport = {
      format: STATUS_FORMAT,
      generatedAt: (options.now ?? new Date()).toISOString(),
      schema,
      server: { target: options.target, ...server },
      dataset: manifest
        ? { status: manifest.status, scale: manifest.scale, seed: manifest.seed, totalRows: manifest.totalRows, completedAt: iso(manifest.completedAt) }
        : null,
      tables: relations.tables,
      materializedViews: relations.views.map((v) => {
        const logged = log.byView.get(v.name);
        return { ...v, lastRefresh: logged ? { at: logged.at, source: 'mv_refresh_log' as const, status: logged.status } : { at: null, source: 'unknown' as const, status: null } };
      }),
      indexes,
      partitionTrees,
      api,
      cron,
      migrations: toMigrationStatus(options.migrations),
      warnings,
    };
    return StatusReportSchema.parse(report);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    const e = err as { code?: string; message?: string };
    if (e.code === '55P03') {
      throw new GeobenchError(`status waited more than 10 s for a lock in schema '${schema}' (a migration or maintenance job holds it)`, { hint: 'try again when it has finished' });
    }
    throw err;
  }
}

/** The whole report for a target: catalogs, cron and the ledger compared with `catalog`. */
export async function collectStatus(target: DbTarget, catalog: readonly Migration[], warnings: readonly string[] = []): Promise<StatusReport> {
  // (A missing schema reads as an empty ledger here; gatherStatus then reports it as missing.)
  const migrations = await migrationStatus(target, catalog);
  return withClient(target, (c) => gatherStatus(c, target.schema, { target: target.display, migrations, warnings }), 'geobench-status');
}
