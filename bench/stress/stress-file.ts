/**
 * The stress.json document: the configuration used, every step of every variant with its evidence,
 * each variant's search result and the comparisons. Latencies in µs; in the file an open interval
 * end (∞) and a latency of a step where nothing completed are null.
 */
import type { CronRun } from '../evidence/cron-jobs.ts';
import type { CapacityChange } from './capacity.ts';
import type { SearchResult } from './search.ts';
import type { StepJudgement, StepLatency, StepOutcome } from './step-judgement.ts';
import type { StepRun } from './step-run.ts';

export interface StressStepRecord {
  readonly index: number;
  readonly phase: 'ramp' | 'bisect' | 'confirm';
  readonly offeredRate: number;
  /** Successful operations per measured second. */
  readonly achievedRate: number;
  readonly outcome: StepOutcome;
  readonly reasons: readonly string[];
  readonly startedAt: string;
  readonly measuredSec: number;
  readonly intended: number;
  readonly sent: number;
  readonly completed: number;
  /** Intended arrivals never sent by the end of the window (the generator's backlog). */
  readonly backlog: number;
  readonly late: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly latency: StepLatency;
  readonly byType: Readonly<Record<string, StepLatency>>;
  readonly clientCpu: { readonly processCores: number; readonly busiestThreadShare: number } | null;
  readonly serverCpuCores: number | null;
  readonly waits: { readonly samples: number; readonly counts: Readonly<Record<string, number>> };
  readonly cronRuns: readonly CronRun[] | null;
  readonly errorMessages: Readonly<Record<string, number>>;
  readonly stoppedEarly: string | null;
}

export interface StressVariantRecord {
  readonly name: string;
  readonly schema: string;
  readonly migrateTo: string;
  readonly result: SearchResult | null;
  readonly text: string;
  /** Successful ops/s of the short closed-loop probe that set the start rate (null: not probed). */
  readonly closedLoopOpsPerSec?: number | null;
  /** First rate of this variant's ramp. */
  readonly startRate?: number | null;
  readonly steps: readonly StressStepRecord[];
}

export interface StressFile {
  readonly schemaVersion: 1;
  readonly tool: 'geobench';
  readonly kind: 'stress';
  readonly runId: string;
  readonly status: 'complete' | 'incomplete';
  readonly statusReason: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly elapsedSec: number;
  readonly scenario: string;
  readonly dataset: { readonly scale: number; readonly seed: number; readonly totalRows: number };
  readonly target: string;
  readonly baseline: string;
  readonly config: Readonly<Record<string, unknown>> & { readonly sloP99Us: number; readonly maxRate: number };
  readonly workload: ReadonlyArray<{ readonly queryType: string; readonly weight: number }>;
  readonly variants: readonly StressVariantRecord[];
  readonly comparisons: readonly CapacityChange[];
}

export function toStepRecord(index: number, phase: StressStepRecord['phase'], run: StepRun, judgement: StepJudgement): StressStepRecord {
  const m = run.measurement;
  return {
    index, phase, offeredRate: m.offeredRate,
    achievedRate: m.measuredSec > 0 ? (m.completed - m.errors - m.timeouts) / m.measuredSec : 0,
    outcome: judgement.outcome, reasons: judgement.reasons, startedAt: run.startedAt, measuredSec: m.measuredSec,
    intended: m.intended, sent: m.sent, completed: m.completed, backlog: m.skipped, late: m.late, errors: m.errors, timeouts: m.timeouts,
    latency: m.latency, byType: m.byType, clientCpu: m.clientCpu, serverCpuCores: run.evidence.serverCpuCores,
    waits: run.evidence.waits, cronRuns: run.evidence.cronRuns, errorMessages: run.errorMessages, stoppedEarly: run.stoppedEarly,
  };
}
