import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseKpiTarget } from '../../bench/analysis/kpi.ts';
import { capacityChange, capacityRange, describeResult } from '../../bench/stress/capacity.ts';
import { decideInterval } from '../../bench/stress/decide.ts';
import { judgeStep, type StepMeasurement } from '../../bench/stress/step-judgement.ts';
import { threadCpuShares } from '../../bench/stress/step-evidence.ts';
import { stepSecondsAt } from '../../bench/stress/step-run.ts';

const config = { sloP99Us: 250_000, sloPerTypeUs: { Q1: 50_000 }, errorLimit: 0.01, harnessCpuLimit: 0.9 };
const lat = (p99: number, count = 100) => ({ count, p50: p99 / 4, p99, max: p99 * 2 });
const step = (o: Partial<StepMeasurement> = {}): StepMeasurement => ({
  offeredRate: 100, measuredSec: 2, intended: 200, sent: 200, completed: 200, skipped: 0, late: 3, errors: 0, timeouts: 0,
  latency: lat(100_000, 200), byType: { Q1: lat(20_000, 40), Q2: lat(240_000, 10) }, clientCpu: { processCores: 0.2, busiestThreadShare: 0.1 }, ...o,
});

test('judgeStep: a step within every limit passes (late sends are counted, not failed)', () => {
  assert.equal(judgeStep(step(), config), { outcome: 'pass', reasons: [] });
});

test('judgeStep: p99 at the SLO fails (strictly under is required)', () => {
  assert.equal(judgeStep(step({ latency: lat(250_000, 200) }), config), { outcome: 'fail', reasons: ['p99 250.0 ms ≥ SLO 250.0 ms'] });
});

test('judgeStep: a per-type SLO fails its own type only', () => {
  assert.equal(judgeStep(step({ byType: { Q1: lat(50_001, 40), Q2: lat(240_000, 10) } }), config).reasons, ['Q1 p99 50.0 ms ≥ SLO 50.0 ms']);
});

test('judgeStep: errors over the limit, backlog over the limit', () => {
  assert.equal(judgeStep(step({ errors: 2, timeouts: 1 }), config).reasons, ['errors 1.50% > limit 1.00%']);
  assert.equal(judgeStep(step({ errors: 2 }), config).outcome, 'pass');
  // 100 ops/s × 250 ms SLO = 25 arrivals: a 26th unsent one has waited longer than the SLO.
  assert.equal(judgeStep(step({ intended: 200, sent: 174, skipped: 26 }), config).reasons, ['26 of 200 intended arrivals never sent (backlog > 25, one SLO period of arrivals)']);
  assert.equal(judgeStep(step({ intended: 200, sent: 175, skipped: 25 }), config).outcome, 'pass');
});

test('judgeStep: a failing step with a saturated generator thread is harness-bound; a passing one stays a pass', () => {
  const busy = { processCores: 1.1, busiestThreadShare: 0.95 };
  assert.equal(judgeStep(step({ latency: lat(300_000, 200), clientCpu: busy }), config), {
    outcome: 'harness-bound', reasons: ['p99 300.0 ms ≥ SLO 250.0 ms', 'generator thread at 95% of a core'],
  });
  assert.equal(judgeStep(step({ clientCpu: busy }), config).outcome, 'pass');
  assert.equal(judgeStep(step({ latency: lat(300_000, 200), clientCpu: null }), config).outcome, 'fail');
});

test('judgeStep: nothing completed is a fail', () => {
  assert.equal(judgeStep(step({ latency: { count: 0, p50: NaN, p99: NaN, max: NaN }, byType: {} }), config).reasons, ['no operation completed']);
});

test('decideInterval: pass only when the whole interval clears, fail when it all misses, else inconclusive', () => {
  assert.equal(decideInterval(0.1, 0.3, '>=', 0), 'pass');
  assert.equal(decideInterval(0, 0.3, '>=', 0), 'pass');
  assert.equal(decideInterval(0, 0.3, '>', 0), 'inconclusive');
  assert.equal(decideInterval(-0.2, 0.3, '>=', 0), 'inconclusive');
  assert.equal(decideInterval(-0.5, -0.2, '>=', 0), 'fail');
  assert.equal(decideInterval(-0.5, Infinity, '>=', 0), 'inconclusive');
  assert.equal(decideInterval(-0.5, -0.2, '<', -0.1), 'pass');
  assert.equal(decideInterval(NaN, 1, '>=', 0), 'inconclusive');
});

test('capacityChange: pairs the opposite ends of the two intervals', () => {
  const target = parseKpiTarget('capacity_change >= 0%');
  const base = { kind: 'capacity' as const, low: 400, high: 440, estimate: Math.sqrt(400 * 440) };
  const slow = { kind: 'capacity' as const, low: 100, high: 110, estimate: Math.sqrt(100 * 110) };
  const c = capacityChange('nogist', slow, 'baseline', base, target);
  assert.equal([c.low, c.high, c.decision], [100 / 440 - 1, 110 / 400 - 1, 'fail']);
  assert.equal(c.estimate, Math.sqrt(100 * 110) / Math.sqrt(400 * 440) - 1);
  const overlap = capacityChange('same', { kind: 'capacity', low: 380, high: 420, estimate: 399 }, 'baseline', base, target);
  assert.equal(overlap.decision, 'inconclusive');
  // A baseline that never reached its knee (capacity ≥ 500, open above): the change has no lower bound but −100%.
  const open = capacityChange('x', slow, 'baseline', { kind: 'not-reached', low: 500 }, target);
  assert.equal([open.low, open.high, open.decision], [-1, 110 / 500 - 1, 'fail']);
  const harness = capacityChange('y', { kind: 'harness-bound', low: 800, atRate: 1600 }, 'baseline', base, target);
  assert.equal([harness.low, harness.high, harness.decision], [800 / 440 - 1, Infinity, 'pass']);
});

test('capacityRange and describeResult', () => {
  assert.equal(capacityRange({ kind: 'below-floor', high: 3.13 }), { low: 0, high: 3.13 });
  assert.equal(describeResult({ kind: 'not-reached', low: 150 }), 'not reached: ≥ 150 ops/s (max-rate)');
  assert.equal(describeResult({ kind: 'capacity', low: 283, high: 308, estimate: 295.2 }), '295 ops/s (knee in [283, 308) ops/s)');
  assert.equal(describeResult({ kind: 'harness-bound', low: 200, atRate: 400 }), 'harness-bound at 400 ops/s (capacity ≥ 200 ops/s, not measured)');
});

test('threadCpuShares: busiest thread share of a core and process cores', () => {
  const before = new Map([[1, 100], [2, 50]]);
  const after = new Map([[1, 280], [2, 70], [3, 10]]);
  const s = threadCpuShares(before, after, 2, 100);
  assert.equal(s, { processCores: (180 + 20 + 10) / 100 / 2, busiestThreadShare: 180 / 100 / 2 });
});

test('stepSecondsAt: long enough for 200 expected arrivals, within [stepSeconds, maxStepSeconds]', () => {
  const c = { stepSeconds: 2, minStepOps: 200, maxStepSeconds: 30 };
  assert.equal([1000, 100, 30, 8.1, 3].map((r) => stepSecondsAt(r, c)), [2, 2, 6.7, 24.7, 30]);
});

test.run();
