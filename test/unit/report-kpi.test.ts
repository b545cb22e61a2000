import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatAchieved, kpiRowsFromChecks, kpiRowsFromRun, kpiTableHtml, kpiTally, NOT_MEASURED } from '../../bench/report/kpi-table.ts';
import { fixtureResult, fixtureValidation } from './report-fixture.ts';
import type { Check } from '../../bench/validate/checks.ts';

test('formatAchieved: canonical units back in the unit the target is written in; null = not measured', () => {
  const cases: Array<[string, number | null, string]> = [
    ['p99 < 350ms', 212_400, '212.4ms'],
    ['p99 < 1s', 1_499_999, '1.5s'],
    ['error_rate < 1%', 0.0042, '0.42%'],
    ['throughput > 100', 1981.25, '1981'],
    ['p99 < 350ms', null, NOT_MEASURED],
    ['not a target', 12.34567, '12.35'],
  ];
  for (const [target, achieved, expected] of cases) assert.is(formatAchieved({ target, achieved }), expected, `${target} ${achieved}`);
});

test('run KPIs: pass, fail, and a null achieved value shown as "not measured", never a number', () => {
  const rows = kpiRowsFromRun(fixtureResult().kpis);
  assert.equal(rows.map((r) => [r.metric, r.scope, r.target, r.achieved, r.verdict]), [
    ['p99 fast', 'opt1 · Q1', 'p99 < 50ms', '1.5ms', 'pass'],
    ['never ran', 'opt1 · Q9', 'p99 < 10ms', 'not measured', 'not measured'],
    ['too slow', 'opt1 · all operations', 'throughput > 1000000', '2000', 'fail'],
  ]);
});

test('validator checks: a target without a value is "not measured" whatever its text says; not measurable and info lines', () => {
  const checks = fixtureValidation(null).checks as Check[];
  const rows = kpiRowsFromChecks(checks);
  assert.equal(rows.map((r) => [r.metric, r.target, r.achieved, r.verdict]), [
    ['Storage Reduction', 'storage_reduction > 35%', '20%', 'fail'],
    ['Query Speedup', 'p99_change < -20%', 'not measured', 'not measured'],
    ['Compression Ratio', '3x', 'not measurable', 'not measurable'],
    ['Rollback tested', 'yes', 'rolled back in 2 s', 'pass'],
    ['Cache hit ratio', null, '99.1% → 99.3%', 'info'],
  ]);
  assert.is(rows[2]!.note, 'no columnar AM in PG15');
  assert.is(kpiTally(rows), '1 pass, 1 fail, 1 not measured, 1 not measurable');
});

test('KPI table HTML: target and achieved side by side, verdict classes, "not measured" row', () => {
  const rows = kpiRowsFromRun(fixtureResult().kpis);
  const table = kpiTableHtml(rows).text;
  assert.match(table, /<th>Target<\/th><th>Achieved<\/th><th>Result<\/th>/);
  assert.match(table, /<td class="target">p99 &lt; 10ms<\/td>\s*<td class="achieved">not measured<\/td>\s*<td class="verdict">not measured<\/td>/);
  assert.match(table, /<tr class="verdict-pass">[\s\S]*?1\.5ms[\s\S]*?✓ pass/);
  assert.match(table, /<tr class="verdict-fail">[\s\S]*?✗ FAIL/);
  assert.match(kpiTableHtml([]).text, /No KPI targets/);
});

test.run();
