import { planRun } from '../load/plan.ts';
import { executeRun } from '../load/run.ts';
import type { RunResult } from '../formats/run-result.ts';
import { validateScenario } from '../scenario/load.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import type { ValidateContext } from './types.ts';

/** The standard mix of the roadmap workload (weights as in scenarios/opt1-partitioning.ts). */
export const STANDARD_MIX = { Q1: 20, Q2: 2, Q3: 20, Q4: 15, Q5: 5, Q6: 15, Q7: 2, Q8: 16, W1: 5 } as const;
export const READ_TYPES = ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7', 'Q8'] as const;
/**
 * The query types OPT3 was built to speed up, routed to its objects (see `routes` in
 * bench/queries/): Q5 through RPC layer_stats (per-day view + partial days, exact) and Q7 from the
 * per-day view (exact for whole-month windows). Q1 and Q8 also have RPC routes (search_bbox,
 * get_by_ids), but those functions read the same table through the same indexes and return more
 * (props, GeoJSON): routing them measures the API's cost, not OPT3's, so they stay off by default.
 * Q6's function (search_layer_time) filters on the representative point and pages 100 rows —
 * another answer — so Q6 has no route.
 */
export const OPT3_ROUTES = { Q5: 'rpc', Q7: 'mv' } as const;

/**
 * A validator's load measurement: an ordinary scenario (built as data, validated like a file)
 * run through the load engine, so validators get interleaving, evidence and result files for free.
 */
export async function runComparison(
  ctx: ValidateContext,
  name: string,
  variants: ScenarioInput['variants'],
  workload: Record<string, number> = { ...STANDARD_MIX },
  load: ScenarioInput['load'] = { model: 'closed', connections: ctx.connections },
): Promise<RunResult> {
  const scenario = validateScenario(
    {
      name,
      description: `${name} measurement of geobench validate`,
      dataset: { scale: ctx.scale, seed: ctx.seed },
      variants,
      workload,
      load,
      warmupSec: ctx.warmupSec,
      durationSec: ctx.durationSec,
      repetitions: ctx.repetitions,
    },
    `${name} (built-in)`,
  );
  const plan = planRun(scenario, {});
  const { result } = await executeRun({
    plan, server: ctx.server, runId: ctx.runId, outDir: ctx.outDir, sqlDir: ctx.sqlDir, geobenchVersion: ctx.geobenchVersion,
    log: ctx.log, progress: ctx.progress, signal: ctx.signal, loadWorkers: ctx.loadWorkers,
  });
  return result;
}

/**
 * Average improvement over query types: 1 − geometric mean of optimized/baseline mean latency
 * (each type weighs the same). 0.7 = "70% faster"; negative = slower. Pure.
 */
export function averageImprovement(result: RunResult, baseline: string, optimized: string, types: readonly string[] = READ_TYPES): number | null {
  const b = result.results.variants.find((v) => v.variant === baseline)?.byQueryType;
  const o = result.results.variants.find((v) => v.variant === optimized)?.byQueryType;
  if (!b || !o) return null;
  const logs: number[] = [];
  for (const t of types) {
    const x = b[t]?.latency.mean;
    const y = o[t]?.latency.mean;
    if (!x || !y || !Number.isFinite(x) || !Number.isFinite(y)) return null;
    logs.push(Math.log(y / x));
  }
  return 1 - Math.exp(logs.reduce((s, v) => s + v, 0) / logs.length);
}

/** Mean buffer-cache hit ratio over a variant's segments (pg_stat_database deltas). */
export function variantHitRatio(result: RunResult, variant: string): number | null {
  let hit = 0;
  let read = 0;
  for (const s of result.segments) {
    const db = (s.evidence as { database?: { blksHit?: number; blksRead?: number } } | null)?.database;
    if (s.variant !== variant || !db) continue;
    hit += db.blksHit ?? 0;
    read += db.blksRead ?? 0;
  }
  return hit + read > 0 ? hit / (hit + read) : null;
}
