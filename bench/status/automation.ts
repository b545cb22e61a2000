/**
 * The automation part of `geobench status` (docs/status.md): the refresh log of the materialized views
 * and the pg_cron jobs that name the schema. Read inside the status READ ONLY transaction.
 */
import type pg from 'pg';
import { redact } from '../db/redact.ts';
import { assertOwnSchema } from '../db/schema.ts';
import type { CronJob, CronStatus } from './model.ts';
import { bareViewName, int, iso, schemaWordPattern, textOrNull } from './row-values.ts';
import { tolerant } from './tolerant-read.ts';

type Row = Record<string, unknown>;

export const REFRESH_LOG_TABLE = 'mv_refresh_log';
/** Refresh-log statuses (lower-case) that record an attempt, not a refresh. */
export const NOT_A_REFRESH = ['skipped', 'failed', 'error', 'running', 'started'];

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
