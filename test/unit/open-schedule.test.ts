import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { asMicros, createLatencyHistogram, recordMicros, summarize, type Micros } from '../../bench/metrics/histogram.ts';
import {
  chargeLatency,
  createArrivals,
  intendedOffsets,
  OpenScheduler,
  type OpenSchedulerOptions,
} from '../../bench/load/open-schedule.ts';

const us = asMicros;

test('uniform arrivals: 1000 ops/s means 1000 µs between intended sends', () => {
  assert.equal(intendedOffsets({ ratePerSec: 1000, arrival: 'uniform', seed: 's' }, 5), [0, 1000, 2000, 3000, 4000]);
  const third = intendedOffsets({ ratePerSec: 3, arrival: 'uniform', seed: 's' }, 4);
  assert.equal(third.map((x) => Math.round(x)), [0, 333_333, 666_667, 1_000_000]);
  // Computed as k × gap, so no accumulated float drift after a million arrivals.
  const next = createArrivals({ ratePerSec: 3, arrival: 'uniform', seed: 's' });
  let last = 0;
  for (let i = 0; i <= 3_000_000; i++) last = next();
  assert.is(last, 1_000_000_000_000);
});

test('poisson arrivals: deterministic per seed, mean gap ≈ 10⁶/rate', () => {
  const opts = { ratePerSec: 1000, arrival: 'poisson', seed: 'geobench' } as const;
  const a = intendedOffsets(opts, 20_000);
  assert.equal(intendedOffsets(opts, 20_000), a);
  assert.not.equal(intendedOffsets({ ...opts, seed: 'other' }, 20_000), a);
  assert.is(a[0], 0);
  const meanGap = a[a.length - 1]! / (a.length - 1);
  assert.ok(Math.abs(meanGap - 1000) < 30, `mean gap ${meanGap}`);
  // Exponential gaps: ~63.2 % of gaps are shorter than the mean.
  let short = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! - a[i - 1]! < 1000) short++;
  assert.ok(Math.abs(short / (a.length - 1) - (1 - Math.exp(-1))) < 0.02, `short fraction ${short / (a.length - 1)}`);
  for (let i = 1; i < a.length; i++) assert.ok(a[i]! >= a[i - 1]!);
});

test('arrival options are validated', () => {
  assert.throws(() => createArrivals({ ratePerSec: 0, arrival: 'uniform', seed: '' }), /ratePerSec must be a positive/);
  assert.throws(() => createArrivals({ ratePerSec: Infinity, arrival: 'uniform', seed: '' }), /ratePerSec/);
  assert.throws(() => createArrivals({ ratePerSec: 1, arrival: 'bursty' as 'uniform', seed: '' }), /unknown arrival kind "bursty"/);
});

const chargeCases: Array<{ name: string; intended: number; started: number; completed: number; latency: number; lag: number; service: number }> = [
  { name: 'on time', intended: 1000, started: 1000, completed: 1100, latency: 100, lag: 0, service: 100 },
  { name: 'sent 99 ms late', intended: 201_000, started: 300_000, completed: 300_100, latency: 99_100, lag: 99_000, service: 100 },
  { name: 'fractional µs', intended: 0.25, started: 10.5, completed: 12, latency: 11.75, lag: 10.25, service: 1.5 },
];
for (const c of chargeCases) {
  test(`chargeLatency: ${c.name}`, () => {
    assert.equal(chargeLatency(us(c.intended), us(c.started), us(c.completed)), { latency: c.latency, lag: c.lag, service: c.service });
  });
}

test('chargeLatency rejects impossible orderings', () => {
  assert.throws(() => chargeLatency(us(10), us(5), us(20)), /before its intended time/);
  assert.throws(() => chargeLatency(us(10), us(20), us(15)), /before it started/);
});

test('scheduler: waits until the intended time, never sends early, stops at maxOps / endAt', () => {
  const s = new OpenScheduler({ ratePerSec: 1000, arrival: 'uniform', seed: 'x', startAt: us(5_000), lateAfter: us(1_000), maxOps: 2 });
  assert.equal(s.next(us(0)), { kind: 'wait', untilAt: 5_000 });
  assert.equal(s.next(us(4_999)), { kind: 'wait', untilAt: 5_000 });
  assert.equal(s.next(us(5_000)), { kind: 'send', seq: 0, intendedAt: 5_000, startedAt: 5_000, lag: 0, late: false });
  assert.equal(s.next(us(5_000)), { kind: 'wait', untilAt: 6_000 });
  assert.equal(s.next(us(7_500)), { kind: 'send', seq: 1, intendedAt: 6_000, startedAt: 7_500, lag: 1_500, late: true });
  assert.equal(s.next(us(9_000)), { kind: 'done' });
  assert.equal(s.stats(), { intended: 2, sent: 2, skipped: 0, late: 1, completed: 0 });

  const e = new OpenScheduler({ ratePerSec: 1000, arrival: 'uniform', seed: 'x', startAt: us(0), lateAfter: us(1_000), endAt: us(3_000) });
  const kinds: string[] = [];
  for (let now = 0; now <= 5_000; now += 500) kinds.push(e.next(us(now)).kind);
  // Done as soon as the next op would be intended at or after endAt: no pointless final wait.
  assert.equal(kinds, ['send', 'wait', 'send', 'wait', 'send', 'done', 'done', 'done', 'done', 'done', 'done']);
});

test('scheduler options are validated', () => {
  const base: OpenSchedulerOptions = { ratePerSec: 10, arrival: 'uniform', seed: 'x', startAt: us(0), lateAfter: us(0) };
  assert.throws(() => new OpenScheduler({ ...base, lateAfter: us(-1) }), /lateAfter must be >= 0/);
  assert.throws(() => new OpenScheduler({ ...base, skipAfter: us(Number.NaN) }), /skipAfter/);
  assert.throws(() => new OpenScheduler({ ...base, maxOps: 1.5 }), /maxOps/);
});

interface SimResult {
  latencyBySeq: Map<number, number>;
  lateSeqs: number[];
  skippedSeqs: number[];
  histogramCount: number;
  serviceMax: number;
  summary: ReturnType<typeof summarize>;
  stats: ReturnType<OpenScheduler['stats']>;
}

/**
 * Fake-clock worker loop at 1000 ops/s (uniform), 0.1 ms service time, 1000 intended ops.
 * - 'pause': the worker itself is frozen from 200 ms to 300 ms (GC, event-loop block, all
 *   connections stuck); afterwards it dispatches the backlog without waiting for
 *   completions, as the open model does with spare connections.
 * - 'one-connection-stall': a single connection; op 200 takes 100 ms and the sender
 *   can only send the next op once the previous one completed.
 */
function simulate(mode: 'pause' | 'one-connection-stall', extra: Partial<OpenSchedulerOptions> = {}): SimResult {
  const PAUSE_START = 200_000;
  const PAUSE_END = 300_000;
  const SERVICE = 100;
  const sched = new OpenScheduler({ ratePerSec: 1000, arrival: 'uniform', seed: 'sim', startAt: us(0), lateAfter: us(1_000), maxOps: 1000, ...extra });
  const h = createLatencyHistogram();
  const latencyBySeq = new Map<number, number>();
  const lateSeqs: number[] = [];
  const skippedSeqs: number[] = [];
  let serviceMax = 0;
  let now = 0;
  for (;;) {
    const step = sched.next(us(now));
    if (step.kind === 'done') break;
    if (step.kind === 'wait') {
      now = step.untilAt;
      if (mode === 'pause' && now >= PAUSE_START && now < PAUSE_END) now = PAUSE_END;
      continue;
    }
    if (step.kind === 'skip') {
      skippedSeqs.push(step.seq);
      continue;
    }
    if (step.late) lateSeqs.push(step.seq);
    const service = mode === 'one-connection-stall' && step.seq === 200 ? PAUSE_END - PAUSE_START : SERVICE;
    const completedAt: Micros = us(now + service);
    if (mode === 'one-connection-stall') now = completedAt; // the only connection is busy until then
    const charged = sched.complete(step, completedAt);
    serviceMax = Math.max(serviceMax, charged.service);
    recordMicros(h, charged.latency);
    latencyBySeq.set(step.seq, charged.latency);
  }
  return { latencyBySeq, lateSeqs, skippedSeqs, histogramCount: h.totalCount, serviceMax, summary: summarize(h), stats: sched.stats() };
}

test('a 100 ms pause at 1000 ops/s yields ~100 late ops whose latencies include their wait', () => {
  const r = simulate('pause');
  // Ops intended at 200..298 ms are sent at 300 ms with lag 100..2 ms (> 1 ms); op 299 lags exactly 1 ms.
  assert.ok(Math.abs(r.lateSeqs.length - 100) <= 5, `late ops: ${r.lateSeqs.length}`);
  assert.is(r.lateSeqs.length, 99);
  assert.equal([r.lateSeqs[0], r.lateSeqs[r.lateSeqs.length - 1]], [200, 298]);
  // Latency charged from the intended time: 100.1 ms, 99.1 ms, 98.1 ms, ...
  const table: Array<[number, number]> = [
    [199, 100],
    [200, 100_100],
    [201, 99_100],
    [202, 98_100],
    [250, 50_100],
    [299, 1_100],
    [300, 100],
  ];
  for (const [seq, latency] of table) assert.is(r.latencyBySeq.get(seq), latency, `op ${seq}`);
  // Nothing is lost: one latency per intended op, although the service time never exceeded 0.1 ms.
  assert.is(r.histogramCount, 1000);
  assert.is(r.stats.intended, 1000);
  assert.equal(r.stats, { intended: 1000, sent: 1000, skipped: 0, late: 99, completed: 1000 });
  assert.is(r.serviceMax, 100);
  // 900 ops at 100 µs, then 1.1..100.1 ms: the tail shows the stall (bucketed values).
  assert.equal([r.summary.p50, r.summary.p90, r.summary.p95, r.summary.p99, r.summary.max], [100, 100, 50_111, 90_111, 100_159]);
});

test('one connection stalled 100 ms: backlog drains at 0.9 ms/op, so 109 late ops', () => {
  const r = simulate('one-connection-stall');
  // Op 200+k (k ≥ 1) is sent at 300 + 0.1(k−1) ms, lag 99.9 − 0.9k ms > 1 ms ⇔ k ≤ 109.
  assert.is(r.lateSeqs.length, 109);
  assert.equal([r.lateSeqs[0], r.lateSeqs[r.lateSeqs.length - 1]], [201, 309]);
  const table: Array<[number, number]> = [
    [200, 100_000],
    [201, 99_100],
    [202, 98_200],
    [309, 1_900],
    [310, 1_000],
  ];
  for (const [seq, latency] of table) assert.ok(Math.abs(r.latencyBySeq.get(seq)! - latency) < 1e-6, `op ${seq}: ${r.latencyBySeq.get(seq)}`);
  assert.is(r.histogramCount, 1000);
});

test('pgbench --latency-limit skipping: ops already > limit behind are dropped, not recorded', () => {
  const r = simulate('pause', { skipAfter: us(10_000) });
  // At 300 ms: ops 200..289 lag 100..11 ms → skipped; 290..298 lag 10..2 ms → sent late.
  assert.is(r.skippedSeqs.length, 90);
  assert.equal([r.skippedSeqs[0], r.skippedSeqs[r.skippedSeqs.length - 1]], [200, 289]);
  assert.equal(r.lateSeqs, [290, 291, 292, 293, 294, 295, 296, 297, 298]);
  assert.equal(r.stats, { intended: 1000, sent: 910, skipped: 90, late: 9, completed: 910 });
  assert.is(r.histogramCount, 910);
  assert.is(r.latencyBySeq.get(290), 10_100);
});

test.run();
