import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { targetCheck } from '../../bench/validate/checks.ts';
import { maintenanceSteps, STANDARD_WRITE_SHARE, withMaintenanceFailures } from '../../bench/validate/maintenance-cost.ts';

const S = 's';
const JOBS = [
  ['partman-maintenance', '5 * * * *'], ['constraint-check', '35 * * * *'], ['analyze', '15 2 * * *'], ['vacuum', '15 3 * * *'],
  ['refresh-by_layer', '2,17,32,47 * * * *'], ['refresh-layer_tag', '7,22,37,52 * * * *'], ['refresh-layer_day', '12 * * * *'], ['refresh-tile', '27 * * * *'], ['refresh-search', '42 * * * *'],
].map(([n, schedule]) => ({ jobname: `${S}:${n}`, schedule: schedule! }));

test('W1 is 5 of the standard mix\'s 100 operations', () => {
  assert.is(STANDARD_WRITE_SHARE, 0.05);
});

test('each job is timed after its own interval\'s writes at the production load, shortest interval first', () => {
  // 100 ops/s × 5% writes = 5 rows/s: 4,500 per 15 min, 18,000 per hour, 432,000 per day
  const steps = maintenanceSteps(JOBS, 100, 0.05);
  assert.equal(steps.map((s) => [s.jobname.slice(2), s.intervalSec, s.windowRows, s.write]), [
    ['refresh-by_layer', 900, 4500, 4500],
    ['refresh-layer_tag', 900, 4500, 0],
    ['constraint-check', 3600, 18_000, 13_500],
    ['partman-maintenance', 3600, 18_000, 0],
    ['refresh-layer_day', 3600, 18_000, 0],
    ['refresh-search', 3600, 18_000, 0],
    ['refresh-tile', 3600, 18_000, 0],
    ['analyze', 86_400, 432_000, 414_000],
    ['vacuum', 86_400, 432_000, 0],
  ]);
  assert.is(steps.reduce((s, x) => s + x.write, 0), 432_000);
  // on a dataset of scale 0.1 the window keeps production's proportion to the table: a tenth of the rows
  assert.equal(maintenanceSteps(JOBS, 100, 0.05, 0.1).map((s) => s.windowRows), [450, 450, 1800, 1800, 1800, 1800, 1800, 43_200, 43_200]);
  assert.throws(() => maintenanceSteps([{ jobname: 'x', schedule: 'whenever' }], 100, 0.05));
});

test('a maintenance job that errors fails the overhead KPI with its error', () => {
  const passing = targetCheck('Overhead Reduction', 'overhead_reduction >= 36.6%', 0.5);
  assert.is(passing.pass, true);
  assert.is(withMaintenanceFailures(passing, { failures: [] }), passing);
  const failed = withMaintenanceFailures(passing, { failures: ['s:vacuum: canceling statement due to lock timeout'] });
  assert.is(failed.pass, false);
  assert.is(failed.value, 0.5);
  assert.is(failed.note, 'maintenance job failed: s:vacuum: canceling statement due to lock timeout');
});

test.run();
