import type { ShardLineRecord } from '../formats/run-result.ts';
import { decodeHistogram } from '../metrics/histogram.ts';
import type { ShardRecord } from './shard-record.ts';

/**
 * Start skew per segment from the shards' observed starts (server clock): the spread, and each
 * shard's lag behind the earliest. Pure.
 */
export function startSkews(records: readonly ShardRecord[]): { overall: number | null; byShard: Map<number, number> } {
  const bySegment = new Map<number, Array<{ shard: number; at: number }>>();
  for (const r of records) for (const p of r.segments) {
    if (p.observedStartAt === null) continue;
    const list = bySegment.get(p.index) ?? [];
    list.push({ shard: r.index, at: p.observedStartAt });
    bySegment.set(p.index, list);
  }
  let overall: number | null = null;
  const byShard = new Map<number, number>();
  for (const list of bySegment.values()) {
    const first = Math.min(...list.map((x) => x.at));
    const spread = Math.max(...list.map((x) => x.at)) - first;
    overall = Math.max(overall ?? 0, spread);
    for (const x of list) byShard.set(x.shard, Math.max(byShard.get(x.shard) ?? 0, x.at - first));
  }
  return { overall, byShard };
}

/** One line per shard 0..count-1: its load, errors, clock and skew; absent shards are "missing". Pure. */
export function shardLines(records: readonly ShardRecord[], count: number, segmentCount: number): ShardLineRecord[] {
  const skews = startSkews(records);
  return Array.from({ length: count }, (_, index): ShardLineRecord => {
    const r = records.find((x) => x.index === index);
    if (!r) {
      return { index, status: 'missing', reason: 'never joined the run', connections: null, offeredRate: null, ops: 0, achievedRate: null, errors: 0, timeouts: 0, segments: 0, clockOffsetMicros: null, clockRttMicros: null, startSkewMicros: null };
    }
    let ops = 0;
    let errors = 0;
    let timeouts = 0;
    for (const p of r.segments) for (const rep of p.reports) {
      ops += decodeHistogram(rep.encoded).totalCount;
      errors += rep.errors;
      timeouts += rep.timeouts;
    }
    const seconds = r.segments.reduce((s, p) => s + p.measuredSec, 0);
    const status: ShardLineRecord['status'] = !r.finished ? 'missing' : r.status === 'complete' && r.segments.length === segmentCount ? 'finished' : 'incomplete';
    const reason = !r.finished
      ? `did not finish: its process died or lost the database after ${r.segments.length} of ${segmentCount} segment(s)`
      : status === 'incomplete' ? (r.statusReason ?? `stored ${r.segments.length} of ${segmentCount} segment(s)`) : null;
    return {
      index, status, reason, connections: r.connections, offeredRate: r.offeredRate, ops,
      achievedRate: seconds > 0 ? ops / seconds : null, errors, timeouts, segments: r.segments.length,
      clockOffsetMicros: r.clock.offsetMicros, clockRttMicros: r.clock.rttMicros, startSkewMicros: skews.byShard.get(index) ?? null,
    };
  });
}

/** The per-shard table as text (merge prints it; docs/distributed.md explains it). Pure. */
export function formatShardTable(lines: readonly ShardLineRecord[], skew: number | null): string {
  const ms = (us: number | null, digits = 1): string => (us === null ? '–' : (us / 1000).toFixed(digits));
  const head = 'shard  status      conns  offered/s  achieved/s        ops  errors  timeouts  clock offset ms  rtt ms  start skew ms';
  const rows = lines.map((l) => [
    String(l.index).padStart(5), l.status.padEnd(10), String(l.connections ?? '–').padStart(6), (l.offeredRate === null ? '–' : l.offeredRate.toFixed(1)).padStart(10),
    (l.achievedRate === null ? '–' : l.achievedRate.toFixed(1)).padStart(11), String(l.ops).padStart(10), String(l.errors).padStart(7), String(l.timeouts).padStart(9),
    ms(l.clockOffsetMicros, 2).padStart(16), ms(l.clockRttMicros, 2).padStart(7), ms(l.startSkewMicros, 2).padStart(14),
  ].join(' ') + (l.reason ? `  ${l.reason}` : ''));
  return [head, ...rows, `largest start skew between shards: ${ms(skew, 2)} ms`].join('\n');
}
