import type pg from 'pg';
import { assertOwnSchema } from '../db/schema.ts';

/**
 * Forcing real pg_cron runs. pg_cron 1.4 schedules to the minute at best ("N seconds" came in
 * 1.5), so a job is forced by switching its schedule to every minute and waiting for the next
 * minute. The original schedules are saved first in a small table of the data schema
 * (`<schema>.opt45_forced_schedules`), so whatever stops the validator between the switch and the
 * restore (an error, Ctrl-C, a killed process) the schedules can be put back: by the validator's
 * finally block, or at the start of its next run (restoreForcedSchedules with no names).
 */
export const EVERY_MINUTE = '* * * * *';

const savedTable = (schema: string): string => `${assertOwnSchema(schema)}.opt45_forced_schedules`;

/**
 * Saves the jobs' schedules (a schedule saved earlier and not restored yet is kept: it is the
 * original) and switches the jobs to every minute. Returns the server time just before the switch.
 */
export async function forceEveryMinute(client: pg.Client, schema: string, jobs: readonly { jobid: number; jobname: string; schedule: string }[]): Promise<Date> {
  const table = savedTable(schema);
  await client.query(`CREATE TABLE IF NOT EXISTS ${table} (jobname text PRIMARY KEY, schedule text NOT NULL, forced_at timestamptz NOT NULL DEFAULT now())`);
  for (const j of jobs) {
    await client.query(`INSERT INTO ${table} (jobname, schedule) VALUES ($1, $2) ON CONFLICT (jobname) DO NOTHING`, [j.jobname, j.schedule]);
  }
  const at = (await client.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]!.t;
  for (const j of jobs) await client.query('SELECT cron.alter_job($1::bigint, schedule := $2)', [j.jobid, EVERY_MINUTE]);
  return at;
}

/**
 * Puts back the saved schedules of the named jobs (all saved ones when `jobnames` is omitted) and
 * forgets them; drops the table once it is empty. Only jobs owned by the connecting role are
 * touched (see bench/evidence/cron-jobs.ts). Returns what was restored.
 */
export async function restoreForcedSchedules(client: pg.Client, schema: string, jobnames?: readonly string[]): Promise<{ jobname: string; schedule: string }[]> {
  const table = savedTable(schema);
  const exists = (await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table])).rows[0]!.t;
  if (!exists) return [];
  const names = jobnames ? [...jobnames] : null;
  const { rows } = await client.query<{ jobname: string; schedule: string }>(
    `SELECT s.jobname, s.schedule FROM ${table} s JOIN cron.job j USING (jobname)
      WHERE j.username = current_user AND ($1::text[] IS NULL OR s.jobname = ANY ($1::text[])) ORDER BY 1`, [names]);
  for (const r of rows) {
    await client.query('SELECT cron.alter_job(j.jobid, schedule := $2) FROM cron.job j WHERE j.jobname = $1 AND j.username = current_user', [r.jobname, r.schedule]);
  }
  await client.query(`DELETE FROM ${table} WHERE ($1::text[] IS NULL OR jobname = ANY ($1::text[]))`, [names]);
  const left = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
  if (left === 0) await client.query(`DROP TABLE IF EXISTS ${table}`);
  return rows;
}
