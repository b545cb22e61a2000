import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SQL_DIR } from '../../bench/core/paths.ts';
import type { StepRates } from '../../bench/core/step-rates.ts';
import type { Manifest } from '../../bench/dataset/manifest.ts';
import { GENERATOR_VERSION } from '../../bench/dataset/model.ts';
import { baselineChecksum, loadCatalog, resolveTarget } from '../../bench/migrate/catalog.ts';
import type { LedgerRow } from '../../bench/migrate/runner.ts';
import { VALIDATORS } from '../../bench/validate/registry.ts';
import { ASSUMED, mainJobSteps, VALIDATOR_STEPS, type PlanOp, type PlanSettings } from '../../bench/validate/plan-steps.ts';
import { diskCheck, planRows, planTotals, walHeadroomBytes, type SchemaNow } from '../../bench/validate/signoff-plan.ts';
import { duration, formatDisk, formatPlanTable, formatTotals } from '../../bench/validate/plan-table.ts';
import { reuseOf } from '../../bench/validate/validation-plan.ts';

const ROWS = 1_000_000;
const at = '2026-12-07T08:00:00Z';
const m = (seconds: number) => [{ at, rows: ROWS, seconds }];
const b = (bytes: number) => [{ at, rows: ROWS, bytes }];
const RATES: StepRates = {
  'generate.copy': m(10), 'generate.indexes': m(5), verify: m(4), 'migrate.up.OPT1': m(20), 'migrate.up.OPT2': m(30),
  'size.baseline': b(100e6), 'size.OPT1': b(120e6), 'size.OPT2': b(90e6),
};
const TAGS = ['OPT1', 'OPT2'];
const S: PlanSettings = { rows: ROWS, durationSec: 20, warmupSec: 5, repetitions: 3, stress: false, embedded: true, imported: false };
const here = 'measured here 2026-12-07 (scale 0.0806)';
const slim = (rows: ReturnType<typeof planRows>) => rows.map((r) => [r.step, r.what, r.seconds, r.diskBytes, r.peakBytes]);

test('a schema built from nothing: generate, indexes, each migration, verify, a rollback, a load run', () => {
  const ops: PlanOp[] = [
    { kind: 'prepare', schema: 'geobench_a', to: 1 },
    { kind: 'verify', schema: 'geobench_a' },
    { kind: 'migrate', schema: 'geobench_a', to: 0 },
    { kind: 'load', what: 'cmp', variants: [{ schema: 'geobench_a', to: 0 }], segments: 6, segmentSec: 25 },
  ];
  const rows = planRows([{ part: 'x', ops }], TAGS, new Map(), RATES, S);
  assert.equal(slim(rows), [
    ['generate', 'geobench_a (1,000,000 rows, COPY)', 10, 100e6, 100e6],
    ['indexes', 'geobench_a (indexes + VACUUM ANALYZE)', 5, 0, 100e6],
    // the old copy is kept until the migration commits: 100 MB in use + 20 MB more + the 100 MB being rewritten
    ['OPT1 up', 'geobench_a → OPT1', 20, 20e6, 220e6],
    ['OPT2 up', 'geobench_a → OPT2', 30, -30e6, 240e6],
    ['verify', 'geobench_a', 4, 0, 90e6],
    ['OPT2 down', 'geobench_a → OPT1', 30, 30e6, 210e6],
    ['load', 'cmp: 6 segments × 25 s', 6 * (25 + ASSUMED.segmentOverheadSec) + ASSUMED.runOverheadSec, 0, 120e6],
  ]);
  assert.is(rows[0]!.source, here);
  assert.is(rows[5]!.source, `no rollback measured: as its apply, ${here}; size: ${here}`);
  assert.equal(planTotals(rows), { seconds: 10 + 5 + 20 + 30 + 4 + 30 + 178, unknownSteps: 0, peakBytes: 240e6, finalBytes: 120e6 });
});

test('schemas on the server: reused at 0 when in the wanted state, migrated from where they are, rebuilt when not reusable', () => {
  const now = new Map<string, SchemaNow>([
    ['geobench_a', { reusable: true, at: 1, bytes: 90e6 }],
    ['geobench_b', { reusable: true, at: 1, bytes: 90e6 }],
    ['geobench_c', { reusable: false, at: -1, bytes: 500e6 }],
  ]);
  const ops: PlanOp[] = [
    { kind: 'prepare', schema: 'geobench_a', to: 1 },
    { kind: 'prepare', schema: 'geobench_b', to: 0 },
    { kind: 'prepare', schema: 'geobench_c', to: -1 },
    // prepared or shown earlier in this plan: no line of its own
    { kind: 'prepare', schema: 'geobench_b', to: 0 },
    { kind: 'prepare', schema: 'geobench_a', to: 1 },
  ];
  const rows = planRows([{ part: 'x', ops }], TAGS, now, RATES, S);
  assert.equal(slim(rows), [
    ['reused', 'geobench_a already at OPT2 with the dataset', 0, 0, 0],
    ['OPT2 down', 'geobench_b → OPT1', 30, 30e6, 120e6],
    ['generate', 'geobench_c (1,000,000 rows, COPY)', 10, -400e6, 30e6],
    ['indexes', 'geobench_c (indexes + VACUUM ANALYZE)', 5, 0, -370e6],
  ]);
  assert.is(rows[0]!.source, 'the server now (manifest + ledger)');
  assert.equal(planTotals(rows), { seconds: 45, unknownSteps: 0, peakBytes: 120e6, finalBytes: -370e6 });
});

test('steps without any figure are null and counted apart; a state without a size takes the earlier one\'s', () => {
  const rates: StepRates = { 'size.baseline': b(100e6), 'generate.copy': m(10), 'generate.indexes': m(5) };
  const rows = planRows([{ part: 'x', ops: [{ kind: 'prepare', schema: 'geobench_a', to: 0 }] }], ['OPT9'], new Map(), rates, S);
  assert.equal(slim(rows)[2], ['OPT9 up', 'geobench_a → OPT9', null, 0, 200e6]);
  assert.equal(planTotals(rows).unknownSteps, 1);
  assert.is(planTotals(rows).seconds, 15);
});

test('the disk check: peak + WAL headroom against free minus the 1 GB margin; external: not checked', () => {
  const totals = { seconds: 0, unknownSteps: 0, peakBytes: 10e9, finalBytes: 10e9 };
  assert.is(walHeadroomBytes(12_400_000), 3.5e9);
  assert.is(walHeadroomBytes(124_000), 0.5e9);
  assert.is(walHeadroomBytes(124_000_000), 8 * 2 ** 30);
  assert.equal(diskCheck(totals, 12_400_000, 14e9), { peakBytes: 10e9, walBytes: 3.5e9, neededBytes: 13.5e9, freeBytes: 14e9, marginBytes: 1e9, refuse: true });
  assert.is(diskCheck(totals, 12_400_000, 14.5e9).refuse, false);
  assert.is(diskCheck(totals, 12_400_000, null).refuse, false);
  assert.is(formatDisk(diskCheck(totals, 12_400_000, 14e9), '/data'), 'disk: needs 13.50 GB (peak 10.00 GB + WAL/temp headroom 3.50 GB); free 14.00 GB on /data, 1.00 GB of it kept free: NOT ENOUGH');
  assert.is(formatDisk(diskCheck(totals, 12_400_000, null), 'db.example (external server)'), 'disk: needs 13.50 GB (peak 10.00 GB + WAL/temp headroom 3.50 GB); db.example (external server): the free space cannot be checked from here, not checked');
});

const catalog = loadCatalog(SQL_DIR);
const idx = (tag: string): number => resolveTarget(catalog, tag);
const last = catalog.length - 1;

test('every validator of the sign-off has its steps, and no steps belong to an unknown validator', () => {
  const parts = Object.keys(VALIDATORS).filter((n) => n !== 'signoff');
  assert.equal(Object.keys(VALIDATOR_STEPS).sort(), [...parts].sort());
});

test('opt2 steps: its schema at OPT1, verified, OPT2 applied, rolled back and re-applied with a verify each, then the comparison; small buffers only on the embedded cluster', () => {
  const ops = VALIDATOR_STEPS.opt2!(idx, S, last);
  assert.equal(ops.map((o) => o.kind), ['prepare', 'verify', 'migrate', 'verify', 'migrate', 'verify', 'migrate', 'verify', 'load', 'fixed', 'load']);
  assert.equal(ops.filter((o) => o.kind === 'migrate').map((o) => (o as { to: number }).to), [idx('OPT2'), idx('OPT1'), idx('OPT2')]);
  assert.equal(ops[8], { kind: 'load', what: 'standard workload, OPT1 vs OPT1+OPT2', variants: [{ schema: 'geobench_state_a', to: idx('OPT1') }, { schema: 'geobench_state_b', to: idx('OPT2') }], segments: 6, segmentSec: 25 });
  assert.is(VALIDATOR_STEPS.opt2!(idx, { ...S, embedded: false }, last).length, 9);
  assert.is((ops[10] as { segmentSec: number }).segmentSec, 13);
});

test('combined steps: capacity (one short repetition), the comparison, maintenance; stress only with --stress', () => {
  const ops = VALIDATOR_STEPS.combined!(idx, S, last);
  assert.equal(ops.map((o) => o.kind), ['load', 'load', 'refresh']);
  assert.equal((ops[0] as { variants: unknown }).variants, [{ schema: 'geobench_state_b', to: idx('OPT1') }, { schema: 'geobench_state_a', to: last }]);
  assert.equal([(ops[0] as { segments: number }).segments, (ops[1] as { segments: number }).segments], [2, 6]);
  assert.is(VALIDATOR_STEPS.combined!(idx, { ...S, stress: true }, last).at(-1)!.kind, 'fixed');
});

test('main job steps: generate, verify, all up, verify, all down, verify', () => {
  assert.equal(mainJobSteps('geobench', 4).map((o) => [o.kind, 'to' in o ? o.to : null]), [['generate', null], ['verify', null], ['migrate', 4], ['verify', null], ['migrate', -1], ['verify', null]]);
});

const baseSum = baselineChecksum(SQL_DIR);
const manifest = (over: Partial<Manifest> = {}): Manifest => ({
  status: 'complete', seed: 1, scale: 0.1, totalRows: 1_240_000, chunkRows: 10_000, generatorVersion: GENERATOR_VERSION, workers: 1,
  checksum: { rows: 1_240_000, hash: 'h' } as unknown as Manifest['checksum'], chunks: [], startedAt: new Date(0), completedAt: new Date(0),
  loadSeconds: 1, indexSeconds: 1, note: null, source: null, ...over,
});
const ledger = (applied: number, baseline = baseSum): LedgerRow[] => [
  { version: '0000000000', tag: 'baseline', name: 'baseline_schema', checksum: baseline, applied_at: new Date(0), duration_ms: '1', after_commit_ms: '0' },
  ...catalog.slice(0, applied).map((c) => ({ version: c.version, tag: c.tag, name: c.name, checksum: c.checksum, applied_at: new Date(0), duration_ms: '1', after_commit_ms: '0' })),
];

test('reuseOf: the checks prepareSchema makes (seed, rows, generator, baseline checksum, ledger)', () => {
  const want = { scale: 0.1, seed: 1 };
  assert.equal(reuseOf(manifest(), ledger(2), want, catalog, baseSum), { reusable: true, at: 1 });
  assert.equal(reuseOf(manifest(), ledger(0), want, catalog, baseSum), { reusable: true, at: -1 });
  assert.equal(reuseOf(manifest({ seed: 2 }), ledger(2), want, catalog, baseSum), { reusable: false, at: -1 });
  assert.equal(reuseOf(manifest({ status: 'incomplete' }), ledger(2), want, catalog, baseSum), { reusable: false, at: -1 });
  assert.equal(reuseOf(manifest(), ledger(2), { scale: 0.2, seed: 1 }, catalog, baseSum), { reusable: false, at: -1 });
  assert.equal(reuseOf(manifest(), ledger(2, 'other'), want, catalog, baseSum), { reusable: false, at: -1 });
  const edited = ledger(2).map((r, i) => (i === 1 ? { ...r, checksum: 'edited' } : r));
  assert.equal(reuseOf(manifest(), edited, want, catalog, baseSum), { reusable: false, at: -1 });
  assert.equal(reuseOf(undefined, [], want, catalog, baseSum), { reusable: false, at: -1 });
});

test('the plan as text: aligned columns, a subtotal per part, durations, signed GB', () => {
  const row = (part: string, step: string, seconds: number | null, diskBytes: number) => ({ part, step, what: `${step} w`, seconds, diskBytes, peakBytes: 0, source: 'src' });
  assert.is(formatPlanTable([row('a', 'generate', 7.25, 1.5e9), row('a', 'OPT3 down', 75, -0.25e9), row('bb', 'load', null, 0)]), [
    'part  step       what         time        disk      source of the figure',
    'a     generate   generate w   7.3 s       +1.50 GB  src',
    'a     OPT3 down  OPT3 down w  1 min 15 s  −0.25 GB  src',
    '                 a in all     1 min 22 s  +1.25 GB',
    'bb    load       load w       ?           0         src',
    '                 bb in all    0.0 s       0',
  ].join('\n'));
  assert.equal([duration(0), duration(59.4), duration(3600 * 2 + 61)], ['0.0 s', '59 s', '2 h 1 min']);
  assert.equal([duration(9.96), duration(59.6), duration(1259.6), duration(3599.7)], ['10 s', '1 min 0 s', '21 min 0 s', '1 h 0 min'], 'rounded once, then split');
  assert.is(formatTotals({ seconds: 4000, unknownSteps: 2, peakBytes: 3e9, finalBytes: 2e9 }), 'estimated total: 1 h 6 min (2 steps without any figure, not counted); disk in use above now: peak +3.00 GB, +2.00 GB at the end');
});

test.run();
