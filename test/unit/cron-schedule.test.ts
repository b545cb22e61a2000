import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cronFieldValues, runsPerHour } from '../../bench/analysis/cron-schedule.ts';

test('cron fields: lists, ranges, steps', () => {
  assert.equal([...cronFieldValues('*/15', 0, 59)], [0, 15, 30, 45]);
  assert.equal([...cronFieldValues('1-5,10', 0, 59)], [1, 2, 3, 4, 5, 10]);
  assert.equal([...cronFieldValues('5/20', 0, 59)], [5, 25, 45]);
  assert.throws(() => cronFieldValues('61', 0, 59), /outside/);
  assert.throws(() => cronFieldValues('x', 0, 59), /not a cron field/);
});

test('runs per hour of common schedules', () => {
  assert.is(runsPerHour('* * * * *'), 60);
  assert.is(runsPerHour('*/5 * * * *'), 12);
  assert.is(runsPerHour('7 * * * *'), 1);
  assert.is(runsPerHour('@hourly'), 1);
  assert.is(runsPerHour('30 3 * * *'), 1 / 24);
  assert.is(runsPerHour('@daily'), 1 / 24);
  assert.is(runsPerHour('0 4 * * 0'), 1 / 24 / 7);
  assert.is(runsPerHour('10 seconds'), 360);
  assert.throws(() => runsPerHour('every minute'), /not a cron schedule/);
});

test('names and Sunday as 7, which the hand-written parser did not read', () => {
  assert.equal([...cronFieldValues('MON-FRI', 0, 7)], [1, 2, 3, 4, 5]);
  assert.is(runsPerHour('0 6 * * MON-FRI'), 5 / 7 / 24);
  assert.is(runsPerHour('0 4 * * 7'), 1 / 24 / 7);
  assert.is(runsPerHour('0 0 1 JAN *'), (1 / 30.44) * (1 / 12) / 24);
});

test.run();
