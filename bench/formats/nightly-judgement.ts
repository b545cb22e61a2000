/**
 * The nightly/compare judgement — <name>.json next to nightly.html / compare.html (docs/nightly.md):
 * the type nightly/ builds and renders, and the zod schema a reader checks a file against. Imports
 * only the ground floor; nightly/'s modules re-export these types.
 */
import { z } from 'zod';
import { GeobenchError } from '../core/errors.ts';
import type { ValueUnit } from '../core/units.ts';

/** Families share a detection rule and its thresholds (see detector.ts). */
export type MetricFamily = 'latency' | 'throughput' | 'size' | 'kpi';

/** A metric's stored unit (the output layer formats it). */
export type MetricUnit = ValueUnit;

export interface MetricPoint {
  /** Stable id within a series, e.g. `opt1/Q3/p99`, `opt1/size/index:geometrias_geom_gist`, `kpi/errors`. */
  readonly id: string;
  readonly family: MetricFamily;
  /** p50, p99, throughput, bytes, or the KPI metric (error_rate, mean_change…). */
  readonly stat: string;
  readonly unit: MetricUnit;
  readonly betterWhen: 'lower' | 'higher';
  /** null = not measured in this run (e.g. a query type that completed nothing). */
  readonly value: number | null;
  /** Operations behind a latency percentile (for the minimum-sample rule). */
  readonly count?: number;
}

export interface SeriesKey {
  /** metadata.machine.fingerprint (cpu model, cpu count, memory), or "unknown". */
  readonly fingerprint: string;
  /** Scenario name (`validate:<name>` for validator entries). */
  readonly scenario: string;
  readonly scale: number;
  readonly seed: number;
  /** Hash of the run configuration (durations, repetitions, load, workload, variants). */
  readonly config: string;
  /** The same configuration, readable, for skip messages. */
  readonly configText: string;
}

export interface PlanFingerprint {
  readonly variant: string;
  readonly queryType: string;
  readonly shape: string;
  readonly runtimePruned: number;
}

export interface PlanVerdict {
  readonly variant: string;
  readonly queryType: string;
  readonly status: 'unchanged' | 'changed' | 'not-enough-history' | 'not-captured';
  readonly current: PlanFingerprint | null;
  /** The most recent history run's plan, and that run's id. */
  readonly previous: (PlanFingerprint & { readonly runId: string }) | null;
  /** Line diff of the node trees, old → new ("- ", "+ ", "  " prefixes). */
  readonly diff: readonly string[];
  readonly reason: string;
}

export interface DetectorOptions {
  /** Most recent comparable good runs used as the history. */
  readonly lookback: number;
  /** Fewer history values than this → not enough history. */
  readonly minHistory: number;
  /** One-sided false-alarm probability per metric under the model (Gaussian noise in log space). */
  readonly alpha: number;
  /** Minimum relative change that can be a regression, per stat (p50, p99) or family. */
  readonly minEffect: { readonly p50: number; readonly p99: number; readonly throughput: number; readonly size: number; readonly kpi: number };
  /** Smallest spread assumed, in log units (≈ relative): history that happened to be very quiet does not make z explode. */
  readonly noiseFloor: number;
  /** Smallest growth of a size, in bytes, that can be a regression (absent in older files: 0). */
  readonly sizeFloorBytes?: number;
  /** Absolute noise floor and minimum effect of KPI fractions (error rates, relative changes). */
  readonly fractionFloor: number;
  readonly fractionMinEffect: number;
  /** Operations a percentile needs in the current run to be judged. */
  readonly minCount: { readonly p50: number; readonly p99: number };
  /**
   * Machine guard (runs with ≥ 2 variants): when at least this share of every variant's judged
   * latency/throughput metrics is worse by its minimum effect, timing regressions are `suspect`.
   * 0 or ≥ 1 disables the guard.
   */
  readonly machineGuard: number;
  /**
   * During a slowdown, a timing regression is `suspect` only when the same query type and statistic
   * of every other variant moved at least 1/k as far (log terms) — or, for a KPI, when its move is
   * at most k times the shared slowdown. A move the other variants do not share still fails.
   */
  readonly machineGuardFactor: number;
}

/**
 * `suspect` = a timing regression during a machine-wide slowdown (reported, never failing);
 * `ok`, `regression`, `improvement` and `suspect` are judged; the others were not.
 */
export type MetricStatus = 'regression' | 'suspect' | 'improvement' | 'ok' | 'not-enough-history' | 'too-few-samples' | 'not-measured';

export interface MetricVerdict {
  readonly metric: MetricPoint;
  readonly status: MetricStatus;
  /** History values used (most recent first). */
  readonly n: number;
  /** The history's center: geometric mean (log rule), mean (linear rule) or median (sizes). */
  readonly baseline: number | null;
  /** Current relative to the baseline − 1 (linear rule with baseline 0: null). */
  readonly change: number | null;
  readonly z: number | null;
  readonly zCritical: number | null;
  /** The value beyond which this metric would alarm (worse side; null when not judged). */
  readonly alarmAt?: number | null;
  /** Pairwise comparison (`geobench compare`): the bootstrap interval of `change`. */
  readonly ci?: { readonly low: number; readonly high: number } | null;
  /** One line: why this status. */
  readonly reason: string;
}

export interface TrendPoint {
  readonly runId: string;
  readonly startedAt: string;
  readonly value: number | null;
  /** baseline = in the history used for judging; excluded = not a good run; current = this run. */
  readonly role: 'baseline' | 'excluded' | 'current';
  /** The git commit the run measured (absent in files written before change points). */
  readonly commit?: string | null;
}

/** A shift of a metric's level found over its trend (nightly/change-points.ts). */
export interface ChangePointReport {
  readonly metricId: string;
  readonly unit: MetricUnit;
  /** The first run after the shift, when it started, and the commit it measured. */
  readonly runId: string;
  readonly startedAt: string;
  readonly commit: string | null;
  /** Geometric means of the segments before and after. */
  readonly before: number;
  readonly after: number;
  readonly change: number;
  readonly p: number;
  /** Whether the worse side (a regression) or the better side. */
  readonly direction: 'worse' | 'better';
}

/** A KPI of the load run or a validator's checklist line. */
export interface KpiOutcome {
  readonly label: string;
  readonly target: string | null;
  readonly achieved: string;
  readonly pass: boolean | null;
  readonly source: 'kpi' | 'check';
  readonly note?: string | undefined;
}

export interface EntryJudgement {
  readonly entry: string;
  readonly kind: 'scenario' | 'validate';
  /** Scenario or validator name. */
  readonly name: string;
  /** The run judged (its load run id, or the folder for `compare`). */
  readonly runId: string;
  readonly status: 'complete' | 'incomplete' | 'failed' | 'error';
  readonly statusReason: string | null;
  readonly key: SeriesKey | null;
  /** Runs the verdicts were judged against (nightly run ids or folders), most recent first. */
  readonly historyRuns: readonly string[];
  readonly notices: readonly string[];
  readonly metrics: readonly MetricVerdict[];
  /** Metric id → values over the history and this run (oldest first). */
  readonly trends: Readonly<Record<string, readonly TrendPoint[]>>;
  readonly plans: readonly PlanVerdict[];
  readonly kpis: readonly KpiOutcome[];
  /** Level shifts over the trends (oldest first); absent in files written before change points. */
  readonly changePoints?: readonly ChangePointReport[];
  readonly seconds: number;
}

/** A nightly (or compare) report: the entries and how the whole night is judged. */
export interface NightlyReport {
  readonly kind: 'nightly' | 'compare';
  readonly title: string;
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: string | null;
  readonly commit: string | null;
  readonly configFile: string | null;
  readonly planChange: 'fail' | 'warn';
  /** Roadmap KPIs / checklist targets missed: reported only (`warn`) or failing the night (`fail`). */
  readonly kpi: 'fail' | 'warn';
  readonly detector: DetectorOptions;
  readonly entries: readonly EntryJudgement[];
}

/** What a reader checks before it trusts a judgement file: the envelope and each entry's verdict lists. */
export const NightlyReportSchema = z.looseObject({
  kind: z.enum(['nightly', 'compare']),
  title: z.string(),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  planChange: z.enum(['fail', 'warn']),
  /** Absent in files written before the separate KPI gate (those failed on KPIs: read as `fail`). */
  kpi: z.enum(['fail', 'warn']).optional(),
  detector: z.looseObject({ lookback: z.number(), minHistory: z.number(), alpha: z.number() }),
  entries: z.array(z.looseObject({
    entry: z.string(),
    kind: z.enum(['scenario', 'validate']),
    status: z.enum(['complete', 'incomplete', 'failed', 'error']),
    metrics: z.array(z.looseObject({ metric: z.looseObject({ id: z.string() }), status: z.string(), reason: z.string() })),
    plans: z.array(z.looseObject({ variant: z.string(), queryType: z.string(), status: z.string() })),
    kpis: z.array(z.looseObject({ label: z.string(), achieved: z.string() })),
  })),
});

/** Checks parsed JSON against the schema; `where` names the file in the error. */
export function parseNightlyReport(raw: unknown, where: string): NightlyReport {
  const parsed = NightlyReportSchema.safeParse(raw);
  if (!parsed.success) {
    throw new GeobenchError(`${where} is not a geobench nightly/compare judgement:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const report = raw as Omit<NightlyReport, 'kpi'> & { kpi?: 'fail' | 'warn' };
  return { ...report, kpi: report.kpi ?? 'fail' };
}
