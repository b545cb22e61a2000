/**
 * results/<run-id>/validation.json — the KPI table of a validator with the measurements behind it
 * (docs/validators.md): the type validate/ writes, report/ and nightly/ read, and the zod schema a
 * reader checks a file against. Imports only the ground floor.
 */
import { z } from 'zod';
import { GeobenchError } from '../core/errors.ts';

export const VALIDATION_FILE = 'validation.json';

/** The outcome of one KPI line: decided on an interval for comparative KPIs (docs/validators.md). */
export type Outcome = 'pass' | 'fail' | 'inconclusive' | 'info' | 'not-measurable';

/** A confidence interval in the target's canonical unit. */
export interface KpiInterval {
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
  /** How it was computed, e.g. "paired t on ln(B/A) over repetitions". */
  readonly method: string;
  /** Repetitions behind it. */
  readonly n: number;
}
export const VALIDATION_SCHEMA_VERSION = 1;

/**
 * One line of a validator's KPI table, as recorded. Mirrors validate/checks.ts's Check field for
 * field (writeValidation assigns one to the other, so the compiler keeps them together).
 */
export interface CheckRecord {
  /** Roadmap wording, e.g. "Storage Reduction". */
  readonly metric: string;
  /** The target as written (`storage_reduction > 35%`), or null for an informational line. */
  readonly target: string | null;
  /** Measured value in the target's canonical unit (µs, fraction, ops/s), or null. */
  readonly value: number | null;
  /** Human-readable achieved value. */
  readonly achieved: string;
  /** true only for outcome 'pass'; false for 'fail'; null otherwise (kept for readers of older files). */
  readonly pass: boolean | null;
  /** pass / fail / inconclusive (interval straddles the target) / info / not-measurable. Absent in older files. */
  readonly outcome?: Outcome;
  /** Comparative KPIs: the 95% interval of `value`, in the target's canonical unit. */
  readonly interval?: KpiInterval;
  /** Inconclusive: repetitions that would likely decide it at the observed mean and spread. */
  readonly repetitionsToDecide?: number | null;
  /** False for a roadmap claim that does not block Production Ready (targets file). Default true. */
  readonly required?: boolean;
  /** The targets-file key the target came from. */
  readonly targetKey?: string;
  /** Why a value is missing (not measurable on PostgreSQL, a step failed …). */
  readonly note?: string;
  /** Raw measurements behind the value (sizes, timings…). */
  readonly evidence?: unknown;
}

export interface ValidationFile {
  readonly schemaVersion: typeof VALIDATION_SCHEMA_VERSION;
  readonly validator: string;
  readonly roadmapName: string;
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly dataset: { readonly scale: number; readonly seed: number };
  /** verdict === 'yes' (kept for readers of older files). */
  readonly allTargetsHold: boolean;
  /** yes / no / inconclusive, and the lines that keep it from yes. Absent in files written before it existed. */
  readonly verdict?: 'yes' | 'no' | 'inconclusive';
  readonly verdictReasons?: readonly string[];
  readonly checks: readonly CheckRecord[];
  /** The load run's result file, relative to this folder. */
  readonly runResult: string | null;
  readonly evidence: Record<string, unknown>;
  /** In a sign-off: the hash of everything that decides its numbers (validate/signoff-resume.ts); `--resume` reuses the folder only when it matches. */
  readonly inputsKey?: string;
}

/** What a reader checks before it trusts a file. */
export const ValidationFileSchema = z.looseObject({
  schemaVersion: z.literal(VALIDATION_SCHEMA_VERSION),
  validator: z.string(),
  runId: z.string(),
  checks: z.array(z.looseObject({ metric: z.string(), achieved: z.string() })),
  runResult: z.string().nullable().optional(),
});

/** Checks parsed JSON against the schema; `where` names the file in the error. */
export function parseValidationFile(raw: unknown, where: string): ValidationFile {
  const parsed = ValidationFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new GeobenchError(`${where} is not a geobench validation file (schema version ${VALIDATION_SCHEMA_VERSION}):\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return raw as ValidationFile;
}
