import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseKpiTarget } from '../../bench/analysis/kpi.ts';
import { capacityChange } from '../../bench/stress/capacity.ts';
import { capacityChangeCheck } from '../../bench/validate/stress-step.ts';

const target = parseKpiTarget('capacity_change >= 250%');
const cap = (low: number, high: number) => ({ kind: 'capacity' as const, low, high, estimate: Math.sqrt(low * high) });

test('an interval straddling the target is the shared inconclusive outcome with its interval, not an info row', () => {
  // [300/110 − 1, 400/90 − 1] = [1.727…, 3.444…] straddles 2.5.
  const c = capacityChangeCheck(capacityChange('opt', cap(300, 400), 'base', cap(90, 110), target), 20);
  assert.is(c.outcome, 'inconclusive');
  assert.is(c.pass, null);
  assert.equal([c.interval?.low, c.interval?.high], [300 / 110 - 1, 400 / 90 - 1]);
  assert.is(c.value, Math.sqrt(300 * 400) / Math.sqrt(90 * 110) - 1);
  assert.is(c.interval?.n, 20);
});

test('the whole interval above the target passes; below it fails', () => {
  assert.is(capacityChangeCheck(capacityChange('opt', cap(400, 440), 'base', cap(90, 100), target), 20).outcome, 'pass');
  assert.is(capacityChangeCheck(capacityChange('opt', cap(100, 110), 'base', cap(90, 100), target), 20).outcome, 'fail');
});

test('an open end (the variant not reached at max-rate) keeps the three outcomes, without an interval object', () => {
  const c = capacityChangeCheck(capacityChange('opt', { kind: 'not-reached', low: 500 }, 'base', cap(90, 100), target), 20);
  assert.is(c.outcome, 'pass'); // 500/100 − 1 = 400% ≥ 250% already at the low end
  assert.is(c.interval, undefined);
  const open = capacityChangeCheck(capacityChange('opt', { kind: 'not-reached', low: 200 }, 'base', cap(90, 100), target), 20);
  assert.is(open.outcome, 'inconclusive');
  assert.is(open.pass, null);
});

test.run();
