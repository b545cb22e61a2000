import type pg from 'pg';
import { GeobenchError } from '../core/errors.ts';
import { withClient } from '../db/connect.ts';
import { assertOwnSchema } from '../db/schema.ts';
import type { DbTarget } from '../db/target.ts';
import { readManifest } from '../dataset/manifest.ts';
import type { Migration } from '../migrate/catalog.ts';
import { migrationStatus, type StatusRow } from '../migrate/runner.ts';
import { readCron, readRefreshLog } from './automation.ts';
import { int, iso, orderPartitions, rowEstimateOf, textOrNull, toMigrationStatus } from './row-values.ts';
import {
  STATUS_FORMAT,
  StatusReportSchema,
  type IndexStatus,
  type MaterializedViewStatus,
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
