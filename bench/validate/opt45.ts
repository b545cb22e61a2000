import seedrandom from 'seedrandom';
import type pg from 'pg';
import { GeobenchError, InterruptedError } from '../core/errors.ts';
import { connect, withClient } from '../db/connect.ts';
import { embeddedTargetIfConfigured, startCluster, stopCluster } from '../db/embedded.ts';
import { searchPath, variantSchema } from '../db/schema.ts';
import { withSchema, type DbTarget } from '../db/target.ts';
import { verifyDataset, type VerifyResult } from '../dataset/verify.ts';
import { rowsForScale } from '../dataset/model.ts';
import { schemaJobRuns, schemaJobs, type CronJob, type CronRun } from '../evidence/cron-jobs.ts';
import { prepareSchema } from '../load/prepare.ts';
import { loadCatalog, resolveTarget } from '../migrate/catalog.ts';
import { checkLedger, migrateDown, migrateUp, readLedger } from '../migrate/runner.ts';
import { queryType } from '../queries/index.ts';
import { drawDaysWindow, drawLayer, isoFromSec } from '../queries/sampling.ts';
import type { RunResult } from '../formats/run-result.ts';
import { booleanCheck, infoCheck, notMeasurable, targetCheck, type Check } from './checks.ts';
import { OPT3_ROUTES, runComparison } from './comparison-run.ts';
import { forceEveryMinute, restoreForcedSchedules } from './cron-force.ts';
import {
  median, partitionPruning, quantile, refreshCosts, refreshOverheadShare, scheduledStaleness, workloadDbTimePerHour,
  type PruningMeasure, type ScheduledStaleness,
} from './opt45-measures.ts';
import type { ValidateContext, ValidationOutcome, Validator } from './types.ts';

const AFTER = 'opt45_after';

/**
 * Marker rows the validator writes: ids in [9·10^11, 9·10^11 + 10^6), outside the dataset's ids
 * (1..N, so `dataset verify`'s checksum ignores them) and below the workload's id sequence (10^12,
 * whose rows the load engine deletes between segments: markers must outlive the load run that
 * overlaps the cron waits). Reserved layers 997–999 keep them out of the dataset's 50 layers.
 */
export const MARKER_ID_FIRST = 900_000_000_000;
export const MARKER_ID_END = MARKER_ID_FIRST + 1_000_000;
const RESTART_MARKERS = 5;
const RESTART_LAYER = 997;
const LIVE_LAYER = 998;
const SCHEDULED_LAYER = 999;
const SCHEDULED_MARKER_ID = MARKER_ID_FIRST + 100;
const LIVE_MARKER_FIRST = MARKER_ID_FIRST + 200;
/** Far from the data (Brazil): its 0.1° tile (100, 100) of vw_geometrias_tile exists only through the marker. */
const MARKER_POINT = 'POINT(10.05 10.05)';
const MARKER_TILE = { x: 100, y: 100 };
/** Months beyond the current one the restart markers are dated: past the premade horizon (36). */
const BEYOND_HORIZON_MONTHS = 40;

const OPT4_TASKS = ['partman-maintenance', 'constraint-check', 'analyze', 'vacuum'] as const;
const VIEWS = ['vw_geometrias_by_layer', 'vw_geometrias_layer_tag', 'vw_geometrias_layer_day', 'vw_geometrias_tile', 'vw_geometrias_search'] as const;
const LIVE_TRIGGERS = ['geometrias_layer_day_live_insert', 'geometrias_layer_day_live_update', 'geometrias_layer_day_live_delete', 'geometrias_layer_day_live_truncate'];
const OPT4_TIMEOUT_SEC = 150;
const REFRESH_TIMEOUT_SEC = 180;
const TRIGGER_SAMPLES = 200;
const TRIGGER_BLOCK = 50;
const PRUNING_RUNS = 20;
const LIVE_SAMPLES = 10;
const LIVE_POLL_MS = 100;
/** A live marker not visible after this long fails the 5-minute target for sure. */
const LIVE_GIVE_UP_MS = 301_000;
const MIN_PROBE_SEC = 2;

const taskOf = (schema: string, jobname: string): string => jobname.slice(schema.length + 1);
const viewOfCommand = (command: string): string | null => /refresh_view_logged\('([a-z_]+)'/.exec(command)?.[1] ?? null;
/** A target check whose achieved text is written for people (targetCheck prints in the target's unit: 0.0015min). */
const humanized = (c: Check, text: string | null): Check => (c.value === null || text === null ? c : { ...c, achieved: text });
const ms = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(digits)} ms`);
const sec = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x >= 120 ? `${(x / 60).toFixed(1)} min` : `${x.toFixed(1)} s`);

function sleep(msec: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, msec);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function openIn(target: DbTarget, app = 'geobench-validate'): Promise<pg.Client> {
  const c = await connect(target, app);
  await c.query(`SET search_path = ${searchPath(target.schema)}`);
  return c;
}

const scalar = async <T>(c: pg.Client, sql: string, params: unknown[] = []): Promise<T> => Object.values((await c.query(sql, params)).rows[0] as Record<string, unknown>)[0] as T;

/**
 * pg_cron and pg_partman must be in the database (and pg_cron must run its jobs here) before the
 * validator changes anything: a clear error naming what is missing otherwise.
 */
export async function requireOpt45Extensions(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ extname: string }>(`SELECT extname FROM pg_extension WHERE extname IN ('pg_cron', 'pg_partman')`);
  const have = new Set(rows.map((r) => r.extname));
  for (const [ext, pkg] of [['pg_cron', 'postgresql-15-cron'], ['pg_partman', 'postgresql-15-partman']] as const) {
    if (!have.has(ext)) {
      throw new GeobenchError(`validate opt45 needs the extension ${ext} in database ${await scalar<string>(client, 'SELECT current_database()')}, and it is not installed there`, {
        hint: ext === 'pg_cron'
          ? `install ${pkg}, add pg_cron to shared_preload_libraries, set cron.database_name to this database, restart, then CREATE EXTENSION pg_cron`
          : `install ${pkg}, then CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman`,
      });
    }
  }
  const cronDb = await scalar<string | null>(client, `SELECT current_setting('cron.database_name', true)`);
  const db = await scalar<string>(client, 'SELECT current_database()');
  if (cronDb !== db) {
    throw new GeobenchError(`validate opt45 needs pg_cron to run jobs in database ${db}, but cron.database_name is ${cronDb ?? 'not set'}`, { hint: `set cron.database_name = '${db}' and restart the server` });
  }
}

// ---------------------------------------------------------------------------------------------
// Partitions

interface PartitionRow { partition_name: string; is_default: boolean; range_from: Date | null; range_to: Date | null }

async function partitions(c: pg.Client): Promise<PartitionRow[]> {
  return (await c.query<PartitionRow>('SELECT partition_name::text, is_default, range_from, range_to FROM geometrias_partitions()')).rows;
}

/** Monthly partitions from the current month up to now + 36 months (the premade horizon). */
async function futurePartitions(c: pg.Client): Promise<string[]> {
  return (await c.query<{ p: string }>(`SELECT partition_name::text AS p FROM geometrias_partitions()
     WHERE NOT is_default AND range_from >= date_trunc('month', now()) AND range_from <= now() + interval '36 months' ORDER BY range_from`)).rows.map((r) => r.p);
}

// ---------------------------------------------------------------------------------------------
// Pruning

async function measurePruning(c: pg.Client, seed: number, totalRows: number): Promise<{ pruned: PruningMeasure; unpruned: PruningMeasure; params: unknown[]; withMs: number[]; withoutMs: number[] }> {
  const q5 = queryType('Q5');
  const params = q5.params(seedrandom.alea(`${seed}:opt45:pruning`), { totalRows });
  const names = (await partitions(c)).map((p) => p.partition_name);
  const explain = async (): Promise<unknown> => (await c.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${q5.sql}`, params)).rows[0]!['QUERY PLAN'];
  const pruned = partitionPruning(await explain() as never, names);
  await c.query('SET enable_partition_pruning = off');
  let unpruned: PruningMeasure;
  try {
    unpruned = partitionPruning(await explain() as never, names);
  } finally {
    await c.query('RESET enable_partition_pruning');
  }
  const time = async (): Promise<number> => {
    const t = performance.now();
    await c.query(q5.sql, params);
    return performance.now() - t;
  };
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  for (let i = 0; i < PRUNING_RUNS + 2; i++) {
    const a = await time();
    await c.query('SET enable_partition_pruning = off');
    let b: number;
    try {
      b = await time();
    } finally {
      await c.query('RESET enable_partition_pruning');
    }
    if (i >= 2) {
      withMs.push(a);
      withoutMs.push(b);
    }
  }
  return { pruned, unpruned, params, withMs, withoutMs };
}

// ---------------------------------------------------------------------------------------------
// Trigger cost per write

/**
 * The same seeded W1 inserts with the live-summary INSERT trigger enabled and disabled, in
 * alternating blocks; each block is one transaction that is rolled back, the DISABLE TRIGGER of the
 * no-trigger arm included: nothing is left behind, the summary cannot drift, and both arms pay the
 * same (no commit per row).
 */
async function measureTriggerCost(c: pg.Client, seed: number, totalRows: number, signal: AbortSignal): Promise<{ withMs: number[]; withoutMs: number[]; error?: string }> {
  const w1 = queryType('W1');
  const rng = seedrandom.alea(`${seed}:opt45:trigger-cost`);
  const params = Array.from({ length: TRIGGER_SAMPLES }, () => w1.params(rng, { totalRows }));
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  try {
    for (let b = 0; b < TRIGGER_SAMPLES / TRIGGER_BLOCK; b++) {
      for (const arm of b % 2 === 0 ? ['with', 'without'] : ['without', 'with']) {
        if (signal.aborted) throw new InterruptedError('measuring the trigger cost');
        await c.query('BEGIN');
        try {
          await c.query(`SET LOCAL lock_timeout = '30s'`);
          if (arm === 'without') await c.query('ALTER TABLE geometrias DISABLE TRIGGER geometrias_layer_day_live_insert');
          for (let i = b * TRIGGER_BLOCK; i < (b + 1) * TRIGGER_BLOCK; i++) {
            const t = performance.now();
            await c.query(w1.sql, params[i]);
            (arm === 'with' ? withMs : withoutMs).push(performance.now() - t);
          }
        } finally {
          await c.query('ROLLBACK');
        }
      }
    }
  } catch (err) {
    if (err instanceof InterruptedError) throw err;
    return { withMs, withoutMs, error: (err as Error).message };
  }
  return { withMs, withoutMs };
}

// ---------------------------------------------------------------------------------------------
// Forced pg_cron runs

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
async function forceRuns(target: DbTarget, schema: string, jobs: readonly CronJob[], signal: AbortSignal, log: (l: string) => void, onTick: (c: pg.Client) => Promise<void>): Promise<{ results: ForcedJobResult[]; waveSec: number }> {
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
        } else if (waited > (s.view ? REFRESH_TIMEOUT_SEC : OPT4_TIMEOUT_SEC)) {
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

// ---------------------------------------------------------------------------------------------
// Staleness of the live summary under load

interface LiveSample { readonly id: number; readonly day: string; readonly visibleMs: number; readonly seen: boolean; readonly underLoad: boolean }

/**
 * Marker rows of a reserved layer written one at a time while the load runs; a reader on another
 * connection polls geometrias_layer_day_live every 100 ms from the moment the write returns. The
 * time from issuing the write to the reader seeing its layer × day row is the staleness a client
 * of the live summary sees.
 */
async function liveStaleness(target: DbTarget, loadRunning: () => boolean, startDelayMs: number, spanMs: number, signal: AbortSignal): Promise<LiveSample[]> {
  const writer = await openIn(target, 'geobench-opt45-writer');
  const reader = await openIn(target, 'geobench-opt45-reader');
  const out: LiveSample[] = [];
  try {
    await sleep(startDelayMs, signal);
    const gap = Math.max(500, spanMs / LIVE_SAMPLES);
    for (let k = 0; k < LIVE_SAMPLES && !signal.aborted; k++) {
      const day = new Date(Date.UTC(2025, 10, 1 + k)).toISOString().slice(0, 10);
      const underLoad = loadRunning();
      const t0 = performance.now();
      await writer.query(`INSERT INTO geometrias (id, layer_id, created_at, updated_at, props, geom)
        VALUES ($1, $2, ($3::date + interval '12 hours') AT TIME ZONE 'UTC', ($3::date + interval '12 hours') AT TIME ZONE 'UTC', '{"name": "opt45 live marker", "tag": "opt45-marker", "source": 8}', ST_GeomFromText('POINT(-46.63 -23.55)', 4326))`,
        [LIVE_MARKER_FIRST + k, LIVE_LAYER, day]);
      let seen = false;
      while (!seen && performance.now() - t0 < LIVE_GIVE_UP_MS && !signal.aborted) {
        seen = ((await reader.query('SELECT 1 FROM geometrias_layer_day_live WHERE layer_id = $1 AND day = $2', [LIVE_LAYER, day])).rowCount ?? 0) > 0;
        if (!seen) await sleep(LIVE_POLL_MS, signal);
      }
      out.push({ id: LIVE_MARKER_FIRST + k, day, visibleMs: performance.now() - t0, seen, underLoad });
      if (!seen) break;
      await sleep(gap, signal);
    }
  } finally {
    await writer.end().catch(() => {});
    await reader.end().catch(() => {});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reads during REFRESH … CONCURRENTLY

interface ReadWindow { readonly reads: number; readonly errors: number; readonly p50Ms: number | null; readonly p99Ms: number | null; readonly seconds: number }

async function readLatencyDuringRefresh(target: DbTarget, seed: number, signal: AbortSignal): Promise<{ refresh: ReadWindow; idle: ReadWindow; refreshes: { durationMs: number; status: string }[] }> {
  const reader = await openIn(target, 'geobench-opt45-reader');
  const refresher = await openIn(target, 'geobench-opt45-refresh');
  const rng = seedrandom.alea(`${seed}:opt45:search-reads`);
  const sql = `SELECT id FROM vw_geometrias_search WHERE layer_id = $1 AND created_at >= $2::timestamptz AND created_at < $3::timestamptz ORDER BY created_at DESC, id DESC LIMIT 100`;
  const next = (): unknown[] => {
    const w = drawDaysWindow(rng, 90);
    return [drawLayer(rng), isoFromSec(w.startSec), isoFromSec(w.endSec)];
  };
  const window = async (until: () => boolean): Promise<ReadWindow> => {
    const lat: number[] = [];
    let errors = 0;
    const t0 = performance.now();
    while (!until() && !signal.aborted) {
      const t = performance.now();
      try {
        await reader.query(sql, next());
        lat.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
    return { reads: lat.length, errors, p50Ms: median(lat), p99Ms: quantile(lat, 0.99), seconds: (performance.now() - t0) / 1000 };
  };
  try {
    await reader.query(sql, next());
    const refreshes: { durationMs: number; status: string }[] = [];
    let refreshing = true;
    const t0 = performance.now();
    const refreshLoop = (async () => {
      try {
        do {
          const r = (await refresher.query<{ duration_ms: number; status: string }>(`SELECT duration_ms, status FROM refresh_view_logged('vw_geometrias_search')`)).rows[0]!;
          refreshes.push({ durationMs: Number(r.duration_ms), status: r.status });
        } while (performance.now() - t0 < MIN_PROBE_SEC * 1000 && !signal.aborted);
      } finally {
        refreshing = false;
      }
    })();
    const during = await window(() => !refreshing);
    await refreshLoop;
    const idleUntil = performance.now() + during.seconds * 1000;
    const idle = await window(() => performance.now() >= idleUntil);
    return { refresh: during, idle, refreshes };
  } finally {
    await reader.end().catch(() => {});
    await refresher.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Rollback round trip

interface RoundTripStep { readonly to: string; readonly seconds: number; readonly verify: boolean | null; readonly jobs: number; readonly triggers: number; readonly partmanConfig: number; readonly ok: boolean; readonly problems: string[] }

async function objectCounts(target: DbTarget): Promise<{ jobs: number; triggers: number; partmanConfig: number }> {
  return withClient(target, async (c) => {
    const jobs = (await schemaJobs(c, target.schema))?.length ?? 0;
    const triggers = Number(await scalar<string>(c, `SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass($1) AND NOT tgisinternal`, [`${target.schema}.geometrias`]));
    const partmanConfig = Number(await scalar<string>(c, `SELECT count(*) FROM partman.part_config WHERE parent_table = $1`, [`${target.schema}.geometrias`]));
    return { jobs, triggers, partmanConfig };
  });
}

async function rollbackRoundTrip(target: DbTarget, sqlDir: string, workers: number, signal: AbortSignal, log: (l: string) => void): Promise<RoundTripStep[]> {
  const catalog = loadCatalog(sqlDir);
  const runOptions = { log: (l: string) => log(`  ${l}`), signal };
  const steps: RoundTripStep[] = [];
  const step = async (to: string, expect: { jobs: number; triggers: number; partmanConfig: number }, verify: boolean): Promise<void> => {
    const t = performance.now();
    const at = resolveTarget(catalog, to);
    const current = checkLedger(await withClient(target, (c) => readLedger(c, target.schema)), catalog) - 1;
    if (at < current) await migrateDown(target, catalog, at, runOptions);
    else if (at > current) await migrateUp(target, catalog, at, runOptions);
    const seconds = (performance.now() - t) / 1000;
    const v: VerifyResult | null = verify ? await verifyDataset(target, { workers }) : null;
    const counts = await objectCounts(target);
    const problems: string[] = [];
    if (v && !v.ok) problems.push(`dataset verify failed (${v.badChunks.length} chunks differ)`);
    for (const k of ['jobs', 'triggers', 'partmanConfig'] as const) if (counts[k] !== expect[k]) problems.push(`${k}: ${counts[k]}, expected ${expect[k]}`);
    steps.push({ to, seconds, verify: v ? v.ok : null, ...counts, ok: problems.length === 0, problems });
    log(`  at ${to} after ${seconds.toFixed(1)} s: verify ${v ? (v.ok ? 'ok' : 'FAILED') : 'skipped'}, ${counts.jobs} jobs, ${counts.triggers} triggers, ${counts.partmanConfig} partman config${problems.length ? ` — ${problems.join('; ')}` : ''}`);
  };
  await step('OPT3', { jobs: 0, triggers: 0, partmanConfig: 0 }, true);
  await step('OPT1', { jobs: 0, triggers: 0, partmanConfig: 0 }, true);
  await step('OPT5', { jobs: 9, triggers: LIVE_TRIGGERS.length, partmanConfig: 1 }, true);
  return steps;
}

// ---------------------------------------------------------------------------------------------

/** The live summary against a fresh GROUP BY of geometrias: rows that differ either way. */
const LIVE_DIFF = `
  WITH fresh AS (
    SELECT layer_id, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n,
           count(*) FILTER (WHERE ST_Dimension(geom) = 0) AS n_point,
           count(*) FILTER (WHERE ST_Dimension(geom) = 1) AS n_line,
           count(*) FILTER (WHERE ST_Dimension(geom) = 2) AS n_polygon,
           min(created_at) AS first_created_at, max(created_at) AS last_created_at
      FROM geometrias GROUP BY 1, 2),
  live AS (SELECT layer_id, day, n, n_point, n_line, n_polygon, first_created_at, last_created_at FROM geometrias_layer_day_live)
  SELECT count(*) AS n FROM (
    (SELECT * FROM fresh EXCEPT SELECT * FROM live) UNION ALL (SELECT * FROM live EXCEPT SELECT * FROM fresh)) d`;

const deleteMarkers = async (c: pg.Client): Promise<number> => (await c.query('DELETE FROM geometrias WHERE id >= $1 AND id < $2', [MARKER_ID_FIRST, MARKER_ID_END])).rowCount ?? 0;

async function launcherRunning(c: pg.Client): Promise<number> {
  return Number(await scalar<string>(c, `SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'`));
}

/**
 * The roadmap's OPT45_PARTITION_SCHEDULING_VALIDATOR, measured on a schema at OPT5 (OPT1…OPT5):
 * pg_partman's premade future partitions and that the automation makes them, real pg_cron runs of
 * all nine jobs (forced by switching them to every minute, then restored), partition pruning,
 * survival of a server restart and a missed schedule, the jobs' success rate; for OPT5 the refresh
 * strategy of every view, the trigger's cost per write, the refresh overhead against the standard
 * workload's database time, data staleness (live summary measured, scheduled views' worst case),
 * reads during a concurrent refresh, and the rollback round trip.
 */
export const opt45Validator: Validator = {
  name: 'opt45',
  roadmapName: 'OPT45_PARTITION_SCHEDULING_VALIDATOR',
  description: 'OPT4 partition automation (pg_partman + pg_cron) and OPT5 MV refresh scheduling + live summary: partitions, jobs, pruning, restart, uptime, refresh cost, staleness, rollback',
  async run(ctx: ValidateContext): Promise<ValidationOutcome> {
    const log = ctx.log;
    const schema = variantSchema(AFTER);
    const totalRows = rowsForScale(ctx.scale);
    await withClient(ctx.server, requireOpt45Extensions);
    let server = ctx.server;
    const target = (): DbTarget => withSchema(server, schema);
    await prepareSchema(server, { name: AFTER, schema, migrateTo: 'OPT5', scale: ctx.scale, seed: ctx.seed }, ctx.sqlDir, { log, signal: ctx.signal, workers: ctx.loadWorkers });

    const checks: Check[] = [];
    const evidence: Record<string, unknown> = { schema, markerIds: [MARKER_ID_FIRST, MARKER_ID_END - 1] };
    let client = await openIn(target());
    const since = await scalar<Date>(client, 'SELECT clock_timestamp()');
    let runResult: string | undefined;
    try {
      // Leftovers of an interrupted earlier run: saved schedules and marker rows.
      const repaired = await restoreForcedSchedules(client, schema);
      if (repaired.length) log(`restored ${repaired.length} job schedules left at every minute by an interrupted run: ${repaired.map((r) => r.jobname).join(', ')}`);
      const stale = await deleteMarkers(client);
      if (stale) log(`removed ${stale} marker rows left by an interrupted run`);

      // ---- inventory ---------------------------------------------------------------------
      const jobs = (await schemaJobs(client, schema)) ?? [];
      const premake = await scalar<number | null>(client, 'SELECT premake FROM partman.part_config WHERE parent_table = $1', [`${schema}.geometrias`]).catch(() => null);
      const futureBefore = await futurePartitions(client);
      const launcherBefore = await launcherRunning(client);
      const views = (await client.query<{ matviewname: string; ispopulated: boolean }>('SELECT matviewname::text, ispopulated FROM pg_matviews WHERE schemaname = $1 ORDER BY 1', [schema])).rows;
      const triggers = (await client.query<{ tgname: string; tgenabled: string }>(`SELECT tgname::text, tgenabled::text FROM pg_trigger WHERE tgrelid = 'geometrias'::regclass AND NOT tgisinternal ORDER BY 1`)).rows;
      const liveTable = (await scalar<string | null>(client, `SELECT to_regclass('geometrias_layer_day_live')::text`)) !== null;
      const liveOn = liveTable && LIVE_TRIGGERS.every((t) => triggers.some((x) => x.tgname === t && x.tgenabled !== 'D'));
      const strategies = Object.fromEntries(views.map((v) => {
        const scheduled = jobs.filter((j) => j.active && viewOfCommand(j.command) === v.matviewname).map((j) => `${j.jobname} (${j.schedule})`);
        const trigger = v.matviewname === 'vw_geometrias_layer_day' && liveOn ? ['geometrias_layer_day_live (statement triggers on geometrias)'] : [];
        return [v.matviewname, [...scheduled, ...trigger]];
      }));
      const withStrategy = Object.values(strategies).filter((s) => s.length > 0).length;
      log(`${schema}: ${jobs.length} pg_cron jobs, ${futureBefore.length} future partitions, ${views.length} views (${withStrategy} with a refresh strategy), pg_cron launcher ${launcherBefore ? 'running' : 'NOT running'}`);

      // ---- partition pruning ---------------------------------------------------------------
      log('partition pruning: EXPLAIN of Q5 (30-day window) and its latency with / without pruning');
      const pruning = await measurePruning(client, ctx.seed, totalRows);

      // ---- trigger cost per write ----------------------------------------------------------
      log(`trigger cost: ${TRIGGER_SAMPLES} single-row INSERTs with and without the live-summary trigger (rolled back)`);
      const trig = await measureTriggerCost(client, ctx.seed, totalRows, ctx.signal);

      // ---- restart + missed schedule: markers beyond the horizon, two future months removed --
      log(`restart test: ${RESTART_MARKERS} marker rows dated now + ${BEYOND_HORIZON_MONTHS} months (beyond the premade horizon)`);
      await client.query(`INSERT INTO geometrias (id, layer_id, created_at, updated_at, props, geom)
        SELECT $1::bigint + k, $2, t, t, '{"name": "opt45 restart marker", "tag": "opt45-marker", "source": 8}', ST_GeomFromText('POINT(-46.63 -23.55)', 4326)
          FROM generate_series(1, $3) AS k, LATERAL (SELECT date_trunc('month', now()) + make_interval(months => $4, days => k) + interval '12 hours' AS t) x`,
      [MARKER_ID_FIRST, RESTART_LAYER, RESTART_MARKERS, BEYOND_HORIZON_MONTHS]);
      const landed = (await client.query<{ part: string; n: string }>(`SELECT tableoid::regclass::text AS part, count(*) AS n FROM geometrias WHERE id > $1 AND id <= $1 + $2 GROUP BY 1`, [MARKER_ID_FIRST, RESTART_MARKERS])).rows;
      const inDefault = landed.filter((r) => r.part.replace(/^.*\./, '') === 'geometrias_default').reduce((s, r) => s + Number(r.n), 0);
      // The two furthest months of the horizon: dropped, to be made again by the automation.
      const toDrop = (await client.query<{ p: string; n: string }>(`SELECT partition_name::text AS p FROM geometrias_partitions()
         WHERE NOT is_default AND range_from <= now() + interval '36 months' ORDER BY range_from DESC LIMIT 2`)).rows.map((r) => r.p);
      const dropped: string[] = [];
      for (const p of toDrop) {
        const n = Number(await scalar<string>(client, `SELECT count(*) FROM ${p}`));
        if (n > 0) {
          log(`  ${p} holds ${n} rows: not dropped`);
          continue;
        }
        await client.query(`ALTER TABLE geometrias DETACH PARTITION ${p}`);
        await client.query(`DROP TABLE ${p}`);
        dropped.push(p);
      }
      log(`  markers in geometrias_default: ${inDefault}/${RESTART_MARKERS}; dropped the furthest future partitions ${dropped.join(', ') || '(none)'}`);

      const embedded = server.kind === 'embedded' && embeddedTargetIfConfigured()?.client.port === server.client.port;
      let restart: { downSec: number; startedBefore: string; startedAfter: string; launcherAfter: number } | null = null;
      if (embedded) {
        log('restarting the embedded cluster (pg_ctl stop -m fast, start)');
        const startedBefore = (await scalar<Date>(client, 'SELECT pg_postmaster_start_time()')).toISOString();
        await client.end().catch(() => {});
        const t = performance.now();
        try {
          await stopCluster('fast');
        } finally {
          const started = await startCluster({ log });
          if (started.client.port !== server.client.port) log(`  the cluster came back on port ${started.client.port} (was ${server.client.port}): validators run after this one in the same process still use the old port`);
          server = { ...started, schema: ctx.server.schema };
        }
        const downSec = (performance.now() - t) / 1000;
        client = await openIn(target());
        const startedAfter = (await scalar<Date>(client, 'SELECT pg_postmaster_start_time()')).toISOString();
        let launcherAfter = 0;
        for (let i = 0; i < 40 && !launcherAfter; i++) {
          launcherAfter = await launcherRunning(client);
          if (!launcherAfter) await sleep(250, ctx.signal);
        }
        restart = { downSec, startedBefore, startedAfter, launcherAfter };
        log(`  back after ${downSec.toFixed(1)} s; pg_cron launcher ${launcherAfter ? 'running' : 'NOT running'}`);
      } else {
        log('external server: not restarted (not ours to restart); the missed-schedule part still runs');
      }
      const launcherNow = restart ? restart.launcherAfter : await launcherRunning(client);

      // ---- the scheduled views' marker -------------------------------------------------------
      await client.query(`INSERT INTO geometrias (id, layer_id, created_at, updated_at, props, geom)
        VALUES ($1, $2, '2025-12-15T12:00:00Z', '2025-12-15T12:00:00Z', '{"name": "opt45 staleness marker", "tag": "opt45-marker", "source": 8}', ST_GeomFromText($3, 4326))`,
      [SCHEDULED_MARKER_ID, SCHEDULED_LAYER, MARKER_POINT]);
      const markerAt = await scalar<Date>(client, 'SELECT clock_timestamp()');
      const markerSeen: Record<string, string | null> = Object.fromEntries([...VIEWS, 'geometrias_layer_day_live'].map((v) => [v, null]));
      const markerSql = `SELECT clock_timestamp() AS at,
          EXISTS (SELECT 1 FROM vw_geometrias_by_layer WHERE layer_id = $1) AS vw_geometrias_by_layer,
          EXISTS (SELECT 1 FROM vw_geometrias_layer_tag WHERE layer_id = $1) AS vw_geometrias_layer_tag,
          EXISTS (SELECT 1 FROM vw_geometrias_layer_day WHERE layer_id = $1) AS vw_geometrias_layer_day,
          EXISTS (SELECT 1 FROM vw_geometrias_tile WHERE tile_x = $2 AND tile_y = $3) AS vw_geometrias_tile,
          EXISTS (SELECT 1 FROM vw_geometrias_search WHERE id = $4) AS vw_geometrias_search,
          EXISTS (SELECT 1 FROM geometrias_layer_day_live WHERE layer_id = $1) AS geometrias_layer_day_live`;
      const checkMarker = async (c: pg.Client): Promise<void> => {
        const r = (await c.query(markerSql, [SCHEDULED_LAYER, MARKER_TILE.x, MARKER_TILE.y, SCHEDULED_MARKER_ID])).rows[0] as Record<string, unknown>;
        for (const v of Object.keys(markerSeen)) if (markerSeen[v] === null && r[v] === true) markerSeen[v] = (r.at as Date).toISOString();
      };
      await checkMarker(client);
      const visibleBefore = Object.entries(markerSeen).filter(([v, at]) => at !== null && v !== 'geometrias_layer_day_live').map(([v]) => v);

      // ---- forced pg_cron runs, the standard workload and the live staleness, overlapped ------
      log(`forcing real runs of the ${jobs.length} pg_cron jobs (every minute until each ran, then restored) while the standard workload runs`);
      let loadRunning = true;
      const loadCtx = { ...ctx, server };
      const load = runComparison(loadCtx, 'validate-opt45', [
        { name: AFTER, migrateTo: 'OPT5', description: 'OPT1…OPT5 with the OPT5 jobs and triggers live; routed query types on OPT3\'s objects', routes: { ...OPT3_ROUTES } },
      ]).finally(() => (loadRunning = false));
      const live = liveStaleness(target(), () => loadRunning, (ctx.warmupSec + 1) * 1000, ctx.durationSec * ctx.repetitions * 1000, ctx.signal);
      const wave = forceRuns(target(), schema, jobs, ctx.signal, log, checkMarker);
      const [loadR, liveR, waveR] = await Promise.allSettled([load, live, wave]);
      if (ctx.signal.aborted) throw new InterruptedError('validate opt45');
      if (waveR.status === 'rejected') throw waveR.reason;
      const forced = waveR.value.results;
      const run: RunResult | null = loadR.status === 'fulfilled' ? loadR.value : null;
      if (run) runResult = 'result.json';
      const loadError = loadR.status === 'rejected' ? (loadR.reason as Error).message : run && run.status !== 'complete' ? `load run ${run.status}: ${run.statusReason}` : null;
      const liveSamples = liveR.status === 'fulfilled' ? liveR.value : [];
      const liveError = liveR.status === 'rejected' ? (liveR.reason as Error).message : null;

      // ---- after the wave: restart markers, recreated partitions --------------------------------
      const markerRows = (await client.query<{ id: string; part: string; proper: string }>(`SELECT id, tableoid::regclass::text AS part, 'geometrias_p' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY_MM') AS proper
          FROM geometrias WHERE id > $1 AND id <= $1 + $2 ORDER BY id`, [MARKER_ID_FIRST, RESTART_MARKERS])).rows;
      const inProper = markerRows.filter((r) => r.part.replace(/^.*\./, '') === r.proper).length;
      const futureAfter = await futurePartitions(client);
      const recreated = dropped.filter((p) => futureAfter.includes(p));
      await checkMarker(client);

      // ---- cleanup of every marker, live summary exactness, verify ------------------------------
      const removed = await deleteMarkers(client);
      log(`removed ${removed} marker rows; checking the live summary against a fresh GROUP BY and verifying the dataset`);
      const liveDiff = Number(await scalar<string>(client, LIVE_DIFF));
      const verify = await verifyDataset(target(), { workers: ctx.loadWorkers });

      // ---- reads during REFRESH CONCURRENTLY -----------------------------------------------------
      log('reads of vw_geometrias_search during REFRESH MATERIALIZED VIEW CONCURRENTLY, then as long without');
      const reads = await readLatencyDuringRefresh(target(), ctx.seed, ctx.signal);

      // ---- uptime: every run of the schema's jobs since the validation started --------------------
      const cronRuns: CronRun[] = await schemaJobRuns(client, schema, since.toISOString());
      const finishedRuns = cronRuns.filter((r) => r.status === 'succeeded' || r.status === 'failed');
      const succeededRuns = finishedRuns.filter((r) => r.status === 'succeeded').length;
      await client.end().catch(() => {});

      // ---- rollback round trip ----------------------------------------------------------------------
      log('rollback round trip: OPT5 → OPT3 → OPT1 → OPT5, verify at each step');
      let roundTrip: RoundTripStep[] = [];
      let roundTripError: string | null = null;
      try {
        roundTrip = await rollbackRoundTrip(target(), ctx.sqlDir, ctx.loadWorkers, ctx.signal, log);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        roundTripError = (err as Error).message;
      }

      // ---- the checks ---------------------------------------------------------------------------------
      const opt4 = forced.filter((f) => (OPT4_TASKS as readonly string[]).includes(f.task));
      const refresh = forced.filter((f) => f.refresh !== undefined);
      // OPT4
      checks.push(targetCheck(`Future partitions (this month … now + 36 months, after the forced maintenance run)`, 'future_partitions >= 36', futureAfter.length, {
        method: 'monthly partitions with lower bound >= the current month and <= now + 36 months (geometrias_partitions()); the two furthest were detached and dropped before a forced partman-maintenance run',
        premake, before: futureBefore.length, dropped, recreated, first: futureAfter[0] ?? null, last: futureAfter[futureAfter.length - 1] ?? null,
      }));
      checks.push(infoCheck('Future partitions made by the automation (dropped → forced pg_cron run → back)', dropped.length === 0 ? 'nothing dropped (the furthest months held rows)' : `${recreated.length}/${dropped.length} recreated: ${dropped.map((p) => `${p} ${recreated.includes(p) ? '✓' : '✗'}`).join(', ')}`, { dropped, recreated }));
      checks.push(booleanCheck('pg_cron scheduler active (pg_cron launcher in pg_stat_activity)', launcherBefore > 0 && launcherNow > 0,
        `launcher ${launcherBefore > 0 ? 'running' : 'missing'}${restart ? `, after the restart ${restart.launcherAfter > 0 ? 'running' : 'missing'}` : ''}`, { launcherBefore, launcherAfterRestart: restart?.launcherAfter ?? null }));
      checks.push(targetCheck('Maintenance tasks ran (forced real pg_cron runs, 4 OPT4 jobs)', 'maintenance_tasks_succeeded >= 4', opt4.filter((f) => f.status === 'succeeded').length, {
        method: 'each job switched to * * * * * (constraint-check, with the hourly refreshes, once partman-maintenance and the first minute\'s jobs had run), the first run after the switch read from cron.job_run_details, the schedule restored', jobs: opt4,
      }));
      for (const task of OPT4_TASKS) {
        const f = opt4.find((x) => x.task === task);
        checks.push(infoCheck(`  job ${task} (${f?.schedule ?? 'missing'})`, f ? `${f.status}${f.returnMessage ? `: ${f.returnMessage.slice(0, 160)}` : ''} (ran ${f.waitedSec.toFixed(0)} s after the switch)` : 'no such job', f));
      }
      checks.push(targetCheck('Partition Pruning (Q5, 30-day window: partitions skipped)', 'pruning_share > 90%', pruning.pruned.share, {
        method: '1 − partitions in the scan nodes of EXPLAIN (FORMAT JSON) / partitions of geometrias (default included)', params: pruning.params, scanned: pruning.pruned.scanned, total: pruning.pruned.total, withoutPruning: pruning.unpruned.scanned.length,
      }));
      const pw = median(pruning.withMs);
      const pwo = median(pruning.withoutMs);
      checks.push(infoCheck(`Q5 latency with / without pruning (median of ${PRUNING_RUNS}, enable_partition_pruning)`, `${ms(pw)} vs ${ms(pwo)} (${pw && pwo ? `${(pwo / pw).toFixed(1)}× slower without` : 'n/a'})`, { withMs: pruning.withMs, withoutMs: pruning.withoutMs }));
      const survival = { inserted: RESTART_MARKERS, inDefaultBefore: inDefault, found: markerRows.length, inProperPartition: inProper, rows: markerRows, restart };
      if (restart) {
        checks.push(targetCheck('Survival of a server restart + missed schedule (markers beyond the horizon in their month after restart + forced run)', 'restart_survival_share >= 100%', inProper / RESTART_MARKERS, {
          method: `${RESTART_MARKERS} rows dated now + ${BEYOND_HORIZON_MONTHS} months inserted (geometrias_default), the embedded cluster stopped and started, partman-maintenance forced through pg_cron; share = rows found in the partition of their own month / inserted`, ...survival,
        }));
      } else {
        checks.push(notMeasurable('Survival of a server restart', 'restart_survival_share >= 100%', `the server is not geobench's embedded cluster (${server.display}): restarting it is not ours to do. Missed schedule without a restart: ${inProper}/${RESTART_MARKERS} markers beyond the horizon moved to their month by the forced partman-maintenance run`));
        checks.push(infoCheck('Missed schedule (no restart): markers moved to their month', `${inProper}/${RESTART_MARKERS}`, survival));
      }
      checks.push(booleanCheck('Dataset verify after restart, maintenance and marker cleanup', verify.ok, verify.ok ? `ok (${verify.manifest.totalRows} rows, ${verify.seconds.toFixed(1)} s)` : `FAILED: ${verify.badChunks.length} chunks differ; missing ${verify.mismatches.missing.slice(0, 5).join(', ')}`, { ok: verify.ok, rowsOutsideRange: verify.rowsOutsideRange, mismatches: verify.mismatches }));
      const failedRuns = finishedRuns.filter((r) => r.status === 'failed');
      checks.push(targetCheck(`Infrastructure uptime (pg_cron runs of the schema's jobs that succeeded, ${finishedRuns.length} runs)`, 'uptime_share >= 99.9%', finishedRuns.length ? succeededRuns / finishedRuns.length : null, {
        method: 'cron.job_run_details of the jobs named <schema>:… since the validation started (forced and scheduled runs); unfinished runs left out',
        since: since.toISOString(), runs: cronRuns.length, finished: finishedRuns.length, succeeded: succeededRuns, failed: failedRuns.map((r) => ({ job: r.jobname, start: r.start, message: r.returnMessage })),
      }));

      // OPT5
      checks.push(targetCheck('Refresh strategy for all 5 views (scheduled pg_cron refresh / trigger summary)', 'views_with_refresh_strategy >= 5', withStrategy, { strategies, triggers, liveSummary: liveTable }));
      const tw = median(trig.withMs);
      const two = median(trig.withoutMs);
      checks.push(humanized(targetCheck(`Trigger refresh cost per write (single-row INSERT with the live-summary trigger, median of ${trig.withMs.length})`, 'trigger_cost_time < 100ms', tw === null ? null : tw * 1000, {
        method: `${TRIGGER_SAMPLES} seeded W1 inserts per arm in alternating blocks of ${TRIGGER_BLOCK}, each block one transaction rolled back (the no-trigger arm with ALTER TABLE … DISABLE TRIGGER geometrias_layer_day_live_insert inside it); client round trip of each INSERT`,
        withP50Ms: tw, withP99Ms: quantile(trig.withMs, 0.99), withoutP50Ms: two, withoutP99Ms: quantile(trig.withoutMs, 0.99),
      }, trig.error), tw === null ? null : ms(tw, 3)));
      checks.push(infoCheck('Trigger added latency per INSERT (median with − without)', tw !== null && two !== null ? `${tw - two >= 0 ? '+' : '−'}${ms(Math.abs(tw - two), 3)} (${ms(tw, 3)} vs ${ms(two, 3)})` : 'n/a'));
      checks.push(targetCheck('Scheduled refresh ran (forced real pg_cron runs, 5 refresh jobs, logged refreshed)', 'refresh_jobs_succeeded >= 5', refresh.filter((f) => f.status === 'succeeded' && f.refresh).length, { jobs: refresh }));

      // refresh overhead
      const durations = refresh.filter((f) => f.refresh).map((f) => ({ jobname: f.jobname, schedule: f.schedule, durationMs: f.refresh!.durationMs }));
      const costs = refreshCosts(durations);
      const refreshMsPerHour = costs.reduce((s, c) => s + c.msPerHour, 0);
      const workload = run ? workloadDbTimePerHour(run, AFTER) : null;
      const missingRefresh = refresh.filter((f) => !f.refresh).map((f) => f.task);
      const share = missingRefresh.length || refresh.length === 0 ? null : refreshOverheadShare(refreshMsPerHour, workload?.msPerHour ?? null);
      checks.push(targetCheck('Refresh overhead share of database time (standard workload)', 'refresh_overhead_share < 1%', share, {
        method: 'refresh ms per hour = Σ over the refresh jobs of the forced run\'s mv_refresh_log.duration_ms × runs per hour of its production schedule; workload ms per hour = Σ pg_stat_statements exec + plan time of the standard mix (Q1–Q8 + W1, Q5/Q7 routed to OPT3) per measured second × 3600, from the load run on this schema (result.json); share = refresh / (refresh + workload). The refreshes were measured while the load ran (both slowed by each other on a shared machine).',
        refreshMsPerHour, jobs: costs, workload, loadError,
      }, missingRefresh.length ? `no measured refresh for ${missingRefresh.join(', ')}` : loadError ?? undefined));

      // staleness
      const liveMax = liveSamples.length ? Math.max(...liveSamples.map((s) => s.visibleMs)) : null;
      const liveAllSeen = liveSamples.length > 0 && liveSamples.every((s) => s.seen);
      checks.push(humanized(targetCheck(`Data staleness, live summary (trigger; worst of ${liveSamples.length} writes under load)`, 'staleness_time < 5min', liveMax === null ? null : liveMax * 1000, {
        method: `marker rows (layer ${LIVE_LAYER}) inserted one at a time while the standard workload ran; a reader on another connection polled geometrias_layer_day_live every ${LIVE_POLL_MS} ms; time from issuing the write until the reader saw it`,
        samples: liveSamples, medianMs: median(liveSamples.map((s) => s.visibleMs)), liveError,
      }, liveError ?? (liveSamples.length && !liveAllSeen ? `a marker was not visible after ${LIVE_GIVE_UP_MS / 1000} s` : undefined)), liveMax === null ? null : liveMax < 1000 ? ms(liveMax, 0) : sec(liveMax / 1000)));
      const stalenessByView: Record<string, ScheduledStaleness & { forcedRunVisibleSec: number | null }> = {};
      for (const f of refresh) {
        const view = viewOfCommand(jobs.find((j) => j.jobname === f.jobname)?.command ?? '') ?? f.task;
        const seenAt = markerSeen[view];
        const visibleSec = seenAt ? (new Date(seenAt).getTime() - markerAt.getTime()) / 1000 : null;
        if (f.refresh) stalenessByView[view] = { ...scheduledStaleness(f.schedule, f.refresh.durationMs), forcedRunVisibleSec: visibleSec };
      }
      const worst = Object.keys(stalenessByView).length === refresh.length && refresh.length > 0 ? Math.max(...Object.values(stalenessByView).map((s) => s.worstSec)) : null;
      const worstView = Object.entries(stalenessByView).sort((a, b) => b[1].worstSec - a[1].worstSec)[0];
      checks.push(humanized(targetCheck('Data staleness, scheduled views (worst case: longest gap of the production schedule + refresh time)', 'scheduled_staleness_time < 5min', worst === null ? null : worst * 1e6, {
        method: 'per view: the longest gap between two runs of its pg_cron schedule (a write just after a refresh took its snapshot waits for the next run) + the forced run\'s measured refresh duration; the worst view counts',
        byView: stalenessByView, worstView: worstView?.[0] ?? null,
      }), worstView ? `${sec(worstView[1].worstSec)} (${worstView[0].replace('vw_geometrias_', '')}: ${sec(worstView[1].intervalSec)} gap + ${sec(worstView[1].refreshSec)}; ${Object.entries(stalenessByView).map(([v, s]) => `${v.replace('vw_geometrias_', '')} ${sec(s.worstSec)}`).join(', ')})` : null));
      checks.push(infoCheck('Time until a forced every-minute refresh showed a new row (per view)', Object.entries(stalenessByView).map(([v, s]) => `${v.replace('vw_geometrias_', '')} ${sec(s.forcedRunVisibleSec)}`).join(', ') || 'n/a', {
        markerId: SCHEDULED_MARKER_ID, markerWrittenAt: markerAt.toISOString(), seenAt: markerSeen, visibleBeforeTheWave: visibleBefore,
        note: 'the marker was written before the switch to every minute: the time includes the wait for the next minute',
      }));
      const r = reads.refresh;
      const i = reads.idle;
      checks.push(infoCheck('Read latency on vw_geometrias_search during REFRESH … CONCURRENTLY vs without (p50 / p99)', `${ms(r.p50Ms)} / ${ms(r.p99Ms)} vs ${ms(i.p50Ms)} / ${ms(i.p99Ms)} (${r.reads} vs ${i.reads} reads, ${r.errors + i.errors} errors)`, reads));
      checks.push(booleanCheck('Live summary exact after the validation (vs a fresh GROUP BY of geometrias)', liveDiff === 0, liveDiff === 0 ? 'exact' : `${liveDiff} rows differ`, { differingRows: liveDiff }));

      const rtOk = !roundTripError && roundTrip.length === 3 && roundTrip.every((s) => s.ok);
      checks.push(booleanCheck('Rollback Tested (OPT5 → OPT3 → OPT1 → OPT5, verify each)', rtOk,
        roundTripError ? `failed: ${roundTripError}` : roundTrip.map((s) => `${s.to} ${s.ok ? '✓' : `✗ (${s.problems.join('; ')})`} ${s.seconds.toFixed(1)} s`).join(', '), { steps: roundTrip, error: roundTripError }));

      Object.assign(evidence, {
        restart, waveSec: waveR.value.waveSec, forcedRuns: forced, cronRuns, pruning, triggerCost: { withMs: trig.withMs, withoutMs: trig.withoutMs, error: trig.error ?? null },
        refreshOverhead: { refreshMsPerHour, workload, share, costs }, liveStaleness: liveSamples, scheduledStaleness: stalenessByView, reads, roundTrip,
      });
    } finally {
      await client.end().catch(() => {});
      // Whatever happened: no job left at every minute, no marker row left, no month of the horizon missing.
      const c = await openIn(target()).catch(() => null);
      if (c) {
        try {
          const restored = await restoreForcedSchedules(c, schema);
          if (restored.length) log(`restored the schedules of ${restored.map((r) => r.jobname).join(', ')}`);
          if (await scalar<string | null>(c, `SELECT to_regclass('geometrias')::text`)) {
            const n = await deleteMarkers(c);
            if (n) log(`removed ${n} marker rows`);
            if (await scalar<string | null>(c, `SELECT to_regprocedure('geometrias_maintenance_reorganize()')::text`)) await c.query('SELECT geometrias_maintenance_reorganize()');
          }
        } catch (err) {
          log(`cleanup after validate opt45: ${(err as Error).message}`);
        } finally {
          await c.end().catch(() => {});
        }
      }
    }
    return { checks, evidence, ...(runResult ? { runResult } : {}) };
  },
};
