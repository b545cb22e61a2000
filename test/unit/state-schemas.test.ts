import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SQL_DIR } from '../../bench/core/paths.ts';
import type { StepRates } from '../../bench/core/step-rates.ts';
import { loadCatalog, resolveTarget } from '../../bench/migrate/catalog.ts';
import { VALIDATOR_STEPS, type PlanSettings } from '../../bench/validate/plan-steps.ts';
import { planRows } from '../../bench/validate/signoff-plan.ts';
import { STATE_SCHEMA_OF, stateSchema } from '../../bench/validate/state-schemas.ts';

const catalog = loadCatalog(SQL_DIR);
const tags = catalog.map((m) => m.tag);
const idx = (tag: string): number => resolveTarget(catalog, tag);
const last = catalog.length - 1;
const S: PlanSettings = { rows: 1_000_000, durationSec: 10, warmupSec: 2, repetitions: 3, stress: true, embedded: true, imported: false };
const RATES: StepRates = {};
const SIGNOFF = ['opt2', 'opt3', 'opt45', 'combined'];

test('the two variants each validator compares live in different schemas', () => {
  for (const v of ['opt2', 'opt3', 'combined']) assert.is.not(stateSchema(`${v}_before`), stateSchema(`${v}_after`), v);
  assert.equal(new Set(Object.keys(STATE_SCHEMA_OF).map(stateSchema)), new Set(['geobench_state_a', 'geobench_state_b']));
  assert.throws(() => stateSchema('opt9_after'), /no state schema/);
});

test('a sign-off from an empty server loads the dataset twice and reaches every other state by migrations', () => {
  const rows = planRows(SIGNOFF.map((part) => ({ part, ops: VALIDATOR_STEPS[part]!(idx, S, last) })), tags, new Map(), RATES, S);
  assert.equal(rows.filter((r) => r.step === 'generate').map((r) => [r.part, r.what.split(' ')[0]]), [['opt2', 'geobench_state_b'], ['opt2', 'geobench_state_a']]);
  // Every state a validator needs, in order, with the migrations between: no schema is rebuilt.
  const migrations = rows.filter((r) => / (up|down)$/.test(r.step)).map((r) => `${r.part} ${r.what}`);
  assert.equal(migrations, [
    'opt2 geobench_state_b → OPT1', 'opt2 geobench_state_b → OPT2', 'opt2 geobench_state_b → OPT1', 'opt2 geobench_state_b → OPT2',
    'opt2 geobench_state_a → OPT1',
    'opt3 geobench_state_a → OPT2', 'opt3 geobench_state_a → OPT3',
    'opt45 geobench_state_a → OPT4', 'opt45 geobench_state_a → OPT5',
    // opt45's rollback round trip (to OPT3, to OPT1, back to OPT5)
    'opt45 geobench_state_a → OPT4', 'opt45 geobench_state_a → OPT3', 'opt45 geobench_state_a → OPT2', 'opt45 geobench_state_a → OPT1',
    'opt45 geobench_state_a → OPT2', 'opt45 geobench_state_a → OPT3', 'opt45 geobench_state_a → OPT4', 'opt45 geobench_state_a → OPT5',
    'combined geobench_state_b → OPT1',
  ]);
});

test('a second sign-off on the states the first left: nothing generated, the states re-reached by migrations', () => {
  const now = new Map([
    ['geobench_state_a', { reusable: true, at: idx('OPT5'), bytes: 0 }],
    ['geobench_state_b', { reusable: true, at: idx('OPT1'), bytes: 0 }],
  ]);
  const rows = planRows(SIGNOFF.map((part) => ({ part, ops: VALIDATOR_STEPS[part]!(idx, S, last) })), tags, now, RATES, S);
  assert.is(rows.filter((r) => r.step === 'generate').length, 0);
  assert.ok(rows.some((r) => r.step === 'reused' && r.what.startsWith('geobench_state_b already at OPT1')));
});

test.run();
