/**
 * The numbers behind the charts, taken from a parsed result file. Pure: every chart is a function
 * of these series. Latencies come out in milliseconds, sizes in bytes.
 */
import { mergeEncoded, percentileSpectrum } from '../metrics/histogram.ts';
import { ALL_QUERY_TYPES, type Timeline } from '../metrics/timeline.ts';
import type { RunResult } from '../formats/run-result.ts';
import type { SchemaSizes } from '../evidence/sizes.ts';
import { byQueryType } from '../output/format.ts';

/** Percentile range of the spectrum chart ("nines" axis). */
export const SPECTRUM_MIN_PERCENTILE = 50;
export const SPECTRUM_MAX_PERCENTILE = 99.99;

export interface SpectrumPoint {
  readonly percentile: number;
  readonly ms: number;
}

export interface SpectrumSeries {
  readonly variant: string;
  /** `histogram`: every recorded latency (merged HdrHistograms); `summary`: p50/p90/p95/p99/p99.9 only. */
  readonly source: 'histogram' | 'summary';
  readonly count: number;
  readonly points: readonly SpectrumPoint[];
}

export interface TimePoint {
  /** Middle of the interval, seconds since the measurement start (0.5 for the first second). */
  readonly sec: number;
  /** null for an interval with no completed operation (a gap in the line, never 0). */
  readonly value: number | null;
}

export interface TimeSeries {
  readonly variant: string;
  readonly repetition: number;
  readonly points: readonly TimePoint[];
}

export interface SizeBar {
  readonly variant: string;
  readonly tableHeapBytes: number;
  readonly tableToastBytes: number;
  readonly tableIndexBytes: number;
  readonly viewBytes: number;
  readonly viewIndexBytes: number;
  readonly totalBytes: number;
  readonly partitions: number;
  readonly indexes: ReadonlyArray<{ readonly relation: string; readonly name: string; readonly method: string; readonly bytes: number }>;
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const usToMs = (us: unknown): number | null => (finite(us) ? us / 1000 : null);

export const variantNames = (r: RunResult): string[] => {
  const names = r.variants.map((v) => v.name);
  for (const v of r.results.variants) if (!names.includes(v.variant)) names.push(v.variant);
  return names;
};

/** Query types with results, sorted, the `*` aggregate last. */
export function queryTypes(r: RunResult): string[] {
  const set = new Set<string>();
  for (const v of r.results.variants) for (const q of Object.keys(v.byQueryType ?? {})) set.add(q);
  for (const t of r.results.timelines) set.add(t.key.queryType);
  return [...set].sort(byQueryType);
}

/** Per-repetition timelines (pooled ones, repetition null, are skipped). */
const perRepetition = (r: RunResult, variant: string, queryType: string): Timeline[] =>
  r.results.timelines.filter((t) => t.key.variant === variant && t.key.queryType === queryType && t.key.repetition !== null).sort((a, b) => a.key.repetition! - b.key.repetition!);

/**
 * Latency by percentile for one query type, one series per variant, pooled over repetitions by
 * merging their histograms (exact at histogram resolution). A variant without encoded histograms
 * falls back to the five percentiles of its summary.
 */
export function spectrumSeries(r: RunResult, queryType: string): SpectrumSeries[] {
  const out: SpectrumSeries[] = [];
  for (const variant of variantNames(r)) {
    const encoded = perRepetition(r, variant, queryType).map((t) => t.totals?.encoded).filter((e): e is string => typeof e === 'string' && e.length > 0);
    if (encoded.length > 0) {
      const h = mergeEncoded(encoded);
      if (h.totalCount === 0) continue;
      const points = percentileSpectrum(h, 5)
        .filter((p) => p.percentile >= SPECTRUM_MIN_PERCENTILE && p.percentile <= SPECTRUM_MAX_PERCENTILE)
        .map((p) => ({ percentile: p.percentile, ms: p.valueMicros / 1000 }));
      if (points.length === 0 || points[points.length - 1]!.percentile < SPECTRUM_MAX_PERCENTILE) {
        points.push({ percentile: SPECTRUM_MAX_PERCENTILE, ms: h.getValueAtPercentile(SPECTRUM_MAX_PERCENTILE) / 1000 });
      }
      out.push({ variant, source: 'histogram', count: h.totalCount, points });
      continue;
    }
    const latency = r.results.variants.find((v) => v.variant === variant)?.byQueryType?.[queryType]?.latency;
    if (!latency || !(latency.count > 0)) continue;
    const levels: Array<[number, unknown]> = [[50, latency.p50], [90, latency.p90], [95, latency.p95], [99, latency.p99], [99.9, latency.p999]];
    const points = levels.filter(([, v]) => finite(v)).map(([percentile, v]) => ({ percentile, ms: (v as number) / 1000 }));
    if (points.length) out.push({ variant, source: 'summary', count: latency.count, points });
  }
  return out;
}

/**
 * Length in seconds of each interval of a per-repetition timeline: the interval step (1 s by
 * default), except the last one, which ends with the measurement (a 2.5 s run has a 0.5 s last one).
 */
export function intervalLengths(t: Timeline): number[] {
  const step = t.intervals.length > 1 ? t.intervals[1]!.startSec - t.intervals[0]!.startSec : 1;
  const end = finite(t.totals?.measuredSec) ? t.totals.measuredSec : Number.POSITIVE_INFINITY;
  return t.intervals.map((i) => Math.max(0, Math.min(step, end - i.startSec)));
}

/** p50 and p99 of all operations per second of measurement, one series per repetition. */
export function latencyOverTime(r: RunResult, variant: string): { p50: TimeSeries[]; p99: TimeSeries[] } {
  const tls = perRepetition(r, variant, ALL_QUERY_TYPES);
  const series = (pick: 'p50' | 'p99'): TimeSeries[] =>
    tls.map((t) => {
      const lengths = intervalLengths(t);
      return { variant, repetition: t.key.repetition!, points: t.intervals.map((i, n) => ({ sec: i.startSec + lengths[n]! / 2, value: usToMs(i[pick]) })) };
    });
  return { p50: series('p50'), p99: series('p99') };
}

/**
 * Completed operations per second of all query types, one series per (variant, repetition). The
 * last interval of a segment may be shorter than a second; its rate uses its real length.
 */
export function throughputOverTime(r: RunResult): TimeSeries[] {
  const out: TimeSeries[] = [];
  for (const variant of variantNames(r)) {
    for (const t of perRepetition(r, variant, ALL_QUERY_TYPES)) {
      const lengths = intervalLengths(t);
      const points = t.intervals.map((i, n) => ({ sec: i.startSec + lengths[n]! / 2, value: lengths[n]! > 0 ? i.ops / lengths[n]! : null }));
      out.push({ variant, repetition: t.key.repetition!, points });
    }
  }
  return out;
}

function asSizes(raw: unknown): SchemaSizes | null {
  const s = raw as SchemaSizes | null | undefined;
  return s && typeof s === 'object' && 'totalBytes' in s && Array.isArray(s.materializedViews) ? s : null;
}

/** On-disk sizes per variant (variants without recorded sizes are left out). */
export function sizeBars(r: RunResult): SizeBar[] {
  const out: SizeBar[] = [];
  for (const v of r.variants) {
    const s = asSizes(v.sizes);
    if (!s) continue;
    const t = s.table;
    const views = s.materializedViews;
    const indexes = [
      ...(t?.indexes ?? []).map((i) => ({ relation: t!.name, name: i.name, method: i.method, bytes: i.bytes })),
      ...views.flatMap((m) => m.indexes.map((i) => ({ relation: m.name, name: i.name, method: i.method, bytes: i.bytes }))),
    ];
    out.push({
      variant: v.name,
      tableHeapBytes: t?.heapBytes ?? 0,
      tableToastBytes: t?.toastBytes ?? 0,
      tableIndexBytes: t?.indexBytes ?? 0,
      viewBytes: views.reduce((n, m) => n + m.heapBytes + m.toastBytes, 0),
      viewIndexBytes: views.reduce((n, m) => n + m.indexBytes, 0),
      totalBytes: s.totalBytes,
      partitions: t?.partitions ?? 0,
      indexes,
    });
  }
  return out;
}
