import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { workloadImprovement } from '../../bench/analysis/workload-cost.ts';
import { averageImprovement, READ_MIX, workloadCheck } from '../../bench/validate/comparison-run.ts';
import type { RunResult } from '../../bench/formats/run-result.ts';

/** A result with per-repetition timelines and pooled per-variant stats: mean latency of type q in repetition r = base[q] × factor(variant, q) × drift[r]. */
function result(factor: (variant: string, q: string) => number, drift: readonly number[], base: Readonly<Record<string, number>> = {}): RunResult {
  const types = Object.keys(READ_MIX);
  const timelines: unknown[] = [];
  const variants: unknown[] = [];
  for (const variant of ['A', 'B']) {
    const byQueryType: Record<string, unknown> = {};
    for (const q of types) {
      const means = drift.map((d) => (base[q] ?? 1000) * factor(variant, q) * d);
      means.forEach((mean, i) => timelines.push({ key: { variant, repetition: i + 1, queryType: q }, totals: { ops: 100, latency: { mean } } }));
      byQueryType[q] = { ops: 100 * drift.length, latency: { mean: means.reduce((a, b) => a + b, 0) / means.length } };
    }
    variants.push({ variant, byQueryType });
  }
  return { results: { timelines, variants } } as unknown as RunResult;
}

test('two types 200× faster at 7% of the mix, six unchanged: the equal-weight mean passes "> 70%", the workload cost does not', () => {
  const fast = new Set(['Q5', 'Q7']); // 5 + 2 of the standard mix's 100 operations
  const r = result((v, q) => (v === 'B' && fast.has(q) ? 1 / 200 : 1), [1, 1.3, 0.8]);
  const old = averageImprovement(r, 'A', 'B')!;
  assert.ok(old > 0.7, `equal-weight geometric mean ${old}`);
  const w = workloadImprovement(r, 'A', 'B', READ_MIX);
  // Read mix: 95 operations, 7 of them 200× faster → cost ratio (88 + 7/200) / 95.
  assert.ok(Math.abs(w.estimate! - (1 - (88 + 7 / 200) / 95)) < 1e-12, `${w.estimate}`);
  const c = workloadCheck('Query Improvement', 'query_improvement_pct > 70%', w);
  assert.is(c.outcome, 'fail');
  assert.is(c.pass, false);
  const q5 = w.perType.find((t) => t.queryType === 'Q5')!;
  assert.ok(Math.abs(q5.share - 5 / 95) < 1e-12 && Math.abs(q5.change! - (1 / 200 - 1)) < 1e-12);
});

test('costs are weighted by the mix: a common type dominates, drift shared by A and B cancels in the pair', () => {
  // Q1 (20 of 95) twice as slow; everything else unchanged; repetitions drift by 50%.
  const r = result((v, q) => (v === 'B' && q === 'Q1' ? 2 : 1), [1, 1.5, 0.5]);
  const w = workloadImprovement(r, 'A', 'B', READ_MIX);
  assert.ok(Math.abs(w.estimate! - (1 - 115 / 95)) < 1e-12);
  assert.ok(Math.abs(w.interval!.low - w.estimate!) < 1e-12 && Math.abs(w.interval!.high - w.estimate!) < 1e-12, 'same ratio every repetition: zero width');
  assert.is(w.interval!.n, 3);
});

test('a noisy improvement near the target is inconclusive, with repetitions to decide', () => {
  // B/A per repetition 0.28, 0.32, 0.30 → improvement ≈ 70%, interval straddles 70%.
  const ratios = [0.28, 0.32, 0.3];
  const r = result(() => 1, [1, 1, 1]);
  for (const t of r.results.timelines) if (t.key.variant === 'B') (t.totals.latency as { mean: number }).mean *= ratios[(t.key.repetition ?? 1) - 1]!;
  const w = workloadImprovement(r, 'A', 'B', READ_MIX);
  const c = workloadCheck('Query Improvement', 'query_improvement_pct > 70%', w);
  assert.is(c.outcome, 'inconclusive');
  assert.is(c.pass, null);
  assert.ok(c.interval!.low < 0.7 && c.interval!.high > 0.7);
  assert.ok(c.repetitionsToDecide === null || c.repetitionsToDecide! > 3, `${c.repetitionsToDecide}`);
  assert.match(c.note!, /straddles/);
});

test('one repetition: an estimate without an interval is inconclusive, never a pass', () => {
  const r = result((v) => (v === 'B' ? 0.1 : 1), [1]);
  const c = workloadCheck('Query Improvement', 'query_improvement_pct > 70%', workloadImprovement(r, 'A', 'B', READ_MIX));
  assert.is(c.outcome, 'inconclusive');
  assert.match(c.note!, /one repetition/);
});

test('a weighted type that completed nothing in a repetition leaves that repetition out, said in a note', () => {
  const r = result(() => 1, [1, 1, 1]);
  const t = r.results.timelines.find((x) => x.key.variant === 'B' && x.key.repetition === 2 && x.key.queryType === 'Q2')!;
  (t.totals as { ops: number }).ops = 0;
  const w = workloadImprovement(r, 'A', 'B', READ_MIX);
  assert.equal(w.skippedRepetitions, [2]);
  assert.is(w.paired!.n, 2);
  assert.match(workloadCheck('x', 'query_improvement_pct > 70%', w).note!, /repetitions 2 left out/);
});

test('weights must have a positive sum', () => assert.throws(() => workloadImprovement(result(() => 1, [1]), 'A', 'B', { Q1: 0 }), /positive sum/));

test.run();
