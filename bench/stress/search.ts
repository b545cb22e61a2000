/**
 * The capacity search of one variant, as a pure function of the steps observed so far: which rate
 * to offer next, or the result. Being stateless it is replayable and unit-tested with exact values.
 *
 * Every decision reads the monotone pass-probability fit of all steps so far (pass-model.ts), so a
 * rate observed several times counts by its pass share and noise at the knee is pooled, not voted.
 * 1. Ramp: start rate (a quarter of a measured closed-loop throughput, see probe.ts) × growth per
 *    step, capped at max-rate, until a step fails; below the start rate by ÷ growth if it fails.
 * 2. Bisect the fitted bracket (highest rate with p > ½, lowest with p ≤ ½) at its geometric
 *    midpoint until high/low − 1 ≤ tolerance. Each new rate is probed once.
 * 3. Confirm: repeat both ends of the bracket until each has `repetitions` steps. A flipped end moves
 *    the bracket to a neighbouring rate already observed (confirmed in turn); no re-bisection.
 * 4. The capacity interval: [highest rate that surely passes (fitted p ≥ 0.8), lowest rate that
 *    surely fails (p ≤ 0.2)); if either is missing, one more rate beyond the bracket is probed.
 */
import { fitPassProbability, noiseInterval, SURE_PASS, type FittedRate, type RateTally } from './pass-model.ts';
import type { StepOutcome } from './step-judgement.ts';

export interface Observation {
  readonly rate: number;
  readonly outcome: StepOutcome;
}

export interface SearchLimits {
  readonly startRate: number;
  readonly maxRate: number;
  readonly growth: number;
  readonly tolerance: number;
  readonly repetitions: number;
  /** Lowest rate the search tries when even the start rate fails. */
  readonly floorRate: number;
  /** Safety stop: at most this many steps per variant. */
  readonly maxSteps: number;
}

export type SearchResult =
  /** The knee lies in [low, high) ops/s. */
  | { readonly kind: 'capacity'; readonly low: number; readonly high: number; readonly estimate: number }
  /** Every step up to max-rate passed: capacity ≥ max-rate. */
  | { readonly kind: 'not-reached'; readonly low: number }
  /** The generator could not keep up at `atRate`; capacity is only known to be ≥ low. */
  | { readonly kind: 'harness-bound'; readonly low: number; readonly atRate: number }
  /** Even the floor rate failed: capacity < high. */
  | { readonly kind: 'below-floor'; readonly high: number }
  /** The step budget ran out before the bracket closed. */
  | { readonly kind: 'unfinished'; readonly low: number; readonly high: number };

export type SearchNext = { readonly kind: 'probe'; readonly rate: number; readonly phase: 'ramp' | 'bisect' | 'confirm' } | { readonly kind: 'done'; readonly result: SearchResult };


/** Steps per distinct rate, ascending. Harness-bound steps are handled before this. */
export function tallies(observations: readonly Observation[]): RateTally[] {
  const map = new Map<number, { passes: number; fails: number }>();
  for (const o of observations) {
    const t = map.get(o.rate) ?? { passes: 0, fails: 0 };
    if (o.outcome === 'pass') t.passes++;
    else t.fails++;
    map.set(o.rate, t);
  }
  return [...map.entries()].sort((a, b) => a[0] - b[0]).map(([rate, t]) => ({ rate, ...t }));
}

/** Rates are offered with at most 3 significant digits, so repeated probes hit the same rate. */
export function roundRate(rate: number): number {
  const magnitude = 10 ** (Math.floor(Math.log10(rate)) - 2);
  return Number((Math.round(rate / magnitude) * magnitude).toPrecision(3));
}

/** The fitted bracket: highest rate with pass probability > ½, lowest rate with ≤ ½ (a tie fails). */
function bracket(fit: readonly FittedRate[]): { lo: FittedRate | undefined; hi: FittedRate | undefined } {
  const hi = fit.find((f) => f.p <= 0.5);
  return { lo: fit.filter((f) => f.p > 0.5).at(-1), hi };
}

const probe = (rate: number, phase: 'ramp' | 'bisect' | 'confirm'): SearchNext => ({ kind: 'probe', rate, phase });
const done = (result: SearchResult): SearchNext => ({ kind: 'done', result });

export function nextStep(observations: readonly Observation[], l: SearchLimits): SearchNext {
  const harness = observations.filter((o) => o.outcome === 'harness-bound').map((o) => o.rate);
  const clean = observations.filter((o) => o.outcome !== 'harness-bound');
  const fit = fitPassProbability(tallies(clean));
  if (harness.length > 0) {
    const atRate = Math.min(...harness);
    const passed = fit.filter((f) => f.p >= SURE_PASS && f.rate < atRate);
    return done({ kind: 'harness-bound', low: passed.at(-1)?.rate ?? 0, atRate });
  }
  const { lo, hi } = bracket(fit);
  const sure = noiseInterval(fit);
  if (observations.length >= l.maxSteps) {
    return done({ kind: 'unfinished', low: sure.low ?? lo?.rate ?? 0, high: sure.high ?? hi?.rate ?? Number.POSITIVE_INFINITY });
  }
  const count = (f: RateTally): number => f.passes + f.fails;
  const floor = roundRate(l.floorRate);
  if (!hi) {
    if (!lo) return probe(roundRate(Math.min(l.startRate, l.maxRate)), 'ramp');
    if (lo.rate < l.maxRate) return probe(roundRate(Math.min(lo.rate * l.growth, l.maxRate)), 'ramp');
    if (count(lo) < l.repetitions) return probe(lo.rate, 'confirm');
    return done({ kind: 'not-reached', low: lo.rate });
  }
  if (!lo) {
    if (hi.rate <= floor) return done({ kind: 'below-floor', high: hi.rate });
    return probe(roundRate(Math.max(fit[0]!.rate / l.growth, floor)), 'ramp');
  }
  if (hi.rate / lo.rate - 1 > l.tolerance) {
    const mid = roundRate(Math.sqrt(lo.rate * hi.rate));
    // Rounding can land on an end of a narrow bracket: confirm instead of re-probing it.
    if (mid > lo.rate && mid < hi.rate) return probe(mid, 'bisect');
  }
  if (count(lo) < l.repetitions) return probe(lo.rate, 'confirm');
  if (count(hi) < l.repetitions) return probe(hi.rate, 'confirm');
  // Both ends confirmed; the interval needs a sure pass below and a sure fail above.
  if (sure.low === undefined) {
    const lowest = fit[0]!.rate;
    if (lowest <= floor) return done({ kind: 'capacity', low: 0, high: sure.high ?? hi.rate, estimate: (sure.high ?? hi.rate) / 2 });
    return probe(roundRate(Math.max(lowest / l.growth, floor)), 'ramp');
  }
  if (sure.high === undefined) {
    const highest = fit.at(-1)!.rate;
    if (highest >= l.maxRate) return done({ kind: 'unfinished', low: sure.low, high: Number.POSITIVE_INFINITY });
    return probe(roundRate(Math.min(highest * l.growth, l.maxRate)), 'ramp');
  }
  return done({ kind: 'capacity', low: sure.low, high: sure.high, estimate: Math.sqrt(sure.low * sure.high) });
}
