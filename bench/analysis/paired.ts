/**
 * Paired intervals for A/B comparisons. Within one repetition A and B ran back to back on the same
 * machine, so whatever drifted between repetitions (cache state, neighbours, thermal) hit both:
 * the unit of evidence is the ratio B_r / A_r of one repetition, not the two variants' separate
 * spreads. Interval: Student t on the mean of ln(B_r / A_r) (ratios are multiplicative, the log
 * makes them additive and near-symmetric), back-transformed. Pure.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** The shared two-sided Student t quantile: P(T ≤ q) = p with `df` degrees of freedom. */
export function studentT(p: number, df: number): number {
  if (!(df > 0)) throw new Error(`Student t needs positive degrees of freedom, got ${df}`);
  return tQuantile(p, df);
}

/** Paired t-interval of the ratio B/A over repetitions. */
export interface PairedRatio {
  /** Paired repetitions used (both values positive and finite). */
  readonly n: number;
  /** Mean and sample SD of ln(B_r / A_r). sd is null with one repetition. */
  readonly meanLog: number;
  readonly sdLog: number | null;
  /** exp(meanLog): the geometric mean of the per-repetition ratios. */
  readonly ratio: number;
  /** Interval of the ratio; null with fewer than 2 repetitions (no spread to judge). */
  readonly ratioLow: number | null;
  readonly ratioHigh: number | null;
  readonly confidence: number;
}

/** ln(B_r / A_r) of each pair whose both values are positive and finite. */
export function logRatios(pairs: ReadonlyArray<readonly [a: number, b: number]>): number[] {
  return pairs.filter(([a, b]) => a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b)).map(([a, b]) => Math.log(b / a));
}

/** The paired interval from per-repetition log ratios; null when there are none. */
export function pairedRatio(logs: readonly number[], confidence = 0.95): PairedRatio | null {
  if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be in (0, 1), got ${confidence}`);
  const n = logs.length;
  if (n === 0) return null;
  const meanLog = logs.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { n, meanLog, sdLog: null, ratio: Math.exp(meanLog), ratioLow: null, ratioHigh: null, confidence };
  const sdLog = Math.sqrt(logs.reduce((s, v) => s + (v - meanLog) ** 2, 0) / (n - 1));
  const half = studentT(1 - (1 - confidence) / 2, n - 1) * (sdLog / Math.sqrt(n));
  return { n, meanLog, sdLog, ratio: Math.exp(meanLog), ratioLow: Math.exp(meanLog - half), ratioHigh: Math.exp(meanLog + half), confidence };
}

/**
 * Repetitions that would decide a comparison whose log-ratio mean sits `distance` (log units) from
 * the target's boundary, if the mean and SD stayed as observed: the smallest n ≥ 2 whose t
 * half-width t(n−1)·sd/√n is below that distance. null when it cannot be estimated (no SD, the
 * mean on the boundary) or would exceed `max`.
 */
export function repetitionsToDecide(sdLog: number | null, distance: number, confidence = 0.95, max = 1000): number | null {
  if (sdLog === null || !Number.isFinite(sdLog) || !(Math.abs(distance) > 0)) return null;
  if (sdLog === 0) return 2;
  const p = 1 - (1 - confidence) / 2;
  for (let n = 2; n <= max; n++) if (studentT(p, n - 1) * (sdLog / Math.sqrt(n)) < Math.abs(distance)) return n;
  return null;
}
