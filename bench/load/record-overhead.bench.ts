/**
 * Micro-benchmark (not a test): per-operation cost of latency recording,
 * i.e. what the measurement itself adds to every op in a worker loop.
 *
 * Run: node --import tsx bench/load/record-overhead.bench.ts [count]
 * Prints ns/op for 5M operations (default) of each recording path.
 */
import seedrandom from 'seedrandom';
import { performance } from 'node:perf_hooks';
import { asMicros, createLatencyHistogram, recordMicros, type Micros } from '../metrics/histogram.ts';
import { OpenScheduler } from './open-schedule.ts';

const N = Number(process.argv[2] ?? 5_000_000);

// Log-uniform latencies 50 µs .. 500 ms, precomputed so the timed loops do no RNG work.
const rng = seedrandom.alea('record-overhead');
const latencies = new Float64Array(N);
for (let i = 0; i < N; i++) latencies[i] = 50 * Math.exp(rng() * Math.log(10_000));
const ints = Int32Array.from(latencies, (v) => Math.round(v));

function time(name: string, body: () => number): void {
  body(); // warm-up: JIT and histogram allocation out of the measurement
  const t0 = process.hrtime.bigint();
  const check = body();
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(`${name.padEnd(58)} ${(ns / N).toFixed(1).padStart(7)} ns/op  (check ${check})`);
}

time('h.recordValue(int µs)  [raw HdrHistogram]', () => {
  const h = createLatencyHistogram();
  for (let i = 0; i < N; i++) h.recordValue(ints[i]!);
  return h.totalCount;
});

time('recordMicros(h, float µs)  [round + clamp + record]', () => {
  const h = createLatencyHistogram();
  for (let i = 0; i < N; i++) recordMicros(h, latencies[i]! as Micros);
  return h.totalCount;
});

time('scheduler next + complete + recordMicros  [fake clock]', () => {
  const h = createLatencyHistogram();
  const s = new OpenScheduler({ ratePerSec: 1_000_000, arrival: 'uniform', seed: 'x', startAt: asMicros(0), lateAfter: asMicros(1_000) });
  for (let i = 0; i < N; i++) {
    const step = s.next(asMicros(i));
    if (step.kind !== 'send') throw new Error(`unexpected ${step.kind}`);
    recordMicros(h, s.complete(step, asMicros(i + latencies[i]!)).latency);
  }
  return h.totalCount;
});

time('2 × performance.now() + next + complete + recordMicros', () => {
  const h = createLatencyHistogram();
  const s = new OpenScheduler({ ratePerSec: 1_000_000, arrival: 'poisson', seed: 'x', startAt: asMicros(0), lateAfter: asMicros(1_000) });
  const origin = performance.now();
  let sent = 0;
  for (let i = 0; i < N; i++) {
    const step = s.next(asMicros((performance.now() - origin) * 1000 + 1e9)); // always overdue: never waits
    if (step.kind !== 'send') throw new Error(`unexpected ${step.kind}`);
    const done = asMicros((performance.now() - origin) * 1000 + 1e9);
    recordMicros(h, s.complete(step, done).latency);
    sent++;
  }
  return sent;
});
