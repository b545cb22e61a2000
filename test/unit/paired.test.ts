import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { asMicros } from '../../bench/metrics/histogram.ts';
import { compareVariants, quantileSorted, type RepetitionSummary } from '../../bench/analysis/compare.ts';
import { pairedRatio, repetitionsToDecide, studentT } from '../../bench/analysis/paired.ts';
import { decideOnInterval, productionVerdict, reductionKpi, type Outcome } from '../../bench/analysis/decision.ts';
import { parseKpiTarget } from '../../bench/analysis/kpi.ts';

const close = (a: number | null | undefined, b: number, eps = 1e-9): boolean => a !== null && a !== undefined && Math.abs(a - b) < eps;

test('studentT: the shared quantile (t(0.975, 2) = 4.3027, large df → 1.96)', () => {
  assert.ok(close(studentT(0.975, 2), 4.302652729749462, 1e-9));
  assert.ok(close(studentT(0.975, 9), 2.2621571627409915, 1e-9));
  assert.ok(close(studentT(0.975, 1e6), 1.959963984540054, 1e-5));
  assert.throws(() => studentT(0.975, 0), /degrees of freedom/);
});

test('pairedRatio: mean of logs, SD, t half-width; one repetition has no interval', () => {
  const logs = [0.1, 0.2, 0.3];
  const p = pairedRatio(logs)!;
  assert.is(p.n, 3);
  assert.ok(close(p.meanLog, 0.2) && close(p.sdLog, 0.1));
  const half = 4.302652729749462 * 0.1 / Math.sqrt(3);
  assert.ok(close(p.ratioLow, Math.exp(0.2 - half)) && close(p.ratioHigh, Math.exp(0.2 + half)));
  assert.equal(pairedRatio([]), null);
  const one = pairedRatio([0.5])!;
  assert.equal([one.ratioLow, one.ratioHigh, one.sdLog], [null, null, null]);
});

// target, low, high → outcome
const decisions: Array<[string, number, number, Outcome]> = [
  ['overhead_reduction >= 36.6%', 0.37, 0.5, 'pass'],
  ['overhead_reduction >= 36.6%', 0.366, 0.5, 'pass'],
  ['overhead_reduction >= 36.6%', 0.2, 0.5, 'inconclusive'],
  ['overhead_reduction >= 36.6%', -0.27, 0.147, 'fail'],
  ['overhead_reduction >= 36.6%', 0.1, 0.366, 'inconclusive'],
  ['query_improvement_pct > 70%', 0.7, 0.9, 'inconclusive'],
  ['query_improvement_pct > 70%', 0.5, 0.7, 'fail'],
  ['p99 < 500ms', 100_000, 400_000, 'pass'],
  ['p99 < 500ms', 400_000, 600_000, 'inconclusive'],
  ['p99 < 500ms', 500_000, 600_000, 'fail'],
  ['p99 <= 500ms', 100_000, 500_000, 'pass'],
];
for (const [target, low, high, want] of decisions) {
  test(`decideOnInterval(${target}, [${low}, ${high}]) = ${want}`, () => assert.is(decideOnInterval(parseKpiTarget(target), low, high), want));
}
test('decideOnInterval rejects an empty interval', () => assert.throws(() => decideOnInterval(parseKpiTarget('p99 < 1ms'), 2, 1), /empty/));

test('repetitionsToDecide: smallest n whose t half-width is below the distance', () => {
  // sd 0.1, distance 0.1: t(n−1)·0.1/√n < 0.1 ⇔ t(n−1) < √n: n = 7 (t(6)=2.447 < 2.646), n = 6 fails (2.571 > 2.449).
  assert.is(repetitionsToDecide(0.1, 0.1), 7);
  assert.is(repetitionsToDecide(0.1, -0.1), 7);
  assert.is(repetitionsToDecide(null, 0.1), null);
  assert.is(repetitionsToDecide(0.1, 0), null);
  assert.is(repetitionsToDecide(10, 0.001), null, 'beyond the cap');
  assert.is(repetitionsToDecide(0, 0.1), 2);
});

test('reductionKpi: 1 − ratio with the ends swapped, and the repetitions to decide against the target', () => {
  const p = pairedRatio([Math.log(0.6), Math.log(0.7), Math.log(0.8)])!;
  const k = reductionKpi(p, parseKpiTarget('overhead_reduction >= 36.6%'));
  assert.ok(close(k.estimate, 1 - p.ratio));
  assert.ok(close(k.interval!.low, 1 - p.ratioHigh!) && close(k.interval!.high, 1 - p.ratioLow!));
  assert.is(k.interval!.n, 3);
  assert.is(k.repetitionsToDecide, repetitionsToDecide(p.sdLog, p.meanLog - Math.log(1 - 0.366)));
  assert.equal(reductionKpi(null, parseKpiTarget('overhead_reduction >= 36.6%')), { estimate: null, interval: null, repetitionsToDecide: null });
});

const verdicts: Array<[string, Array<{ outcome: Outcome; required?: boolean }>, 'yes' | 'no' | 'inconclusive']> = [
  ['all pass', [{ outcome: 'pass' }, { outcome: 'info' }], 'yes'],
  ['one fail', [{ outcome: 'pass' }, { outcome: 'fail' }, { outcome: 'inconclusive' }], 'no'],
  ['one inconclusive', [{ outcome: 'pass' }, { outcome: 'inconclusive' }], 'inconclusive'],
  ['required not measurable', [{ outcome: 'pass' }, { outcome: 'not-measurable' }], 'no'],
  ['optional not measurable', [{ outcome: 'pass' }, { outcome: 'not-measurable', required: false }], 'yes'],
  ['optional inconclusive', [{ outcome: 'pass' }, { outcome: 'inconclusive', required: false }], 'yes'],
];
for (const [name, lines, want] of verdicts) {
  test(`productionVerdict: ${name} → ${want}`, () => {
    const v = productionVerdict(lines.map((l, i) => ({ metric: `K${i}`, ...l, note: 'why' })));
    assert.is(v.verdict, want);
    assert.is(v.reasons.length === 0, want === 'yes');
  });
}
test('productionVerdict: the reason of a required unmeasured KPI is named', () => {
  const v = productionVerdict([{ metric: 'Restart survival', outcome: 'not-measurable', note: 'external server' }]);
  assert.equal(v.reasons, ['Restart survival: required but not measured (external server)']);
});

/**
 * Simulated paired runs: repetition r has a drift shared by A and B (machine state), plus
 * independent noise per variant; B is A × exp(effect). Coverage = share of simulations whose
 * interval contains the true change exp(effect) − 1.
 */
function simulate(n: number, sims: number, seed: string, method: 'paired' | 'independent'): { coverage: number; meanWidth: number } {
  const rng = seedrandom.alea(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const effect = Math.log(0.7);
  const truth = Math.exp(effect) - 1;
  let covered = 0;
  let width = 0;
  for (let s = 0; s < sims; s++) {
    const rows: RepetitionSummary[] = [];
    for (let r = 1; r <= n; r++) {
      const drift = 0.3 * normal();
      const a = 1000 * Math.exp(drift + 0.05 * normal());
      const b = 1000 * Math.exp(effect + drift + 0.05 * normal());
      for (const [variant, v] of [['A', a], ['B', b]] as const) rows.push({ variant, repetition: r, queryType: 'Q1', p50: asMicros(v), p95: asMicros(v), p99: asMicros(v), mean: asMicros(v), throughput: 1 });
    }
    const m = compareVariants(rows, { baseline: 'A', optimized: 'B', seed: `${seed}-${s}`, pairing: method, resamples: 400 }).byQueryType[0]!.metrics.mean;
    if (m.ciLow! <= truth && truth <= m.ciHigh!) covered++;
    width += m.ciHigh! - m.ciLow!;
  }
  return { coverage: covered / sims, meanWidth: width / sims };
}

for (const n of [3, 5, 10]) {
  test(`paired interval covers the true effect 93–97% of the time at n = ${n} (2000 seeded simulations, shared drift)`, () => {
    const { coverage } = simulate(n, 2000, `coverage-${n}`, 'paired');
    assert.ok(coverage >= 0.93 && coverage <= 0.97, `coverage ${coverage}`);
  });
}

test('the old unpaired bootstrap fails the same check at n = 3 and is far wider under shared drift', () => {
  const old = simulate(3, 300, 'coverage-old-3', 'independent');
  const now = simulate(3, 300, 'coverage-old-3', 'paired');
  // Drift shared by A and B enters the unpaired interval: it covers ~100% and is over twice as wide (measured: 1.00, width 0.53 vs 0.21).
  assert.ok(old.coverage < 0.93 || old.coverage > 0.97, `old coverage ${old.coverage}`);
  assert.ok(old.meanWidth > 2 * now.meanWidth, `widths old ${old.meanWidth} vs paired ${now.meanWidth}`);
});

test('quantileSorted still serves the independent bootstrap', () => assert.is(quantileSorted([1, 2, 3], 0.5), 2));

test.run();
