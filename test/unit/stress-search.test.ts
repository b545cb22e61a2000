import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextStep, roundRate, tallies, type Observation, type SearchLimits, type SearchNext } from '../../bench/stress/search.ts';
import type { StepOutcome } from '../../bench/stress/step-judgement.ts';

const limits: SearchLimits = { startRate: 50, maxRate: 20000, growth: 2, tolerance: 0.1, repetitions: 3, floorRate: 50 / 16, maxSteps: 40 };

/** Drives the search against a simulated variant; returns the probes and the final answer. */
function simulate(outcomeAt: (rate: number, nth: number) => StepOutcome, l: SearchLimits = limits): { probes: string[]; done: SearchNext } {
  const obs: Observation[] = [];
  const probes: string[] = [];
  for (;;) {
    const next = nextStep(obs, l);
    if (next.kind === 'done') return { probes, done: next };
    const nth = obs.filter((o) => o.rate === next.rate).length;
    const outcome = outcomeAt(next.rate, nth);
    probes.push(`${next.phase} ${next.rate} ${outcome}`);
    obs.push({ rate: next.rate, outcome });
  }
}

/** A variant whose p99 crosses the SLO at exactly 300 ops/s. */
const kneeAt300 = (rate: number): StepOutcome => (rate < 300 ? 'pass' : 'fail');

test('roundRate keeps 3 significant digits, without float tails', () => {
  assert.equal(roundRate(282.842712), 283);
  assert.equal(roundRate(84.1000001), 84.1);
  assert.equal(roundRate(3.125), 3.13);
  assert.equal(roundRate(14142.1), 14100);
});

test('a knee at 300 ops/s: ramp, bisection, confirmation, capacity in [283, 308)', () => {
  const { probes, done } = simulate(kneeAt300);
  assert.equal(probes, [
    'ramp 50 pass', 'ramp 100 pass', 'ramp 200 pass', 'ramp 400 fail',
    'bisect 283 pass', 'bisect 336 fail', 'bisect 308 fail',
    'confirm 283 pass', 'confirm 283 pass', 'confirm 308 fail', 'confirm 308 fail',
  ]);
  assert.equal(done, { kind: 'done', result: { kind: 'capacity', low: 283, high: 308, estimate: Math.sqrt(283 * 308) } });
});

test('the interval contains the true knee for knees across two decades', () => {
  for (const knee of [7, 61, 300, 999, 4321]) {
    const { done } = simulate((r) => (r < knee ? 'pass' : 'fail'));
    assert.ok(done.kind === 'done' && done.result.kind === 'capacity', `knee ${knee}`);
    if (done.kind === 'done' && done.result.kind === 'capacity') {
      assert.ok(done.result.low < knee && knee <= done.result.high, `knee ${knee} in [${done.result.low}, ${done.result.high})`);
      assert.ok(done.result.high / done.result.low - 1 <= 0.1 + 0.01, `bracket ${done.result.low}..${done.result.high} within ~10%`);
    }
  }
});

test('a confirmation that fails once at the lower end widens the interval down to a rate that always passed', () => {
  const { done } = simulate((r, nth) => (r === 283 && nth === 2 ? 'fail' : kneeAt300(r)));
  assert.equal(done, { kind: 'done', result: { kind: 'capacity', low: 200, high: 308, estimate: Math.sqrt(200 * 308) } });
});

test('a max-rate below the knee: not reached, ≥ max-rate, after repeating max-rate', () => {
  const { probes, done } = simulate(kneeAt300, { ...limits, maxRate: 150 });
  assert.equal(probes, ['ramp 50 pass', 'ramp 100 pass', 'ramp 150 pass', 'confirm 150 pass', 'confirm 150 pass']);
  assert.equal(done, { kind: 'done', result: { kind: 'not-reached', low: 150 } });
});

test('a harness-bound step ends the search without a capacity', () => {
  const { probes, done } = simulate((r) => (r >= 400 ? 'harness-bound' : 'pass'));
  assert.equal(probes.at(-1), 'ramp 400 harness-bound');
  assert.equal(done, { kind: 'done', result: { kind: 'harness-bound', low: 200, atRate: 400 } });
});

test('even the floor fails: below-floor, capacity < floor', () => {
  const { probes, done } = simulate(() => 'fail');
  assert.equal(probes, ['ramp 50 fail', 'ramp 25 fail', 'ramp 12.5 fail', 'ramp 6.25 fail', 'ramp 3.13 fail']);
  assert.equal(done, { kind: 'done', result: { kind: 'below-floor', high: 3.13 } });
});

test('a knee below the start rate is found by ramping down', () => {
  const { done } = simulate((r) => (r < 20 ? 'pass' : 'fail'));
  assert.ok(done.kind === 'done' && done.result.kind === 'capacity' && done.result.low < 20 && done.result.high >= 20);
});

test('the step budget stops a search that cannot close', () => {
  const { done } = simulate((_r, nth) => (nth % 2 === 0 ? 'pass' : 'fail'), { ...limits, maxSteps: 12 });
  assert.equal(done.kind === 'done' ? done.result.kind : '', 'unfinished');
});

/** Seeded uniform [0, 1) (mulberry32), so the simulations below are reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A noisy knee: a step at `rate` passes with probability 1 / (1 + (rate/knee)^(1/s)) — ½ at the
 * knee, 0.88 at 10% below it and 0.12 at 10% above it for s = 0.05, so outcomes flip across a
 * whole tolerance bracket. Knees log-uniform over 20…5,000 ops/s; the start rate anywhere from 0.3
 * to 1.1 × the knee (a quarter of a closed-loop throughput lands there).
 */
function noisyKneeRuns(s: number, seeds: number, maxSteps: number): { covered: number; capacities: number; longest: number } {
  let covered = 0;
  let capacities = 0;
  let longest = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const random = seeded(seed);
    const knee = 20 * 250 ** random();
    const l = { ...limits, startRate: knee * (0.3 + 0.8 * random()), maxSteps };
    const { probes, done } = simulate((rate) => (random() < 1 / (1 + (rate / knee) ** (1 / s)) ? 'pass' : 'fail'), l);
    longest = Math.max(longest, probes.length);
    if (done.kind === 'done' && done.result.kind === 'capacity') {
      capacities++;
      if (done.result.low <= knee && knee <= done.result.high) covered++;
    }
  }
  return { covered, capacities, longest };
}

test('a noisy knee (seeded): the interval covers the true knee in ≥ 90% of 500 searches, each within its 24-step budget', () => {
  const { covered, capacities, longest } = noisyKneeRuns(0.05, 500, 24);
  assert.ok(longest <= 24, `longest search ${longest} steps`);
  assert.ok(capacities >= 495, `${capacities} of 500 searches ended with a capacity`);
  assert.ok(covered >= 0.9 * 500, `covered in ${covered} of 500`);
});

test('a pass above a fail does not reopen the search: pooled, the bracket stays, the mixed rate lies inside', () => {
  // Ramp 50…400; 400 fails; 283 passes; 336 fails; 308 passes once then fails twice.
  const seen = new Map<number, number>();
  const { done } = simulate((r) => {
    const nth = seen.get(r) ?? 0;
    seen.set(r, nth + 1);
    if (r === 308) return nth === 0 ? 'pass' : 'fail';
    return kneeAt300(r);
  });
  assert.equal(done, { kind: 'done', result: { kind: 'capacity', low: 283, high: 336, estimate: Math.sqrt(283 * 336) } });
});

test.run();
