/**
 * The capacity search of one variant, as a pure function of the steps observed so far: which rate
 * to offer next, or the result. Being stateless it is replayable and unit-tested with exact values.
 *
 * 1. Ramp: start rate × growth per step (capped at max-rate) until a step fails.
 * 2. Bisect the bracket (highest passing rate, lowest failing rate) at its geometric midpoint until
 *    high/low − 1 ≤ tolerance. A rate observed several times counts by majority (a tie fails).
 * 3. Confirm: repeat both ends of the bracket until each has `repetitions` observations; a flipped
 *    end reopens the search. Then the capacity interval is [highest rate whose every step passed,
 *    lowest rate above it whose every step failed]: mixed rates (noise at the knee) lie inside it.
 */
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
    /** Safety stop: at most this many steps per variant. */
  readonly maxSteps: number;
}

/** Lowest rate the search tries when even the start rate fails. */
export const floorRateOf = (l: Pick<SearchLimits, 'startRate' | 'growth'>): number => l.startRate / l.growth ** 4;

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

interface Tally {
  readonly rate: number;
  readonly passes: number;
  readonly fails: number;
}

/** Observations per distinct rate, ascending. Harness-bound steps are handled before this. */
export function tallies(observations: readonly Observation[]): Tally[] {
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

/** The bracket by majority: lowest majority-failing rate, highest majority-passing rate below it. */
function bracket(ts: readonly Tally[]): { lo: Tally | undefined; hi: Tally | undefined } {
  const hi = ts.find((t) => t.fails >= t.passes);
  const below = ts.filter((t) => t.passes > t.fails && (hi === undefined || t.rate < hi.rate));
  return { lo: below[below.length - 1], hi };
}

/** The capacity interval once the search has closed (see the module comment). */
export function capacityInterval(ts: readonly Tally[], hiRate: number): { low: number; high: number } {
  const allFail = ts.filter((t) => t.passes === 0 && t.rate <= hiRate);
  const upper = allFail.length > 0 ? allFail[0]!.rate : hiRate;
  const allPass = ts.filter((t) => t.fails === 0 && t.rate < upper);
  return { low: allPass.length > 0 ? allPass[allPass.length - 1]!.rate : 0, high: upper };
}

export function nextStep(observations: readonly Observation[], l: SearchLimits): SearchNext {
  const harness = observations.filter((o) => o.outcome === 'harness-bound').map((o) => o.rate);
  const clean = observations.filter((o) => o.outcome !== 'harness-bound');
  const ts = tallies(clean);
  const { lo, hi } = bracket(ts);
  if (harness.length > 0) {
    const atRate = Math.min(...harness);
    const passed = ts.filter((t) => t.fails === 0 && t.rate < atRate);
    return { kind: 'done', result: { kind: 'harness-bound', low: passed.length ? passed[passed.length - 1]!.rate : 0, atRate } };
  }
  const count = (rate: number): number => clean.filter((o) => o.rate === rate).length;
  if (observations.length >= l.maxSteps) {
    return { kind: 'done', result: { kind: 'unfinished', low: lo?.rate ?? 0, high: hi?.rate ?? Number.POSITIVE_INFINITY } };
  }
  if (!hi) {
    if (!lo) return { kind: 'probe', rate: roundRate(Math.min(l.startRate, l.maxRate)), phase: 'ramp' };
    if (lo.rate < l.maxRate) return { kind: 'probe', rate: roundRate(Math.min(lo.rate * l.growth, l.maxRate)), phase: 'ramp' };
    if (count(lo.rate) < l.repetitions) return { kind: 'probe', rate: lo.rate, phase: 'confirm' };
    return { kind: 'done', result: { kind: 'not-reached', low: lo.rate } };
  }
  if (!lo) {
    const floor = floorRateOf(l);
    if (hi.rate <= roundRate(floor)) return { kind: 'done', result: { kind: 'below-floor', high: hi.rate } };
    return { kind: 'probe', rate: roundRate(Math.max(hi.rate / l.growth, floor)), phase: 'ramp' };
  }
  if (hi.rate / lo.rate - 1 > l.tolerance) {
    const mid = roundRate(Math.sqrt(lo.rate * hi.rate));
    // Rounding can land on an end of a narrow bracket: confirm instead of re-probing it.
    if (mid > lo.rate && mid < hi.rate) return { kind: 'probe', rate: mid, phase: 'bisect' };
  }
  if (count(lo.rate) < l.repetitions) return { kind: 'probe', rate: lo.rate, phase: 'confirm' };
  if (count(hi.rate) < l.repetitions) return { kind: 'probe', rate: hi.rate, phase: 'confirm' };
  const { low, high } = capacityInterval(ts, hi.rate);
  return { kind: 'done', result: { kind: 'capacity', low, high, estimate: low > 0 ? Math.sqrt(low * high) : high / 2 } };
}
