/**
 * The one latency-histogram module of the load engine.
 *
 * Every latency in geobench is recorded as integer microseconds into an
 * HdrHistogram built by {@link createLatencyHistogram}. Workers ship histograms
 * as compressed base64 strings ({@link encodeHistogram}); the coordinator
 * merges them ({@link mergeEncoded}) and reduces them to numbers
 * ({@link summarize}, {@link percentileSpectrum}).
 *
 * Always the pure-JS implementation: JS and WASM histograms cannot be added to
 * each other, so mixing them would make merging fail at run time.
 */
import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  JsHistogram,
} from 'hdr-histogram-js';

export { asMicros, microsFromMillis, microsFromNanos, microsToMillis, type Micros } from '../core/units.ts';
import { asMicros, type Micros } from '../core/units.ts';
import type { LatencySummaryRecord } from '../formats/run-records.ts';

/** A latency histogram: JS HdrHistogram whose recorded values are integer µs. */
export type LatencyHistogram = JsHistogram;

/**
 * Configuration shared by every latency histogram.
 *
 * - 1 µs lowest discernible value: the recording unit.
 * - 1 hour highest trackable value: far above any statement timeout, and
 *   costs only ~22 buckets (≈190 KB of 64-bit counters).
 * - 3 significant digits: ≤0.1 % value error, the HdrHistogram default.
 * - 64-bit (float64) counters: counts stay exact up to 2^53, so merging
 *   many long intervals never overflows an int32 bucket.
 * - autoResize off: all histograms share the exact same bucket layout, so
 *   `add` takes the fast array-add path, encodings are comparable, and an
 *   out-of-range value cannot silently grow memory; {@link recordMicros}
 *   clamps instead (see there).
 */
export const LATENCY_HISTOGRAM_CONFIG = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000_000,
  numberOfSignificantValueDigits: 3,
  bitBucketSize: 64,
  autoResize: false,
} as const;

const MAX_MICROS = LATENCY_HISTOGRAM_CONFIG.highestTrackableValue;

/** Creates an empty latency histogram with {@link LATENCY_HISTOGRAM_CONFIG}. */
export function createLatencyHistogram(): LatencyHistogram {
  const h = build({ ...LATENCY_HISTOGRAM_CONFIG, useWebAssembly: false });
  return asJs(h);
}

/**
 * Records one latency. Rounds to the nearest integer µs (HdrHistogram only
 * records integers), clamps negatives (clock steps) to 0 and values above one
 * hour to the highest trackable value — a lower bound, never a throw in the
 * middle of a measurement loop.
 */
export function recordMicros(h: LatencyHistogram, value: Micros): void {
  const rounded = Math.round(value);
  h.recordValue(rounded < 0 ? 0 : rounded > MAX_MICROS ? MAX_MICROS : rounded);
}

/** Encodes a histogram as HdrHistogram V2 compressed base64 (interoperable with Java/Go/Rust tools). */
export function encodeHistogram(h: LatencyHistogram): string {
  return encodeIntoCompressedBase64(h);
}

/**
 * Decodes a compressed base64 histogram into a JS histogram with 64-bit counters.
 * @throws Error naming the problem if the string is not a V2 compressed histogram.
 */
export function decodeHistogram(encoded: string): LatencyHistogram {
  let decoded: unknown;
  try {
    decoded = decodeFromCompressedBase64(encoded, LATENCY_HISTOGRAM_CONFIG.bitBucketSize, false);
  } catch (err) {
    const head = encoded.length > 24 ? `${encoded.slice(0, 24)}…` : encoded;
    throw new Error(`invalid encoded histogram "${head}": ${(err as Error).message}`);
  }
  return asJs(decoded);
}

/**
 * Merges encoded histograms into one fresh latency histogram. Lossless at
 * histogram resolution: the result equals recording every value into one
 * histogram. An empty list gives an empty histogram.
 */
export function mergeEncoded(list: readonly string[]): LatencyHistogram {
  const merged = createLatencyHistogram();
  for (const encoded of list) merged.add(decodeHistogram(encoded));
  return merged;
}

/**
 * Summary statistics of a latency histogram, all latencies in µs.
 *
 * `min`/`max` follow HdrHistogram's getMinValue/getMaxValue: the lowest /
 * highest value equivalent to the recorded extreme at histogram resolution,
 * so a merged histogram summarizes identically to one that recorded all
 * values directly. Percentiles are the highest equivalent value of their bucket.
 * When `count` is 0 every latency field is NaN (JSON: null) — no data is not 0 µs.
 */
export type LatencySummary = LatencySummaryRecord;

/** Reduces a histogram to a {@link LatencySummary}. */
export function summarize(h: LatencyHistogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) {
    const none = asMicros(Number.NaN);
    return { count, min: none, max: none, mean: none, stddev: none, p50: none, p90: none, p95: none, p99: none, p999: none };
  }
  const at = (p: number): Micros => asMicros(h.getValueAtPercentile(p));
  return {
    count,
    // Percentile 0 yields the lowest equivalent value of the first non-empty bucket, including 0 µs.
    min: at(0),
    max: asMicros(h.highestEquivalentValue(h.maxValue)),
    mean: asMicros(h.mean),
    stddev: asMicros(h.stdDeviation),
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
  };
}

/** One point of a latency-by-percentile spectrum. */
export interface SpectrumPoint {
  /** Percentile level in [0, 100]. */
  percentile: number;
  /** Latency at that level (highest equivalent value). */
  valueMicros: Micros;
  /** Number of recorded values ≤ valueMicros. */
  totalCount: number;
}

/**
 * Latency-by-percentile points like HdrHistogram's `outputPercentileDistribution`:
 * ticks get exponentially denser towards 100 % (`ticksPerHalfDistance` points
 * per halving of the distance to 100 %), ending with the 100 % (max) point.
 * Plot x as 1/(1 − percentile/100) on a log axis for the classic chart.
 * Empty histogram → empty array.
 */
export function percentileSpectrum(h: LatencyHistogram, ticksPerHalfDistance = 5): SpectrumPoint[] {
  if (!Number.isInteger(ticksPerHalfDistance) || ticksPerHalfDistance < 1) {
    throw new Error(`ticksPerHalfDistance must be a positive integer, got ${ticksPerHalfDistance}`);
  }
  const points: SpectrumPoint[] = [];
  if (h.totalCount === 0) return points;
  // The iterator is a shared instance on the histogram; reset() makes this re-entrant per call.
  const it = h.percentileIterator;
  it.reset(ticksPerHalfDistance);
  while (it.hasNext()) {
    const v = it.next();
    points.push({
      percentile: v.percentileLevelIteratedTo,
      valueMicros: asMicros(v.valueIteratedTo),
      totalCount: v.totalCountToThisValue,
    });
  }
  return points;
}

function asJs(h: unknown): LatencyHistogram {
  if (!(h instanceof JsHistogram)) throw new Error('expected a pure-JS HdrHistogram (WASM histograms cannot be merged with JS ones)');
  return h;
}
