import { GeobenchError } from '../core/errors.ts';
import { splitConnections, type RunPlan } from '../load/plan.ts';

/** Which part of a distributed run this process is: shard `index` of `count` (0-based). */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

const usage = (message: string): GeobenchError => new GeobenchError(message, { exitCode: 2, hint: 'give --shard i/n, or --shards n with JOB_COMPLETION_INDEX set (a Kubernetes Indexed Job sets it)' });

const wholeNumber = (raw: string, what: string): number => {
  if (!/^\d+$/.test(raw.trim())) throw usage(`${what} must be a whole number, got "${raw}"`);
  return Number(raw);
};

/**
 * The shard from `--shard i/n`, or from `--shards n` / GEOBENCH_SHARDS with the index from
 * JOB_COMPLETION_INDEX (so one command line serves every pod of an Indexed Job). Undefined when
 * nothing asks for sharding: a plain single-process run. Pure.
 */
export function resolveShardSpec(flag: { shard?: string | undefined; shards?: number | undefined }, env: NodeJS.ProcessEnv): ShardSpec | undefined {
  let index: number | undefined;
  let count: number | undefined;
  if (flag.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flag.shard.trim());
    if (!m) throw usage(`--shard must look like i/n (e.g. 0/4), got "${flag.shard}"`);
    index = Number(m[1]);
    count = Number(m[2]);
  } else {
    const n = flag.shards ?? (env.GEOBENCH_SHARDS !== undefined && env.GEOBENCH_SHARDS !== '' ? wholeNumber(env.GEOBENCH_SHARDS, 'GEOBENCH_SHARDS') : undefined);
    if (n === undefined) return undefined;
    count = n;
    if (env.JOB_COMPLETION_INDEX === undefined || env.JOB_COMPLETION_INDEX === '') throw usage(`${n} shards asked for but JOB_COMPLETION_INDEX is not set`);
    index = wholeNumber(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX');
  }
  if (count < 1) throw usage(`the number of shards must be at least 1, got ${count}`);
  if (index >= count) throw usage(`shard index ${index} is out of range for ${count} shard(s) (0..${count - 1})`);
  return { index, count };
}

/**
 * This shard's part of the plan: closed model, its share of the connections; open model, its
 * share of the connections and its own arrival stream at rate/n (n independent Poisson streams
 * add up to one at the full rate). Its parameter streams start at the connections of the shards
 * before it, so they are disjoint from every other shard's and, for one shard, the same as a
 * single-process run. Pure.
 */
export function shardPlan(plan: RunPlan, shard: ShardSpec): RunPlan {
  const total = plan.load.connections;
  if (shard.count > total) throw usage(`${shard.count} shards need at least ${shard.count} connections (each shard runs at least one); the plan has ${total}`);
  const perShard = splitConnections(total, shard.count);
  const connections = perShard[shard.index]!;
  const streamIndexBase = perShard.slice(0, shard.index).reduce((a, b) => a + b, 0);
  const load: RunPlan['load'] = plan.load.model === 'open' ? { ...plan.load, connections, rate: plan.load.rate / shard.count } : { ...plan.load, connections };
  const workers = Math.min(plan.workerConnections.length, connections);
  return { ...plan, load, workerConnections: splitConnections(connections, workers), streamIndexBase };
}
