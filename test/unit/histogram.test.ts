import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import {
  asMicros,
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  LATENCY_HISTOGRAM_CONFIG,
  mergeEncoded,
  microsFromMillis,
  microsFromNanos,
  percentileSpectrum,
  recordMicros,
  summarize,
  type LatencyHistogram,
  type LatencySummary,
} from '../../bench/metrics/histogram.ts';

function histogramOf(values: readonly number[]): LatencyHistogram {
  const h = createLatencyHistogram();
  for (const v of values) recordMicros(h, asMicros(v));
  return h;
}

const oneToThousand = Array.from({ length: 1000 }, (_, i) => i + 1);

// Values below 2048 µs are exact at 3 significant digits; 1_000_000 µs lands in a
// 512-µs-wide bucket [999_936, 1_000_447]; above-range values clamp to the 1 h bucket.
const summaryCases: Array<{ name: string; values: number[]; expected: Omit<LatencySummary, 'stddev'>; stddev: number }> = [
  {
    name: '1..1000 µs',
    values: oneToThousand,
    expected: { count: 1000, min: asMicros(1), max: asMicros(1000), mean: asMicros(500.5), p50: asMicros(500), p90: asMicros(900), p95: asMicros(950), p99: asMicros(990), p999: asMicros(999) },
    stddev: Math.sqrt((1000 * 1000 - 1) / 12),
  },
  {
    name: 'single 1 s value (bucket resolution 512 µs)',
    values: [1_000_000],
    expected: { count: 1, min: asMicros(999_936), max: asMicros(1_000_447), mean: asMicros(1_000_192), p50: asMicros(1_000_447), p90: asMicros(1_000_447), p95: asMicros(1_000_447), p99: asMicros(1_000_447), p999: asMicros(1_000_447) },
    stddev: 0,
  },
  {
    name: '99 fast + 1 slow',
    values: [...Array.from({ length: 99 }, () => 100), 1500],
    expected: { count: 100, min: asMicros(100), max: asMicros(1500), mean: asMicros(114), p50: asMicros(100), p90: asMicros(100), p95: asMicros(100), p99: asMicros(100), p999: asMicros(1500) },
    stddev: Math.sqrt((99 * 14 * 14 + 1386 * 1386) / 100),
  },
  {
    name: 'rounding and clamping: 1.4→1, 1.6→2, −5→0',
    values: [1.4, 1.6, -5],
    expected: { count: 3, min: asMicros(0), max: asMicros(2), mean: asMicros(1), p50: asMicros(1), p90: asMicros(2), p95: asMicros(2), p99: asMicros(2), p999: asMicros(2) },
    stddev: Math.sqrt(2 / 3),
  },
  {
    name: 'above one hour clamps into the highest bucket',
    values: [5e9],
    expected: { count: 1, min: asMicros(3_598_712_832), max: asMicros(3_600_809_983), mean: asMicros(3_599_761_408), p50: asMicros(3_600_809_983), p90: asMicros(3_600_809_983), p95: asMicros(3_600_809_983), p99: asMicros(3_600_809_983), p999: asMicros(3_600_809_983) },
    stddev: 0,
  },
];

for (const c of summaryCases) {
  test(`summarize: ${c.name}`, () => {
    const s = summarize(histogramOf(c.values));
    const { stddev, ...rest } = s;
    assert.equal(rest, c.expected);
    assert.ok(Math.abs(stddev - c.stddev) < 1e-9, `stddev ${stddev} vs ${c.stddev}`);
  });
}

test('summarize: empty histogram has count 0 and NaN latencies (no data is not 0 µs)', () => {
  const s = summarize(createLatencyHistogram());
  assert.is(s.count, 0);
  for (const key of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p95', 'p99', 'p999'] as const) {
    assert.ok(Number.isNaN(s[key]), key);
  }
  assert.is(JSON.parse(JSON.stringify(s)).p99, null);
});

test('createLatencyHistogram: JS, 64-bit, fixed 1 µs..1 h range, no auto-resize', () => {
  const h = createLatencyHistogram();
  assert.is(h.autoResize, false);
  assert.is(h.highestTrackableValue, LATENCY_HISTOGRAM_CONFIG.highestTrackableValue);
  assert.is(h.numberOfSignificantValueDigits, 3);
  assert.is(h.constructor.name, 'Float64Histogram');
});

test('unit helpers', () => {
  const cases: Array<[number, number]> = [
    [microsFromMillis(1.5), 1500],
    [microsFromNanos(2_500), 2.5],
    [microsFromNanos(123_456_789n), 123_456.789],
  ];
  for (const [got, want] of cases) assert.ok(Math.abs(got - want) < 1e-9, `${got} vs ${want}`);
});

test('encode/decode round trip preserves the distribution and the config', () => {
  const h = histogramOf([3, 3, 70, 1_234, 98_765, 2_000_000]);
  const back = decodeHistogram(encodeHistogram(h));
  assert.equal(summarize(back), summarize(h));
  assert.is(back.highestTrackableValue, LATENCY_HISTOGRAM_CONFIG.highestTrackableValue);
  assert.is(back.constructor.name, 'Float64Histogram');
});

test('decodeHistogram: bad input fails with a message naming the input', () => {
  assert.throws(() => decodeHistogram('not-a-histogram'), /invalid encoded histogram "not-a-histogram"/);
});

test('mergeEncoded: N encoded histograms equal recording all values into one', () => {
  const rng = seedrandom.alea('merge');
  // Log-uniform latencies from 1 µs to ~10 s exercise many buckets.
  const values = Array.from({ length: 20_000 }, () => Math.exp(rng() * Math.log(10_000_000)));
  const all = histogramOf(values);
  const parts = Array.from({ length: 7 }, () => createLatencyHistogram());
  values.forEach((v, i) => recordMicros(parts[i % parts.length]!, asMicros(v)));
  const merged = mergeEncoded(parts.map(encodeHistogram));

  assert.is(merged.totalCount, 20_000);
  assert.equal(summarize(merged), summarize(all));
  for (let p = 0; p <= 100; p += 0.5) {
    assert.is(merged.getValueAtPercentile(p), all.getValueAtPercentile(p), `p${p}`);
  }
  assert.equal(percentileSpectrum(merged), percentileSpectrum(all));
});

test('mergeEncoded: empty list gives an empty histogram; merging is order independent', () => {
  assert.is(mergeEncoded([]).totalCount, 0);
  const a = encodeHistogram(histogramOf([1, 2, 3]));
  const b = encodeHistogram(histogramOf([500_000]));
  assert.equal(summarize(mergeEncoded([a, b])), summarize(mergeEncoded([b, a])));
});

test('percentileSpectrum: HdrHistogram tick layout for 1..1000 µs (1 tick per half distance)', () => {
  const points = percentileSpectrum(histogramOf(oneToThousand), 1);
  assert.equal(
    points.map((p) => [p.percentile, p.valueMicros, p.totalCount]),
    [
      [0, 1, 1],
      [50, 500, 500],
      [75, 750, 750],
      [87.5, 875, 875],
      [93.75, 938, 938],
      [96.875, 969, 969],
      [98.4375, 985, 985],
      [99.21875, 993, 993],
      [99.609375, 997, 997],
      [99.8046875, 999, 999],
      [99.90234375, 1000, 1000],
      [100, 1000, 1000],
    ],
  );
});

test('percentileSpectrum: monotone, ends at max, repeatable, empty for empty', () => {
  const h = histogramOf([10, 20, 20, 30, 4_000, 90_000]);
  const first = percentileSpectrum(h);
  assert.equal(percentileSpectrum(h), first);
  for (let i = 1; i < first.length; i++) {
    assert.ok(first[i]!.percentile >= first[i - 1]!.percentile);
    assert.ok(first[i]!.valueMicros >= first[i - 1]!.valueMicros);
  }
  const last = first[first.length - 1]!;
  assert.is(last.percentile, 100);
  assert.is(last.valueMicros, summarize(h).max);
  assert.equal(percentileSpectrum(createLatencyHistogram()), []);
  assert.throws(() => percentileSpectrum(h, 0), /ticksPerHalfDistance/);
});

test.run();
