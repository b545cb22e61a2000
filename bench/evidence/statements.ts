import type pg from 'pg';
import { addCounters, anyDecreased, hitRatio, num, subtractCounters } from './counters.ts';
import type { StatementIds } from './query-ids.ts';
import { unavailable, type Unavailable } from './unavailable.ts';

/**
 * pg_stat_statements evidence for the workload's query types. Each type is matched by its queryid
 * in the variant being measured (see query-ids.ts), for the workers' role in this database: the
 * same text in another schema is another entry and is not counted. Entries only accumulate — a
 * segment's cost is the difference of two snapshots.
 */

/** The counters kept per query type, summed over its entries. Times in milliseconds. */
export interface StatementCounters {
  readonly calls: number;
  readonly totalExecMs: number;
  readonly totalPlanMs: number;
  readonly rows: number;
  readonly sharedBlksHit: number;
  readonly sharedBlksRead: number;
  readonly sharedBlksDirtied: number;
  readonly tempBlksWritten: number;
  /** Time spent reading blocks (track_io_timing). */
  readonly blkReadMs: number;
}

/** One top-level pg_stat_statements entry, parsed. */
export interface StatementRow extends StatementCounters {
  /** pg_stat_statements.queryid (int64 as a decimal string). */
  readonly queryId: string;
}

export interface StatementsSnapshot {
  readonly available: true;
  /** Per query type: the counters of its entry; zero when the entry does not exist (yet). */
  readonly byType: Readonly<Record<string, StatementCounters>>;
  /** Entries evicted so far (pg_stat_statements_info.dealloc); growth means counters may have been lost. */
  readonly dealloc: number;
  /** When pg_stat_statements was last reset (ISO time), to detect a reset inside a window. */
  readonly statsReset: string | null;
}

/** Per query type over a window: counter deltas plus derived figures. */
export interface StatementDelta extends StatementCounters {
  /** totalExecMs / calls, or null without calls. */
  readonly meanExecMs: number | null;
  /** Shared-buffer hit ratio of these statements, or null when they touched no blocks. */
  readonly hitRatio: number | null;
}

export interface StatementsDelta {
  readonly available: true;
  readonly byType: Readonly<Record<string, StatementDelta>>;
  /**
   * True when entries were evicted or the statistics reset during the window (or a counter went
   * down): the deltas are then lower bounds and consumers must treat them as missing, not as 0.
   */
  readonly incomplete: boolean;
  /** Why the window lost data (every cause found, joined), or null when it is complete. */
  readonly incompleteReason: string | null;
}

const ZERO: StatementCounters = {
  calls: 0, totalExecMs: 0, totalPlanMs: 0, rows: 0, sharedBlksHit: 0,
  sharedBlksRead: 0, sharedBlksDirtied: 0, tempBlksWritten: 0, blkReadMs: 0,
};

/** Parses a raw row of the snapshot query (bigints arrive as strings). Pure. */
export function parseStatementRow(raw: Readonly<Record<string, unknown>>): StatementRow {
  return {
    queryId: String(raw.queryid ?? ''),
    calls: num(raw.calls),
    totalExecMs: num(raw.total_exec_time),
    totalPlanMs: num(raw.total_plan_time),
    rows: num(raw.rows),
    sharedBlksHit: num(raw.shared_blks_hit),
    sharedBlksRead: num(raw.shared_blks_read),
    sharedBlksDirtied: num(raw.shared_blks_dirtied),
    tempBlksWritten: num(raw.temp_blks_written),
    blkReadMs: num(raw.blk_read_time),
  };
}

/** The counters of each query type's entry (by queryid); zero for a type without an entry. Pure. */
export function countersByType(rows: readonly StatementRow[], ids: Readonly<Record<string, string>>): Record<string, StatementCounters> {
  const byId = new Map(rows.map((r) => [r.queryId, r]));
  return Object.fromEntries(Object.entries(ids).map(([type, id]) => {
    const row = byId.get(id);
    if (!row) return [type, ZERO];
    const { queryId: _id, ...counters } = row;
    return [type, counters];
  }));
}

/**
 * `after − before` per query type. A type absent from `before` counts from zero (its statement
 * had not run yet). The window is incomplete — and says why — when pg_stat_statements evicted
 * entries (dealloc grew), was reset (stats_reset changed) or an entry's calls went down. Pure.
 */
export function diffStatements(before: StatementsSnapshot | Unavailable, after: StatementsSnapshot | Unavailable): StatementsDelta | Unavailable {
  if (!before.available) return before;
  if (!after.available) return after;
  const reasons: string[] = [];
  if (after.dealloc !== before.dealloc) reasons.push(`pg_stat_statements evicted entries during the window (dealloc ${before.dealloc} → ${after.dealloc}; raise pg_stat_statements.max)`);
  if (after.statsReset !== before.statsReset) reasons.push(`pg_stat_statements was reset during the window (stats_reset ${before.statsReset ?? 'never'} → ${after.statsReset ?? 'never'})`);
  const byType: Record<string, StatementDelta> = {};
  const wentDown: string[] = [];
  for (const [type, now] of Object.entries(after.byType)) {
    const then = before.byType[type] ?? ZERO;
    // A counter going down: the entry was evicted and re-created, or reset; count what is there from zero.
    const dropped = anyDecreased(now, then);
    if (dropped) wentDown.push(type);
    const d = dropped ? now : subtractCounters(now, then);
    byType[type] = { ...d, meanExecMs: d.calls > 0 ? d.totalExecMs / d.calls : null, hitRatio: hitRatio(d.sharedBlksHit, d.sharedBlksRead) };
  }
  if (wentDown.length > 0) reasons.push(`counters went down for ${wentDown.join(', ')} (entry evicted or reset)`);
  return { available: true, byType, incomplete: reasons.length > 0, incompleteReason: reasons.length > 0 ? reasons.join('; ') : null };
}

/**
 * Snapshots the top-level pg_stat_statements entries of the workload's query types in one variant
 * (`ids`, from identifyStatements on a connection of that variant), for that role in the current
 * database. Nested executions (toplevel = false: inside functions, or EXPLAIN ANALYZE's) are left
 * out. Returns `{ available: false }` when the extension is not installed or not preloaded, or
 * the ids could not be found, never throws for it.
 */
export async function snapshotStatements(client: pg.Client, ids: StatementIds | Unavailable): Promise<StatementsSnapshot | Unavailable> {
  if (!ids.available) return ids;
  const ext = await client.query<{ nspname: string }>(
    `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`,
  );
  const schema = ext.rows[0]?.nspname;
  if (schema === undefined) return unavailable('pg_stat_statements is not installed in this database (CREATE EXTENSION pg_stat_statements)');
  // The extension's schema comes from the catalog; quoted, since it is an identifier, not a value.
  const nsp = client.escapeIdentifier(schema);
  try {
    // Selected as text: queryid is an int64 that a JS number would round.
    const entries = await client.query(
      `SELECT queryid::text AS queryid, calls, total_exec_time, total_plan_time, rows, shared_blks_hit, shared_blks_read,
              shared_blks_dirtied, temp_blks_written, blk_read_time
         FROM ${nsp}.pg_stat_statements(false)
        WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND userid = $1::oid AND queryid = ANY($2::bigint[])`,
      [ids.userId, Object.values(ids.byType)],
    );
    const info = await client.query<{ dealloc: string; stats_reset: Date | null }>(
      `SELECT dealloc, stats_reset FROM ${nsp}.pg_stat_statements_info`,
    );
    return {
      available: true,
      byType: countersByType(entries.rows.map(parseStatementRow), ids.byType),
      dealloc: num(info.rows[0]?.dealloc),
      statsReset: info.rows[0]?.stats_reset?.toISOString() ?? null,
    };
  } catch (err) {
    const code = (err as { code?: string }).code;
    // 55000: installed but not in shared_preload_libraries; 42501: no permission to read it.
    if (code === '55000') return unavailable('pg_stat_statements is installed but not loaded (add it to shared_preload_libraries and restart)');
    if (code === '42501') return unavailable(`not allowed to read pg_stat_statements: ${(err as Error).message}`);
    throw err;
  }
}
