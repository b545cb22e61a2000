/**
 * From search results to what a reader signs: each variant's capacity interval and the change
 * between a variant and the baseline as a KPI with three outcomes. Pure.
 */
import { formatInUnit, type KpiTarget } from '../analysis/kpi.ts';
import { decideInterval, type Decision } from './decide.ts';
import type { SearchResult } from './search.ts';

/** The range the knee is known to lie in, ops/s; high may be +Infinity (not reached / harness-bound). */
export function capacityRange(r: SearchResult): { low: number; high: number } {
  switch (r.kind) {
    case 'capacity': return { low: r.low, high: r.high };
    case 'not-reached': return { low: r.low, high: Number.POSITIVE_INFINITY };
    case 'harness-bound': return { low: r.low, high: Number.POSITIVE_INFINITY };
    case 'below-floor': return { low: 0, high: r.high };
    case 'unfinished': return { low: r.low, high: r.high };
  }
}

const rate = (x: number): string => (Number.isFinite(x) ? `${Number(x.toPrecision(3))}` : '∞');

/** One line for tables: "1,200 ops/s [1,100, 1,300)", "not reached: ≥ 500 ops/s", … */
export function describeResult(r: SearchResult): string {
  switch (r.kind) {
    case 'capacity': return `${rate(r.estimate)} ops/s (knee in [${rate(r.low)}, ${rate(r.high)}) ops/s)`;
    case 'not-reached': return `not reached: ≥ ${rate(r.low)} ops/s (max-rate)`;
    case 'harness-bound': return `harness-bound at ${rate(r.atRate)} ops/s (capacity ≥ ${rate(r.low)} ops/s, not measured)`;
    case 'below-floor': return `below the floor: < ${rate(r.high)} ops/s`;
    case 'unfinished': return `unfinished: knee in [${rate(r.low)}, ${rate(r.high)}) ops/s`;
  }
}

export interface CapacityChange {
  readonly variant: string;
  readonly baseline: string;
  /** Relative change of capacity (0.5 = +50%), its point estimate and interval. */
  readonly estimate: number | null;
  readonly low: number;
  readonly high: number;
  readonly target: string;
  readonly decision: Decision;
  readonly text: string;
}

/**
 * capacity(variant)/capacity(baseline) − 1 over the two ranges: the lowest ratio pairs the
 * variant's low end with the baseline's high end, and vice versa. An open end stays open.
 */
export function capacityChange(variant: string, v: SearchResult, baseline: string, b: SearchResult, target: KpiTarget): CapacityChange {
  const rv = capacityRange(v);
  const rb = capacityRange(b);
  const low = rb.high === Number.POSITIVE_INFINITY ? -1 : rv.low / rb.high - 1;
  const high = rb.low === 0 ? Number.POSITIVE_INFINITY : rv.high / rb.low - 1;
  const estimate = v.kind === 'capacity' && b.kind === 'capacity' ? v.estimate / b.estimate - 1 : null;
  const decision = decideInterval(low, high, target.op, target.value);
  const show = (x: number): string => (Number.isFinite(x) ? formatInUnit(x, target, 3) : '+∞');
  const text = `${estimate === null ? 'no point estimate' : show(estimate)} [${show(low)}, ${show(high)}] vs ${target.source}: ${decision}`;
  return { variant, baseline, estimate, low, high, target: target.source, decision, text };
}
