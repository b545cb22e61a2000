import type pg from 'pg';

/**
 * pg_cron jobs that belong to one of geobench's schemas: by convention (OPT4/OPT5 migrations) a
 * job's name starts with `<schema>:`, so several variant schemas can carry their own jobs in one
 * database. Only jobs owned by the connecting role count (`cron.job.username = current_user`): on
 * a shared database another user's job with a look-alike name must never be run or altered with
 * geobench's rights. Reads cron.job / cron.job_run_details; `null` when pg_cron is not installed.
 */
export interface CronJob {
  readonly jobid: number;
  readonly jobname: string;
  readonly schedule: string;
  readonly command: string;
  readonly active: boolean;
}

export interface CronRun {
  readonly jobid: number;
  readonly jobname: string;
  readonly status: string;
  readonly returnMessage: string | null;
  readonly start: string | null;
  readonly end: string | null;
  /** end − start, ms; null while running. */
  readonly durationMs: number | null;
}

export async function hasPgCron(client: pg.Client): Promise<boolean> {
  return (await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'`)).rowCount === 1;
}

/** The jobs named `<schema>:…` owned by the connecting role, by name. */
export async function schemaJobs(client: pg.Client, schema: string): Promise<CronJob[] | null> {
  if (!(await hasPgCron(client))) return null;
  const { rows } = await client.query<{ jobid: string; jobname: string; schedule: string; command: string; active: boolean }>(
    `SELECT jobid, jobname, schedule, command, active FROM cron.job
      WHERE starts_with(jobname, $1 || ':') AND username = current_user ORDER BY jobname`, [schema]);
  return rows.map((r) => ({ jobid: Number(r.jobid), jobname: r.jobname, schedule: r.schedule, command: r.command, active: r.active }));
}

/** Runs of the schema's jobs (owned by the connecting role) that started at or after `since` (ISO), oldest first. */
export async function schemaJobRuns(client: pg.Client, schema: string, since: string): Promise<CronRun[]> {
  const { rows } = await client.query<{ jobid: string; jobname: string; status: string; return_message: string | null; start_time: Date | null; end_time: Date | null }>(
    `SELECT d.jobid, j.jobname, d.status, d.return_message, d.start_time, d.end_time
       FROM cron.job_run_details d JOIN cron.job j USING (jobid)
      WHERE starts_with(j.jobname, $1 || ':') AND j.username = current_user AND d.start_time >= $2::timestamptz
      ORDER BY d.start_time, d.runid`, [schema, since]);
  return rows.map((r) => ({
    jobid: Number(r.jobid), jobname: r.jobname, status: r.status, returnMessage: r.return_message,
    start: r.start_time?.toISOString() ?? null, end: r.end_time?.toISOString() ?? null,
    durationMs: r.start_time && r.end_time ? r.end_time.getTime() - r.start_time.getTime() : null,
  }));
}
