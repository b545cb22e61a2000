/**
 * Where the ramp starts: a short closed-loop probe (every connection sends its next operation as
 * soon as the last one answered) measures the most a variant can answer on the configured
 * connections. Its capacity at a latency SLO can only be lower — in a closed loop nothing queues —
 * so the ramp starts at a quarter of it and reaches the knee in two or three doublings instead of
 * climbing from a fixed 50 ops/s (or descending to it: long steps at low rates).
 */
import type { RunPlan, Segment } from '../load/plan.ts';
import type { PreparedVariant } from '../load/prepare.ts';
import type { SegmentRunner } from '../load/runner.ts';
import type { IntervalReport } from '../metrics/timeline.ts';
import { roundRate } from './search.ts';
import { reduceReports } from './step-run.ts';

/** Seconds the closed-loop probe is measured (after the plan's warm-up). */
export const PROBE_SECONDS = 1.5;
/** The ramp starts at this share of the probed closed-loop throughput. */
export const PROBE_START_SHARE = 0.25;

/** The start rate from a probed throughput, within [floor, maxRate]. Pure. */
export function startRateFrom(closedLoopOpsPerSec: number, floor: number, maxRate: number): number {
  return roundRate(Math.min(maxRate, Math.max(floor, PROBE_START_SHARE * closedLoopOpsPerSec)));
}

/** Successful operations per second of one closed-loop segment, or null when it measured nothing. */
export async function probeClosedLoop(runner: SegmentRunner, plan: RunPlan, variant: PreparedVariant, segment: Segment): Promise<number | null> {
  const reports: IntervalReport[] = [];
  const outcome = await runner.run(segment, variant, {
    onMeasureStart: async () => {},
    onMeasureEnd: async () => {},
    onReport: (_s, report) => {
      if (report.intervalIndex >= 0) reports.push(report);
    },
    onTick: () => {},
  }, { load: { model: 'closed', connections: plan.load.connections }, durationSec: PROBE_SECONDS });
  if (outcome.measuredSec <= 0) return null;
  const { latency } = reduceReports(reports);
  return latency.count > 0 ? latency.count / outcome.measuredSec : null;
}
