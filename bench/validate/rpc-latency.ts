/**
 * The workload-weighted latency change between two variants of one run, with a 95% interval that
 * keeps each repetition's pairing of the variants. Local stand-in with the contract of
 * `workloadImprovement` in comparison-run.ts (branch `verdicts`): swap at merge.
 *
 * Per repetition r: cost_v(r) = Σ_t w_t · mean latency_t,v,r (weights normalized to shares: the
 * mean latency per operation at that mix). Paired ratio ρ_r = cost_opt(r) / cost_base(r).
 * Estimate = 1 − geometric mean of ρ_r (0.9 = 90% less time per operation; negative = slower).
 * Interval = 1 − exp(mean log ρ ∓ t_{0.975, n−1} · sd / √n) over the n repetitions: a Student-t
 * interval on the paired log ratios (n = 1 gives no interval). Pure.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { judge, parseKpiTarget, formatInUnit } from '../analysis/kpi.ts';
import type { RunResult } from '../result-file/result-file.ts';
import type { Check } from './checks.ts';

export interface WorkloadImprovement {
  readonly estimate: number | null;
  /** Low and high end of the 95% interval of the improvement; null below 2 repetitions. */
  readonly interval: { readonly low: number; readonly high: number } | null;
  /** Per type: share, mean latency (µs) per variant pooled over repetitions, and the change (optimized/baseline − 1). */
  readonly perType: Record<string, { share: number; baselineUs: number | null; optimizedUs: number | null; change: number | null }>;
  readonly repetitions: number;
  /** Why the estimate is missing (a type not measured in a repetition…). */
  readonly missing?: string;
}

type Rep = RunResult['results']['repetitions'][number];

export function workloadImprovement(
  result: Pick<RunResult, 'results'>, baseline: string, optimized: string, weights: Readonly<Record<string, number>>,
): WorkloadImprovement {
  const total = Object.values(weights).reduce((s, w) => s + w, 0);
  const shares = Object.fromEntries(Object.entries(weights).map(([t, w]) => [t, w / total]));
  const reps = result.results.repetitions;
  const meanOf = (v: string, r: number, t: string): number | undefined => reps.find((x: Rep) => x.variant === v && x.repetition === r && x.queryType === t)?.mean;
  const repNumbers = [...new Set(reps.filter((x) => x.variant === baseline).map((x) => x.repetition))].sort((a, b) => a - b);
  const logs: number[] = [];
  let missing: string | undefined;
  for (const r of repNumbers) {
    let b = 0;
    let o = 0;
    for (const [t, share] of Object.entries(shares)) {
      const x = meanOf(baseline, r, t);
      const y = meanOf(optimized, r, t);
      if (!x || !y || !Number.isFinite(x) || !Number.isFinite(y)) {
        missing ??= `${t} not measured in repetition ${r} of ${x ? optimized : baseline}`;
        continue;
      }
      b += share * x;
      o += share * y;
    }
    if (missing === undefined) logs.push(Math.log(o / b));
  }
  const perType: WorkloadImprovement['perType'] = {};
  const pooled = (v: string, t: string): number | null => {
    const xs = repNumbers.map((r) => meanOf(v, r, t)).filter((x): x is number => x !== undefined && Number.isFinite(x));
    return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
  };
  for (const [t, share] of Object.entries(shares)) {
    const b = pooled(baseline, t);
    const o = pooled(optimized, t);
    perType[t] = { share, baselineUs: b, optimizedUs: o, change: b && o ? o / b - 1 : null };
  }
  if (missing !== undefined || logs.length === 0) {
    return { estimate: null, interval: null, perType, repetitions: logs.length, missing: missing ?? 'no repetition measured both variants' };
  }
  const n = logs.length;
  const mean = logs.reduce((s, x) => s + x, 0) / n;
  const estimate = 1 - Math.exp(mean);
  if (n < 2) return { estimate, interval: null, perType, repetitions: n };
  const sd = Math.sqrt(logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = tQuantile(0.975, n - 1) * sd / Math.sqrt(n);
  return { estimate, interval: { low: 1 - Math.exp(mean + half), high: 1 - Math.exp(mean - half) }, perType, repetitions: n };
}

/**
 * A comparative KPI decided on its interval: ✓ when the whole interval meets the target, ✗ when
 * none of it does, otherwise inconclusive (pass null, said in the text). Without an interval
 * (one repetition) it is inconclusive. Local stand-in for `intervalCheck` (checks.ts, branch
 * `verdicts`).
 */
export function intervalOutcomeCheck(metric: string, target: string, w: WorkloadImprovement, evidence: unknown, note?: string): Check {
  const t = parseKpiTarget(target);
  const fmt = (x: number): string => formatInUnit(x, t, 3);
  if (w.estimate === null) return { metric, target, value: null, achieved: 'not measured', pass: null, note: w.missing, evidence };
  const lo = w.interval ? judge(t, w.interval.low).pass : null;
  const hi = w.interval ? judge(t, w.interval.high).pass : null;
  const pass = lo === true && hi === true ? true : lo === false && hi === false ? false : null;
  const range = w.interval ? ` [${fmt(w.interval.low)}, ${fmt(w.interval.high)}]` : ' (no interval: 1 repetition)';
  return {
    metric, target, value: w.estimate,
    achieved: `${fmt(w.estimate)}${range}${pass === null ? ' — inconclusive' : ''}`,
    pass,
    ...(note ? { note } : {}),
    evidence,
  };
}
