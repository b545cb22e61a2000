import { GeobenchError } from '../core/errors.ts';
import type { DbTarget } from '../db/target.ts';
import type { RunPlan } from '../load/plan.ts';
import { ShardSession } from './shard-session.ts';
import { shardPlan, type ShardSpec } from './shard-spec.ts';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The run id every shard of a run shares: --run-id or GEOBENCH_RUN_ID (there is no other channel). */
export function sharedRunId(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const id = flag ?? env.GEOBENCH_RUN_ID;
  if (!id) throw new GeobenchError('a sharded run needs the run id all its shards share: give --run-id <id> or set GEOBENCH_RUN_ID', { exitCode: 2 });
  if (!RUN_ID.test(id)) throw new GeobenchError(`run id "${id}" must be 1–100 letters, digits, dots, dashes or underscores`, { exitCode: 2 });
  return id;
}

/** This shard's plan and its session in geobench_coord (joined, clock offset measured). */
export async function startShard(o: {
  readonly shard: ShardSpec;
  readonly plan: RunPlan;
  readonly runId: string;
  readonly server: DbTarget;
  readonly geobenchVersion: string;
  readonly barrierTimeoutSec: number;
  readonly outDir: string;
  readonly log: (line: string) => void;
}): Promise<{ plan: RunPlan; session: ShardSession }> {
  const part = shardPlan(o.plan, o.shard);
  const session = await ShardSession.open({ ...o, shardPlan: part });
  return { plan: part, session };
}
