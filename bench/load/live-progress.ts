import { createLatencyHistogram, decodeHistogram, summarize } from '../metrics/histogram.ts';
import type { IntervalReport } from '../metrics/timeline.ts';
import type { Segment } from './plan.ts';

/**
 * The `pgbench -P 1`-style line printed every second during a run: segment, phase, elapsed,
 * ops/s, p50/p99 and errors of the last complete second (all query types merged).
 */
export class LiveProgress {
  private readonly perInterval = new Map<number, { histogram: ReturnType<typeof createLatencyHistogram>; errors: number; late: number; dropped: number }>();

  constructor(private readonly totalSegments: number, private readonly write: (line: string) => void) {}

  onReport(report: IntervalReport): void {
    let slot = this.perInterval.get(report.intervalIndex);
    if (!slot) this.perInterval.set(report.intervalIndex, (slot = { histogram: createLatencyHistogram(), errors: 0, late: 0, dropped: 0 }));
    slot.histogram.add(decodeHistogram(report.encoded));
    slot.errors += report.errors + report.timeouts;
    slot.late += report.late ?? 0;
    slot.dropped += report.dropped ?? 0;
  }

  onTick(segment: Segment, phase: 'warmup' | 'measure', elapsedSec: number): void {
    const head = `[${segment.index + 1}/${this.totalSegments}] rep ${segment.repetition} ${segment.variant.padEnd(10)}`;
    if (phase === 'warmup') {
      this.write(`${head} warmup  ${elapsedSec.toFixed(0).padStart(4)} s`);
      return;
    }
    const last = Math.floor(elapsedSec) - 1;
    const slot = this.perInterval.get(last);
    if (!slot) {
      this.write(`${head} measure ${elapsedSec.toFixed(0).padStart(4)} s  (waiting for the first complete second)`);
      return;
    }
    const s = summarize(slot.histogram);
    const ms = (us: number): string => (Number.isFinite(us) ? `${(us / 1000).toFixed(2)} ms` : '-');
    const open = slot.late || slot.dropped ? `  late ${slot.late}  dropped ${slot.dropped}` : '';
    this.write(`${head} measure ${elapsedSec.toFixed(0).padStart(4)} s  ${String(s.count).padStart(6)} ops/s  p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  err ${slot.errors}${open}`);
  }

  /** A new segment starts counting its intervals from 0 again. */
  reset(): void {
    this.perInterval.clear();
  }
}
