/**
 * Workload-weighted improvement: the change in total workload cost at the scenario's mix, so a KPI
 * cannot be carried by two rare query types. Per repetition r and variant v,
 *   cost_r(v) = Σ_t w_t · mean latency_t(v, r) / Σ_t w_t
 * (the mean time of one operation drawn from the mix); improvement = 1 − exp(mean_r ln(cost_r(B) /
 * cost_r(A))) with the paired t-interval (paired.ts). The per-type table shows where it came from.
 * Pure.
 */
import type { RunResult } from '../formats/run-result.ts';
import { PAIRED_METHOD, reductionKpi, type KpiInterval } from './decision.ts';
import type { KpiTarget } from './kpi.ts';
import { pairedRatio, type PairedRatio } from './paired.ts';

/** One query type's part of the workload. */
export interface WorkloadTypeRow {
  readonly queryType: string;
  /** w_t / Σ w. */
  readonly share: number;
  /** Mean latency over all repetitions (pooled), µs; null when the type completed nothing. */
  readonly baselineMeanUs: number | null;
  readonly optimizedMeanUs: number | null;
  /** optimized / baseline − 1; null when undefined. */
  readonly change: number | null;
}

export interface WorkloadImprovement {
  /** 1 − geometric mean over repetitions of cost_B / cost_A; null without a measured repetition. */
  readonly estimate: number | null;
  /** Interval of the improvement (fraction); null with fewer than 2 repetitions. */
  readonly interval: KpiInterval | null;
  readonly perType: readonly WorkloadTypeRow[];
  readonly paired: PairedRatio | null;
  /** Per repetition: cost of each variant (µs per operation of the mix). */
  readonly repetitions: ReadonlyArray<{ readonly repetition: number; readonly baselineCostUs: number; readonly optimizedCostUs: number }>;
  /** Repetitions left out because a weighted type completed nothing in one variant. */
  readonly skippedRepetitions: readonly number[];
  readonly method: string;
}

export const WORKLOAD_METHOD = `1 − change of the mix's mean cost per operation (Σ w_t · mean latency_t / Σ w_t per repetition); ${PAIRED_METHOD}`;

/** Improvement of `optimized` over `baseline` at the mix `weights` (query type → weight; types of weight 0 ignored). */
export function workloadImprovement(result: RunResult, baseline: string, optimized: string, weights: Readonly<Record<string, number>>): WorkloadImprovement {
  const types = Object.entries(weights).filter(([, w]) => w > 0);
  const total = types.reduce((s, [, w]) => s + w, 0);
  if (total <= 0) throw new Error('workload weights must have a positive sum');
  const meanAt = (variant: string, rep: number, q: string): number | null => {
    const t = result.results.timelines.find((x) => x.key.variant === variant && x.key.repetition === rep && x.key.queryType === q);
    const m = t && t.totals.ops > 0 ? t.totals.latency.mean : null;
    return m !== null && Number.isFinite(m) && m > 0 ? m : null;
  };
  const cost = (variant: string, rep: number): number | null => {
    let sum = 0;
    for (const [q, w] of types) {
      const m = meanAt(variant, rep, q);
      if (m === null) return null;
      sum += w * m;
    }
    return sum / total;
  };
  const repsOf = (v: string): Set<number> => new Set(result.results.timelines.filter((t) => t.key.variant === v && t.key.repetition !== null).map((t) => t.key.repetition!));
  const inB = repsOf(optimized);
  const reps = [...repsOf(baseline)].filter((r) => inB.has(r)).sort((a, b) => a - b);
  const measured: Array<{ repetition: number; baselineCostUs: number; optimizedCostUs: number }> = [];
  const skipped: number[] = [];
  for (const r of reps) {
    const a = cost(baseline, r);
    const b = cost(optimized, r);
    if (a === null || b === null) skipped.push(r);
    else measured.push({ repetition: r, baselineCostUs: a, optimizedCostUs: b });
  }
  const paired = pairedRatio(measured.map((m) => Math.log(m.optimizedCostUs / m.baselineCostUs)));
  const k = reductionKpi(paired, { op: '>', value: 0 }, WORKLOAD_METHOD);
  const pooled = (v: string, q: string): number | null => {
    const m = result.results.variants.find((x) => x.variant === v)?.byQueryType[q];
    return m && m.ops > 0 && Number.isFinite(m.latency.mean) ? m.latency.mean : null;
  };
  const perType = types.map(([q, w]) => {
    const a = pooled(baseline, q);
    const b = pooled(optimized, q);
    return { queryType: q, share: w / total, baselineMeanUs: a, optimizedMeanUs: b, change: a !== null && b !== null && a > 0 ? b / a - 1 : null };
  });
  return { estimate: k.estimate, interval: k.interval, perType, paired, repetitions: measured, skippedRepetitions: skipped, method: WORKLOAD_METHOD };
}

/** Repetitions that would likely decide `target` for this improvement (reductionKpi's estimate). */
export function workloadRepetitionsToDecide(w: WorkloadImprovement, target: Pick<KpiTarget, 'op' | 'value'>): number | null {
  return reductionKpi(w.paired, target).repetitionsToDecide;
}
