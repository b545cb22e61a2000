import os from 'node:os';
import { GeobenchError } from '../core/errors.ts';
import { parseKpiTarget, type KpiTarget } from '../analysis/kpi.ts';
import { rowsForScale } from '../dataset/model.ts';
import { variantSchema } from '../db/schema.ts';
import { OPEN_LOAD_DEFAULTS, type Scenario } from '../scenario/schema.ts';
import type { LoadPlanRecord } from '../formats/run-records.ts';

/** CLI overrides of `geobench run`; undefined = keep the scenario's value. */
export interface RunOverrides {
  readonly durationSec?: number | undefined;
  readonly warmupSec?: number | undefined;
  readonly connections?: number | undefined;
  /** Switches the load model to open at this rate (ops/s). */
  readonly rate?: number | undefined;
  readonly repetitions?: number | undefined;
  readonly scale?: number | undefined;
  readonly variants?: readonly string[] | undefined;
  readonly workers?: number | undefined;
}

/** The load model of a plan: the result file's own shape (formats/run-records.ts). */
export type LoadPlan = LoadPlanRecord;

export interface PlannedVariant {
  readonly name: string;
  readonly migrateTo: string;
  readonly schema: string;
  readonly description?: string | undefined;
  /** Query type → route (see QueryType.routes); absent types run their base SQL. */
  readonly routes: Readonly<Record<string, string>>;
}

/** One measured segment: a variant in a repetition. */
export interface Segment {
  /** Position in the run (segments execute in index order). */
  readonly index: number;
  readonly repetition: number;
  readonly variant: string;
  /** Position of this variant within its repetition (0 = measured first), see balancedOrder. */
  readonly orderInRepetition: number;
}

export interface PlannedKpi {
  readonly scope: string;
  readonly variant: string;
  readonly target: KpiTarget;
  readonly label?: string | undefined;
}

/** Everything a run needs, resolved once: the runner only executes it. */
export interface RunPlan {
  readonly scenario: string;
  readonly description: string;
  /** importedFrom: the schema of an imported dataset (`dataset import`) the variants copy. */
  readonly dataset: { readonly scale: number; readonly seed: number; readonly totalRows: number; readonly importedFrom?: string | undefined };
  readonly variants: readonly PlannedVariant[];
  readonly baseline: string;
  readonly workload: ReadonlyArray<{ readonly queryType: string; readonly weight: number }>;
  readonly load: LoadPlan;
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly repetitions: number;
  readonly statementTimeoutMs: number;
  /** Connections of each worker thread (their sum = load.connections). */
  readonly workerConnections: readonly number[];
  readonly paramSeed: number;
  /**
   * Shard runs only: the first parameter-stream index of this shard (the connections of the shards
   * before it), so shards draw disjoint streams and one shard of one draws the single-process ones.
   */
  readonly streamIndexBase?: number;
  /** Interleaved and balanced: every repetition measures every variant, order alternating (A B, B A, …). */
  readonly segments: readonly Segment[];
  readonly kpis: readonly PlannedKpi[];
}

/** Splits n connections over w workers as evenly as possible (first workers get the extra ones). */
export function splitConnections(connections: number, workers: number): number[] {
  const w = Math.max(1, Math.min(workers, connections));
  return Array.from({ length: w }, (_, i) => Math.floor(connections / w) + (i < connections % w ? 1 : 0));
}

/**
 * The order of the variants in repetition `r` (1-based): scenario order in odd repetitions,
 * reversed in even ones — A B, B A, A B, … (ABBA). Whatever drifts during a run (caches warming,
 * autovacuum, a neighbour on the machine) then favours each variant equally within every pair of
 * repetitions instead of always the one measured second. Deterministic, so two runs of a scenario
 * measure in the same order. Pure.
 */
export function balancedOrder<T>(variants: readonly T[], repetition: number): T[] {
  return repetition % 2 === 1 ? [...variants] : [...variants].reverse();
}

export function planRun(scenario: Scenario, overrides: RunOverrides = {}, cores = os.availableParallelism()): RunPlan {
  let variants = scenario.variants;
  if (overrides.variants) {
    const unknown = overrides.variants.filter((v) => !variants.some((x) => x.name === v));
    if (unknown.length > 0) {
      throw new GeobenchError(`--variants: unknown variant(s) ${unknown.join(', ')} (scenario ${scenario.name} has ${variants.map((v) => v.name).join(', ')})`, { exitCode: 2 });
    }
    variants = variants.filter((v) => overrides.variants!.includes(v.name));
  }
  const baseline = scenario.baseline && variants.some((v) => v.name === scenario.baseline) ? scenario.baseline : variants[0]!.name;

  let load: LoadPlan = scenario.load;
  if (overrides.rate !== undefined) {
    load = {
      model: 'open',
      rate: overrides.rate,
      arrival: scenario.load.model === 'open' ? scenario.load.arrival : OPEN_LOAD_DEFAULTS.arrival,
      connections: overrides.connections ?? scenario.load.connections,
      lateAfterMs: scenario.load.model === 'open' ? scenario.load.lateAfterMs : OPEN_LOAD_DEFAULTS.lateAfterMs,
      skipAfterMs: scenario.load.model === 'open' ? scenario.load.skipAfterMs : undefined,
    };
  } else if (overrides.connections !== undefined) {
    load = { ...scenario.load, connections: overrides.connections };
  }
  const workers = overrides.workers ?? scenario.workers ?? Math.min(load.connections, cores);
  const repetitions = overrides.repetitions ?? scenario.repetitions;
  const segments: Segment[] = [];
  for (let r = 1; r <= repetitions; r++) {
    balancedOrder(variants.map((v) => v.name), r).forEach((variant, orderInRepetition) => segments.push({ index: segments.length, repetition: r, variant, orderInRepetition }));
  }
  const lastVariant = variants[variants.length - 1]!.name;
  const scale = overrides.scale ?? scenario.dataset.scale;
  return {
    scenario: scenario.name,
    description: scenario.description,
    dataset: { scale, seed: scenario.dataset.seed, totalRows: rowsForScale(scale), ...(scenario.dataset.import ? { importedFrom: scenario.dataset.import } : {}) },
    variants: variants.map((v) => ({ name: v.name, migrateTo: v.migrateTo, schema: v.schema ?? variantSchema(v.name), description: v.description, routes: { ...v.routes } })),
    baseline,
    workload: Object.entries(scenario.workload).map(([queryType, weight]) => ({ queryType, weight })),
    load,
    warmupSec: overrides.warmupSec ?? scenario.warmupSec,
    durationSec: overrides.durationSec ?? scenario.durationSec,
    repetitions,
    statementTimeoutMs: scenario.statementTimeoutMs,
    workerConnections: splitConnections(load.connections, workers),
    paramSeed: scenario.paramSeed ?? scenario.dataset.seed,
    segments,
    kpis: scenario.kpis
      .filter((k) => k.variant === undefined || variants.some((v) => v.name === k.variant))
      .map((k) => ({ scope: k.scope, variant: k.variant ?? lastVariant, target: parseKpiTarget(k.target), label: k.label })),
  };
}
