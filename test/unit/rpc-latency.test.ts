import { test } from 'uvu';
import * as assert from 'uvu/assert';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { intervalOutcomeCheck, workloadImprovement } from '../../bench/validate/rpc-latency.ts';
import { cacheHitCheck } from '../../bench/validate/cache-hit.ts';
import { smallBuffersKb } from '../../bench/validate/small-buffers.ts';
import type { RunResult } from '../../bench/result-file/result-file.ts';

/** result.results.repetitions rows: mean latency (µs) per variant, repetition and type. */
function runOf(rows: Array<[string, number, string, number]>): Pick<RunResult, 'results'> {
  return { results: { variants: [], timelines: [], repetitions: rows.map(([variant, repetition, queryType, mean]) => ({ variant, repetition, queryType, mean, p50: mean, p95: mean, p99: mean, throughput: 1 })) } } as unknown as Pick<RunResult, 'results'>;
}

test('workloadImprovement: weighted cost per repetition, paired log ratios, Student-t interval', () => {
  // Repetition 1: base cost 0.5·1000 + 0.5·3000 = 2000, optimized 0.5·500 + 0.5·1500 = 1000 → ratio 0.5.
  // Repetition 2: base 0.5·1000 + 0.5·1000 = 1000, optimized 0.5·250 + 0.5·250 = 250 → ratio 0.25.
  const run = runOf([
    ['b', 1, 'A', 1000], ['b', 1, 'B', 3000], ['o', 1, 'A', 500], ['o', 1, 'B', 1500],
    ['b', 2, 'A', 1000], ['b', 2, 'B', 1000], ['o', 2, 'A', 250], ['o', 2, 'B', 250],
    ['b', 1, 'W1', 9e9], ['o', 1, 'W1', 1],
  ]);
  const w = workloadImprovement(run, 'b', 'o', { A: 1, B: 1 });
  const logs = [Math.log(0.5), Math.log(0.25)];
  const mean = (logs[0]! + logs[1]!) / 2;
  const sd = Math.abs(logs[0]! - logs[1]!) / Math.SQRT2;
  const half = tQuantile(0.975, 1) * sd / Math.SQRT2;
  assert.is(w.repetitions, 2);
  assert.ok(Math.abs(w.estimate! - (1 - Math.exp(mean))) < 1e-12, String(w.estimate));
  assert.ok(Math.abs(w.interval!.low - (1 - Math.exp(mean + half))) < 1e-12);
  assert.ok(Math.abs(w.interval!.high - (1 - Math.exp(mean - half))) < 1e-12);
  assert.equal(w.perType.A, { share: 0.5, baselineUs: 1000, optimizedUs: 375, change: -0.625 });
  // Weights pick the types: A alone has ratios 0.5 and 0.5 / 4 → geometric mean √0.125.
  const onA = workloadImprovement(run, 'b', 'o', { A: 1 });
  assert.ok(Math.abs(onA.estimate! - (1 - Math.sqrt(0.5 * 0.25))) < 1e-12, String(onA.estimate));
});

test('workloadImprovement: a type missing in a repetition → no estimate, with the reason; one repetition → no interval', () => {
  const missing = workloadImprovement(runOf([['b', 1, 'A', 1000], ['o', 1, 'B', 10]]), 'b', 'o', { A: 1 });
  assert.is(missing.estimate, null);
  assert.is(missing.missing, 'A not measured in repetition 1 of o');
  const one = workloadImprovement(runOf([['b', 1, 'A', 1000], ['o', 1, 'A', 50]]), 'b', 'o', { A: 1 });
  assert.ok(Math.abs(one.estimate! - 0.95) < 1e-12);
  assert.is(one.interval, null);
});

test('intervalOutcomeCheck: ✓ only when the whole interval clears, ✗ when none does, else inconclusive', () => {
  const w = (estimate: number, low: number, high: number) => ({ estimate, interval: { low, high }, perType: {}, repetitions: 3 });
  const pass = intervalOutcomeCheck('m', 'query_improvement_pct > 90%', w(0.95, 0.92, 0.97), null);
  assert.equal([pass.pass, pass.achieved], [true, '95% [92%, 97%]']);
  const fail = intervalOutcomeCheck('m', 'query_improvement_pct > 90%', w(0.5, 0.3, 0.7), null);
  assert.equal([fail.pass, fail.achieved], [false, '50% [30%, 70%]']);
  const unsure = intervalOutcomeCheck('m', 'query_improvement_pct > 90%', w(0.93, 0.85, 0.96), null);
  assert.equal([unsure.pass, unsure.achieved], [null, '93% [85%, 96%] — inconclusive']);
  const single = intervalOutcomeCheck('m', 'query_improvement_pct > 90%', { estimate: 0.99, interval: null, perType: {}, repetitions: 1 }, null);
  assert.equal([single.pass, single.achieved], [null, '99% (no interval: 1 repetition) — inconclusive']);
});

test('cacheHitCheck: not discriminating when shared_buffers holds the baseline\'s working set; judged otherwise', () => {
  const seg = (variant: string, blksHit: number, blksRead: number) => ({ variant, evidence: { database: { blksHit, blksRead } } });
  const run = { segments: [seg('b', 80, 20), seg('o', 95, 5)] } as unknown as Pick<RunResult, 'segments'>;
  const big = cacheHitCheck('Cache', 'cache_hit_share > 85%', run, 'b', 'o', { sharedBuffersBytes: 512 * 2 ** 20, workingSetBytes: { b: 300 * 2 ** 20, o: 310 * 2 ** 20 } });
  assert.equal([big.pass, big.achieved], [null, '80.0% → 95.0% (not discriminating)']);
  assert.match(big.note!, /shared_buffers 512 MB holds the baseline's whole working set \(b 300 MB, o 310 MB\)/);
  const small = cacheHitCheck('Cache', 'cache_hit_share > 85%', run, 'b', 'o', { sharedBuffersBytes: 128 * 2 ** 20, workingSetBytes: { b: 300 * 2 ** 20, o: 310 * 2 ** 20 } });
  assert.equal([small.pass, small.achieved, small.value], [true, '80.0% → 95.0%', 0.95]);
  const info = cacheHitCheck('Cache', null, run, 'b', 'o', { sharedBuffersBytes: 128 * 2 ** 20, workingSetBytes: { b: 300 * 2 ** 20 } });
  assert.equal([info.pass, info.target, info.achieved], [null, null, '80.0% → 95.0%']);
});

test('smallBuffersKb: a quarter of the working set, never below 4 MB', () => {
  assert.is(smallBuffersKb(400 * 2 ** 20), 100 * 1024);
  assert.is(smallBuffersKb(41 * 2 ** 20), Math.floor((41 * 2 ** 20) / 4 / 1024));
  assert.is(smallBuffersKb(2 ** 20), 4096);
});

test.run();
