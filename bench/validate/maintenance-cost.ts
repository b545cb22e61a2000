/**
 * The cost of the optimized schema's scheduled maintenance (pg_cron jobs named `<schema>:…`),
 * timed in the state production would hand each job: before a job is timed, the table receives
 * the rows production writes between two of its runs (the stated production load × W1's share of
 * the standard mix × the job's interval, scaled like the dataset), then the job's command runs once. A job that errors
 * fails the overhead KPI with its error. docs/overhead.md says why this and not a live wait.
 */
import { stepProgress } from '../core/step-progress.ts';
import seedrandom from 'seedrandom';
import type pg from 'pg';
import { runsPerHour } from '../analysis/cron-schedule.ts';
import { connect } from '../db/connect.ts';
import { workloadSearchPath } from '../db/schema.ts';
import { withSchema } from '../db/target.ts';
import { rowsForScale } from '../dataset/model.ts';
import { schemaJobs } from '../evidence/cron-jobs.ts';
import { WORKLOAD_ID_START } from '../load/prepare.ts';
import { queryType } from '../queries/index.ts';
import { quoteIdent } from '../rpc/catalog.ts';
import type { Check } from './checks.ts';
import { STANDARD_MIX } from './comparison-run.ts';
import type { ProductionLoad } from './production-load.ts';
import type { ValidateContext } from './types.ts';

/** Rows per multi-row INSERT of the write phase. */
const WRITE_BATCH = 2000;

export interface MaintenanceJobCost {
  readonly jobname: string;
  readonly schedule: string;
  readonly runsPerHour: number;
  /** Mean interval between two runs of the schedule, s (3600 / runs per hour). */
  readonly intervalSec: number;
  /** W1 rows production writes in one interval, × the dataset scale: what was written before the job was timed. */
  readonly windowRows: number;
  /** One timed run on that state; null when it failed. */
  readonly durationMs: number | null;
  /** durationMs × runs per hour (0 when it failed: the KPI fails instead). */
  readonly msPerHour: number;
  readonly error?: string;
}

export interface MaintenanceCost {
  /** null when pg_cron is not installed. */
  readonly jobs: MaintenanceJobCost[] | null;
  readonly msPerHour: number;
  readonly production: ProductionLoad;
  /** W1's share of the standard mix's operations. */
  readonly writeShare: number;
  readonly rowsWritten: number;
  /** Jobs that failed, with their error: each fails the overhead KPI. */
  readonly failures: string[];
}

/** W1's share of the standard mix (5 of 100 operations). */
export const STANDARD_WRITE_SHARE = STANDARD_MIX.W1 / Object.values(STANDARD_MIX).reduce((s, w) => s + w, 0);

export interface MaintenanceStep {
  readonly jobname: string;
  readonly schedule: string;
  readonly runsPerHour: number;
  readonly intervalSec: number;
  readonly windowRows: number;
  /** Rows to write before this job: its window minus what earlier (shorter-interval) jobs had written. */
  readonly write: number;
}

/**
 * The order jobs are timed in and the writes before each: shortest interval first, so the rows a
 * longer interval's window holds are written on top of the shorter ones' (every job sees exactly
 * its own window's rows, and nothing is deleted in between). The production load is stated for
 * the full table (scale 1.0); on a dataset of scale s the window is s × as many rows, so the rows a
 * job finds keep production's proportion to the table. Pure.
 */
export function maintenanceSteps(jobs: readonly { jobname: string; schedule: string }[], opsPerSec: number, writeShare: number, scale = 1): MaintenanceStep[] {
  const withInterval = jobs.map((j) => {
    const perHour = runsPerHour(j.schedule);
    const intervalSec = 3600 / perHour;
    return { jobname: j.jobname, schedule: j.schedule, runsPerHour: perHour, intervalSec, windowRows: Math.round(opsPerSec * scale * writeShare * intervalSec) };
  }).sort((a, b) => a.intervalSec - b.intervalSec || a.jobname.localeCompare(b.jobname));
  let written = 0;
  return withInterval.map((j) => {
    const write = Math.max(0, j.windowRows - written);
    written += write;
    return { ...j, write };
  });
}

/** The overhead check, failed with every maintenance job's error when one failed (a job that errors is not free). */
export function withMaintenanceFailures(check: Check, m: Pick<MaintenanceCost, 'failures'>): Check {
  if (m.failures.length === 0) return check;
  const note = `maintenance job failed: ${m.failures.join('; ')}`;
  return { ...check, pass: false, outcome: 'fail', note: check.note ? `${check.note}; ${note}` : note };
}

/** Writes `n` seeded W1 rows in multi-row INSERTs (ids from the workload sequence, removed afterwards). */
async function writeW1Rows(c: pg.Client, n: number, rng: () => number, totalRows: number): Promise<void> {
  const w1 = queryType('W1');
  for (let done = 0; done < n;) {
    const k = Math.min(WRITE_BATCH, n - done);
    const cols: unknown[][] = [[], [], [], []];
    for (let i = 0; i < k; i++) w1.params(rng, { totalRows }).forEach((v, j) => cols[j]!.push(v));
    await c.query(`INSERT INTO geometrias (layer_id, created_at, updated_at, props, geom)
      SELECT l, t, t, p::jsonb, ST_GeomFromText(w, 4326) FROM unnest($1::int[], $2::timestamptz[], $3::text[], $4::text[]) AS x(l, t, p, w)`, cols);
    done += k;
  }
}

/** Each job of `schema` timed once after its window's writes; the written rows removed at the end. */
export async function measureMaintenance(ctx: ValidateContext, schema: string, production: ProductionLoad): Promise<MaintenanceCost> {
  const client = await connect(withSchema(ctx.server, schema), 'geobench-maintenance');
  const empty = { production, writeShare: STANDARD_WRITE_SHARE, rowsWritten: 0 };
  let rowsWritten = 0;
  try {
    await client.query(`SET search_path = ${workloadSearchPath(schema)}`);
    const jobs = await schemaJobs(client, schema);
    if (!jobs) return { jobs: null, msPerHour: 0, failures: [], ...empty };
    const rng = seedrandom.alea(`${ctx.seed}:maintenance-window`);
    const out: MaintenanceJobCost[] = [];
    const failures: string[] = [];
    for (const step of maintenanceSteps(jobs, production.opsPerSec, STANDARD_WRITE_SHARE, ctx.scale)) {
      if (ctx.signal.aborted) break;
      const job = jobs.find((j) => j.jobname === step.jobname)!;
      await writeW1Rows(client, step.write, rng, rowsForScale(ctx.scale));
      rowsWritten += step.write;
      const t = performance.now();
      let error: string | undefined;
      try {
        await client.query(job.command);
      } catch (err) {
        error = (err as Error).message;
      }
      const durationMs = error ? null : performance.now() - t;
      if (error) failures.push(`${job.jobname}: ${error}`);
      ctx.log(`  ${job.jobname} (${job.schedule}) after ${step.windowRows} rows of its window: ${durationMs === null ? `FAILED: ${error}` : `${durationMs.toFixed(0)} ms`}`);
      const { write: _write, ...rest } = step;
      out.push({ ...rest, durationMs, msPerHour: (durationMs ?? 0) * step.runsPerHour, ...(error ? { error } : {}) });
    }
    return { jobs: out, msPerHour: out.reduce((s, j) => s + j.msPerHour, 0), failures, ...empty, rowsWritten };
  } finally {
    // The window's rows (and the load run's W1 rows) go, as `prepare` removes them before a run.
    await client.query('DELETE FROM geometrias WHERE id >= $1', [WORKLOAD_ID_START]).catch(() => {});
    // The views go back to the table's rows in a freshly written heap: the timed REFRESH …
    // CONCURRENTLY runs leave dead tuples behind (a reused schema grew every night), and they
    // still hold the window's rows just deleted.
    await restoreViews(client, schema).catch((err: Error) => ctx.log(`  views of ${schema} not rebuilt: ${err.message}`));
    await client.end().catch(() => {});
  }
}

/** Plain REFRESH of every materialized view of the schema (rewrites it), then VACUUM of the table. */
async function restoreViews(c: pg.Client, schema: string): Promise<void> {
  const views = (await c.query<{ v: string }>('SELECT matviewname::text AS v FROM pg_matviews WHERE schemaname = $1 ORDER BY 1', [schema])).rows;
  const progress = stepProgress({ label: `refresh ${schema}`, total: views.length, unit: 'views', showRate: false });
  try {
    for (const [i, { v }] of views.entries()) {
      await c.query(`REFRESH MATERIALIZED VIEW ${quoteIdent(schema)}.${quoteIdent(v)}`);
      progress.update(i + 1);
    }
  } finally {
    progress.finish();
  }
  await c.query('VACUUM geometrias');
}
