import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startRateFrom } from '../../bench/stress/probe.ts';

test('the ramp starts at a quarter of the closed-loop throughput, 3 significant digits', () => {
  assert.is(startRateFrom(1234, 3.125, 20000), 309);
  assert.is(startRateFrom(80, 3.125, 20000), 20);
});

test('the start rate stays within [floor, max-rate]', () => {
  assert.is(startRateFrom(4, 3.125, 20000), 3.13);
  assert.is(startRateFrom(100000, 3.125, 5000), 5000);
});

test.run();
