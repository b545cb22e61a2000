import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadImage } from '@napi-rs/canvas';
import { eventMarks, fileSlug, ninesX, runCharts, shade, spectrumChart } from '../../bench/report/charts.ts';
import { kpiImageLayout, fitText } from '../../bench/report/kpi-image.ts';
import { kpiRowsFromRun } from '../../bench/report/kpi-table.ts';
import { renderChart, renderKpiImage } from '../../bench/report/render-png.ts';
import { intervalLengths, latencyOverTime, sizeBars, spectrumSeries, throughputOverTime } from '../../bench/report/series.ts';
import { pngSize } from '../../bench/report/write-report.ts';
import { fixtureResult } from './report-fixture.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

async function assertPng(png: Buffer, width: number, height: number, what: string): Promise<void> {
  assert.equal([...png.subarray(0, 8)], PNG_SIGNATURE, `${what}: PNG signature`);
  assert.equal(pngSize(png), { width, height }, `${what}: IHDR size`);
  const img = await loadImage(png);
  assert.ok(img.width === width && img.height === height, `${what}: decodes to ${width}×${height}`);
  assert.ok(png.length > 5000, `${what}: not a blank image (${png.length} bytes)`);
}

test('nines axis: 50% → 2, 99% → 100, 99.99% → 10 000', () => {
  assert.is(ninesX(50), 2);
  assert.ok(Math.abs(ninesX(99) - 100) < 1e-9);
  assert.ok(Math.abs(ninesX(99.99) - 10000) < 1e-6);
});

test('file names: query types and variants become safe slugs', () => {
  assert.equal(['*', 'Q1', 'a/b c', '..x', ''].map(fileSlug), ['all', 'Q1', 'a_b_c', '_x', '_']);
  assert.is(shade('#000000', 0.5), '#808080');
});

test('series: spectrum from the merged histograms, per-second latency and throughput, sizes', () => {
  const r = fixtureResult();
  const spectrum = spectrumSeries(r, 'Q1');
  assert.equal(spectrum.map((s) => [s.variant, s.source, s.count]), [['baseline', 'histogram', 2400], ['opt1', 'histogram', 2400]]);
  for (const s of spectrum) {
    assert.is(s.points[0]!.percentile, 50);
    assert.is(s.points[s.points.length - 1]!.percentile, 99.99);
    for (let i = 1; i < s.points.length; i++) assert.ok(s.points[i]!.ms >= s.points[i - 1]!.ms, 'monotonic');
  }
  const base50 = spectrum[0]!.points[0]!.ms;
  assert.ok(base50 > 0.9 && base50 < 1.1, `baseline p50 ≈ 1 ms, got ${base50}`);
  const tl = latencyOverTime(r, 'opt1');
  assert.equal(tl.p50.map((s) => [s.repetition, s.points.map((p) => p.sec)]), [[1, [0.5, 1.5, 2.5]], [2, [0.5, 1.5, 2.5]]]);
  const tp = throughputOverTime(r);
  assert.is(tp.length, 4);
  assert.equal(tp[0]!.points.map((p) => p.value), [800, 800, 800], '400 Q1 + 400 W1 per second');
  const bars = sizeBars(r);
  assert.equal(bars.map((b) => [b.variant, b.partitions, b.totalBytes, b.indexes.length]), [['baseline', 0, 5_349_376, 2], ['opt1', 37, 5_349_376, 2]]);
});

test('a partial last interval is rated over its real length', () => {
  const t = { key: { variant: 'v', repetition: 1, queryType: '*' }, intervals: [{ startSec: 0 }, { startSec: 1 }, { startSec: 2 }], totals: { measuredSec: 2.5 } };
  assert.equal(intervalLengths(t as never), [1, 1, 0.5]);
});

test('spectrum falls back to the summary percentiles without histograms', () => {
  const r = fixtureResult();
  const stripped = { ...r, results: { ...r.results, timelines: [] } };
  const s = spectrumSeries(stripped, 'Q1');
  assert.equal(s[0]!.points.map((p) => p.percentile), [50, 90, 95, 99, 99.9]);
  assert.is(s[0]!.source, 'summary');
  assert.match(spectrumChart('Q1', s, new Map()).caption, /five summary percentiles/);
});

test('chart list of a run: a spectrum per query type, over-time per variant, throughput, sizes', () => {
  const specs = runCharts(fixtureResult(), []);
  assert.equal(specs.map((s) => s.file), [
    'latency-spectrum-Q1.png', 'latency-spectrum-W1.png', 'latency-spectrum-all.png',
    'latency-over-time-baseline.png', 'latency-over-time-opt1.png', 'throughput-over-time.png', 'storage-sizes.png',
  ]);
});

test('event marks: per variant, or labelled with the variant on shared charts; duplicates once', () => {
  const event = { at: 1, label: 'VACUUM', variant: null, repetition: null, source: 'x' };
  const refresh = { at: 2, label: 'REFRESH', variant: 'opt1', repetition: null, source: 'x' };
  const placed = [
    { event, variant: 'opt1', repetition: 1, atSec: 1 }, { event, variant: 'opt1', repetition: 2, atSec: 1 }, { event, variant: 'baseline', repetition: 1, atSec: 1 },
    { event: refresh, variant: 'opt1', repetition: 1, atSec: 2 },
  ];
  assert.equal(eventMarks(placed, 'opt1'), [{ x: 1, label: 'VACUUM' }, { x: 2, label: 'REFRESH' }]);
  assert.equal(eventMarks(placed, 'baseline'), [{ x: 1, label: 'VACUUM' }]);
  assert.equal(eventMarks(placed), [{ x: 1, label: 'VACUUM' }, { x: 2, label: 'opt1: REFRESH' }]);
});

test('every chart renders to a PNG that decodes, with the spec size', async () => {
  const r = fixtureResult();
  const event = { at: 1.2, label: 'REFRESH MATERIALIZED VIEW', variant: null, repetition: null, source: 'x' };
  for (const spec of runCharts(r, [{ event, variant: 'opt1', repetition: 1, atSec: 1.2 }])) {
    await assertPng(renderChart(spec), spec.width, spec.height, spec.file);
  }
});

test('KPI table picture: layout fits text, renders, decodes', async () => {
  const rows = kpiRowsFromRun(fixtureResult().kpis);
  const measure = (t: string): number => t.length * 8;
  assert.is(fitText('abcdefghij', 48, false, measure), 'abcde…');
  assert.is(fitText('abc', 48, false, measure), 'abc');
  const layout = kpiImageLayout(rows, 'KPIs', measure);
  assert.is(layout.cells.length, 5 * (rows.length + 1));
  assert.equal(layout.cells.filter((c) => c.text === 'not measured').length, 2, 'achieved and result cells');
  const png = renderKpiImage(rows, 'KPI targets — fixture');
  const size = pngSize(png);
  assert.ok(size.width >= 480 && size.height > 100);
  await assertPng(png, size.width, size.height, 'kpi-table.png');
  const empty = renderKpiImage([], 'none');
  assert.ok(pngSize(empty).height > 0);
});

test.run();
