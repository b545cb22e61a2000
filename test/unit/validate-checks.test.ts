import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LatencySummary } from '../../bench/metrics/histogram.ts';
import type { RpcLoadResult } from '../../bench/rpc/load.ts';
import { allTargetsHold, booleanCheck, formatChecks, infoCheck, notMeasurable, targetCheck } from '../../bench/validate/checks.ts';

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

test('allTargetsHold: informational and not-measurable lines do not count, failed and unmeasured targets do', () => {
  const ok = targetCheck('a', 'p99 < 1s', 10);
  const info = infoCheck('Cache', '70% → 90%');
  const simd = notMeasurable('SIMD vectorization', '+76% capability', 'no vectorized executor');
  assert.is(allTargetsHold([ok, info, simd, booleanCheck('Rollback', true, 'ok')]), true);
  assert.is(allTargetsHold([ok, booleanCheck('Rollback', false, 'verify failed')]), false);
  assert.is(allTargetsHold([ok, targetCheck('b', 'p99 < 1s', null)]), false);
});

test('the table shows target, achieved and a mark per line, and the reasons below', () => {
  const text = formatChecks('OPT2', [targetCheck('Storage Reduction', 'storage_reduction > 35%', 0.2), notMeasurable('SIMD', '+76%', 'PostgreSQL has no vectorized executor')]);
  assert.match(text, /\| Storage Reduction \| storage_reduction > 35% \| 20%\s+\| ✗\s+\|/);
  assert.match(text, /\| SIMD\s+\| \+76%\s+\| not measurable \| n\/a \|/);
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
