import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { balancedOrder, planRun, splitConnections } from '../../bench/load/plan.ts';
import { validateScenario } from '../../bench/scenario/load.ts';
import { GeobenchError } from '../../bench/core/errors.ts';
import { assertRoutesAvailable } from '../../bench/load/prepare.ts';
import { routedQueryType, queryType } from '../../bench/queries/index.ts';
import type { Migration } from '../../bench/migrate/catalog.ts';

const base = {
  name: 'unit',
  description: 'unit test scenario',
  dataset: { scale: 0.001, seed: 7 },
  variants: [{ name: 'baseline', migrateTo: 'baseline' }, { name: 'opt1', migrateTo: 'OPT1' }],
  workload: { Q1: 3, Q3: 1 },
  load: { model: 'closed', connections: 3 },
  durationSec: 5,
  kpis: [{ scope: 'Q1', target: 'p99_change < -10%' }],
};

const issuesOf = (raw: unknown): string => {
  try {
    validateScenario(raw, 'x.ts');
  } catch (err) {
    assert.instance(err, GeobenchError);
    assert.is((err as GeobenchError).exitCode, 2);
    return (err as Error).message;
  }
  throw new Error('expected a validation error');
};

test('a valid scenario gets its defaults', () => {
  const s = validateScenario(base, 'x.ts');
  assert.is(s.warmupSec, 5);
  assert.is(s.repetitions, 1);
  assert.is(s.statementTimeoutMs, 30_000);
  assert.is(s.kpis[0]!.scope, 'Q1');
});

test('invalid scenarios are rejected with the path of every bad field', () => {
  assert.match(issuesOf({ ...base, load: { model: 'closed', connections: 0 } }), /load\.connections: .*>=1/);
  assert.match(issuesOf({ ...base, load: { model: 'open', connections: 2 } }), /load\.rate: /);
  assert.match(issuesOf({ ...base, dataset: { scale: -1, seed: 7 } }), /dataset\.scale: /);
  assert.match(issuesOf({ ...base, durationSec: undefined }), /durationSec: /);
  assert.match(issuesOf({ ...base, extra: 1 }), /Unrecognized key/);
  assert.match(issuesOf({ ...base, variants: [base.variants[0], base.variants[0]] }), /variants\.1\.name: duplicate variant name 'baseline'/);
  assert.match(issuesOf({ ...base, workload: { Q9: 1 } }), /unknown query type\(s\) Q9 \(known: Q1, Q2/);
  assert.match(issuesOf({ ...base, kpis: [{ target: 'p99 <' }] }), /kpis\.0\.target: invalid KPI target "p99 <"/);
  assert.match(issuesOf({ ...base, kpis: [{ target: 'speed > 3' }] }), /kpis\.0\.target: unknown metric 'speed'/);
  assert.match(issuesOf({ ...base, kpis: [{ scope: 'Q7', target: 'p99 < 1ms' }] }), /kpis\.0\.scope: 'Q7' is not overall, all or a query type/);
  assert.match(issuesOf({ ...base, baseline: 'nope' }), /baseline: 'nope' is not one of the variants/);
  assert.match(issuesOf({ ...base, variants: [{ ...base.variants[0], schema: 'geobench_opt1' }, base.variants[1]] }), /variants\.1\.schema: variants baseline and opt1 would share schema geobench_opt1/);
  assert.match(issuesOf({ ...base, variants: [{ ...base.variants[0], schema: 'public' }, base.variants[1]] }), /variants\.0\.schema: one of geobench's own schemas/);
});

test('a variant may name the schema it lives in (the validators\' shared states)', () => {
  const plan = planRun(validateScenario({ ...base, variants: [{ ...base.variants[0], schema: 'geobench_state_b' }, base.variants[1]] }, 'x.ts'), {});
  assert.equal(plan.variants.map((v) => v.schema), ['geobench_state_b', 'geobench_opt1']);
});

test('the plan interleaves variants in every repetition, order balanced (A B, B A) and recorded, and splits connections over workers', () => {
  const plan = planRun(validateScenario({ ...base, repetitions: 2 }, 'x.ts'), {}, 2);
  assert.equal(plan.segments.map((s) => `${s.repetition}${s.variant}`), ['1baseline', '1opt1', '2opt1', '2baseline']);
  assert.equal(plan.segments.map((s) => [s.index, s.orderInRepetition]), [[0, 0], [1, 1], [2, 0], [3, 1]]);
  assert.equal(plan.workerConnections, [2, 1]);
  assert.is(plan.dataset.totalRows, 12_400);
  assert.equal(plan.variants.map((v) => v.schema), ['geobench_baseline', 'geobench_opt1']);
  assert.is(plan.baseline, 'baseline');
  assert.is(plan.kpis[0]!.variant, 'opt1', 'KPIs judge the last (optimized) variant by default');
  assert.is(plan.kpis[0]!.target.value, -0.1);
});

test('CLI overrides: --rate switches to the open model, --variants selects, unknown variants are refused', () => {
  const s = validateScenario(base, 'x.ts');
  const open = planRun(s, { rate: 500, connections: 4, durationSec: 2, warmupSec: 0, repetitions: 3 }, 2);
  assert.equal(open.load, { model: 'open', rate: 500, arrival: 'poisson', connections: 4, lateAfterMs: 10, skipAfterMs: undefined });
  assert.is(open.segments.length, 6);
  assert.is(open.durationSec, 2);
  assert.is(open.warmupSec, 0);
  const one = planRun(s, { variants: ['opt1'] }, 2);
  assert.equal(one.variants.map((v) => v.name), ['opt1']);
  assert.is(one.baseline, 'opt1');
  assert.throws(() => planRun(s, { variants: ['opt9'] }), /unknown variant\(s\) opt9/);
});

test('routes: a variant answers a query type by its route; unknown routes and types outside the workload are refused', () => {
  const routed = { ...base, workload: { Q1: 1, Q7: 1 }, variants: [{ name: 'before', migrateTo: 'OPT2' }, { name: 'after', migrateTo: 'OPT3', routes: { Q7: 'mv' } }] };
  const plan = planRun(validateScenario(routed, 'x.ts'), {}, 2);
  assert.equal(plan.variants.map((v) => v.routes), [{}, { Q7: 'mv' }]);
  const q7 = routedQueryType('Q7', 'mv');
  assert.is(q7.name, 'Q7');
  assert.match(q7.sql, /vw_geometrias_layer_day/);
  assert.is(routedQueryType('Q7').sql, queryType('Q7').sql);
  assert.match(issuesOf({ ...routed, variants: [{ name: 'a', migrateTo: 'OPT3', routes: { Q7: 'nope' } }] }), /variants\.0\.routes\.Q7: query type Q7 has no route 'nope'; its routes: mv/);
  assert.match(issuesOf({ ...routed, variants: [{ name: 'a', migrateTo: 'OPT3', routes: { Q5: 'rpc' } }] }), /variants\.0\.routes\.Q5: Q5 is not in the workload/);
  assert.match(issuesOf({ ...routed, variants: [{ name: 'a', migrateTo: 'OPT3', routes: { Q3: 'rpc' } }], workload: { Q3: 1 } }), /Q3 has no route 'rpc'; it has no routes/);
});

test('routes: a variant migrated below the route\'s migration is refused before anything is built', () => {
  const catalog = ['OPT1', 'OPT2', 'OPT3'].map((tag, i) => ({ tag, version: `177047${i}000`, name: tag.toLowerCase() }) as unknown as Migration);
  const plan = (migrateTo: string) => planRun(validateScenario({ ...base, kpis: [], workload: { Q7: 1 }, variants: [{ name: 'x', migrateTo, routes: { Q7: 'mv' } }] }, 'x.ts'), {}, 2);
  assertRoutesAvailable(plan('OPT3'), catalog);
  try {
    assertRoutesAvailable(plan('OPT2'), catalog);
    assert.unreachable('should refuse');
  } catch (err) {
    assert.instance(err, GeobenchError);
    assert.match((err as Error).message, /variant x: route Q7 → mv needs OPT3, but the variant is migrated to OPT2/);
  }
});

test('splitConnections spreads connections evenly and never makes idle workers', () => {
  assert.equal(splitConnections(5, 2), [3, 2]);
  assert.equal(splitConnections(1, 4), [1]);
  assert.equal(splitConnections(8, 3), [3, 3, 2]);
});

test('balancedOrder alternates scenario order and its reverse (ABBA), for any number of variants', () => {
  assert.equal([1, 2, 3, 4].map((r) => balancedOrder(['A', 'B'], r).join('')), ['AB', 'BA', 'AB', 'BA']);
  assert.equal([1, 2].map((r) => balancedOrder(['A', 'B', 'C'], r).join('')), ['ABC', 'CBA']);
  assert.equal(balancedOrder(['A'], 2), ['A']);
  // Over each pair of repetitions every variant is measured first once and second once.
  const plan = planRun(validateScenario({ ...base, repetitions: 4 }, 'x.ts'), {}, 2);
  for (const v of ['baseline', 'opt1']) {
    assert.equal(plan.segments.filter((s) => s.variant === v).map((s) => s.orderInRepetition), v === 'baseline' ? [0, 1, 0, 1] : [1, 0, 1, 0]);
  }
});

test.run();
