/**
 * The coordinator's cost per shard (a benchmark script, not a test): N simulated shards — N
 * connections in this one process, no load — go through what real shards do in geobench_coord:
 * join (schema, liveness lock, 9 clock round trips), one segment barrier (ready → shard 0 waits
 * for all → agreed start → every shard polls for it), the result write (a 60-second segment of
 * 9 query types: 540 encoded interval histograms), and the merge's read of the whole run.
 *
 *   GEOBENCH_HOME=… node --import tsx scripts/shard-coord-cost.ts [--shards 8,64]
 */
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { connect } from '../bench/db/connect.ts';
import { openDatabase } from '../bench/db/resolve.ts';
import { createLatencyHistogram, encodeHistogram, recordMicros, asMicros } from '../bench/metrics/histogram.ts';
import { measureClockOffset } from '../bench/shard/clock.ts';
import * as store from '../bench/shard/coord-store.ts';
import { BarrierWait } from '../bench/shard/barrier-wait.ts';
import type { ShardRecord, ShardSegmentPart } from '../bench/shard/shard-record.ts';

const { values } = parseArgs({ options: { shards: { type: 'string', default: '8,64' } } });
const server = await openDatabase({}, () => {});
const ms = (t0: number): string => `${(performance.now() - t0).toFixed(0)} ms`;

function segmentPart(seed: number): ShardSegmentPart {
  const reports = [];
  for (let i = 0; i < 60; i++) for (const q of ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7', 'Q8', 'W1']) {
    const h = createLatencyHistogram();
    for (let k = 0; k < 200; k++) recordMicros(h, asMicros(300 + ((k * 7919 + seed * 31 + i) % 20_000)));
    reports.push({ variant: 'baseline', repetition: 1, queryType: q, intervalIndex: i, encoded: encodeHistogram(h), errors: 0, timeouts: 0 });
  }
  return { index: 0, measuredSec: 60, agreedStartAt: 0, observedStartAt: 0, warmupOps: 0, errorMessages: {}, schedule: null, lagEncoded: [], stoppedEarly: null, reports };
}

for (const n of values.shards!.split(',').map(Number)) {
  const runId = `coord-cost-${n}-${Date.now()}`;
  const clients: pg.Client[] = [];
  let t0 = performance.now();
  for (let i = 0; i < n; i++) clients.push(await connect(server, `geobench-sim-${i}`));
  const connectMs = ms(t0);
  t0 = performance.now();
  await Promise.all(clients.map(async (c, i) => {
    await store.ensureCoordSchema(c);
    await store.createRun(c, runId, n);
    if (!(await store.lockShard(c, runId, i))) throw new Error('lock');
    const clock = await measureClockOffset(c);
    const record = { runId, index: i, count: n, clock: { offsetMicros: clock.offsetMicros, rttMicros: clock.rttMicros }, finished: false, segments: [] } as unknown as ShardRecord;
    await store.joinShard(c, record);
  }));
  const joinMs = ms(t0);
  t0 = performance.now();
  const starts = await Promise.all(clients.map(async (c, i) => {
    await store.markReady(c, runId, 0, i);
    const wait = new BarrierWait(c, runId, 60);
    if (i === 0) {
      const r = await wait.forShards(n, new Set(), async () => (await store.segmentShards(c, runId, 0)).ready);
      if (r.missing.length) throw new Error(`missing ${r.missing}`);
      return store.setSegmentStart(c, runId, 0, 0);
    }
    return wait.forCoordinator(() => store.segmentStart(c, runId, 0), 'start');
  }));
  const barrierMs = ms(t0);
  if (new Set(starts).size !== 1) throw new Error('shards disagree on the start');
  const part = segmentPart(1);
  const bytes = JSON.stringify(part).length;
  t0 = performance.now();
  await Promise.all(clients.map((c, i) => store.saveSegmentPart(c, runId, i, part)));
  const writeMs = ms(t0);
  t0 = performance.now();
  const run = await store.loadRun(clients[0]!, runId);
  const readMs = ms(t0);
  console.log(`${n} shards: connect ${connectMs}, join (schema, lock, 9 clock round trips) ${joinMs}, one barrier ${barrierMs}, result write ${writeMs} (${(bytes / 1024).toFixed(0)} KiB a shard), merge read ${readMs} (${run!.records.length} records)`);
  await clients[0]!.query(`DELETE FROM ${store.COORD_SCHEMA}.runs WHERE run_id = $1`, [runId]);
  await Promise.all(clients.map((c) => c.end()));
}
