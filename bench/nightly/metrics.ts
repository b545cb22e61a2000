/**
 * The numbers a nightly watches, read from a result file: per variant and query type p50, p99 and
 * throughput; per variant an overall p50/p99 (geometric mean over the query types) and the
 * all-operations throughput; on-disk sizes; KPI values. Pure: result in, metric points out.
 */
import { parseKpiTarget } from '../analysis/kpi.ts';
import type { RunResult } from '../formats/run-result.ts';
import type { SchemaSizes } from '../evidence/sizes.ts';
export type { MetricFamily, MetricUnit, MetricPoint } from '../formats/nightly-judgement.ts';
import type { MetricUnit, MetricPoint } from '../formats/nightly-judgement.ts';

const ALL = '*';

const finiteOrNull = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Every watched metric of a run, in a stable order. */
export function extractMetrics(result: RunResult): MetricPoint[] {
  const out: MetricPoint[] = [];
  const workload = result.scenario.plan.workload.map((w) => w.queryType);
  for (const v of result.results.variants) {
    const types = [...new Set([...workload, ...Object.keys(v.byQueryType).filter((q) => q !== ALL)])].sort();
    const p50s: number[] = [];
    const p99s: number[] = [];
    let overallDefined = types.length > 0;
    for (const q of [...types, ALL]) {
      const s = v.byQueryType[q];
      const count = s?.ops ?? 0;
      const p50 = s && count > 0 ? finiteOrNull(s.latency?.p50) : null;
      const p99 = s && count > 0 ? finiteOrNull(s.latency?.p99) : null;
      out.push({ id: `${v.variant}/${q}/p50`, family: 'latency', stat: 'p50', unit: 'µs', betterWhen: 'lower', value: p50, count });
      out.push({ id: `${v.variant}/${q}/p99`, family: 'latency', stat: 'p99', unit: 'µs', betterWhen: 'lower', value: p99, count });
      // A query type of the workload that completed nothing has throughput 0 — a real drop.
      out.push({ id: `${v.variant}/${q}/throughput`, family: 'throughput', stat: 'throughput', unit: 'ops/s', betterWhen: 'higher', value: finiteOrNull(s?.throughput ?? 0), count });
      if (q === ALL) continue;
      if (p50 === null || p99 === null || p50 <= 0 || p99 <= 0) overallDefined = false;
      else {
        p50s.push(p50);
        p99s.push(p99);
      }
    }
    const geomean = (xs: number[]): number | null => (overallDefined ? Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length) : null);
    const ops = v.byQueryType[ALL]?.ops ?? 0;
    out.push({ id: `${v.variant}/overall/p50`, family: 'latency', stat: 'p50', unit: 'µs', betterWhen: 'lower', value: geomean(p50s), count: ops });
    out.push({ id: `${v.variant}/overall/p99`, family: 'latency', stat: 'p99', unit: 'µs', betterWhen: 'lower', value: geomean(p99s), count: ops });
  }
  for (const v of result.variants) out.push(...sizeMetrics(v.name, v.sizes));
  for (const k of result.kpis) {
    const point = kpiMetric(k.label, k.target, k.achieved);
    if (point) out.push(point);
  }
  return out;
}

function isSchemaSizes(x: unknown): x is SchemaSizes {
  return typeof x === 'object' && x !== null && 'totalBytes' in x && typeof (x as SchemaSizes).totalBytes === 'number';
}

/** Sizes of one variant's schema: total, table heap and indexes, each index, each materialized view. */
export function sizeMetrics(variant: string, sizes: unknown): MetricPoint[] {
  if (!isSchemaSizes(sizes)) return [];
  const point = (name: string, bytes: number): MetricPoint => ({ id: `${variant}/size/${name}`, family: 'size', stat: 'bytes', unit: 'bytes', betterWhen: 'lower', value: bytes });
  const out = [point('total', sizes.totalBytes)];
  if (sizes.table) {
    out.push(point('table.heap', sizes.table.heapBytes), point('table.indexes', sizes.table.indexBytes));
    for (const i of sizes.table.indexes) out.push(point(`index:${i.name}`, i.bytes));
  }
  for (const mv of sizes.materializedViews) {
    out.push(point(`mv:${mv.name}`, mv.totalBytes));
    for (const i of mv.indexes) out.push(point(`index:${i.name}`, i.bytes));
  }
  return out;
}

/** A KPI's achieved value as a metric; the direction comes from the target's operator. */
export function kpiMetric(label: string, target: string, achieved: number | null): MetricPoint | null {
  let parsed;
  try {
    parsed = parseKpiTarget(target);
  } catch {
    return null; // e.g. a validator's yes/no item: judged by its pass/fail only
  }
  const unit: MetricUnit = parsed.unit === 'µs' ? 'µs' : parsed.unit === 'ops/s' ? 'ops/s' : parsed.unit === 'fraction' ? 'fraction' : 'none';
  return {
    id: `kpi/${label}`,
    family: 'kpi',
    stat: parsed.metric,
    unit,
    betterWhen: parsed.op.startsWith('<') ? 'lower' : 'higher',
    value: finiteOrNull(achieved),
  };
}

/** A metric id made readable: `opt1/Q3/p99` → `opt1 · Q3 · p99`, `*` → `all`. */
export function metricLabel(id: string): string {
  return id.split('/').map((p) => (p === '*' ? 'all' : p)).join(' · ');
}
