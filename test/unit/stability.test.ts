import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stability } from '../../bench/validate/stability.ts';

test('stability counts dropped operations against the intended ones', () => {
  // 9,900 answered, 10 errors, 5 timeouts, 85 dropped by the open-model scheduler: 100 of 10,000 lost
  assert.equal(stability({ ops: 9900, errors: 10, timeouts: 5, dropped: 85, late: 400 }), { share: 0.99, intended: 10_000, failed: 100 });
  // the same run judged without its dropped operations would have passed 99.5%
  assert.ok(1 - 15 / 9915 > 0.995);
});

test('closed model (no dropped counter), nothing intended', () => {
  assert.equal(stability({ ops: 995, errors: 5, timeouts: 0, dropped: null }), { share: 0.995, intended: 1000, failed: 5 });
  assert.equal(stability({ ops: 0, errors: 0, timeouts: 0, dropped: 0 }), { share: null, intended: 0, failed: 0 });
  assert.equal(stability({ ops: 0, errors: 0, timeouts: 0, dropped: 7 }), { share: 0, intended: 7, failed: 7 });
});

test.run();
