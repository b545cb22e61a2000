import fs from 'node:fs';
import path from 'node:path';
import { connect } from '../db/connect.ts';
import type { DbTarget } from '../db/target.ts';
import { judge } from '../analysis/kpi.ts';
import { analyzeRun, segmentKey } from '../analysis/run-analysis.ts';
import { measuredValue } from '../analysis/run-metrics.ts';
import type { IntervalReport } from '../metrics/timeline.ts';
import { writeHistogramLog } from '../metrics/hlog.ts';
import { summarize, decodeHistogram } from '../metrics/histogram.ts';
import { collectMetadata } from '../result-file/metadata.ts';
import { otherPostgresServers, otherServersWarning } from '../evidence/other-servers.ts';
import type { RunMetadata } from '../formats/run-records.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { writeResult } from '../result-file/result-file.ts';
import { HLOG_FILE, type KpiRecord, type RunResult, type SegmentRecord, type VariantRecord } from '../formats/run-result.ts';
import type { RunPlan } from './plan.ts';
import { prepareVariants, removeWorkloadWrites, type PreparedVariant } from './prepare.ts';
import { SegmentRunner, type SegmentOutcome } from './runner.ts';
import { LiveProgress } from './live-progress.ts';
import { SegmentEvidence, capturePlans, captureSizes } from './segment-evidence.ts';
import { makeDirs } from '../core/output-dir.ts';
import type { RunCoordination } from './coordination.ts';

export interface ExecuteRunOptions {
  readonly plan: RunPlan;
  readonly server: DbTarget;
  readonly runId: string;
  readonly outDir: string;
  readonly sqlDir: string;
  readonly geobenchVersion: string;
  readonly log: (line: string) => void;
  readonly progress: (line: string) => void;
  readonly signal: AbortSignal;
  /** Threads for dataset loading when a variant must be prepared. */
  readonly loadWorkers: number;
  /** Set when this process is one shard of a distributed run (bench/shard/). */
  readonly coordination?: RunCoordination | undefined;
}

export interface ExecuteRunOutcome {
  readonly result: RunResult;
  readonly file: string;
  /** Evidence lost after the measurements (plans not captured: the server failed or Ctrl-C); also in result.warnings. */
  readonly evidenceMissing: readonly string[];
}

/**
 * scenario plan → prepared variants → interleaved segments on the worker pool → interval
 * histograms + server evidence → analysis → result files. A run stopped by Ctrl-C or by a
 * broken database still writes what it measured, marked incomplete.
 */
export async function executeRun(o: ExecuteRunOptions): Promise<ExecuteRunOutcome> {
  const { plan, log } = o;
  const startedAt = new Date().toISOString();
  const metaClient = await connect(o.server, 'geobench-run');
  let metadata: RunMetadata | null = null;
  let machineWarning: string | null = null;
  try {
    metadata = await collectMetadata(metaClient, o.geobenchVersion);
    machineWarning = otherServersWarning(otherPostgresServers((await metaClient.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
    if (machineWarning) log(`warning: ${machineWarning}`);
  } finally {
    await metaClient.end().catch(() => {});
  }
  const coord = o.coordination;
  // A shard that is not the coordinator leaves the server alone: no preparing, cleaning or evidence.
  const leader = !coord || coord.isCoordinator;
  const prepare = (): ReturnType<typeof prepareVariants> => prepareVariants(o.server, plan, o.sqlDir, { log, signal: o.signal, workers: o.loadWorkers });
  const prepared = coord ? await coord.prepared(prepare) : await prepare();
  if (leader) for (const v of prepared) await removeWorkloadWrites(v.target);
  makeDirs(o.outDir);

  const runner = new SegmentRunner(plan);
  const onAbort = (): void => runner.stop('interrupted by the user (Ctrl-C)');
  o.signal.addEventListener('abort', onAbort, { once: true });
  if (o.signal.aborted) onAbort(); // Ctrl-C during the preparation fired before the listener existed
  const reports: IntervalReport[] = [];
  const outcomes: SegmentOutcome[] = [];
  const segmentRecords: SegmentRecord[] = [];
  const live = new LiveProgress(plan.segments.length, o.progress);
  const evidence = leader ? await SegmentEvidence.open(o.server, plan, prepared) : null;
  let firstMeasureStartAt: number | undefined;
  try {
    for (const segment of plan.segments) {
      if (runner.stopped) break;
      const variant = prepared.find((p) => p.name === segment.variant)!;
      live.reset();
      const firstReport = reports.length;
      const outcome = await runner.run(segment, variant, {
        onMeasureStart: async () => {
          if (!coord) return evidence!.start(segment.variant);
          return coord.measureStart(segment, async () => evidence?.start(segment.variant)).catch((err: Error) => runner.stop(err.message));
        },
        onMeasureEnd: async () => {},
        onReport: (_s, report) => {
          reports.push(report);
          live.onReport(report);
        },
        onTick: (s, phase, elapsed) => live.onTick(s, phase, elapsed),
      });
      firstMeasureStartAt ??= outcome.measureStartAt || undefined;
      outcomes.push(outcome);
      await coord?.segmentDone(segment, outcome, reports.slice(firstReport)).catch((err: Error) => runner.stop(err.message));
      if (evidence && outcome.measuredSec > 0) log(`${segment.variant} rep ${segment.repetition}: reading the server evidence (statements, counters)`);
      const segEvidence = evidence && outcome.measuredSec > 0 ? await evidence.finish() : null;
      segmentRecords.push(segmentRecord(segment, outcome, segEvidence));
      // A server that died after the measurement (during the evidence snapshot) stops the run here;
      // what was measured is still written, marked incomplete.
      if (!runner.stopped && leader) await removeWorkloadWrites(variant.target).catch((err: Error) => runner.stop(`database unavailable: ${err.message.split('\n')[0]}`));
      await coord?.segmentClosed(segment, outcome.measuredSec > 0).catch((err: Error) => runner.stop(err.message));
    }
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    await runner.close().catch(() => {});
  }

  // Plans and sizes after the measurements (EXPLAIN ANALYZE must not disturb a segment).
  const evidenceWarnings: string[] = [];
  const variantRecords = await captureVariantRecords(o, prepared, { leader, stopped: runner.stopped }, evidenceWarnings);
  await evidence?.close();

  const measuredSec = new Map(outcomes.map((x) => [segmentKey(x.segment.variant, x.segment.repetition), x.measuredSec]));
  const analysis = analyzeRun({ reports, measuredSec, variants: plan.variants.map((v) => v.name), baseline: plan.baseline, seed: `${plan.paramSeed}` });
  const kpis: KpiRecord[] = plan.kpis.map((k) => {
    const verdict = judge(k.target, measuredValue(analysis, k.target, k.scope, k.variant, plan.baseline));
    return { label: k.label ?? k.target.source, scope: k.scope, variant: k.variant, target: k.target.source, achieved: verdict.achieved, pass: verdict.pass, text: verdict.text };
  });
  const warnings = [...sustainWarnings(plan, segmentRecords), ...evidenceWarnings, ...(machineWarning ? [machineWarning] : [])];
  const complete = !runner.stopped && outcomes.length === plan.segments.length && outcomes.every((x) => Math.abs(x.measuredSec - plan.durationSec) < 0.5);
  const hlog = writeHistogramLog(reports, {
    startTimeMs: (firstMeasureStartAt ?? Date.now() * 1000) / 1000,
    comments: [`geobench run ${o.runId}, scenario ${plan.scenario}`, 'latencies in microseconds; tags: variant, repetition, query type'],
  });
  writeFileAtomic(path.join(o.outDir, HLOG_FILE), hlog);
  const result: RunResult = {
    schemaVersion: 1,
    tool: 'geobench',
    runId: o.runId,
    status: complete ? 'complete' : 'incomplete',
    statusReason: complete ? null : runner.stopped ?? 'not every segment was measured in full',
    startedAt,
    finishedAt: new Date().toISOString(),
    scenario: { name: plan.scenario, description: plan.description, plan },
    target: { kind: o.server.kind, display: o.server.display },
    metadata,
    dataset: { scale: plan.dataset.scale, seed: plan.dataset.seed, totalRows: plan.dataset.totalRows, checksum: prepared[0]?.manifest.checksum?.hash ?? null },
    variants: variantRecords,
    segments: segmentRecords,
    results: { variants: analysis.variants, repetitions: analysis.repetitions, timelines: analysis.timelines },
    comparisons: analysis.comparisons,
    kpis,
    warnings,
    files: { hlog: HLOG_FILE },
  };
  const file = writeResult(o.outDir, result);
  await coord?.finish(result, o.outDir);
  return { result, file, evidenceMissing: evidenceWarnings };
}


/**
 * Each variant's record with its EXPLAIN plans and sizes, taken after the measurements. Ctrl-C skips
 * the remaining plans (EXPLAIN ANALYZE can take seconds a query); plans lost to a failed server or
 * to Ctrl-C are added to `warnings`. Only the coordinator (shard 0) measures them.
 */
async function captureVariantRecords(o: ExecuteRunOptions, prepared: readonly PreparedVariant[], state: { leader: boolean; stopped: string | undefined }, warnings: string[]): Promise<VariantRecord[]> {
  const records: VariantRecord[] = [];
  for (const v of prepared) {
    const healthy = state.leader && (!state.stopped || state.stopped.startsWith('interrupted'));
    const explain = healthy && !state.stopped && !o.signal.aborted;
    if (explain) o.log(`variant ${v.name}: EXPLAIN ANALYZE of each query type`);
    const plans = explain
      ? await capturePlans(v, o.plan, o.outDir).catch((err: Error) => (warnings.push(`plans of ${v.name} not captured: ${err.message.split('\n')[0]}`), {}))
      : {};
    if (state.leader && !explain && !state.stopped && o.signal.aborted) warnings.push(`plans of ${v.name} not captured: interrupted`);
    const sizes = healthy ? await captureSizes(v).catch((err: Error) => ({ available: false, reason: err.message })) : { available: false, reason: state.leader ? 'database unavailable' : 'measured by the coordinator (shard 0)' };
    records.push({ name: v.name, schema: v.schema, migrateTo: o.plan.variants.find((x) => x.name === v.name)!.migrateTo, applied: v.applied, reused: v.reused, sizes, plans });
  }
  return records;
}

/** One segment's record in result.json: its counters summed over the workers, schedule lag merged, evidence. */
function segmentRecord(segment: RunPlan['segments'][number], outcome: SegmentOutcome, segEvidence: unknown): SegmentRecord {
  const lag = outcome.workers.filter((w) => w.lagEncoded).map((w) => decodeHistogram(w.lagEncoded!));
  const lagMerged = lag.length ? lag.reduce((a, b) => (a.add(b), a)) : null;
  const schedules = outcome.workers.map((w) => w.schedule).filter((s) => s !== undefined);
  const errorMessages: Record<string, number> = {};
  for (const w of outcome.workers) for (const [m, n] of Object.entries(w.errorMessages)) errorMessages[m] = (errorMessages[m] ?? 0) + n;
  const sum = (pick: (x: (typeof schedules)[number]) => number): number => schedules.reduce((s, x) => s + pick(x), 0);
  return {
    index: segment.index,
    repetition: segment.repetition,
    variant: segment.variant,
    orderInRepetition: segment.orderInRepetition,
    measuredSec: outcome.measuredSec,
    measureStartedAt: outcome.measureStartAt ? new Date(outcome.measureStartAt / 1000).toISOString() : null,
    stoppedEarly: outcome.stoppedEarly ?? null,
    warmupOps: outcome.workers.reduce((s, w) => s + w.warmupOps, 0),
    errorMessages,
    schedule: schedules.length
      ? { intended: sum((x) => x.intended), sent: sum((x) => x.sent), skipped: sum((x) => x.skipped), late: sum((x) => x.late), completed: sum((x) => x.completed), lag: lagMerged ? summarize(lagMerged) : null }
      : null,
    evidence: segEvidence,
  };
}

/**
 * Open model: an offered rate the server could not sustain is reported, never hidden — the
 * completed rate, late and skipped operations of every segment that fell short.
 */
export function sustainWarnings(plan: RunPlan, segments: readonly SegmentRecord[]): string[] {
  if (plan.load.model !== 'open') return [];
  const rate = plan.load.rate;
  const out: string[] = [];
  for (const s of segments) {
    if (!s.schedule || s.measuredSec <= 0) continue;
    const completedRate = s.schedule.completed / s.measuredSec;
    const lateShare = s.schedule.intended ? s.schedule.late / s.schedule.intended : 0;
    if (completedRate < 0.9 * rate || lateShare > 0.05 || s.schedule.skipped > 0) {
      out.push(
        `${s.variant} repetition ${s.repetition}: offered ${rate} ops/s, completed ${completedRate.toFixed(1)} ops/s (${((100 * completedRate) / rate).toFixed(0)}%), ` +
          `late ${s.schedule.late} (${(100 * lateShare).toFixed(1)}%), skipped ${s.schedule.skipped}: the server could not sustain the offered rate; latencies include the queueing`,
      );
    }
  }
  return out;
}
