/**
 * Checklist item "Infrastructure uptime": every run of the schema's pg_cron jobs since the
 * validation started (forced and scheduled), the share that succeeded.
 */
import type pg from 'pg';
import { schemaJobRuns, type CronRun } from '../../evidence/cron-jobs.ts';
import { targetCheck, type Check } from '../checks.ts';
import type { Targets } from '../targets.ts';

export async function cronRunsSince(client: pg.Client, schema: string, since: Date): Promise<CronRun[]> {
  return schemaJobRuns(client, schema, since.toISOString());
}

export function uptimeCheck(runs: readonly CronRun[], since: Date, targets: Targets): Check {
  const finished = runs.filter((r) => r.status === 'succeeded' || r.status === 'failed');
  const succeeded = finished.filter((r) => r.status === 'succeeded').length;
  const failed = finished.filter((r) => r.status === 'failed');
  return targetCheck(`Infrastructure uptime (pg_cron runs of the schema's jobs that succeeded, ${finished.length} runs)`, targets.get('opt45.uptime'), finished.length ? succeeded / finished.length : null, {
    method: 'cron.job_run_details of the jobs named <schema>:… owned by the connecting role since the validation started (forced and scheduled runs); unfinished runs left out',
    since: since.toISOString(), runs: runs.length, finished: finished.length, succeeded, failed: failed.map((r) => ({ job: r.jobname, start: r.start, message: r.returnMessage })),
  });
}
