import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEvents, placeEvents } from '../../bench/report/events.ts';

const segments = [
  { variant: 'baseline', repetition: 1, measuredSec: 10, measureStartedAt: '2026-01-01T00:00:00Z' },
  { variant: 'opt5', repetition: 1, measuredSec: 10, measureStartedAt: '2026-01-01T00:00:20Z' },
  { variant: 'opt5', repetition: 2, measuredSec: 10 },
];

test('parseEvents: valid ones kept, invalid ones named and skipped, absent = none', () => {
  assert.equal(parseEvents(undefined, 'result.json'), { events: [], problems: [] });
  const { events, problems } = parseEvents([
    { at: 3, label: 'VACUUM' },
    { at: '2026-01-01T00:00:25Z', label: 'REFRESH', variant: 'opt5', repetition: 1 },
    { at: -1, label: 'x' },
    { at: 'yesterday', label: 'x' },
    { at: 1 },
    'nope',
    { at: 1, label: 'x', repetition: 0 },
  ], 'events.json');
  assert.equal(events.map((e) => [e.at, e.label, e.variant, e.repetition]), [[3, 'VACUUM', null, null], ['2026-01-01T00:00:25Z', 'REFRESH', 'opt5', 1]]);
  assert.is(problems.length, 5);
  assert.match(problems[0]!, /^events\.json: events\[2\] needs "at"/);
  assert.match(parseEvents({}, 'r').problems[0]!, /must be an array/);
});

test('placeEvents: seconds go on every matching segment; ISO only where the segment clock is known', () => {
  const { events } = parseEvents([
    { at: 3, label: 'all' },
    { at: 3, label: 'only opt5 rep 2', variant: 'opt5', repetition: 2 },
    { at: 30, label: 'too late' },
    { at: '2026-01-01T00:00:25Z', label: 'iso in opt5 rep 1' },
    { at: '2026-01-01T00:00:15Z', label: 'iso between segments' },
    { at: '2026-01-01T00:00:25Z', label: 'iso, no clock', variant: 'opt5', repetition: 2 },
    { at: 1, label: 'unknown variant', variant: 'opt9' },
  ], 'x');
  const { placed, unplaced } = placeEvents(events, segments);
  assert.equal(placed.map((p) => [p.event.label, p.variant, p.repetition, p.atSec]), [
    ['all', 'baseline', 1, 3], ['all', 'opt5', 1, 3], ['all', 'opt5', 2, 3],
    ['only opt5 rep 2', 'opt5', 2, 3],
    ['iso in opt5 rep 1', 'opt5', 1, 5],
  ]);
  assert.equal(unplaced.map((u) => u.event.label), ['too late', 'iso between segments', 'iso, no clock', 'unknown variant']);
  assert.match(unplaced[2]!.reason, /measureStartedAt/);
});

test.run();
