import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { intervalCheck, notMeasurable, targetCheck, checksVerdict } from '../../bench/validate/checks.ts';
import type { ValidationFile } from '../../bench/formats/validation-file.ts';
import { forestPlotSpec, forestRows } from '../../bench/report/forest-plot.ts';
import { decidingChecks, frontPageHtml, frontPageMarkdown, verdictOfFile } from '../../bench/report/section-front.ts';
import { summaryMarkdown } from '../../bench/report/summary-markdown.ts';
import { kpiRowsFromChecks, kpiTally } from '../../bench/report/kpi-table.ts';
import { html } from '../../bench/output/escape.ts';
import { pngSize } from '../../bench/report/write-report.ts';

const iv = (low: number, high: number) => ({ low, high, confidence: 0.95, method: 'paired t', n: 3 });
const checks = [
  intervalCheck('Overhead Reduction', 'overhead_reduction >= 36.6%', 0.3, iv(0.1, 0.45), { repetitionsToDecide: 12 }),
  intervalCheck('Query Improvement <b>', 'query_improvement_pct > 70%', 0.8, iv(0.75, 0.85)),
  targetCheck('Storage Reduction', 'storage_reduction > 35%', 0.5),
  notMeasurable('SIMD', { key: 'opt2.simd', target: '+76% capability', isClaim: true, required: false, roadmap: null }, 'no vectorized executor'),
];
const v = { schemaVersion: 1, validator: 'combined', roadmapName: 'COMBINED', runId: 'r1', startedAt: '', finishedAt: '', dataset: { scale: 0.01, seed: 1 }, allTargetsHold: false, verdict: checksVerdict(checks).verdict, verdictReasons: checksVerdict(checks).reasons, checks, runResult: null, evidence: {} } as ValidationFile;

test('front page: the verdict first, the deciding lines (intervals and blockers), escaped', () => {
  assert.is(verdictOfFile(v), 'inconclusive');
  assert.equal(decidingChecks(checks).map((c) => c.metric), ['Overhead Reduction', 'Query Improvement <b>']);
  const page = frontPageHtml(v, { file: 'charts/forest-plot.png' }, (f) => html`<figure data-file="${f.file}"></figure>`).text;
  assert.match(page, /Production Ready: INCONCLUSIVE/);
  assert.match(page, /Overhead Reduction: inconclusive/);
  assert.match(page, /<td class="verdict">\?<\/td><td>Overhead Reduction<\/td>.*<td>12<\/td>/);
  assert.match(page, /Query Improvement &lt;b&gt;/);
  assert.not.match(page, /Query Improvement <b>/);
  assert.match(page, /data-file="charts\/forest-plot.png"/);
});

test('verdict of a file written before verdicts is recomputed from its checks', () => {
  const { verdict: _v, verdictReasons: _r, ...old } = v;
  assert.is(verdictOfFile(old as ValidationFile), 'inconclusive');
});

test('summary.md leads with the verdict and the forest plot, before the long table', () => {
  const text = summaryMarkdown({ title: 't', result: null, validation: v, kpiRows: kpiRowsFromChecks(checks), folder: 'x', files: [] });
  const lead = text.indexOf('### Production Ready: INCONCLUSIVE');
  assert.ok(lead > 0 && lead < text.indexOf('### KPIs'), 'verdict before the KPI table');
  assert.ok(text.indexOf('charts/forest-plot.png') < text.indexOf('### KPIs'));
  assert.equal(frontPageMarkdown(v)[0], '### Production Ready: INCONCLUSIVE');
});

test('KPI table: inconclusive has its own mark and tally; optional claims are labelled', () => {
  const rows = kpiRowsFromChecks(checks);
  assert.equal(rows.map((r) => r.verdict), ['inconclusive', 'pass', 'pass', 'not measurable']);
  assert.match(rows[3]!.note!, /optional/);
  assert.is(kpiTally(rows), '2 pass, 0 fail, 1 inconclusive, 1 not measurable');
});

test('forest plot: one row per KPI with an interval, in the target\'s unit, coloured by outcome; drawn as a PNG', async () => {
  const rows = forestRows(checks);
  assert.is(rows.length, 2);
  assert.equal([rows[0]!.low, rows[0]!.high, rows[0]!.estimate, rows[0]!.target, rows[0]!.outcome].map((x) => (typeof x === 'number' ? Math.round(x * 1e9) / 1e9 : x)), [10, 45, 30, 36.6, 'inconclusive']);
  assert.is(forestPlotSpec([]), null);
  const spec = forestPlotSpec(rows)!;
  const { renderChart } = await import('../../bench/report/render-png.ts');
  const png = renderChart(spec);
  assert.equal(pngSize(png), { width: spec.width, height: spec.height });
});

test('a workload-weighted KPI shows its per-type table (share, A mean, B mean, change) on the front page, in summary.md and on the console', async () => {
  const perType = [{ queryType: 'Q1', share: 20 / 95, baselineMeanUs: 2000, optimizedMeanUs: 1000, change: -0.5 }, { queryType: 'Q5', share: 5 / 95, baselineMeanUs: 9000, optimizedMeanUs: 90, change: -0.99 }];
  const c = intervalCheck('Query Improvement', 'query_improvement_pct > 70%', 0.4, iv(0.3, 0.5), { evidence: { perType } });
  const w = { ...v, checks: [c] } as ValidationFile;
  const page = frontPageHtml(w, null, () => html``).text;
  assert.match(page, /Query Improvement: by query type/);
  assert.match(page, /<tr><td>Q1<\/td><td>21.1%<\/td><td>2.000 ms<\/td><td>1.000 ms<\/td><td>-50.0%<\/td><\/tr>/);
  assert.ok(frontPageMarkdown(w).includes('| Q5 | 5.3% | 9.000 ms | 0.090 ms | -99.0% |'));
  const { formatChecks } = await import('../../bench/validate/checks.ts');
  assert.match(formatChecks('t', [c]), /Query Improvement by type \(share of the mix: change\): Q1 21%: -50.0%, Q5 5%: -99.0%/);
});

test('sign-off Production Ready line: ✓ yes, ✗ no, ? inconclusive, with the blocking lines', async () => {
  const { productionReadyCheck } = await import('../../bench/validate/signoff.ts');
  const open = productionReadyCheck({ verdict: 'inconclusive', reasons: ['COMBINED · Overhead: inconclusive'] }, {});
  assert.equal([open.outcome, open.pass, open.achieved], ['inconclusive', null, 'INCONCLUSIVE — COMBINED · Overhead: inconclusive']);
  assert.equal([productionReadyCheck({ verdict: 'yes', reasons: [] }, {}).outcome, productionReadyCheck({ verdict: 'no', reasons: ['x: failed'] }, {}).pass], ['pass', false]);
});

test.run();
