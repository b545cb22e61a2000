import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatPlanAccuracy, planAccuracy } from '../../bench/validate/plan-accuracy.ts';
import type { PlanRow } from '../../bench/validate/signoff-plan.ts';

const row = (part: string, seconds: number | null): PlanRow => ({ part, step: 's', what: 'w', seconds, diskBytes: 0, peakBytes: 0, source: 'x' });

test('estimates are summed per part and set against the measured wall time; reused parts are left out', () => {
  const rows = [row('main job', 50), row('opt2', 60), row('opt2', 40), row('opt3', null), row('opt3', 90), row('opt45', 10)];
  const acc = planAccuracy(rows, { opt2: 80, opt3: 100 });
  assert.equal(acc, [
    { part: 'opt2', estimatedSec: 100, measuredSec: 80, error: 0.25 },
    { part: 'opt3', estimatedSec: 90, measuredSec: 100, error: -0.1 },
    { part: 'total', estimatedSec: 190, measuredSec: 180, error: 10 / 180 },
  ]);
  assert.match(formatPlanAccuracy(acc), /opt2\s+estimated\s+100 s, took\s+80 s \(\+25%\)/);
  assert.match(formatPlanAccuracy(acc), /opt3\s+estimated\s+90 s, took\s+100 s \(-10%\)/);
});

test('one part gives no total line; nothing measured gives nothing', () => {
  assert.equal(planAccuracy([row('opt2', 30)], { opt2: 0 }), [{ part: 'opt2', estimatedSec: 30, measuredSec: 0, error: null }]);
  assert.equal(planAccuracy([row('opt2', 30)], {}), []);
});

test.run();
