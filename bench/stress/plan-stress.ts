import { planRun, type RunPlan } from '../load/plan.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { StressConfig } from './config.ts';

/**
 * The load-engine plan of a stress search: the scenario's variants, workload and dataset, in the
 * open model (Poisson arrivals unless the scenario says otherwise) on the configured connections and
 * generator threads; each step replaces the rate. Pure.
 */
export function planStress(scenario: Scenario, config: StressConfig, o: { scale?: number | undefined; variants?: readonly string[] | undefined } = {}): RunPlan {
  return planRun(scenario, {
    // Each step sets its own rate; this one only selects the open model.
    rate: config.startRate ?? Math.min(50, config.maxRate),
    connections: config.connections,
    workers: config.workers,
    warmupSec: config.warmupSeconds,
    durationSec: config.stepSeconds,
    repetitions: 1,
    scale: o.scale,
    variants: o.variants,
  });
}
