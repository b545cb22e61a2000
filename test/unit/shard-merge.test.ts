import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import * as hdr from 'hdr-histogram-js';
import { planRun } from '../../bench/load/plan.ts';
import { validateScenario } from '../../bench/scenario/load.ts';
import { createLatencyHistogram, encodeHistogram, recordMicros, asMicros, summarize } from '../../bench/metrics/histogram.ts';
import { shardSignature } from '../../bench/shard/signature.ts';
import { checkShards } from '../../bench/shard/merge-check.ts';
import { mergeShardRecords } from '../../bench/shard/merge-result.ts';
import type { ShardRecord, ShardSegmentPart } from '../../bench/shard/shard-record.ts';
import type { IntervalReport } from '../../bench/metrics/timeline.ts';
import { GeobenchError } from '../../bench/core/errors.ts';

const scenario = validateScenario({
  name: 'unit', description: 'unit', dataset: { scale: 0.001, seed: 7 },
  variants: [{ name: 'baseline', migrateTo: 'baseline' }],
  workload: { Q1: 1, Q3: 1 }, load: { model: 'closed', connections: 4 }, durationSec: 3, repetitions: 1,
  kpis: [{ scope: 'all', target: 'error_rate < 1%' }],
}, 'unit');
const plan = planRun(scenario, {}, 4);
const START = 1_800_000_000_000_000;

/** Shard `index`'s record with log-normal-ish latencies; `all` collects every recorded value. */
function shardRecord(index: number, all: Map<string, number[]>, tweak: Partial<ShardRecord> = {}): ShardRecord {
  const rng = seedrandom.alea(`shard-${index}`);
  const reports: IntervalReport[] = [];
  for (let interval = 0; interval < 3; interval++) for (const q of ['Q1', 'Q3']) {
    const h = createLatencyHistogram();
    const n = 200 + Math.floor(rng() * 300);
    for (let i = 0; i < n; i++) {
      const v = Math.round(Math.exp(5 + 3 * rng()) * (index + 1));
      recordMicros(h, asMicros(v));
      all.get(q)?.push(v) ?? all.set(q, [v]);
    }
    reports.push({ variant: 'baseline', repetition: 1, queryType: q, intervalIndex: interval, encoded: encodeHistogram(h), errors: index, timeouts: 0 });
  }
  const part: ShardSegmentPart = { index: 0, measuredSec: 3, agreedStartAt: START, observedStartAt: START + index * 1000, warmupOps: 10, errorMessages: {}, schedule: null, lagEncoded: [], stoppedEarly: null, reports };
  return {
    runId: 'r1', index, count: 4, signature: shardSignature(plan, 4, '1.0.0', 'abc'), plan, connections: 1, offeredRate: null,
    clock: { offsetMicros: index * 10, rttMicros: 200 }, finished: true, status: 'complete', statusReason: null, finishedAt: null,
    segments: [part], coordinator: null, ...tweak,
  };
}

const refusal = (records: ShardRecord[]): GeobenchError => {
  try {
    checkShards(records);
  } catch (err) {
    assert.instance(err, GeobenchError);
    assert.is((err as GeobenchError).exitCode, 2);
    return err as GeobenchError;
  }
  throw new Error('expected a refusal');
};

test('4 shards merged: ops are the sum, every percentile equals one histogram of all recorded values', () => {
  const all = new Map<string, number[]>();
  const records = [0, 1, 2, 3].map((i) => shardRecord(i, all));
  checkShards(records);
  const merged = mergeShardRecords(records, new Date(0).toISOString());
  assert.is(merged.result.status, 'complete');
  const stats = merged.result.results.variants[0]!.byQueryType;
  const shardOps = merged.result.distributed!.shards.map((s) => s.ops);
  for (const q of ['Q1', 'Q3', '*']) {
    const values = q === '*' ? [...all.get('Q1')!, ...all.get('Q3')!] : all.get(q)!;
    const one = createLatencyHistogram();
    for (const v of values) recordMicros(one, asMicros(v));
    const want = summarize(one);
    assert.is(stats[q]!.ops, values.length);
    for (const p of ['min', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const) assert.is(stats[q]!.latency[p], want[p], `${q} ${p}`);
  }
  assert.is(stats['*']!.ops, shardOps.reduce((a, b) => a + b, 0));
  assert.is(merged.result.distributed!.startSkewMicros, 3000);
  assert.equal(merged.result.distributed!.shards.map((s) => s.startSkewMicros), [0, 1000, 2000, 3000]);
  assert.equal(merged.result.distributed!.shards.map((s) => s.errors), [0, 6, 12, 18]);
  assert.ok(merged.hlog.includes('merged from 4 of 4 shard(s)'));
});

test('a shard that never joined or did not finish makes the run incomplete and is named', () => {
  const all = new Map<string, number[]>();
  const records = [shardRecord(0, all), shardRecord(1, all), shardRecord(3, all, { finished: false, segments: [] })];
  checkShards(records);
  const r = mergeShardRecords(records, new Date(0).toISOString()).result;
  assert.is(r.status, 'incomplete');
  assert.match(r.statusReason!, /shard 2 missing: never joined the run/);
  assert.match(r.statusReason!, /shard 3 missing: did not finish/);
  assert.equal(r.distributed!.shards.map((s) => s.status), ['finished', 'finished', 'missing', 'missing']);
});

test('merge refuses shards of another seed, scenario or version, naming the shard and the difference', () => {
  const all = new Map<string, number[]>();
  const other = { ...plan, paramSeed: 8 };
  const e = refusal([shardRecord(0, all), shardRecord(1, all), shardRecord(2, all, { signature: shardSignature(other, 4, '1.0.0', 'abc') })]);
  assert.match(e.message, /^shard 2 differs from shard 0: paramSeed: 7 vs 8$/);
  assert.match(refusal([shardRecord(0, all), shardRecord(1, all, { signature: shardSignature(plan, 4, '1.0.1', 'abc') })]).message, /shard 1 differs from shard 0: geobenchVersion: "1.0.0" vs "1.0.1"/);
  assert.match(refusal([shardRecord(0, all), shardRecord(1, all, { signature: shardSignature(plan, 4, '1.0.0', 'xyz') })]).message, /datasetChecksum: "abc" vs "xyz"/);
  assert.match(refusal([shardRecord(0, all), shardRecord(0, all)]).message, /shard 0 of run r1 is given twice/);
});

test('merge refuses a shard whose histograms were recorded with another precision', () => {
  const all = new Map<string, number[]>();
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2, bitBucketSize: 64, autoResize: false, useWebAssembly: false });
  h.recordValue(1234);
  const bad = shardRecord(1, all);
  const part = bad.segments[0]!;
  const doctored = { ...bad, segments: [{ ...part, reports: [{ ...part.reports[0]!, encoded: hdr.encodeIntoCompressedBase64(h) }] }] };
  assert.match(refusal([shardRecord(0, all), doctored]).message, /^shard 1, segment 0, Q1: histogram numberOfSignificantValueDigits is 2, this geobench records with 3$/);
});

test.run();
