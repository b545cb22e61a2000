/**
 * How old the answers of a variant's stale-bounded routes can be, measured at the end of each
 * measurement window (see RouteFreshness in bench/queries/types.ts). Two numbers per view read:
 * - `ageSec`: now − the view's last refresh. The answer is the view as of that refresh, so every
 *   write it misses is at most this old: an upper bound on "how old the answer can be". The last
 *   refresh is taken from OPT5's mv_refresh_log when the schema has one (logged refreshes), else
 *   from the migration ledger (the view was filled when the migration that created it ran); an
 *   unlogged manual REFRESH since then only makes the view fresher, so the bound still holds.
 * - `missedRows`: the base table's rows minus the view's (net writes since the refresh): whether
 *   that age actually cost anything in this window (0 = the answers are currently exact).
 * The measurement reads the view and the base table once per window, on the evidence connection.
 */
import type pg from 'pg';
import { ledgerTable, searchPath } from '../db/schema.ts';
import type { RouteFreshness } from '../queries/types.ts';

export interface StaleRoute {
  readonly queryType: string;
  readonly route: string;
  /** The migration tag that created the view (the route's `requires`). */
  readonly requires: string;
  readonly freshness: Extract<RouteFreshness, { kind: 'stale-bounded' }>;
}

export interface RouteStaleness {
  readonly queryType: string;
  readonly route: string;
  readonly source: string;
  readonly refreshedBy: string;
  /** When the view was last refreshed (ISO), or null when neither the refresh log nor the ledger says. */
  readonly lastRefreshAt: string | null;
  readonly lastRefreshFrom: 'mv_refresh_log' | 'migration ledger' | 'unknown';
  readonly ageSec: number | null;
  readonly missedRows: number | null;
  readonly error?: string;
}

async function lastRefresh(client: pg.Client, schema: string, view: string, createdBy: string): Promise<{ at: Date | null; from: RouteStaleness['lastRefreshFrom'] }> {
  const log = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [`${schema}.mv_refresh_log`]);
  if (log.rows[0]?.ok) {
    const r = await client.query<{ at: Date | null }>(`SELECT max(finished_at) AS at FROM mv_refresh_log WHERE view_name = $1 AND status = 'refreshed'`, [view]);
    if (r.rows[0]?.at) return { at: r.rows[0].at, from: 'mv_refresh_log' };
  }
  // Not refreshed through the log: the view holds at least what the migration that created it put
  // there, so that migration's time bounds the age from above.
  const created = await client.query<{ at: Date | null }>(`SELECT max(applied_at) AS at FROM ${ledgerTable(schema)} WHERE tag = $1`, [createdBy]);
  const at = created.rows[0]?.at ?? null;
  return at ? { at, from: 'migration ledger' } : { at: null, from: 'unknown' };
}

/** One entry per stale-bounded route of the variant; a failing measurement is kept with its error. */
export async function measureRouteStaleness(client: pg.Client, schema: string, routes: readonly StaleRoute[]): Promise<RouteStaleness[]> {
  const out: RouteStaleness[] = [];
  // Routes reading the same view share one measurement (each costs a count of the base table).
  const bySource = new Map<string, RouteStaleness>();
  for (const r of routes) {
    const base = { queryType: r.queryType, route: r.route, source: r.freshness.source, refreshedBy: r.freshness.refreshedBy };
    const seen = bySource.get(r.freshness.source);
    if (seen) {
      out.push({ ...seen, ...base });
      continue;
    }
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL search_path = ${searchPath(schema)}`);
      const { at, from } = await lastRefresh(client, schema, r.freshness.source, r.requires);
      const now = (await client.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now;
      const missed = (await client.query<{ missed: string | null }>(r.freshness.missedRowsSql)).rows[0]?.missed;
      await client.query('COMMIT');
      out.push({
        ...base, lastRefreshAt: at ? at.toISOString() : null, lastRefreshFrom: from,
        ageSec: at ? Math.max(0, (now.getTime() - at.getTime()) / 1000) : null,
        missedRows: missed === null || missed === undefined ? null : Number(missed),
      });
      bySource.set(r.freshness.source, out[out.length - 1]!);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      out.push({ ...base, lastRefreshAt: null, lastRefreshFrom: 'unknown', ageSec: null, missedRows: null, error: (err as Error).message });
    }
  }
  return out;
}

/** The worst staleness of one route over a variant's windows (segments' `routeStaleness`). Pure. */
export function worstStaleness(segments: readonly { variant: string; evidence?: unknown }[], variant: string, queryType: string): {
  windows: number; measured: number; maxAgeSec: number | null; maxMissedRows: number | null; source: string | null; text: string;
} {
  let windows = 0;
  let measured = 0;
  let maxAgeSec: number | null = null;
  let maxMissedRows: number | null = null;
  let source: string | null = null;
  for (const s of segments) {
    if (s.variant !== variant) continue;
    const list = (s.evidence as { routeStaleness?: RouteStaleness[] } | null | undefined)?.routeStaleness;
    const e = list?.find((x) => x.queryType === queryType);
    if (!e) continue;
    windows++;
    source = e.source;
    if (e.ageSec === null || e.missedRows === null) continue;
    measured++;
    maxAgeSec = Math.max(maxAgeSec ?? 0, e.ageSec);
    maxMissedRows = Math.max(maxMissedRows ?? 0, e.missedRows);
  }
  const text = measured === 0
    ? (windows === 0 ? 'staleness not recorded' : `staleness not measurable in ${windows} window(s)`)
    : `stale-bounded: answers up to ${formatAge(maxAgeSec!)} old (${source}, last refresh), up to ${maxMissedRows} written row(s) missed at a window's end`;
  return { windows, measured, maxAgeSec, maxMissedRows, source, text };
}

/** 42 s, 12.5 min, 3.2 h. Pure. */
export function formatAge(sec: number): string {
  if (sec < 90) return `${sec.toFixed(0)} s`;
  if (sec < 5400) return `${(sec / 60).toFixed(1)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}
