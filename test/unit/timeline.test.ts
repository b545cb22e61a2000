import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { asMicros, createLatencyHistogram, encodeHistogram, recordMicros, summarize } from '../../bench/metrics/histogram.ts';
import {
  ALL_QUERY_TYPES,
  buildTimelines,
  findTimeline,
  mergeIntervals,
  validateReports,
  type IntervalReport,
} from '../../bench/metrics/timeline.ts';

function enc(values: readonly number[]): string {
  const h = createLatencyHistogram();
  for (const v of values) recordMicros(h, asMicros(v));
  return encodeHistogram(h);
}

function report(p: Partial<IntervalReport> & { values: number[] }): IntervalReport {
  const { values, ...rest } = p;
  return { variant: 'baseline', repetition: 1, queryType: 'Q1', intervalIndex: 0, errors: 0, timeouts: 0, ...rest, encoded: enc(values) };
}

// Two workers (A, B) report the same intervals; values are < 2048 µs so percentiles are exact.
const reports: IntervalReport[] = [
  report({ intervalIndex: 0, values: [100, 200, 300], errors: 1 }), // worker A
  report({ intervalIndex: 0, values: [400], timeouts: 1 }), // worker B
  report({ intervalIndex: 1, values: [1000, 2000] }), // worker A
  report({ queryType: 'Q2', intervalIndex: 0, values: [50] }),
  report({ queryType: 'Q2', intervalIndex: 2, values: [1500], errors: 2 }),
];

test('per-interval points merge workers and are dense up to the measured duration', () => {
  const q1 = findTimeline(buildTimelines(reports, { measuredSec: 4 }), { variant: 'baseline', repetition: 1, queryType: 'Q1' })!;
  assert.equal(
    q1.intervals.map((p) => [p.index, p.startSec, p.ops, p.errors, p.timeouts, p.p50, p.p99, p.max]),
    [
      [0, 0, 4, 1, 1, 200, 400, 400],
      [1, 1, 2, 0, 0, 1000, 2000, 2000],
      [2, 2, 0, 0, 0, NaN, NaN, NaN],
      [3, 3, 0, 0, 0, NaN, NaN, NaN],
    ],
  );
  assert.is(q1.intervals[0]!.mean, 250);
});

test('totals: lossless merged summary, throughput over measured duration, error rate', () => {
  const timelines = buildTimelines(reports, { measuredSec: 4 });
  const table: Array<{ q: string; ops: number; errors: number; timeouts: number; p50: number; max: number; throughput: number; errorRate: number }> = [
    { q: 'Q1', ops: 6, errors: 1, timeouts: 1, p50: 300, max: 2000, throughput: 1.5, errorRate: 2 / 8 },
    { q: 'Q2', ops: 2, errors: 2, timeouts: 0, p50: 50, max: 1500, throughput: 0.5, errorRate: 2 / 4 },
    { q: ALL_QUERY_TYPES, ops: 8, errors: 3, timeouts: 1, p50: 300, max: 2000, throughput: 2, errorRate: 4 / 12 },
  ];
  for (const row of table) {
    const t = findTimeline(timelines, { variant: 'baseline', repetition: 1, queryType: row.q })!;
    assert.is(t.totals.ops, row.ops, row.q);
    assert.is(t.totals.errors, row.errors, row.q);
    assert.is(t.totals.timeouts, row.timeouts, row.q);
    assert.is(t.totals.latency.p50, row.p50, row.q);
    assert.is(t.totals.latency.max, row.max, row.q);
    assert.is(t.totals.measuredSec, 4);
    assert.is(t.totals.throughputOpsPerSec, row.throughput, row.q);
    assert.ok(Math.abs(t.totals.errorRate - row.errorRate) < 1e-12, row.q);
  }
});

test('the all-query-types total equals recording every value into one histogram', () => {
  const h = createLatencyHistogram();
  for (const v of [100, 200, 300, 400, 1000, 2000, 50, 1500]) recordMicros(h, asMicros(v));
  const all = findTimeline(buildTimelines(reports, { measuredSec: 3 }), { variant: 'baseline', repetition: 1, queryType: ALL_QUERY_TYPES })!;
  assert.equal(all.totals.latency, summarize(h));
  assert.equal(all.intervals.map((p) => p.ops), [5, 2, 1]);
});

test('late/dropped are null for closed-model reports and summed when present', () => {
  const closed = buildTimelines(reports, { measuredSec: 3 })[0]!;
  assert.is(closed.totals.late, null);
  assert.is(closed.totals.dropped, null);
  const open = buildTimelines(
    [
      report({ intervalIndex: 0, values: [10], late: 3, dropped: 0 }),
      report({ intervalIndex: 0, values: [20], late: 2 }),
      report({ intervalIndex: 1, values: [30], late: 0, dropped: 4 }),
    ],
    { measuredSec: 2 },
  )[0]!;
  assert.equal(open.intervals.map((p) => [p.late, p.dropped]), [[5, 0], [0, 4]]);
  assert.is(open.totals.late, 5);
  assert.is(open.totals.dropped, 4);
});

test('output order is deterministic: variant, repetition, query type, aggregate last', () => {
  const many = [
    report({ variant: 'opt', repetition: 2, queryType: 'Q2', values: [1] }),
    report({ variant: 'opt', repetition: 1, queryType: 'Q1', values: [1] }),
    report({ variant: 'baseline', repetition: 1, queryType: 'Q3', values: [1] }),
    report({ variant: 'baseline', repetition: 1, queryType: 'Q1', values: [1] }),
  ];
  const keys = (rs: IntervalReport[]) => buildTimelines(rs, { measuredSec: 1 }).map((t) => `${t.key.variant}/${t.key.repetition}/${t.key.queryType}`);
  const expected = ['baseline/1/Q1', 'baseline/1/Q3', 'baseline/1/*', 'opt/1/Q1', 'opt/1/*', 'opt/2/Q2', 'opt/2/*'];
  assert.equal(keys(many), expected);
  assert.equal(keys([...many].reverse()), expected);
});

test('pooled repetitions: one timeline per variant, duration summed per repetition', () => {
  const rs = [
    report({ repetition: 1, values: [100, 100] }),
    report({ repetition: 2, values: [300] }),
    report({ repetition: 2, intervalIndex: 1, values: [500] }),
  ];
  const durations: Record<number, number> = { 1: 2, 2: 3 };
  const pooled = buildTimelines(rs, { measuredSec: (_v, rep) => durations[rep]!, poolRepetitions: true });
  assert.equal(pooled.map((t) => [t.key.repetition, t.key.queryType]), [[null, 'Q1'], [null, ALL_QUERY_TYPES]]);
  const q1 = pooled[0]!;
  assert.is(q1.totals.ops, 4);
  assert.is(q1.totals.measuredSec, 5);
  assert.is(q1.totals.throughputOpsPerSec, 0.8);
  // Dense up to the longest repetition (3 s).
  assert.equal(q1.intervals.map((p) => p.ops), [3, 1, 0]);
});

test('intervalSec scales interval start times and the dense range', () => {
  const t = buildTimelines([report({ intervalIndex: 1, values: [7] })], { measuredSec: 30, intervalSec: 10 })[0]!;
  assert.equal(t.intervals.map((p) => [p.index, p.startSec, p.ops]), [[0, 0, 0], [1, 10, 1], [2, 20, 0]]);
});

test('mergeIntervals: one merged histogram per (interval, variant, repetition, query type)', () => {
  const merged = mergeIntervals(reports);
  assert.equal(
    merged.map((m) => [m.intervalIndex, m.queryType, m.histogram.totalCount, m.errors, m.timeouts]),
    [
      [0, 'Q1', 4, 1, 1],
      [0, 'Q2', 1, 0, 0],
      [1, 'Q1', 2, 0, 0],
      [2, 'Q2', 1, 2, 0],
    ],
  );
});

const invalid: Array<[string, unknown, RegExp]> = [
  ['negative errors', { ...reports[0], errors: -1 }, /invalid interval report #0.*errors/s],
  ['fractional interval', { ...reports[0], intervalIndex: 1.5 }, /intervalIndex/],
  ['reserved query type', { ...reports[0], queryType: '*' }, /reserved/],
  ['missing encoded', { ...reports[0], encoded: undefined }, /encoded/],
];
for (const [name, bad, pattern] of invalid) {
  test(`validation rejects ${name}`, () => {
    assert.throws(() => validateReports([bad]), pattern);
    assert.throws(() => buildTimelines([bad], { measuredSec: 1 }), pattern);
  });
}

test('options are validated', () => {
  assert.throws(() => buildTimelines(reports, { measuredSec: 0 }), /measured duration of baseline repetition 1/);
  assert.throws(() => buildTimelines(reports, { measuredSec: 1, intervalSec: 0 }), /intervalSec/);
  assert.equal(buildTimelines([], { measuredSec: 1 }), []);
});

test.run();
