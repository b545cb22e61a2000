import { createLatencyHistogram, encodeHistogram, recordMicros, asMicros, type LatencyHistogram } from '../metrics/histogram.ts';
import type { IntervalReport } from '../metrics/timeline.ts';

/**
 * Per-worker recording of one segment's measurement window: one HDR histogram per (1-second
 * interval, query type), plus error/timeout/late/dropped counters. An operation belongs to the
 * interval of its start time (open model: its intended time), so an interval is final once every
 * operation started in it has completed; `flushReady` hands those out as encoded reports.
 * Hot path: record() is a map lookup and a histogram record — no allocation per operation.
 */
interface Bucket {
  readonly histogram: LatencyHistogram;
  errors: number;
  timeouts: number;
  late: number;
  dropped: number;
}

const INTERVAL_US = 1_000_000;

export class IntervalRecorder {
  private readonly intervals = new Map<number, Map<string, Bucket>>();
  private readonly pending = new Map<number, number>();
  private nextToFlush = 0;

  constructor(
    private readonly variant: string,
    private readonly repetition: number,
    private readonly measureStartAt: number,
    private readonly measureEndAt: number,
    private readonly openModel: boolean,
  ) {}

  /** Interval index of an operation started at `at`, or -1 outside the measurement window. */
  intervalOf(at: number): number {
    if (at < this.measureStartAt || at >= this.measureEndAt) return -1;
    return Math.floor((at - this.measureStartAt) / INTERVAL_US);
  }

  /** Marks an operation of interval `i` as in flight (so the interval is not flushed under it). */
  begin(i: number): void {
    if (i >= 0) this.pending.set(i, (this.pending.get(i) ?? 0) + 1);
  }

  private end(i: number): void {
    this.pending.set(i, (this.pending.get(i) ?? 1) - 1);
  }

  private bucket(i: number, queryType: string): Bucket {
    let byType = this.intervals.get(i);
    if (!byType) {
      byType = new Map();
      this.intervals.set(i, byType);
    }
    let b = byType.get(queryType);
    if (!b) {
      b = { histogram: createLatencyHistogram(), errors: 0, timeouts: 0, late: 0, dropped: 0 };
      byType.set(queryType, b);
    }
    return b;
  }

  /** A completed operation; latency in µs (open model: from the intended time). */
  success(i: number, queryType: string, latencyMicros: number, late = false): void {
    if (i < 0) return;
    const b = this.bucket(i, queryType);
    recordMicros(b.histogram, asMicros(latencyMicros));
    if (late) b.late++;
    this.end(i);
  }

  failure(i: number, queryType: string, kind: 'error' | 'timeout'): void {
    if (i < 0) return;
    const b = this.bucket(i, queryType);
    if (kind === 'timeout') b.timeouts++;
    else b.errors++;
    this.end(i);
  }

  /** An operation the open model skipped (never sent). */
  dropped(i: number, queryType: string): void {
    if (i < 0) return;
    this.bucket(i, queryType).dropped++;
  }

  /** Reports of intervals that ended before `now` and have nothing in flight, in order. */
  flushReady(now: number): IntervalReport[] {
    const out: IntervalReport[] = [];
    const lastEnded = Math.floor((Math.min(now, this.measureEndAt) - this.measureStartAt) / INTERVAL_US) - 1;
    while (this.nextToFlush <= lastEnded && (this.pending.get(this.nextToFlush) ?? 0) === 0) {
      out.push(...this.reportsOf(this.nextToFlush));
      this.nextToFlush++;
    }
    return out;
  }

  /** Everything not yet flushed (end of segment, or an aborted one). */
  flushAll(): IntervalReport[] {
    const out: IntervalReport[] = [];
    const indexes = [...this.intervals.keys()].filter((i) => i >= this.nextToFlush).sort((a, b) => a - b);
    for (const i of indexes) out.push(...this.reportsOf(i));
    this.nextToFlush = Number.MAX_SAFE_INTEGER;
    return out;
  }

  private reportsOf(i: number): IntervalReport[] {
    const byType = this.intervals.get(i);
    this.intervals.delete(i);
    this.pending.delete(i);
    if (!byType) return [];
    return [...byType].map(([queryType, b]) => ({
      variant: this.variant,
      repetition: this.repetition,
      queryType,
      intervalIndex: i,
      encoded: encodeHistogram(b.histogram),
      errors: b.errors,
      timeouts: b.timeouts,
      ...(this.openModel ? { late: b.late, dropped: b.dropped } : {}),
    }));
  }
}
