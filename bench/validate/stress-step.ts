/**
 * The `stress` step of `validate combined`: the same capacity search on the validator's variants,
 * written as stress.json next to validation.json (so the report shows its section), and its
 * results as KPI checks (the capacity change with the shared three outcomes). combined.ts calls
 * {@link runStressComparison} as its last step.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../core/paths.ts';
import { STANDARD_MIX } from './comparison-run.ts';
import { booleanCheck, infoCheck, intervalCheck, type Check } from './checks.ts';
import type { ValidateContext } from './types.ts';
import { validateScenario } from '../scenario/load.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import { readStressSection, resolveStressConfig, type StressConfig, type StressOverrides } from '../stress/config.ts';
import { describeResult, type CapacityChange } from '../stress/capacity.ts';
import { planStress } from '../stress/plan-stress.ts';
import { executeStress } from '../stress/run-stress.ts';
import type { StressFile } from '../stress/stress-file.ts';

export interface StressComparisonOptions {
  /** The file with the `stress` section; default scenarios/stress.json. */
  readonly configFile?: string;
  readonly overrides?: StressOverrides;
  /** A resolved configuration instead of the file. */
  readonly config?: StressConfig;
  readonly workload?: Record<string, number>;
  /** Folder for stress.json; default the validator's outDir. */
  readonly outDir?: string;
}

/** How the capacity-change interval is formed (it is a search bracket, not a sampling interval). */
const CAPACITY_INTERVAL_METHOD = 'capacity brackets of the two searches (sure pass p ≥ 0.8 … sure fail p ≤ 0.2 of the monotone pass-probability fit), opposite ends paired; covered a simulated noisy knee in ≥ 90% of seeded searches';

/** One capacity-change KPI line with the shared three outcomes (pass / fail / inconclusive). Pure. */
export function capacityChangeCheck(c: CapacityChange, steps: number): Check {
  const metric = `Capacity change at the p99 SLO ${c.variant} vs ${c.baseline} (stress)`;
  const finite = Number.isFinite(c.low) && Number.isFinite(c.high);
  if (c.estimate !== null && finite) {
    return intervalCheck(metric, c.target, c.estimate, { low: c.low, high: c.high, confidence: 0.9, method: CAPACITY_INTERVAL_METHOD, n: steps }, { evidence: c });
  }
  // An open end (not reached, harness-bound) or no point estimate: the outcome still follows the
  // interval, shown in words; no interval object (the forest plot needs finite ends).
  return {
    metric, target: c.target, value: c.estimate, achieved: c.text.replace(/ vs .*$/, ''),
    pass: c.decision === 'pass' ? true : c.decision === 'fail' ? false : null, outcome: c.decision,
    ...(c.decision === 'inconclusive' ? { note: 'interval straddles the target (an end of it is open or one variant has no capacity estimate)', repetitionsToDecide: null } : {}),
    evidence: c,
  };
}

/** Checks of a stress result: each variant's capacity (informational) and each change against its target. Pure. */
export function stressChecks(r: StressFile): Check[] {
  const checks: Check[] = r.variants.map((v) => infoCheck(`Capacity at p99 < ${r.config.sloP99Us / 1000} ms — ${v.name} (stress)`, v.result ? describeResult(v.result) : 'not finished', { steps: v.steps.length, closedLoopOpsPerSec: v.closedLoopOpsPerSec ?? null }));
  const stepsOf = (name: string): number => r.variants.find((v) => v.name === name)?.steps.length ?? 0;
  for (const c of r.comparisons) checks.push(capacityChangeCheck(c, stepsOf(c.variant) + stepsOf(c.baseline)));
  if (r.status !== 'complete') checks.push(booleanCheck('Stress search complete', false, r.statusReason ?? 'incomplete'));
  return checks;
}

export async function runStressComparison(ctx: ValidateContext, variants: ScenarioInput['variants'], options: StressComparisonOptions = {}): Promise<{ checks: Check[]; result: StressFile; file: string }> {
  const config = options.config ?? resolveStressConfig(readStressSection(options.configFile ?? path.join(PROJECT_ROOT, 'scenarios', 'stress.json')), options.overrides);
  const scenario = validateScenario({
    name: 'validate-stress',
    description: 'capacity at the latency SLO, measured by geobench validate',
    dataset: { scale: ctx.scale, seed: ctx.seed, ...(ctx.importedFrom ? { import: ctx.importedFrom } : {}) },
    variants,
    workload: options.workload ?? { ...STANDARD_MIX },
    load: { model: 'closed', connections: config.connections },
    warmupSec: config.warmupSeconds,
    durationSec: config.stepSeconds,
    repetitions: 1,
  }, 'validate-stress (built-in)');
  const plan = planStress(scenario, config);
  const { file, result } = await executeStress({
    plan, config, server: ctx.server, runId: ctx.runId, outDir: options.outDir ?? ctx.outDir, sqlDir: ctx.sqlDir,
    log: ctx.log, signal: ctx.signal, loadWorkers: ctx.loadWorkers,
  });
  return { checks: stressChecks(result), result, file };
}
