/**
 * From a run's interval reports to per-variant statistics, per-repetition summaries and the
 * baseline-vs-optimized comparisons. Pure: the same reports always give the same analysis.
 */
import type { QueryStatsRecord, VariantStatsRecord } from '../formats/run-records.ts';
import { ALL_QUERY_TYPES, buildTimelines, type IntervalReport, type Timeline } from '../metrics/timeline.ts';
import { compareVariants, type Comparison, type RepetitionSummary } from './compare.ts';

/** Statistics of one query type, as result.json records them (formats/run-records.ts). */
export type QueryStats = QueryStatsRecord;
export type VariantStats = VariantStatsRecord;

export interface RunAnalysis {
  /** Per (variant, repetition, query type) timelines, for charts and the result file. */
  readonly timelines: Timeline[];
  readonly variants: VariantStats[];
  readonly repetitions: RepetitionSummary[];
  readonly comparisons: Array<Comparison | { readonly baseline: string; readonly optimized: string; readonly unavailable: string }>;
}

export interface AnalysisInput {
  readonly reports: readonly IntervalReport[];
  /** Measured seconds of each (variant, repetition); segments never measured are absent. */
  readonly measuredSec: ReadonlyMap<string, number>;
  readonly variants: readonly string[];
  readonly baseline: string;
  readonly seed: string;
}

export const segmentKey = (variant: string, repetition: number): string => `${variant}#${repetition}`;

const statsOf = (t: Timeline): QueryStats => ({
  ops: t.totals.ops,
  errors: t.totals.errors,
  timeouts: t.totals.timeouts,
  late: t.totals.late,
  dropped: t.totals.dropped,
  measuredSec: t.totals.measuredSec,
  throughput: t.totals.throughputOpsPerSec,
  errorRate: t.totals.errorRate,
  latency: t.totals.latency,
});

export function analyzeRun(input: AnalysisInput): RunAnalysis {
  const reports = input.reports.filter((r) => (input.measuredSec.get(segmentKey(r.variant, r.repetition)) ?? 0) > 0);
  const measuredSec = (variant: string, repetition: number): number => input.measuredSec.get(segmentKey(variant, repetition)) ?? 0;
  const timelines = buildTimelines(reports, { measuredSec });
  const pooled = buildTimelines(reports, { measuredSec, poolRepetitions: true });

  const variants: VariantStats[] = input.variants.map((variant) => ({
    variant,
    byQueryType: Object.fromEntries(pooled.filter((t) => t.key.variant === variant).map((t) => [t.key.queryType, statsOf(t)])),
  }));
  const repetitions: RepetitionSummary[] = timelines.map((t) => ({
    variant: t.key.variant,
    repetition: t.key.repetition!,
    queryType: t.key.queryType,
    p50: t.totals.latency.p50,
    p95: t.totals.latency.p95,
    p99: t.totals.latency.p99,
    mean: t.totals.latency.mean,
    throughput: t.totals.throughputOpsPerSec,
  }));
  const comparisons: RunAnalysis['comparisons'] = input.variants
    .filter((v) => v !== input.baseline)
    .map((optimized) => {
      try {
        return compareVariants(repetitions, { baseline: input.baseline, optimized, seed: input.seed });
      } catch (err) {
        return { baseline: input.baseline, optimized, unavailable: (err as Error).message };
      }
    });
  return { timelines, variants, repetitions, comparisons };
}

export { ALL_QUERY_TYPES };
