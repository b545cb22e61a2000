/**
 * One stress step on the load engine: a short open-model segment of one variant at one offered
 * rate (Poisson arrivals, latency charged from the intended send time), reduced to the figures the
 * step judgement needs, with the step's server-side evidence.
 */
import { createLatencyHistogram, decodeHistogram, summarize, type LatencyHistogram } from '../metrics/histogram.ts';
import type { IntervalReport } from '../metrics/timeline.ts';
import type { RunPlan, Segment } from '../load/plan.ts';
import type { PreparedVariant } from '../load/prepare.ts';
import type { SegmentRunner } from '../load/runner.ts';
import type { StepEvidence, StepEvidenceRecorder } from './step-evidence.ts';
import type { StepLatency, StepMeasurement } from './step-judgement.ts';

export interface StepRun {
  readonly measurement: StepMeasurement;
  readonly evidence: StepEvidence;
  readonly errorMessages: Record<string, number>;
  readonly startedAt: string;
  /** Set when the engine stopped the segment (Ctrl-C, a broken connection). */
  readonly stoppedEarly: string | null;
}

const latencyOf = (h: LatencyHistogram): StepLatency => {
  const s = summarize(h);
  return { count: s.count, p50: s.p50, p99: s.p99, max: s.max };
};

/** Merges a step's interval reports into whole-step latency, per type and for the mix. Pure. */
export function reduceReports(reports: readonly IntervalReport[]): { latency: StepLatency; byType: Record<string, StepLatency>; errors: number; timeouts: number } {
  const all = createLatencyHistogram();
  const perType = new Map<string, LatencyHistogram>();
  let errors = 0;
  let timeouts = 0;
  for (const r of reports) {
    const h = decodeHistogram(r.encoded);
    all.add(h);
    const t = perType.get(r.queryType) ?? createLatencyHistogram();
    t.add(h);
    perType.set(r.queryType, t);
    errors += r.errors;
    timeouts += r.timeouts;
  }
  const byType: Record<string, StepLatency> = {};
  for (const [type, h] of [...perType.entries()].sort((a, b) => a[0].localeCompare(b[0]))) byType[type] = latencyOf(h);
  return { latency: latencyOf(all), byType, errors, timeouts };
}

/**
 * Seconds a step at `rate` is measured: at least `stepSeconds`, longer at low rates so that about
 * `minStepOps` arrivals are expected (the p99 of 20 operations is their maximum), at most
 * `maxStepSeconds`. Whole tenths of a second. Pure.
 */
export function stepSecondsAt(rate: number, c: { stepSeconds: number; minStepOps: number; maxStepSeconds: number }): number {
  return Math.min(c.maxStepSeconds, Math.max(c.stepSeconds, Math.ceil((10 * c.minStepOps) / rate) / 10));
}

export async function runStep(
  runner: SegmentRunner, plan: RunPlan, variant: PreparedVariant, segment: Segment, rate: number, durationSec: number, recorder: StepEvidenceRecorder,
): Promise<StepRun> {
  if (plan.load.model !== 'open') throw new Error('a stress plan must use the open load model');
  const reports: IntervalReport[] = [];
  const startedAt = new Date().toISOString();
  let began = false;
  const outcome = await runner.run(segment, variant, {
    onMeasureStart: async () => {
      began = true;
      await recorder.begin();
    },
    onMeasureEnd: async () => {},
    onReport: (_s, report) => {
      if (report.intervalIndex >= 0) reports.push(report);
    },
    onTick: () => {},
  }, { load: { ...plan.load, rate }, durationSec });
  const evidence = began ? await recorder.end(variant.schema) : { clientCpu: null, serverCpuCores: null, waits: { samples: 0, counts: {} }, cronRuns: null };
  const schedules = outcome.workers.map((w) => w.schedule).filter((s) => s !== undefined);
  const sum = (k: 'intended' | 'sent' | 'completed' | 'skipped' | 'late'): number => schedules.reduce((s, x) => s + x[k], 0);
  const reduced = reduceReports(reports);
  const errorMessages: Record<string, number> = {};
  for (const w of outcome.workers) for (const [m, n] of Object.entries(w.errorMessages)) errorMessages[m] = (errorMessages[m] ?? 0) + n;
  return {
    measurement: {
      offeredRate: rate,
      measuredSec: outcome.measuredSec,
      intended: sum('intended'),
      sent: sum('sent'),
      completed: sum('completed'),
      skipped: sum('skipped'),
      late: sum('late'),
      errors: reduced.errors,
      timeouts: reduced.timeouts,
      latency: reduced.latency,
      byType: reduced.byType,
      clientCpu: evidence.clientCpu,
    },
    evidence,
    errorMessages,
    startedAt,
    stoppedEarly: outcome.stoppedEarly ?? null,
  };
}
