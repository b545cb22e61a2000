import type { DbTarget } from '../db/target.ts';
import type { Check } from './checks.ts';
import type { Targets } from './targets.ts';

/** What every validator gets: the server, where to write, how long to measure, how to report. */
export interface ValidateContext {
  readonly server: DbTarget;
  readonly scale: number;
  readonly seed: number;
  /** A schema holding an imported dataset (`dataset import`): variants copy it instead of generating (scale = its rows / 12.4M). */
  readonly importedFrom?: string | undefined;
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly repetitions: number;
  readonly connections: number;
  readonly runId: string;
  readonly outDir: string;
  readonly sqlDir: string;
  readonly geobenchVersion: string;
  readonly loadWorkers: number;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  readonly progress: (line: string) => void;
  /** The roadmap targets (scenarios/targets.json or --targets): validators look their targets up here. */
  readonly targets: Targets;
  /** combined: also run the capacity search at the SLO (validate --stress; the main job's sign-off sets it). */
  readonly stress?: boolean | undefined;
  /**
   * signoff: the hash of its inputs (signoff-resume.ts), recorded in each validator's validation.json,
   * and whether to reuse the finished folders of an interrupted run in outDir (`--resume`).
   */
  readonly signoff?: { readonly inputsKey: string; readonly resume: boolean } | undefined;
  /**
   * An RPC endpoint to load instead of starting `geobench rpc serve` (a real PostgREST / Supabase
   * URL serving the same API functions over the same database), with its API key.
   */
  readonly rpc?: { readonly url: string; readonly apiKey?: string | undefined; readonly allowRemote?: boolean | undefined } | undefined;
}

export interface ValidationOutcome {
  readonly checks: Check[];
  /** Result file of the load run the validator made, if any (relative to outDir). */
  readonly runResult?: string;
  /** Measurements behind the checks that do not belong to one check. */
  readonly evidence?: Record<string, unknown>;
}

/** A validator: one file under bench/validate/, listed in registry.ts. */
export interface Validator {
  readonly name: string;
  /** The roadmap's validator it replaces, e.g. OPT2_COLUMNAR_STORAGE_VALIDATOR. */
  readonly roadmapName: string;
  readonly description: string;
  run(ctx: ValidateContext): Promise<ValidationOutcome>;
}
