import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kneeMark, stressChart, stressKpiRows, stressSectionHtml } from '../../bench/report/section-stress.ts';
import type { StressFile, StressStepRecord, StressVariantRecord } from '../../bench/stress/stress-file.ts';

const step = (rate: number, p99ms: number, outcome: 'pass' | 'fail'): StressStepRecord => ({
  index: 0, phase: 'ramp', offeredRate: rate, achievedRate: rate, outcome, reasons: outcome === 'fail' ? ['p99 over'] : [], startedAt: '2026-01-01T00:00:00Z',
  measuredSec: 2, intended: 2 * rate, sent: 2 * rate, completed: 2 * rate, backlog: 0, late: 0, errors: 0, timeouts: 0,
  latency: { count: 2 * rate, p50: (p99ms * 1000) / 4, p99: p99ms * 1000, max: p99ms * 2000 }, byType: {},
  clientCpu: { processCores: 0.1, busiestThreadShare: 0.05 }, serverCpuCores: 0.8, waits: { samples: 10, counts: { CPU: 7, 'LWLock:BufferMapping': 1 } },
  cronRuns: [], errorMessages: {}, stoppedEarly: null,
});
const variant = (name: string, result: StressVariantRecord['result']): StressVariantRecord => ({
  name, schema: `geobench_${name}`, migrateTo: 'baseline', result, text: 'x', steps: [step(400, 300, 'fail'), step(100, 20, 'pass'), step(200, 40, 'pass')],
});
const file = (variants: StressVariantRecord[]): StressFile => ({
  schemaVersion: 1, tool: 'geobench', kind: 'stress', runId: 'r', status: 'complete', statusReason: null, startedAt: '', finishedAt: '', elapsedSec: 60,
  scenario: 'smoke', dataset: { scale: 0.01, seed: 7, totalRows: 124000 }, target: 'embedded', baseline: 'baseline',
  config: { sloP99Us: 250_000, maxRate: 1000, stepSeconds: 2, errorLimit: 0.01, sloPerTypeUs: {} }, workload: [], variants,
  comparisons: [{ variant: '<b>opt', baseline: 'baseline', estimate: -0.5, low: -0.6, high: -0.4, target: 'capacity_change >= 0%', decision: 'fail', text: '-50% [-60%, -40%] vs capacity_change >= 0%: fail' }],
});

test('kneeMark: at the geometric midpoint of a capacity, at max-rate when not reached, none when unfinished', () => {
  assert.equal(kneeMark(variant('a', { kind: 'capacity', low: 200, high: 400, estimate: Math.sqrt(80000) })), { x: Math.sqrt(80000), label: 'knee ≈ 283 ops/s [200, 400)' });
  assert.equal(kneeMark(variant('a', { kind: 'not-reached', low: 1000 })), { x: 1000, label: 'not reached: ≥ 1000 ops/s' });
  assert.is(kneeMark(variant('a', { kind: 'unfinished', low: 1, high: 2 })), null);
});

test('stressChart: p50/p99/max points sorted by rate in ms, the SLO line, the knee mark', () => {
  const s = file([variant('baseline', { kind: 'capacity', low: 200, high: 400, estimate: Math.sqrt(80000) })]);
  const spec = stressChart(s, s.variants[0]!, 0);
  assert.is(spec.file, 'stress-latency-baseline.png');
  const ds = spec.config.data.datasets;
  assert.equal(ds.map((d) => d.label), ['p50', 'p99', 'max', 'SLO p99 250 ms']);
  assert.equal(ds[1]!.data, [{ x: 100, y: 20 }, { x: 200, y: 40 }, { x: 400, y: 300 }]);
  assert.equal((ds[3]!.data as Array<{ y: number }>).map((p) => p.y), [250, 250]);
  assert.equal((spec.config.options as { plugins: { geobenchEvents: { marks: unknown[] } } }).plugins.geobenchEvents.marks, [{ x: Math.sqrt(80000), label: 'knee ≈ 283 ops/s [200, 400)' }]);
});

test('stressKpiRows and the section: outcomes carried, names escaped', () => {
  const s = file([variant('baseline', { kind: 'capacity', low: 200, high: 400, estimate: 283 })]);
  const rows = stressKpiRows(s);
  assert.equal(rows.map((r) => [r.verdict, r.target, r.achieved]), [['fail', 'capacity_change >= 0%', '-50% [-60%, -40%]']]);
  const html = stressSectionHtml(s, []).text;
  assert.ok(!html.includes('<b>opt'), 'variant name escaped');
  assert.match(html, /&lt;b&gt;opt vs baseline/);
  assert.match(html, /CPU 7, LWLock:BufferMapping 1/);
});

test('an inconclusive capacity change is the shared inconclusive verdict (not an info row); the probe start is shown', () => {
  const base = file([{ ...variant('baseline', { kind: 'capacity', low: 200, high: 400, estimate: 283 }), closedLoopOpsPerSec: 812.4, startRate: 203 }]);
  const s: StressFile = { ...base, comparisons: [{ ...base.comparisons[0]!, low: -0.2, high: 0.3, estimate: 0.05, decision: 'inconclusive', text: '+5% [-20%, +30%] vs capacity_change >= 0%: inconclusive' }] };
  const rows = stressKpiRows(s);
  assert.equal(rows.map((r) => r.verdict), ['inconclusive']);
  assert.match(rows[0]!.note ?? '', /straddles the target/);
  assert.match(stressSectionHtml(s, []).text, /<td>203 \(812\)<\/td>/);
});

test.run();
