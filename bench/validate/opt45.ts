/**
 * The roadmap's OPT45_PARTITION_SCHEDULING_VALIDATOR, measured on a schema at OPT5 (OPT1…OPT5).
 * Each checklist item is one module of bench/validate/opt45/ (its measurement and its check);
 * this file runs the measurements in the order they need (some overlap: the forced pg_cron runs,
 * the standard workload and the live-staleness writes run together) and lists the checks.
 */
import type pg from 'pg';
import { InterruptedError } from '../core/errors.ts';
import { withClient } from '../db/connect.ts';
import { stateSchema } from './state-schemas.ts';
import { withSchema, type DbTarget } from '../db/target.ts';
import { verifyDataset, type VerifyResult } from '../dataset/verify.ts';
import { rowsForScale } from '../dataset/model.ts';
import type { CronRun } from '../evidence/cron-jobs.ts';
import { prepareSchema } from '../load/prepare.ts';
import type { RunResult } from '../formats/run-result.ts';
import type { Check } from './checks.ts';
import { OPT3_ROUTES, runComparison } from './comparison-run.ts';
import { restoreForcedSchedules } from './cron-force.ts';
import { loadProductionLoad, type ProductionLoad } from './production-load.ts';
import { forceRuns, maintenanceRanChecks, refreshRanCheck, type ForcedJobResult } from './opt45/forced-runs.ts';
import { dropFurthestEmptyMonths, horizonChecks } from './opt45/horizon.ts';
import { liveExactCheck, liveSummaryDiff, verifyCheck } from './opt45/integrity.ts';
import { launcherCheck, refreshStrategyCheck, takeInventory, type Inventory } from './opt45/inventory.ts';
import { liveStaleness, liveStalenessCheck, type LiveSample } from './opt45/live-staleness.ts';
import { requireOpt45Extensions } from './opt45/preflight.ts';
import { measurePruning, pruningChecks, type PruningResult } from './opt45/pruning.ts';
import { refreshOverhead } from './opt45/refresh-overhead.ts';
import { readLatencyDuringRefresh, refreshReadsCheck, type RefreshReads } from './opt45/refresh-reads.ts';
import {
  BEYOND_HORIZON_MONTHS, insertRestartMarkers, isOurEmbeddedCluster, restartEmbedded, restartMarkerPlacement, RESTART_MARKERS, survivalChecks,
  type MarkerPlacement, type Restart,
} from './opt45/restart.ts';
import { rollbackCheck, rollbackRoundTrip, type RoundTripStep } from './opt45/rollback.ts';
import { scheduledStalenessChecks, writeScheduledMarker, type MarkerWatch } from './opt45/scheduled-staleness.ts';
import { AFTER, deleteMarkers, futurePartitions, launcherRunning, MARKER_ID_END, MARKER_ID_FIRST, openIn, scalar } from './opt45/shared.ts';
import { measureTriggerCost, triggerCostChecks, TRIGGER_SAMPLES, type TriggerCost } from './opt45/trigger-cost.ts';
import { cronRunsSince, uptimeCheck } from './opt45/uptime.ts';
import type { ValidateContext, ValidationOutcome, Validator } from './types.ts';
import type { Targets } from './targets.ts';

export { requireOpt45Extensions, MARKER_ID_FIRST, MARKER_ID_END };
export type { ForcedJobResult };

/** Everything the checks are judged on, measured in this run. */
interface Measured {
  readonly since: Date;
  readonly serverDisplay: string;
  readonly production: ProductionLoad;
  readonly inventory: Inventory;
  readonly pruning: PruningResult;
  readonly trig: TriggerCost;
  readonly dropped: string[];
  readonly inDefault: number;
  readonly restart: Restart | null;
  readonly launcherNow: number;
  readonly marker: MarkerWatch;
  readonly forced: ForcedJobResult[];
  readonly waveSec: number;
  readonly run: RunResult | null;
  readonly loadError: string | null;
  readonly liveSamples: LiveSample[];
  readonly liveError: string | null;
  readonly placement: MarkerPlacement;
  readonly futureAfter: string[];
  readonly liveDiff: number;
  readonly verify: VerifyResult;
  readonly reads: RefreshReads;
  readonly cronRuns: CronRun[];
  readonly roundTrip: RoundTripStep[];
  readonly roundTripError: string | null;
}

/** The checklist in report order (OPT4, then OPT5), with the evidence of the derived measures. */
function checklist(m: Measured, t: Targets): { checks: Check[]; evidence: Record<string, unknown> } {
  const overhead = refreshOverhead(m.forced, m.run, m.production, m.loadError, t);
  const staleness = scheduledStalenessChecks(m.forced, m.inventory.jobs, m.marker, t);
  const checks = [
    // OPT4
    ...horizonChecks({ premake: m.inventory.premake, futureBefore: m.inventory.futureBefore, futureAfter: m.futureAfter, dropped: m.dropped }, t),
    launcherCheck(m.inventory.launcherBefore, m.launcherNow, m.restart?.launcherAfter ?? null),
    ...maintenanceRanChecks(m.forced, t),
    ...pruningChecks(m.pruning, t),
    ...survivalChecks(m.restart, m.inDefault, m.placement, m.serverDisplay, t),
    verifyCheck(m.verify),
    uptimeCheck(m.cronRuns, m.since, t),
    // OPT5
    refreshStrategyCheck(m.inventory, t),
    ...triggerCostChecks(m.trig, t),
    refreshRanCheck(m.forced, t),
    overhead.check,
    liveStalenessCheck(m.liveSamples, m.liveError, t),
    ...staleness.checks,
    refreshReadsCheck(m.reads),
    liveExactCheck(m.liveDiff),
    rollbackCheck(m.roundTrip, m.roundTripError),
  ];
  const evidence = {
    restart: m.restart, waveSec: m.waveSec, forcedRuns: m.forced, cronRuns: m.cronRuns, pruning: m.pruning, triggerCost: { withMs: m.trig.withMs, withoutMs: m.trig.withoutMs, error: m.trig.error ?? null },
    refreshOverhead: overhead.overhead, liveStaleness: m.liveSamples, scheduledStaleness: staleness.byView, reads: m.reads, roundTrip: m.roundTrip,
  };
  return { checks, evidence };
}

/** Where the run is: the server (its port may change on restart) and the open connection. */
interface Session { server: DbTarget; client: pg.Client; readonly schema: string }
const targetOf = (s: Session): DbTarget => withSchema(s.server, s.schema);

/** Inventory, pruning, trigger cost, then the restart test up to the restart itself. */
async function beforeWave(ctx: ValidateContext, s: Session) {
  const log = ctx.log;
  const totalRows = rowsForScale(ctx.scale);
  const inventory = await takeInventory(s.client, s.schema);
  log(`${s.schema}: ${inventory.jobs.length} pg_cron jobs, ${inventory.futureBefore.length} future partitions, ${inventory.views.length} views (${inventory.withStrategy} with a refresh strategy), pg_cron launcher ${inventory.launcherBefore ? 'running' : 'NOT running'}`);
  log('partition pruning: which partitions hold rows, EXPLAIN of Q5 (30-day window) and its latency with / without pruning');
  const pruning = await measurePruning(s.client, ctx.seed, totalRows);
  log(`trigger cost: ${TRIGGER_SAMPLES} single-row INSERTs with and without the live-summary trigger (rolled back)`);
  const trig = await measureTriggerCost(s.client, ctx.seed, totalRows, ctx.signal);
  log(`restart test: ${RESTART_MARKERS} marker rows dated now + ${BEYOND_HORIZON_MONTHS} months (beyond the premade horizon)`);
  const inDefault = await insertRestartMarkers(s.client);
  const dropped = await dropFurthestEmptyMonths(s.client, log);
  log(`  markers in geometrias_default: ${inDefault}/${RESTART_MARKERS}; dropped the furthest future partitions ${dropped.join(', ') || '(none)'}`);
  let restart: Restart | null = null;
  if (isOurEmbeddedCluster(s.server)) {
    const r = await restartEmbedded(s.client, s.server, (next) => openIn(withSchema(next, s.schema)), ctx.signal, log);
    s.server = r.server;
    s.client = r.client;
    restart = r.restart;
  } else {
    log('external server: not restarted (not ours to restart); the missed-schedule part still runs');
  }
  const launcherNow = restart ? restart.launcherAfter : await launcherRunning(s.client);
  return { inventory, pruning, trig, inDefault, dropped, restart, launcherNow };
}

/** The forced pg_cron runs, the standard workload and the live-staleness writes, overlapped. */
async function wave(ctx: ValidateContext, s: Session, inventory: Inventory, marker: MarkerWatch) {
  ctx.log(`forcing real runs of the ${inventory.jobs.length} pg_cron jobs (every minute until each ran, then restored) while the standard workload runs`);
  let loadRunning = true;
  const load = runComparison({ ...ctx, server: s.server }, 'validate-opt45', [
    { name: AFTER, schema: stateSchema(AFTER), migrateTo: 'OPT5', description: 'OPT1…OPT5 with the OPT5 jobs and triggers live; routed query types on OPT3\'s objects', routes: { ...OPT3_ROUTES } },
  ]).finally(() => (loadRunning = false));
  const live = liveStaleness(targetOf(s), () => loadRunning, (ctx.warmupSec + 1) * 1000, ctx.durationSec * ctx.repetitions * 1000, ctx.signal);
  const forcing = forceRuns(targetOf(s), s.schema, inventory.jobs, ctx.signal, ctx.log, marker.check);
  const [loadR, liveR, waveR] = await Promise.allSettled([load, live, forcing]);
  if (ctx.signal.aborted) throw new InterruptedError('validate opt45');
  if (waveR.status === 'rejected') throw waveR.reason;
  const run: RunResult | null = loadR.status === 'fulfilled' ? loadR.value : null;
  return {
    forced: waveR.value.results, waveSec: waveR.value.waveSec, run,
    loadError: loadR.status === 'rejected' ? (loadR.reason as Error).message : run && run.status !== 'complete' ? `load run ${run.status}: ${run.statusReason}` : null,
    liveSamples: liveR.status === 'fulfilled' ? liveR.value : [],
    liveError: liveR.status === 'rejected' ? (liveR.reason as Error).message : null,
  };
}

/** Restart markers and recreated months, marker cleanup, integrity, reads during a refresh, runs, rollback. */
async function afterWave(ctx: ValidateContext, s: Session, marker: MarkerWatch, since: Date) {
  const placement = await restartMarkerPlacement(s.client);
  const futureAfter = await futurePartitions(s.client);
  await marker.check(s.client);
  const removed = await deleteMarkers(s.client);
  ctx.log(`removed ${removed} marker rows; checking the live summary against a fresh GROUP BY and verifying the dataset`);
  const liveDiff = await liveSummaryDiff(s.client);
  const verify = await verifyDataset(targetOf(s), { workers: ctx.loadWorkers });
  ctx.log('reads of vw_geometrias_search during REFRESH MATERIALIZED VIEW CONCURRENTLY, then as long without');
  const reads = await readLatencyDuringRefresh(targetOf(s), ctx.seed, ctx.signal);
  const cronRuns = await cronRunsSince(s.client, s.schema, since);
  await s.client.end().catch(() => {});
  ctx.log('rollback round trip: OPT5 → OPT3 → OPT1 → OPT5, verify at each step');
  let roundTrip: RoundTripStep[] = [];
  let roundTripError: string | null = null;
  try {
    roundTrip = await rollbackRoundTrip(targetOf(s), ctx.sqlDir, ctx.loadWorkers, ctx.signal, ctx.log);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    roundTripError = (err as Error).message;
  }
  return { placement, futureAfter, liveDiff, verify, reads, cronRuns, roundTrip, roundTripError };
}

/** Whatever happened: no job left at every minute, no marker row left, no month of the horizon missing. */
async function cleanUp(s: Session, log: (l: string) => void): Promise<void> {
  const c = await openIn(targetOf(s)).catch(() => null);
  if (!c) return;
  try {
    const restored = await restoreForcedSchedules(c, s.schema);
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

/**
 * pg_partman's premade future partitions and that the automation makes them, real pg_cron runs of
 * all nine jobs (forced by switching them to every minute, then restored), partition pruning,
 * survival of a server restart and a missed schedule, the jobs' success rate; for OPT5 the refresh
 * strategy of every view, the trigger's cost per write, the refresh overhead against the standard
 * workload's database time at the stated production load, data staleness (live summary measured,
 * scheduled views' worst case), reads during a concurrent refresh, and the rollback round trip.
 */
export const opt45Validator: Validator = {
  name: 'opt45',
  roadmapName: 'OPT45_PARTITION_SCHEDULING_VALIDATOR',
  description: 'OPT4 partition automation (pg_partman + pg_cron) and OPT5 MV refresh scheduling + live summary: partitions, jobs, pruning, restart, uptime, refresh cost, staleness, rollback',
  async run(ctx: ValidateContext): Promise<ValidationOutcome> {
    const production = loadProductionLoad();
    const schema = stateSchema(AFTER);
    await withClient(ctx.server, requireOpt45Extensions);
    await prepareSchema(ctx.server, { name: AFTER, schema, migrateTo: 'OPT5', scale: ctx.scale, seed: ctx.seed, importedFrom: ctx.importedFrom }, ctx.sqlDir, { log: ctx.log, signal: ctx.signal, workers: ctx.loadWorkers });
    const s: Session = { server: ctx.server, client: await openIn(withSchema(ctx.server, schema)), schema };
    const since = await scalar<Date>(s.client, 'SELECT clock_timestamp()');
    try {
      // Leftovers of an interrupted earlier run: saved schedules and marker rows.
      const repaired = await restoreForcedSchedules(s.client, schema);
      if (repaired.length) ctx.log(`restored ${repaired.length} job schedules left at every minute by an interrupted run: ${repaired.map((r) => r.jobname).join(', ')}`);
      const stale = await deleteMarkers(s.client);
      if (stale) ctx.log(`removed ${stale} marker rows left by an interrupted run`);

      const before = await beforeWave(ctx, s);
      const marker = await writeScheduledMarker(s.client);
      const during = await wave(ctx, s, before.inventory, marker);
      const after = await afterWave(ctx, s, marker, since);
      const { checks, evidence } = checklist({ since, serverDisplay: s.server.display, production, ...before, marker, ...during, ...after }, ctx.targets);
      return { checks, evidence: { schema, markerIds: [MARKER_ID_FIRST, MARKER_ID_END - 1], ...evidence }, ...(during.run ? { runResult: 'result.json' } : {}) };
    } finally {
      await s.client.end().catch(() => {});
      await cleanUp(s, ctx.log);
    }
  },
};
