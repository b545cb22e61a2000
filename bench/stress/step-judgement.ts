/**
 * Whether one stress step (one variant at one offered rate) was sustained. Pure: the measurement
 * comes in, the outcome and its reasons go out, so the rule is unit-tested with exact values.
 */
import type { StressConfig } from './config.ts';

export type StepOutcome = 'pass' | 'fail' | 'harness-bound';

/** Latency figures of a step, µs (NaN when nothing completed). */
export interface StepLatency {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** What a step measured; the counts are over the measured window only. */
export interface StepMeasurement {
  readonly offeredRate: number;
  readonly measuredSec: number;
  /**
   * Open-schedule counters: intended = sent + skipped (skipped = unsent backlog, never sent);
   * completed = sent ops that returned (successfully or not); errors and timeouts are among them.
   */
  readonly intended: number;
  readonly sent: number;
  readonly completed: number;
  readonly skipped: number;
  readonly late: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly latency: StepLatency;
  readonly byType: Readonly<Record<string, StepLatency>>;
  /** The load generator's CPU over the step; null when it could not be read. */
  readonly clientCpu: { readonly processCores: number; readonly busiestThreadShare: number } | null;
}

export interface StepJudgement {
  readonly outcome: StepOutcome;
  /** Why it did not pass (empty on a pass). */
  readonly reasons: readonly string[];
}

const ms = (us: number): string => `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;

/**
 * A step passes when p99 (whole mix and each configured type) is under its SLO, the failed share
 * is within the limit and the generator kept up: the arrivals still unsent when the window closed
 * (backlog) are no more than one SLO period of arrivals. A step that fails
 * while a generator thread was saturated is "harness-bound": the client, not the database, may be
 * what broke it. A pass with a busy client stands: latencies are charged from the intended send
 * time, so client delay can only make a pass harder.
 */
export function judgeStep(m: StepMeasurement, c: Pick<StressConfig, 'sloP99Us' | 'sloPerTypeUs' | 'errorLimit' | 'harnessCpuLimit'>): StepJudgement {
  const reasons: string[] = [];
  if (m.latency.count === 0) reasons.push('no operation completed');
  else if (!(m.latency.p99 < c.sloP99Us)) reasons.push(`p99 ${ms(m.latency.p99)} ≥ SLO ${ms(c.sloP99Us)}`);
  for (const [type, slo] of Object.entries(c.sloPerTypeUs)) {
    const t = m.byType[type];
    if (t && t.count > 0 && !(t.p99 < slo)) reasons.push(`${type} p99 ${ms(t.p99)} ≥ SLO ${ms(slo)}`);
  }
  const failedShare = m.sent > 0 ? (m.errors + m.timeouts) / m.sent : 0;
  if (failedShare > c.errorLimit) reasons.push(`errors ${(100 * failedShare).toFixed(2)}% > limit ${(100 * c.errorLimit).toFixed(2)}%`);
  // Arrivals still unsent when the window closes wait in FIFO order: more than one SLO period's
  // worth of them (rate × SLO) means the oldest has already waited longer than the SLO — the
  // generator did not keep up. Fewer is the ordinary queue of the last instants.
  const backlogLimit = Math.floor((m.offeredRate * c.sloP99Us) / 1e6);
  if (m.skipped > backlogLimit) reasons.push(`${m.skipped} of ${m.intended} intended arrivals never sent (backlog > ${backlogLimit}, one SLO period of arrivals)`);
  if (reasons.length === 0) return { outcome: 'pass', reasons };
  if (m.clientCpu && m.clientCpu.busiestThreadShare >= c.harnessCpuLimit) {
    return { outcome: 'harness-bound', reasons: [...reasons, `generator thread at ${(100 * m.clientCpu.busiestThreadShare).toFixed(0)}% of a core`] };
  }
  return { outcome: 'fail', reasons };
}
