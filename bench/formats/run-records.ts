/**
 * The parts of result.json that the producers compute (plan, statistics, timelines, comparisons,
 * metadata), as the file records them. They mirror the producers' own types (load/plan.ts,
 * analysis/run-analysis.ts, analysis/compare.ts, metrics/timeline.ts) field for field: load/run.ts
 * assigns those to these when it writes the file, so the compiler refuses a producer change that
 * the file format does not carry — change the format here first (and docs/results.md). Types only.
 */
import type { Micros } from '../core/units.ts';

export type LoadPlanRecord =
  | { readonly model: 'closed'; readonly connections: number }
  | {
      readonly model: 'open';
      readonly rate: number;
      readonly arrival: 'poisson' | 'uniform';
      readonly connections: number;
      readonly lateAfterMs: number;
      readonly skipAfterMs?: number | undefined;
    };

export interface KpiTargetRecord {
  source: string;
  metric: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
  unit: 'µs' | 'fraction' | 'ops/s' | 'none';
  displayUnit: string;
}

/** scenario.plan: everything the run was planned with. */
export interface PlanRecord {
  readonly scenario: string;
  readonly description: string;
  readonly dataset: { readonly scale: number; readonly seed: number; readonly totalRows: number };
  readonly variants: ReadonlyArray<{ readonly name: string; readonly migrateTo: string; readonly schema: string; readonly description?: string | undefined; readonly routes: Readonly<Record<string, string>> }>;
  readonly baseline: string;
  readonly workload: ReadonlyArray<{ readonly queryType: string; readonly weight: number }>;
  readonly load: LoadPlanRecord;
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly repetitions: number;
  readonly statementTimeoutMs: number;
  readonly workerConnections: readonly number[];
  readonly paramSeed: number;
  readonly segments: ReadonlyArray<{ readonly index: number; readonly repetition: number; readonly variant: string }>;
  readonly kpis: ReadonlyArray<{ readonly scope: string; readonly variant: string; readonly target: KpiTargetRecord; readonly label?: string | undefined }>;
}

export interface LatencySummaryRecord {
  count: number;
  min: Micros;
  max: Micros;
  mean: Micros;
  stddev: Micros;
  p50: Micros;
  p90: Micros;
  p95: Micros;
  p99: Micros;
  p999: Micros;
}

export interface QueryStatsRecord {
  readonly ops: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly late: number | null;
  readonly dropped: number | null;
  readonly measuredSec: number;
  readonly throughput: number;
  readonly errorRate: number;
  readonly latency: LatencySummaryRecord;
}

/** results.variants[]: statistics pooled over repetitions; query type `*` = all operations. */
export interface VariantStatsRecord {
  readonly variant: string;
  readonly byQueryType: Readonly<Record<string, QueryStatsRecord>>;
}

/** results.repetitions[]: one (variant, repetition, query type). */
export interface RepetitionSummaryRecord {
  variant: string;
  repetition: number;
  queryType: string;
  p50: Micros;
  p95: Micros;
  p99: Micros;
  mean: Micros;
  throughput: number;
}

interface OpCountsRecord {
  ops: number;
  errors: number;
  timeouts: number;
  late: number | null;
  dropped: number | null;
}

/** results.timelines[]: one per (variant, repetition or null when pooled, query type). */
export interface TimelineRecord {
  key: { variant: string; repetition: number | null; queryType: string };
  intervals: Array<OpCountsRecord & { index: number; startSec: number; p50: Micros; p90: Micros; p99: Micros; max: Micros; mean: Micros }>;
  totals: OpCountsRecord & { latency: LatencySummaryRecord; encoded: string; measuredSec: number; throughputOpsPerSec: number; errorRate: number };
}

export type CompareMetricName = 'p50' | 'p95' | 'p99' | 'mean' | 'throughput';

export interface MetricChangeRecord {
  metric: CompareMetricName;
  betterWhen: 'lower' | 'higher';
  baseline: number;
  optimized: number;
  change: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  ciAvailable: boolean;
  verdict: 'better' | 'worse' | 'inconclusive';
}

export interface QueryTypeComparisonRecord {
  queryType: string;
  repetitions: { baseline: number; optimized: number };
  metrics: Record<CompareMetricName, MetricChangeRecord>;
}

/** comparisons[]: baseline vs optimized with intervals (paired t within a run; bootstrap between runs). */
export interface ComparisonRecord {
  baseline: string;
  optimized: string;
  seed: string;
  /** Bootstrap resamples (independent pairing); 0 for the paired t-interval. */
  resamples: number;
  confidence: number;
  /** How the intervals were made. Absent in result files written before pairing existed (bootstrap). */
  method?: 'paired-t' | 'independent-bootstrap';
  byQueryType: QueryTypeComparisonRecord[];
  overall: QueryTypeComparisonRecord;
}

/** metadata: who/what/where of a run, enough to reproduce it and to compare like with like. */
export interface RunMetadata {
  readonly git: { readonly commit: string | null; readonly dirty: boolean | null };
  readonly versions: {
    readonly geobench: string;
    readonly node: string;
    readonly postgres: string | null;
    readonly postgis: string | null;
    readonly extensions: Record<string, string>;
  };
  /** Server settings that shape the numbers. */
  readonly settings: Record<string, string>;
  readonly machine: {
    readonly cpuModel: string;
    readonly cpus: number;
    readonly memoryBytes: number;
    readonly platform: string;
    readonly release: string;
    /** Hash of cpu model, cpu count and memory: runs with the same fingerprint are comparable. */
    readonly fingerprint: string;
  };
}
