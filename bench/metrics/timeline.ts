/**
 * Merges the per-second interval reports that workers send into timelines:
 * one per (variant, repetition, query type) plus an "all query types"
 * aggregate, each with a dense per-interval series and run totals.
 *
 * Merging adds histograms, so it is lossless at histogram resolution: the
 * percentiles of a total are those of every recorded latency, never an
 * average of per-worker percentiles.
 */
import { z } from 'zod';
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  summarize,
  type LatencyHistogram,
  type LatencySummary,
  type Micros,
} from './histogram.ts';

/** Query-type name of the aggregate over all query types of a (variant, repetition). */
export const ALL_QUERY_TYPES = '*';

/**
 * What a worker sends for one query type and one interval.
 *
 * Counting contract (the merger relies on it):
 * - the histogram holds one latency per completed op (open model: charged
 *   from the intended send time, so late ops are in it);
 * - `errors` and `timeouts` are disjoint (a cancelled statement counts only
 *   as a timeout) and their latencies are not in the histogram;
 * - `late` (subset of the histogram) and `dropped` (skipped, never sent, not
 *   in the histogram) come from open-model workers only.
 */
export interface IntervalReport {
  variant: string;
  repetition: number;
  queryType: string;
  /** 0-based interval since measurement start (1-second buckets by default). */
  intervalIndex: number;
  /** Compressed base64 latency histogram (µs), see histogram.ts. */
  encoded: string;
  errors: number;
  timeouts: number;
  late?: number;
  dropped?: number;
}

const count = z.number().int().nonnegative();

/** Runtime validation for reports crossing a worker boundary. */
export const IntervalReportSchema = z.object({
  variant: z.string().min(1),
  repetition: count,
  queryType: z.string().min(1).refine((q) => q !== ALL_QUERY_TYPES, {
    message: `"${ALL_QUERY_TYPES}" is reserved for the all-query-types aggregate`,
  }),
  intervalIndex: count,
  encoded: z.string().min(1),
  errors: count,
  timeouts: count,
  late: count.optional(),
  dropped: count.optional(),
});

/** Identity of a timeline. `repetition` is null when repetitions are pooled. */
export interface TimelineKey {
  variant: string;
  repetition: number | null;
  /** A query type, or {@link ALL_QUERY_TYPES}. */
  queryType: string;
}

/** Counters shared by intervals and totals. `late`/`dropped` are null when no report carried them (closed model). */
export interface OpCounts {
  /** Completed ops = latencies recorded in the histogram. */
  ops: number;
  errors: number;
  timeouts: number;
  late: number | null;
  dropped: number | null;
}

/** One point of a timeline. Latencies are NaN for an interval with no completed op. */
export interface IntervalPoint extends OpCounts {
  index: number;
  /** Interval start, seconds since measurement start. */
  startSec: number;
  p50: Micros;
  p90: Micros;
  p99: Micros;
  max: Micros;
  mean: Micros;
}

/** Whole-run figures of one timeline. */
export interface TimelineTotals extends OpCounts {
  latency: LatencySummary;
  /** Merged histogram of the run, for hlog / spectrum output or further merging. */
  encoded: string;
  /** Measured duration the throughput is computed over (summed over pooled repetitions). */
  measuredSec: number;
  /** ops / measuredSec. */
  throughputOpsPerSec: number;
  /** (errors + timeouts) / (ops + errors + timeouts); NaN when nothing was attempted. */
  errorRate: number;
}

/** A merged timeline. */
export interface Timeline {
  key: TimelineKey;
  /** Dense series: every interval from 0 to the last one, empty ones included. */
  intervals: IntervalPoint[];
  totals: TimelineTotals;
}

/** Options for {@link buildTimelines}. */
export interface TimelineOptions {
  /** Measured duration in seconds, the same for every run or per (variant, repetition). */
  measuredSec: number | ((variant: string, repetition: number) => number);
  /** Interval length in seconds; default 1. */
  intervalSec?: number;
  /** Pool repetitions into one timeline per (variant, query type); default false. */
  poolRepetitions?: boolean;
}

/** Reports of one (variant, repetition, query type, interval), histograms merged. */
export interface MergedInterval extends OpCounts {
  variant: string;
  repetition: number;
  queryType: string;
  intervalIndex: number;
  histogram: LatencyHistogram;
}

/**
 * Validates reports, throwing one error that names the offending report index.
 * @returns the reports, typed.
 */
export function validateReports(reports: readonly unknown[]): IntervalReport[] {
  return reports.map((r, i) => {
    const parsed = IntervalReportSchema.safeParse(r);
    if (!parsed.success) throw new Error(`invalid interval report #${i}: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  });
}

/**
 * Merges reports of the same (variant, repetition, query type, interval) —
 * e.g. from several workers — into one histogram each. Sorted by interval,
 * then variant, repetition, query type. Used by the hlog writer.
 */
export function mergeIntervals(reports: readonly IntervalReport[]): MergedInterval[] {
  const groups = new Map<string, IntervalReport[]>();
  for (const r of reports) {
    const k = JSON.stringify([r.intervalIndex, r.variant, r.repetition, r.queryType]);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  const out: MergedInterval[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    const histogram = createLatencyHistogram();
    for (const r of list) histogram.add(decodeHistogram(r.encoded));
    out.push({
      variant: first.variant,
      repetition: first.repetition,
      queryType: first.queryType,
      intervalIndex: first.intervalIndex,
      histogram,
      ...sumCounts(list, histogram.totalCount),
    });
  }
  return out.sort((a, b) => a.intervalIndex - b.intervalIndex || compareKeys(a, b));
}

/**
 * Builds every timeline from a run's reports: one per (variant, repetition,
 * query type) — or per (variant, query type) when pooling — plus one
 * {@link ALL_QUERY_TYPES} aggregate per (variant, repetition). Reports are
 * validated first. Output is sorted by variant, repetition, query type
 * (aggregate last), so it is deterministic for any report order.
 */
export function buildTimelines(reports: readonly unknown[], options: TimelineOptions): Timeline[] {
  const valid = validateReports(reports);
  const intervalSec = options.intervalSec ?? 1;
  if (!(intervalSec > 0)) throw new Error(`intervalSec must be > 0, got ${intervalSec}`);
  const durationOf = (variant: string, repetition: number): number => {
    const d = typeof options.measuredSec === 'number' ? options.measuredSec : options.measuredSec(variant, repetition);
    if (!(d > 0) || !Number.isFinite(d)) throw new Error(`measured duration of ${variant} repetition ${repetition} must be a positive number of seconds, got ${d}`);
    return d;
  };

  // Group report references first and decode per interval later, so only a
  // few ~190 KB histograms are alive at once even for long runs.
  const groups = new Map<string, { key: TimelineKey; byInterval: Map<number, IntervalReport[]>; repetitions: Set<number> }>();
  const addTo = (key: TimelineKey, r: IntervalReport): void => {
    const k = JSON.stringify([key.variant, key.repetition, key.queryType]);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { key, byInterval: new Map(), repetitions: new Set() }));
    g.repetitions.add(r.repetition);
    const list = g.byInterval.get(r.intervalIndex);
    if (list) list.push(r);
    else g.byInterval.set(r.intervalIndex, [r]);
  };
  for (const r of valid) {
    const repetition = options.poolRepetitions ? null : r.repetition;
    addTo({ variant: r.variant, repetition, queryType: r.queryType }, r);
    addTo({ variant: r.variant, repetition, queryType: ALL_QUERY_TYPES }, r);
  }

  const timelines: Timeline[] = [];
  for (const g of groups.values()) {
    const durations = [...g.repetitions].map((rep) => durationOf(g.key.variant, rep));
    const measuredSec = durations.reduce((a, b) => a + b, 0);
    const lastIndex = Math.max(
      ...g.byInterval.keys(),
      Math.ceil(Math.max(...durations) / intervalSec) - 1,
    );
    const total = createLatencyHistogram();
    const interval = createLatencyHistogram();
    const intervals: IntervalPoint[] = [];
    const all: IntervalReport[] = [];
    for (let index = 0; index <= lastIndex; index++) {
      interval.reset();
      const list = g.byInterval.get(index) ?? [];
      for (const r of list) interval.add(decodeHistogram(r.encoded));
      total.add(interval);
      all.push(...list);
      const s = summarize(interval);
      intervals.push({
        index,
        startSec: index * intervalSec,
        ...sumCounts(list, interval.totalCount),
        p50: s.p50,
        p90: s.p90,
        p99: s.p99,
        max: s.max,
        mean: s.mean,
      });
    }
    const counts = sumCounts(all, total.totalCount);
    const attempted = counts.ops + counts.errors + counts.timeouts;
    timelines.push({
      key: g.key,
      intervals,
      totals: {
        ...counts,
        latency: summarize(total),
        encoded: encodeHistogram(total),
        measuredSec,
        throughputOpsPerSec: counts.ops / measuredSec,
        errorRate: attempted === 0 ? Number.NaN : (counts.errors + counts.timeouts) / attempted,
      },
    });
  }
  return timelines.sort((a, b) => compareKeys(a.key, b.key));
}

/** Finds one timeline by key; `repetition` null selects a pooled timeline. */
export function findTimeline(timelines: readonly Timeline[], key: TimelineKey): Timeline | undefined {
  return timelines.find(
    (t) => t.key.variant === key.variant && t.key.repetition === key.repetition && t.key.queryType === key.queryType,
  );
}

function sumCounts(reports: readonly IntervalReport[], ops: number): OpCounts {
  let errors = 0;
  let timeouts = 0;
  let late: number | null = null;
  let dropped: number | null = null;
  for (const r of reports) {
    errors += r.errors;
    timeouts += r.timeouts;
    if (r.late !== undefined) late = (late ?? 0) + r.late;
    if (r.dropped !== undefined) dropped = (dropped ?? 0) + r.dropped;
  }
  return { ops, errors, timeouts, late, dropped };
}

function compareKeys(a: TimelineKey, b: TimelineKey): number {
  return (
    cmp(a.variant, b.variant) ||
    (a.repetition ?? -1) - (b.repetition ?? -1) ||
    // The aggregate sorts after every real query type.
    Number(a.queryType === ALL_QUERY_TYPES) - Number(b.queryType === ALL_QUERY_TYPES) ||
    cmp(a.queryType, b.queryType)
  );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
