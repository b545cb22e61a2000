/**
 * The metrics a scenario's KPI targets can name, and how each is read from a run's analysis.
 * Pure lookup: a value that was not measured is `undefined` and the KPI is "not measured".
 *
 * | metric | scope | value |
 * |---|---|---|
 * | p50 p90 p95 p99 p99.9 mean min max | a query type, `all` (= `overall`) | latency of the judged variant, µs |
 * | throughput | a query type, `all` | completed operations per second |
 * | error_rate | a query type, `all` | (errors + timeouts) / attempted |
 * | late_rate, drop_rate | a query type, `all` | open model: late or skipped share of intended operations |
 * | p50_change p95_change p99_change mean_change throughput_change | a query type, `all`, `overall` | judged variant vs baseline: optimized/baseline − 1 (`overall` = geometric mean over query types) |
 */
import type { Comparison } from './compare.ts';
import type { KpiTarget } from './kpi.ts';
import type { RunAnalysis } from './run-analysis.ts';

const LATENCY: Record<string, keyof import('../metrics/histogram.ts').LatencySummary> = {
  p50: 'p50', p90: 'p90', p95: 'p95', p99: 'p99', 'p99.9': 'p999', p999: 'p999', mean: 'mean', min: 'min', max: 'max',
};
const CHANGE = new Set(['p50_change', 'p95_change', 'p99_change', 'mean_change', 'throughput_change']);

export const RUN_METRICS = [...Object.keys(LATENCY), 'throughput', 'error_rate', 'late_rate', 'drop_rate', ...CHANGE];

export function isRunMetric(metric: string): boolean {
  return RUN_METRICS.includes(metric);
}

const finite = (x: number | null | undefined): number | undefined => (x === null || x === undefined || !Number.isFinite(x) ? undefined : x);

/** The measured value of `target.metric` for (scope, variant), in the target's canonical unit. */
export function measuredValue(analysis: RunAnalysis, target: KpiTarget, scope: string, variant: string, baseline: string): number | undefined {
  const metric = target.metric;
  const key = scope === 'all' || scope === 'overall' ? '*' : scope;
  if (CHANGE.has(metric)) {
    if (variant === baseline) return undefined;
    const comparison = analysis.comparisons.find((c) => c.optimized === variant && !('unavailable' in c)) as Comparison | undefined;
    if (!comparison) return undefined;
    const row = scope === 'overall' ? comparison.overall : comparison.byQueryType.find((r) => r.queryType === key);
    const m = metric.replace('_change', '') as 'p50' | 'p95' | 'p99' | 'mean' | 'throughput';
    return finite(row?.metrics[m].change);
  }
  const stats = analysis.variants.find((v) => v.variant === variant)?.byQueryType[key];
  if (!stats) return undefined;
  if (metric in LATENCY) return finite(stats.latency[LATENCY[metric]!]);
  if (metric === 'throughput') return finite(stats.throughput);
  if (metric === 'error_rate') return finite(stats.errorRate);
  const intended = stats.ops + stats.errors + stats.timeouts + (stats.dropped ?? 0);
  if (metric === 'late_rate') return stats.late === null || intended === 0 ? undefined : stats.late / intended;
  if (metric === 'drop_rate') return stats.dropped === null || intended === 0 ? undefined : stats.dropped / intended;
  return undefined;
}
