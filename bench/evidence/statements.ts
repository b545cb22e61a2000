import type pg from 'pg';
import { addCounters, anyDecreased, hitRatio, num, subtractCounters } from './counters.ts';
import { statementKey } from './statement-key.ts';
import { unavailable, type Unavailable } from './unavailable.ts';

/**
 * pg_stat_statements evidence for the workload's query types. One statement text has several
 * entries (queryid depends on table OIDs, so each schema variant has its own; also one per user),
 * and entries only accumulate — a segment's cost is the difference of two snapshots.
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
  readonly query: string;
  /** Identity of the entry (queryid, userid), when the snapshot query selected it. */
  readonly entryId?: string;
}

export interface StatementsSnapshot {
  readonly available: true;
  /** Per query type (the keys given to {@link snapshotStatements}); zero counters when nothing matched yet. */
  readonly byType: Readonly<Record<string, StatementCounters>>;
  /** Entries evicted so far (pg_stat_statements_info.dealloc); growth means counters may have been lost. */
  readonly dealloc: number;
  /** When pg_stat_statements was last reset (ISO time), to detect a reset inside a window. */
  readonly statsReset: string | null;
  /**
   * The matching entries one by one (entry id → query type and counters). Deltas are taken per
   * entry and summed afterwards: summing first would compare float totals added in a different
   * row order, and a new entry would drag in every call made before the window.
   */
  readonly entries?: Readonly<Record<string, { readonly type: string; readonly counters: StatementCounters }>>;
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
   * down): the deltas are then lower bounds and the window should not be trusted.
   */
  readonly incomplete: boolean;
}

const ZERO: StatementCounters = {
  calls: 0, totalExecMs: 0, totalPlanMs: 0, rows: 0, sharedBlksHit: 0,
  sharedBlksRead: 0, sharedBlksDirtied: 0, tempBlksWritten: 0, blkReadMs: 0,
};

/** Parses a raw row of the snapshot query (bigints arrive as strings). Pure. */
export function parseStatementRow(raw: Readonly<Record<string, unknown>>): StatementRow {
  return {
    query: String(raw.query ?? ''),
    ...(raw.queryid !== undefined ? { entryId: `${String(raw.queryid)}:${String(raw.userid ?? '')}` } : {}),
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

/**
 * Sums the rows whose text is the given SQL (up to constants, see statementKey) per query type.
 * Pure.
 */
export function sumStatements(rows: readonly StatementRow[], sqlTexts: Readonly<Record<string, string>>): Record<string, StatementCounters> {
  const typesByKey = new Map<string, string[]>();
  for (const [type, sql] of Object.entries(sqlTexts)) {
    const key = statementKey(sql);
    typesByKey.set(key, [...(typesByKey.get(key) ?? []), type]);
  }
  const sums: Record<string, StatementCounters> = Object.fromEntries(Object.keys(sqlTexts).map((type) => [type, ZERO]));
  for (const { type, counters } of matchEntries(rows, sqlTexts, typesByKey)) sums[type] = addCounters(sums[type]!, counters);
  return sums;
}

function matchEntries(rows: readonly StatementRow[], sqlTexts: Readonly<Record<string, string>>, typesByKey?: Map<string, string[]>): Array<{ id: string; type: string; counters: StatementCounters }> {
  const byKey = typesByKey ?? new Map(Object.entries(sqlTexts).map(([type, sql]) => [statementKey(sql), [type]]));
  const out: Array<{ id: string; type: string; counters: StatementCounters }> = [];
  rows.forEach((row, i) => {
    for (const type of byKey.get(statementKey(row.query)) ?? []) {
      const { query: _query, entryId, ...counters } = row;
      out.push({ id: entryId ?? `row${i}`, type, counters });
    }
  });
  return out;
}

/**
 * `after − before` per query type. A type absent from `before` counts from zero (its statement
 * had not run yet). Pure.
 */
export function diffStatements(before: StatementsSnapshot | Unavailable, after: StatementsSnapshot | Unavailable): StatementsDelta | Unavailable {
  if (!before.available) return before;
  if (!after.available) return after;
  let incomplete = after.dealloc !== before.dealloc || after.statsReset !== before.statsReset;
  const byType: Record<string, StatementDelta> = {};
  if (before.entries && after.entries) {
    const sums: Record<string, StatementCounters> = Object.fromEntries(Object.keys(after.byType).map((t) => [t, ZERO]));
    for (const [id, { type, counters: now }] of Object.entries(after.entries)) {
      const then = before.entries[id]?.counters ?? ZERO;
      // Fewer calls than before: the entry was evicted and re-created; count it from zero.
      const reset = now.calls < then.calls;
      incomplete ||= reset;
      sums[type] = addCounters(sums[type] ?? ZERO, reset ? now : subtractCounters(now, then));
    }
    for (const [type, d] of Object.entries(sums)) {
      byType[type] = { ...d, meanExecMs: d.calls > 0 ? d.totalExecMs / d.calls : null, hitRatio: hitRatio(d.sharedBlksHit, d.sharedBlksRead) };
    }
    return { available: true, byType, incomplete };
  }
  for (const [type, now] of Object.entries(after.byType)) {
    const then = before.byType[type] ?? ZERO;
    // A counter going down means the entry was evicted or reset: count what is there from zero.
    const dropped = anyDecreased(now, then);
    incomplete ||= dropped;
    const d = dropped ? now : subtractCounters(now, then);
    byType[type] = { ...d, meanExecMs: d.calls > 0 ? d.totalExecMs / d.calls : null, hitRatio: hitRatio(d.sharedBlksHit, d.sharedBlksRead) };
  }
  return { available: true, byType, incomplete };
}

/**
 * Snapshots the top-level pg_stat_statements entries of the current database for the workload's
 * query types (key = query type, value = the parameterized SQL the workload sends). Entries are
 * matched by text up to constants (see statementKey), since pg_stat_statements stores constants
 * as `$n`. Nested executions (toplevel = false: inside functions, or EXPLAIN ANALYZE's) are left
 * out. Returns
 * `{ available: false }` when the extension is not installed or not preloaded, never throws for it.
 */
export async function snapshotStatements(client: pg.Client, sqlTexts: Readonly<Record<string, string>>): Promise<StatementsSnapshot | Unavailable> {
  const ext = await client.query<{ nspname: string }>(
    `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`,
  );
  const schema = ext.rows[0]?.nspname;
  if (schema === undefined) return unavailable('pg_stat_statements is not installed in this database (CREATE EXTENSION pg_stat_statements)');
  // The extension's schema comes from the catalog; quoted, since it is an identifier, not a value.
  const nsp = client.escapeIdentifier(schema);
  try {
    const entries = await client.query(
      `SELECT queryid, userid, query, calls, total_exec_time, total_plan_time, rows, shared_blks_hit, shared_blks_read,
              shared_blks_dirtied, temp_blks_written, blk_read_time
         FROM ${nsp}.pg_stat_statements
        WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    const info = await client.query<{ dealloc: string; stats_reset: Date | null }>(
      `SELECT dealloc, stats_reset FROM ${nsp}.pg_stat_statements_info`,
    );
    const rows = entries.rows.map(parseStatementRow);
    return {
      available: true,
      byType: sumStatements(rows, sqlTexts),
      entries: Object.fromEntries(matchEntries(rows, sqlTexts).map((e) => [e.id, { type: e.type, counters: e.counters }])),
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
