import { planRun } from '../load/plan.ts';
import { executeRun } from '../load/run.ts';
import type { RunResult } from '../formats/run-result.ts';
import { validateScenario } from '../scenario/load.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import type { ValidateContext } from './types.ts';
import { parseKpiTarget } from '../analysis/kpi.ts';
import { workloadImprovement, workloadRepetitionsToDecide, type WorkloadImprovement } from '../analysis/workload-cost.ts';
import { intervalCheck, type Check, type TargetInput } from './checks.ts';

export { workloadImprovement, type WorkloadImprovement };

/** The standard mix of the roadmap workload (weights as in scenarios/opt1-partitioning.ts). */
export const STANDARD_MIX = { Q1: 20, Q2: 2, Q3: 20, Q4: 15, Q5: 5, Q6: 15, Q7: 2, Q8: 16, W1: 5 } as const;
export const READ_TYPES = ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7', 'Q8'] as const;
/** The read part of the standard mix: the weights of "query improvement" (writes are not queries). */
export const READ_MIX: Readonly<Record<string, number>> = Object.fromEntries(READ_TYPES.map((t) => [t, STANDARD_MIX[t]]));
/** Routes per optimization: see route-choice.ts (re-exported for the validators that import them from here). */
export { OPT3_ROUTES, OPT5_LIVE_ROUTES, routesForTarget } from './route-choice.ts';

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
      dataset: { scale: ctx.scale, seed: ctx.seed, ...(ctx.importedFrom ? { import: ctx.importedFrom } : {}) },
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

/** The read query types of the run's workload with their weights (the run's mix, not a constant). */
export function readMixOf(result: RunResult): Record<string, number> {
  const reads = new Set<string>(READ_TYPES);
  return Object.fromEntries(result.scenario.plan.workload.filter((w) => reads.has(w.queryType)).map((w) => [w.queryType, w.weight]));
}

/**
 * A workload-weighted improvement KPI judged on its paired interval: the change in the mix's cost
 * per operation, with the per-type table (share of the mix, A mean, B mean, change) as evidence.
 */
export function workloadCheck(metric: string, target: TargetInput, w: WorkloadImprovement, evidence: Record<string, unknown> = {}): Check {
  const t = parseKpiTarget(typeof target === 'string' ? target : target.target);
  const skipped = w.skippedRepetitions.length ? `repetitions ${w.skippedRepetitions.join(', ')} left out: a weighted query type completed nothing there` : undefined;
  return intervalCheck(metric, target, w.estimate, w.interval, {
    evidence: { method: w.method, perType: w.perType, repetitions: w.repetitions, skippedRepetitions: w.skippedRepetitions, ...evidence },
    repetitionsToDecide: workloadRepetitionsToDecide(w, t),
    ...(skipped ? { note: skipped } : {}),
  });
}

/**
 * Equal-weight average over query types: 1 − geometric mean of optimized/baseline mean latency.
 * Not a KPI any more (two rare types could carry it; see workloadImprovement); kept as a
 * diagnostic. 0.7 = "70% faster"; negative = slower. Pure.
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
