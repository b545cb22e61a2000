/**
 * The `stress` step of `validate combined`: the same capacity search on the validator's variants,
 * written as stress.json next to validation.json (so the report shows its section), and its
 * results as KPI checks. combined.ts calls {@link runStressComparison}; the lead wires it.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../core/paths.ts';
import { STANDARD_MIX } from './comparison-run.ts';
import type { Check } from './checks.ts';
import type { ValidateContext } from './types.ts';
import { validateScenario } from '../scenario/load.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import { readStressSection, resolveStressConfig, type StressConfig, type StressOverrides } from '../stress/config.ts';
import { describeResult } from '../stress/capacity.ts';
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

/** Checks of a stress result: each variant's capacity (informational) and each change against its target. Pure. */
export function stressChecks(r: StressFile): Check[] {
  const checks: Check[] = r.variants.map((v) => ({
    metric: `Capacity at p99 < ${r.config.sloP99Us / 1000} ms — ${v.name}`, target: null, value: null,
    achieved: v.result ? describeResult(v.result) : 'not finished', pass: null, evidence: { steps: v.steps.length },
  }));
  for (const c of r.comparisons) {
    checks.push({
      metric: `Capacity change ${c.variant} vs ${c.baseline} (stress)`,
      target: c.target,
      value: c.estimate,
      achieved: c.text.replace(/ vs .*$/, ''),
      pass: c.decision === 'pass' ? true : c.decision === 'fail' ? false : null,
      ...(c.decision === 'inconclusive' ? { note: `inconclusive: interval ${c.low} … ${c.high} straddles the target` } : {}),
      evidence: c,
    });
  }
  if (r.status !== 'complete') checks.push({ metric: 'Stress search complete', target: 'yes', value: 0, achieved: r.statusReason ?? 'incomplete', pass: false });
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
