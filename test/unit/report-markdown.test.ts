import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kpiRowsFromChecks, kpiRowsFromRun } from '../../bench/report/kpi-table.ts';
import { comparisonMarkdown, kpiTableMarkdown, summaryMarkdown } from '../../bench/report/summary-markdown.ts';
import type { Comparison } from '../../bench/analysis/compare.ts';
import type { ValidationFile } from '../../bench/formats/validation-file.ts';
import { fixtureResult, fixtureValidation } from './report-fixture.ts';

test('KPI table in Markdown: one row per KPI, pipes escaped', () => {
  const rows = kpiRowsFromRun(fixtureResult().kpis);
  const lines = kpiTableMarkdown([...rows, { ...rows[0]!, metric: 'a | b' }]);
  assert.equal(lines.slice(0, 5), [
    '| Metric | Scope | Target | Achieved | Result |',
    '|---|---|---|---|---|',
    '| p99 fast | opt1 · Q1 | p99 &lt; 50ms | 1.5ms | ✓ pass |',
    '| never ran | opt1 · Q9 | p99 &lt; 10ms | not measured | not measured |',
    '| too slow | opt1 · all operations | throughput &gt; 1000000 | 2000 | ✗ FAIL |',
  ]);
  assert.is(lines[5], '| a \\| b | opt1 · Q1 | p99 &lt; 50ms | 1.5ms | ✓ pass |');
});

test('headline comparison: overall and all operations first, per query type folded', () => {
  const c = fixtureResult().comparisons[0] as Comparison;
  const lines = comparisonMarkdown(c);
  assert.match(lines[0]!, /^\*\*opt1 vs baseline\*\*/);
  const overall = lines.find((l) => l.startsWith('| overall (geometric mean) |'))!;
  const o = c.overall.metrics;
  assert.ok(overall, 'overall row');
  assert.ok(overall.includes(`${o.p99.change! < 0 ? '−' : '+'}${Math.abs(o.p99.change! * 100).toFixed(1)}%`), overall);
  assert.match(overall, /\[[+−]\d+\.\d%, [+−]\d+\.\d%\]/, 'a CI with two repetitions');
  assert.ok(lines.indexOf('<details><summary>Per query type</summary>') > lines.indexOf(overall));
  assert.ok(lines.some((l) => l.startsWith('| Q1 |')) && lines.some((l) => l.startsWith('| W1 |')));
});

test('summary.md: title, facts, KPIs of run and validator, comparisons, files', () => {
  const result = fixtureResult();
  const validation = fixtureValidation('result.json') as unknown as ValidationFile;
  const kpiRows = [...kpiRowsFromRun(result.kpis), ...kpiRowsFromChecks(validation.checks)];
  const md = summaryMarkdown({ title: 'geobench — fixture', result, validation, kpiRows, folder: 'results/x', files: ['report.html', 'charts/kpi-table.png'] });
  assert.match(md, /^## geobench — fixture\n/);
  assert.match(md, /run \*\*complete\*\* · scenario `fixture` · scale 0\.001, seed 7 · commit abc123 · PostgreSQL 15\.18 · PostGIS 3\.3\.2 · 2 CPUs · OPT2\\_COLUMNAR\\_STORAGE\\_VALIDATOR: \*\*NOT all targets hold\*\*/);
  assert.match(md, /### KPIs \(2 pass, 2 fail, 2 not measured, 1 not measurable\)/);
  assert.match(md, /\| Query Speedup \| validator \| p99\\_change &lt; -20% \| not measured \| not measured \|/);
  assert.match(md, /### Headline comparisons/);
  assert.match(md, /### Files\n\nIn `results\/x`:\n\n- `report\.html`\n- `charts\/kpi-table\.png`\n/);
});

test('summary.md of a validation folder without a run: KPI table only', () => {
  const validation = fixtureValidation(null) as unknown as ValidationFile;
  const md = summaryMarkdown({ title: 't', result: null, validation, kpiRows: kpiRowsFromChecks(validation.checks), folder: 'f', files: [] });
  assert.match(md, /### KPIs/);
  assert.not.match(md, /Headline comparisons/);
});

test.run();
