/**
 * What each validator does, as steps the sign-off plan can cost: the schemas it prepares (and the
 * state each must reach), the verifies and migrations it runs itself, its load runs (segments ×
 * warmup + duration) and its other fixed steps. This file mirrors the validators' code
 * (opt2.ts, opt3.ts, opt45.ts, combined.ts, the main job's preparation in scripts/main): a validator
 * that changes what it prepares or measures changes its list here (test/unit/signoff-plan.test.ts
 * fails for a validator without one). Pure.
 */
import { stateSchema } from './state-schemas.ts';

/** The settings that decide how long the measurements take. */
export interface PlanSettings {
  /** Dataset rows (rowsForScale). */
  readonly rows: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly repetitions: number;
  /** combined: the capacity search (--stress). */
  readonly stress: boolean;
  /** The embedded cluster: restarts and the small-buffers cache run happen only there. */
  readonly embedded: boolean;
  /** Variants copy an imported dataset (--dataset-from) instead of generating one. */
  readonly imported: boolean;
}

/** `to`: index in the migration catalog of the last migration to apply (−1 = baseline). */
export type PlanOp =
  | { readonly kind: 'generate'; readonly schema: string }
  | { readonly kind: 'prepare'; readonly schema: string; readonly to: number }
  | { readonly kind: 'migrate'; readonly schema: string; readonly to: number }
  | { readonly kind: 'verify'; readonly schema: string }
  | { readonly kind: 'load'; readonly what: string; readonly variants: ReadonlyArray<{ readonly schema: string; readonly to: number }>; readonly segments: number; readonly segmentSec: number }
  | { readonly kind: 'fixed'; readonly what: string; readonly seconds: number; readonly source: string }
  | { readonly kind: 'refresh'; readonly what: string; readonly count: number };

/**
 * Costs not measured per step, stated here (and in docs/validators.md "Dry run"): the seconds a
 * load run spends around its segments (server evidence, workload-write cleanup with VACUUM after
 * each segment; plans, sizes and result files at the end), a restart of the embedded cluster, the
 * checks between the measurements.
 */
export const ASSUMED = {
  segmentOverheadSec: 3,
  runOverheadSec: 10,
  restartSec: 5,
  checksSec: 10,
  rpcServerStartSec: 3,
} as const;
const ASSUMED_SOURCE = 'assumed (plan-steps.ts)';
/** docs/validators.md: the wave of forced pg_cron runs took ~100 s with the load run inside it. */
const OPT45_WAVE_SEC = 100;
/** docs/stress.md: the stress step of validate combined took 141 s (scale 0.01, shared machine). */
const STRESS_SEC = 141;

export type TagIndex = (tag: string) => number;

const schemaOf = (variant: string): string => stateSchema(variant);

/** A load run of `variants` with `repetitions` interleaved repetitions of warmup + duration each. */
function load(what: string, variants: ReadonlyArray<{ schema: string; to: number }>, repetitions: number, warmupSec: number, durationSec: number): PlanOp {
  return { kind: 'load', what, variants, segments: variants.length * repetitions, segmentSec: warmupSec + durationSec };
}

/** The small-buffers cache run (embedded only): two restarts and one short repetition. */
function smallBuffers(s: PlanSettings, variants: ReadonlyArray<{ schema: string; to: number }>): PlanOp[] {
  if (!s.embedded) return [];
  return [
    { kind: 'fixed', what: 'restart with small shared_buffers and back', seconds: 2 * ASSUMED.restartSec, source: ASSUMED_SOURCE },
    load('cache hit ratio at small shared_buffers', variants, 1, Math.min(3, s.warmupSec), Math.min(10, s.durationSec)),
  ];
}

function opt2(idx: TagIndex, s: PlanSettings): PlanOp[] {
  const after = schemaOf('opt2_after');
  const before = schemaOf('opt2_before');
  const variants = [{ schema: before, to: idx('OPT1') }, { schema: after, to: idx('OPT2') }];
  return [
    { kind: 'prepare', schema: after, to: idx('OPT1') },
    { kind: 'verify', schema: after },
    { kind: 'migrate', schema: after, to: idx('OPT2') },
    { kind: 'verify', schema: after },
    { kind: 'migrate', schema: after, to: idx('OPT1') },
    { kind: 'verify', schema: after },
    { kind: 'migrate', schema: after, to: idx('OPT2') },
    { kind: 'verify', schema: after },
    load('standard workload, OPT1 vs OPT1+OPT2', variants, s.repetitions, s.warmupSec, s.durationSec),
    ...smallBuffers(s, variants),
  ];
}

function opt3(idx: TagIndex, s: PlanSettings): PlanOp[] {
  const variants = [{ schema: schemaOf('opt3_before'), to: idx('OPT3') - 1 }, { schema: schemaOf('opt3_after'), to: idx('OPT3') }];
  const httpSec = 6 * (Math.min(s.durationSec, 10) + 1) + ASSUMED.rpcServerStartSec;
  return [
    { kind: 'prepare', ...variants[0]! },
    { kind: 'prepare', ...variants[1]! },
    load('RPC functions vs base-table queries', variants, s.repetitions, s.warmupSec, s.durationSec),
    { kind: 'fixed', what: 'RPC load over HTTP, 6 functions × min(duration, 10) + 1 s', seconds: httpSec, source: `settings + ${ASSUMED_SOURCE}` },
    { kind: 'refresh', what: 'views refreshed concurrently under a prober', count: 1 },
    ...smallBuffers(s, variants),
  ];
}

function opt45(idx: TagIndex, s: PlanSettings): PlanOp[] {
  const schema = schemaOf('opt45_after');
  const loadSec = s.repetitions * (s.warmupSec + s.durationSec + ASSUMED.segmentOverheadSec) + ASSUMED.runOverheadSec;
  return [
    { kind: 'prepare', schema, to: idx('OPT5') },
    { kind: 'fixed', what: 'inventory, pruning, trigger cost, restart', seconds: ASSUMED.checksSec + (s.embedded ? ASSUMED.restartSec : 0), source: ASSUMED_SOURCE },
    { kind: 'fixed', what: `forced pg_cron runs with the load run inside (${s.repetitions} × warmup + duration)`, seconds: Math.max(loadSec, OPT45_WAVE_SEC), source: `max(load, ${OPT45_WAVE_SEC} s: docs/validators.md)` },
    // The wave waits for the search view's forced refresh to end: minutes at scale 1.
    { kind: 'refresh', what: 'the forced refresh of the search view, waited for', count: 1 },
    { kind: 'verify', schema },
    { kind: 'refresh', what: 'reads during a concurrent refresh, then as long without', count: 2 },
    { kind: 'migrate', schema, to: idx('OPT3') },
    { kind: 'verify', schema },
    { kind: 'migrate', schema, to: idx('OPT1') },
    { kind: 'verify', schema },
    { kind: 'migrate', schema, to: idx('OPT5') },
    { kind: 'verify', schema },
  ];
}

function combined(idx: TagIndex, s: PlanSettings, lastIndex: number): PlanOp[] {
  const variants = [{ schema: schemaOf('combined_before'), to: idx('OPT1') }, { schema: schemaOf('combined_after'), to: lastIndex }];
  return [
    load('capacity (closed loop, one repetition)', variants, 1, Math.min(3, s.warmupSec), Math.min(10, s.durationSec)),
    load('comparison at half the capacity (open model)', variants, s.repetitions, s.warmupSec, s.durationSec),
    { kind: 'refresh', what: 'maintenance jobs timed once, views rewritten after', count: 2 },
    ...(s.stress ? [{ kind: 'fixed', what: 'stress: capacity at the p99 SLO', seconds: STRESS_SEC, source: 'docs/stress.md, 2026-12-07 (scale 0.01)' } as const] : []),
  ];
}

/** The steps of each validator the sign-off runs, by name. */
export const VALIDATOR_STEPS: Readonly<Record<string, (idx: TagIndex, s: PlanSettings, lastIndex: number) => PlanOp[]>> = {
  opt2,
  opt3,
  opt45,
  combined,
};

/** scripts/main before the sign-off: generate and verify, all migrations up, verify, all down, verify. */
export function mainJobSteps(schema: string, lastIndex: number): PlanOp[] {
  return [
    { kind: 'generate', schema },
    { kind: 'verify', schema },
    { kind: 'migrate', schema, to: lastIndex },
    { kind: 'verify', schema },
    { kind: 'migrate', schema, to: -1 },
    { kind: 'verify', schema },
  ];
}
