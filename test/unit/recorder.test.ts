import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IntervalRecorder } from '../../bench/load/recorder.ts';
import { decodeHistogram } from '../../bench/metrics/histogram.ts';

const S = 1_000_000; // µs

test('operations belong to the interval of their start; an interval is flushed only when nothing of it is in flight', () => {
  const r = new IntervalRecorder('v', 1, 10 * S, 13 * S, false);
  assert.is(r.intervalOf(9.9 * S), -1, 'warmup is not measured');
  assert.is(r.intervalOf(10 * S), 0);
  assert.is(r.intervalOf(12.999 * S), 2);
  assert.is(r.intervalOf(13 * S), -1, 'after the window is not measured');
  r.begin(0);
  r.begin(0);
  r.success(0, 'Q1', 1500);
  assert.equal(r.flushReady(11.5 * S), [], 'one op of interval 0 still in flight');
  r.failure(0, 'Q1', 'timeout');
  r.begin(1);
  r.success(1, 'Q3', 800);
  const flushed = r.flushReady(11.5 * S);
  assert.is(flushed.length, 1);
  assert.is(flushed[0]!.intervalIndex, 0);
  assert.is(flushed[0]!.timeouts, 1);
  assert.is(decodeHistogram(flushed[0]!.encoded).totalCount, 1);
  assert.is(flushed[0]!.late, undefined, 'closed model reports no late/dropped');
  assert.equal(r.flushReady(11.9 * S), [], 'interval 1 has not ended yet');
  const rest = r.flushAll();
  assert.equal(rest.map((x) => [x.intervalIndex, x.queryType]), [[1, 'Q3']]);
});

test('open model reports late and dropped per interval; ops outside the window are ignored', () => {
  const r = new IntervalRecorder('v', 2, 0, 2 * S, true);
  r.begin(0);
  r.success(0, 'Q1', 100_000, true);
  r.dropped(0, 'Q1');
  r.success(-1, 'Q1', 5); // warmup
  r.dropped(-1, 'Q1');
  const [report] = r.flushAll();
  assert.is(report!.late, 1);
  assert.is(report!.dropped, 1);
  assert.is(report!.repetition, 2);
  assert.is(decodeHistogram(report!.encoded).maxValue >= 100_000, true);
});

test.run();
