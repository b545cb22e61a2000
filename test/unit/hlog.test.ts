import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listTags } from 'hdr-histogram-js';
import { asMicros, createLatencyHistogram, encodeHistogram, recordMicros, summarize } from '../../bench/metrics/histogram.ts';
import { formatTag, parseTag, readHistogramLog, writeHistogramLog } from '../../bench/metrics/hlog.ts';
import { mergeIntervals, type IntervalReport } from '../../bench/metrics/timeline.ts';

function enc(values: readonly number[]): string {
  const h = createLatencyHistogram();
  for (const v of values) recordMicros(h, asMicros(v));
  return encodeHistogram(h);
}

const START_MS = 1_700_000_000_123;

const reports: IntervalReport[] = [
  { variant: 'baseline', repetition: 1, queryType: 'Q1', intervalIndex: 0, encoded: enc([120, 130, 5_000]), errors: 0, timeouts: 0 },
  { variant: 'baseline', repetition: 1, queryType: 'Q1', intervalIndex: 0, encoded: enc([140]), errors: 1, timeouts: 0 },
  { variant: 'baseline', repetition: 1, queryType: 'Q2', intervalIndex: 0, encoded: enc([2_500_000]), errors: 0, timeouts: 0 },
  { variant: 'opt-1', repetition: 2, queryType: 'Q1', intervalIndex: 1, encoded: enc([90, 95]), errors: 0, timeouts: 0 },
  { variant: 'baseline', repetition: 1, queryType: 'Q1', intervalIndex: 3, encoded: enc([777]), errors: 0, timeouts: 0 },
];

const tagCases: Array<[{ variant: string; repetition: number; queryType: string }, string]> = [
  [{ variant: 'baseline', repetition: 1, queryType: 'Q1' }, 'variant=baseline;rep=1;q=Q1'],
  [{ variant: 'OPT1+OPT2', repetition: 0, queryType: 'knn_100' }, 'variant=OPT1+OPT2;rep=0;q=knn_100'],
  [{ variant: 'v1.2-rc:a', repetition: 12, queryType: 'bbox.small' }, 'variant=v1.2-rc:a;rep=12;q=bbox.small'],
];
for (const [key, tag] of tagCases) {
  test(`formatTag/parseTag: ${tag}`, () => {
    assert.is(formatTag(key), tag);
    assert.equal(parseTag(tag), key);
  });
}

const badTags: Array<[{ variant: string; repetition: number; queryType: string }, RegExp]> = [
  [{ variant: 'my variant', repetition: 1, queryType: 'Q1' }, /variant "my variant" cannot be used/],
  [{ variant: 'a,b', repetition: 1, queryType: 'Q1' }, /variant "a,b"/],
  [{ variant: 'base', repetition: 1, queryType: 'q=1' }, /query type "q=1"/],
  [{ variant: 'base', repetition: 1, queryType: 'a;b' }, /query type "a;b"/],
  [{ variant: 'base', repetition: -1, queryType: 'Q1' }, /repetition -1/],
];
for (const [key, pattern] of badTags) {
  test(`formatTag rejects ${JSON.stringify(key)}`, () => {
    assert.throws(() => formatTag(key), pattern);
  });
}

test('parseTag: foreign tags are null', () => {
  for (const t of ['', 'NO TAG', 'foo', 'variant=a;q=Q1', 'variant=a;rep=x;q=Q1']) assert.is(parseTag(t), null, t);
});

test('written log: header, one merged line per (interval, key), tags without commas/spaces', () => {
  const text = writeHistogramLog(reports, { startTimeMs: START_MS, comments: ['geobench run 42'] });
  const lines = text.split('\n');
  assert.equal(lines.slice(0, 6), [
    '#[Histogram log format version 1.3]',
    '#geobench run 42',
    '#[values in microseconds; Interval_Max in milliseconds]',
    '#[StartTime: 1700000000.123 (seconds since epoch), 2023-11-14T22:13:20.123Z]',
    '#[BaseTime: 1700000000.123 (seconds since epoch)]',
    '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"',
  ]);
  // Interval_Max (ms) is the highest equivalent value of the merged max: 5000 µs → 5003, 2.5 s → 2500.607 ms.
  const data = lines.filter((l) => l.startsWith('Tag='));
  assert.equal(
    data.map((l) => l.split(',').slice(0, 4).join(',')),
    [
      'Tag=variant=baseline;rep=1;q=Q1,0.000,1.000,5.003',
      'Tag=variant=baseline;rep=1;q=Q2,0.000,1.000,2500.607',
      'Tag=variant=opt-1;rep=2;q=Q1,1.000,1.000,0.095',
      'Tag=variant=baseline;rep=1;q=Q1,3.000,1.000,0.777',
    ],
  );
  assert.equal(listTags(text), ['variant=baseline;rep=1;q=Q1', 'variant=baseline;rep=1;q=Q2', 'variant=opt-1;rep=2;q=Q1']);
});

test('round trip: every interval histogram and timestamp survives', () => {
  const text = writeHistogramLog(reports, { startTimeMs: START_MS, intervalSec: 1 });
  const parsed = readHistogramLog(text);
  assert.is(parsed.startTimeMs, START_MS);
  const expected = mergeIntervals(reports);
  assert.is(parsed.intervals.length, expected.length);
  parsed.intervals.forEach((got, i) => {
    const want = expected[i]!;
    assert.equal(got.key, { variant: want.variant, repetition: want.repetition, queryType: want.queryType });
    assert.is(got.startOffsetSec, want.intervalIndex);
    assert.is(got.lengthSec, 1);
    assert.equal(summarize(got.histogram), summarize(want.histogram));
  });
});

test('round trip with 10 s intervals', () => {
  const parsed = readHistogramLog(writeHistogramLog(reports, { startTimeMs: START_MS, intervalSec: 10 }));
  assert.equal(parsed.intervals.map((i) => [i.startOffsetSec, i.lengthSec]), [[0, 10], [0, 10], [10, 10], [30, 10]]);
});

test('reader accepts a foreign untagged log without StartTime', () => {
  const line = `0.000,1.000,0.500,${enc([500])}`;
  const parsed = readHistogramLog(`#comment\n${line}\n\n`);
  assert.is(parsed.startTimeMs, null);
  assert.is(parsed.intervals.length, 1);
  assert.is(parsed.intervals[0]!.tag, null);
  assert.is(parsed.intervals[0]!.key, null);
  assert.is(summarize(parsed.intervals[0]!.histogram).max, 500);
});

test('empty report list gives a header-only log that reads back empty', () => {
  const parsed = readHistogramLog(writeHistogramLog([], { startTimeMs: 0 }));
  assert.equal(parsed, { startTimeMs: 0, intervals: [] });
});

test('writer validates its input', () => {
  assert.throws(() => writeHistogramLog(reports, { startTimeMs: START_MS, comments: ['a\nb'] }), /single line/);
  assert.throws(() => writeHistogramLog(reports, { startTimeMs: Number.NaN }), /startTimeMs/);
  assert.throws(() => writeHistogramLog(reports, { startTimeMs: START_MS, intervalSec: -1 }), /intervalSec/);
  assert.throws(() => writeHistogramLog([{ ...reports[0]!, variant: 'has space' }], { startTimeMs: START_MS }), /variant "has space"/);
});

test.run();
