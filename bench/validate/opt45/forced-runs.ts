/**
 * Forcing real pg_cron runs of the schema's jobs (the measurement behind "Maintenance tasks ran",
 * "Scheduled refresh ran", the refresh durations and the uptime): one wave of every-minute
 * schedules, each restored as soon as its run is seen.
 */
import type pg from 'pg';
import { InterruptedError } from '../../core/errors.ts';
import type { DbTarget } from '../../db/target.ts';
import type { CronJob } from '../../evidence/cron-jobs.ts';
import { forceEveryMinute, restoreForcedSchedules } from '../cron-force.ts';
import { infoCheck, targetCheck, type Check } from '../checks.ts';
import { OPT4_TASKS, openIn, sleep, taskOf, viewOfCommand } from './shared.ts';
import type { Targets } from '../targets.ts';

/** Seconds from the switch to every minute within which a run must start and, for a short job, end. */
const OPT4_TIMEOUT_SEC = 150;
const REFRESH_TIMEOUT_SEC = 180;
/**
 * A run that has started is waited for until it ends, up to this: the search view's refresh takes
 * minutes at scale 1 (the 180 s above cut two forced refreshes off mid-run in the first full-scale
 * sign-off, so their durations and the staleness KPI went unmeasured). Ctrl-C still stops the wait.
 */
const RUNNING_LIMIT_SEC = 1800;
const FINISHED = new Set(['succeeded', 'failed']);

export interface ForcedJobResult {
  readonly jobname: string;
  readonly task: string;
  /** The production schedule (restored afterwards). */
  readonly schedule: string;
  /** Server time the job was switched to every minute. */
  readonly forcedAt: string | null;
  readonly status: 'succeeded' | 'failed' | 'no run';
  readonly returnMessage: string | null;
  readonly start: string | null;
  readonly end: string | null;
  /** From the switch until the run was seen finished (or the timeout). */
  readonly waitedSec: number;
  /** OPT5 jobs: the mv_refresh_log row of the forced run. */
  readonly refresh?: { readonly view: string; readonly durationMs: number; readonly rows: number | null; readonly startedAt: string; readonly finishedAt: string; readonly client: string } | null;
}

interface JobState {
  readonly job: CronJob;
  readonly view: string | null;
  forcedAt: Date | null;
  forcedClock: number;
  result: ForcedJobResult | null;
}

/**
 * Jobs forced in the second minute of the wave. The constraint check must run after
 * partman-maintenance: in the same minute it would race the reorganize run and report the very
 * rows and months that run is about to fix. The three hourly refreshes (the heavy ones) are kept
 * apart from the first minute's five jobs: production runs them on minutes of their own, and
 * pg_cron 1.4's launcher (background workers, cron.max_running_jobs = 5) starts a queued job only
 * after it has seen the running ones finish, which it notices one at a time (measured: jobs
 * queued behind a 50 s refresh started 50 s late).
 */
const SECOND_MINUTE = ['constraint-check', 'refresh-layer_day', 'refresh-tile', 'refresh-search'];

/**
 * One wave of forced runs in two steps: the first group switched to every minute at once, the
 * second (SECOND_MINUTE) once every job of the first has run. Each job's schedule is restored as
 * soon as its run is seen; all of them in `finally` (also on Ctrl-C). `onTick` runs every second
 * on the wave's connection (marker visibility).
 */
export async function forceRuns(target: DbTarget, schema: string, jobs: readonly CronJob[], signal: AbortSignal, log: (l: string) => void, onTick: (c: pg.Client) => Promise<void>): Promise<{ results: ForcedJobResult[]; waveSec: number }> {
  const c = await openIn(target, 'geobench-opt45-cron');
  const started = performance.now();
  const states: JobState[] = jobs.map((job) => ({ job, view: viewOfCommand(job.command), forcedAt: null, forcedClock: 0, result: null }));
  const force = async (group: JobState[]): Promise<void> => {
    if (group.length === 0) return;
    const at = await forceEveryMinute(c, schema, group.map((s) => s.job));
    for (const s of group) {
      s.forcedAt = at;
      s.forcedClock = performance.now();
    }
    log(`  switched ${group.map((s) => taskOf(schema, s.job.jobname)).join(', ')} to every minute at ${at.toISOString()}`);
  };
  try {
    const second = states.filter((s) => SECOND_MINUTE.includes(taskOf(schema, s.job.jobname)));
    const first = states.filter((s) => !second.includes(s));
    await force(first.length ? first : second);
    while (!states.every((s) => s.result)) {
      if (signal.aborted) throw new InterruptedError('waiting for the forced pg_cron runs');
      const forced = states.filter((s) => s.forcedAt);
      const earliest = new Date(Math.min(...forced.map((s) => s.forcedAt!.getTime())));
      const runs = (await c.query<{ jobid: string; status: string; return_message: string | null; start_time: Date | null; end_time: Date | null }>(
        `SELECT jobid, status, return_message, start_time, end_time FROM cron.job_run_details
          WHERE jobid = ANY ($1::bigint[]) AND start_time >= $2 ORDER BY start_time, runid`, [forced.map((s) => s.job.jobid), earliest])).rows;
      const logs = (await c.query<{ view_name: string; started_at: Date; finished_at: Date; duration_ms: number; rows: string | null; status: string; client: string }>(
        `SELECT view_name::text, started_at, finished_at, duration_ms, rows, status, client FROM mv_refresh_log WHERE started_at >= $1 ORDER BY started_at`, [earliest]).catch(() => ({ rows: [] }))).rows;
      for (const s of forced) {
        if (s.result) continue;
        const mine = runs.filter((r) => Number(r.jobid) === s.job.jobid && r.start_time && r.start_time >= s.forcedAt!);
        const failed = mine.find((r) => r.status === 'failed');
        const succeeded = mine.find((r) => r.status === 'succeeded');
        const logged = s.view ? logs.find((l) => l.view_name === s.view && l.status === 'refreshed' && l.started_at >= s.forcedAt!) : undefined;
        const waited = (performance.now() - s.forcedClock) / 1000;
        const base = { jobname: s.job.jobname, task: taskOf(schema, s.job.jobname), schedule: s.job.schedule, forcedAt: s.forcedAt!.toISOString(), waitedSec: waited };
        const runOf = (r: (typeof runs)[number]): Pick<ForcedJobResult, 'returnMessage' | 'start' | 'end'> => ({ returnMessage: r.return_message, start: r.start_time?.toISOString() ?? null, end: r.end_time?.toISOString() ?? null });
        if (failed && !(s.view && logged && succeeded)) {
          s.result = { ...base, status: 'failed', ...runOf(failed), ...(s.view ? { refresh: null } : {}) };
        } else if (succeeded && (!s.view || logged)) {
          s.result = {
            ...base, status: 'succeeded', ...runOf(succeeded),
            ...(s.view ? { refresh: logged ? { view: logged.view_name, durationMs: Number(logged.duration_ms), rows: logged.rows === null ? null : Number(logged.rows), startedAt: logged.started_at.toISOString(), finishedAt: logged.finished_at.toISOString(), client: logged.client } : null } : {}),
          };
        } else if (waited > (mine.some((r) => !FINISHED.has(r.status)) ? RUNNING_LIMIT_SEC : s.view ? REFRESH_TIMEOUT_SEC : OPT4_TIMEOUT_SEC)) {
          const last = mine[mine.length - 1];
          s.result = { ...base, status: 'no run', returnMessage: last ? `no finished run within ${waited.toFixed(0)} s (last run ${last.status}${last.return_message ? `: ${last.return_message}` : ''})` : `no run within ${waited.toFixed(0)} s of the switch`, start: last?.start_time?.toISOString() ?? null, end: null, ...(s.view ? { refresh: null } : {}) };
        }
        if (s.result) {
          await restoreForcedSchedules(c, schema, [s.job.jobname]);
          log(`  ${s.result.task}: ${s.result.status} after ${waited.toFixed(0)} s${s.result.refresh ? ` (refresh ${(s.result.refresh.durationMs / 1000).toFixed(2)} s)` : ''}${s.result.status !== 'succeeded' && s.result.returnMessage ? `: ${s.result.returnMessage}` : ''}`);
        }
      }
      if (first.length && first.every((s) => s.result) && second.some((s) => !s.forcedAt)) await force(second);
      await onTick(c).catch(() => {});
      if (!states.every((s) => s.result)) await sleep(1000, signal);
    }
  } finally {
    await restoreForcedSchedules(c, schema, jobs.map((j) => j.jobname)).catch(() => {});
    await c.end().catch(() => {});
  }
  return { results: states.map((s) => s.result!), waveSec: (performance.now() - started) / 1000 };
}

/** Forced runs of the OPT4 maintenance jobs. */
export const opt4Runs = (forced: readonly ForcedJobResult[]): ForcedJobResult[] => forced.filter((f) => (OPT4_TASKS as readonly string[]).includes(f.task));
/** Forced runs of the OPT5 refresh jobs (those that carry a refresh log entry or its absence). */
export const refreshRuns = (forced: readonly ForcedJobResult[]): ForcedJobResult[] => forced.filter((f) => f.refresh !== undefined);

/** "Maintenance tasks ran": the four OPT4 jobs, each forced through pg_cron. */
export function maintenanceRanChecks(forced: readonly ForcedJobResult[], targets: Targets): Check[] {
  const opt4 = opt4Runs(forced);
  return [
    targetCheck('Maintenance tasks ran (forced real pg_cron runs, 4 OPT4 jobs)', targets.get('opt45.maintenance_tasks'), opt4.filter((f) => f.status === 'succeeded').length, {
      method: 'each job switched to * * * * * (constraint-check, with the hourly refreshes, once partman-maintenance and the first minute\'s jobs had run), the first run after the switch read from cron.job_run_details, the schedule restored', jobs: opt4,
    }),
    ...OPT4_TASKS.map((task) => {
      const f = opt4.find((x) => x.task === task);
      return infoCheck(`  job ${task} (${f?.schedule ?? 'missing'})`, f ? `${f.status}${f.returnMessage ? `: ${f.returnMessage.slice(0, 160)}` : ''} (ran ${f.waitedSec.toFixed(0)} s after the switch)` : 'no such job', f);
    }),
  ];
}

/** "Scheduled refresh ran": the five OPT5 refresh jobs, each forced through pg_cron and logged. */
export function refreshRanCheck(forced: readonly ForcedJobResult[], targets: Targets): Check {
  const refresh = refreshRuns(forced);
  return targetCheck('Scheduled refresh ran (forced real pg_cron runs, 5 refresh jobs, logged refreshed)', targets.get('opt45.refresh_jobs'), refresh.filter((f) => f.status === 'succeeded' && f.refresh).length, { jobs: refresh });
}
