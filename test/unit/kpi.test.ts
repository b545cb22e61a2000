import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatInUnit, judge, parseKpiTarget, parseKpiTargets, type KpiTarget } from '../../bench/analysis/kpi.ts';

const parseCases: Array<[string, Omit<KpiTarget, 'source'>]> = [
  ['p99 < 350ms', { metric: 'p99', op: '<', value: 350_000, unit: 'µs', displayUnit: 'ms' }],
  ['throughput > 4500', { metric: 'throughput', op: '>', value: 4500, unit: 'ops/s', displayUnit: '' }],
  ['storage_reduction > 35%', { metric: 'storage_reduction', op: '>', value: 0.35, unit: 'fraction', displayUnit: '%' }],
  ['error_rate <= 0.5%', { metric: 'error_rate', op: '<=', value: 0.005, unit: 'fraction', displayUnit: '%' }],
  ['error_rate<=0.7%', { metric: 'error_rate', op: '<=', value: 0.007, unit: 'fraction', displayUnit: '%' }],
  ['  P95 >= 1.5 s ', { metric: 'p95', op: '>=', value: 1_500_000, unit: 'µs', displayUnit: 's' }],
  ['p99.9 < 800us', { metric: 'p99.9', op: '<', value: 800, unit: 'µs', displayUnit: 'us' }],
  ['mean <= 12µs', { metric: 'mean', op: '<=', value: 12, unit: 'µs', displayUnit: 'µs' }],
  ['mean <= 12μs', { metric: 'mean', op: '<=', value: 12, unit: 'µs', displayUnit: 'µs' }],
  ['index_build_time < 2min', { metric: 'index_build_time', op: '<', value: 120_000_000, unit: 'µs', displayUnit: 'min' }],
  ['throughput >= 1200.5 ops/s', { metric: 'throughput', op: '>=', value: 1200.5, unit: 'ops/s', displayUnit: 'ops/s' }],
  ['index_count <= 3', { metric: 'index_count', op: '<=', value: 3, unit: 'none', displayUnit: '' }],
];
for (const [text, want] of parseCases) {
  test(`parse "${text}"`, () => {
    assert.equal(parseKpiTarget(text), { source: text.trim(), ...want });
  });
}

const badCases: Array<[string, RegExp]> = [
  ['p99 = 350ms', /invalid KPI target "p99 = 350ms": expected "<metric> <op> <number>\[unit\]"/],
  ['p99 ≤ 350ms', /invalid KPI target "p99 ≤ 350ms"/],
  ['p99 < 350', /invalid KPI target "p99 < 350": latency metric "p99" needs a time unit/],
  ['p99 < 35%', /"p99 < 35%": latency metric "p99" needs a time unit/],
  ['throughput > 4500ms', /"throughput > 4500ms": throughput is in ops\/s, not "ms"/],
  ['error_rate <= 0.5', /"error_rate <= 0.5": "error_rate" is a percentage and needs a % unit/],
  ['storage_reduction > 35 ms', /needs a % unit/],
  ['p99 < -5ms', /invalid KPI target "p99 < -5ms"/],
  ['p99 < 350ms and p50 < 1ms', /invalid KPI target/],
  ['p99 < 350 hours', /invalid KPI target/],
  ['< 350ms', /invalid KPI target "< 350ms"/],
  ['', /invalid KPI target ""/],
  ['p99 < .5ms', /invalid KPI target/],
];
for (const [text, pattern] of badCases) {
  test(`reject "${text}"`, () => assert.throws(() => parseKpiTarget(text), pattern));
}

test('parseKpiTargets names the position of the bad string', () => {
  assert.is(parseKpiTargets(['p99 < 350ms', 'throughput > 4500']).length, 2);
  assert.throws(() => parseKpiTargets(['p99 < 350ms', 'p99 <']), /KPI target #2: invalid KPI target "p99 <"/);
});

const t = (s: string) => parseKpiTarget(s);
const judgeCases: Array<[string, number | undefined, boolean | null, string]> = [
  ['p99 < 350ms', 212_400, true, 'p99 < 350ms: 212.4ms (pass)'],
  ['p99 < 350ms', 350_000, false, 'p99 < 350ms: 350ms (FAIL)'],
  ['p99 <= 350ms', 350_000, true, 'p99 <= 350ms: 350ms (pass)'],
  ['p99 < 350ms', 1_234_567, false, 'p99 < 350ms: 1234.567ms (FAIL)'],
  ['p99 < 350ms', undefined, null, 'p99 < 350ms: not measured'],
  ['p99 < 350ms', Number.NaN, null, 'p99 < 350ms: not measured'],
  ['throughput > 4500', 4500, false, 'throughput > 4500: 4500 (FAIL)'],
  ['throughput > 4500', 4800.25, true, 'throughput > 4500: 4800.25 (pass)'],
  ['throughput >= 4500', 4500, true, 'throughput >= 4500: 4500 (pass)'],
  ['storage_reduction > 35%', 0.41, true, 'storage_reduction > 35%: 41% (pass)'],
  ['storage_reduction > 35%', 0.35, false, 'storage_reduction > 35%: 35% (FAIL)'],
  ['storage_reduction > 35%', undefined, null, 'storage_reduction > 35%: not measured'],
  ['error_rate <= 0.5%', 0.005, true, 'error_rate <= 0.5%: 0.5% (pass)'],
  ['error_rate <= 0.7%', 7 / 1000, true, 'error_rate <= 0.7%: 0.7% (pass)'],
  ['error_rate <= 0.5%', 0.0051, false, 'error_rate <= 0.5%: 0.51% (FAIL)'],
  ['error_rate <= 0.5%', 0, true, 'error_rate <= 0.5%: 0% (pass)'],
  ['error_rate <= 0.5%', 0.0000004, true, 'error_rate <= 0.5%: 0.00004% (pass)'],
  ['p95 >= 1.5 s', 1_499_999, false, 'p95 >= 1.5 s: 1.499999s (FAIL)'],
  ['p99.9 < 800us', 799, true, 'p99.9 < 800us: 799us (pass)'],
  ['index_build_time < 2min', 90_000_000, true, 'index_build_time < 2min: 1.5min (pass)'],
];
for (const [target, measured, pass, text] of judgeCases) {
  test(`judge "${target}" with ${measured}`, () => {
    const v = judge(t(target), measured);
    assert.is(v.pass, pass);
    assert.is(v.achieved, measured === undefined || Number.isNaN(measured) ? null : measured);
    assert.is(v.text, text);
    assert.equal(v.target, t(target));
  });
}

test('formatInUnit converts back to the written unit', () => {
  const cases: Array<[number, string, string]> = [
    [350_000, 'p99 < 1ms', '350ms'],
    [2_500_000, 'p99 < 1s', '2.5s'],
    [0.1234, 'error_rate < 1%', '12.34%'],
    [4500, 'throughput > 1 ops/s', '4500ops/s'],
  ];
  for (const [value, target, want] of cases) assert.is(formatInUnit(value, t(target)), want);
});

test('relative changes may be negative and need %; other metrics may not be negative', () => {
  const t = parseKpiTarget('p99_change < -20%');
  assert.is(t.metric, 'p99_change');
  assert.is(t.value, -0.2);
  assert.is(t.unit, 'fraction');
  assert.is(judge(t, -0.35).pass, true);
  assert.is(judge(t, -0.1).pass, false);
  assert.throws(() => parseKpiTarget('p99_change < -20'), /needs a % unit/);
  assert.throws(() => parseKpiTarget('p99 < -5ms'), /only relative changes/);
  assert.throws(() => parseKpiTarget('storage_reduction > -1%'), /only relative changes/);
});

test.run();
