import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_DETECTOR, judgeMetric, judgeRun, judgeRunDetailed, type DetectorOptions } from '../../bench/nightly/detector.ts';
import { extractMetrics, type MetricPoint } from '../../bench/nightly/metrics.ts';
import studentTQuantile from '@stdlib/stats-base-dists-t-quantile';
import { appendRun, emptyIndex, selectComparable, type HistoryRunRecord } from '../../bench/nightly/history-index.ts';
import { judgeEntry } from '../../bench/nightly/judgement.ts';
import { seriesKeyOf } from '../../bench/nightly/series-key.ts';
import { fakeResult } from './nightly-fixtures.ts';

const history = (n: number, noise = 0.03, extra: Parameters<typeof fakeResult>[0] = {}) =>
  Array.from({ length: n }, (_, i) => extractMetrics(fakeResult({ runId: `h${i}`, noise, ...extra })));
const regressions = (verdicts: ReturnType<typeof judgeRun>) => verdicts.filter((v) => v.status === 'regression').map((v) => v.metric.id);

test('student t quantiles (@stdlib, argument order p then df) match the tables', () => {
  const cases: Array<[number, number, number]> = [[0.975, 1, 12.706], [0.975, 2, 4.303], [0.999, 2, 22.327], [0.999, 9, 4.297], [0.95, 30, 1.697], [0.999, 1000, 3.098]];
  for (const [p, df, expected] of cases) assert.ok(Math.abs(studentTQuantile(p, df) - expected) < 2e-3, `t(${p}, ${df}) = ${studentTQuantile(p, df)}`);
});

test('identical code: histories of the same noisy distribution raise no alarm', () => {
  for (let trial = 0; trial < 20; trial++) {
    const hist = Array.from({ length: 6 }, (_, i) => extractMetrics(fakeResult({ runId: `t${trial}-h${i}`, noise: 0.05 })));
    const current = extractMetrics(fakeResult({ runId: `t${trial}-current`, noise: 0.05 }));
    assert.equal(regressions(judgeRun(current, hist)), [], `trial ${trial}`);
  }
  // Exactly identical values: z = 0 everywhere.
  const same = judgeRun(extractMetrics(fakeResult()), history(4, 0));
  assert.ok(same.every((v) => v.status === 'ok'), same.filter((v) => v.status !== 'ok').map((v) => `${v.metric.id} ${v.status}`).join(', '));
});

test('a 2x slower p99 is flagged, on that metric only', () => {
  const current = extractMetrics(fakeResult({ runId: 'slow', noise: 0.03, factors: { 'opt1/Q3/p99': 2 } }));
  const verdicts = judgeRun(current, history(8, 0.03));
  assert.equal(regressions(verdicts), ['opt1/Q3/p99', 'opt1/overall/p99']);
  const v = verdicts.find((x) => x.metric.id === 'opt1/Q3/p99')!;
  assert.ok(v.change! > 0.8 && v.change! < 1.2, `change ${v.change}`);
  assert.ok(v.z! > v.zCritical!, v.reason);
  assert.match(v.reason, /beyond/);
});

test('a 2x slower p99 with 3 history runs: flagged only when the history is quiet enough', () => {
  const current = extractMetrics(fakeResult({ runId: 'slow', noise: 0.01, factors: { 'opt1/Q3/p99': 2 } }));
  // ±1 % noise: σ = noise floor 3 %, z = ln 2 / (0.03·√(4/3)) = 20 < 22.3: prediction interval of 3 runs is wide.
  assert.equal(regressions(judgeRun(current, history(3, 0.01))), []);
  const tenfold = extractMetrics(fakeResult({ runId: 'slow', noise: 0.01, factors: { 'opt1/Q3/p99': 10 } }));
  assert.ok(regressions(judgeRun(tenfold, history(3, 0.01))).includes('opt1/Q3/p99'));
});

test('small changes below the minimum effect are not regressions, even with a tiny spread', () => {
  const current = extractMetrics(fakeResult({ runId: 'c', noise: 0, factors: { 'opt1/Q1/p50': 1.08 } }));
  const tight: DetectorOptions = { ...DEFAULT_DETECTOR, noiseFloor: 0.001 };
  const v = judgeRun(current, history(10, 0), tight).find((x) => x.metric.id === 'opt1/Q1/p50')!;
  assert.is(v.status, 'ok');
  assert.match(v.reason, /min effect 10% not reached/);
});

test('throughput halved is a regression; doubled is an improvement', () => {
  const slower = judgeRun(extractMetrics(fakeResult({ runId: 'c', noise: 0.02, factors: { 'baseline/Q1/throughput': 0.5 } })), history(6, 0.02));
  assert.equal(regressions(slower), ['baseline/Q1/throughput']);
  const faster = judgeRun(extractMetrics(fakeResult({ runId: 'c', noise: 0.02, factors: { 'baseline/Q1/throughput': 2 } })), history(6, 0.02));
  assert.equal(regressions(faster), []);
  assert.is(faster.find((v) => v.metric.id === 'baseline/Q1/throughput')!.status, 'improvement');
});

test('throughput falling to zero is a regression', () => {
  const m: MetricPoint = { id: 'opt1/Q7/throughput', family: 'throughput', stat: 'throughput', unit: 'ops/s', betterWhen: 'higher', value: 0, count: 0 };
  const v = judgeMetric(m, [10, 11, 9, 10]);
  assert.is(v.status, 'regression');
  assert.is(v.change, -1);
});

test('sizes: +7 % (70 kB) is a regression, +2 % is not; +6 % (60 kB) is under the 64 KiB floor', () => {
  const grew = judgeRun(extractMetrics(fakeResult({ gistBytes: 1_070_000 })), history(3, 0));
  assert.ok(regressions(grew).includes('opt1/size/index:geometrias_geom_gist'));
  const underFloor = judgeRun(extractMetrics(fakeResult({ gistBytes: 1_060_000 })), history(3, 0));
  assert.equal(regressions(underFloor), [], 'a page or a few of bloat is not a regression');
  const noFloor = judgeRun(extractMetrics(fakeResult({ gistBytes: 1_060_000 })), history(3, 0), { ...DEFAULT_DETECTOR, sizeFloorBytes: 0 });
  assert.ok(regressions(noFloor).includes('opt1/size/index:geometrias_geom_gist'), 'without the floor the 5 % rule alone alarms');
  const small = judgeRun(extractMetrics(fakeResult({ gistBytes: 1_020_000 })), history(3, 0));
  assert.equal(regressions(small), []);
});

test('KPI fractions use the linear rule with an absolute floor', () => {
  const hist = history(5, 0);
  const tiny = judgeRun(extractMetrics(fakeResult({ errorRate: 0.002 })), hist).find((v) => v.metric.id === 'kpi/errors')!;
  assert.is(tiny.status, 'ok');
  const big = judgeRun(extractMetrics(fakeResult({ errorRate: 0.2 })), hist).find((v) => v.metric.id === 'kpi/errors')!;
  assert.is(big.status, 'regression');
});

test('machine guard: every variant slower together is a machine-wide slowdown (suspect, not failing); one variant slower is not', () => {
  const all: Record<string, number> = {};
  for (const v of ['baseline', 'opt1']) for (const q of ['Q1', 'Q3', '*']) for (const stat of ['p50', 'p99']) all[`${v}/${q}/${stat}`] = 2;
  for (const v of ['baseline', 'opt1']) for (const q of ['Q1', 'Q3', '*']) all[`${v}/${q}/throughput`] = 0.5;
  const busy = judgeRunDetailed(extractMetrics(fakeResult({ runId: 'busy', noise: 0.01, factors: all })), history(8, 0.01));
  assert.ok(busy.slowdown, 'a slowdown is seen');
  assert.equal(regressions(busy.verdicts), []);
  const suspect = busy.verdicts.find((v) => v.metric.id === 'opt1/Q3/p99')!;
  assert.is(suspect.status, 'suspect');
  assert.match(suspect.reason, /^suspect, machine-wide slowdown of \+\d+\.\d% \(100% of baseline's and 100% of opt1's timings worse\); the same Q3\/p99 moved alike in baseline \(\+\d+/);
  // A move the other variant does not share still fails, even on a busy night.
  const far = judgeRunDetailed(extractMetrics(fakeResult({ runId: 'busy', noise: 0.01, factors: { ...all, 'opt1/Q3/p50': 40 } })), history(8, 0.01));
  assert.equal(regressions(far.verdicts), ['opt1/Q3/p50', 'opt1/overall/p50']);
  assert.match(far.verdicts.find((v) => v.metric.id === 'opt1/Q3/p50')!.reason, /not explained by the machine-wide slowdown/);
  // Only opt1 slower (a dropped index): the baseline variant is the control, so it fails.
  const opt1Only = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('opt1/')));
  const schema = judgeRunDetailed(extractMetrics(fakeResult({ runId: 'schema', noise: 0.01, factors: opt1Only })), history(8, 0.01));
  assert.is(schema.slowdown, null);
  assert.ok(regressions(schema.verdicts).includes('opt1/Q3/p99'));
  // The guard can be switched off.
  const off = judgeRunDetailed(extractMetrics(fakeResult({ runId: 'busy', noise: 0.01, factors: all })), history(8, 0.01), { ...DEFAULT_DETECTOR, machineGuard: 0 });
  assert.ok(regressions(off.verdicts).includes('baseline/Q1/p50'));
});

test('not enough history: fewer than 3 comparable runs are never judged', () => {
  const verdicts = judgeRun(extractMetrics(fakeResult({ factors: { 'opt1/Q3/p99': 5 } })), history(2));
  assert.ok(verdicts.every((v) => v.status === 'not-enough-history'));
  assert.match(verdicts[0]!.reason, /not enough history: 2 comparable runs, 3 needed/);
});

test('too few operations: a p99 of 50 operations is not judged', () => {
  const m: MetricPoint = { id: 'opt1/Q7/p99', family: 'latency', stat: 'p99', unit: 'µs', betterWhen: 'lower', value: 1e6, count: 50 };
  const v = judgeMetric(m, [1000, 1000, 1000, 1000]);
  assert.is(v.status, 'too-few-samples');
});

function record(runId: string, startedAt: string, extra: Partial<HistoryRunRecord> = {}): HistoryRunRecord {
  return { nightlyRunId: runId, entry: 'smoke', kind: 'scenario', dir: `${runId}/smoke`, startedAt, finishedAt: startedAt, status: 'complete', verdict: 'ok', alarms: [], kpiFailures: 0, accepted: false, commit: null, ...extra };
}

test('incompatible runs (other scale, other machine) are skipped with a message; alarmed runs are left out', () => {
  const here = seriesKeyOf(fakeResult());
  const otherScale = seriesKeyOf(fakeResult({ scale: 0.01 }));
  const otherMachine = seriesKeyOf(fakeResult({ fingerprint: 'fp-b' }));
  let index = emptyIndex();
  index = appendRun(index, here, record('n1', '2026-01-01'));
  index = appendRun(index, here, record('n2', '2026-01-02'));
  index = appendRun(index, otherScale, record('n3', '2026-01-03'));
  index = appendRun(index, otherMachine, record('n4', '2026-01-04'));
  index = appendRun(index, here, record('n5', '2026-01-05', { verdict: 'regression', alarms: ['opt1/Q3/p99'] }));
  index = appendRun(index, here, record('n6', '2026-01-06', { status: 'incomplete' }));
  index = appendRun(index, here, record('n7', '2026-01-07'));
  const c = selectComparable(index, here, 'smoke', 10);
  assert.equal(c.baseline.map((r) => r.nightlyRunId), ['n7', 'n2', 'n1']);
  assert.equal(c.incompatible.map((s) => s.run.nightlyRunId), ['n4', 'n3']);
  assert.equal(c.incompatible[1]!.reasons, ['scale 0.01 ≠ 0.002']);
  assert.equal(c.incompatible[0]!.reasons, ['machine fingerprint fp-b ≠ fp-a']);
  assert.equal(c.excluded.map((s) => s.run.nightlyRunId), ['n6', 'n5']);
  assert.equal(selectComparable(index, here, 'smoke', 2).baseline.map((r) => r.nightlyRunId), ['n7', 'n2']);

  // Through judgeEntry: the notices say why, and only the 3 good runs are the history.
  const stored = new Map(['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'].map((id) => [id, { result: fakeResult({ runId: id, noise: 0.02 }), checks: null }]));
  const j = judgeEntry({ entry: 'smoke', kind: 'scenario', name: 'smoke', runId: 'now', startedAt: '2026-01-08', key: here, current: { result: fakeResult({ runId: 'now', noise: 0.02 }), checks: null }, comparable: c, stored, options: DEFAULT_DETECTOR, seconds: 1 });
  assert.equal(j.historyRuns, ['n7', 'n2', 'n1']);
  assert.ok(j.notices.some((n) => n === 'not comparable: 1 run skipped: scale 0.01 ≠ 0.002'), j.notices.join('\n'));
  assert.ok(j.notices.some((n) => n.includes('machine fingerprint fp-b ≠ fp-a')));
  assert.ok(j.notices.some((n) => n.startsWith('left out of the history: 1 run skipped: alarmed (opt1/Q3/p99)')), j.notices.join('\n'));
  assert.equal(j.trends['opt1/Q3/p99']!.map((p) => p.role), ['baseline', 'baseline', 'excluded', 'excluded', 'baseline', 'current']);
});

test('judgeEntry with one comparable run: not enough history for metrics, but plans are compared', () => {
  const here = seriesKeyOf(fakeResult());
  const index = appendRun(emptyIndex(), here, record('n1', '2026-01-01'));
  const c = selectComparable(index, here, 'smoke', 10);
  const stored = new Map([['n1', { result: fakeResult({ runId: 'n1' }), checks: null }]]);
  const current = fakeResult({ runId: 'now', shapes: { 'opt1/Q3': 'Limit(Sort(Seq Scan on geometrias))' } });
  const j = judgeEntry({ entry: 'smoke', kind: 'scenario', name: 'smoke', runId: 'now', startedAt: '2026-01-02', key: here, current: { result: current, checks: null }, comparable: c, stored, options: DEFAULT_DETECTOR, seconds: 1 });
  assert.ok(j.metrics.every((m) => m.status === 'not-enough-history'));
  assert.match(j.notices[0]!, /not enough history: 1 comparable good run \(3 needed\)/);
  const changed = j.plans.filter((p) => p.status === 'changed');
  assert.equal(changed.map((p) => `${p.variant}/${p.queryType}`), ['opt1/Q3']);
});

test.run();
