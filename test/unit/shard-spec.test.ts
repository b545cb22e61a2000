import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { planRun } from '../../bench/load/plan.ts';
import { validateScenario } from '../../bench/scenario/load.ts';
import { planConnectionStreams } from '../../bench/load/param-streams.ts';
import { routedQueryType } from '../../bench/queries/index.ts';
import { resolveShardSpec, shardPlan } from '../../bench/shard/shard-spec.ts';
import { bestOffset } from '../../bench/shard/clock.ts';
import { GeobenchError } from '../../bench/core/errors.ts';

const scenario = validateScenario({
  name: 'unit', description: 'unit', dataset: { scale: 0.001, seed: 7 },
  variants: [{ name: 'baseline', migrateTo: 'baseline' }],
  workload: { Q1: 3, Q3: 1, Q6: 2 },
  load: { model: 'closed', connections: 6 }, durationSec: 5, kpis: [],
}, 'unit');

/** The parameters the worker would send: its picker and the query type's params, from each stream. */
function draws(keys: readonly string[], n: number): string {
  const types = ['Q1', 'Q3', 'Q6'].map((q) => routedQueryType(q, undefined));
  return keys.map((k) => {
    const rng = seedrandom.alea(k);
    return Array.from({ length: n }, () => {
      const q = types[Math.floor(rng() * types.length)]!;
      return JSON.stringify([q.name, q.params(rng, { totalRows: 12_400 })]);
    }).join('\n');
  }).join('\n');
}

test('--shard i/n, or --shards n / GEOBENCH_SHARDS with JOB_COMPLETION_INDEX; nothing = no sharding', () => {
  assert.equal(resolveShardSpec({ shard: '2/4' }, {}), { index: 2, count: 4 });
  assert.equal(resolveShardSpec({ shards: 8 }, { JOB_COMPLETION_INDEX: '7' }), { index: 7, count: 8 });
  assert.equal(resolveShardSpec({}, { GEOBENCH_SHARDS: '3', JOB_COMPLETION_INDEX: '0' }), { index: 0, count: 3 });
  assert.is(resolveShardSpec({}, { JOB_COMPLETION_INDEX: '1' }), undefined);
  for (const [flag, env, msg] of [
    [{ shard: '4/4' }, {}, /out of range/],
    [{ shard: '1-4' }, {}, /i\/n/],
    [{ shards: 4 }, {}, /JOB_COMPLETION_INDEX is not set/],
    [{}, { GEOBENCH_SHARDS: 'x', JOB_COMPLETION_INDEX: '0' }, /whole number/],
  ] as const) {
    try {
      resolveShardSpec(flag, env);
      assert.unreachable(JSON.stringify(flag));
    } catch (err) {
      assert.instance(err, GeobenchError);
      assert.is((err as GeobenchError).exitCode, 2);
      assert.match((err as Error).message, msg);
    }
  }
});

test('one shard of one draws byte-identical parameters to the single-process run', () => {
  const plan = planRun(scenario, {}, 4);
  const one = shardPlan(plan, { index: 0, count: 1 });
  assert.equal(one.workerConnections, plan.workerConnections);
  for (const rep of [1, 2]) {
    const a = draws(planConnectionStreams(plan, rep), 200);
    const b = draws(planConnectionStreams(one, rep), 200);
    assert.ok(a.length > 1000);
    assert.is(b, a);
  }
});

test('shards draw disjoint streams; with one worker a connection their union is the single-process run', () => {
  const plan = planRun(scenario, { workers: 6 }, 4);
  const parts = [0, 1, 2].map((index) => shardPlan(plan, { index, count: 3 }));
  assert.equal(parts.map((p) => p.load.connections), [2, 2, 2]);
  const keys = parts.map((p) => planConnectionStreams(p, 1));
  const all = keys.flat();
  assert.is(new Set(all).size, all.length, 'no stream shared by two shards');
  assert.equal([...all].sort(), [...planConnectionStreams(plan, 1)].sort());
  assert.is.not(draws(keys[0]!, 50), draws(keys[1]!, 50));
});

test('open model: each shard offers rate/n on its share of the connections', () => {
  const plan = planRun(scenario, { rate: 900, connections: 5 }, 2);
  const parts = [0, 1, 2].map((index) => shardPlan(plan, { index, count: 3 }));
  assert.equal(parts.map((p) => p.load.model === 'open' && p.load.rate), [300, 300, 300]);
  assert.equal(parts.map((p) => p.load.connections), [2, 2, 1]);
  assert.equal(parts.map((p) => p.streamIndexBase), [0, 2, 4]);
  assert.throws(() => shardPlan(plan, { index: 0, count: 6 }), /at least 6 connections/);
});

test('clock offset: from the round trip with the smallest RTT, server − (sent + rtt/2)', () => {
  const o = bestOffset([
    { sentAt: 1_000, receivedAt: 1_900, serverAt: 2_001_000 },
    { sentAt: 2_000, receivedAt: 2_200, serverAt: 2_002_150 },
    { sentAt: 3_000, receivedAt: 3_500, serverAt: 2_003_400 },
  ]);
  assert.equal(o, { offsetMicros: 2_000_050, rttMicros: 200, samples: 3 });
  assert.throws(() => bestOffset([]), /no clock samples/);
});

test.run();
