import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { asMicros } from '../../bench/metrics/histogram.ts';
import {
  COMPARE_METRICS,
  compareVariants,
  quantileSorted,
  relativeChange,
  type RepetitionSummary,
} from '../../bench/analysis/compare.ts';

function row(variant: string, repetition: number, queryType: string, p50: number, p95: number, p99: number, mean: number, throughput: number): RepetitionSummary {
  return { variant, repetition, queryType, p50: asMicros(p50), p95: asMicros(p95), p99: asMicros(p99), mean: asMicros(mean), throughput };
}

// Q1: optimized halves latency and doubles throughput; Q2: optimized doubles latency and halves throughput.
const rows: RepetitionSummary[] = [
  row('baseline', 1, 'Q1', 1000, 2000, 4000, 1200, 100),
  row('baseline', 2, 'Q1', 1100, 2100, 4400, 1300, 90),
  row('baseline', 3, 'Q1', 900, 1900, 3600, 1100, 110),
  row('baseline', 1, 'Q2', 300, 600, 900, 350, 400),
  row('baseline', 2, 'Q2', 300, 600, 900, 350, 400),
  row('baseline', 3, 'Q2', 300, 600, 900, 350, 400),
  row('opt', 1, 'Q1', 500, 1000, 2000, 600, 200),
  row('opt', 2, 'Q1', 550, 1050, 2200, 650, 180),
  row('opt', 3, 'Q1', 450, 950, 1800, 550, 220),
  row('opt', 1, 'Q2', 600, 1200, 1800, 700, 200),
  row('opt', 2, 'Q2', 600, 1200, 1800, 700, 200),
  row('opt', 3, 'Q2', 600, 1200, 1800, 700, 200),
];
const opts = { baseline: 'baseline', optimized: 'opt', seed: 'geobench-1', pairing: 'independent' as const };
const paired = { baseline: 'baseline', optimized: 'opt', seed: 'geobench-1' };
const close = (a: number | null, b: number, eps = 1e-12) => a !== null && Math.abs(a - b) < eps;

const relativeCases: Array<[number, number, number | null]> = [
  [100, 50, -0.5],
  [100, 150, 0.5],
  [4000, 4000, 0],
  [0, 10, null],
  [Number.NaN, 10, null],
  [10, Number.NaN, null],
];
for (const [b, o, want] of relativeCases) {
  test(`relativeChange(${b}, ${o}) = ${want}`, () => {
    const got = relativeChange(b, o);
    if (want === null) assert.is(got, null);
    else assert.ok(close(got, want), `${got}`);
  });
}

const quantileCases: Array<[number[], number, number]> = [
  [[1, 2, 3, 4, 5], 0, 1],
  [[1, 2, 3, 4, 5], 0.5, 3],
  [[1, 2, 3, 4, 5], 1, 5],
  [[1, 2, 3, 4, 5], 0.025, 1.1],
  [[10, 20], 0.75, 17.5],
  [[7], 0.3, 7],
];
for (const [xs, q, want] of quantileCases) {
  test(`quantileSorted([${xs}], ${q}) = ${want}`, () => assert.ok(close(quantileSorted(xs, q), want)));
}

test('point estimates: relative change of repetition means, per query type', () => {
  const c = compareVariants(rows, opts);
  assert.equal(c.byQueryType.map((q) => q.queryType), ['Q1', 'Q2']);
  const table: Array<[string, string, number, number, number]> = [
    // query type, metric, baseline mean, optimized mean, change
    ['Q1', 'p50', 1000, 500, -0.5],
    ['Q1', 'p99', 4000, 2000, -0.5],
    ['Q1', 'mean', 1200, 600, -0.5],
    ['Q1', 'throughput', 100, 200, 1],
    ['Q2', 'p95', 600, 1200, 1],
    ['Q2', 'throughput', 400, 200, -0.5],
  ];
  for (const [q, metric, b, o, change] of table) {
    const m = c.byQueryType.find((x) => x.queryType === q)!.metrics[metric as 'p50'];
    assert.ok(close(m.baseline, b, 1e-9) && close(m.optimized, o, 1e-9), `${q} ${metric} means`);
    assert.ok(close(m.change, change), `${q} ${metric}: ${m.change}`);
  }
  assert.equal(c.byQueryType[0]!.repetitions, { baseline: 3, optimized: 3 });
});

test('overall is the geometric mean over query types: ×0.5 and ×2 cancel out', () => {
  const c = compareVariants(rows, opts);
  for (const metric of COMPARE_METRICS) {
    assert.ok(close(c.overall.metrics[metric].change, 0), `${metric}: ${c.overall.metrics[metric].change}`);
  }
  // Geometric mean of the per-query-type means: sqrt(1000 × 300).
  assert.ok(close(c.overall.metrics.p50.baseline, Math.sqrt(1000 * 300), 1e-9));
  assert.is(c.overall.queryType, 'overall');
});

test('bootstrap CI contains the point estimate and stays within the resampling extremes', () => {
  const c = compareVariants(rows, opts);
  for (const q of [...c.byQueryType, c.overall]) {
    for (const metric of COMPARE_METRICS) {
      const m = q.metrics[metric];
      assert.ok(m.ciAvailable, `${q.queryType} ${metric}`);
      assert.ok(m.ciLow! <= m.change! && m.change! <= m.ciHigh!, `${q.queryType} ${metric}: ${m.ciLow} ≤ ${m.change} ≤ ${m.ciHigh}`);
    }
  }
  // Q1 p50: resampled means lie in [900, 1100] and [450, 550] → change in [450/1100 − 1, 550/900 − 1].
  const p50 = c.byQueryType[0]!.metrics.p50;
  assert.ok(p50.ciLow! >= 450 / 1100 - 1 && p50.ciHigh! <= 550 / 900 - 1);
  assert.ok(p50.ciHigh! - p50.ciLow! > 0.01, 'non-degenerate interval');
  assert.is(p50.verdict, 'better');
  assert.is(c.byQueryType[0]!.metrics.throughput.verdict, 'better');
  assert.is(c.byQueryType[1]!.metrics.p99.verdict, 'worse');
});

test('bootstrap is deterministic for a seed and changes with the seed', () => {
  const a = compareVariants(rows, opts);
  assert.equal(compareVariants(rows, opts), a);
  assert.equal(compareVariants([...rows].reverse(), opts), a);
  // With 3 repetitions the bootstrap distribution is coarse; use 10 distinct ones to see the seed matter.
  const many = Array.from({ length: 10 }, (_, i) => [
    row('baseline', i, 'Q1', 1000 + 37 * ((i * 7) % 10), 1, 1, 1, 1),
    row('opt', i, 'Q1', 600 + 23 * ((i * 3) % 10), 1, 1, 1, 1),
  ]).flat();
  const x = compareVariants(many, opts).byQueryType[0]!.metrics.p50;
  const y = compareVariants(many, { ...opts, seed: 'another seed' }).byQueryType[0]!.metrics.p50;
  assert.equal(compareVariants(many, opts).byQueryType[0]!.metrics.p50, x);
  assert.is(y.change, x.change);
  assert.not.equal([y.ciLow, y.ciHigh], [x.ciLow, x.ciHigh]);
});

test('95 % interval width matches the delta-method normal approximation for 40 repetitions', () => {
  const rng = seedrandom.alea('normal');
  const normal = (mu: number, sigma: number) => mu + sigma * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const n = 40;
  const b = Array.from({ length: n }, () => normal(1000, 100));
  const o = Array.from({ length: n }, () => normal(800, 80));
  const data = b.flatMap((v, i) => [row('baseline', i, 'Q1', v, 1, 1, 1, 1), row('opt', i, 'Q1', o[i]!, 1, 1, 1, 1)]);
  const m = compareVariants(data, { ...opts, resamples: 4000 }).byQueryType[0]!.metrics.p50;
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  // Bootstrap variance uses the plug-in (÷n) variance.
  const variance = (xs: number[]) => xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / xs.length;
  const ratio = mean(o) / mean(b);
  const se = ratio * Math.sqrt(variance(b) / mean(b) ** 2 / n + variance(o) / mean(o) ** 2 / n);
  const width = m.ciHigh! - m.ciLow!;
  assert.ok(Math.abs(width / (2 * 1.96 * se) - 1) < 0.1, `width ${width} vs ${2 * 1.96 * se}`);
  assert.ok(close(m.change, ratio - 1));
});

test('zero spread across repetitions gives a zero-width interval at the point estimate', () => {
  const q2 = compareVariants(rows, opts).byQueryType[1]!.metrics.p50;
  assert.equal([q2.change, q2.ciLow, q2.ciHigh, q2.ciAvailable], [1, 1, 1, true]);
});

test('a single repetition: CI is the point estimate, flagged ciAvailable:false, verdict inconclusive', () => {
  const single = rows.filter((r) => r.repetition === 1 || r.variant === 'opt');
  const c = compareVariants(single, opts);
  const m = c.byQueryType[0]!.metrics.p50;
  assert.equal(c.byQueryType[0]!.repetitions, { baseline: 1, optimized: 3 });
  assert.ok(close(m.change, 500 / 1000 - 1));
  assert.equal([m.ciLow, m.ciHigh, m.ciAvailable, m.verdict], [m.change, m.change, false, 'inconclusive']);
  assert.is(c.overall.metrics.p99.ciAvailable, false);
});

test('the * aggregate row is compared on its own and excluded from the overall geometric mean', () => {
  const withAll = [...rows, ...[1, 2, 3].flatMap((rep) => [row('baseline', rep, '*', 800, 1, 1, 1, 500), row('opt', rep, '*', 400, 1, 1, 1, 400)])];
  const c = compareVariants(withAll, opts);
  assert.equal(c.byQueryType.map((q) => q.queryType), ['Q1', 'Q2', '*']);
  assert.ok(close(c.byQueryType[2]!.metrics.p50.change, -0.5));
  assert.ok(close(c.overall.metrics.p50.change, 0));
});

test('undefined changes are null, never invented', () => {
  const zeroBase = rows.map((r) => (r.variant === 'baseline' && r.queryType === 'Q2' ? { ...r, throughput: 0 } : r));
  const c = compareVariants(zeroBase, opts);
  const t = c.byQueryType[1]!.metrics.throughput;
  assert.equal([t.change, t.ciLow, t.ciHigh, t.ciAvailable, t.verdict], [null, null, null, false, 'inconclusive']);
  assert.is(c.overall.metrics.throughput.change, null);
  assert.ok(close(c.overall.metrics.p50.change, 0), 'other metrics unaffected');
});

const invalid: Array<[string, RepetitionSummary[], object, RegExp]> = [
  ['missing variant', rows, { optimized: 'nope' }, /no rows for variant "nope"/],
  ['same variant twice', rows, { optimized: 'baseline' }, /same variant "baseline"/],
  ['duplicate row', [...rows, rows[0]!], {}, /duplicate row for variant "baseline" repetition 1 query type "Q1"/],
  ['repetition missing a query type', rows.filter((r) => !(r.variant === 'opt' && r.repetition === 2 && r.queryType === 'Q2')), {}, /variant "opt" repetition 2 has no row for query type "Q2"/],
  ['query type missing in one variant', [...rows, row('opt', 1, 'Q3', 1, 1, 1, 1, 1), row('opt', 2, 'Q3', 1, 1, 1, 1, 1), row('opt', 3, 'Q3', 1, 1, 1, 1, 1)], {}, /variant "baseline" has no rows for query type "Q3"/],
  ['bad resamples', rows, { resamples: 0 }, /resamples/],
  ['bad confidence', rows, { confidence: 1 }, /confidence/],
];
for (const [name, data, extra, pattern] of invalid) {
  test(`rejects ${name}`, () => {
    assert.throws(() => compareVariants(data, { ...opts, ...extra }), pattern);
  });
}

test('paired (default): constant per-repetition ratio → zero-width interval at the ratio', () => {
  const c = compareVariants(rows, paired);
  assert.is(c.method, 'paired-t');
  assert.is(c.resamples, 0);
  const p50 = c.byQueryType[0]!.metrics.p50;
  assert.ok(close(p50.change, -0.5) && close(p50.ciLow, -0.5) && close(p50.ciHigh, -0.5), `${p50.ciLow} ${p50.ciHigh}`);
  assert.is(p50.verdict, 'better');
  assert.ok(close(c.overall.metrics.p50.change, 0));
});

test('paired (default): t-interval on ln(B_r/A_r), worked example', () => {
  // Ratios 0.5, 0.6, 0.7 in repetitions 1..3 while A drifts 1000 → 3000.
  const data = [[1000, 500], [2000, 1200], [3000, 2100]].flatMap(([a, b], i) => [row('baseline', i + 1, 'Q1', a!, 1, 1, 1, 1), row('opt', i + 1, 'Q1', b!, 1, 1, 1, 1)]);
  const m = compareVariants(data, paired).byQueryType[0]!.metrics.p50;
  const logs = [0.5, 0.6, 0.7].map(Math.log);
  const mean = logs.reduce((a, b) => a + b, 0) / 3;
  const sd = Math.sqrt(logs.reduce((a, v) => a + (v - mean) ** 2, 0) / 2);
  const half = 4.302652729749462 * sd / Math.sqrt(3);
  assert.ok(close(m.change, Math.exp(mean) - 1, 1e-12));
  assert.ok(close(m.ciLow, Math.exp(mean - half) - 1, 1e-9) && close(m.ciHigh, Math.exp(mean + half) - 1, 1e-9), `${m.ciLow} ${m.ciHigh}`);
  assert.is(m.verdict, 'better');
});

test('paired (default): only repetitions both variants ran are paired', () => {
  const single = rows.filter((r) => r.repetition === 1 || r.variant === 'opt');
  const m = compareVariants(single, paired).byQueryType[0]!.metrics.p50;
  assert.equal([m.change, m.ciAvailable, m.verdict], [-0.5, false, 'inconclusive']);
});

test('paired (default): a repetition where a type completed nothing is left out of that type only', () => {
  const gap = rows.filter((r) => !(r.variant === 'opt' && r.repetition === 2 && r.queryType === 'Q2'));
  const c = compareVariants(gap, paired);
  const q2 = c.byQueryType[1]!.metrics.p50;
  assert.equal([q2.change, q2.ciAvailable], [1, true], 'two repetitions left for Q2');
  assert.ok(close(c.byQueryType[0]!.metrics.p50.change, -0.5));
  const nan = rows.map((r) => (r.variant === 'opt' && r.repetition === 2 && r.queryType === 'Q2' ? { ...r, p50: asMicros(Number.NaN) } : r));
  assert.equal(compareVariants(nan, paired).byQueryType[1]!.metrics.p50.change, 1);
});

test.run();
