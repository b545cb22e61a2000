/**
 * Change points: where a metric's level shifted over its series of nights (docs/nightly.md,
 * "Change points"). Pure.
 *
 * Method — E-divisive means (Matteson & James, "A Nonparametric Approach for Multiple Change
 * Point Analysis of Multivariate Data", JASA 2014), as Apache Otava (formerly Hunter, Fleming et
 * al., "Hunter: Using Change Point Detection to Hunt for Performance Regressions", ICPE 2023) uses
 * it on nightly benchmark series:
 *   1. In a segment, the candidate split τ maximises the energy statistic
 *        Q(τ) = (m·k / (m+k)) · (2/(m·k) Σ|aᵢ−bⱼ| − 1/C(m,2) Σ|aᵢ−aⱼ| − 1/C(k,2) Σ|bᵢ−bⱼ|)
 *      (a = the m values before τ, b = the k values from τ on; each side ≥ minSegment).
 *   2. As Hunter/Otava do instead of E-divisive's permutation test (deterministic and cheap), the
 *      split is kept when a Welch t-test of the two sides rejects equal means at p < pMax, and the
 *      level moved by at least minShift (relative) — a significant 1 % shift is not news.
 *   3. Kept splits divide the segment and both halves are searched again (binary segmentation).
 * Values are compared in log space (timings and sizes are multiplicative), with the detector's noise
 * floor: the spread of a side is at least `noiseFloor`, so identical values do not make any
 * difference significant.
 */
import studentTQuantile from '@stdlib/stats-base-dists-t-quantile';

export interface ChangePointOptions {
  /** Fewest values on either side of a split (the first run after a shift needs minSegment − 1 more nights). */
  readonly minSegment: number;
  /** Two-sided p-value a split must beat (Welch t-test in log space). */
  readonly pMax: number;
  /** Smallest relative shift of the level (geometric means) that is reported. */
  readonly minShift: number;
  /** Smallest standard deviation assumed per side, in log units. */
  readonly noiseFloor: number;
}

export const DEFAULT_CHANGE_POINTS: ChangePointOptions = { minSegment: 3, pMax: 0.001, minShift: 0.1, noiseFloor: 0.03 };

export interface ChangePoint {
  /** Index (into the input series) of the first value after the shift. */
  readonly index: number;
  /** Geometric means of the segment before and the segment after (up to the next change point). */
  readonly before: number;
  readonly after: number;
  /** after / before − 1. */
  readonly change: number;
  /** Two-sided Welch t-test p-value of the split. */
  readonly p: number;
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: readonly number[]): number => {
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
};

/** Q(τ) of E-divisive means (α = 1) for the split of xs into xs[0..tau) and xs[tau..). */
export function energyStatistic(xs: readonly number[], tau: number): number {
  const a = xs.slice(0, tau);
  const b = xs.slice(tau);
  const m = a.length;
  const k = b.length;
  if (m < 2 || k < 2) return 0;
  let between = 0;
  for (const x of a) for (const y of b) between += Math.abs(x - y);
  const within = (s: readonly number[]): number => {
    let sum = 0;
    for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) sum += Math.abs(s[i]! - s[j]!);
    return sum / ((s.length * (s.length - 1)) / 2);
  };
  return ((m * k) / (m + k)) * ((2 * between) / (m * k) - within(a) - within(b));
}

/** Welch t-test of two samples with a floor on each side's standard deviation: two-sided p below pMax? */
function welchSignificant(a: readonly number[], b: readonly number[], floor: number, pMax: number): { significant: boolean; p: number } {
  const va = Math.max(variance(a), floor ** 2) / a.length;
  const vb = Math.max(variance(b), floor ** 2) / b.length;
  const t = Math.abs(mean(b) - mean(a)) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const critical = studentTQuantile(1 - pMax / 2, df);
  return { significant: t > critical, p: twoSidedP(t, df) };
}

/** Two-sided p of |T| ≥ t by bisection on the quantile function (the t CDF is not a dependency here). */
function twoSidedP(t: number, df: number): number {
  let lo = 1e-300;
  let hi = 1;
  if (studentTQuantile(1 - lo / 2, df) <= t) return 0;
  for (let i = 0; i < 200; i++) {
    const mid = Math.sqrt(lo * hi);
    if (studentTQuantile(1 - mid / 2, df) > t) lo = mid;
    else hi = mid;
    if (hi / lo < 1.0001) break;
  }
  return hi;
}

function search(logs: readonly number[], start: number, end: number, o: ChangePointOptions, out: number[]): void {
  if (end - start < 2 * o.minSegment) return;
  const seg = logs.slice(start, end);
  let best = -1;
  let bestQ = -Infinity;
  for (let tau = o.minSegment; tau <= seg.length - o.minSegment; tau++) {
    const q = energyStatistic(seg, tau);
    if (q > bestQ) {
      bestQ = q;
      best = tau;
    }
  }
  if (best < 0) return;
  const a = seg.slice(0, best);
  const b = seg.slice(best);
  if (Math.abs(Math.expm1(mean(b) - mean(a))) < o.minShift) return;
  if (!welchSignificant(a, b, o.noiseFloor, o.pMax).significant) return;
  out.push(start + best);
  search(logs, start, start + best, o, out);
  search(logs, start + best, end, o, out);
}

/**
 * Change points of a series of positive values (nulls and non-positive values are skipped; the
 * indexes returned are into the input). Each is described against its neighbouring segments.
 */
export function changePoints(values: readonly (number | null)[], options: Partial<ChangePointOptions> = {}): ChangePoint[] {
  const o = { ...DEFAULT_CHANGE_POINTS, ...options };
  const kept = values.flatMap((v, i) => (v !== null && Number.isFinite(v) && v > 0 ? [{ i, log: Math.log(v) }] : []));
  const logs = kept.map((k) => k.log);
  const splits: number[] = [];
  search(logs, 0, logs.length, o, splits);
  splits.sort((x, y) => x - y);
  const bounds = [0, ...splits, logs.length];
  return splits.map((s, n) => {
    const a = logs.slice(bounds[n]!, s);
    const b = logs.slice(s, bounds[n + 2]!);
    const before = Math.exp(mean(a));
    const after = Math.exp(mean(b));
    return { index: kept[s]!.i, before, after, change: after / before - 1, p: welchSignificant(a, b, o.noiseFloor, o.pMax).p };
  });
}
