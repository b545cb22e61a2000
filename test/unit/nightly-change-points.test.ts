import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { changePoints, energyStatistic } from '../../bench/nightly/change-points.ts';
import { DEFAULT_DETECTOR } from '../../bench/nightly/detector.ts';
import { appendRun, emptyIndex, selectComparable, type HistoryRunRecord } from '../../bench/nightly/history-index.ts';
import { judgeEntry, type EntryRunData, type NightlyReport } from '../../bench/nightly/judgement.ts';
import { renderHtml } from '../../bench/nightly/html-page.ts';
import { renderMarkdown } from '../../bench/nightly/summary-markdown.ts';
import { seriesKeyOf } from '../../bench/nightly/series-key.ts';
import { fakeResult } from './nightly-fixtures.ts';

/** Lognormal-ish multiplicative noise: value × exp(σ·N(0,1)), seeded (Box–Muller). */
function noisy(levels: readonly number[], sigma: number, seed: string): number[] {
  const rng = seedrandom.alea(seed);
  return levels.map((l) => {
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    return l * Math.exp(sigma * z);
  });
}

const step = (n: number, at: number, before: number, after: number): number[] => Array.from({ length: n }, (_, i) => (i < at ? before : after));

test('energy statistic: exact value on a tiny series, largest at the true split', () => {
  // a = [0, 0], b = [1, 1]: between = 4 pairs × 1, within = 0 → Q = (2·2/4)·(2·4/4) = 2.
  assert.is(energyStatistic([0, 0, 1, 1], 2), 2);
  const xs = [0, 0, 0, 5, 5, 5];
  const qs = [2, 3, 4].map((t) => energyStatistic(xs, t));
  assert.ok(qs[1]! > qs[0]! && qs[1]! > qs[2]!, qs.join(', '));
});

test('a +50 % step at run 20 of 30 with 5 % noise is found at run 20, and nothing else', () => {
  for (const seed of ['a', 'b', 'c', 'd', 'e']) {
    const cps = changePoints(noisy(step(30, 20, 100, 150), 0.05, seed));
    assert.equal(cps.map((c) => c.index), [20], `seed ${seed}`);
    assert.ok(Math.abs(cps[0]!.change - 0.5) < 0.1, `change ${cps[0]!.change}`);
    assert.ok(cps[0]!.p < 0.001);
  }
});

test('a 40× step (a dropped GiST index) is found once two more nights have run after it, not before', () => {
  const history = noisy(step(10, 10, 1000, 1000), 0.05, 'h');
  const withNights = (after: number): number[] => [...history, ...noisy(Array(after).fill(40_000), 0.05, `n${after}`)];
  assert.equal(changePoints(withNights(1)), [], 'the regressed night alone is not a segment');
  assert.equal(changePoints(withNights(2)), [], 'one more night is not enough');
  assert.equal(changePoints(withNights(3)).map((c) => c.index), [10], 'the regressed night + two more');
});

test('a flat noisy series of 60 points yields no change point (20 seeds)', () => {
  for (let s = 0; s < 20; s++) assert.equal(changePoints(noisy(Array(60).fill(100), 0.05, `flat${s}`)), [], `seed flat${s}`);
});

test('a significant shift below minShift is not reported; nulls are skipped but indexes stay those of the input', () => {
  assert.equal(changePoints(step(20, 10, 100, 108)), [], '8 % < 10 % minimum shift');
  assert.equal(changePoints(step(20, 10, 100, 108), { minShift: 0.05 }).map((c) => c.index), [10]);
  const withGaps = [null, ...step(12, 6, 100, 300)];
  withGaps.splice(4, 0, null);
  assert.equal(changePoints(withGaps).map((c) => c.index), [8]);
});

test('two steps are both found (binary segmentation)', () => {
  const levels = [...Array(10).fill(100), ...Array(10).fill(200), ...Array(10).fill(50)];
  assert.equal(changePoints(noisy(levels, 0.03, 'two')).map((c) => c.index), [10, 20]);
});

test('a judged night reports the change point at the first regressed night with its commit, and the trend page marks it', () => {
  const key = seriesKeyOf(fakeResult());
  let index = emptyIndex();
  const stored = new Map<string, EntryRunData>();
  const day = (i: number): string => `2026-01-${String(i + 1).padStart(2, '0')}`;
  for (let i = 0; i < 12; i++) {
    const regressed = i >= 10;
    const record: HistoryRunRecord = { nightlyRunId: `n${i}`, entry: 'smoke', kind: 'scenario', dir: `n${i}/smoke`, startedAt: day(i), finishedAt: day(i), status: 'complete', verdict: regressed ? 'regression' : 'ok', alarms: regressed ? ['opt1/Q1/p50'] : [], kpiFailures: 0, accepted: false, commit: regressed ? 'bad0c0ffee' : 'good' };
    index = appendRun(index, key, record);
    stored.set(`n${i}`, { result: fakeResult({ runId: `n${i}`, noise: 0.02, factors: regressed ? { 'opt1/Q1/p50': 40 } : {} }), checks: null });
  }
  const current = fakeResult({ runId: 'n12', noise: 0.02, factors: { 'opt1/Q1/p50': 40 } });
  const entry = judgeEntry({ entry: 'smoke', kind: 'scenario', name: 'smoke', runId: 'n12', startedAt: day(12), key, current: { result: current, checks: null }, comparable: selectComparable(index, key, 'smoke', 10), stored, options: DEFAULT_DETECTOR, seconds: 1 });
  const cps = entry.changePoints ?? [];
  assert.equal(cps.map((c) => [c.metricId, c.runId, c.commit, c.direction]), [['opt1/Q1/p50', 'n10', 'bad0c0ffee', 'worse'], ['opt1/overall/p50', 'n10', 'bad0c0ffee', 'worse']], 'the metric and the geometric mean over query types it feeds; nothing else');
  assert.ok(Math.abs(cps[0]!.change - 39) < 3, `change ${cps[0]!.change}`);
  const report: NightlyReport = { kind: 'nightly', title: 't', runId: 'n12', startedAt: day(12), finishedAt: day(12), machine: null, commit: null, configFile: null, planChange: 'fail', kpi: 'warn', detector: DEFAULT_DETECTOR, entries: [entry] };
  const html = renderHtml(report);
  assert.match(html, /<h3>Change points<\/h3>/);
  assert.match(html, /<line class="change-point"[^>]*><title>level shift \+3\d\d\d[.,\d]*% \([^)]*\) from run n10, commit bad0c0ffee<\/title>/);
  assert.match(renderMarkdown(report), /\| opt1 · Q1 · p50 \| n10 \| bad0c0ffee \|/);
});

test.run();
