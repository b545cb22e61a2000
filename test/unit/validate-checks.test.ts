import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LatencySummary } from '../../bench/metrics/histogram.ts';
import type { RpcLoadResult } from '../../bench/rpc/load.ts';
import { allTargetsHold, booleanCheck, checksVerdict, formatChecks, infoCheck, intervalCheck, notMeasurable, targetCheck } from '../../bench/validate/checks.ts';
import { formatBesideTarget, parseKpiTarget } from '../../bench/analysis/kpi.ts';
import type { TargetSpec } from '../../bench/validate/targets.ts';

const optionalClaim: TargetSpec = { key: 'opt2.simd', target: '+76% capability', isClaim: true, required: false, roadmap: null };
const iv = (low: number, high: number) => ({ low, high, confidence: 0.95, method: 'paired t', n: 3 });

test('target checks judge measured values with the KPI grammar; unmeasured is not a pass', () => {
  const storage = targetCheck('Storage Reduction', 'storage_reduction > 35%', 0.412);
  assert.is(storage.pass, true);
  assert.is(storage.achieved, '41.2%');
  const latency = targetCheck('Query Latency', 'p99 < 500ms', 612_000);
  assert.is(latency.pass, false);
  assert.is(latency.achieved, '612ms');
  const missing = targetCheck('Downtime', 'downtime_time < 10min', null);
  assert.is(missing.pass, null);
  assert.is(missing.achieved, 'not measured');
});

test('allTargetsHold: informational and optional not-measurable lines do not count; failed, unmeasured and required not-measurable ones do', () => {
  const ok = targetCheck('a', 'p99 < 1s', 10);
  const info = infoCheck('Cache', '70% → 90%');
  const simd = notMeasurable('SIMD vectorization', optionalClaim, 'no vectorized executor');
  assert.is(simd.required, false);
  assert.is(allTargetsHold([ok, info, simd, booleanCheck('Rollback', true, 'ok')]), true);
  assert.is(allTargetsHold([ok, booleanCheck('Rollback', false, 'verify failed')]), false);
  assert.is(allTargetsHold([ok, targetCheck('b', 'p99 < 1s', null)]), false);
  const restart = notMeasurable('Restart survival', 'restart_survival_share >= 100%', 'external server');
  assert.equal(checksVerdict([ok, restart]), { verdict: 'no', reasons: ['Restart survival: required but not measured (external server)'] });
});

test('intervalCheck: ✓ only when the whole interval clears the target, ✗ when it misses it, else inconclusive', () => {
  const t = 'overhead_reduction >= 36.6%';
  const pass = intervalCheck('Overhead', t, 0.45, iv(0.38, 0.52));
  assert.equal([pass.outcome, pass.pass], ['pass', true]);
  assert.is(pass.achieved, '45% [38%, 52%]');
  const fail = intervalCheck('Overhead', t, -0.085, iv(-0.269, 0.147));
  assert.equal([fail.outcome, fail.pass], ['fail', false]);
  const open = intervalCheck('Overhead', t, 0.4, iv(0.3, 0.5), { repetitionsToDecide: 9 });
  assert.equal([open.outcome, open.pass, open.repetitionsToDecide], ['inconclusive', null, 9]);
  assert.match(open.note!, /about 9 repetitions/);
  assert.equal(checksVerdict([pass, open]).verdict, 'inconclusive');
  assert.is(allTargetsHold([pass, open]), false, 'inconclusive is not Production Ready');
  const one = intervalCheck('Overhead', t, 0.9, null);
  assert.is(one.outcome, 'inconclusive', 'a point estimate alone never passes');
  const none = intervalCheck('Overhead', t, null, null);
  assert.equal([none.outcome, none.achieved], ['not-measurable', 'not measured']);
});

// value, target → printed value: a failing value never prints equal to or beyond its threshold.
const display: Array<[number, string, string]> = [
  [0.36596, 'overhead_reduction >= 36.6%', '36.596%'],
  [0.366, 'overhead_reduction >= 36.6%', '36.6%'],
  [0.412, 'storage_reduction > 35%', '41.2%'],
  [0.34999999, 'storage_reduction > 35%', '34.999999%'],
  [0.7000004, 'query_improvement_pct > 70%', '70.00004%'],
  [499_999.5, 'p99 < 500ms', '499.9995ms'],
  [612_000, 'p99 < 500ms', '612ms'],
  [0.9990001, 'uptime_share >= 99.9%', '99.90001%'],
];
for (const [value, target, want] of display) {
  test(`display: ${value} beside "${target}" prints ${want}`, () => assert.is(formatBesideTarget(value, parseKpiTarget(target)), want));
}
test('display: the ✗ line of 0.36596 against ≥ 36.6% does not read 36.6%', () => {
  const c = targetCheck('Overhead', 'overhead_reduction >= 36.6%', 0.36596);
  assert.equal([c.pass, c.achieved], [false, '36.596%']);
});

test('the table shows target, achieved and a mark per line, and the reasons below', () => {
  const text = formatChecks('OPT2', [targetCheck('Storage Reduction', 'storage_reduction > 35%', 0.2), notMeasurable('SIMD', '+76%', 'PostgreSQL has no vectorized executor')]);
  assert.match(text, /\| Storage Reduction \| storage_reduction > 35% \| 20%\s+\| ✗\s+\|/);
  assert.match(text, /\| SIMD\s+\| \+76%\s+\| not measurable \| n\/a\s+\|/);
  assert.match(formatChecks('x', [intervalCheck('Overhead', 'overhead_reduction >= 36.6%', 0.4, iv(0.3, 0.5))]), /\| \? \|/, 'inconclusive has its own mark');
  assert.match(text, /SIMD: PostgreSQL has no vectorized executor/);
});

test('httpOverhead puts the HTTP load and the load engine\'s direct-SQL latencies side by side per function', async () => {
  const { httpOverhead } = await import('../../bench/validate/opt3.ts');
  const summary = (p50: number, p99: number): LatencySummary => ({ count: 1000, min: 1, max: p99, mean: p50, stddev: 1, p50, p90: p99, p95: p99, p99, p999: p99 }) as unknown as LatencySummary;
  const load = (rps: number, p50: number, p99: number): RpcLoadResult => ({ requests: rps * 10, non2xx: 0, errors: 0, timeouts: 0, durationSec: 10, rps, latency: summary(p50, p99), encoded: '', statusCodes: {}, errorSamples: [] }) as unknown as RpcLoadResult;
  const o = httpOverhead({ get_by_ids: load(900, 2000, 6000), layer_stats: load(100, 9000, 20000) }, { get_by_ids: summary(700, 1500) });
  assert.equal(Object.keys(o), ['get_by_ids'], 'a function measured one way only is left out');
  assert.is(o.get_by_ids!.addedP50Us, 1300);
  assert.is(o.get_by_ids!.text, 'HTTP p50 2.00 p99 6.00 ms (900 req/s) vs SQL p50 0.70 p99 1.50 ms (+1.30 ms p50)');
});

test.run();
